"""The lab web app: samples, uploads, analysis by one protocol, comparison across batches and labs.

Start it with ``ssbkit serve``; build one in code with :func:`create_app`.
Needs the ``web`` extra (FastAPI, uvicorn, Jinja2, python-multipart,
itsdangerous, argon2-cffi, plotly).
"""

from __future__ import annotations

from .settings import Settings

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings, *, start_workers: bool = True):
    """The FastAPI app for ``settings`` (see :func:`ssbkit.web.app.create_app`).

    Parameters
    ----------
    settings
        Database, data folder, limits, workers.
    start_workers
        Requeue the jobs a previous run left when the app starts.

    Returns
    -------
    fastapi.FastAPI
    """
    from .app import create_app as _create

    return _create(settings, start_workers=start_workers)
