"""Small helpers shared by the `ssbkit` command and the layers' sub-commands."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from ssbkit.errors import InputError
from ssbkit.jsonio import dumps, to_jsonable
from ssbkit.progress import Progress

__all__ = ["to_jsonable", "echo_json", "save_figure", "parse_floats", "rich_progress"]


def echo_json(obj: Any) -> None:
    """Print one JSON document to stdout."""
    typer.echo(dumps(obj, indent=2))


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


@contextlib.contextmanager
def rich_progress(console, description: str) -> Iterator[Progress]:
    """A rich progress bar (percentage, elapsed, time left) as a :data:`ssbkit.progress.Progress`.

    Parameters
    ----------
    console
        The rich console to draw on (stderr, so that ``--json`` stays clean).
    description
        Label of the bar.

    Yields
    ------
    callable
        ``progress(done, total, message)``.
    """
    from rich.progress import (
        BarColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), TextColumn("{task.fields[msg]}"))
    with RichProgress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=None, msg="")

        def progress(done: float, total: float, message: str = "") -> None:
            bar.update(task, completed=done, total=total or None, msg=message[:60])

        yield progress
