"""Effective conductivity and tortuosity factor of a labelled voxel volume.

Problem
-------
Steady-state conduction ``div(sigma grad phi) = 0`` on the voxel grid, with a
conductivity per phase (so active material may carry ions or electrons too),
potential 1 on the face ``axis = 0`` side and 0 on the opposite face
(Dirichlet, half a voxel from the first and last voxel centres) and zero flux
through the four other faces. Finite volumes: the conductance of the face
between two voxels is the harmonic mean ``2 s_a s_b / (s_a + s_b)`` of their
conductivities (0 if either is insulating), that of a Dirichlet face ``2 s``.
From the current ``I`` through the volume (``n`` voxels long, ``A`` voxels in
cross-section, voxel size cancels)::

    sigma_eff = I n / A,  tau = eps sigma_ref / sigma_eff  (R-17),
    N_M = sigma_ref / sigma_eff = tau / eps  (MacMullin number),

with ``eps`` the volume fraction of conducting voxels (sigma > 0, including
cut-off ones, as TauFactor counts it) and ``sigma_ref`` the conductivity of the
conducting phase (volume-weighted mean over the conducting phases when there
are several, unless ``reference_sigma`` is given). Equation R-17 is that of
Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850 (``science.md`` §3).

Algorithm
---------
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
   error of ``sigma_eff`` is of that order) below ``100 tol``.
   Start: the linear potential profile.
5. Threads: numba's parallel loops run on all threads for volumes of 2e6
   voxels or more while the load average leaves a CPU free, else on one
   (spinning OpenMP threads make an oversubscribed machine much slower).

Memory: about 29 bytes per voxel on the fine grid (phase index, float64
potential, five float32 vectors) plus about 4.5 for the coarse levels, 34 in
all (:func:`solver_memory_bytes`): a 512^3 volume needs about 4.2 GiB.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numba
import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import splu

from ssbkit.errors import InputError, require_positive
from ssbkit.microstructure import _kernels as K

__all__ = [
    "EffectiveConductivity",
    "effective_conductivity",
    "tortuosity_factor",
    "solver_memory_bytes",
]

_OMEGA = 1.5  # over-correction of the aggregation coarse-grid step
_FLUX_TOL = 100.0  # face-current mismatch allowed, in units of tol
_COARSEST = 4096
_INNER_FLOOR = 1e-5  # float32 PCG: relative residual reduction per restart
_PARALLEL_MIN = 2_000_000  # voxels below which one thread is faster  # cells on the coarsest grid (sparse LU)
_BYTES_FINE = 29.0  # uint8 phase + float64 potential + 5 float32 vectors
_BYTES_COARSE = 4.5  # levels 1.. : 4 float32 stencil arrays + 3 vectors, /8 per level
_BYTES_LABELLING = 6.0  # connectivity stage: int32 cluster labels + bool mask + phase


@dataclass(frozen=True)
class EffectiveConductivity:
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
        ``tau = eps sigma_ref / sigma_eff`` (R-17); ``math.inf`` if nothing percolates.
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

    def to_dict(self) -> dict:
        """JSON-ready dict (infinite values become the string ``"inf"``)."""
        d = asdict(self)
        for key in ("tortuosity", "macmullin"):
            if math.isinf(d[key]):
                d[key] = "inf"
        return d


def solver_memory_bytes(shape: tuple[int, ...]) -> int:
    """Peak memory (bytes) :func:`effective_conductivity` needs for a volume of ``shape``.

    The input array itself is not counted.
    """
    n = float(np.prod([int(s) for s in shape]))
    return int(n * max(_BYTES_FINE + _BYTES_COARSE, _BYTES_LABELLING) + 64e6)


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


@contextmanager
def _threads(n_voxels: int) -> Iterator[None]:
    """Run the kernels on one thread for small volumes or when the CPUs are busy.

    OpenMP threads that wait for a descheduled partner make every parallel
    loop slow on an oversubscribed machine; one thread is then faster.
    """
    before = numba.get_num_threads()
    busy = os.getloadavg()[0] > os.cpu_count() - 0.5 if hasattr(os, "getloadavg") else False
    numba.set_num_threads(1 if n_voxels < _PARALLEL_MIN or busy else before)
    try:
        yield
    finally:
        numba.set_num_threads(before)


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


def _phase_index(labels: np.ndarray, conductivities: Mapping[int, float], axis: int):
    """Map labels to a uint8 phase index, ``axis`` moved first: (ph, sigma, eps, mean sigma)."""
    sig = {}
    for key, value in conductivities.items():
        try:
            s = float(value)
        except (TypeError, ValueError):
            raise InputError(f"conductivity of label {key!r} must be a number, got {value!r}") from None
        if not math.isfinite(s) or s < 0:
            raise InputError(f"conductivity of label {key!r} must be finite and >= 0, got {value!r}")
        sig[int(key)] = s
    lo, hi = int(labels.min()), int(labels.max())
    if hi - lo < 1 << 22:
        counts = K.label_histogram(labels, lo, hi - lo + 1)
        present = (np.nonzero(counts)[0] + lo).tolist()
        counts = {v: int(counts[v - lo]) for v in present}
    else:
        values, cnt = np.unique(labels, return_counts=True)
        present, counts = values.tolist(), dict(zip(values.tolist(), cnt.tolist(), strict=True))
    missing = [v for v in present if v not in sig]
    if missing:
        raise InputError(
            f"labels {missing} have no conductivity in the map (given for {sorted(sig)}); "
            "add them, with 0 for insulating phases")
    conducting = [v for v in present if sig[v] > 0]
    if len(conducting) > 254:
        raise InputError(f"at most 254 conducting phases are supported, got {len(conducting)}")
    sigma = np.zeros(len(conducting) + 1)
    sigma[1:] = [sig[v] for v in conducting]
    n_cond = sum(counts[v] for v in conducting)
    eps = n_cond / labels.size
    sigma_mean = sum(counts[v] * sig[v] for v in conducting) / n_cond if n_cond else 0.0
    view = np.moveaxis(labels, axis, 0)
    ph = np.empty(view.shape, dtype=np.uint8)
    if hi - lo < 1 << 22:
        lut = np.zeros(hi - lo + 1, dtype=np.uint8)
        for n, v in enumerate(conducting, start=1):
            lut[v - lo] = n
        K.map_labels(view, lut, lo, ph)
    else:
        pos = np.searchsorted(np.asarray(conducting), view)
        pos = np.minimum(pos, len(conducting) - 1) if conducting else pos
        ok = np.asarray(conducting)[pos] == view if conducting else np.zeros(view.shape, bool)
        ph[...] = np.where(ok, pos + 1, 0)
    return ph, sigma, eps, sigma_mean


def _keep_current_carrying(ph: np.ndarray) -> int:
    """Zero the clusters that do not join both faces of axis 0; return voxels kept."""
    structure = ndimage.generate_binary_structure(3, 1)
    lab, n = ndimage.label(ph != 0, structure=structure)
    both = np.intersect1d(np.unique(lab[0]), np.unique(lab[-1]))
    both = both[both != 0]
    keep = np.zeros(n + 1, dtype=np.bool_)
    keep[both] = True
    kept = K.drop_clusters(ph, lab, keep) if both.size else 0
    if not both.size:
        ph[...] = 0
    return int(kept)


# ---------------------------------------------------------------- multigrid
class _Level:
    """Arrays of one coarse level (stencil, solution, right-hand side)."""

    def __init__(self, shape):
        self.gx, self.gy, self.gz, self.dg, self.b = (
            np.empty(shape, np.float32) for _ in range(5))
        self.x = np.zeros(shape, np.float32)  # empty cells must stay 0
        self.lu = None
        self.idx = None


def _coarse_shape(shape):
    return tuple((s + 1) // 2 for s in shape)


def _build_hierarchy(ph, G, gb) -> list[_Level]:
    levels: list[_Level] = []
    shape = ph.shape
    while np.prod(shape) > _COARSEST:
        cshape = _coarse_shape(shape)
        lev = _Level(cshape)
        if not levels:
            K.fine_coarsen(ph, G, gb, lev.gx, lev.gy, lev.gz, lev.dg)
        else:
            f = levels[-1]
            K.coarse_coarsen(f.gx, f.gy, f.gz, f.dg, lev.gx, lev.gy, lev.gz, lev.dg)
        levels.append(lev)
        shape = cshape
    if levels:
        _factorise(levels[-1])
    return levels


def _factorise(lev: _Level) -> None:
    """Sparse LU of the coarsest operator on its non-empty cells."""
    active = lev.dg != 0
    idx = -np.ones(lev.dg.shape, dtype=np.int64)
    idx[active] = np.arange(int(active.sum()))
    rows, cols, vals = [idx[active]], [idx[active]], [lev.dg[active].astype(np.float64)]
    for ax, g in enumerate((lev.gx, lev.gy, lev.gz)):
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[ax], hi[ax] = slice(0, -1), slice(1, None)
        a, b, w = idx[tuple(lo)], idx[tuple(hi)], g[tuple(lo)].astype(np.float64)
        m = (a >= 0) & (b >= 0) & (w != 0)
        rows += [a[m], b[m]]
        cols += [b[m], a[m]]
        vals += [-w[m], -w[m]]
    n = int(active.sum())
    mat = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                     shape=(n, n)).tocsc()
    lev.lu = splu(mat)
    lev.idx = active


def _vcycle(ph, G, gb, levels, b, x) -> float:
    """x = M^-1 b by one symmetric V-cycle from x = 0; return b . x.

    ``x`` must be 0 on the cells outside the solve (``ph == 0``).
    """
    if not levels:
        x[...] = 0.0
        for _ in range(20):
            K.fine_smooth(ph, G, gb, x, b, 0)
            K.fine_smooth(ph, G, gb, x, b, 1)
        return K.dot(b, x)
    K.fine_jacobi_first(ph, G, gb, x, b, 0)
    K.fine_smooth(ph, G, gb, x, b, 1)
    K.fine_restrict_residual(ph, G, gb, x, b, levels[0].b, 0)  # black residual is zero
    _coarse_cycle(levels, 0)
    K.prolong_add(x, levels[0].x, ph, _OMEGA)
    return K.fine_smooth(ph, G, gb, x, b, 1) + K.fine_smooth(ph, G, gb, x, b, 0)


def _coarse_cycle(levels, n) -> None:
    lev = levels[n]
    if n == len(levels) - 1:
        lev.x[...] = 0.0
        lev.x[lev.idx] = lev.lu.solve(lev.b[lev.idx].astype(np.float64))
        return
    nxt = levels[n + 1]
    K.coarse_jacobi_first(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 0)
    K.coarse_smooth(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 1)
    K.coarse_restrict_residual(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, nxt.b, 0)
    _coarse_cycle(levels, n + 1)
    K.prolong_add(lev.x, nxt.x, lev.dg, _OMEGA)
    K.coarse_smooth(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 1)
    K.coarse_smooth(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 0)


def _solve(ph, sigma, tol, max_iter):
    """Mixed-precision MG-PCG; return (current, iterations, residual, converged)."""
    s = sigma / sigma.max()
    with np.errstate(divide="ignore", invalid="ignore"):
        G = np.where((s[:, None] > 0) & (s[None, :] > 0),
                     2 * s[:, None] * s[None, :] / (s[:, None] + s[None, :]), 0.0)
    G = G.astype(np.float32)
    gb = (2 * s).astype(np.float32)
    levels = _build_hierarchy(ph, G, gb)
    n0 = ph.shape[0]
    x = np.where(ph != 0, (1.0 - (np.arange(n0) + 0.5) / n0)[:, None, None], 0.0)
    r, p, q, d = (np.empty(ph.shape, np.float32) for _ in range(4))
    z = np.zeros(ph.shape, np.float32)
    iterations = 0
    while True:
        rr, bb, _, f_in, f_out = K.fine_true_residual(ph, G, gb, 1.0, x, r)
        res = math.sqrt(rr / bb)
        mismatch = abs(f_in - f_out) / max(abs(0.5 * (f_in + f_out)), 1e-300)
        if (res <= tol and mismatch <= _FLUX_TOL * tol) or iterations >= max_iter:
            break
        target = min(max(0.3 * tol / res, _INNER_FLOOR), 1e-2) * math.sqrt(rr)
        d[...] = 0.0
        rz = _vcycle(ph, G, gb, levels, r, z)
        p[...] = z
        best, stalled, started = rr, 0, iterations
        while iterations < max_iter:
            pq = K.fine_matvec_dot(ph, G, gb, p, q)
            if pq <= 0:
                break
            rr_in = K.axpy2(np.float32(rz / pq), p, q, d, r)
            iterations += 1
            best, stalled = (rr_in, 0) if rr_in < 0.95 * best else (best, stalled + 1)
            if math.sqrt(rr_in) <= target or stalled >= 10:  # done, or float32 stalls
                break
            rz_new = _vcycle(ph, G, gb, levels, r, z)
            K.xpby(z, np.float32(rz_new / rz), p)
            rz = rz_new
        K.add_into(x, d)
        if iterations == started:  # breakdown (p . Ap <= 0): no further progress possible
            rr, bb, _, f_in, f_out = K.fine_true_residual(ph, G, gb, 1.0, x, r)
            res = math.sqrt(rr / bb)
            mismatch = abs(f_in - f_out) / max(abs(0.5 * (f_in + f_out)), 1e-300)
            break
    current = 0.5 * (f_in + f_out) * sigma.max()
    converged = res <= tol and mismatch <= _FLUX_TOL * tol
    return current, iterations, res, converged


# ------------------------------------------------------------------ public API
def effective_conductivity(labels: np.ndarray, conductivities: Mapping[int, float], *,
                           axis: int = 0, tol: float = 1e-6, max_iter: int | None = None,
                           reference_sigma: float | None = None) -> EffectiveConductivity:
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

    Returns
    -------
    EffectiveConductivity
        ``sigma_eff`` in the unit of ``conductivities``; ``tortuosity = inf`` and
        ``percolates = False`` when no conducting path joins the two faces.

    Raises
    ------
    InputError
        Labels missing from ``conductivities``, a bad axis or tolerance, or a
        volume too large for the memory available (the message gives the estimate).

    Examples
    --------
    >>> vol = np.zeros((20, 10, 10), dtype=np.uint8); vol[:, :5] = 1
    >>> round(effective_conductivity(vol, {0: 0.0, 1: 2.0}).sigma_eff, 6)
    1.0
    """
    vol = _as_volume(labels)
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer) or not -3 <= axis < 3:
        raise InputError(f"axis must be 0, 1 or 2, got {axis!r}")
    axis = int(axis) % 3
    tol = require_positive("tol", tol)
    max_iter = 1000 if max_iter is None else int(require_positive("max_iter", max_iter))
    need = solver_memory_bytes(vol.shape)
    have = _available_bytes()
    if need > have:
        raise InputError(
            f"volume {vol.shape} needs about {need / 2**30:.1f} GiB to solve, "
            f"only {have / 2**30:.1f} GiB available; crop or downsample it")
    if reference_sigma is not None:
        reference_sigma = require_positive("reference_sigma", reference_sigma)
    with _threads(vol.size):
        ph, sigma, eps, sigma_ref = _phase_index(vol, conductivities, axis)
        kept = _keep_current_carrying(ph) if eps > 0 else 0
        if kept == 0:
            return EffectiveConductivity(axis, 0.0, eps, math.inf, math.inf, False, True, 0, 0.0)
        current, its, res, ok = _solve(ph, sigma, tol, max_iter)
    sigma_ref = reference_sigma or sigma_ref
    n0, n1, n2 = ph.shape
    sigma_eff = current * n0 / (n1 * n2)
    macmullin = sigma_ref / sigma_eff if sigma_eff > 0 else math.inf
    return EffectiveConductivity(axis, float(sigma_eff), float(eps), float(eps * macmullin),
                                 float(macmullin), True, bool(ok), int(its), float(res))


def tortuosity_factor(mask_or_labels: np.ndarray, phase: int | None = None, *, axis: int = 0,
                      tol: float = 1e-6) -> EffectiveConductivity:
    """Tortuosity factor of one conducting phase (sigma = 1, the rest insulating), R-17.

    Parameters
    ----------
    mask_or_labels : numpy.ndarray
        A boolean / 0-1 mask of the conducting phase, or a label volume with ``phase``.
    phase : int, optional
        Label of the conducting phase; required unless a mask is given.
    axis, tol
        As in :func:`effective_conductivity`.

    Returns
    -------
    EffectiveConductivity
        ``tortuosity = eps / sigma_eff`` (``sigma_ref = 1``).
    """
    vol = _as_volume(mask_or_labels, "mask_or_labels")
    if phase is None:
        if vol.dtype != np.uint8 or int(vol.max()) > 1:
            if int(vol.min()) < 0 or int(vol.max()) > 1:
                raise InputError("mask_or_labels holds labels other than 0/1; pass phase=<label>")
        mask = vol != 0
    else:
        mask = vol == phase  # an absent phase simply does not percolate
    return effective_conductivity(mask.view(np.uint8), {0: 0.0, 1: 1.0}, axis=axis, tol=tol,
                                  reference_sigma=1.0)
