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
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..errors import InputError
from ..jsonio import input_key  # noqa: F401  (re-exported: the store's resume key)

__all__ = ["RunRecord", "ResultsStore", "open_store", "default_url", "input_key", "software_versions"]

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


@dataclass(frozen=True)
class RunRecord:
    """One stored run. ``inputs``/``outputs`` are JSON-decoded dicts."""

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_url() -> str:
    """``$SSBKIT_DB`` if set, else SQLite in the user's data directory."""
    env = os.environ.get("SSBKIT_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    path = Path(user_data_dir("ssbkit", appauthor=False)) / "results.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"




def software_versions() -> dict[str, str]:
    """Versions of Python, ssbkit and the scientific packages that matter to results."""
    from importlib import metadata

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in ("ssbkit", "numpy", "scipy", "pandas", "pymatgen", "pybamm", "ase", "chgnet", "torch"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, default=_json_default)


def _json_default(o: Any):
    try:
        import numpy as np

        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(o, Path):
        return str(o)
    return str(o)


class ResultsStore:
    """Thin access to the ``runs`` table. Create it with :func:`open_store`."""

    def __init__(self, engine: sa.Engine, url: str):
        self.engine = engine
        self.url = url

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
        """Store one run at once and return its id."""
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
            return int(res.inserted_primary_key[0])

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
        """The run with ``run_id``; :class:`InputError` if there is none."""
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(RUNS).where(RUNS.c.id == int(run_id))).first()
        if r is None:
            raise InputError(f"no run with id {run_id} in {self.url}")
        return self._to_record(r)

    def find(self, key: str, *, status: str | None = "ok") -> RunRecord | None:
        """The newest run with this input key (and status), or None."""
        q = sa.select(RUNS).where(RUNS.c.key == key)
        if status:
            q = q.where(RUNS.c.status == status)
        with self.engine.connect() as conn:
            r = conn.execute(q.order_by(RUNS.c.id.desc())).first()
        return self._to_record(r) if r else None

    def done_keys(self, group_id: str) -> set[str]:
        """Keys of the runs in ``group_id`` that finished with status ok."""
        q = sa.select(RUNS.c.key).where(RUNS.c.group_id == group_id, RUNS.c.status == "ok")
        with self.engine.connect() as conn:
            return {k for (k,) in conn.execute(q) if k}

    def list(self, *, kind: str | None = None, group_id: str | None = None, limit: int = 50) -> list[RunRecord]:
        """The newest runs first."""
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

    Raises
    ------
    InputError
        If the database cannot be reached or created; the message names the URL.
    """
    url = url or default_url()
    if "://" not in url:  # a plain path means SQLite
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        engine = sa.create_engine(url, future=True)
        _META.create_all(engine)
    except (SQLAlchemyError, ImportError, OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot open results database {url!r}: {msg}") from None
    return ResultsStore(engine, url)
