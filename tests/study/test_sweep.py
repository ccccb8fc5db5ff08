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


def test_failed_variants_are_not_rerun_or_rerecorded_until_retry_failed(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(STUDY)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    kw = dict(out_dir=tmp_path / "o", db_url=db, processes=False)
    vary = ["electrolyte.name=LGPS,NotAnElectrolyte"]
    run_sweep(p, vary, **kw)
    again = run_sweep(p, vary, **kw)
    assert again.ran == 0 and again.skipped == 2
    assert sum(r["status"].startswith("failed") for r in again.rows) == 1
    retried = run_sweep(p, vary, retry_failed=True, **kw)
    assert retried.ran == 1 and retried.failed == 1
    assert len(open_store(db).list(kind="sweep-variant", limit=100)) == 2  # one row per variant


def _sweep_in_process(args):
    study, db, out = args
    from ssbkit.study.sweep import run_sweep as rs

    res = rs(study, ["electrolyte.ea_eV=0.20,0.25,0.30,0.35"], out_dir=out, db_url=db, processes=False,
             n_workers=1)
    return res.ran


def test_the_same_sweep_started_twice_on_one_store_runs_each_variant_once(tmp_path):
    import multiprocessing as mp

    p = tmp_path / "s.toml"
    p.write_text(STUDY)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    open_store(db)
    with mp.get_context("spawn").Pool(2) as pool:
        ran = pool.map(_sweep_in_process, [(str(p), db, str(tmp_path / "o"))] * 2)
    assert sum(ran) == 4
    recs = open_store(db).list(kind="sweep-variant", limit=100)
    assert len(recs) == 4 and {r.status for r in recs} == {"ok"}
