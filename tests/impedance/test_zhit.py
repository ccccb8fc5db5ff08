"""Z-HIT against the analytic single-RC deviation and drifting synthetic data.

For Z = R/(1 + j w tau) the Z-HIT estimate of ln|Z| at w tau = 1, relative to the
low-frequency end, exceeds the true value by -2G/pi + pi/12 + ln(2)/2 = 0.02525
(G = Catalan's constant 0.915966): phi = -atan(w tau), int_{-inf}^0 atan(e^s) ds = G.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.impedance.readers import read_spectrum
from ssbkit.impedance.spectrum import make_spectrum
from ssbkit.impedance.zhit import ZHITResult, zhit_test

F = np.logspace(6, -4, 101)
W = 2 * np.pi * F


def _spec(z, name="synthetic", f=F):
    return make_spectrum(f, z.real, z.imag, source=name)


def test_single_rc_deviation_at_the_corner_is_the_analytic_value():
    tau = 1e-1
    r = zhit_test(_spec(100 / (1 + 1j * W * tau)))
    ln_err = np.log(r.modulus_zhit_ohm / r.modulus_ohm)
    corner = int(np.argmin(np.abs(W * tau - 1)))
    low = int(np.argmin(F))
    catalan = 0.915965594177219
    expected = -2 * catalan / np.pi + np.pi / 12 + np.log(2) / 2
    assert ln_err[corner] - ln_err[low] == pytest.approx(expected, abs=1.5e-3)


def test_drift_is_caught_and_the_clean_spectrum_passes():
    """Randles cell; Rct rising 30 % over the sweep: Z-HIT residual > 5 %, clean < 5 %."""
    f = np.logspace(5, -2, 71)
    w = 2 * np.pi * f

    def randles(rct):
        zw = 50 * np.tanh(np.sqrt(1j * w * 10)) / np.sqrt(1j * w * 10)
        zf = rct + zw
        return 10 + zf / (1 + 1j * w * 2e-5 * zf)

    rng = np.random.default_rng(0)
    noise = 0.002 * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))
    elapsed = np.cumsum(2.0 / f)
    drift = randles(100 * (1 + 0.3 * elapsed / elapsed[-1]))
    clean = randles(100.0)
    bad = zhit_test(_spec(drift * (1 + noise), "drift", f))
    good = zhit_test(_spec(clean * (1 + noise), "clean", f))
    assert not bad.valid and bad.max_residual > 0.05
    assert good.valid and bad.max_residual > 2 * good.max_residual


def test_round_trip_and_bad_options():
    r = zhit_test(_spec(10 + 100 / (1 + 1j * W * 1e-3)))
    back = ZHITResult.from_json(r.to_json())
    np.testing.assert_array_equal(back.modulus_zhit_ohm, r.modulus_zhit_ohm)
    assert back.valid == r.valid
    with pytest.raises(InputError, match="threshold"):
        zhit_test(_spec(10 + 100 / (1 + 1j * W * 1e-3)), threshold=0)
    with pytest.raises(InputError, match="at least 8"):
        zhit_test(_spec(np.ones(5) + 0j, f=F[:5]))


DUMMY = Path(__file__).resolve().parents[1] / "data" / "eis_dummy_circuits"


@pytest.mark.parametrize("name", ["Circuit1_EIS_1.z", "Circuit2_EIS_1.z", "Circuit3_EIS_1.z"])
def test_real_r_rc_dummy_circuits_are_accepted(name):
    """Measured R-RC dummy circuits (impedance.py data, MIT): Z-HIT accepts them; the modulus
    residual stays below 4 % (the approximation alone gives ~2.5 % at an RC corner)."""
    r = zhit_test(read_spectrum(DUMMY / name))
    assert r.valid
    assert r.max_residual < 0.04


def test_the_dummy_circuit_drifting_by_half_is_rejected():
    """Circuit1 rebuilt from impedance.py's fit (29.14 ohm + 46.65 ohm || 1.043e-5 F) at the
    measured frequencies, 0.2 % noise: steady passes, R1 growing by 50 % over the sweep fails."""
    f = read_spectrum(DUMMY / "Circuit1_EIS_1.z").frequency_hz
    w = 2 * np.pi * f
    rng = np.random.default_rng(0)
    noise = 0.002 * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))
    verdicts = []
    for drift in (0.0, 0.5):
        r1 = 46.65 * (1 + drift * np.linspace(0.0, 1.0, f.size))
        z = 29.14 + r1 / (1 + 1j * w * r1 * 1.043e-5)
        z = z + np.abs(z) * noise
        verdicts.append(zhit_test(make_spectrum(f, z.real, z.imag, source="drift")).valid)
    assert verdicts == [True, False]
