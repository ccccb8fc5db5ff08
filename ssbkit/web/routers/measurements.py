"""Measurements: upload files (many at once) to a sample, list them, download a stored file."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, Form, HTTPException, UploadFile
from fastapi.responses import FileResponse

from .. import repo
from ..auth import Principal
from ..db import FILES, loads
from ..deps import Context, csrf, ctx, principal, readable_sample
from ..files import stored_path
from ..kinetics import queue_dsc_kinetics
from ..models import DscKineticsIn
from ..uploads import add_measurements

router = APIRouter(tags=["measurements"])


@router.post("/api/samples/{sample_id}/measurements", status_code=201)
def upload(sample_id: int, files: list[UploadFile] = File(...), kind: str = Form("eis"),
           temperatures_c: str = Form(""), phase: int = Form(1), axis: int = Form(0),
           voxel_um: float | None = Form(None), heating_rate_K_per_min: float | None = Form(None),
           exo: str = Form(""), tg_window_C: str = Form(""), tc_window_C: str = Form(""),
           merge_overlapping: bool = Form(False), c: Context = Depends(ctx), p: Principal = Depends(csrf)):
    """Upload impedance, cycling, DSC or volume files; each is checked on its own, the rest kept.

    \f
    Parameters
    ----------
    sample_id
        The sample.
    files
        The uploaded files (many at once).
    kind
        eis, cycling, dsc or volume.
    temperatures_c
        Temperatures of the files, degC (blank: from the files).
    phase
        Volumes: label of the conducting phase.
    axis
        Volumes: transport axis.
    voxel_um
        Volumes: voxel edge, um (else from the file).
    heating_rate_K_per_min
        DTA/DSC: heating rate, K/min (else from the file).
    exo
        DTA/DSC: ``up`` or ``down`` where the file does not say which way exotherms point.
    tg_window_C, tc_window_C
        DTA/DSC: ``LOW, HIGH`` degC to search the glass transition / the exotherms.
    merge_overlapping
        DTA/DSC: integrate overlapping exotherms as one.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    s = readable_sample(c, p, sample_id)
    s["details"] = loads(s["details"], {})
    return add_measurements(c, p, s, [(f.filename, f.file) for f in files], kind=kind,
                            temperatures_c=temperatures_c, phase=phase, axis=axis, voxel_um=voxel_um,
                            dsc_options={"heating_rate_K_per_min": heating_rate_K_per_min, "exo": exo or None,
                                         "tg_window_C": tg_window_C or None, "tc_window_C": tc_window_C or None,
                                         "overlap": "merge" if merge_overlapping else "error"})


@router.get("/api/samples/{sample_id}/measurements")
def list_measurements(sample_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """The sample's measurements with their status and the reader's messages.

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
    return repo.sample_view(c.engine, sample_id)["measurements"]


@router.get("/api/files/{file_id}")
def download(file_id: int, c: Context = Depends(ctx), p: Principal = Depends(principal)):
    """A stored file as uploaded (members of its lab only).

    \f
    Parameters
    ----------
    file_id
        The stored file.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    with c.engine.connect() as conn:
        f = conn.execute(sa.select(FILES).where(FILES.c.id == file_id)).first()
    if f is None or not p.can_read(f.lab_id):
        raise HTTPException(404, f"no file {file_id}")
    return FileResponse(stored_path(c.settings.data_dir, f.stored_name), filename=f.original_name,
                        media_type="application/octet-stream")


@router.post("/api/samples/{sample_id}/dsc-kinetics", status_code=202)
def dsc_kinetics(sample_id: int, body: DscKineticsIn, c: Context = Depends(ctx), p: Principal = Depends(csrf)):
    """Crystallization kinetics of three or more DSC scans of the sample at different heating rates.

    One job runs the processing layer's DSC workflow on all the scans (Kissinger and Ozawa Ea with
    their intervals, Matusita-Sakka Avrami exponent, Tg/Tc per scan). Refused before anything is
    queued (422, naming the files) when a rate is missing or repeated or there are fewer than three.

    \f
    Parameters
    ----------
    sample_id
        The sample.
    body
        Measurements, optional per-scan heating rates and DSC options.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked).

    Returns
    -------
    JSON
        ``{"job_id": ...}``.
    """
    s = readable_sample(c, p, sample_id)
    jid = queue_dsc_kinetics(c, p, s, body.measurement_ids, heating_rates_K_per_min=body.heating_rates_K_per_min,
                             options=body.options())
    return {"job_id": jid}
