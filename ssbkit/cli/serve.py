"""``ssbkit serve``: the lab web app on uvicorn (SQLite store and a local worker pool by default)."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register", "serve"]


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: the whole network)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    db: str = typer.Option(None, "--db", help="Database URL (default: the results store, e.g. "
                                             "postgresql+psycopg://user:pw@host/ssbkit)."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder for uploaded files (default: beside the store)."),
    workers: int = typer.Option(2, "--workers", help="Analysis workers of the local pool."),
    pool: str = typer.Option("thread", "--pool", help="Local pool: 'thread' or 'process'."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address: run analyses there."),
    max_upload_mb: float = typer.Option(50.0, "--max-upload-mb", help="Largest uploaded file, MB."),
    max_volume_voxels: int = typer.Option(256**3, "--max-volume-voxels", help="Largest volume for tortuosity."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Cookies over HTTPS only (behind TLS)."),
) -> None:
    """Start the lab web app: samples, uploads, analysis by one protocol, comparison, accounts."""
    from rich.console import Console

    from ssbkit.errors import InputError

    try:
        import uvicorn

        from ssbkit.web import Settings, create_app
        from ssbkit.web.db import _masked
    except ImportError as exc:
        raise InputError(f"'ssbkit serve' needs the web extra: pip install 'ssbkit[web]' ({exc})") from None
    from ssbkit.store.db import default_url

    if pool not in ("thread", "process"):
        raise InputError(f"--pool must be 'thread' or 'process', got {pool!r}")
    url = db or default_url()
    if data_dir is None:
        base = Path(url.split("///", 1)[1]).parent if url.startswith("sqlite:///") else Path.cwd()
        data_dir = base / "ssbkit-web-data"
    settings = Settings(db_url=url, data_dir=data_dir.expanduser().resolve(), workers=workers, pool=pool,
                        scheduler=scheduler, max_upload_mb=max_upload_mb, max_volume_voxels=max_volume_voxels,
                        secure_cookies=secure_cookies)
    app = create_app(settings)
    Console(stderr=True).print(f"ssbkit lab on http://{host}:{port}  database {_masked(url)}  files {settings.data_dir}"
                               + (f"  scheduler {scheduler}" if scheduler else f"  {workers} {pool} workers"),
                               highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=True)


def register(app: typer.Typer) -> None:
    """Add ``ssbkit serve`` to the top-level app.

    Parameters
    ----------
    app
        The ``ssbkit`` typer app.
    """
    app.command("serve")(serve)
