"""The same job on a local process pool and on a Dask scheduler (slow: they start processes)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from web_helpers import EA_B, create_sample, setup_admin, upload, write_series

from ssbkit.web import create_app


def _run(settings, tmp_path):
    with TestClient(create_app(settings)) as c:
        csrf = setup_admin(c)
        sid = create_sample(c, csrf)
        jid = upload(c, csrf, sid, write_series(tmp_path)).json()["jobs"][0]
        c.app.state.ctx.runner.wait(300)
        assert c.get(f"/api/jobs/{jid}").json()["state"] == "done"
        r = c.get(f"/api/samples/{sid}").json()["analyses"][0]["result"]
        assert abs(r["ea_bulk_eV"] - EA_B) < 3 * r["ea_bulk_err_eV"] + 0.005


@pytest.mark.slow
def test_jobs_run_on_a_process_pool(settings, tmp_path):
    _run(replace(settings, pool="process", workers=1), tmp_path)


@pytest.mark.slow
def test_jobs_run_on_a_dask_scheduler(settings, tmp_path):
    distributed = pytest.importorskip("distributed", reason="needs the dist extra")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        _run(replace(settings, scheduler=cluster.scheduler_address), tmp_path)
