"""The ``[impedance]`` study table against a synthetic pellet with known Ea (and the real series)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.study.section import StudyContext
from ssbkit.study.sections.impedance import SCHEMA, run_section

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "impedance"))  # eis_synthetic.py
from eis_synthetic import D_CM, DIAM_CM, EA_B, EA_GB, synthetic_series  # noqa: E402


def _cfg(**kw):
    cfg = {k: (None if spec.required else spec.default) for k, spec in SCHEMA.items()}
    cfg.update(kw)
    return cfg


def _files(folder):
    spectra, _ = synthetic_series()
    names = []
    for s in spectra:
        name = f"pellet_{s.temperature_c:g}C.csv"
        np.savetxt(folder / name, np.c_[s.frequency_hz, s.z_ohm.real, s.z_ohm.imag], delimiter=",")
        names.append(name)
    return names


def test_section_gives_the_contract_keys_and_the_known_activation_energies(tmp_path):
    names = _files(tmp_path)
    ctx = StudyContext(study={"_base_dir": str(tmp_path)}, out_dir=tmp_path)
    sec = run_section(_cfg(files=names, thickness_cm=D_CM, diameter_cm=DIAM_CM), ctx)
    r = sec.results
    for key in ("temperatures_K", "sigma_bulk_S_per_cm", "sigma_gb_S_per_cm", "sigma_total_S_per_cm",
                "sigma_bulk_S_per_cm_err", "sigma_gb_S_per_cm_err", "sigma_total_S_per_cm_err"):
        assert len(r[key]) == 6, key
    assert r["temperatures_K"][0] == pytest.approx(298.15)
    assert r["ea_bulk_eV"] == pytest.approx(EA_B, abs=0.02)
    assert r["ea_gb_eV"] == pytest.approx(EA_GB, abs=0.02)
    assert "<img" in sec.html and "Ea / eV" in sec.html
    assert sec.references and not sec.warnings


def test_section_accepts_globs_and_reports_unreadable_files(tmp_path):
    _files(tmp_path)
    (tmp_path / "pellet_30C_broken.csv").write_text("this is not a spectrum\n")
    ctx = StudyContext(study={"_base_dir": str(tmp_path)}, out_dir=tmp_path)
    sec = run_section(_cfg(files=["pellet_*.csv"], thickness_cm=D_CM, area_cm2=0.785), ctx)
    assert any("pellet_30C_broken.csv" in w for w in sec.warnings)
    assert len(sec.results["sigma_total_S_per_cm"]) == 6


def test_section_rejects_missing_files_and_double_geometry(tmp_path):
    ctx = StudyContext(study={"_base_dir": str(tmp_path)}, out_dir=tmp_path)
    with pytest.raises(InputError, match="matches no file"):
        run_section(_cfg(files=["nope.csv"], thickness_cm=0.1, diameter_cm=1.0), ctx)
    with pytest.raises(InputError, match="exactly one"):
        run_section(_cfg(files=["nope.csv"], thickness_cm=0.1), ctx)


@pytest.mark.external
def test_section_on_the_real_pellet_series(reference_dir, tmp_path):
    """Adediwura et al. 2024 pellet (0.8 cm, 0.21 cm): Ea of total conductivity in 0.2-1.2 eV."""
    ctx = StudyContext(study={"_base_dir": str(reference_dir / "eis")}, out_dir=tmp_path)
    sec = run_section(_cfg(files=["pellet-series/*.txt"], thickness_cm=0.21, diameter_cm=0.8,
                           shared=["CPE1_n", "CPE2_n", "CPE3_n"]), ctx)
    assert not sec.warnings
    assert 0.2 < sec.results["ea_total_eV"] < 1.2
    assert np.all(np.diff(sec.results["sigma_total_S_per_cm"]) > 0)
    # the real spectra are KK-valid (Lin-KK and Z-HIT); so the section raises no warning
    v = sec.results["validity"]
    assert len(v) == 7 and all(x["kk_valid"] and x["zhit_valid"] for x in v)
