"""``ssbkit md`` sub-commands through typer's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ssbkit.cli.md import app
from ssbkit.errors import InputError

runner = CliRunner()


def _json(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def test_stability_from_an_energy_table(tmp_path):
    """Toy Li-S energies (see test_stability): LiS window 1.0-1.5 V, Li2S below, LiS2 above."""
    csv = tmp_path / "e.csv"
    csv.write_text("name,formula,energy_eV\nLi,Li,0\nS,S,0\nLi2S,Li2S,-3.0\nLiS,LiS,-2.0\nLiS2,LiS2,-2.5\n")
    doc = _json(runner.invoke(app, ["stability", "LiS", "--energies", str(csv), "--json"]))
    assert doc["window"]["reduction_V"] == pytest.approx(1.0)
    assert doc["window"]["oxidation_V"] == pytest.approx(1.5)
    assert doc["window"]["products_oxidation"] == ["LiS2"]
    assert doc["hull"]["stable"] is True
    res = runner.invoke(app, ["stability", "LiSx", "--energies", str(csv)])
    assert isinstance(res.exception, InputError) and "did you mean" in str(res.exception)


def test_units_of_a_written_structure(tmp_path):
    """A PS4 tetrahedron written to extended XYZ and read back: one ortho unit."""
    from ase import Atoms
    from ase.io import write

    tet = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3) * 2.05
    at = Atoms("PS4", positions=np.vstack([[5, 5, 5], 5 + tet]), cell=[20] * 3, pbc=True)
    path = tmp_path / "ps4.extxyz"
    write(path, at)
    doc = _json(runner.invoke(app, ["units", str(path), "--json"]))
    assert doc["ortho_PS4"] == 1 and doc["terminal_S"] == 4


def _cu_poscar(tmp_path):
    from ase.build import bulk
    from ase.io import write

    path = tmp_path / "POSCAR"
    write(path, bulk("Cu", "fcc", a=3.61, cubic=True), format="vasp")
    return path


def test_md_run_writes_trajectories_and_says_why_no_d(tmp_path):
    """EMT Cu, 0.3 ps: frames are written; the crystal's atoms do not diffuse, so no D is reported."""
    out = tmp_path / "out"
    args = ["run", str(_cu_poscar(tmp_path)), "--temperatures", "300,400", "--time-ps", "0.3", "--calculator",
            "emt", "--equilibration-ps", "0", "--frame-interval-fs", "20", "--min-length-A", "7", "--species",
            "Cu", "--out", str(out), "--json"]
    refused = runner.invoke(app, args)  # the plan: 0.3 ps can never be diffusive; nothing is started
    assert isinstance(refused.exception, InputError) and "too short" in str(refused.exception)
    assert "atom-steps/s" in str(refused.exception) and not (out / "md_300K.traj").exists()
    plan = _json(runner.invoke(app, args + ["--plan"]))
    assert plan["too_short_K"] == [300.0, 400.0] and plan["n_atoms"] == 32
    doc = _json(runner.invoke(app, args + ["--allow-short"]))
    assert [r["temperature_K"] for r in doc["runs"]] == [300.0, 400.0]
    assert doc["n_atoms"] == 32 and doc["runs"][0]["n_frames"] == 15
    rows = doc["transport"]["temperatures"]
    assert all(not r["converged"] and r["reasons"] and r["D_cm2_per_s"] is None for r in rows)
    assert (out / "md_300K.traj").is_file()
    bad = runner.invoke(app, ["run", str(tmp_path / "nope.cif"), "-T", "300", "--time-ps", "1"])
    assert isinstance(bad.exception, InputError)
    bad = runner.invoke(app, ["run", str(_cu_poscar(tmp_path)), "-T", "300,abc", "--time-ps", "1"])
    assert isinstance(bad.exception, InputError) and "comma" in str(bad.exception)


def test_campaign_from_a_toml_file(tmp_path):
    """Two temperatures of EMT Cu on an in-process local cluster; a missing structure is stored as failed."""
    poscar = _cu_poscar(tmp_path)
    cfg = tmp_path / "camp.toml"
    cfg.write_text(f"""
group = "cli-test"
temperatures_K = [300.0, 400.0]
[structures]
Cu = "{poscar.name}"
missing = "nope.cif"
[settings]
calculator = "emt"
time_ps = 0.2
equilibration_ps = 0.0
frame_interval_fs = 20.0
min_length_A = 7.0
species = "Cu"
""")
    doc = _json(runner.invoke(app, ["campaign", str(cfg), "--no-processes", "--json"]))
    assert doc["campaign"]["n_ok"] == 2 and doc["campaign"]["n_failed"] == 2
    failed = [t for t in doc["tasks"] if t["status"] == "failed"]
    assert all("nope.cif" in t["message"] for t in failed)
    again = _json(runner.invoke(app, ["campaign", str(cfg), "--no-processes", "--json"]))
    assert again["campaign"]["n_skipped"] == 4


def test_stability_out_of_the_box_uses_the_bundled_phases():
    """``ssbkit md stability Li3PS4``: no competing phases given; the window is the bundled CHGNet one
    (the same numbers as ssbkit.atomistic.windows.stability_window) with Zhu 2015's beside it."""
    pytest.importorskip("pymatgen")
    from ssbkit.atomistic.windows import stability_window

    ref = stability_window("Li3PS4")
    doc = _json(runner.invoke(app, ["stability", "Li3PS4", "--json"]))
    assert doc["reduction_V"] == pytest.approx(ref.reduction_V)
    assert doc["oxidation_V"] == pytest.approx(ref.oxidation_V)
    assert doc["published"]["source"] == "Zhu2015"
    assert doc["model"]["backend"] == "chgnet"
    text = runner.invoke(app, ["stability", "Na3PS4"])
    assert text.exit_code == 0, text.output
    assert "window vs Na/Na+" in text.output and "chgnet" in text.output
