"""The `ssbkit` command: main job, arrhenius, materials, results, errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from ssbkit.cli import app
from ssbkit.transport import arrhenius

runner = CliRunner()


def _ssbkit(*args, env=None):
    return subprocess.run([sys.executable, "-m", "ssbkit.cli", *args], capture_output=True, text=True, env=env)


def test_arrhenius_json_recovers_ea_and_sigma_25c(tmp_path):
    tc = np.array([20.0, 40.0, 60.0, 80.0])
    s = arrhenius(tc + 273.15, 3e3, 0.29)
    p = tmp_path / "d.csv"
    p.write_text("temperature_degC,conductivity_S_per_cm\n" + "\n".join(f"{a},{b:.10g}" for a, b in zip(tc, s, strict=True)))
    r = runner.invoke(app, ["arrhenius", str(p), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["fit"]["ea_ev"] == pytest.approx(0.29, rel=1e-6)
    assert d["fit"]["ea_kJ_per_mol"] == pytest.approx(0.29 * 96.485, rel=1e-4)
    assert d["sigma_at"]["sigma_S_per_cm"] == pytest.approx(arrhenius(298.15, 3e3, 0.29), rel=1e-6)


def test_run_small_study_and_results_list(tmp_path):
    st = tmp_path / "s.toml"
    st.write_text('[study]\nname = "cli"\n[electrolyte]\nname = "Li3YCl6"\n')
    db = str(tmp_path / "r.db")
    r = runner.invoke(app, ["run", str(st), "--out", str(tmp_path / "o"), "--db", db])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "report.html").is_file()
    r = runner.invoke(app, ["results", "list", "--db", db, "--json"])
    runs = json.loads(r.output)
    assert runs[0]["name"] == "cli" and runs[0]["status"] == "ok"
    r = runner.invoke(app, ["results", "show", str(runs[0]["id"]), "--db", db])
    assert json.loads(r.output)["inputs"]["electrolyte"]["name"] == "Li3YCl6"


def test_materials_commands():
    r = runner.invoke(app, ["materials", "composition", "99(70Li2S-30P2S5)-1Li2ZrO3", "--json"])
    assert json.loads(r.output)["formula"].startswith("Li140.6")
    r = runner.invoke(app, ["materials", "capacity", "LiCoO2", "--json"])
    assert json.loads(r.output)["capacity_mAh_per_g"] == pytest.approx(274, rel=0.003)
    r = runner.invoke(app, ["materials", "list", "--family", "halide", "--json"])
    assert {row["family"] for row in json.loads(r.output)} == {"halide"}


def test_materials_plot_writes_a_figure(tmp_path):
    out = tmp_path / "map.png"
    r = runner.invoke(app, ["materials", "plot", str(out)])
    assert r.exit_code == 0 and out.stat().st_size > 10_000


@pytest.mark.parametrize(
    "args,needle",
    [
        (["run", "does-not-exist.toml"], "does not exist"),
        (["materials", "composition", "70Xx2S-30P2S5"], "unknown element"),
        (["materials", "list", "--family", "sulfid"], "did you mean 'sulfide'"),
        (["results", "list", "--db", "sqlite:////nonexistent-dir/x/y.db"], "cannot open results database"),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(args, needle):
    r = _ssbkit(*args)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_negative_temperature_in_kelvin_is_rejected(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("T_K,sigma\n300,1e-3\n-10,1e-4\n")
    r = _ssbkit("arrhenius", str(p))
    assert r.returncode == 2 and "above 0 K" in r.stderr


def test_a_failed_section_gives_exit_code_3_and_the_rest_is_written(tmp_path):
    st = tmp_path / "s.toml"
    st.write_text('[study]\nname = "partial"\n[electrolyte]\nname = "Li3YCl6"\n'
                  '[cathode]\nactive_material = "NoSuchOxide"\n'
                  'mass_fractions = { active = 0.7, electrolyte = 0.3, carbon = 0.0, binder = 0.0 }\n'
                  '[cathode.microstructure]\nenabled = false\n')
    r = _ssbkit("run", str(st), "--out", str(tmp_path / "o"), "--no-record")
    assert r.returncode == 3, r.stdout + r.stderr
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    assert res["status"]["electrolyte"] == "ok" and res["status"]["cathode"] == "failed"


def test_version_flag_prints_the_version():
    r = _ssbkit("--version")
    assert r.returncode == 0 and r.stdout.startswith("ssbkit ")
