"""The study's cell section: energy, rate map from sigma_SE(T) and the microstructure's tortuosity."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.study.config import validate_table
from ssbkit.study.section import StudyContext
from ssbkit.study.sections import cell as study_section
from ssbkit.study.sections.cell import SCHEMA, run_section
from ssbkit.transport import fit_arrhenius

EA_EV = 0.35
K_B = 8.617333262e-5


def _arrhenius_dict():
    """sigma T = A exp(-Ea/kT) through sigma(25 degC) = 1e-3 S/cm with Ea = 0.35 eV (exact data)."""
    t = np.array([273.15, 298.15, 323.15, 353.15])
    a = 1e-3 * 298.15 * np.exp(EA_EV / (K_B * 298.15))
    sigma = a * np.exp(-EA_EV / (K_B * t)) / t
    return fit_arrhenius(t, sigma, form="sigmaT").to_dict()


def _study(tmp_path, **cell):
    study = {
        "cathode": {"active_material": "LiCoO2",
                    "mass_fractions": {"active": 0.7, "electrolyte": 0.27, "carbon": 0.03, "binder": 0.0},
                    "densities_g_cm3": {}, "porosity": 0.15, "thickness_um": 60.0,
                    "active_particle_diameter_um": 5.0, "electrolyte_particle_diameter_um": 1.0,
                    "carbon_particle_diameter_um": 0.1},
        "anode": validate_table("anode", {"material": "Li-In", "excess": 1.0}, SCHEMA["anode"]),
        "separator": validate_table("separator", {"thickness_um": 100.0}, SCHEMA["separator"]),
        "cell": validate_table("cell", {"p2d": False, **cell}, SCHEMA["cell"]),
    }
    ctx = StudyContext(study=study, out_dir=tmp_path)
    ctx.results["electrolyte"] = {"arrhenius": _arrhenius_dict(), "sigma_25C_S_per_cm": 1e-3}
    return study, ctx


def test_section_energy_rate_map_and_sigma_from_arrhenius(tmp_path):
    study, ctx = _study(tmp_path, c_rates=[0.5, 2.0, 10.0], temperatures_c=[0.0, 25.0, 80.0])
    sec = run_section(study["cell"], ctx)
    r = sec.results
    assert r["sigma_se_S_per_cm"] == pytest.approx(1e-3, rel=1e-6)
    # Arrhenius (sigma T form): sigma(80 degC) / sigma(25 degC) = (298.15/353.15) exp(Ea/k (1/298.15 - 1/353.15))
    s = r["rate_map"]["sigma_se_S_per_cm"]
    expect = 298.15 / 353.15 * np.exp(EA_EV / K_B * (1 / 298.15 - 1 / 353.15))
    assert s[2] / s[1] == pytest.approx(expect, rel=1e-6)
    u = np.array(r["rate_map"]["utilisation"])
    assert u.shape == (3, 3)
    assert np.all(np.diff(u, axis=0) >= -1e-12) and np.all(np.diff(u, axis=1) <= 1e-12)
    assert r["np_ratio"] == pytest.approx(2.0)
    assert r["specific_energy_Wh_per_kg"] > 0
    assert "Bruggeman" in r["tortuosity_source"]
    assert sec.html.count("<img") >= 2  # energy breakdown, rate map
    assert any("Kato" in ref for ref in sec.references)


def test_section_uses_microstructure_tortuosity(tmp_path):
    """sigma_eff = sigma_SE eps / tau (R-17) with eps and tau of the microstructure section."""
    study, ctx = _study(tmp_path)
    ctx.results["cathode"] = {"eps_se": 0.35, "tortuosity_ion": 4.0}
    sec = run_section(study["cell"], ctx)
    assert sec.results["rate"]["sigma_eff_cathode_S_per_cm"] == pytest.approx(1e-3 * 0.35 / 4.0)
    assert "microstructure" in sec.results["tortuosity_source"]


def test_section_without_separator_raises_input_error(tmp_path):
    study, ctx = _study(tmp_path)
    del study["separator"]
    with pytest.raises(InputError, match="separator"):
        run_section(study["cell"], ctx)


def test_section_p2d_discharge_curves(tmp_path):
    pytest.importorskip("pybamm")
    study, ctx = _study(tmp_path, p2d=True, p2d_c_rates=[0.5], c_rates=[0.5], temperatures_c=[25.0],
                        interface=False)
    sec = run_section(study["cell"], ctx)
    p2d = sec.results["p2d"][0]
    assert p2d["converged"], p2d["message"]
    # the P2D discharges the whole practical window; the fast model starts from the charge to the
    # (default: no) cut-off, i.e. the same window: within 5 % at 0.5C without an interface term
    fast = sec.results["rate"]["capacity_mAh_per_g"][0]
    assert p2d["capacity_mAh_per_g"] == pytest.approx(fast, rel=0.05)


def test_schema_defaults_are_valid():
    cfg = validate_table("cell", {}, SCHEMA["cell"])
    assert cfg["temperature_c"] == 25.0
    assert study_section.SCHEMA["separator"]["thickness_um"].required


def test_section_shows_the_measurement_beside_the_prediction(tmp_path):
    study, ctx = _study(tmp_path, c_rates=[0.1], temperatures_c=[25.0],
                        measured={"capacity_mAh_per_g": 100.0, "c_rate": 0.1, "reference": "Minami2006"})
    sec = run_section(study["cell"], ctx)
    pred = sec.results["predicted_at_measured_mAh_per_g"]
    assert pred == pytest.approx(sec.results["rate"]["capacity_mAh_per_g"][0])
    assert "Measured 100 mAh/g" in sec.html and "predicted" in sec.html


def test_a_missed_measurement_is_followed_by_what_it_implies(tmp_path):
    """When the prediction misses the measurement by > 5 %, the report solves for the film resistance
    and the diffusivity, each alone; putting the implied film back into the design reproduces the
    measurement (an independent forward run), and a measurement below the prediction implies a film
    above the bundled one."""
    import dataclasses

    from ssbkit.cell.rate import rate_curve

    study, ctx = _study(tmp_path, c_rates=[0.1], temperatures_c=[25.0],
                        measured={"capacity_mAh_per_g": 80.0, "c_rate": 0.1, "reference": "synthetic"})
    sec = run_section(study["cell"], ctx)
    assert sec.results["predicted_at_measured_mAh_per_g"] > 1.05 * 80.0
    implied = {f["parameter"]: f for f in sec.results["implied_by_measurement"]}
    film = implied["film_ohm_cm2"]
    assert film["reachable"] and film["ratio"] > 1.0
    d = sec.results["design"]
    from ssbkit.cell.design import StackDesign

    design = StackDesign.from_dict(d)
    design = dataclasses.replace(design, interface=dataclasses.replace(design.interface,
                                                                       film_ohm_cm2=film["implied_value"]))
    again = rate_curve(design, [0.1], sigma_se_S_per_cm=sec.results["sigma_se_S_per_cm"],
                       sigma_eff_cathode_S_per_cm=sec.results["rate"]["sigma_eff_cathode_S_per_cm"])
    assert again.capacity_mAh_per_g[0] == pytest.approx(80.0, rel=1e-3)
    assert "What the measurement implies" in sec.html


def test_negative_cathode_thickness_is_refused(tmp_path):
    study, ctx = _study(tmp_path)
    study["cathode"]["thickness_um"] = -60.0
    with pytest.raises(InputError, match="thickness_um"):
        run_section(study["cell"], ctx)


def test_uncoated_cell_also_maps_the_coated_variant(tmp_path):
    """Uncoated LiCoO2 vs the sulfide: the interphase film limits at 25 degC and 0.5C; the same
    cell LiNbO3-coated (Ohta 2007, no film) is no longer interface-limited anywhere and keeps
    more capacity at every point of the map."""
    study, ctx = _study(tmp_path, c_rates=[0.05, 0.5], temperatures_c=[25.0, 60.0])
    sec = run_section(study["cell"], ctx)
    bare, coated = sec.results["rate_map"], sec.results["rate_map_LiNbO3_coated"]
    assert bare["limiting"][0][1] == "interface"
    assert all(lim != "interface" for row in coated["limiting"] for lim in row)
    assert np.all(np.array(coated["utilisation"]) >= np.array(bare["utilisation"]) - 1e-9)
    assert "Ohta2007" in sec.references
