"""Campaigns on Dask: every result stored at once, resume after interruption, failures recorded,
a dead worker's task rerun, and the Arrhenius summary recovering a known activation energy."""

from __future__ import annotations

import math
import os
import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from ssbkit.atomistic.campaign import (  # noqa: E402
    arrhenius_summary,
    build_candidates,
    run_campaign,
    sigma_ea_map,
    summary_table,
)
from ssbkit.errors import InputError  # noqa: E402
from ssbkit.store import open_store  # noqa: E402

K_B_EV = 8.617333262e-5
EA_TRUE = 0.30  # eV, the toy material's activation energy


def toy_task(c: dict) -> dict:
    """sigma T = 1e5 exp(-Ea / k_B T) S K/cm, exactly; logs each completed run."""
    time.sleep(c["settings"].get("sleep", 0.0))
    if c["substitution"] == "bad":
        raise InputError("this substitution cannot be made")
    t = c["temperature_K"]
    sigma = 1e5 / t * math.exp(-EA_TRUE / (K_B_EV * t))
    with open(c["settings"]["log"], "a") as fh:
        fh.write(c["name"] + "\n")
    return {"sigma_S_per_cm": sigma, "sigma_err_S_per_cm": 0.02 * sigma, "converged": True}


DYING_TASK = """
import os
from pathlib import Path


def dying_task(c):
    marker = Path(c["settings"]["marker"])
    with open(c["settings"]["log"], "a") as fh:
        fh.write(c["name"] + "\\n")
    if not marker.exists():
        marker.write_text("died once")
        os._exit(1)  # the worker process dies in the middle of the task
    return {"sigma_S_per_cm": 1e-3, "converged": True}
"""


def cands(tmp_path, **settings):
    return build_candidates({"A": "a.cif", "B": "b.cif"}, [500.0, 600.0, 700.0, 800.0],
                            substitutions={"bad": [("S", "Cl", 1), ("Li", None, 1)]},
                            settings={"log": str(tmp_path / "log.txt"), **settings})


def test_build_candidates_is_the_cross_product(tmp_path):
    c = cands(tmp_path)
    assert len(c) == 2 * 2 * 4
    assert c[0].name == "A/host/500K" and c[-1].moves == (("S", "Cl", 1), ("Li", None, 1))
    with pytest.raises(InputError):
        build_candidates({}, [500.0])


def test_interrupted_campaign_resumes_without_loss_or_rerun(tmp_path):
    """Stop after 3 stored results; the rerun runs only what was not stored; in the end
    every candidate has exactly one record and the bad ones are stored as failed."""
    cs = cands(tmp_path, sleep=0.05)
    seen: list[str] = []

    def stop_after_three(key, rec):
        seen.append(key)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_campaign(cs, group_id="g", task=toy_task, processes=False, on_result=stop_after_three)
    store = open_store()
    first = {r.key for r in store.list(group_id="g", limit=1000) if r.status in ("ok", "failed")}
    assert len(first) >= 3
    log = tmp_path / "log.txt"
    ran_before = log.read_text().splitlines()
    res = run_campaign(cs, group_id="g", task=toy_task, processes=False)
    assert res.n_skipped == len(first) and res.n_ok + res.n_failed + res.n_skipped == 16
    records = store.list(group_id="g", limit=1000)
    assert len(records) == 16 and len({r.key for r in records}) == 16
    stored_names_first = {r.name for r in records if r.key in first}
    ran_after = log.read_text().splitlines()[len(ran_before):]
    assert not set(ran_after) & stored_names_first
    assert sum(r.status == "failed" for r in records) == 8
    assert all("cannot be made" in r.message for r in records if r.status == "failed")
    again = run_campaign(cs, group_id="g", task=toy_task, processes=False)
    assert again.n_skipped == 16 and again.n_ok == 0


def test_summary_recovers_the_activation_energy(tmp_path):
    run_campaign(cands(tmp_path), group_id="s", task=toy_task, processes=False)
    table = summary_table("s")
    assert len(table) == 16
    summ = arrhenius_summary(table)
    host = summ[summ["substitution"] == "host"]
    assert np.allclose(host["Ea_eV"], EA_TRUE, atol=1e-9)
    sig_rt = 1e5 / 300.0 * math.exp(-EA_TRUE / (K_B_EV * 300.0))
    assert np.allclose(host["sigma_RT_S_per_cm"], sig_rt, rtol=1e-6)
    bad = summ[summ["substitution"] == "bad"]
    assert bad["Ea_eV"].isna().all() and (bad["note"] != "").all()
    import pandas as pd

    lit = pd.DataFrame({"sigma_S_per_cm": [1e-3, 1e-4], "Ea_eV": [0.3, 0.4], "sigma_T_C": [25.0, 25.0]})
    fig = sigma_ea_map(summ, dataset=lit)
    assert fig.axes[0].get_yscale() == "log"


def test_dead_worker_task_is_rerun(tmp_path, monkeypatch):
    """A worker process dies in the middle of a task: Dask reruns it, the result is stored.
    The task lives in a module the worker processes can import (PYTHONPATH)."""
    import importlib

    (tmp_path / "ssbkit_dying_task.py").write_text(DYING_TASK)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    dying_task = importlib.import_module("ssbkit_dying_task").dying_task
    c = build_candidates({"A": "a.cif"}, [600.0], settings={"log": str(tmp_path / "log.txt"),
                                                             "marker": str(tmp_path / "marker")})
    res = run_campaign(c, group_id="d", task=dying_task, processes=True, n_workers=1, retries=2)
    assert res.n_ok == 1
    assert len((tmp_path / "log.txt").read_text().splitlines()) == 2  # died once, then ran
    assert open_store().list(group_id="d")[0].status == "ok"


SLOW_TASK = """
import time


def slow_task(c):
    with open(c["settings"]["log"], "a") as fh:
        fh.write(c["name"] + "\\n")
    time.sleep(c["settings"]["sleep"])
    return {"sigma_S_per_cm": 1e-3, "converged": True}
"""

CAMPAIGN = """
import sys
sys.path.insert(0, {here!r})
from ssbkit.atomistic.campaign import build_candidates, run_campaign
from slow_task_mod import slow_task
c = build_candidates({{"A": "a.cif", "B": "b.cif"}}, [500.0, 600.0, 700.0, 800.0],
                     settings={{"log": {log!r}, "sleep": {sleep}}})
res = run_campaign(c, group_id="k", task=slow_task, processes=False, n_workers=1, threads_per_worker=1,
                   store_url={db!r})
print(res.n_ok, res.n_skipped, res.n_busy)
"""


def test_sigkilled_and_doubly_started_campaign_loses_nothing_and_runs_nothing_twice(tmp_path):
    """A campaign killed by SIGKILL mid-run, then started twice at once: every task ends ok exactly once,
    the tasks that had finished are not rerun, and the two concurrent starts split the rest."""
    import signal
    import subprocess
    import sys

    (tmp_path / "slow_task_mod.py").write_text(SLOW_TASK)
    log, db = tmp_path / "log.txt", str(tmp_path / "k.db")
    script = tmp_path / "camp.py"
    script.write_text(CAMPAIGN.format(here=str(tmp_path), log=str(log), sleep=0.4, db=db))
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = open_store(db)
    deadline = time.time() + 120
    while time.time() < deadline and sum(r.status == "ok" for r in store.list(group_id="k", limit=100)) < 3:
        time.sleep(0.2)
    p.send_signal(signal.SIGKILL)
    p.wait()
    done_before = {r.name for r in store.list(group_id="k", limit=100) if r.status == "ok"}
    assert 3 <= len(done_before) < 8
    n_log_before = len(log.read_text().splitlines())
    procs = [subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outs = [q.communicate(timeout=300) for q in procs]
    assert all(q.returncode == 0 for q in procs), outs
    recs = store.list(group_id="k", limit=100)
    assert len(recs) == 8 and all(r.status == "ok" for r in recs)
    ran_after = log.read_text().splitlines()[n_log_before:]
    assert not set(ran_after) & done_before  # finished tasks are never redone
    assert len(ran_after) == len(set(ran_after)) == 8 - len(done_before)  # each of the rest exactly once


def test_failed_tasks_are_retried_only_when_asked(tmp_path):
    cs = cands(tmp_path)
    first = run_campaign(cs, group_id="f", task=toy_task, processes=False)
    assert first.n_failed == 8
    again = run_campaign(cs, group_id="f", task=toy_task, processes=False)
    assert again.n_skipped == 16 and again.n_failed == 0
    retried = run_campaign(cs, group_id="f", task=toy_task, processes=False, retry_failed=True)
    assert retried.n_failed == 8 and retried.n_ok == 0 and retried.n_skipped == 8
    assert len(open_store().list(group_id="f", limit=100)) == 16  # the failed rows are reused, not added


def test_md_restarts_over_a_trajectory_left_empty_by_sigkill(tmp_path):
    """A checkpoint that counts frames next to a 0-byte trajectory (the process was killed between the
    two writes): the rerun starts the run again and completes it, instead of failing."""
    from ase.build import bulk

    from ssbkit.atomistic.md import run_md

    cu = bulk("Cu", "fcc", a=3.61, cubic=True) * (2, 2, 2)
    kw = dict(temperature_k=300.0, time_ps=0.02, calculator="emt", device="cpu", out_dir=tmp_path,
              timestep_fs=2.0, equilibration_ps=0.0, frame_interval_fs=4.0, mobile_species=("Cu",))
    part = run_md(cu, max_steps=4, **kw)
    assert part.n_frames == 2
    (tmp_path / "md_300K.traj").write_bytes(b"")
    full = run_md(cu, **kw)
    assert not full.resumed and full.n_frames == 5
