"""``ssbkit cell cycling FILE...``: every format, notes printed, exit 0 / 3 (partial) / 2 (none read)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "fixtures" / "cycling"


def _run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2]) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "ssbkit.cli", "cell", "cycling", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_cli_reads_good_files_reports_bad_ones_and_exits_3(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,voltage_V,current_A\n0,3.7,0.001\n60,nan,0.001\n")
    r = _run(FIX / "neware_regular_3cycles.csv", FIX / "neware_ndc17.ndax", bad, tmp_path / "missing.mpr",
             cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "neware-regular" in r.stdout and "neware-ndax" in r.stdout
    assert "largest difference 0.018 %" in r.stdout  # vs the Neware cycle layer
    assert "note: no active mass given" in r.stdout
    assert "bad.csv: line 3: voltage_V is 'nan'" in r.stderr and "missing.mpr" in r.stderr
    assert "2 of 4 file(s) read, 2 failed" in r.stderr


def _invoke(*args):
    from typer.testing import CliRunner

    from ssbkit.cli import app

    return CliRunner().invoke(app, ["cell", "cycling", *map(str, args)])


def test_cli_exit_2_when_nothing_was_read_and_json_when_all_were(tmp_path):
    r = _invoke(tmp_path / "missing.csv")
    assert r.exit_code == 2 and "does not exist" in r.output
    r = _invoke(FIX / "neware_regular_3cycles.csv", "--json", "--mass-mg", "2.5")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    s = out["summaries"][0]
    assert s["discharge_mAh_per_g"][0] == pytest.approx(s["discharge_mAh"][0] / 2.5e-3)
    assert out["failures"] == []


def test_cli_column_map(tmp_path):
    p = tmp_path / "g.csv"
    rows = ["Zeit,U,I"] + [f"{60 * k},3.7,{2.0 if k < 31 else -2.0}" for k in range(62)] + ["3720,3.7,0"]
    p.write_text("\n".join(rows) + "\n")
    r = _invoke(p, "--column", "time_s=Zeit", "--column", "voltage_V=U", "--column", "current_mA=I")
    assert r.exit_code == 0, r.output
    assert "(csv, 63 points)" in r.stdout
    r = _invoke(p, "--column", "time_s")
    assert "KEY=NAME" in str(r.exception)  # the entry point prints it and exits 2
