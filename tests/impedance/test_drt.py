"""DRT against spectra with a known distribution of relaxation times.

References: two ideal RC elements (DRT = two delta peaks of area R1, R2 at
tau1, tau2); the ZARC, whose DRT is analytic (Fuoss & Kirkwood 1941); a
blocking capacitor in series (recovered as c_f).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.impedance.drt import compute_drt, find_peaks, hn_drt, zarc_drt
from ssbkit.impedance.spectrum import make_spectrum

F = np.logspace(6, -2, 81)
W = 2 * np.pi * F


def _spec(z: np.ndarray, sigma: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = z + sigma * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))
    return make_spectrum(F, z.real, z.imag, source="synthetic")


@pytest.mark.parametrize("seed", [0, 1])
def test_two_rc_elements_give_two_peaks_with_their_tau_and_r(seed):
    """R0=10, (R1=100, tau1=1e-4 s), (R2=50, tau2=0.1 s), 0.2 % noise: peaks within 10 %."""
    z = 10 + 100 / (1 + 1j * W * 1e-4) + 50 / (1 + 1j * W * 1e-1)
    d = compute_drt(_spec(z, 0.002, seed))
    big = [p for p in d.peaks if p[1] > 5.0]
    assert len(big) == 2
    (t1, r1), (t2, r2) = big
    assert t1 == pytest.approx(1e-4, rel=0.1) and t2 == pytest.approx(1e-1, rel=0.1)
    assert r1 == pytest.approx(100, rel=0.1) and r2 == pytest.approx(50, rel=0.1)
    assert d.r_inf_ohm == pytest.approx(10, rel=0.05)
    assert d.rms_residual < 0.005
    assert d.lam_method == "gcv"


def test_zarc_drt_matches_the_analytic_fuoss_kirkwood_distribution():
    """Z = 5 + 100/(1 + (j w 1e-3)^0.8): gamma within 5 % of its peak everywhere, area 100."""
    phi, tau0 = 0.8, 1e-3
    d = compute_drt(_spec(5 + 100 / (1 + (1j * W * tau0) ** phi)))
    exact = zarc_drt(d.tau_s, 100.0, tau0, phi)
    assert np.max(np.abs(d.gamma_ohm - exact)) < 0.05 * exact.max()
    assert len(d.peaks) == 1
    tau_peak, r = d.peaks[0]
    assert tau_peak == pytest.approx(tau0, rel=0.05)
    assert r == pytest.approx(100.0, rel=0.02)
    assert d.r_polarisation_ohm == pytest.approx(100.0, rel=0.02)
    assert d.r_inf_ohm == pytest.approx(5.0, abs=0.5)


@pytest.mark.parametrize("phi", [0.6, 0.8, 0.95])
def test_analytic_zarc_drt_integrates_to_r_and_reproduces_the_zarc(phi):
    """Independent check of zarc_drt: integral = R; int gamma/(1+j w tau) dln tau = ZARC."""
    tau0 = 1e-3
    s = np.linspace(-60, 60, 200001)
    tau = tau0 * np.exp(s)
    g = zarc_drt(tau, 2.0, tau0, phi)
    assert np.trapezoid(g, s) == pytest.approx(2.0, rel=1e-3)
    w = 1 / tau0 * np.array([0.1, 1.0, 10.0])
    z_num = np.trapezoid(g[None, :] / (1 + 1j * np.outer(w, tau)), s, axis=1)
    np.testing.assert_allclose(z_num, 2.0 / (1 + (1j * w * tau0) ** phi), rtol=2e-3)


def test_blocking_capacitor_is_recovered():
    """R0 + (R || C) + C_block: c_f within 2 % and one peak of area R."""
    z = 20 + 1e3 / (1 + 1j * W * 1e3 * 1e-8) + 1 / (1j * W * 5e-6)
    d = compute_drt(_spec(z, 0.001, 4))
    assert d.c_f == pytest.approx(5e-6, rel=0.02)
    assert [round(r, -1) for _, r in d.peaks if r > 50] == [1000.0]


def test_given_lambda_is_used_and_more_smoothing_widens_peaks():
    z = 10 + 100 / (1 + 1j * W * 1e-4)
    s = _spec(z)
    sharp = compute_drt(s, lam=1e-6)
    smooth = compute_drt(s, lam=1e-1)
    assert sharp.lam == 1e-6 and sharp.lam_method == "given"
    assert smooth.gamma_ohm.max() < sharp.gamma_ohm.max()
    for d in (sharp, smooth):
        assert sum(r for _, r in d.peaks) == pytest.approx(100, rel=0.05)


def test_find_peaks_integrates_each_basin():
    """Two Gaussians in ln tau of areas 3 and 1: areas and centres recovered."""
    x = np.linspace(np.log(1e-6), np.log(1e2), 801)
    g = 3 / np.sqrt(2 * np.pi * 0.3**2) * np.exp(-((x - np.log(1e-4)) ** 2) / 0.18)
    g += 1 / np.sqrt(2 * np.pi * 0.3**2) * np.exp(-((x - np.log(1e-1)) ** 2) / 0.18)
    peaks = find_peaks(np.exp(x), g)
    assert [round(r, 3) for _, r in peaks] == [3.0, 1.0]
    np.testing.assert_allclose([t for t, _ in peaks], [1e-4, 1e-1], rtol=1e-3)
    assert find_peaks(np.exp(x), np.zeros_like(x)) == []


def test_to_dict_and_bad_options():
    d = compute_drt(_spec(10 + 100 / (1 + 1j * W * 1e-4)))
    out = json.loads(json.dumps(d.to_dict()))
    assert out["peak_table"][0]["f_hz"] == pytest.approx(1 / (2 * np.pi * 1e-4), rel=0.1)
    back = type(d).from_json(d.to_json())
    np.testing.assert_array_equal(back.gamma_ohm, d.gamma_ohm)
    assert back.peaks == d.peaks and back.lam == d.lam
    with pytest.raises(InputError, match="lam=-1"):
        compute_drt(_spec(10 + 100 / (1 + 1j * W * 1e-4)), lam=-1)
    with pytest.raises(InputError, match="points_per_decade"):
        compute_drt(_spec(10 + 100 / (1 + 1j * W * 1e-4)), points_per_decade=1)


@pytest.mark.external
def test_pellet_drt_total_matches_low_frequency_real_part(reference_dir):
    """Real pellet at 200 degC: R_inf + sum of peaks + tail reproduce the data (rms < 1 %)."""
    from ssbkit.impedance.readers import read_spectrum

    s = read_spectrum(reference_dir / "eis" / "pellet-series" / "s04147-200deg.txt")
    d = compute_drt(s)
    assert d.rms_residual < 0.01
    assert len([p for p in d.peaks if p[1] > 0.05 * s.z_real.max()]) >= 2


F2 = np.logspace(6, -1, 71)
W2 = 2 * np.pi * F2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_zarcs_at_0p5pct_noise_give_two_peaks_and_the_bulk_area_within_1pct(seed):
    """10 + 100/(1 + (j w 1e-5)^0.9) + 50/(1 + (j w 1e-2)^0.8) with 0.5 % noise: exactly
    two peaks, at the ZARC tau (5 %, 20 %), bulk area 100 within 1 %, gb 50 within 5 %.
    (Side lobes of the sharp phi = 0.9 peak are not needed by the data and are merged.)"""
    z = 10 + 100 / (1 + (1j * W2 * 1e-5) ** 0.9) + 50 / (1 + (1j * W2 * 1e-2) ** 0.8)
    rng = np.random.default_rng(seed)
    z = z + 0.005 * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))
    d = compute_drt(make_spectrum(F2, z.real, z.imag, source="2zarc"))
    assert len(d.peaks) == 2
    (t1, r1), (t2, r2) = d.peaks
    assert t1 == pytest.approx(1e-5, rel=0.05)
    assert t2 == pytest.approx(1e-2, rel=0.2)  # broad phi = 0.8 peak: its maximum moves with noise
    assert r1 == pytest.approx(100, rel=0.01)
    assert r2 == pytest.approx(50, rel=0.05)
    assert d.unresolved == []
    assert np.all(d.peak_r_err_ohm > 0)


def test_single_zarc_at_0p5pct_noise_gives_one_peak():
    """One ZARC (phi = 0.8), 0.5 % noise: noise maxima are merged, one peak of area 100 (2 %)."""
    d = compute_drt(_spec(5 + 100 / (1 + (1j * W * 1e-3) ** 0.8), 0.005, 3))
    assert len(d.peaks) == 1
    assert d.peaks[0][1] == pytest.approx(100, rel=0.02)
    assert any("merged" in n for n in d.notes)


def test_close_rc_pair_a_factor_4_apart_is_split_correctly():
    """Two RCs of 100 ohm at tau 1e-3 and 4e-3 s, 0.2 % noise: two peaks, areas within 5 %."""
    d = compute_drt(_spec(5 + 100 / (1 + 1j * W * 1e-3) + 100 / (1 + 1j * W * 4e-3), 0.002, 0))
    assert len(d.peaks) == 2
    assert [r for _, r in d.peaks] == pytest.approx([100, 100], rel=0.05)


def test_lambda_is_not_on_the_edge_of_its_grid_for_noisy_data():
    """The adaptive GCV grid puts lambda strictly inside (the old fixed grid hit its edge)."""
    z = 10 + 100 / (1 + (1j * W2 * 1e-5) ** 0.9) + 50 / (1 + (1j * W2 * 1e-2) ** 0.8)
    rng = np.random.default_rng(5)
    z = z + 0.005 * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))
    d = compute_drt(make_spectrum(F2, z.real, z.imag, source="2zarc"))
    assert not d.lam_at_edge and 1e-12 < d.lam < 1e2


ZHN = 10 + 100 / (1 + (1j * W * 1e-3) ** 0.8) ** 0.6  # Havriliak-Negami, alpha 0.8, beta 0.6


def _analytic_modes(g_fn) -> list[float]:
    tau = np.logspace(-8, 3, 110001)
    return [t for t, _ in find_peaks(tau, g_fn(tau), min_fraction=0.05)]


def _in_band(g_fn) -> float:
    """Integral of an analytic DRT over the measured band 1/w_max..1/w_min (what the data
    determine: the HN tail x^(alpha beta) puts ~1 % of R at shorter tau)."""
    tau = np.logspace(np.log10(1 / W.max()), np.log10(1 / W.min()), 200001)
    return float(np.trapezoid(g_fn(tau), np.log(tau)))


def test_havriliak_negami_noiseless_gamma_follows_the_analytic_distribution():
    """gamma within 6 % of its maximum of the closed-form HN DRT (Zorn 1999); one peak at the
    analytic mode (2 %) whose area is the analytic DRT's over the measured band (1 %)."""
    d = compute_drt(_spec(ZHN))
    exact = hn_drt(d.tau_s, 100.0, 1e-3, 0.8, 0.6)
    assert np.max(np.abs(d.gamma_ohm - exact)) < 0.06 * exact.max()
    (mode,) = _analytic_modes(lambda t: hn_drt(t, 100.0, 1e-3, 0.8, 0.6))
    assert len(d.peaks) == 1 and d.unresolved_peaks == []
    assert d.peaks[0][0] == pytest.approx(mode, rel=0.02)
    truth = _in_band(lambda t: hn_drt(t, 100.0, 1e-3, 0.8, 0.6))
    assert 98.0 < truth < 99.5  # the part of R outside the band is not negligible here
    assert d.peaks[0][1] == pytest.approx(truth, rel=0.01)


@pytest.mark.parametrize("seed", [0, 1])
def test_havriliak_negami_at_0p5pct_noise_gives_one_peak_of_the_right_area(seed):
    """0.5 % noise: one peak, area the analytic in-band area within 2 %, within 0.15 decade
    of the analytic mode (the skewed peak's maximum moves with the smoothing)."""
    d = compute_drt(_spec(ZHN, 0.005, seed))
    (mode,) = _analytic_modes(lambda t: hn_drt(t, 100.0, 1e-3, 0.8, 0.6))
    assert len(d.peaks) == 1
    assert abs(np.log10(d.peaks[0][0] / mode)) < 0.15
    assert d.peaks[0][1] == pytest.approx(_in_band(lambda t: hn_drt(t, 100.0, 1e-3, 0.8, 0.6)),
                                          rel=0.02)


ZPAIR = (10 + 100 / (1 + (1j * W * 1e-3) ** 0.9)
         + 100 / (1 + (1j * W * 10**-2.5) ** 0.9))  # two ZARCs half a decade apart


def test_close_pair_half_a_decade_apart_is_split_without_noise():
    """Two phi = 0.9 ZARCs of 100 ohm, tau 1e-3 and 10^-2.5 s: two peaks at the maxima of the
    analytic sum (5 %), each of area 100 (1 %), resolved."""
    truth = _analytic_modes(lambda t: zarc_drt(t, 100, 1e-3, 0.9) + zarc_drt(t, 100, 10**-2.5, 0.9))
    d = compute_drt(_spec(ZPAIR))
    assert len(d.peaks) == 2 and d.unresolved_peaks == []
    assert [t for t, _ in d.peaks] == pytest.approx(truth, rel=0.05)
    assert [r for _, r in d.peaks] == pytest.approx([100, 100], rel=0.01)


@pytest.mark.parametrize("seed", [0, 1])
def test_close_pair_merged_by_noise_is_reported_not_resolved(seed):
    """At 0.5 % noise the DRT merges the pair into one peak: its area is the sum (200, 2 %)
    and the peak is flagged not resolved (the ZARC model needs two relaxations there)."""
    d = compute_drt(_spec(ZPAIR, 0.005, seed))
    assert len(d.peaks) == 1
    assert d.peaks[0][1] == pytest.approx(200.0, rel=0.02)
    assert d.unresolved_peaks == [0]
    assert any("not resolved" in n for n in d.notes)


def test_pair_with_a_shallow_valley_is_reported_not_resolved():
    """Two phi = 0.9 ZARCs 0.3 decade apart: two maxima with a valley above 80 % of the lower
    one: the pair is flagged, so that its split of the area is not taken at face value."""
    z = 10 + 100 / (1 + (1j * W * 1e-3) ** 0.9) + 100 / (1 + (1j * W * 10**-2.7) ** 0.9)
    d = compute_drt(_spec(z))
    assert len(d.peaks) == 2
    assert d.unresolved == [(0, 1)] and d.unresolved_peaks == [0, 1]
    assert sum(r for _, r in d.peaks) == pytest.approx(200.0, rel=0.01)
