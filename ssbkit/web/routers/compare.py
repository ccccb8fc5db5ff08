"""Compare: sigma and Ea of one nominal composition across batches, operators and labs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from .. import plots, repo
from ..auth import Principal
from ..compare import comparison
from ..deps import Context, ctx, page, principal
from ..export import csv_response
from ..literature import literature_rows

router = APIRouter(tags=["compare"])


def _data(c: Context, p: Principal, composition: str) -> dict:
    rows = repo.compare_rows(c.engine, list(p.labs), composition)
    return comparison(rows, literature_rows(composition), composition)


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
    fig = plots.compare(data["samples"], data["literature"], by) if data else None
    return page(c, request, "compare.html", p, compositions=comps, composition=composition, by=by, data=data,
                figure=fig)


@router.get("/api/compare")
def compare_api(composition: str, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Samples of ``composition`` in your labs, spread per batch/operator/lab, outliers, literature rows.

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
