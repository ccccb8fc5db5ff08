"""Temperature series -> conductivities -> Ea, against synthetic pellets with known Ea
and the real pellet series of Adediwura et al., J. Mater. Chem. A 12 (2024) 15847."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.impedance.circuit import parse_circuit
from ssbkit.impedance.fit import fit_circuit
from ssbkit.impedance.series import conductivity_series, fit_series, tortuosity_from_r_ion
from ssbkit.impedance.spectrum import make_spectrum

sys.path.insert(0, str(Path(__file__).resolve().parent))  # eis_synthetic.py, in any import mode
from eis_synthetic import (  # noqa: E402
    A_B,
    A_GB,
    AREA,
    D_CM,
    DIAM_CM,
    EA_B,
    EA_GB,
    F_HZ,
    PELLET,
    T_C,
    noisy,
    sigma_arrhenius,
    synthetic_series,
)


def test_series_comes_back_in_temperature_order_with_neighbour_starts():
    spectra, _ = synthetic_series()
    fits = fit_series(spectra[::-1], circuit=PELLET)
    assert [f.temperature_c for f in fits] == list(T_C)
    assert all(f.success for f in fits)


def test_conductivities_and_activation_energies_of_a_synthetic_pellet():
    """Ea_bulk = 0.35 eV and Ea_gb = 0.55 eV (sigma T form) are recovered within 3 standard errors."""
    spectra, truth = synthetic_series()
    cs = conductivity_series(spectra, thickness_cm=D_CM, diameter_cm=DIAM_CM, circuit=PELLET)
    assert cs.bulk_param == "R1" and cs.gb_param == "R2"  # told apart by capacitance
    tk = T_C + 273.15
    np.testing.assert_allclose(cs.sigma_bulk_S_per_cm, sigma_arrhenius(tk, EA_B, A_B), rtol=0.05)
    np.testing.assert_allclose(cs.sigma_gb_S_per_cm, sigma_arrhenius(tk, EA_GB, A_GB), rtol=0.05)
    r_tot = truth[:, 0] + truth[:, 3]
    np.testing.assert_allclose(cs.sigma_total_S_per_cm, D_CM / (r_tot * AREA), rtol=0.03)
    for key, ea in (("bulk", EA_B), ("gb", EA_GB)):
        fit = cs.arrhenius[key]
        assert abs(fit.ea_ev - ea) < 3 * fit.ea_se_ev + 0.005, key
    d = cs.to_dict()
    assert d["temperatures_K"][0] == pytest.approx(298.15)
    assert len(d["sigma_gb_S_per_cm_err"]) == 6 and d["ea_total_eV"] > EA_B
    back = type(cs).from_json(cs.to_json())
    np.testing.assert_array_equal(back.sigma_bulk_S_per_cm, cs.sigma_bulk_S_per_cm)
    assert back.arrhenius["bulk"].ea_ev == cs.arrhenius["bulk"].ea_ev
    assert back.fits[0].params == cs.fits[0].params and back.failures == cs.failures


def test_global_fit_shares_cpe_exponents_across_the_series():
    spectra, _ = synthetic_series(seed=3)
    shared = ["CPE1_n", "CPE2_n", "CPE3_n"]
    fits = fit_series(spectra, circuit=PELLET, shared=shared)
    for name, true_n in zip(shared, (0.95, 0.85, 0.8), strict=True):
        vals = {f.values[name] for f in fits}
        assert len(vals) == 1
        assert vals.pop() == pytest.approx(true_n, abs=0.01)
    assert all(f.success for f in fits)


def test_a_bad_spectrum_in_a_series_is_reported_and_the_rest_go_on():
    spectra, _ = synthetic_series()
    bad = make_spectrum(F_HZ[:3], [1.0, 2.0, 3.0], [-1.0, -1.0, -1.0], source="bad.csv", temperature_c=60.0)
    cs = conductivity_series(spectra + [bad], thickness_cm=D_CM, area_cm2=AREA, circuit=PELLET)
    assert any("bad.csv" in s for s, _ in cs.failures)
    assert np.isfinite(cs.sigma_bulk_S_per_cm).sum() == 6
    assert "bulk" in cs.arrhenius


def test_geometry_must_be_given_once():
    spectra, _ = synthetic_series()
    with pytest.raises(InputError, match="exactly one"):
        conductivity_series(spectra, thickness_cm=0.1, diameter_cm=1.0, area_cm2=0.8)
    with pytest.raises(InputError, match="temperature"):
        fit_series(spectra, temperatures_c=[25.0])


def test_tortuosity_of_hlushkou_2018_composite_r17():
    """LPSI (0.7 mS/cm), 62 vol% SE, tau = 1.6 by EIS (Hlushkou et al. 2018, in Falco 2019):
    a de Levie line with R_ion = d / (A eps sigma / tau) fitted back gives tau = 1.6."""
    eps, sigma, tau_true, d_cm, a_cm2 = 0.62, 0.7e-3, 1.6, 0.01, 1.0
    r_ion = d_cm / (a_cm2 * eps * sigma / tau_true)
    tau, _ = tortuosity_from_r_ion(r_ion, thickness_cm=d_cm, area_cm2=a_cm2, eps=eps, sigma_se_S_per_cm=sigma)
    assert tau == pytest.approx(1.6, rel=1e-12)
    f = np.logspace(-2, 5, 50)
    z = noisy(parse_circuit("TLM0").impedance([2.0, r_ion, 1e-4], f), np.random.default_rng(0), 0.005)
    fit = fit_circuit(f, z, circuit="TLM0", p0=[1.0, 10.0, 1e-5])
    tau_fit, tau_err = tortuosity_from_r_ion(fit.values["TLM0_Rion"], thickness_cm=d_cm, area_cm2=a_cm2,
                                             eps=eps, sigma_se_S_per_cm=sigma,
                                             r_ion_err_ohm=fit.stderr["TLM0_Rion"])
    assert abs(tau_fit - 1.6) < 3 * tau_err + 0.01
    with pytest.raises(InputError):
        tortuosity_from_r_ion(10.0, thickness_cm=0.01, area_cm2=1.0, eps=1.5, sigma_se_S_per_cm=1e-3)


@pytest.mark.external
def test_real_pellet_series_gives_rising_sigma_and_plausible_activation_energies(reference_dir):
    """s04147, 140-200 degC, 0.8 cm x 0.21 cm (Adediwura et al. 2024): fits converge,
    sigma rises with T, and Ea lies in 0.2-1.2 eV for bulk, grain boundary and total."""
    from ssbkit.impedance.readers import read_spectra

    files = sorted((reference_dir / "eis" / "pellet-series").glob("*.txt"))
    spectra = [s for p in files for s in read_spectra(p)]
    cs = conductivity_series(spectra, thickness_cm=0.21, diameter_cm=0.8)
    assert all(f.success for f in cs.fits) and not cs.failures
    assert max(f.rms_relative for f in cs.fits) < 0.03
    assert list(cs.temperatures_c) == [140, 150, 160, 170, 180, 190, 200]
    for key in ("bulk", "gb", "total"):
        s = getattr(cs, f"sigma_{key}_S_per_cm")
        assert np.all(np.diff(s) > 0), key
        assert 0.2 < cs.arrhenius[key].ea_ev < 1.2, key
    # total = series of bulk and grain boundary
    np.testing.assert_allclose(1 / cs.sigma_total_S_per_cm,
                               1 / cs.sigma_bulk_S_per_cm + 1 / cs.sigma_gb_S_per_cm, rtol=1e-9)
