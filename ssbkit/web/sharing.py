"""Comparison across labs: a lab opts in to share anonymised results; others see only aggregates.

A lab admin switches ``share_anonymised`` on for the lab. A user comparing a
composition then also sees, for each *other* lab that shares, the number of
its analysed samples of that composition, the geometric mean and spread of
their conductivity and the mean and standard deviation of their activation
energy, under a label ("other lab 1", ...) that is not the lab's name. No
sample name, batch, operator, file, lab name or individual value leaves the
lab: the rows are read here, aggregated by
:func:`ssbkit.web.compare.anonymised_groups` and only the aggregates are
returned. A lab with fewer than :data:`MIN_SHARED_SAMPLES` samples of the
composition (at one reporting temperature) is not shown.

Limitation: aggregates over a set that changes by one sample let someone who
watches them before and after estimate that sample's value; the figures are
rounded to two significant digits, which blurs but does not prevent this.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import analyses
from .compare import anonymised_groups
from .db import ANALYSES, LAB_SHARING, SAMPLES, loads, now

__all__ = ["MIN_SHARED_SAMPLES", "is_shared", "set_shared", "other_labs"]

#: fewer analysed samples of a composition than this in a lab: the lab is not shown to others
MIN_SHARED_SAMPLES = 3


def is_shared(engine: sa.Engine, lab_id: int) -> bool:
    """Whether the lab shares anonymised results for comparison (off until an admin opts in).

    Parameters
    ----------
    engine
        The web database.
    lab_id
        The lab.

    Returns
    -------
    bool
    """
    with engine.connect() as conn:
        v = conn.execute(sa.select(LAB_SHARING.c.share_anonymised).where(LAB_SHARING.c.lab_id == lab_id)).scalar()
    return bool(v)


def set_shared(engine: sa.Engine, lab_id: int, share: bool, user_id: int) -> bool:
    """Opt the lab in (or out) of sharing anonymised results.

    Parameters
    ----------
    engine
        The web database.
    lab_id
        The lab (admin rights already checked).
    share
        On or off.
    user_id
        Who changed it.

    Returns
    -------
    bool
        The new setting.
    """
    with engine.begin() as conn:
        conn.execute(LAB_SHARING.delete().where(LAB_SHARING.c.lab_id == lab_id))
        conn.execute(LAB_SHARING.insert().values(lab_id=lab_id, share_anonymised=bool(share), changed_by=user_id,
                                                 changed_at=now()))
    return bool(share)


def _shared_values(engine: sa.Engine, exclude_lab_ids: list[int], composition: str) -> list[dict[str, Any]]:
    """``lab_id``, sigma, its temperature and Ea of every analysed sample of ``composition`` in the labs that
    share, other than ``exclude_lab_ids`` (internal: never returned to a user as such)."""
    with engine.connect() as conn:
        labs = [int(i) for i in conn.execute(sa.select(LAB_SHARING.c.lab_id).where(
            LAB_SHARING.c.share_anonymised.is_(True))).scalars() if int(i) not in set(exclude_lab_ids)]
        if not labs:
            return []
        q = (sa.select(SAMPLES.c.lab_id, SAMPLES.c.composition, ANALYSES.c.summary)
             .join(ANALYSES, ANALYSES.c.sample_id == SAMPLES.c.id)
             .where(SAMPLES.c.lab_id.in_(labs), ANALYSES.c.kind == "impedance", ANALYSES.c.current.is_(True),
                    ANALYSES.c.status == "ok"))
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        if not analyses.same_composition(r.composition, composition):
            continue
        s = loads(r.summary, {})
        if s.get("sigma_S_per_cm") is None and s.get("ea_eV") is None:
            continue
        out.append({"lab_id": int(r.lab_id), "sigma_S_per_cm": s.get("sigma_S_per_cm"),
                    "sigma_T_C": s.get("sigma_T_C"), "ea_eV": s.get("ea_eV")})
    return out


def other_labs(engine: sa.Engine, viewer_lab_ids: list[int], composition: str) -> list[dict[str, Any]]:
    """Anonymised aggregates of ``composition`` in the labs that share, other than the viewer's.

    Parameters
    ----------
    engine
        The web database.
    viewer_lab_ids
        The labs of the user (their own samples are compared in full elsewhere).
    composition
        Nominal composition (matched by reduced formula).

    Returns
    -------
    list of dict
        See :func:`ssbkit.web.compare.anonymised_groups`.
    """
    return anonymised_groups(_shared_values(engine, list(viewer_lab_ids), composition),
                             min_samples=MIN_SHARED_SAMPLES)
