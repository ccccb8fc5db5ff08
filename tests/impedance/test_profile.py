"""Profile-likelihood intervals against the Wald interval where chi2 is quadratic, and
against algebra where a parameter is not determined (R0-R1 in series)."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.impedance.fit import fit_circuit
from ssbkit.impedance.profile import ProfileInterval, profile_interval
from ssbkit.impedance.spectrum import make_spectrum

F = np.logspace(6, -1, 50)
W = 2 * np.pi * F


def _spec():
    rng = np.random.default_rng(0)
    z = 10 + 1000 / (1 + (1j * W * 1e-6) ** 0.9)
    z = z * (1 + 0.002 * (rng.standard_normal(F.size) + 1j * rng.standard_normal(F.size)))
    return make_spectrum(F, z.real, z.imag, source="zarc")


@pytest.mark.parametrize("name", ["R1", "CPE1_n"])
def test_profile_matches_wald_interval_for_a_well_determined_arc(name):
    """A well-sampled ZARC at 0.2 % noise is locally linear: profile ends within 2 % of
    the half-width of the t-interval (Bates & Watts 1988, ch. 6)."""
    s = _spec()
    r = fit_circuit(s, circuit="R0-p(R1,CPE1)")
    p = profile_interval(s, r, name)
    i = r.names.index(name)
    half = r.ci_high[i] - r.params[i]
    assert p.identifiable
    assert p.high - p.value == pytest.approx(half, rel=0.02)
    assert p.value - p.low == pytest.approx(r.params[i] - r.ci_low[i], rel=0.02)
    assert ProfileInterval.from_json(p.to_json()) == p


def test_profile_of_an_undetermined_resistor_is_open():
    """R0-R1 in series: only R0 + R1 (= 10 ohm) is fixed; R1's profile is flat down to 0
    (unbounded below) and ends where R0 has reached 0 and R1 alone carries the sum: at the
    upper end of the sum's own interval, i.e. that of R1 in the reduced circuit R1-p(R2,CPE1)
    (fitted independently; its half-width is ~10 % of the sum, the tolerance 1 %)."""
    s = _spec()
    r = fit_circuit(s, circuit="R0-R1-p(R2,CPE1)")
    p = profile_interval(s, r, "R1")
    assert not p.bounded_low and np.isnan(p.low)
    total = r.values["R0"] + r.values["R1"]
    reduced = fit_circuit(s, circuit="R1-p(R2,CPE1)")
    i = reduced.names.index("R1")
    assert reduced.params[i] == pytest.approx(total, rel=1e-3)
    assert reduced.ci_high[i] - total > 0.05 * total  # the effect: a statistical half-width
    assert p.high == pytest.approx(reduced.ci_high[i], rel=0.01)
    with pytest.raises(InputError, match="not a parameter"):
        profile_interval(s, r, "R9")
