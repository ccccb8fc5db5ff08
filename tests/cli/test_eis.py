"""``ssbkit eis`` commands against synthetic files with known answers, and the real pellet series."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ssbkit.cli.eis import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "impedance"))  # eis_synthetic.py
from eis_synthetic import AREA, D_CM, DIAM_CM, EA_B, EA_GB, synthetic_series  # noqa: E402

runner = CliRunner()


def _write_series(folder, seed=0):
    spectra, truth = synthetic_series(seed)
    paths = []
    for s in spectra:
        p = folder / f"pellet_{s.temperature_c:g}C.csv"
        np.savetxt(p, np.c_[s.frequency_hz, s.z_ohm.real, s.z_ohm.imag], delimiter=",")
        paths.append(str(p))
    return paths, truth


def test_fit_json_recovers_the_synthetic_resistances(tmp_path):
    paths, truth = _write_series(tmp_path)
    res = runner.invoke(app, ["fit", *paths[:2], "--circuit", "p(R1,CPE1)-p(R2,CPE2)-CPE3", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [f["success"] for f in doc["fits"]] == [True, True]
    r1 = [f["parameters"]["R1"]["value"] for f in doc["fits"]]
    np.testing.assert_allclose(sorted(r1), sorted(truth[:2, 0]), rtol=0.05)


def test_fit_batch_goes_on_past_a_bad_file_and_reports_it(tmp_path):
    paths, _ = _write_series(tmp_path)
    bad = tmp_path / "garbage_30C.csv"
    bad.write_bytes(b"\x00\x01\x02garbage\xff" * 20)
    res = runner.invoke(app, ["fit", str(bad), paths[0], "--json", "--figures", str(tmp_path / "figs")])
    assert res.exit_code == 3, res.output  # partial success: the bad file is reported, the rest fitted
    doc = json.loads(res.stdout)
    assert len(doc["fits"]) == 1 and doc["fits"][0]["success"]
    assert doc["failures"] and "garbage_30C.csv" in doc["failures"][0]["source"]
    assert (tmp_path / "figs").is_dir() and any((tmp_path / "figs").iterdir())


def test_unknown_element_is_a_one_line_error_with_exit_code_2(tmp_path):
    paths, _ = _write_series(tmp_path)
    res = runner.invoke(app, ["fit", paths[0], "--circuit", "R0-p(R1,CPX1)"])
    assert res.exit_code == 2
    assert "did you mean 'CPE'" in res.output and "Traceback" not in res.output


def test_conductivity_one_command_gives_activation_energies(tmp_path):
    """Temperatures read from the file names; Ea_bulk 0.35 eV and Ea_gb 0.55 eV come back."""
    paths, _ = _write_series(tmp_path)
    res = runner.invoke(app, ["conductivity", *paths, "--thickness-cm", str(D_CM), "--diameter-cm",
                              str(DIAM_CM), "--json", "--figures", str(tmp_path / "figs")])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["temperatures_C"] == [25, 40, 55, 70, 85, 100]
    assert doc["ea_bulk_eV"] == pytest.approx(EA_B, abs=0.02)
    assert doc["ea_gb_eV"] == pytest.approx(EA_GB, abs=0.02)
    assert (tmp_path / "figs" / "arrhenius.png").is_file()
    res2 = runner.invoke(app, ["conductivity", *paths, "--thickness-cm", str(D_CM), "--area-cm2", str(AREA)])
    assert res2.exit_code == 0 and "Ea(bulk)" in res2.output


def test_conductivity_needs_one_geometry_and_temperatures(tmp_path):
    paths, _ = _write_series(tmp_path)
    res = runner.invoke(app, ["conductivity", *paths, "--thickness-cm", "0.1"])
    assert res.exit_code == 2 and "diameter" in res.output
    res = runner.invoke(app, ["conductivity", *paths[:2], "--thickness-cm", "0.1", "--diameter-cm", "1",
                              "--temperature-c", "25"])
    assert res.exit_code == 2 and "--temperature-c" in res.output


def test_kk_json_passes_for_a_causal_synthetic_spectrum(tmp_path):
    paths, _ = _write_series(tmp_path)
    res = runner.invoke(app, ["kk", paths[0], "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["kk"][0]["valid"] is True


@pytest.mark.external
def test_real_pellet_series_in_one_command(reference_dir):
    """The issue's "done when": raw files -> bulk, gb, total sigma and Ea in one command."""
    files = sorted(str(p) for p in (reference_dir / "eis" / "pellet-series").glob("*.txt"))
    res = runner.invoke(app, ["conductivity", *files, "--thickness-cm", "0.21", "--diameter-cm", "0.8",
                              "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["temperatures_C"] == [140, 150, 160, 170, 180, 190, 200]
    assert not doc["failures"]
    for key in ("bulk", "gb", "total"):
        s = doc[f"sigma_{key}_S_per_cm"]
        assert all(b > a for a, b in zip(s, s[1:], strict=False)), key
        assert 0.2 < doc[f"ea_{key}_eV"] < 1.2, key


@pytest.mark.parametrize("command", [["fit"], ["kk"], ["read"], ["conductivity", "--thickness-cm", "0.1", "--area-cm2", "1"]])
def test_a_missing_file_is_bad_input_exit_2_with_the_message_on_stderr(command, tmp_path):
    """Issue 9: every eis command says so the same way (exit 2, stderr, nothing on stdout)."""
    import subprocess
    import sys

    missing = str(tmp_path / "nope.csv")
    r = subprocess.run([sys.executable, "-m", "ssbkit.cli", "eis", command[0], missing, *command[1:]],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "nope.csv" in r.stderr and r.stdout == ""
