"""`ssbkit batch | dsc | anneal`: JSON keys with units, figures, exit codes 2 (bad input) and 3 (partial)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ssbkit.cli import app

runner = CliRunner()
FIX = Path(__file__).resolve().parents[1] / "processing" / "fixtures"


def _jmak_csv(tmp_path, beta, *, ea=250e3, tp_ref=260.0, n=3.0):
    """Non-isothermal JMAK scan (first-order Kissinger peak at tp_ref for 10 K/min)."""
    from scipy.integrate import cumulative_trapezoid

    r = 8.314462618
    tk_ref = tp_ref + 273.15
    ln_a = ea / (r * tk_ref) + np.log(ea * (10 / 60) / (r * tk_ref ** 2))
    tk = np.arange(150.0, 400.0, 0.2) + 273.15
    integral = cumulative_trapezoid(np.exp(ln_a - ea / (r * tk)), tk, initial=0) / (beta / 60)
    x = 1 - np.exp(-integral ** n)
    q = 0.05 + 2e-4 * (tk - 273.15) + 60.0 * (beta / 60) * np.gradient(x, tk)
    p = tmp_path / f"scan_{beta:g}K.csv"
    p.write_text("Time (min),Temperature (°C),Heat Flow (W/g)\n" + "\n".join(
        f"{(a - tk[0]) / beta:.5f},{a - 273.15:.4f},{b:.8f}" for a, b in zip(tk, q, strict=True)))
    return p


def test_batch_json_gives_masses_with_units(tmp_path):
    r = runner.invoke(app, ["batch", "Li6PS5Cl", "--mass-g", "1", "--precursors", "Li2S,P2S5,LiCl", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    masses = {line["formula"]: line["weigh_g"] for line in d["lines"]}
    m = {"Li2S": 2 * 6.94 + 32.06, "P2S5": 2 * 30.973762 + 5 * 32.06, "LiCl": 6.94 + 35.45}
    tot = 2.5 * m["Li2S"] + 0.5 * m["P2S5"] + m["LiCl"]
    assert masses["Li2S"] == pytest.approx(2.5 * m["Li2S"] / tot, rel=2e-4)
    assert d["batch_mass_g"] == 1.0


def test_batch_with_a_milling_file_adds_the_dose(tmp_path):
    mill = tmp_path / "mill.toml"
    mill.write_text('[milling]\nmill = "P7"\njar_material = "zirconia"\nball_material = "zirconia"\n'
                    "ball_diameter_mm = 10.0\nn_balls = 10\npowder_mass_g = 1.0\nrpm = 400.0\ntime_h = 10.0\n"
                    "disc_radius_mm = 70.0\nvial_radius_mm = 22.5\n")
    r = runner.invoke(app, ["batch", "70Li2S-30P2S5", "--mass-g", "1", "--milling", str(mill), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["milling"]["hit_frequency_Hz"] == pytest.approx(200.0)


def test_dsc_several_rates_json_and_figures(tmp_path):
    files = [str(_jmak_csv(tmp_path, b)) for b in (5.0, 7.0, 10.0)]
    r = runner.invoke(app, ["dsc", *files, "--json", "--figures", str(tmp_path / "fig")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["kinetics"]["ea_kissinger_kJ_per_mol"] == pytest.approx(250.0, rel=0.01)
    assert d["kinetics"]["avrami_n"] == pytest.approx(3.0, rel=0.05)
    assert {"tg_onset_C", "tc_onset_C", "tc_peak_C", "crystallization_enthalpy_J_per_g"} <= set(d["files"][0])
    assert (tmp_path / "fig" / "kissinger.png").is_file() and len(d["figures"]) == 5


def test_dsc_real_export_text_output():
    r = runner.invoke(app, ["dsc", str(FIX / "fsri_pmma_dsc_n2_10K_1.csv"), "--exo", "down",
                            "--tg-window", "60,200", "--tc-window", "250,450"])
    assert r.exit_code == 0, r.output
    tg = re.search(r"Tg onset/mid/end ([\d.]+) / ([\d.]+) / ([\d.]+) degC", r.stdout)
    assert tg and 100.0 <= float(tg[1]) < float(tg[2]) < float(tg[3]) <= 135.0  # PMMA Tg, Wunderlich


def test_anneal_json_with_the_mizuno_window(tmp_path):
    series = tmp_path / "series.csv"
    series.write_text("treatment_C,phase\nnone,glass\n240,glass-ceramic (Li7P3S11)\n360,glass-ceramic (Li7P3S11)\n"
                      "550,thio-LISICON + Li4P2S6\n")
    r = runner.invoke(app, ["anneal", "--sigma-glass", "5.4e-5", "--sigma-crystal", "3.2e-3", "--ea", "250",
                            "--tc-peak", "240", "--heating-rate", "10", "--n", "3", "--series", str(series),
                            "--wanted", "Li7P3S11", "--sigma-unwanted", "1e-8", "--at", "550,2", "--json",
                            "--figure", str(tmp_path / "map.png")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["recommendation"]["recommended_T_C"] < 360.0
    assert d["recommendation"]["sigma_25C_S_per_cm"] == pytest.approx(3.2e-3, rel=0.01)
    assert d["at"]["sigma_25C_S_per_cm"] == pytest.approx(1e-8, rel=1e-3)
    assert (tmp_path / "map.png").is_file()


def test_anneal_ramp_predicts_a_heated_up_to_treatment():
    """``--ramp 10 --times 0``: heating at the DTA's rate up to its peak and no hold leaves
    x = 1 - exp(-(1 - 2 R Tp / Ea)^n) ~ 0.59 (test_jmak_program), not the isothermal 0."""
    r = runner.invoke(app, ["anneal", "--sigma-glass", "5.4e-5", "--sigma-crystal", "3.2e-3", "--ea", "250",
                            "--tc-peak", "240", "--heating-rate", "10", "--n", "3", "--ramp", "10",
                            "--temperatures", "200,300,20", "--times", "0,1", "--at", "240,0", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    y = 250e3 / (8.314462618 * 513.15)
    assert d["at"]["crystallized_fraction"] == pytest.approx(1 - math.exp(-(1 - 2 / y + 6 / y ** 2) ** 3), abs=2e-3)
    assert d["map"]["heating_rate_K_per_min"] == 10.0


def _ssbkit(*args):
    return subprocess.run([sys.executable, "-m", "ssbkit.cli", *args], capture_output=True, text=True)


def test_bad_input_exits_2_with_the_message_on_stderr():
    r = _ssbkit("batch", "Li6PS5Cl", "--mass-g", "1", "--precursors", "Li2S,P2S5")
    assert r.returncode == 2 and "no precursor contains Cl" in r.stderr and r.stdout == ""


def test_partial_failure_of_a_dsc_batch_exits_3(tmp_path):
    good = _jmak_csv(tmp_path, 10.0)
    r = runner.invoke(app, ["dsc", str(good), str(tmp_path / "missing.csv")])
    assert r.exit_code == 3
    assert "missing.csv" in r.output and "Tc onset/peak" in r.stdout
