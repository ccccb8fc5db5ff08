"""Small helpers shared by the `ssbkit` command and the layers' sub-commands."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

from .errors import InputError

__all__ = ["to_jsonable", "echo_json", "save_figure", "parse_floats"]


def to_jsonable(obj: Any) -> Any:
    """Recursively turn numpy values, tuples, complex numbers, Paths and NaN/inf into JSON-safe values.

    Non-finite floats become ``None``; complex numbers ``[real, imag]``; objects
    with ``to_dict()`` their dict.
    """
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [to_jsonable(v) for v in obj]
    if np is not None and isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if np is not None and isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, bool) or obj is None or isinstance(obj, str | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, complex):
        return [to_jsonable(obj.real), to_jsonable(obj.imag)]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    return str(obj)


def echo_json(obj: Any) -> None:
    """Print one JSON document to stdout."""
    typer.echo(json.dumps(to_jsonable(obj), indent=2))


def save_figure(fig, folder: Path | None, name: str, *, dpi: int = 130) -> str | None:
    """Save ``fig`` as ``folder/name`` (creating the folder) and close it; None when no folder."""
    import matplotlib.pyplot as plt

    if folder is None:
        plt.close(fig)
        return None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return str(path)


def parse_floats(text: str, what: str) -> list[float]:
    """Numbers separated by commas (or semicolons); :class:`InputError` naming ``what`` otherwise."""
    try:
        vals = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise InputError(f"{what} must be numbers separated by commas, got {text!r}") from None
    if not vals:
        raise InputError(f"{what} is empty")
    return vals
