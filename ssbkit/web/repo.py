"""Reading and writing the web tables: labs, samples, measurements, analyses, jobs.

Routes call these; these call :mod:`ssbkit.web.analyses` for anything that
computes. Every read takes the labs the user may see.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ssbkit.errors import InputError

from . import analyses
from .db import (
    ANALYSES,
    FILES,
    JOBS,
    LABS,
    MEASUREMENTS,
    SAMPLES,
    USERS,
    dumps,
    loads,
    new_id,
    now,
    row_dict,
)

__all__ = ["update_sample", "create_lab", "lab_protocol", "set_lab_protocol", "create_sample", "list_samples", "sample_view",
           "current_analyses", "job_view", "list_jobs", "compare_rows", "lab_names", "eis_measurement_ids"]


def create_lab(engine: sa.Engine, name: str) -> int:
    """Add a lab with the default protocol.

    Parameters
    ----------
    engine
        The web database.
    name
        Unique name.

    Returns
    -------
    int
    """
    with engine.begin() as conn:
        if conn.execute(sa.select(LABS.c.id).where(LABS.c.name == name)).first():
            raise InputError(f"lab {name!r} exists already")
        return new_id(conn.execute(LABS.insert().values(name=name, protocol=dumps(analyses.DEFAULT_PROTOCOL),
                                                     created_at=now())))


def lab_names(engine: sa.Engine, ids: list[int]) -> dict[int, str]:
    """``{lab_id: name}``.

    Parameters
    ----------
    engine
        The web database.
    ids
        Lab ids.

    Returns
    -------
    dict
    """
    with engine.connect() as conn:
        return {int(r.id): r.name for r in conn.execute(sa.select(LABS.c.id, LABS.c.name).where(LABS.c.id.in_(ids)))}


def lab_protocol(engine: sa.Engine, lab_id: int) -> dict[str, Any]:
    """The lab's current analysis protocol (complete).

    Parameters
    ----------
    engine
        The web database.
    lab_id
        The lab.

    Returns
    -------
    dict
    """
    with engine.connect() as conn:
        text = conn.execute(sa.select(LABS.c.protocol).where(LABS.c.id == lab_id)).scalar()
    return analyses.check_protocol(loads(text, {}))


def set_lab_protocol(engine: sa.Engine, lab_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change the lab's protocol; existing analyses keep theirs until re-analysed on request.

    Parameters
    ----------
    engine
        The web database.
    lab_id
        The lab.
    changes
        Keys of the protocol to change.

    Returns
    -------
    dict
        The new protocol.
    """
    p = analyses.check_protocol({**lab_protocol(engine, lab_id), **changes})
    with engine.begin() as conn:
        conn.execute(LABS.update().where(LABS.c.id == lab_id).values(protocol=dumps(p)))
    return p


def create_sample(engine: sa.Engine, *, lab_id: int, user_id: int, name: str, composition: str, batch: str,
                  operator: str, details: dict[str, Any]) -> int:
    """Add a sample (its composition must parse).

    Parameters
    ----------
    engine
        The web database.
    lab_id, user_id
        Whose.
    name, composition, batch, operator
        Indexed fields.
    details
        The rest of the sample's record.

    Returns
    -------
    int
    """
    if analyses.reduced_formula(composition) is None:
        raise InputError(f"composition {composition!r} does not parse (e.g. 75Li2S-25P2S5, Li6PS5Cl)")
    with engine.begin() as conn:
        return new_id(conn.execute(SAMPLES.insert().values(
            lab_id=lab_id, created_by=user_id, name=name.strip(), composition=composition.strip(),
            batch=batch.strip(), operator=operator.strip(), details=dumps(details),
            created_at=now())))


_COLUMNS = ("name", "batch", "operator")


def update_sample(engine: sa.Engine, sample_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a sample's fields; giving the diameter clears the area and the other way round.

    Parameters
    ----------
    engine
        The web database.
    sample_id
        The sample (access checked).
    changes
        Field -> new value.

    Returns
    -------
    dict
        The sample after the change.
    """
    with engine.begin() as conn:
        row = conn.execute(sa.select(SAMPLES).where(SAMPLES.c.id == sample_id)).first()
        if row is None:
            raise InputError(f"no sample {sample_id}")
        details = loads(row.details, {})
        for k, v in changes.items():
            if k not in _COLUMNS:
                details[k] = v
        if changes.get("diameter_cm") is not None:
            details["area_cm2"] = None
        if changes.get("area_cm2") is not None:
            details["diameter_cm"] = None
        cols = {k: str(v).strip() for k, v in changes.items() if k in _COLUMNS and v is not None}
        conn.execute(SAMPLES.update().where(SAMPLES.c.id == sample_id).values(details=dumps(details), **cols))
        return _sample_dict(conn.execute(sa.select(SAMPLES).where(SAMPLES.c.id == sample_id)).first())


def _sample_dict(row) -> dict[str, Any]:
    d = row_dict(row)
    d["details"] = loads(d.get("details"), {})
    return d


def list_samples(engine: sa.Engine, lab_ids: list[int]) -> list[dict[str, Any]]:
    """Samples of the given labs, newest first, with their current Ea and sigma at report_T_C.

    Parameters
    ----------
    engine
        The web database.
    lab_ids
        Labs the user may see.

    Returns
    -------
    list of dict
    """
    with engine.connect() as conn:
        rows = conn.execute(sa.select(SAMPLES).where(SAMPLES.c.lab_id.in_(lab_ids)).order_by(SAMPLES.c.id.desc()))
        out = [_sample_dict(r) for r in rows]
    summ = _impedance_summaries(engine, [s["id"] for s in out])
    for s in out:
        s.update(summ.get(s["id"], {}))
    return out


def _impedance_summaries(engine: sa.Engine, sample_ids: list[int]) -> dict[int, dict[str, Any]]:
    with engine.connect() as conn:
        q = sa.select(ANALYSES.c.sample_id, ANALYSES.c.summary, ANALYSES.c.protocol).where(
            ANALYSES.c.sample_id.in_(sample_ids), ANALYSES.c.kind == "impedance", ANALYSES.c.current.is_(True))
        out = {}
        for r in conn.execute(q):
            out[int(r.sample_id)] = {**loads(r.summary, {}), "protocol": loads(r.protocol, {})}
    return out


def current_analyses(engine: sa.Engine, sample_id: int) -> list[dict[str, Any]]:
    """The sample's current analyses (and failed attempts newer than them), newest first.

    Parameters
    ----------
    engine
        The web database.
    sample_id
        The sample.

    Returns
    -------
    list of dict
    """
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ANALYSES).where(ANALYSES.c.sample_id == sample_id)
                            .order_by(ANALYSES.c.id.desc())).all()
    out, seen = [], set()
    for r in rows:
        key = (r.kind, r.measurement_id)
        if key in seen:
            continue
        if r.current or r.status == "failed":
            d = row_dict(r)
            for k in ("protocol", "software", "result", "summary"):
                d[k] = loads(d[k], None)
            out.append(d)
            if r.current:
                seen.add(key)
    return out


def _measurements(conn, sample_id: int) -> list[dict[str, Any]]:
    q = (sa.select(MEASUREMENTS, FILES.c.original_name, FILES.c.size_bytes, FILES.c.sha256)
         .join(FILES, FILES.c.id == MEASUREMENTS.c.file_id).where(MEASUREMENTS.c.sample_id == sample_id)
         .order_by(MEASUREMENTS.c.id))
    out = []
    for r in conn.execute(q):
        d = row_dict(r)
        d["info"] = loads(d.get("info"), {})
        out.append(d)
    return out


def eis_measurement_ids(engine: sa.Engine, sample_id: int) -> list[int]:
    """Readable impedance measurements of a sample.

    Parameters
    ----------
    engine
        The web database.
    sample_id
        The sample.

    Returns
    -------
    list of int
    """
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(sa.select(MEASUREMENTS.c.id).where(
            MEASUREMENTS.c.sample_id == sample_id, MEASUREMENTS.c.kind == "eis",
            MEASUREMENTS.c.status == "ok").order_by(MEASUREMENTS.c.id)).scalars()]


def sample_view(engine: sa.Engine, sample_id: int) -> dict[str, Any]:
    """A sample with its measurements, current analyses, jobs and the lab's protocol.

    Parameters
    ----------
    engine
        The web database.
    sample_id
        The sample (access already checked).

    Returns
    -------
    dict
        ``sample``, ``measurements``, ``analyses``, ``jobs``, ``lab_protocol``, ``stale`` (True when
        the current impedance analysis used another protocol than the lab's).
    """
    with engine.connect() as conn:
        s = _sample_dict(conn.execute(sa.select(SAMPLES).where(SAMPLES.c.id == sample_id)).first())
        meas = _measurements(conn, sample_id)
        jobs = [row_dict(j) for j in conn.execute(sa.select(JOBS).where(JOBS.c.sample_id == sample_id)
                                                  .order_by(JOBS.c.id.desc()).limit(20))]
    an = current_analyses(engine, sample_id)
    proto = lab_protocol(engine, s["lab_id"])
    imp = next((a for a in an if a["kind"] == "impedance" and a["current"]), None)
    stale = imp is not None and {k: imp["protocol"].get(k) for k in proto} != proto
    return {"sample": s, "measurements": meas, "analyses": an, "jobs": jobs, "lab_protocol": proto,
            "stale": stale}


def job_view(engine: sa.Engine, job_id: int) -> dict[str, Any] | None:
    """One job's row (None if absent).

    Parameters
    ----------
    engine
        The web database.
    job_id
        The job.

    Returns
    -------
    dict or None
    """
    with engine.connect() as conn:
        r = conn.execute(sa.select(JOBS).where(JOBS.c.id == job_id)).first()
    if r is None:
        return None
    d = row_dict(r)
    d["params"] = loads(d["params"], {})
    return d


def list_jobs(engine: sa.Engine, lab_ids: list[int], limit: int = 100, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Newest jobs of the given labs.

    Parameters
    ----------
    engine
        The web database.
    lab_ids
        Labs the user may see.
    limit
        How many.
    kind
        Only jobs of this kind.

    Returns
    -------
    list of dict
    """
    with engine.connect() as conn:
        q = (sa.select(JOBS, SAMPLES.c.name.label("sample_name"))
             .outerjoin(SAMPLES, SAMPLES.c.id == JOBS.c.sample_id)
             .where(JOBS.c.lab_id.in_(lab_ids)).order_by(JOBS.c.id.desc()).limit(limit))
        if kind is not None:
            q = q.where(JOBS.c.kind == kind)
        out = []
        for r in conn.execute(q):
            d = row_dict(r)
            d["params"] = loads(d.get("params"), {})
            out.append(d)
        return out


def compare_rows(engine: sa.Engine, lab_ids: list[int], composition: str) -> list[dict[str, Any]]:
    """One row per analysed sample of the same nominal composition in the given labs.

    Parameters
    ----------
    engine
        The web database.
    lab_ids
        Labs the user may see.
    composition
        Nominal composition (matched by reduced formula).

    Returns
    -------
    list of dict
        ``sample, sample_id, batch, operator, lab, sigma_S_per_cm, sigma_T_C, ea_eV, ea_err_eV, protocol``.
    """
    names = lab_names(engine, lab_ids)
    out = []
    for s in list_samples(engine, lab_ids):
        if not analyses.same_composition(s["composition"], composition):
            continue
        if s.get("ea_eV") is None and s.get("sigma_S_per_cm") is None:
            continue
        out.append({"sample": s["name"], "sample_id": s["id"], "composition": s["composition"],
                    "batch": s["batch"], "operator": s["operator"], "lab": names.get(s["lab_id"], ""),
                    "sigma_S_per_cm": s.get("sigma_S_per_cm"), "sigma_T_C": s.get("sigma_T_C"),
                    "ea_eV": s.get("ea_eV"), "ea_err_eV": s.get("ea_err_eV"),
                    "circuit": (s.get("protocol") or {}).get("circuit")})
    return out


def usernames(engine: sa.Engine) -> dict[int, str]:
    """``{user_id: username}`` of every user (admin pages).

    Parameters
    ----------
    engine
        The web database.

    Returns
    -------
    dict
    """
    with engine.connect() as conn:
        return {int(r.id): r.username for r in conn.execute(sa.select(USERS.c.id, USERS.c.username))}
