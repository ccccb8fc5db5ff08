"""Electrode tortuosity factor tau_e (Nguyen et al. 2020), the low-frequency limit solved directly.

An electrode is a blocking electrode for the ions of its electrolyte phase:
current enters through the separator face and leaves into the interfaces with
the solid as capacitive (double-layer) current; the current-collector face
carries none. Nguyen et al., "The electrode tortuosity factor: why the conventional
tortuosity factor is not well suited for quantifying transport in porous
Li-ion battery electrodes and what to use instead", npj Comput. Mater. 6, 123
(2020), define

    tau_e = eps sigma A R_ion / L,   R_ion = 3 lim_{w -> 0} Re Z(w)

from the impedance of that transmission line (for a homogeneous line
Z -> R_ion / 3 + 1 / (j w C)). TauFactor's ElectrodeSolver approaches the limit
by solving the complex problem at decreasing frequencies. Here the limit is
solved exactly: as w -> 0 every interface charges at the same rate, so the
ionic current leaves the electrolyte in proportion to the local interface area
a_i, and

    A_V phi = s,  s_i = a_i / sum a,   Re Z(0+) = s . phi

(``A_V`` the conduction matrix with the potential fixed on the separator face
only): one real SPD solve. For straight pores with uniform wall area this
gives tau_e = 1 + 1 / (2 n^2) on an n-voxel grid (the midpoint-rule error of
the discrete line), tested.

Interfaces are the faces between a conducting voxel and a non-conducting one
inside the volume (area ``h_b h_c`` for a face normal to ``a``); the lateral
box faces (unless periodic) and the current-collector face are not counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ssbkit.errors import InputError, require_positive
from ssbkit.records import Record

from . import _sparse_mg
from ._assemble import _keep_clusters, _tables
from .solver import (
    _as_volume,
    _check_axis,
    _check_memory,
    _check_spacing,
    phase_mask,
)

__all__ = ["ElectrodeTortuosity", "electrode_tortuosity"]

_REFERENCES = (
    "Nguyen, Demortiere, Fleutot, Delobel, Delacourt, Cooper, npj Comput. Mater. 6 (2020) 123: electrode "
    "tortuosity factor tau_e = eps sigma A R_ion / L, R_ion = 3 Re Z(w -> 0)",
)


@dataclass(frozen=True)
class ElectrodeTortuosity(Record):
    """Electrode tortuosity factor of one phase along one axis.

    Attributes
    ----------
    axis : int
        Through-thickness axis (index 0 = separator side, the last = current collector).
    tau_e : float
        Electrode tortuosity factor; ``inf`` when no conducting voxel touches the separator face.
    r_ion_rel : float
        ``R_ion sigma A / L`` (= tau_e / eps): the ionic resistance of the electrode
        relative to a slab of bulk electrolyte of the same size.
    volume_fraction : float
        Volume fraction of the phase (all of it, connected or not).
    connected_fraction : float
        Share of the phase connected to the separator face.
    interface_area_rel : float
        Interface area (conducting/solid faces of the connected part) per box cross-section.
    converged : bool
        Whether the solve reached ``tol``.
    iterations : int
        PCG iterations.
    spacing : tuple of float
        Voxel edge lengths (relative).
    periodic : bool
        Lateral faces periodic.
    references : tuple of str
        Source of the definition.
    """

    axis: int
    tau_e: float
    r_ion_rel: float
    volume_fraction: float
    connected_fraction: float
    interface_area_rel: float
    converged: bool
    iterations: int
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    periodic: bool = False
    references: tuple[str, ...] = field(default=_REFERENCES)


def _interface_area(ph: np.ndarray, h: np.ndarray, periodic: bool) -> np.ndarray:
    """Per voxel: area of its faces to non-conducting voxels inside the volume."""
    cond = ph != 0
    area = np.zeros(ph.shape)
    face = (h[1] * h[2], h[0] * h[2], h[0] * h[1])
    for ax in range(3):
        for step in (1, -1):
            nb = np.roll(cond, -step, axis=ax)
            solid = cond & ~nb
            if not (periodic and ax > 0):  # the box face itself is no interface
                edge: list[Any] = [slice(None)] * 3
                edge[ax] = -1 if step == 1 else 0
                solid[tuple(edge)] = False
            area += solid * face[ax]
    return area


def electrode_tortuosity(mask_or_labels: np.ndarray, phase: int | str | None = None, *, axis: int = 0,
                         tol: float = 1e-8, spacing: Sequence[float] | float | None = None,
                         periodic: bool = False, max_iter: int = 2000) -> ElectrodeTortuosity:
    """Electrode tortuosity factor tau_e of the ion-conducting phase (Nguyen et al. 2020).

    Parameters
    ----------
    mask_or_labels : numpy.ndarray
        Mask of the electrolyte (pore) phase, or a label volume with ``phase``.
    phase : int or str, optional
        Label (or ssbkit phase name) of that phase.
    axis : int
        Through-thickness axis; index 0 of it is the separator side.
    tol : float
        Relative residual of the solve.
    spacing : sequence of 3 float, optional
        Voxel edge lengths (only ratios matter).
    periodic : bool
        Lateral faces periodic.
    max_iter : int
        Most PCG iterations.

    Returns
    -------
    ElectrodeTortuosity

    Examples
    --------
    >>> pores = np.zeros((10, 9, 9), dtype=bool); pores[:, 1::3, 1::3] = True  # straight pores
    >>> round(electrode_tortuosity(pores).tau_e, 4)  # 1 + 1 / (2 * 10**2)
    1.005
    """
    mask = phase_mask(mask_or_labels, phase)
    axis = _check_axis(axis)
    tol = require_positive("tol", tol)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise InputError(f"max_iter must be a whole number >= 1, got {max_iter!r}")
    h = _check_spacing(spacing)
    vol = _as_volume(mask.view(np.uint8))
    _check_memory(vol.shape, "sparse")
    eps = float(mask.mean())
    ph = np.ascontiguousarray(np.moveaxis(vol, axis, 0)).astype(np.uint8)
    rest = [h[i] for i in range(3) if i != axis]
    h_moved = (h[axis], rest[0], rest[1])
    total = int(ph.sum())
    kept = _keep_clusters(ph, periodic, both_faces=False) if total else 0
    G, gb, hn = _tables(np.array([0.0, 1.0]), h_moved)
    if kept == 0:
        return ElectrodeTortuosity(axis, math.inf, math.inf, eps, 0.0, 0.0, True, 0, h, periodic)
    area = _interface_area(ph, hn, periodic)
    a, _, cells, coords = _sparse_mg.assemble(ph, G, gb, (False, periodic, periodic), dirichlet_last=False)
    src = area.reshape(-1)[cells]
    n0, n1, n2 = ph.shape
    cross = n1 * hn[1] * n2 * hn[2]
    if src.sum() <= 0:  # no interface at all: the electrode cannot be charged
        return ElectrodeTortuosity(axis, math.inf, math.inf, eps, kept / total, 0.0, True, 0, h, periodic)
    s = src / src.sum()
    levels = _sparse_mg.hierarchy(a, coords)
    phi, its, res = _sparse_mg.pcg(a, s, np.zeros_like(s), levels, tol, max_iter)
    r_lf = float(s @ phi)  # Re Z(0+) in units of 1 / (sigma * length)
    r_rel = 3.0 * r_lf * cross / (n0 * hn[0])
    return ElectrodeTortuosity(axis, float(eps * r_rel), float(r_rel), eps, kept / total,
                               float(src.sum()) / float(cross),
                               bool(res <= tol), int(its), h, periodic)
