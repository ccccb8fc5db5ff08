"""Restart segments of one MD run joined into one trajectory (used through :mod:`ssbkit.atomistic.trajectory`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError
from .trajectory import Trajectory, read_trajectory

__all__ = ["join_trajectories", "read_trajectories"]


def _junction_step(prev: Trajectory, nxt: Trajectory) -> np.ndarray:
    """Minimum-image Cartesian step from the last frame of ``prev`` to the first of ``nxt``."""
    last = prev.positions0_A + prev.displacements_A[-1]
    cell = nxt.cells_A[0]
    frac = (nxt.positions0_A - last) @ np.linalg.inv(cell)
    frac -= np.round(frac)
    return frac @ cell


def join_trajectories(segments: Sequence[Trajectory], *, duplicate_tol_A: float = 1e-3) -> Trajectory:
    """Join restart segments of one run into one continuous trajectory.

    A restarted MD writes a new file that begins where the last one ended,
    often repeating the last frame. Segments are joined in the order given:
    the step across each junction is the minimum image (as between any two
    frames), and a first frame that repeats the previous segment's last frame
    (every atom within ``duplicate_tol_A``) is dropped.

    Parameters
    ----------
    segments
        Trajectories of the same atoms and frame interval, in time order.
    duplicate_tol_A
        Largest displacement, Å, at which a junction frame counts as a repeat.

    Returns
    -------
    Trajectory
        The joined run; ``warnings`` note each junction and any dropped repeat.

    Raises
    ------
    InputError
        No segments, different atoms, or different frame intervals.
    """
    segs = list(segments)
    if not segs:
        raise InputError("no trajectory segments to join")
    first = segs[0]
    disp, cells, temps = [first.displacements_A], [first.cells_A], [first.kinetic_temperature_K]
    notes = list(first.warnings)
    offset = first.displacements_A[-1]
    for k, seg in enumerate(segs[1:], start=2):
        name = seg.source or f"segment {k}"
        if seg.symbols != first.symbols:
            raise InputError(f"{name}: its atoms differ from those of {first.source or 'segment 1'}; "
                             "only restarts of one run can be joined")
        if not math.isclose(seg.frame_interval_ps, first.frame_interval_ps, rel_tol=1e-6):
            raise InputError(f"{name}: frame interval {seg.frame_interval_ps:g} ps, not "
                             f"{first.frame_interval_ps:g} ps as in the first segment")
        step = _junction_step(_tail(first, offset), seg)
        start = 0
        if float(np.abs(step).max()) <= duplicate_tol_A:
            start = 1
            notes.append(f"{name}: its first frame repeats the previous segment's last frame and was dropped")
        # segment displacements start at 0 on its own first frame, which sits `step` past the joined end
        d = seg.displacements_A[start:] + offset + step
        disp.append(d)
        cells.append(seg.cells_A[start:])
        temps.append(None if seg.kinetic_temperature_K is None else seg.kinetic_temperature_K[start:])
        notes.extend(seg.warnings)
        offset = d[-1] if len(d) else offset
    notes.append(f"joined {len(segs)} restart segments")
    kin = None if any(t is None for t in temps) else np.concatenate([t for t in temps if t is not None])
    return Trajectory(
        symbols=first.symbols, displacements_A=np.concatenate(disp), cells_A=np.concatenate(cells),
        positions0_A=first.positions0_A, frame_interval_ps=first.frame_interval_ps,
        source=" + ".join(s.source for s in segs), masses_amu=first.masses_amu,
        kinetic_temperature_K=kin, velocity_interval_ps=first.velocity_interval_ps, warnings=tuple(notes),
    )


def _tail(first: Trajectory, offset: np.ndarray) -> Trajectory:
    """A one-frame stand-in whose last position is ``positions0 + offset`` (the joined run so far)."""
    return Trajectory(symbols=first.symbols, displacements_A=offset[None], cells_A=first.cells_A[:1],
                      positions0_A=first.positions0_A, frame_interval_ps=first.frame_interval_ps)


def read_trajectories(paths: Sequence[str | Path], *, frame_interval_ps: float | None = None) -> Trajectory:
    """Read one trajectory, or restart segments of one run joined by :func:`join_trajectories`.

    Parameters
    ----------
    paths
        Files in time order.
    frame_interval_ps
        Time between saved frames, ps (else from the files).

    Returns
    -------
    Trajectory
    """
    trajs = [read_trajectory(p, frame_interval_ps=frame_interval_ps) for p in paths]
    return trajs[0] if len(trajs) == 1 else join_trajectories(trajs)
