"""Export: a sample as JSON with everything to redo its analysis, and its conductivities as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from .. import repo
from ..auth import Principal
from ..db import dumps
from ..deps import Context, ctx, principal, readable_sample
from ..export import (
    CONDUCTIVITY_COLUMNS,
    KINETICS_COLUMNS,
    conductivity_rows,
    csv_response,
    sample_export,
)

router = APIRouter(tags=["export"])


@router.get("/api/samples/{sample_id}/export.json")
def export_json(sample_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """The sample's record, measurements, analyses (protocol, software, data) as one JSON file.

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
    body = dumps(sample_export(repo.sample_view(c.engine, sample_id)))
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="sample-{sample_id}.json"'})


@router.get("/api/samples/{sample_id}/conductivity.csv")
def conductivity_csv(sample_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """sigma_bulk, sigma_gb, sigma_total with errors per temperature, fit quality and KK verdict.

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
    CSV download
    """
    readable_sample(c, p, sample_id)
    an = next((a for a in repo.current_analyses(c.engine, sample_id)
               if a["kind"] == "impedance" and a["status"] == "ok"), None)
    if an is None:
        raise HTTPException(404, "the sample has no impedance analysis yet")
    return csv_response(CONDUCTIVITY_COLUMNS, conductivity_rows(an["result"]), f"sample-{sample_id}-conductivity.csv")


@router.get("/api/samples/{sample_id}/dsc-kinetics.csv")
def kinetics_csv(sample_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """Heating rate, Tg, Tc and enthalpy of each scan of the sample's current DSC kinetics analysis.

    \f
    Parameters
    ----------
    sample_id
        The sample.
    c
        Server context (database, settings, workers).
    p
        The logged-in user.

    Returns
    -------
    CSV download
    """
    readable_sample(c, p, sample_id)
    an = next((a for a in repo.current_analyses(c.engine, sample_id)
               if a["kind"] == "dsc_kinetics" and a["status"] == "ok"), None)
    if an is None:
        raise HTTPException(404, "the sample has no DSC kinetics analysis yet")
    return csv_response(KINETICS_COLUMNS, an["result"]["files"], f"sample-{sample_id}-dsc-kinetics.csv")
