"""The web app's tables, in the same database as the results store.

Tables are prefixed ``web_`` so that they sit beside the store's ``runs``
table without clashing. SQLite (default) and PostgreSQL both work; JSON is
kept in text columns written by :mod:`ssbkit.jsonio` (non-finite -> null).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ssbkit import jsonio
from ssbkit.errors import InputError

__all__ = ["META", "USERS", "LABS", "MEMBERSHIPS", "SESSIONS", "TOKENS", "SAMPLES", "MEASUREMENTS",
           "FILES", "ANALYSES", "JOBS", "LAB_SHARING", "open_engine", "now", "dumps", "loads", "row_dict"]

META = sa.MetaData()
_id = lambda: sa.Column("id", sa.Integer, primary_key=True)  # noqa: E731
_fk = lambda name, table: sa.Column(name, sa.Integer, sa.ForeignKey(f"{table}.id"), index=True)  # noqa: E731

USERS = sa.Table(
    "web_users", META, _id(),
    sa.Column("username", sa.String(64), unique=True, nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("is_site_admin", sa.Boolean, default=False, nullable=False),
    sa.Column("created_at", sa.String(32)),
)
LABS = sa.Table(
    "web_labs", META, _id(),
    sa.Column("name", sa.String(120), unique=True, nullable=False),
    sa.Column("protocol", sa.Text),  # the lab's current analysis protocol (JSON)
    sa.Column("created_at", sa.String(32)),
)
MEMBERSHIPS = sa.Table(
    "web_memberships", META, _id(), _fk("user_id", "web_users"), _fk("lab_id", "web_labs"),
    sa.Column("role", sa.String(16), nullable=False),  # member | admin
    sa.UniqueConstraint("user_id", "lab_id"),
)
SESSIONS = sa.Table(
    "web_sessions", META, _id(), _fk("user_id", "web_users"),
    sa.Column("key_hash", sa.String(64), unique=True, nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32)),
    sa.Column("expires_at", sa.String(32)),
)
TOKENS = sa.Table(
    "web_api_tokens", META, _id(), _fk("user_id", "web_users"),
    sa.Column("name", sa.String(120)),
    sa.Column("token_hash", sa.String(64), unique=True, nullable=False),
    sa.Column("created_at", sa.String(32)),
    sa.Column("revoked", sa.Boolean, default=False, nullable=False),
)
SAMPLES = sa.Table(
    "web_samples", META, _id(), _fk("lab_id", "web_labs"), _fk("created_by", "web_users"),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("composition", sa.String(200), nullable=False),
    sa.Column("batch", sa.String(120)),
    sa.Column("operator", sa.String(120)),
    sa.Column("details", sa.Text),  # JSON: route, geometry, pressure, electrode, instrument, date, ...
    sa.Column("created_at", sa.String(32)),
)
FILES = sa.Table(
    "web_files", META, _id(), _fk("lab_id", "web_labs"), _fk("uploaded_by", "web_users"),
    sa.Column("stored_name", sa.String(80), unique=True, nullable=False),
    sa.Column("original_name", sa.String(300), nullable=False),
    sa.Column("size_bytes", sa.Integer),
    sa.Column("sha256", sa.String(64)),
    sa.Column("created_at", sa.String(32)),
)
MEASUREMENTS = sa.Table(
    "web_measurements", META, _id(), _fk("sample_id", "web_samples"), _fk("file_id", "web_files"),
    sa.Column("kind", sa.String(16), nullable=False),  # eis | cycling | dsc | volume
    sa.Column("temperature_c", sa.Float),
    sa.Column("status", sa.String(16), nullable=False),  # ok | unreadable
    sa.Column("message", sa.Text),
    sa.Column("info", sa.Text),  # JSON: what the reader found
    sa.Column("created_at", sa.String(32)),
)
ANALYSES = sa.Table(
    "web_analyses", META, _id(), _fk("sample_id", "web_samples"), _fk("job_id", "web_jobs"),
    _fk("measurement_id", "web_measurements"),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("protocol", sa.Text, nullable=False),
    sa.Column("software", sa.Text),
    sa.Column("result", sa.Text),
    sa.Column("summary", sa.Text),  # JSON: the few numbers lists and comparisons need
    sa.Column("status", sa.String(16), nullable=False),  # ok | failed
    sa.Column("message", sa.Text),
    sa.Column("current", sa.Boolean, default=True, nullable=False),
    sa.Column("created_at", sa.String(32)),
)
JOBS = sa.Table(
    "web_jobs", META, _id(), _fk("sample_id", "web_samples"), _fk("lab_id", "web_labs"),
    _fk("created_by", "web_users"),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("params", sa.Text),
    sa.Column("state", sa.String(16), nullable=False),  # queued running done failed interrupted
    sa.Column("attempts", sa.Integer, default=0, nullable=False),
    sa.Column("done", sa.Float, default=0),
    sa.Column("total", sa.Float, default=0),
    sa.Column("message", sa.Text, default=""),
    sa.Column("created_at", sa.String(32)),
    sa.Column("updated_at", sa.String(32)),
)

LAB_SHARING = sa.Table(  # a table of its own: created in existing databases without altering web_labs
    "web_lab_sharing", META, _id(),
    sa.Column("lab_id", sa.Integer, sa.ForeignKey("web_labs.id"), unique=True, nullable=False),
    sa.Column("share_anonymised", sa.Boolean, default=False, nullable=False),
    sa.Column("changed_by", sa.Integer, sa.ForeignKey("web_users.id")),
    sa.Column("changed_at", sa.String(32)),
)


def open_engine(url: str) -> sa.Engine:
    """Engine for ``url`` with the web tables created; a plain path means SQLite.

    Parameters
    ----------
    url
        SQLAlchemy URL or a file path.

    Returns
    -------
    sqlalchemy.Engine
    """
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    kw: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kw["connect_args"] = {"check_same_thread": False, "timeout": 30}
    try:
        engine = sa.create_engine(url, **kw)
        if url.startswith("sqlite"):
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        META.create_all(engine)
    except (sa.exc.SQLAlchemyError, ImportError, OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot open the web database {_masked(url)}: {_masked(msg)}") from None
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL's recommended level: no fsync per commit, no corruption
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _masked(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``."""
    import re

    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


def new_id(result) -> int:
    """The primary key of the row an INSERT created.

    Parameters
    ----------
    result
        The INSERT's result.

    Returns
    -------
    int
    """
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def now() -> str:
    """The current UTC time, ISO 8601 to the second.

    Returns
    -------
    str
    """
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(obj: Any) -> str:
    """JSON text of ``obj`` through :mod:`ssbkit.jsonio`.

    Parameters
    ----------
    obj
        Anything :func:`ssbkit.jsonio.to_jsonable` takes.

    Returns
    -------
    str
    """
    return jsonio.dumps(obj)


def loads(text: str | None, default: Any = None) -> Any:
    """Parse JSON text; ``default`` for None or empty.

    Parameters
    ----------
    text
        JSON text or None.
    default
        What to return for no text.

    Returns
    -------
    object
    """
    return jsonio.loads(text) if text else default


def row_dict(row) -> dict[str, Any]:
    """A result row as a plain dict.

    Parameters
    ----------
    row
        A SQLAlchemy row (or None).

    Returns
    -------
    dict
    """
    return dict(row._mapping) if row is not None else {}
