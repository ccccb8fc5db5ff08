"""Studies: run a study file (the same pipeline as ``ssbkit run``) as a job and show its report."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse

from .. import repo
from ..auth import Principal
from ..deps import Context, csrf, ctx, page, principal
from ..jobs import study_dir
from ..uploads import add_study

router = APIRouter(tags=["studies"])
#: the report is shown in a sandboxed frame and may not run scripts or load anything
_REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def _study_job(c: Context, p: Principal, job_id: int) -> dict:
    j = repo.job_view(c.engine, job_id)
    if j is None or j["kind"] != "study" or not p.can_read(j["lab_id"]):
        raise HTTPException(404, f"no study {job_id}")
    return j


@router.get("/studies", include_in_schema=False)
def studies_page(request: Request, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Page: the studies of your labs and the upload form.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    c
        Server context (database, settings, workers).
    p
        The logged-in user.

    Returns
    -------
    HTML page
    """
    jobs = [j for j in repo.list_jobs(c.engine, list(p.labs), kind="study")]
    return page(c, request, "studies.html", p, jobs=jobs, labs=repo.lab_names(c.engine, list(p.labs)))


@router.get("/studies/{job_id}", include_in_schema=False)
def study_page(job_id: int, request: Request, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Page: one study's state and its report in a sandboxed frame.

    \f
    Parameters
    ----------
    job_id
        The study job.
    request
        The HTTP request.
    c
        Server context (database, settings, workers).
    p
        The logged-in user.

    Returns
    -------
    HTML page
    """
    j = _study_job(c, p, job_id)
    done = (study_dir(c.settings.data_dir, job_id) / "report.html").is_file()
    return page(c, request, "study.html", p, job=j, has_report=done)


@router.post("/api/studies", status_code=202)
def run_study(file: UploadFile = File(...), lab_id: int | None = Form(None), c: Context = Depends(ctx),
              p: Principal = Depends(csrf)):
    """Upload a study file (TOML, as for ``ssbkit run``) and run it as a job.

    \f
    Parameters
    ----------
    file
        The study file.
    lab_id
        Owning lab (default: your only lab).
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked).

    Returns
    -------
    dict
        ``job_id`` and the page ``url``.
    """
    if lab_id is None:
        if len(p.labs) != 1:
            raise HTTPException(422, "lab_id: you are in several labs (or none): say which")
        lab_id = next(iter(p.labs))
    if not p.can_read(lab_id):
        raise HTTPException(403, f"you are not a member of lab {lab_id}")
    jid = add_study(c, p, lab_id, file.filename, file.file)
    return {"job_id": jid, "url": f"/studies/{jid}"}


@router.get("/api/studies/{job_id}/report.html")
def study_report(job_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """The study's report (HTML, sandboxed: no scripts).

    \f
    Parameters
    ----------
    job_id
        The study job.
    c
        Server context (database, settings, workers).
    p
        The logged-in user.

    Returns
    -------
    HTML file
    """
    _study_job(c, p, job_id)
    path = study_dir(c.settings.data_dir, job_id) / "report.html"
    if not path.is_file():
        raise HTTPException(404, "the study has no report yet")
    return FileResponse(path, media_type="text/html",
                        headers={"Content-Security-Policy": _REPORT_CSP, "X-Frame-Options": "SAMEORIGIN"})


@router.get("/api/studies/{job_id}/results.json")
def study_results(job_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """The study's results.json (every section's numbers, the study as run, the ssbkit version).

    \f
    Parameters
    ----------
    job_id
        The study job.
    c
        Server context (database, settings, workers).
    p
        The logged-in user.

    Returns
    -------
    JSON file
    """
    _study_job(c, p, job_id)
    path = study_dir(c.settings.data_dir, job_id) / "results.json"
    if not path.is_file():
        raise HTTPException(404, "the study has no results yet")
    return FileResponse(path, media_type="application/json", filename=f"study-{job_id}-results.json")
