"""Effective conductivity and tortuosity factor of a labelled voxel volume.

Problem
-------
Steady-state conduction ``div(sigma grad phi) = 0`` on the voxel grid, with a
conductivity per phase (so active material may carry ions or electrons too),
potential 1 on the face ``axis = 0`` side and 0 on the opposite face
(Dirichlet, half a voxel from the first and last voxel centres) and zero flux
through the four other faces, or (``periodic=True``) periodic continuation
across them. Finite volumes: the conductance of the face
between two voxels is the harmonic mean ``2 s_a s_b / (s_a + s_b)`` of their
conductivities (0 if either is insulating), that of a Dirichlet face ``2 s``.
Voxels may be anisotropic (``spacing = (h0, h1, h2)``, as TauFactor's
AnisotropicSolver): a face normal to axis ``a`` then has conductance
``sigma * h_b h_c / h_a``. From the current ``I`` through the volume
(``L`` long, ``A`` in cross-section)::

    sigma_eff = I L / A,  tau = eps sigma_ref / sigma_eff  (R-17),
    N_M = sigma_ref / sigma_eff = tau / eps  (MacMullin number),

with ``eps`` the volume fraction of conducting voxels (sigma > 0, including
cut-off ones, as TauFactor counts it) and ``sigma_ref`` the conductivity of the
conducting phase (volume-weighted mean over the conducting phases when there
are several, unless ``reference_sigma`` is given). Equation R-17 is that of
Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850 (``science.md`` §3).

Algorithm
---------
Two implementations of the same discretisation and preconditioner:
``method="sparse"`` (scipy sparse matrices, no JIT: :mod:`._sparse_mg`; the
default below ``SPARSE_MAX_VOXELS`` voxels and for periodic solves, so that a
first run compiles nothing) and ``method="multigrid"`` (matrix-free numba
kernels, :mod:`._multigrid`; the default for larger volumes, about 5x less
memory and several times faster there). The matrix-free path:

1. Labels -> a ``uint8`` phase index (0 = insulating), the transport axis moved
   to axis 0 (numba kernels, no large temporaries).
2. ``scipy.ndimage.label`` (face connectivity) finds the clusters; those that
   do not touch both electrodes carry no current and are dropped (isolated
   clusters would make the system singular). None left: ``tau = inf``.
3. Preconditioned conjugate gradients on the remaining voxels, matrix-free:
   the fine operator is evaluated from the phase index and a small
   conductance table. The preconditioner is one multigrid V-cycle with
   coefficient-aware coarsening: Galerkin coarse operators of 2x2x2
   piecewise-constant aggregation (face conductances add up, so insulating
   walls and bottlenecks survive coarsening), symmetric red-black
   Gauss-Seidel smoothing, an over-corrected coarse-grid step (factor
   ``_OMEGA``, the usual remedy for unsmoothed aggregation) and a sparse LU
   solve on the coarsest grid (< ``_COARSEST`` cells).
   After the black half-sweep only red cells carry a residual, so the
   restriction evaluates half the cells; the post-smoothing sweeps return
   ``r . z`` for CG on the fly.
4. Mixed precision: the Krylov vectors are float32 (4 vectors + the
   correction); the potential and the true residual are float64 and the
   float32 PCG (each round: residual down by ``_INNER_FLOOR`` at most, or until
   it stalls) is restarted on the true residual (iterative refinement) until
   the relative residual ``|b - A x| / |b|`` is below ``tol`` and the mismatch
   of the currents through the two faces (TauFactor's criterion; the relative
   error of ``sigma_eff`` is of that order) below ``100 tol``. Both paths
   also ask the dissipated power at unit voltage (equal to the current for the
   exact solution, error quadratic in that of ``x``) to match within ``100 tol``:
   with voxels much shorter along the transport axis the face currents can
   agree while both are off by more than that.
   Start: the linear potential profile.
5. Threads: numba's parallel loops run on all threads for volumes of 2e6
   voxels or more while the load average leaves a CPU free, else on one
   (spinning OpenMP threads make an oversubscribed machine much slower).

The electrode tortuosity (:func:`electrode_tortuosity`) is in
:mod:`._electrode`.

Memory: about 29 bytes per voxel on the fine grid (phase index, float64
potential, five float32 vectors) plus about 4.5 for the coarse levels, 34 in
all (:func:`solver_memory_bytes`): a 512^3 volume needs about 4.2 GiB.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ssbkit.errors import InputError, require_positive
from ssbkit.records import Record

from ..citations import cite
from ._assemble import _keep_clusters, _phase_index, _tables
from .phases import phase_label

__all__ = [
    "EffectiveConductivity",
    "effective_conductivity",
    "tortuosity_factor",
    "solver_memory_bytes",
    "SPARSE_MAX_VOXELS",
]

_FLUX_TOL = 100.0  # face-current mismatch allowed, in units of tol
#: Volumes up to this many voxels are solved on the scipy path by default (no JIT compile).
SPARSE_MAX_VOXELS = 400_000
_BYTES_FINE = 29.0  # uint8 phase + float64 potential + 5 float32 vectors
_BYTES_COARSE = 4.5  # levels 1.. : 4 float32 stencil arrays + 3 vectors, /8 per level
_BYTES_LABELLING = 6.0  # connectivity stage: int32 cluster labels + bool mask + phase
_BYTES_SPARSE = 330.0  # CSR matrix, its COO assembly and the hierarchy
_METHODS = ("auto", "multigrid", "sparse")


@dataclass(frozen=True)
class EffectiveConductivity(Record):
    """Result of a steady-state conduction solve along one axis.

    Attributes
    ----------
    axis : int
        Transport axis (0, 1 or 2 of the input array).
    sigma_eff : float
        Effective conductivity, same unit as the input conductivities.
    volume_fraction : float
        Volume fraction of the conducting phase(s) (sigma > 0), cut-off voxels included.
    tortuosity : float
        ``tau = eps sigma_ref / sigma_eff`` (R-17); ``math.inf`` (``null`` in JSON)
        if nothing percolates.
    macmullin : float
        ``sigma_ref / sigma_eff = tau / eps``; ``math.inf`` if nothing percolates.
    percolates : bool
        Whether a conducting path joins the two faces normal to ``axis``.
    converged : bool
        Whether the relative residual reached ``tol`` and the face-current mismatch ``100 tol``.
    iterations : int
        Preconditioned CG iterations.
    residual : float
        Final relative residual ``|b - A x|_2 / |b|_2``.
    method : str
        ``"multigrid"`` (numba, matrix-free) or ``"sparse"`` (scipy).
    spacing : tuple of float
        Voxel edge lengths along axes 0, 1, 2 of the input (relative; (1, 1, 1) = cubic).
    periodic : bool
        Lateral faces periodic (else no flux through them).
    """

    axis: int
    sigma_eff: float
    volume_fraction: float
    tortuosity: float
    macmullin: float
    percolates: bool
    converged: bool
    iterations: int
    residual: float
    method: str = "multigrid"
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    periodic: bool = False


def solver_memory_bytes(shape: tuple[int, ...], method: str = "multigrid") -> int:
    """Peak memory (bytes) :func:`effective_conductivity` needs for a volume of ``shape``.

    Parameters
    ----------
    shape : tuple of int
        Volume shape.
    method : str
        ``"multigrid"`` (about 34 bytes per voxel) or ``"sparse"`` (about 330).

    Returns
    -------
    int
        The estimate; the input array itself is not counted.
    """
    n = float(np.prod([int(s) for s in shape]))
    per = _BYTES_SPARSE if method == "sparse" else max(_BYTES_FINE + _BYTES_COARSE, _BYTES_LABELLING)
    return int(n * per + 64e6)


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


# ------------------------------------------------------------------ input side
def _as_volume(labels: np.ndarray, name: str = "labels") -> np.ndarray:
    if not isinstance(labels, np.ndarray):
        raise InputError(f"{name} must be a numpy array, got {type(labels).__name__}")
    if labels.dtype == bool:
        labels = labels.view(np.uint8)
    if not np.issubdtype(labels.dtype, np.integer):
        raise InputError(f"{name} must hold integer labels, got dtype {labels.dtype}")
    if labels.ndim == 2:
        labels = labels[:, :, None]
    if labels.ndim != 3 or labels.size == 0:
        raise InputError(f"{name} must be a non-empty 2-D or 3-D array, got shape {labels.shape}")
    return labels


def _check_axis(axis) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer) or not -3 <= axis < 3:
        raise InputError(f"axis must be 0, 1 or 2, got {axis!r}")
    return int(axis) % 3


def _check_spacing(spacing: Sequence[float] | float | None) -> tuple[float, float, float]:
    if spacing is None:
        return (1.0, 1.0, 1.0)
    if isinstance(spacing, int | float):
        spacing = (spacing,) * 3
    try:
        h = tuple(float(v) for v in spacing)
    except (TypeError, ValueError):
        raise InputError(f"spacing must be three voxel edge lengths, got {spacing!r}") from None
    if len(h) != 3 or not all(math.isfinite(v) and v > 0 for v in h):
        raise InputError(f"spacing must be three positive voxel edge lengths, got {spacing!r}")
    return h  # type: ignore[return-value]


def _pick_method(method: str, n_voxels: int, periodic: bool) -> str:
    if method not in _METHODS:
        from ssbkit.errors import did_you_mean

        raise InputError(f"solver method '{method}' unknown{did_you_mean(method, _METHODS)}")
    if method == "auto":
        return "sparse" if periodic or n_voxels <= SPARSE_MAX_VOXELS else "multigrid"
    if method == "multigrid" and periodic:
        raise InputError("periodic boundaries are solved with method='sparse' (or 'auto')")
    return method


def _check_memory(shape, method: str) -> None:
    need = solver_memory_bytes(shape, method)
    have = _available_bytes()
    if need > have:
        raise InputError(
            f"volume {tuple(shape)} needs about {need / 2**30:.1f} GiB to solve ({method}), "
            f"only {have / 2**30:.1f} GiB available; crop or downsample it")


# ------------------------------------------------------------------ public API
def effective_conductivity(labels: np.ndarray, conductivities: Mapping[int, float], *,
                           axis: int = 0, tol: float = 1e-6, max_iter: int | None = None,
                           reference_sigma: float | None = None,
                           spacing: Sequence[float] | float | None = None, periodic: bool = False,
                           method: str = "auto") -> EffectiveConductivity:
    """Effective conductivity of a labelled voxel volume along one axis (R-17).

    Parameters
    ----------
    labels : numpy.ndarray
        Integer (or bool) label volume, 3-D (or 2-D, taken as one voxel thick).
    conductivities : Mapping[int, float]
        Conductivity of every label present (any unit; 0 = insulating).
    axis : int
        Transport axis; Dirichlet potentials on the two faces normal to it.
    tol : float
        Target for the relative residual; the relative mismatch of the
        currents through the two faces must be below ``100 tol``.
    max_iter : int, optional
        Most PCG iterations (default 1000); not reaching ``tol`` gives ``converged=False``.
    reference_sigma : float, optional
        ``sigma_ref`` of ``tau = eps sigma_ref / sigma_eff``; default: the
        volume-weighted mean conductivity of the conducting phases.
    spacing : sequence of 3 float, optional
        Voxel edge lengths along axes 0, 1, 2 (any unit, only ratios matter);
        default cubic voxels.
    periodic : bool
        Continue the volume periodically across the four lateral faces (the
        faces normal to ``axis`` keep their potentials).
    method : {"auto", "sparse", "multigrid"}
        Implementation (see the module docstring); ``"auto"``: sparse for
        periodic solves and volumes up to :data:`SPARSE_MAX_VOXELS`.

    Returns
    -------
    EffectiveConductivity
        ``sigma_eff`` in the unit of ``conductivities``; ``tortuosity = inf`` and
        ``percolates = False`` when no conducting path joins the two faces.

    Raises
    ------
    InputError
        Labels missing from ``conductivities``, a bad axis, spacing, method or
        tolerance, or a volume too large for the memory available (the message
        gives the estimate).

    Examples
    --------
    >>> vol = np.zeros((20, 10, 10), dtype=np.uint8); vol[:, :5] = 1
    >>> round(effective_conductivity(vol, {0: 0.0, 1: 2.0}).sigma_eff, 6)
    1.0
    """
    vol = _as_volume(labels)
    axis = _check_axis(axis)
    tol = require_positive("tol", tol)
    max_iter = 1000 if max_iter is None else int(require_positive("max_iter", max_iter))
    h = _check_spacing(spacing)
    periodic = bool(periodic)
    chosen = _pick_method(method, vol.size, periodic)
    _check_memory(vol.shape, chosen)
    if reference_sigma is not None:
        reference_sigma = require_positive("reference_sigma", reference_sigma)
    jit = chosen == "multigrid"
    ph, sigma, eps, sigma_ref = _phase_index(vol, conductivities, axis, jit)
    rest = [h[i] for i in range(3) if i != axis]
    h_moved = (h[axis], rest[0], rest[1])
    kept = _keep_clusters(ph, periodic, jit=jit) if eps > 0 else 0
    if kept == 0:
        return EffectiveConductivity(axis, 0.0, eps, math.inf, math.inf, False, True, 0, 0.0,
                                     chosen, h, periodic)
    G, gb, hn = _tables(sigma, h_moved)
    if jit:
        from . import _multigrid

        current, its, res, ok = _multigrid.solve(ph, G, gb, tol, max_iter, _FLUX_TOL)
    else:
        from . import _sparse_mg

        current, its, res, ok = _sparse_mg.solve(ph, G, gb, (False, periodic, periodic), tol,
                                                 max_iter, _FLUX_TOL)
    sigma_ref = reference_sigma or sigma_ref
    n0, n1, n2 = ph.shape
    sigma_eff = current * sigma.max() * n0 * hn[0] / (n1 * hn[1] * n2 * hn[2])
    macmullin = sigma_ref / sigma_eff if sigma_eff > 0 else math.inf
    return EffectiveConductivity(axis, float(sigma_eff), float(eps), float(eps * macmullin),
                                 float(macmullin), True, bool(ok), int(its), float(res),
                                 chosen, h, periodic)


def tortuosity_factor(mask_or_labels: np.ndarray, phase: int | str | None = None, *, axis: int = 0,
                      tol: float = 1e-6, spacing: Sequence[float] | float | None = None,
                      periodic: bool = False, method: str = "auto") -> EffectiveConductivity:
    """Tortuosity factor of one conducting phase (sigma = 1, the rest insulating), R-17.

    Parameters
    ----------
    mask_or_labels : numpy.ndarray
        A boolean / 0-1 mask of the conducting phase, or a label volume with ``phase``.
    phase : int or str, optional
        Label (or ssbkit phase name) of the conducting phase; required unless a mask is given.
    axis, tol, spacing, periodic, method
        As in :func:`effective_conductivity`.

    Returns
    -------
    EffectiveConductivity
        ``tortuosity = eps / sigma_eff`` (``sigma_ref = 1``).

    Examples
    --------
    >>> vol = np.ones((8, 8, 8), dtype=bool)
    >>> tortuosity_factor(vol).tortuosity
    1.0
    """
    cite("Falco2019", "eq. R-17")
    mask = phase_mask(mask_or_labels, phase)
    return effective_conductivity(mask.view(np.uint8), {0: 0.0, 1: 1.0}, axis=axis, tol=tol,
                                  reference_sigma=1.0, spacing=spacing, periodic=periodic,
                                  method=method)


def phase_mask(mask_or_labels: np.ndarray, phase: int | str | None = None) -> np.ndarray:
    """Boolean mask of one phase from a 0/1 mask or a label volume with ``phase``.

    Parameters
    ----------
    mask_or_labels : numpy.ndarray
        Mask (bool or 0/1) or label volume.
    phase : int or str, optional
        Label to select (or an ssbkit phase name); required unless a mask is given.

    Returns
    -------
    numpy.ndarray
        3-D boolean array.
    """
    vol = _as_volume(mask_or_labels, "mask_or_labels")
    if phase is None:
        if vol.dtype != np.uint8 or int(vol.max()) > 1:
            if int(vol.min()) < 0 or int(vol.max()) > 1:
                raise InputError("mask_or_labels holds labels other than 0/1; pass phase=<label>")
        return vol != 0
    return vol == phase_label(phase)  # an absent phase simply does not percolate
