"""Results store: every run, sweep variant and campaign task, in one table.

SQLAlchemy over SQLite by default (``results.db`` in the user's data directory,
or ``$SSBKIT_DB``), any SQLAlchemy URL (``postgresql+psycopg://...``) by
argument. Each record keeps the inputs, outputs, software versions, status,
message and times, so that nothing a user ran is lost and a sweep or campaign
can resume by its *key* (a hash of the inputs).
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..errors import InputError
from ..jsonio import dumps, input_key
from ..provenance import software_versions
from ..records import Record

__all__ = [
    "RunRecord",
    "ResultsStore",
    "open_store",
    "default_url",
    "input_key",
    "software_versions",
    "mask_url",
]

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


def default_url() -> str:
    """The store used when no URL is given.

    Returns
    -------
    str
        ``$SSBKIT_DB`` if set, else ``sqlite:///`` + ``results.db`` in the user's data directory.
    """
    env = os.environ.get("SSBKIT_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    path = Path(user_data_dir("ssbkit", appauthor=False)) / "results.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"






def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(obj: Any) -> str:
    return dumps(obj)


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for every message and listing).

    Parameters
    ----------
    url
        A SQLAlchemy URL or a path.

    Returns
    -------
    str
        The URL safe to print.

    Examples
    --------
    >>> mask_url("postgresql+psycopg://lab:s3cret@db.example/ssbkit")
    'postgresql+psycopg://lab:***@db.example/ssbkit'
    """
    if "://" not in url:
        return url
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparsable URL: hide everything between "://" and "@"
        head, _, rest = url.partition("://")
        return f"{head}://***@{rest.rpartition('@')[2]}" if "@" in rest else url


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str) -> bool:
    """False only when the owner ran on this host and its process is gone."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class ResultsStore:
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

    def claim(
        self,
        key: str,
        *,
        group_id: str | None,
        kind: str,
        name: str,
        inputs: dict[str, Any],
        retry_failed: bool = False,
    ) -> int | None:
        """Take ownership of task ``key`` unless it is done or owned; return its run id.

        Concurrent sweeps and campaigns on one store call this before each
        task, so that no task runs twice and nothing finished is redone. The
        claim is atomic (a unique row in the ``claims`` table).

        Parameters
        ----------
        key
            The task's input key (:func:`input_key`).
        group_id
            The sweep or campaign the task belongs to.
        kind, name, inputs
            Stored on the task's run row (status ``"running"`` until :meth:`finish`).
        retry_failed
            Claim a task whose last run failed (its row is reused) instead of
            skipping it.

        Returns
        -------
        int or None
            The run id to pass to :meth:`finish`, or None when the task is done
            (status ok), failed and ``retry_failed`` is False, or claimed by a
            live process. A claim whose process died (same host) is taken over
            and its run row reused.
        """
        me = _owner()
        if self._finished(key, retry_failed) is True:
            return None
        if not self._take_claim(key, group_id, me):
            return None
        # look again now that we hold the claim: a worker that finished between our first
        # look and our claim has written its status before releasing the claim
        last = self._finished(key, retry_failed)
        if last is True:
            with self.engine.begin() as conn:
                conn.execute(CLAIMS.delete().where(CLAIMS.c.key == key, CLAIMS.c.owner == me))
            return None
        reuse = None if last is False else last.id
        row = dict(kind=kind, name=name, group_id=group_id, key=key, status="running", message="",
                   inputs=_dumps(inputs), outputs=None, versions=_dumps(software_versions()),
                   started_at=_now(), finished_at=None)
        with self.engine.begin() as conn:
            if reuse is None:
                run_id = int(conn.execute(RUNS.insert().values(**row)).inserted_primary_key[0])  # type: ignore[index]
            else:
                conn.execute(RUNS.update().where(RUNS.c.id == reuse).values(**row))
                run_id = reuse
            conn.execute(CLAIMS.update().where(CLAIMS.c.key == key).values(run_id=run_id))
        return run_id

    def _finished(self, key: str, retry_failed: bool):
        """True if ``key`` needs no run; else the latest row (or False when there is none)."""
        with self.engine.connect() as conn:
            last = conn.execute(
                sa.select(RUNS.c.id, RUNS.c.status).where(RUNS.c.key == key).order_by(RUNS.c.id.desc())
            ).first()
        if last is None:
            return False
        if last.status == "ok" or (last.status == "failed" and not retry_failed):
            return True
        return last

    def _take_claim(self, key: str, group_id: str | None, me: str) -> bool:
        from sqlalchemy.exc import IntegrityError

        try:
            with self.engine.begin() as conn:
                conn.execute(CLAIMS.insert().values(key=key, group_id=group_id, owner=me, claimed_at=_now()))
            return True
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            held = conn.execute(sa.select(CLAIMS.c.owner).where(CLAIMS.c.key == key)).first()
            if held is None or _owner_alive(held.owner):
                return False
            # the owner died: take the claim over, atomically (compare and swap on the owner)
            res = conn.execute(
                CLAIMS.update().where(CLAIMS.c.key == key, CLAIMS.c.owner == held.owner)
                .values(owner=me, claimed_at=_now())
            )
            return bool(res.rowcount == 1)

    def finish(self, run_id: int, *, status: str, outputs: dict[str, Any] | None = None,
               message: str = "") -> None:
        """Store the outcome of a claimed task and release its claim.

        Parameters
        ----------
        run_id
            What :meth:`claim` returned.
        status
            ``"ok"`` or ``"failed"``.
        outputs, message
            The results (JSON-serialisable) and, for a failure, why.
        """
        if status not in ("ok", "failed"):
            raise InputError(f"status must be 'ok' or 'failed', got {status!r}")
        with self.engine.begin() as conn:
            conn.execute(RUNS.update().where(RUNS.c.id == int(run_id)).values(
                status=status, outputs=_dumps(outputs) if outputs is not None else None,
                message=message, finished_at=_now()))
            conn.execute(CLAIMS.delete().where(CLAIMS.c.run_id == int(run_id)))

    def release(self, run_id: int) -> None:
        """Give up a claim without a result; the task stays to do (its row says ``running``).

        Parameters
        ----------
        run_id
            What :meth:`claim` returned.

        Returns
        -------
        None
        """
        with self.engine.begin() as conn:
            conn.execute(CLAIMS.delete().where(CLAIMS.c.run_id == int(run_id)))

    def failed_keys(self, group_id: str) -> set[str]:
        """Keys of the runs in ``group_id`` whose last status is failed.

        Parameters
        ----------
        group_id
            The sweep or campaign.

        Returns
        -------
        set of str
        """
        q = sa.select(RUNS.c.key).where(RUNS.c.group_id == group_id, RUNS.c.status == "failed")
        with self.engine.connect() as conn:
            return {k for (k,) in conn.execute(q) if k}

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


def _parsable(url: str) -> bool:
    try:
        sa.engine.make_url(url)
    except Exception:
        return False
    return True
