"""What every analysis adapter shares: software versions, upload names in messages, progress, numbers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ssbkit import __version__
from ssbkit.errors import SsbkitError
from ssbkit.progress import Progress

__all__ = ["KINDS", "software", "finite"]

#: measurement kinds and the file extensions accepted for each
KINDS: dict[str, tuple[str, ...]] = {
    "eis": (".txt", ".csv", ".dat", ".tsv", ".mpt", ".mpr", ".dta", ".par", ".z"),
    "cycling": (".csv", ".txt", ".mpt", ".mpr", ".tsv"),
    "dsc": (".csv", ".txt", ".tsv", ".dat"),
    "volume": (".tif", ".tiff", ".npy", ".raw"),
    "study": (".toml",),
}


def software() -> dict[str, str]:
    """ssbkit's version and the versions of the packages behind the numbers.

    Returns
    -------
    dict
    """
    from ssbkit.store.db import software_versions

    return {**software_versions(), "ssbkit": __version__}

@contextmanager
def _named(path: Path, original_name: str) -> Iterator[None]:
    """Re-raise the library's errors with the uploaded name in place of the stored file's path."""
    try:
        yield
    except SsbkitError as exc:
        msg = str(exc).replace(str(path), original_name).replace(Path(path).name, original_name)
        raise type(exc)(msg) from None


def _takes(fn: Callable, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _offset(progress: Progress | None, start: float, total: float) -> Progress | None:
    """A workflow's own ``progress(done, n)`` mapped onto one step [start, start + 1] of ``total``."""
    if progress is None:
        return None
    outer: Progress = progress

    def inner(done: float, n: float, message: str = "") -> None:
        outer(start + (done / n if n else 0.0), total, message)

    return inner

def finite(x: Any) -> float | None:
    """``x`` as a float, None where missing or not finite.

    Parameters
    ----------
    x
        Anything.

    Returns
    -------
    float or None
    """
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
