"""Where the store lives: the default URL and URLs safe to print."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

__all__ = ["default_url", "mask_url"]


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


def _parsable(url: str) -> bool:
    try:
        sa.engine.make_url(url)
    except Exception:
        return False
    return True
