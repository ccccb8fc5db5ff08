"""An upload of many files: each stored, checked and read on its own; the rest kept when one is bad."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from ssbkit.errors import InputError, SsbkitError

from . import analyses
from .db import FILES, MEASUREMENTS, dumps, new_id, now
from .files import check_type, clean_name, store_stream, stored_path
from .jobs import queue_job
from .repo import eis_measurement_ids, lab_protocol

__all__ = ["add_study", "add_measurements", "parse_temperatures", "kelvin_warning", "queue_impedance"]

_HEAD = 8192


def parse_temperatures(text: str | None, n: int) -> list[float | None]:
    """Temperatures entered for ``n`` files: ``""`` (from the files), one value, or one per file.

    Parameters
    ----------
    text
        Comma- or space-separated degC values.
    n
        Number of files.

    Returns
    -------
    list
        One entry per file (None: take it from the file).

    Examples
    --------
    >>> parse_temperatures("140, 150", 2)
    [140.0, 150.0]
    >>> parse_temperatures("", 2)
    [None, None]
    """
    vals = [v for v in (text or "").replace(",", " ").split() if v]
    if not vals:
        return [None] * n
    try:
        t = [float(v) for v in vals]
    except ValueError:
        raise InputError(f"temperatures_c: {text!r} is not a list of numbers (degC)") from None
    if len(t) == 1:
        t = t * n
    if len(t) != n:
        raise InputError(f"temperatures_c: {len(t)} values for {n} files")
    if any(x > 1500 or x < -273.15 for x in t):
        raise InputError(f"temperatures_c: {t} lie outside -273..1500 degC")
    out: list[float | None] = [*t]
    return out


def kelvin_warning(temps: list[float | None]) -> str | None:
    """A warning when temperatures entered as degC all lie in 273-400: kelvin typed by mistake?

    Parameters
    ----------
    temps
        From :func:`parse_temperatures`.

    Returns
    -------
    str or None
    """
    t = [x for x in temps if x is not None]
    if len(t) > 1 and all(273 <= x <= 400 for x in t):
        return (f"temperatures {t} degC: were they typed in kelvin? If so, re-enter them in degC "
                "(K - 273.15); the activation energy depends on it")
    return None


def _chunks(fh: BinaryIO, head: bytes) -> Iterable[bytes]:
    yield head
    while chunk := fh.read(1 << 20):
        yield chunk


def _store_one(c, p, sample: dict, kind: str, name: str, fh: BinaryIO, t: float | None,
               dsc_options: dict[str, Any] | None = None) -> dict[str, Any]:
    head = fh.read(_HEAD)
    ext = check_type(name, head, analyses.KINDS[kind], kind)
    stored, size, sha = store_stream(c.settings.data_dir, _chunks(fh, head), ext,
                                     limit_bytes=c.settings.max_upload_bytes, name=name)
    status, message, info = "ok", "", {}
    if kind == "eis":
        try:
            info = analyses.read_impedance(stored_path(c.settings.data_dir, stored), name, temperature_c=t)
            if any(x is None for x in info["temperatures_c"]):
                message = "no temperature in the file or its name: enter it and upload again"
        except SsbkitError as exc:
            status, message = "unreadable", str(exc).replace(stored, name)
    elif kind == "dsc":
        try:
            info = analyses.read_dsc_info(stored_path(c.settings.data_dir, stored), name, options=dsc_options)
        except SsbkitError as exc:
            status, message = "unreadable", str(exc).replace(stored, name)
    with c.engine.begin() as conn:
        fid = new_id(conn.execute(FILES.insert().values(
            lab_id=sample["lab_id"], uploaded_by=p.user_id, stored_name=stored, original_name=name,
            size_bytes=size, sha256=sha, created_at=now())))
        mid = new_id(conn.execute(MEASUREMENTS.insert().values(
            sample_id=sample["id"], file_id=fid, kind=kind, temperature_c=t, status=status, message=message,
            info=dumps(info), created_at=now())))
    return {"id": int(mid), "file_id": int(fid), "original_name": name, "kind": kind, "status": status,
            "message": message, "info": info}


def queue_impedance(c, p, sample: dict, protocol: dict[str, Any] | None = None) -> int | None:
    """Queue the impedance series of a sample with the lab's protocol (or ``protocol``).

    Parameters
    ----------
    c
        Server context.
    p
        The user.
    sample
        The sample row.
    protocol
        Changes to the lab's protocol for this analysis.

    Returns
    -------
    int or None
        The job id; None when there is no readable spectrum.
    """
    d = sample.get("details") or {}
    if d.get("thickness_cm") is None or (d.get("diameter_cm") is None and d.get("area_cm2") is None):
        raise InputError("the sample has no pellet geometry: set thickness_cm and diameter_cm (or area_cm2)")
    ids = eis_measurement_ids(c.engine, sample["id"])
    if not ids:
        return None
    proto = analyses.check_protocol({**lab_protocol(c.engine, sample["lab_id"]), **(protocol or {})})
    jid = queue_job(c.engine, kind="impedance", sample_id=sample["id"], lab_id=sample["lab_id"],
                    user_id=p.user_id, params={"measurement_ids": ids, "protocol": proto})
    c.runner.submit(jid)
    return jid


def add_measurements(c, p, sample: dict, files: Sequence[tuple[str | None, BinaryIO]], *, kind: str,
                     temperatures_c: str | None = None, phase: int = 1, axis: int = 0,
                     voxel_um: float | None = None, dsc_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Store an upload's files as measurements of ``sample`` and queue their analyses.

    Parameters
    ----------
    c, p
        Server context and user.
    sample
        The sample row (access checked).
    files
        ``(uploaded name, binary stream)`` per file.
    kind
        ``eis``, ``cycling``, ``dsc`` or ``volume``.
    temperatures_c
        For impedance files, see :func:`parse_temperatures`.
    phase, axis, voxel_um
        For volumes: conducting phase label, transport axis, voxel edge (um).
    dsc_options
        For DTA/DSC files: see :func:`ssbkit.web.analyses.check_dsc_options`.

    Returns
    -------
    dict
        ``measurements`` (one per file, with ``status`` and ``message``), ``rejected`` (files not
        stored, with why), ``jobs`` (queued job ids), ``notes``.
    """
    if kind not in analyses.KINDS:
        raise InputError(f"kind must be one of {', '.join(analyses.KINDS)}, got {kind!r}")
    if not files:
        raise InputError("no file in the upload")
    temps: list[float | None] = (parse_temperatures(temperatures_c, len(files)) if kind == "eis"
                                 else [None] * len(files))
    out: dict[str, Any] = {"measurements": [], "rejected": [], "jobs": [], "notes": []}
    dsc_opts = analyses.check_dsc_options(dsc_options) if kind == "dsc" else None
    warn = kelvin_warning(temps)
    if warn:
        out["notes"].append(warn)
    for (raw, fh), t in zip(files, temps, strict=True):
        name = clean_name(raw)
        try:
            out["measurements"].append(_store_one(c, p, sample, kind, name, fh, t, dsc_opts))
        except InputError as exc:
            out["rejected"].append({"original_name": name, "message": str(exc)})
    new = [m for m in out["measurements"] if m["status"] == "ok"]
    if kind == "eis" and new:
        try:
            jid = queue_impedance(c, p, sample)
            if jid is not None:
                out["jobs"].append(jid)
        except InputError as exc:
            out["notes"].append(f"not analysed yet: {exc}")
    elif kind == "dsc" and new and not analyses.dsc_available():
        out["notes"].append("DSC analysis is not available in this installation (needs ssbkit.processing); "
                            "the files are kept")
    elif kind in ("cycling", "volume", "dsc"):
        job_kind = {"cycling": "cycling", "volume": "tortuosity", "dsc": "dsc"}[kind]
        for m in new:
            params: dict[str, Any] = {"measurement_ids": [m["id"]]}
            if kind == "volume":
                params.update(phase=phase, axis=axis, voxel_um=voxel_um)
            elif kind == "dsc":
                params["dsc_options"] = dsc_opts
            jid = queue_job(c.engine, kind=job_kind, sample_id=sample["id"], lab_id=sample["lab_id"],
                            user_id=p.user_id, params=params)
            c.runner.submit(jid)
            out["jobs"].append(jid)
    return out


def add_study(c, p, lab_id: int, name: str | None, fh: BinaryIO) -> int:
    """Store an uploaded study file and queue its run.

    Parameters
    ----------
    c, p
        Server context and user.
    lab_id
        The lab that owns it.
    name
        Uploaded name.
    fh
        Binary stream.

    Returns
    -------
    int
        The study job's id.
    """
    name = clean_name(name)
    head = fh.read(_HEAD)
    ext = check_type(name, head, analyses.KINDS["study"], "study")
    stored, size, sha = store_stream(c.settings.data_dir, _chunks(fh, head), ext,
                                     limit_bytes=c.settings.max_upload_bytes, name=name)
    with c.engine.begin() as conn:
        fid = new_id(conn.execute(FILES.insert().values(
            lab_id=lab_id, uploaded_by=p.user_id, stored_name=stored, original_name=name, size_bytes=size,
            sha256=sha, created_at=now())))
    jid = queue_job(c.engine, kind="study", sample_id=None, lab_id=lab_id, user_id=p.user_id,
                    params={"file_id": fid, "original_name": name})
    c.runner.submit(jid)
    return jid
