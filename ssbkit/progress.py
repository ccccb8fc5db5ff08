"""Progress reporting shared by every long workflow and every front door.

A workflow accepts ``progress: Progress | None`` and calls it as
``progress(done, total, message)`` (``done`` and ``total`` in the workflow's own
steps; ``total`` may be 0 when unknown). The CLI passes a rich progress bar
(:func:`ssbkit.cli.util.rich_progress`), the study a log line, the web app a
server-sent event. Workflows never print.

Examples
--------
>>> seen = []
>>> def work(n, progress: Progress | None = None):
...     for i in range(n):
...         report(progress, i + 1, n, f"step {i + 1}")
>>> work(2, lambda d, t, m: seen.append((d, t, m)))
>>> seen
[(1, 2, 'step 1'), (2, 2, 'step 2')]
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress", "report"]

#: ``progress(done, total, message)``
Progress = Callable[[float, float, str], None]


def report(progress: Progress | None, done: float, total: float, message: str = "") -> None:
    """Call ``progress`` if one was given (so that workflows stay one line).

    Parameters
    ----------
    progress
        The callback, or None.
    done, total
        Steps done and the total (0 when unknown).
    message
        What is being done.

    Returns
    -------
    None
    """
    if progress is not None:
        progress(done, total, message)
