"""Sweeps on Dask: each variant stored at once; an interrupted sweep resumes."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("distributed")

from ssbkit.store import open_store  # noqa: E402
from ssbkit.study.sweep import expand_grid, parse_vary, run_sweep  # noqa: E402

STUDY = """
[study]
name = "sweep test"
[electrolyte]
name = "LGPS"
report_temperatures_c = [25.0]
"""


def test_parse_vary_and_grid():
    v = parse_vary(["electrolyte.ea_eV=0.2,0.3", "electrolyte.name=LGPS,Li3YCl6"])
    assert v["electrolyte.ea_eV"] == [0.2, 0.3]
    assert len(expand_grid(v)) == 4


def test_interrupted_sweep_resumes_nothing_lost_nothing_run_twice(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(STUDY)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    vary = ["electrolyte.ea_eV=0.20,0.25,0.30,0.35"]
    kw = dict(out_dir=tmp_path / "o", db_url=db, processes=False, n_workers=2)
    first = run_sweep(p, vary, stop_after=2, **kw)
    assert first.ran == 2
    second = run_sweep(p, vary, **kw)
    assert second.skipped == 2 and second.ran == 2
    third = run_sweep(p, vary, **kw)
    assert third.ran == 0 and third.skipped == 4
    recs = open_store(db).list(kind="sweep-variant", limit=100)
    keys = [r.key for r in recs if r.status == "ok"]
    assert len(keys) == len(set(keys)) == 4
    # LGPS: 1.2e-2 S/cm at 27 C (Kamaya 2011); each variant's Ea carries it to 25 C (sigma T form)
    k = 8.617333262e-5
    for r in recs:
        ea = r.inputs["assignments"]["electrolyte.ea_eV"]
        expected = 1.2e-2 * 300.15 / 298.15 * math.exp(-ea / k * (1 / 298.15 - 1 / 300.15))
        assert r.outputs["results"]["electrolyte"]["sigma_25C_S_per_cm"] == pytest.approx(expected, rel=1e-9)


def test_a_failing_variant_is_recorded_and_the_sweep_goes_on(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(STUDY)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    res = run_sweep(p, ["electrolyte.name=LGPS,NotAnElectrolyte"], out_dir=tmp_path / "o", db_url=db,
                    processes=False)
    status = {r["assignments"]["electrolyte.name"]: r["status"] for r in res.rows}
    assert status == {"LGPS": "ok", "NotAnElectrolyte": "failed"}
    failed = [r for r in open_store(db).list(kind="sweep-variant") if r.status == "failed"]
    assert "NotAnElectrolyte" in failed[0].message
