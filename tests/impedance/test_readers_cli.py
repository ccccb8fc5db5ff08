"""``ssbkit eis read`` / ``formats`` and the ``--format`` option of the eis commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from ssbkit.cli.eis import app

FIX = Path(__file__).parent / "fixtures"
PEER = FIX / "pyimpspec"


def _cli(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by default
        runner = CliRunner()
    r = runner.invoke(app, list(args))
    r.returncode = r.exit_code
    return r


def test_read_json_gives_every_new_format_with_notes():
    """One call over Ivium .ids (2 spectra), PalmSens, Gamry drift (2), .dfr, .xlsx (4
    sheets): 10 spectra; the 10 kHz point of each is pyimpspec's 109.009 - 26.556j ohm."""
    files = ["data.ids", "data.pssession", "drift-corrected-data.dta", "data.dfr", "data.xlsx"]
    r = _cli("read", "--json", *(str(PEER / f) for f in files))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["spectra"]) == 10 and doc["failures"] == []
    for d in doc["spectra"]:
        if "drift" in d["source"]:
            continue
        i = int(np.argmin(np.abs(np.array(d["frequency_hz"]) - 1e4)))
        assert d["z_real_ohm"][i] == 109.00918219439028 or abs(d["z_real_ohm"][i] - 109.009) < 1e-2
        assert abs(d["z_imag_ohm"][i] + 26.5557) < 1e-2
    pss = next(d for d in doc["spectra"] if d["source"].endswith("pssession"))
    assert any("holds -Z''" in n for n in pss["notes"])


def test_kk_reads_with_a_forced_format_and_prints_notes():
    r = _cli("kk", str(PEER / "data.mpt"), "--format", "biologic")
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout
    assert "note:" in r.stderr and "-Im(Z)/Ohm" in r.stderr


def test_unknown_format_is_a_usage_error_listing_the_formats():
    r = _cli("kk", str(PEER / "data.mpt"), "--format", "nosuch")
    assert r.returncode == 2
    assert "not a known impedance format" in r.stderr and "ivium" in r.stderr


def test_read_reports_a_bad_file_and_goes_on():
    r = _cli("read", str(FIX / "broken_nan.csv"), str(PEER / "data.i2b"))
    assert r.returncode == 3  # partial success: one file read, one failed
    assert "data.i2b: i2b, 29 points" in r.stdout
    assert "broken_nan.csv, line 7: not a finite number" in r.stderr


def test_formats_lists_the_registry():
    r = _cli("formats")
    assert r.returncode == 0
    for name in ("ivium", "palmsens", "dfr", "spreadsheet", "biologic-mpr", "zplot"):
        assert name in r.stdout
