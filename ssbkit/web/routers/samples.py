"""Samples: list and page, create, view, re-analyse on request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from .. import plots, repo
from ..auth import Principal
from ..deps import Context, csrf, ctx, page, principal, readable_sample
from ..models import AnalyseIn, SampleIn, SamplePatch
from ..uploads import queue_impedance

router = APIRouter(tags=["samples"])


def _lab_for(p: Principal, lab_id: int | None) -> int:
    if lab_id is None:
        if len(p.labs) != 1:
            raise HTTPException(422, "lab_id: you are in several labs (or none): say which")
        return next(iter(p.labs))
    if not p.can_read(lab_id):
        raise HTTPException(403, f"you are not a member of lab {lab_id}")
    return lab_id


@router.get("/samples", include_in_schema=False)
def samples_page(request: Request, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Page: samples page.

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
    return page(c, request, "samples.html", p, samples=repo.list_samples(c.engine, list(p.labs)),
                labs=repo.lab_names(c.engine, list(p.labs)))


@router.get("/samples/{sample_id}", include_in_schema=False)
def sample_page(sample_id: int, request: Request, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Page: sample page.

    \f
    Parameters
    ----------
    sample_id
        The sample.
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
    readable_sample(c, p, sample_id)
    view = repo.sample_view(c.engine, sample_id)
    figures: dict[str, Any] = {}
    for a in view["analyses"]:
        if a["status"] != "ok":
            continue
        if a["kind"] == "impedance":
            r = a["result"]
            figures.update(nyquist=plots.nyquist(r), bode=plots.bode(r), drt=plots.drt(r),
                           arrhenius=plots.arrhenius(r))
        elif a["kind"] == "dsc_kinetics":
            figures["kissinger"] = plots.kissinger(a["result"])
        elif a["kind"] == "cycling":
            figures[f"cycling-{a['measurement_id']}"] = plots.cycling(a["result"])
    return page(c, request, "sample.html", p, view=view, figures=figures)


@router.get("/api/samples")
def list_samples(c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Samples of your labs with their current Ea and sigma at the protocol's temperature.

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
    return repo.list_samples(c.engine, list(p.labs))


@router.post("/api/samples", status_code=201)
def create_sample(body: SampleIn, c: Context = Depends(ctx), p: Principal = Depends(csrf)):
    """Create a sample in one of your labs.

    \f
    Parameters
    ----------
    body
        The JSON body (validated by its pydantic model).
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    lab_id = _lab_for(p, body.lab_id)
    sid = repo.create_sample(c.engine, lab_id=lab_id, user_id=p.user_id, name=body.name,
                             composition=body.composition, batch=body.batch, operator=body.operator,
                             details=body.details())
    return {"id": sid, "url": f"/samples/{sid}"}


@router.get("/api/samples/{sample_id}")
def get_sample(sample_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """A sample with its measurements, current analyses (with protocol and software) and jobs.

    \f
    Parameters
    ----------
    sample_id
        The sample.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    readable_sample(c, p, sample_id)
    return repo.sample_view(c.engine, sample_id)


@router.patch("/api/samples/{sample_id}")
def patch_sample(sample_id: int, body: SamplePatch, c: Context = Depends(ctx), p: Principal = Depends(csrf)):
    """Change a sample's record (e.g. its pellet geometry); analyses stay until re-analysed on request.

    \f
    Parameters
    ----------
    sample_id
        The sample.
    body
        The fields to change.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked).

    Returns
    -------
    dict
        The sample.
    """
    readable_sample(c, p, sample_id)
    return repo.update_sample(c.engine, sample_id, body.changes())


@router.post("/api/samples/{sample_id}/analyse", status_code=202)
def analyse(sample_id: int, body: AnalyseIn | None = None, c: Context = Depends(ctx), p: Principal = Depends(csrf)):
    """Re-analyse the sample's spectra with the lab's current protocol (or the changes given).

    \f
    Parameters
    ----------
    sample_id
        The sample.
    body
        The JSON body (validated by its pydantic model).
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    s = readable_sample(c, p, sample_id)
    from ..db import loads

    s["details"] = loads(s["details"], {})
    jid = queue_impedance(c, p, s, body.protocol.given() if body and body.protocol else None)
    if jid is None:
        raise HTTPException(422, "the sample has no readable impedance spectrum")
    return {"job_id": jid}
