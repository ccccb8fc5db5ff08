"""The [synthesis] -> [thermal] -> [heat_treatment] chain of a study, and its hand-off to sigma."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.study.config import validate_study, validate_table
from ssbkit.study.pipeline import run_study
from ssbkit.study.section import StudyContext
from ssbkit.study.sections.processing import SCHEMAS, run_section

MILLING = {"mill": "Fritsch P7", "jar_material": "zirconia", "ball_material": "zirconia",
           "ball_diameter_mm": 10.0, "n_balls": 10, "powder_mass_g": 1.0, "rpm": 400.0, "time_h": 10.0,
           "disc_radius_mm": 70.0, "vial_radius_mm": 22.5}


def _scan(tmp_path, beta, ea=250e3, tp_ref=260.0, n=3.0):
    from scipy.integrate import cumulative_trapezoid

    r = 8.314462618
    tk_ref = tp_ref + 273.15
    ln_a = ea / (r * tk_ref) + np.log(ea * (10 / 60) / (r * tk_ref ** 2))
    tk = np.arange(150.0, 400.0, 0.2) + 273.15
    x = 1 - np.exp(-(cumulative_trapezoid(np.exp(ln_a - ea / (r * tk)), tk, initial=0) / (beta / 60)) ** n)
    q = 0.05 + 60.0 * (beta / 60) * np.gradient(x, tk)
    p = tmp_path / f"glass_{beta:g}K.csv"
    p.write_text("Temperature (°C),Heat Flow (W/g)\n" + "\n".join(f"{a - 273.15:.4f},{b:.8f}" for a, b in zip(tk, q, strict=True)))
    return p.name


def _ctx(tmp_path, tables):
    study = {"_base_dir": str(tmp_path)}
    for name, raw in tables.items():
        study[name] = validate_table(name, raw, SCHEMAS[name])
    return StudyContext(study=study, out_dir=tmp_path)


def test_chain_from_precursors_through_kinetics_to_sigma(tmp_path):
    files = [_scan(tmp_path, b) for b in (5.0, 7.0, 10.0)]
    ctx = _ctx(tmp_path, {
        "synthesis": {"target": "70Li2S-30P2S5", "mass_g": 2.0, "milling": MILLING},
        "thermal": {"files": files, "heating_rates_K_per_min": [5.0, 7.0, 10.0]},
        "heat_treatment": {"sigma_glass_S_per_cm": 5.4e-5, "sigma_crystal_S_per_cm": 3.2e-3,
                           "temperature_C": 300.0, "time_h": 2.0,
                           "unwanted": {"name": "thio-LISICON", "onset_C": 360.0, "onset_high_C": 550.0,
                                        "sigma_S_per_cm": 1e-8}},
    })
    for table in ("synthesis", "thermal", "heat_treatment"):
        sec = run_section(ctx.study[table], ctx)
        assert sec.key == table
        ctx.results[sec.key] = sec.results
    th, ht = ctx.results["thermal"], ctx.results["heat_treatment"]
    assert ctx.results["synthesis"]["milling_dose_J_per_g"] > 0
    assert th["kinetics"]["ea_kissinger_kJ_per_mol"] == pytest.approx(250.0, rel=0.01)
    assert ht["avrami_n"] == pytest.approx(3.0, rel=0.05) and ht["kinetics_source"] == "kissinger"
    # 2 h at 300 degC, 40 K above the 10 K/min peak: fully crystallized -> the crystal's sigma
    assert ht["crystallized_fraction"] == pytest.approx(1.0, abs=1e-6)
    assert ht["sigma_25C_S_per_cm"] == pytest.approx(3.2e-3, rel=1e-6)
    assert ht["milling_dose_J_per_g"] == ctx.results["synthesis"]["milling_dose_J_per_g"]
    json.dumps(ht)  # JSON-ready


def test_heat_treatment_below_the_glass_transition_keeps_the_glass(tmp_path):
    ctx = _ctx(tmp_path, {
        "thermal": {"tc_peak_C": 240.0, "heating_rate_K_per_min": 10.0, "tg_C": 210.0},
        "heat_treatment": {"sigma_glass_S_per_cm": 5.4e-5, "sigma_crystal_S_per_cm": 3.2e-3,
                           "ea_kJ_per_mol": 250.0, "avrami_n": 3.0, "temperature_C": 150.0, "time_h": 1.0},
    })
    ctx.results["thermal"] = run_section(ctx.study["thermal"], ctx).results
    sec = run_section(ctx.study["heat_treatment"], ctx)
    assert sec.results["sigma_25C_S_per_cm"] == pytest.approx(5.4e-5, rel=1e-3)
    assert any("one scan" in w for w in sec.warnings)


def test_missing_kinetics_is_a_clear_error(tmp_path):
    ctx = _ctx(tmp_path, {"heat_treatment": {"sigma_glass_S_per_cm": 5.4e-5, "sigma_crystal_S_per_cm": 3.2e-3}})
    with pytest.raises(InputError, match="ea_kJ_per_mol and avrami_n"):
        run_section(ctx.study["heat_treatment"], ctx)


def test_study_runs_the_three_tables_before_the_electrolyte(tmp_path):
    raw = {
        "study": {"name": "LPS glass-ceramic"},
        "synthesis": {"target": "70Li2S-30P2S5", "mass_g": 1.0},
        "thermal": {"tc_peak_C": 240.0, "heating_rate_K_per_min": 10.0},
        "heat_treatment": {"sigma_glass_S_per_cm": 5.4e-5, "sigma_crystal_S_per_cm": 3.2e-3,
                           "ea_kJ_per_mol": 250.0, "avrami_n": 3.0, "temperatures_C": [180.0, 400.0, 20.0],
                           "times_h": [0.5, 2.0]},
        "electrolyte": {"name": "Li7P3S11"},
    }
    res = run_study(validate_study(raw, base_dir=tmp_path), tmp_path / "out", record=False)
    assert list(res.status)[:4] == ["synthesis", "thermal", "heat_treatment", "electrolyte"]
    assert res.status["heat_treatment"] == "ok"
    sigma = res.results["sections"]["heat_treatment"]["results"]["sigma_25C_S_per_cm"]
    assert sigma == pytest.approx(3.2e-3, rel=0.02)
    assert "From precursors to σ" in res.report_path.read_text(encoding="utf-8")
