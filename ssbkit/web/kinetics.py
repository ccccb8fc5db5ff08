"""A sample's DSC scans at several heating rates -> one kinetics job (checked before it is queued).

The user picks three or more DSC measurements of one sample; each brings the
heating rate its upload was read with (or one given with the request) and the
options it was uploaded with. The set is refused before anything is queued
when a rate is missing or repeated, when there are too few scans, or when the
uploads disagree on an option the request leaves open; the job then runs the
processing layer's workflow once on all the files
(:func:`ssbkit.web.analyses.dsc_kinetics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ssbkit.errors import InputError

from . import analyses
from .db import FILES, JOBS, MEASUREMENTS, loads
from .jobs import queue_job

__all__ = ["kinetics_set", "queue_dsc_kinetics"]

#: the options of a kinetics job (the heating rate is per file)
_SET_OPTIONS = tuple(k for k in analyses.DSC_OPTIONS if k != "heating_rate_K_per_min")


def _upload_options(conn, sample_id: int) -> dict[int, dict[str, Any]]:
    """``{measurement id: DSC options of its upload}`` from the sample's per-file DSC jobs."""
    out: dict[int, dict[str, Any]] = {}
    q = sa.select(JOBS.c.params).where(JOBS.c.sample_id == sample_id, JOBS.c.kind == "dsc").order_by(JOBS.c.id)
    for text in conn.execute(q).scalars():
        params = loads(text, {})
        for mid in params.get("measurement_ids") or []:
            out[int(mid)] = params.get("dsc_options") or {}
    return out


def _options(given: dict[str, Any], uploads: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The request's options; those it leaves open from the uploads, refused where the uploads differ."""
    out: dict[str, Any] = {}
    for k in _SET_OPTIONS:
        if given.get(k) not in (None, ""):
            out[k] = given[k]
            continue
        seen = {repr(o.get(k)): (o.get(k), n) for n, o in uploads if k in o}
        if len(seen) > 1:
            raise InputError(f"the scans were uploaded with different {k} ("
                             + "; ".join(f"{n}: {v}" for v, n in seen.values()) + f"): give {k} for the kinetics")
        if seen:
            out[k] = next(iter(seen.values()))[0]
    unknown = set(given) - set(_SET_OPTIONS)
    if unknown:
        raise InputError(f"unknown kinetics option(s) {', '.join(sorted(unknown))} (known: {', '.join(_SET_OPTIONS)})")
    return analyses.check_dsc_options(out)


def kinetics_set(engine: sa.Engine, sample_id: int, measurement_ids: Sequence[int], *,
                 heating_rates_K_per_min: Sequence[float | None] | None = None,
                 options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a heating-rate set of one sample and resolve its rates and options.

    Parameters
    ----------
    engine
        The web database.
    sample_id
        The sample (access already checked).
    measurement_ids
        Its DSC measurements to use (a scan refused at upload for want of a heating rate may be
        used with a rate given here).
    heating_rates_K_per_min
        One per measurement, in the order given (None or omitted: the rate its upload was read with).
    options
        DSC options for the set (see :func:`ssbkit.web.analyses.check_dsc_options`, without the rate);
        an option left open takes the value the scans were uploaded with.

    Returns
    -------
    dict
        The job's params: ``measurement_ids`` (ascending), ``heating_rates_K_per_min`` (same order),
        ``files`` (uploaded names), ``dsc_options``.

    Raises
    ------
    InputError
        A measurement that is not a DSC scan of the sample, or a set
        :func:`ssbkit.web.analyses.check_kinetics_set` refuses (naming the files).
    """
    ids = [int(i) for i in measurement_ids]
    if len(set(ids)) != len(ids):
        raise InputError(f"measurement_ids: {ids} repeats a measurement")
    rates_in = list(heating_rates_K_per_min) if heating_rates_K_per_min is not None else [None] * len(ids)
    if len(rates_in) != len(ids):
        raise InputError(f"{len(rates_in)} heating rates for {len(ids)} measurements: give one per measurement")
    given = dict(zip(ids, rates_in, strict=True))
    with engine.connect() as conn:
        rows = {int(r.id): r for r in conn.execute(
            sa.select(MEASUREMENTS.c.id, MEASUREMENTS.c.kind, MEASUREMENTS.c.status, MEASUREMENTS.c.info,
                      FILES.c.original_name).join(FILES, FILES.c.id == MEASUREMENTS.c.file_id)
            .where(MEASUREMENTS.c.sample_id == sample_id, MEASUREMENTS.c.id.in_(ids)))}
        uploaded = _upload_options(conn, sample_id)
    bad = [i for i in ids if i not in rows or rows[i].kind != "dsc"]
    if bad:
        raise InputError(f"measurement(s) {', '.join(map(str, bad))}: not DSC measurements of sample {sample_id}")
    ids.sort()
    names = [rows[i].original_name for i in ids]
    rates = [given[i] if given[i] is not None else loads(rows[i].info, {}).get("heating_rate_K_per_min") for i in ids]
    rates = list(analyses.check_kinetics_set(names, rates))
    opts = _options(dict(options or {}), [(rows[i].original_name, uploaded.get(i, {})) for i in ids])
    opts.pop("heating_rate_K_per_min", None)
    return {"measurement_ids": ids, "heating_rates_K_per_min": rates, "files": names, "dsc_options": opts}


def queue_dsc_kinetics(c, p, sample: dict, measurement_ids: Sequence[int], *,
                       heating_rates_K_per_min: Sequence[float | None] | None = None,
                       options: dict[str, Any] | None = None) -> int:
    """Check the set (:func:`kinetics_set`) and queue its kinetics job.

    Parameters
    ----------
    c, p
        Server context and user.
    sample
        The sample row (access checked).
    measurement_ids, heating_rates_K_per_min, options
        See :func:`kinetics_set`.

    Returns
    -------
    int
        The job id.

    Raises
    ------
    InputError
        The processing layer is absent, or the set is refused.
    """
    if not analyses.dsc_available():
        raise InputError("DSC kinetics need ssbkit.processing, which this installation does not have")
    params = kinetics_set(c.engine, sample["id"], measurement_ids, heating_rates_K_per_min=heating_rates_K_per_min,
                          options=options)
    jid = queue_job(c.engine, kind="dsc_kinetics", sample_id=sample["id"], lab_id=sample["lab_id"],
                    user_id=p.user_id, params=params)
    c.runner.submit(jid)
    return jid
