"""Results store: every run, sweep variant and campaign task, in one table.

SQLAlchemy over SQLite by default (``results.db`` in the user's data directory,
or ``$SSBKIT_DB``), any SQLAlchemy URL (``postgresql+psycopg://...``) by
argument. Each record keeps the inputs, outputs, software versions, status,
message and times, so that nothing a user ran is lost and a sweep or campaign
can resume by its *key* (a hash of the inputs).

The tables and the run record are in :mod:`.schema`, the claims of concurrent
sweeps in :mod:`.claims`, the URLs in :mod:`.urls`; this module re-exports
them, so ``from ssbkit.store.db import ...`` keeps working.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..errors import InputError
from ..jsonio import input_key
from ..provenance import software_versions
from .claims import ClaimsMixin
from .schema import _META, CLAIMS, RUNS, RunRecord, _dumps, _now
from .urls import _parsable, default_url, mask_url

__all__ = [
    "RunRecord",
    "ResultsStore",
    "open_store",
    "default_url",
    "input_key",
    "software_versions",
    "mask_url",
    "RUNS",
    "CLAIMS",
]


class ResultsStore(ClaimsMixin):
    """Thin access to the ``runs`` table. Create it with :func:`open_store`."""

    def __init__(self, engine: sa.Engine, url: str):
        self.engine = engine
        self._url = url

    @property
    def url(self) -> str:
        """The store's URL with any password masked (safe to print)."""
        return mask_url(self._url)

    def record(
        self,
        *,
        kind: str,
        name: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any] | None = None,
        status: str = "ok",
        message: str = "",
        key: str | None = None,
        group_id: str | None = None,
        started_at: str | None = None,
    ) -> int:
        """Store one finished run at once.

        Parameters
        ----------
        kind
            ``"run"``, ``"sweep-variant"``, ``"campaign"``, ...
        name
            Shown in listings.
        inputs, outputs
            JSON-serialisable dicts (:mod:`ssbkit.jsonio` policy).
        status
            ``"ok"`` or ``"failed"``.
        message
            Why it failed, or notes.
        key, group_id
            Resume key (:func:`input_key`) and the sweep/campaign it belongs to.
        started_at
            ISO time the run started (default now).

        Returns
        -------
        int
            The new row's id.
        """
        row = dict(
            kind=kind,
            name=name,
            group_id=group_id,
            key=key,
            status=status,
            message=message,
            inputs=_dumps(inputs),
            outputs=_dumps(outputs) if outputs is not None else None,
            versions=_dumps(software_versions()),
            started_at=started_at or _now(),
            finished_at=_now(),
        )
        with self.engine.begin() as conn:
            res = conn.execute(RUNS.insert().values(**row))
            return int(res.inserted_primary_key[0])  # type: ignore[index]

    def _to_record(self, r) -> RunRecord:
        return RunRecord(
            id=r.id,
            kind=r.kind,
            name=r.name,
            group_id=r.group_id,
            key=r.key,
            status=r.status,
            message=r.message or "",
            inputs=json.loads(r.inputs),
            outputs=json.loads(r.outputs) if r.outputs else None,
            versions=json.loads(r.versions) if r.versions else {},
            started_at=r.started_at,
            finished_at=r.finished_at,
        )

    def get(self, run_id: int) -> RunRecord:
        """The run with ``run_id``.

        Parameters
        ----------
        run_id
            Row id (``ssbkit results list``).

        Returns
        -------
        RunRecord

        Raises
        ------
        InputError
            No such run.
        """
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(RUNS).where(RUNS.c.id == int(run_id))).first()
        if r is None:
            raise InputError(f"no run with id {run_id} in {self.url}")
        return self._to_record(r)

    def find(self, key: str, *, status: str | None = "ok") -> RunRecord | None:
        """The newest run with this input key (and status).

        Parameters
        ----------
        key
            Input key.
        status
            Only runs with this status (None: any).

        Returns
        -------
        RunRecord or None
        """
        q = sa.select(RUNS).where(RUNS.c.key == key)
        if status:
            q = q.where(RUNS.c.status == status)
        with self.engine.connect() as conn:
            r = conn.execute(q.order_by(RUNS.c.id.desc())).first()
        return self._to_record(r) if r else None

    def done_keys(self, group_id: str) -> set[str]:
        """Keys of the runs in ``group_id`` that finished with status ok.

        Parameters
        ----------
        group_id
            The sweep or campaign.

        Returns
        -------
        set of str
        """
        q = sa.select(RUNS.c.key).where(RUNS.c.group_id == group_id, RUNS.c.status == "ok")
        with self.engine.connect() as conn:
            return {k for (k,) in conn.execute(q) if k}

    def list(self, *, kind: str | None = None, group_id: str | None = None, limit: int = 50) -> list[RunRecord]:
        """The newest runs first.

        Parameters
        ----------
        kind, group_id
            Filters (None: all).
        limit
            At most this many.

        Returns
        -------
        list of RunRecord
        """
        q = sa.select(RUNS)
        if kind:
            q = q.where(RUNS.c.kind == kind)
        if group_id:
            q = q.where(RUNS.c.group_id == group_id)
        q = q.order_by(RUNS.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [self._to_record(r) for r in conn.execute(q)]


def open_store(url: str | None = None) -> ResultsStore:
    """Open (and create where needed) the results store at ``url``.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite:///...``, ``postgresql+psycopg://...``) or a plain
        path (SQLite); default :func:`default_url`.

    Returns
    -------
    ResultsStore

    Raises
    ------
    InputError
        If the database cannot be reached or created; the message names the URL
        with its password masked.
    """
    url = url or default_url()
    if "://" not in url:  # a plain path means SQLite
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        engine = sa.create_engine(url, future=True)
        _META.create_all(engine)
    except (SQLAlchemyError, ImportError, OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        masked = mask_url(url)
        if "://" in url and "@" in url:
            pw = sa.engine.make_url(url).password if _parsable(url) else None
            if pw:
                msg = msg.replace(str(pw), "***")
        raise InputError(f"cannot open results database {masked!r}: {msg}") from None
    return ResultsStore(engine, url)
