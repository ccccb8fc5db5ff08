"""Effective-medium formulas against closed forms and limits."""

from __future__ import annotations

import math

import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure.effective_medium import (
    bruggeman_conductivity,
    bruggeman_tortuosity,
    glass_ceramic_conductivity,
    hashin_shtrikman_bounds,
    maxwell_garnett,
    symmetric_bruggeman,
)


def test_bruggeman_tortuosity_r18():
    """R-18: tau = eps^-0.5; eps = 0.25 gives 2; alpha = 0.9 as also used in the review."""
    assert bruggeman_tortuosity(0.25) == pytest.approx(2.0)
    assert bruggeman_tortuosity(0.4, alpha=0.9) == pytest.approx(0.4**-0.9)
    assert bruggeman_conductivity(1e-3, 0.4) == pytest.approx(1e-3 * 0.4**1.5)
    with pytest.raises(InputError):
        bruggeman_tortuosity(0.0)


@pytest.mark.parametrize(("phi1", "s1", "s2"), [(0.2, 1.0, 10.0), (0.5, 3e-4, 1e-2), (0.8, 5.0, 0.1)])
def test_symmetric_bruggeman_two_phases_matches_closed_form(phi1, s1, s2):
    """Two phases: 2 s^2 - b s - s1 s2 = 0 with b = (3 phi1 - 1) s1 + (3 phi2 - 1) s2."""
    phi2 = 1 - phi1
    b = (3 * phi1 - 1) * s1 + (3 * phi2 - 1) * s2
    exact = (b + math.sqrt(b * b + 8 * s1 * s2)) / 4
    assert symmetric_bruggeman([phi1, phi2], [s1, s2]) == pytest.approx(exact, rel=1e-10)


def test_symmetric_bruggeman_percolation_threshold_at_one_third():
    """Conductor + insulator: s = s1 (3 phi - 1) / 2 above phi = 1/3, zero below."""
    assert symmetric_bruggeman([0.6, 0.4], [2.0, 0.0]) == pytest.approx(2.0 * 0.8 / 2)
    assert symmetric_bruggeman([0.3, 0.7], [2.0, 0.0]) == 0.0


def test_symmetric_bruggeman_three_phases_satisfies_its_equation():
    phi, sig = [0.5, 0.3, 0.2], [1e-3, 2e-5, 0.0]
    s = symmetric_bruggeman(phi, sig)
    assert sum(p * (si - s) / (si + 2 * s) for p, si in zip(phi, sig, strict=True)) == pytest.approx(0, abs=1e-10)
    lo, hi = hashin_shtrikman_bounds(phi, sig)
    assert lo <= s <= hi


def test_maxwell_garnett_limits_and_hs_lower_bound():
    """MG equals the HS bound with the matrix as reference; phi = 0 / 1 give the pure phases."""
    assert maxwell_garnett(1.0, 7.0, 0.0) == pytest.approx(1.0)
    assert maxwell_garnett(1.0, 7.0, 1.0) == pytest.approx(7.0)
    lo, hi = hashin_shtrikman_bounds([0.7, 0.3], [1.0, 7.0])
    assert maxwell_garnett(1.0, 7.0, 0.3) == pytest.approx(lo)
    assert maxwell_garnett(7.0, 1.0, 0.7) == pytest.approx(hi)
    # insulating spheres, dilute: s = 1 - 3 phi / 2 to first order
    assert maxwell_garnett(1.0, 0.0, 0.01) == pytest.approx(1 - 0.015, rel=1e-3)


def test_hashin_shtrikman_bounds_enclose_wiener_bounds_order():
    """Harmonic mean <= HS lower <= HS upper <= arithmetic mean."""
    phi, sig = [0.4, 0.6], [1.0, 20.0]
    lo, hi = hashin_shtrikman_bounds(phi, sig)
    harmonic = 1 / (0.4 / 1.0 + 0.6 / 20.0)
    arithmetic = 0.4 * 1.0 + 0.6 * 20.0
    assert harmonic < lo < hi < arithmetic
    assert hashin_shtrikman_bounds([0.5, 0.5], [1.0, 0.0])[0] == 0.0


def test_glass_ceramic_conductivity_between_glass_and_crystal():
    """Crystallites (1 mS/cm) in glass (0.1 mS/cm): rises with fraction; MG <= Bruggeman at 50 %."""
    values = [glass_ceramic_conductivity(x, 1e-3, 1e-4) for x in (0.1, 0.5, 0.9)]
    assert 1e-4 < values[0] < values[1] < values[2] < 1e-3
    mg = glass_ceramic_conductivity(0.5, 1e-3, 1e-4, model="maxwell_garnett")
    assert mg < values[1]
    with pytest.raises(InputError, match="maxwell_garnett"):
        glass_ceramic_conductivity(0.5, 1e-3, 1e-4, model="maxwell-garnet")


def test_bad_fractions_raise_input_error():
    with pytest.raises(InputError, match="sum to 1"):
        symmetric_bruggeman([0.5, 0.6], [1.0, 2.0])
    with pytest.raises(InputError, match="equal length"):
        hashin_shtrikman_bounds([0.5, 0.5], [1.0])
