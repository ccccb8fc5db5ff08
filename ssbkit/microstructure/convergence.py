"""Voxel-size convergence of the tortuosity factor: Richardson extrapolation with an error band.

A voxel image resolves curved interfaces as staircases; the tortuosity factor
of a particulate phase then lies above its continuum value by an amount that
falls linearly with the voxel size (measured on a sphere in a cube against
Rayleigh's exact result and on the Hlushkou 2018 composite, tests and
benchmarks/results/micro.md). For a geometry that can be voxelised at any
resolution (a generated recipe, an analytic shape) the continuum value follows
from solves at voxel sizes h, h/r, h/r^2 ... by Richardson extrapolation,

    tau_0 = tau_f + (tau_f - tau_c) / (r^p - 1),

with the order p = 1 by default (staircase boundaries) or observed from three
levels, p = ln((tau_1 - tau_2) / (tau_2 - tau_3)) / ln r. Its uncertainty is
Roache's grid convergence index, GCI = F_s |tau_f - tau_c| / (r^p - 1) with the
safety factor F_s = 3 for two levels and 1.25 for three (Roache, J. Fluids Eng.
116 (1994) 405). A segmented image of a real electrode cannot be refined this
way; coarsening it changes its topology, so this applies to generated volumes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..citations import cite
from ..errors import InputError
from ..records import Record
from .generate import generate_microstructure
from .phases import ELECTROLYTE, LabelVolume
from .recipe import Recipe
from .solver import tortuosity_factor

__all__ = ["ConvergedTortuosity", "richardson", "converged_tortuosity"]

_ORDER_RANGE = (0.5, 3.0)


@dataclass(frozen=True)
class ConvergedTortuosity(Record):
    """Tortuosity factors at refined voxel sizes and their extrapolation to zero voxel size.

    Attributes
    ----------
    voxel_um
        Voxel edges solved, coarse to fine, um.
    tortuosity
        Tortuosity factor at each (mean over the axes solved).
    extrapolated
        Richardson estimate of the continuum value.
    order
        Order p used (1 assumed, or observed from three levels and kept within 0.5-3).
    gci
        Roache's grid convergence index of the finest level (absolute, same unit as tau).
    axes
        Axes averaged.
    method
        One line saying how.
    """

    voxel_um: tuple[float, ...]
    tortuosity: tuple[float, ...]
    extrapolated: float
    order: float
    gci: float
    axes: tuple[int, ...]
    method: str


def richardson(values: Sequence[float], ratio: float = 2.0, order: float | None = None) -> tuple[float, float, float]:
    """Richardson extrapolation of values at voxel sizes h, h/ratio, h/ratio^2 ... (coarse first).

    Parameters
    ----------
    values
        Two or more values, coarse to fine.
    ratio
        Refinement ratio r > 1 between consecutive levels.
    order
        Order p; default 1 with two values, observed (clipped to 0.5-3) with three or more.

    Returns
    -------
    tuple of float
        (extrapolated value, order used, grid convergence index of the finest level).

    Examples
    --------
    >>> est, p, gci = richardson([1.2, 1.1], ratio=2.0)
    >>> round(est, 6), p, round(gci, 6)
    (1.0, 1.0, 0.3)
    """
    v = [float(x) for x in values]
    if len(v) < 2 or not all(math.isfinite(x) for x in v):
        raise InputError(f"Richardson extrapolation needs two or more finite values, got {values!r}")
    if not ratio > 1:
        raise InputError(f"refinement ratio must be > 1, got {ratio}")
    p = 1.0 if order is None else float(order)
    if order is None and len(v) >= 3:
        d1, d2 = v[-3] - v[-2], v[-2] - v[-1]
        if d1 * d2 > 0 and d2 != 0:
            p = float(np.clip(math.log(d1 / d2) / math.log(ratio), *_ORDER_RANGE))
    step = (v[-1] - v[-2]) / (ratio**p - 1.0)
    safety = 3.0 if len(v) == 2 else 1.25
    return v[-1] + step, p, safety * abs(step)


def _tau_of(volume: LabelVolume | np.ndarray, phase: int, axes: Sequence[int], periodic: bool) -> float:
    labels = volume.labels if isinstance(volume, LabelVolume) else np.asarray(volume)
    mask = labels == phase if labels.dtype != bool else labels
    taus = [tortuosity_factor(mask, axis=a, periodic=periodic).tortuosity for a in axes]
    return float(np.mean(taus))


def converged_tortuosity(source: Recipe | Callable[[float], LabelVolume | np.ndarray], voxel_um: float, *,
                         levels: int = 2, ratio: float = 2.0, phase: int = ELECTROLYTE,
                         axes: Sequence[int] = (0,), periodic: bool = False,
                         order: float | None = None) -> ConvergedTortuosity:
    """Solve the tortuosity factor at ``levels`` voxel sizes and extrapolate to zero voxel size.

    Parameters
    ----------
    source
        A :class:`Recipe` (generated again at each voxel size, same seed) or a function
        ``voxel_um -> label volume or boolean mask`` of the same geometry.
    voxel_um
        Coarsest voxel edge, um; the others are voxel_um / ratio^k.
    levels
        Number of voxel sizes (2 or more; 3 observes the order).
    ratio
        Refinement ratio between levels.
    phase
        Conducting phase label (default the solid electrolyte); ignored for boolean masks.
    axes
        Axes whose tortuosity factors are averaged at each level.
    periodic
        Periodic lateral faces.
    order
        Convergence order; default as in :func:`richardson`.

    Returns
    -------
    ConvergedTortuosity

    Raises
    ------
    InputError
        Fewer than two levels, a phase with no path at some level (infinite tortuosity).
    """
    cite("Roache1994", "grid convergence index")
    if int(levels) < 2:
        raise InputError(f"levels must be >= 2, got {levels}")
    if not voxel_um > 0:
        raise InputError(f"voxel_um must be > 0, got {voxel_um}")
    sizes = tuple(float(voxel_um) / ratio**k for k in range(int(levels)))
    build = (lambda h: generate_microstructure(source.replace(voxel_um=h))) if isinstance(source, Recipe) else source
    taus = tuple(_tau_of(build(h), phase, axes, periodic) for h in sizes)
    if not all(math.isfinite(t) for t in taus):
        raise InputError(f"no conducting path at some voxel size (tortuosity {taus}): nothing to extrapolate")
    est, p, gci = richardson(taus, ratio, order)
    how = (f"Richardson extrapolation over {len(sizes)} voxel sizes (ratio {ratio:g}, order {p:.2f}"
           f"{' observed' if order is None and len(sizes) >= 3 else ''}); GCI after Roache 1994")
    return ConvergedTortuosity(voxel_um=sizes, tortuosity=taus, extrapolated=float(est), order=float(p),
                               gci=float(gci), axes=tuple(int(a) for a in axes), method=how)
