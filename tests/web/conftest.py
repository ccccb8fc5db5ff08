"""Fixtures of the web tests: an app on a temporary database and its test client."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'ssbkit[web]')")
pytest.importorskip("httpx", reason="the web tests need httpx")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # web_helpers.py, in any import mode

from fastapi.testclient import TestClient  # noqa: E402

from ssbkit.web import Settings, create_app  # noqa: E402


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """argon2's cheapest parameters in tests (the server's default costs ~0.5 s a hash on 2 cores)."""
    from argon2 import PasswordHasher, profiles

    from ssbkit.web import auth

    monkeypatch.setattr(auth, "_HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))
    monkeypatch.setattr(auth, "_DUMMY", [])


@pytest.fixture
def settings(tmp_path) -> Settings:
    """A fresh server: SQLite in tmp_path, or the database of ``$SSBKIT_WEB_TEST_DB`` (e.g. a local
    PostgreSQL, ``postgresql+psycopg://postgres@127.0.0.1:54329/ssbkit_web_test``), emptied first."""
    url = os.environ.get("SSBKIT_WEB_TEST_DB") or f"sqlite:///{tmp_path / 'web.db'}"
    if "SSBKIT_WEB_TEST_DB" in os.environ:
        from ssbkit.web.db import META, open_engine

        eng = open_engine(url)
        META.drop_all(eng)
        eng.dispose()
    return Settings(db_url=url, data_dir=tmp_path / "data", secret_key="k" * 64,
                    max_upload_mb=1.0, max_volume_voxels=32**3, workers=2)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


