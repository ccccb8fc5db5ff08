"""The [cathode] study section: fixed keys, results, fallbacks, HTML."""

from __future__ import annotations

import json

import pytest

from ssbkit.errors import InputError
from ssbkit.study.section import StudyContext
from ssbkit.study.sections.microstructure import MICROSTRUCTURE_SCHEMA, SCHEMA, run_section

ARCHITECTURE_KEYS = {
    "active_material", "mass_fractions", "volume_fractions", "densities_g_cm3", "porosity", "thickness_um",
    "loading_mg_cm2", "active_particle_diameter_um", "electrolyte_particle_diameter_um",
    "carbon_particle_diameter_um", "microstructure",
}


def _cfg(**micro):
    cfg = {k: spec.default for k, spec in SCHEMA.items()}
    cfg["mass_fractions"] = {"active": 0.377, "electrolyte": 0.566, "carbon": 0.057, "binder": 0.0}
    cfg["active_particle_diameter_um"] = 4.0
    cfg["microstructure"] = {"enabled": True, "box_um": 14.0, "voxel_um": 0.5, "seed": 1} | micro
    return cfg


def _ctx(tmp_path, sigma=None):
    results = {"electrolyte": {"sigma_25C_S_per_cm": sigma}} if sigma else {}
    return StudyContext(study={"_base_dir": str(tmp_path)}, out_dir=tmp_path, results=results)


def test_schema_keys_are_those_fixed_in_the_architecture():
    assert set(SCHEMA) == ARCHITECTURE_KEYS
    assert set(MICROSTRUCTURE_SCHEMA) == {"enabled", "box_um", "voxel_um", "seed", "converge"}


def test_section_uses_the_electrolyte_conductivity_and_returns_the_shared_keys(tmp_path):
    """sigma_SE comes from [electrolyte]: doubling it doubles sigma_eff,ion (linear conduction) and leaves
    the tortuosity of the same microstructure unchanged."""
    sec = run_section(_cfg(), _ctx(tmp_path, sigma=2.2e-3))
    r = sec.results
    for key in ("eps_se", "tortuosity_ion", "sigma_eff_ion_S_per_cm", "sigma_eff_e_S_per_cm", "utilisation",
                "specific_area_am_se_per_um", "contact_area_am_se_cm2_per_cm2"):
        assert r[key] is not None, key
    assert r["method"] == "voxel solver"
    assert r["sigma_se_S_per_cm"] == 2.2e-3
    r2 = run_section(_cfg(), _ctx(tmp_path / "x2", sigma=4.4e-3)).results
    assert r2["sigma_eff_ion_S_per_cm"] == pytest.approx(2 * r["sigma_eff_ion_S_per_cm"], rel=1e-6)
    assert r2["tortuosity_ion"] == pytest.approx(r["tortuosity_ion"], rel=1e-9)
    assert r["eps_se"] == pytest.approx(0.85 * 0.740, abs=0.01)  # 56.6 wt% SE of 1.9 g/cm3 with LiCoO2 5.05
    assert r["contact_area_am_se_cm2_per_cm2"] == pytest.approx(r["specific_area_am_se_per_um"] * 60.0)
    assert "<img" in sec.html and "Bruggeman" in sec.html
    assert not any("assumed for the SE" in w for w in sec.warnings)
    assert any("carbon particles of 0.1 um" in w for w in sec.warnings)  # unresolved carbon is reported
    json.dumps(sec.to_dict(), allow_nan=False)


def test_converge_replaces_tau_by_its_zero_voxel_extrapolation(tmp_path):
    """converge = true: the section solves again at half the voxel size; tau falls with the voxel
    size and the reported tau_ion is the Richardson estimate 2 tau_fine - tau_coarse (order 1), with
    sigma_eff recomputed from it; the voxel-size value is kept beside it."""
    plain = run_section(_cfg(), _ctx(tmp_path, sigma=1e-3)).results
    conv = run_section(_cfg(converge=True), _ctx(tmp_path / "c", sigma=1e-3)).results
    coarse, fine = conv["tortuosity_convergence"]["tortuosity"]
    assert coarse == pytest.approx(plain["tortuosity_ion"], rel=1e-3)  # solver tolerances differ
    assert coarse > fine
    assert conv["tortuosity_ion"] == pytest.approx(2 * fine - coarse, rel=1e-9)
    assert conv["tortuosity_ion_voxel"] == pytest.approx(plain["tortuosity_ion"], rel=1e-9)
    assert conv["sigma_eff_ion_S_per_cm"] == pytest.approx(conv["eps_se"] * 1e-3 / conv["tortuosity_ion"])


def test_section_is_a_pure_function_of_its_table(tmp_path):
    """Sweeps rely on it: same table, same numbers."""
    a = run_section(_cfg(), _ctx(tmp_path)).results
    b = run_section(_cfg(), _ctx(tmp_path)).results
    assert a == b
    c = run_section(_cfg(seed=2), _ctx(tmp_path)).results
    assert c["tortuosity_ion"] != a["tortuosity_ion"]


def test_disabled_microstructure_falls_back_to_bruggeman(tmp_path):
    """tau = eps^-0.5 (R-18), sigma_eff = eps^1.5 sigma; no utilisation without a volume."""
    sec = run_section(_cfg(enabled=False), _ctx(tmp_path))
    r = sec.results
    assert r["method"] == "bruggeman"
    assert r["tortuosity_ion"] == pytest.approx(r["eps_se"] ** -0.5)
    assert r["sigma_eff_ion_S_per_cm"] == pytest.approx(r["eps_se"] ** 1.5 * 1e-3)
    assert r["utilisation"] is None
    assert any("assumed for the SE" in w for w in sec.warnings)


def test_unpackable_recipe_is_a_warning_not_a_crash(tmp_path):
    cfg = _cfg()
    cfg["mass_fractions"] = None
    cfg["volume_fractions"] = {"active": 0.95, "electrolyte": 0.05}
    cfg["porosity"] = 0.0
    sec = run_section(cfg, _ctx(tmp_path))
    assert sec.results["method"] == "bruggeman"
    assert any("cannot be packed" in w for w in sec.warnings)


def test_bad_table_raises_input_error(tmp_path):
    cfg = _cfg(voxl_um=0.5)
    with pytest.raises(InputError, match="did you mean 'voxel_um'"):
        run_section(cfg, _ctx(tmp_path))
    cfg = _cfg()
    cfg["volume_fractions"] = {"active": 0.5, "electrolyte": 0.5}
    with pytest.raises(InputError, match="exactly one"):
        run_section(cfg, _ctx(tmp_path))
