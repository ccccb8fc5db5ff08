"""The DSC workflow keeps going past a bad file and reports it."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.processing.thermal import DscRun, analyze_dsc_files


def _write(tmp_path, curve, name):
    p = tmp_path / name
    rows = "\n".join(f"{t:.4f},{q:.8f}" for t, q in zip(curve.temperature_C, curve.heat_flow, strict=True))
    p.write_text("Temperature (°C),Heat Flow (W/g)\n" + rows)
    return p


def test_batch_of_scans_gives_kinetics_and_records_the_bad_member(tmp_path, jmak_factory):
    files = [_write(tmp_path, jmak_factory(b)[0], f"scan_{b:g}.csv") for b in (2.0, 5.0, 10.0, 20.0)]
    bad = tmp_path / "broken.csv"
    bad.write_text("Temperature (°C),Heat Flow (W/g)\n100,0.1\n90,0.1\n")
    run = analyze_dsc_files(files + [bad], heating_rates_K_per_min=[2.0, 5.0, 10.0, 20.0, 10.0])
    assert len(run.analyses) == 4 and not run.ok
    assert run.failures[0][0].endswith("broken.csv")
    assert run.kinetics.kissinger.ea_kJ_per_mol == pytest.approx(250.0, rel=0.01)
    s = run.summary()
    assert {"tg_onset_C", "tc_onset_C", "tc_peak_C", "crystallization_enthalpy_J_per_g"} <= set(s["files"][0])
    assert DscRun.from_json(run.to_json()).summary()["kinetics"] == pytest.approx(s["kinetics"])


def test_rates_must_match_the_files(tmp_path, jmak_factory):
    f = _write(tmp_path, jmak_factory(10.0)[0], "a.csv")
    with pytest.raises(InputError, match="one per file"):
        analyze_dsc_files([f, f], heating_rates_K_per_min=[10.0])
