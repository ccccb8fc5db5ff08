"""Settings of one server: database, data folder, limits, worker pool."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """What ``ssbkit serve`` was started with.

    Attributes
    ----------
    db_url
        SQLAlchemy URL of the database shared with the results store.
    data_dir
        Folder for uploaded files (stored under generated names).
    secret_key
        Key that signs the session cookies (random per start unless given:
        then every restart logs everyone out, which is safe).
    max_upload_mb
        Largest file accepted by an upload, MB.
    max_volume_voxels
        Largest voxel volume the tortuosity job accepts.
    workers
        Size of the local worker pool.
    pool
        ``"thread"`` or ``"process"`` (local pool kind).
    scheduler
        Address of a Dask scheduler; when set, jobs run there.
    secure_cookies
        Send cookies only over HTTPS (set behind a TLS proxy).
    """

    db_url: str
    data_dir: Path
    secret_key: str = field(default_factory=lambda: os.environ.get("SSBKIT_SECRET") or secrets.token_hex(32))
    max_upload_mb: float = 50.0
    max_volume_voxels: int = 256**3
    workers: int = 2
    pool: str = "thread"
    scheduler: str | None = None
    secure_cookies: bool = False

    @property
    def max_upload_bytes(self) -> int:
        """``max_upload_mb`` in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)
