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
        run_campaign(cs, group_id="g", task=toy_task, processes=False, progress=False, on_result=stop_after_three)
    store = open_store()
    first = {r.key for r in store.list(group_id="g", limit=1000)}
    assert len(first) >= 3
    log = tmp_path / "log.txt"
    ran_before = log.read_text().splitlines()
    res = run_campaign(cs, group_id="g", task=toy_task, processes=False, progress=False)
    assert res.n_skipped == len(first) and res.n_ok + res.n_failed + res.n_skipped == 16
    records = store.list(group_id="g", limit=1000)
    assert len(records) == 16 and len({r.key for r in records}) == 16
    stored_names_first = {r.name for r in records if r.key in first}
    ran_after = log.read_text().splitlines()[len(ran_before):]
    assert not set(ran_after) & stored_names_first
    assert sum(r.status == "failed" for r in records) == 8
    assert all("cannot be made" in r.message for r in records if r.status == "failed")
    again = run_campaign(cs, group_id="g", task=toy_task, processes=False, progress=False)
    assert again.n_skipped == 16 and again.n_ok == 0


def test_summary_recovers_the_activation_energy(tmp_path):
    run_campaign(cands(tmp_path), group_id="s", task=toy_task, processes=False, progress=False)
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
    res = run_campaign(c, group_id="d", task=dying_task, processes=True, n_workers=1, retries=2, progress=False)
    assert res.n_ok == 1
    assert len((tmp_path / "log.txt").read_text().splitlines()) == 2  # died once, then ran
    assert open_store().list(group_id="d")[0].status == "ok"
