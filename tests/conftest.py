"""Shared test fixtures: the ../shared reference folder and a temporary results store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_CANDIDATES = [
    os.environ.get("SSBKIT_SHARED", ""),
    str(Path(__file__).resolve().parents[2] / "shared"),
    str(Path(__file__).resolve().parents[1] / "shared"),
]


def _shared() -> Path | None:
    for c in _CANDIDATES:
        if c and (Path(c) / "reference").is_dir():
            return Path(c)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder beside the checkout; skips the test where it is absent."""
    path = _shared()
    if path is None:
        pytest.skip("../shared/reference is not present")
    return path


@pytest.fixture(scope="session")
def reference_dir(shared_dir: Path) -> Path:
    """``../shared/reference``."""
    return shared_dir / "reference"


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """Every test writes to its own SQLite store, never to the user's."""
    db = tmp_path_factory.mktemp("store") / "results.db"
    monkeypatch.setenv("SSBKIT_DB", f"sqlite:///{db}")
    monkeypatch.setenv("PYBAMM_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MPLBACKEND", "Agg")
