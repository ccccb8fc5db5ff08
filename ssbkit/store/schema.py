"""The store's tables (``runs``, ``claims``) and the record of one run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..jsonio import dumps
from ..records import Record

__all__ = ["RUNS", "CLAIMS", "RunRecord"]

_META = sa.MetaData()
RUNS = sa.Table(
    "runs",
    _META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False, default=""),
    sa.Column("group_id", sa.String(64), index=True),
    sa.Column("key", sa.String(64), index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, default=""),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text),
    sa.Column("versions", sa.Text),
    sa.Column("started_at", sa.String(40)),
    sa.Column("finished_at", sa.String(40)),
)
#: one row per task being worked on: the unique key makes a claim atomic across processes
CLAIMS = sa.Table(
    "claims",
    _META,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("group_id", sa.String(64), index=True),
    sa.Column("run_id", sa.Integer),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("claimed_at", sa.String(40)),
)


@dataclass(frozen=True)
class RunRecord(Record):
    """One stored run. ``inputs``/``outputs`` are JSON-decoded dicts.

    Attributes
    ----------
    status
        ``"ok"``, ``"failed"`` or ``"running"`` (claimed, not finished: the run
        is in progress, or its process was killed and the next claim redoes it).
    """

    id: int
    kind: str
    name: str
    group_id: str | None
    key: str | None
    status: str
    message: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None
    versions: dict[str, str]
    started_at: str | None
    finished_at: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(obj: Any) -> str:
    return dumps(obj)
