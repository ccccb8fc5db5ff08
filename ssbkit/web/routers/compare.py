"""Compare: sigma and Ea of one nominal composition across batches, operators and labs; opting in to share."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from .. import plots, repo, sharing
from ..auth import Principal
from ..compare import comparison
from ..deps import Context, csrf, ctx, page, principal
from ..export import csv_response
from ..literature import literature_rows
from ..models import SharingIn

router = APIRouter(tags=["compare"])


def _data(c: Context, p: Principal, composition: str) -> dict:
    rows = repo.compare_rows(c.engine, list(p.labs), composition)
    return comparison(rows, literature_rows(composition), composition,
                      other_labs=sharing.other_labs(c.engine, list(p.labs), composition))


@router.get("/compare", include_in_schema=False)
def compare_page(request: Request, composition: str = "", by: str = Query("batch", pattern="^(batch|operator|lab)$"),
                 c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Page: compare page.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    composition
        Nominal composition (field notation).
    by
        Grouping: batch, operator or lab.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    HTML page (or a redirect)
    """
    comps = sorted({s["composition"] for s in repo.list_samples(c.engine, list(p.labs))})
    data = _data(c, p, composition) if composition else None
    fig = plots.compare(data["samples"], data["literature"], by, data["other_labs"]) if data else None
    return page(c, request, "compare.html", p, compositions=comps, composition=composition, by=by, data=data,
                figure=fig)


@router.get("/api/compare")
def compare_api(composition: str, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Samples of ``composition`` in your labs, spread per batch/operator/lab, outliers, literature rows,
    and anonymised aggregates of the other labs that share (``other_labs``).

    \f
    Parameters
    ----------
    composition
        Nominal composition (field notation).
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    return _data(c, p, composition)


@router.get("/api/compare.csv")
def compare_csv(composition: str, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """The compared samples as CSV.

    \f
    Parameters
    ----------
    composition
        Nominal composition (field notation).
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    CSV download
    """
    d = _data(c, p, composition)
    cols = ("sample", "composition", "batch", "operator", "lab", "sigma_S_per_cm", "sigma_T_C", "ea_eV",
            "ea_err_eV", "z_sigma", "z_ea", "outlier", "circuit")
    return csv_response(cols, d["samples"], "compare.csv")


@router.get("/api/labs/{lab_id}/sharing")
def get_sharing(lab_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Whether the lab shares anonymised results for other labs' comparisons (members only).

    \f
    Parameters
    ----------
    lab_id
        The lab.
    c
        Server context (database, settings, workers).
    p
        The logged-in user.

    Returns
    -------
    JSON
        ``{"lab_id", "share_anonymised", "min_samples"}``.
    """
    if not p.can_read(lab_id):
        raise HTTPException(404, f"no lab {lab_id}")
    return {"lab_id": lab_id, "share_anonymised": sharing.is_shared(c.engine, lab_id),
            "min_samples": sharing.MIN_SHARED_SAMPLES}


@router.put("/api/labs/{lab_id}/sharing")
def put_sharing(lab_id: int, body: SharingIn, c: Context = Depends(ctx), p: Principal = Depends(csrf)):
    """Opt the lab in or out of sharing anonymised aggregates with other labs (lab admins).

    \f
    Parameters
    ----------
    lab_id
        The lab.
    body
        ``share_anonymised``.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked).

    Returns
    -------
    JSON
        As :func:`get_sharing`.
    """
    if not (p.can_read(lab_id) or p.is_site_admin) or not repo.lab_names(c.engine, [lab_id]):
        raise HTTPException(404, f"no lab {lab_id}")
    if not p.is_lab_admin(lab_id):
        raise HTTPException(403, "only an admin of the lab can change what it shares")
    return {"lab_id": lab_id, "share_anonymised": sharing.set_shared(c.engine, lab_id, body.share_anonymised, p.user_id),
            "min_samples": sharing.MIN_SHARED_SAMPLES}
