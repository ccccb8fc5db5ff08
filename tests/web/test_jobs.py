"""Jobs survive a server restart: left running -> resumed and finished, or marked interrupted;
live progress by server-sent events; a failing fit is reported, the rest of the series kept."""

from __future__ import annotations

import json

import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_helpers import EA_B, create_sample, setup_admin, upload, wait_job, write_series

from ssbkit.web import create_app
from ssbkit.web.db import JOBS
from ssbkit.web.jobs import MAX_ATTEMPTS


def _queued_without_workers(settings, tmp_path):
    """A job queued by a server that stopped before any worker ran it (start_workers=False: no recovery)."""
    app = create_app(settings, start_workers=False)
    with TestClient(app) as c:
        app.state.ctx.runner.submit = lambda job_id: None  # the server "dies" before handing it on
        csrf = setup_admin(c)
        sid = create_sample(c, csrf)
        jid = upload(c, csrf, sid, write_series(tmp_path)[:3]).json()["jobs"][0]
    return app.state.ctx.engine, sid, jid


def test_a_job_left_running_by_a_dead_server_is_resumed_on_restart(settings, tmp_path):
    engine, sid, jid = _queued_without_workers(settings, tmp_path)
    with engine.begin() as conn:  # it was running when the server died
        conn.execute(JOBS.update().where(JOBS.c.id == jid).values(state="running", attempts=1))
    app = create_app(settings)
    with TestClient(app) as c:
        c.app.state.ctx.runner.wait(60)
        j = c.get(f"/api/jobs/{jid}")
        assert j.status_code == 401  # new client, not logged in: nothing leaks
        from web_helpers import login

        login(c, "ada")
        j = c.get(f"/api/jobs/{jid}").json()
        assert j["state"] == "done" and j["attempts"] == 2
        r = c.get(f"/api/samples/{sid}").json()["analyses"][0]["result"]
        assert abs(r["ea_bulk_eV"] - EA_B) < 3 * r["ea_bulk_err_eV"] + 0.01


def test_a_job_that_keeps_dying_is_marked_interrupted_not_lost(settings, tmp_path):
    engine, _sid, jid = _queued_without_workers(settings, tmp_path)
    with engine.begin() as conn:
        conn.execute(JOBS.update().where(JOBS.c.id == jid).values(state="running", attempts=MAX_ATTEMPTS))
    with TestClient(create_app(settings)):
        pass
    with engine.connect() as conn:
        j = conn.execute(sa.select(JOBS).where(JOBS.c.id == jid)).first()
    assert j.state == "interrupted" and "restart" in j.message


def test_progress_events_stream_until_the_job_ends(client, tmp_path):
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    jid = upload(client, csrf, sid, write_series(tmp_path)[:3]).json()["jobs"][0]
    wait_job(client, jid)
    with client.stream("GET", f"/api/jobs/{jid}/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1]["state"] == "done" and events[-1]["done"] == events[-1]["total"] > 0


def test_a_spectrum_that_cannot_be_fitted_is_reported_and_the_series_kept(client, tmp_path):
    """Three good spectra and one of pure noise at 60 degC: Ea from the three, the bad one named."""
    import numpy as np

    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    paths = write_series(tmp_path)[:3]
    rng = np.random.default_rng(5)
    noise = tmp_path / "noise_60C.csv"
    f = np.logspace(-2, 7, 40)
    noise.write_text("\n".join(f"{x:.5e},{a:.5e},{b:.5e}" for x, a, b in zip(f, rng.normal(0, 1, 40),
                                                                            rng.normal(0, 1, 40), strict=True)))
    jid = upload(client, csrf, sid, [*paths, noise]).json()["jobs"][0]
    assert wait_job(client, jid)["state"] == "done"
    (a,) = client.get(f"/api/samples/{sid}").json()["analyses"]
    r = a["result"]
    named = [x["source"] for x in r["failures"]] + [x["source"] for x in r["skipped"]]
    assert "noise_60C.csv" in named or any(
        f["source"] == "noise_60C.csv" and not f["success"] for f in r["fits"]), r["failures"]
    assert r["ea_bulk_eV"] is not None
