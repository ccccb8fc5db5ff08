"""Jobs: list page, state, live progress by server-sent events."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse

from ...jsonio import dumps
from .. import repo
from ..auth import Principal
from ..deps import Context, ctx, page, principal

router = APIRouter(tags=["jobs"])
_FINAL = ("done", "failed", "interrupted")


def _job(c: Context, p: Principal, job_id: int) -> dict:
    j = repo.job_view(c.engine, job_id)
    if j is None or not p.can_read(j["lab_id"]):
        raise HTTPException(404, f"no job {job_id}")
    return j


@router.get("/jobs", include_in_schema=False)
def jobs_page(request: Request, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Page: jobs page.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    HTML page (or a redirect)
    """
    return page(c, request, "jobs.html", p, jobs=repo.list_jobs(c.engine, list(p.labs)))


@router.get("/api/jobs")
def list_jobs(c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Newest jobs of your labs.

    \f
    Parameters
    ----------
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    return repo.list_jobs(c.engine, list(p.labs))


@router.get("/api/jobs/{job_id}")
def get_job(job_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """A job: state, progress (done of total), message.

    \f
    Parameters
    ----------
    job_id
        The job.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    return _job(c, p, job_id)


@router.get("/api/jobs/{job_id}/events")
async def job_events(job_id: int, request: Request, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Server-sent events with the job's progress until it ends.

    \f
    Parameters
    ----------
    job_id
        The job.
    request
        The HTTP request.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    text/event-stream of job states
    """
    _job(c, p, job_id)

    async def stream():
        last = None
        while True:
            j = await asyncio.to_thread(repo.job_view, c.engine, job_id)
            msg = {k: j[k] for k in ("id", "state", "done", "total", "message")}
            if msg != last:
                yield f"data: {dumps(msg)}\n\n"
                last = msg
            if j["state"] in _FINAL or await request.is_disconnected():
                return
            await asyncio.sleep(0.3)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
