"""Matrix-free multigrid-preconditioned CG with numba kernels (large volumes).

See :mod:`ssbkit.microstructure.solver` for the problem and the algorithm; the
kernels are in :mod:`ssbkit.microstructure._kernels`. This module (and numba)
is imported only when a volume is large enough to need it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import splu

from ssbkit.microstructure import _kernels as K
from ssbkit.microstructure import _kernels_coarse as C
from ssbkit.microstructure import _kernels_vec as V

__all__: list[str] = []  # private module

_OMEGA = 1.5  # over-correction of the aggregation coarse-grid step
_COARSEST = 4096  # cells on the coarsest grid (sparse LU)
_INNER_FLOOR = 1e-5  # float32 PCG: relative residual reduction per restart
_PARALLEL_MIN = 2_000_000  # voxels below which one thread is faster


@contextmanager
def _threads(n_voxels: int) -> Iterator[None]:
    """Run the kernels on one thread for small volumes or when the CPUs are busy.

    OpenMP threads that wait for a descheduled partner make every parallel
    loop slow on an oversubscribed machine; one thread is then faster.
    """
    before = numba.get_num_threads()
    busy = os.getloadavg()[0] > (os.cpu_count() or 1) - 0.5 if hasattr(os, "getloadavg") else False
    numba.set_num_threads(1 if n_voxels < _PARALLEL_MIN or busy else before)
    try:
        yield
    finally:
        numba.set_num_threads(before)


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
            C.fine_coarsen(ph, G, gb, lev.gx, lev.gy, lev.gz, lev.dg)
        else:
            f = levels[-1]
            C.coarse_coarsen(f.gx, f.gy, f.gz, f.dg, lev.gx, lev.gy, lev.gz, lev.dg)
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
            K.fine_smooth(ph, G, gb, x, b, 0, False)
            K.fine_smooth(ph, G, gb, x, b, 1, False)
        return V.dot(b, x)
    K.fine_smooth(ph, G, gb, x, b, 0, True)
    K.fine_smooth(ph, G, gb, x, b, 1, False)
    K.fine_restrict_residual(ph, G, gb, x, b, levels[0].b, 0)  # black residual is zero
    _coarse_cycle(levels, 0)
    C.prolong_add(x, levels[0].x, ph, _OMEGA, 0)  # the colour-1 sweep reads colour 0 only
    return K.fine_smooth(ph, G, gb, x, b, 1, False) + K.fine_smooth(ph, G, gb, x, b, 0, False)


def _coarse_cycle(levels, n) -> None:
    lev = levels[n]
    if n == len(levels) - 1:
        lev.x[...] = 0.0
        lev.x[lev.idx] = lev.lu.solve(lev.b[lev.idx].astype(np.float64))
        return
    nxt = levels[n + 1]
    C.coarse_smooth(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 0, True)
    C.coarse_smooth(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 1, False)
    C.coarse_restrict_residual(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, nxt.b, 0)
    _coarse_cycle(levels, n + 1)
    C.prolong_add(lev.x, nxt.x, lev.dg, _OMEGA, 0)
    C.coarse_smooth(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 1, False)
    C.coarse_smooth(lev.gx, lev.gy, lev.gz, lev.dg, lev.x, lev.b, 0, False)


def solve(ph, G, gb, tol, max_iter, flux_tol):
    """Mixed-precision MG-PCG; return (current, iterations, residual, converged).

    ``G[axis, a, b]``: face conductances per axis and phase pair; ``gb[a]``:
    Dirichlet half-cell conductances on the faces of axis 0.

    Parameters
    ----------
    ph : numpy.ndarray
        uint8 phase index, transport axis first (0 = not solved).
    G, gb : numpy.ndarray
        Face conductances per axis and phase pair; Dirichlet half-cell conductances.
    tol, max_iter, flux_tol
        Tolerance, iteration limit, allowed face-current mismatch in units of tol.

    Returns
    -------
    tuple
        (current, iterations, relative residual, converged)
    """
    with _threads(ph.size):
        return _solve(ph, np.ascontiguousarray(G, dtype=np.float32),
                      np.ascontiguousarray(gb, dtype=np.float32), tol, max_iter, flux_tol)


def _mismatch(f_in: float, f_out: float, x: np.ndarray, r: np.ndarray) -> float:
    """Relative disagreement of the two face currents and the dissipated power ``f_in - x . r``.

    At unit voltage the power equals the current for the exact solution, with an error
    quadratic in that of ``x``: it catches a smooth error mode that biases both face
    currents alike (voxels much shorter along the transport axis).
    """
    mean = 0.5 * (f_in + f_out)
    power = f_in - V.dot(x, r)
    return max(abs(f_in - f_out), abs(power - mean)) / max(abs(mean), 1e-300)


def _solve(ph, G, gb, tol, max_iter, flux_tol):
    levels = _build_hierarchy(ph, G, gb)
    n0 = ph.shape[0]
    x = np.where(ph != 0, (1.0 - (np.arange(n0) + 0.5) / n0)[:, None, None], 0.0)
    r, p, q, d = (np.empty(ph.shape, np.float32) for _ in range(4))
    z = np.zeros(ph.shape, np.float32)
    iterations = 0
    while True:
        rr, bb, _, f_in, f_out = K.fine_true_residual(ph, G, gb, 1.0, x, r)
        res = math.sqrt(rr / bb)
        mismatch = _mismatch(f_in, f_out, x, r)
        if (res <= tol and mismatch <= flux_tol * tol) or iterations >= max_iter:
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
            rr_in = V.axpy2(np.float32(rz / pq), p, q, d, r)
            iterations += 1
            best, stalled = (rr_in, 0) if rr_in < 0.95 * best else (best, stalled + 1)
            if math.sqrt(rr_in) <= target or stalled >= 10:  # done, or float32 stalls
                break
            rz_new = _vcycle(ph, G, gb, levels, r, z)
            V.xpby(z, np.float32(rz_new / rz), p)
            rz = rz_new
        V.add_into(x, d)
        if iterations == started:  # breakdown (p . Ap <= 0): no further progress possible
            rr, bb, _, f_in, f_out = K.fine_true_residual(ph, G, gb, 1.0, x, r)
            res = math.sqrt(rr / bb)
            mismatch = _mismatch(f_in, f_out, x, r)
            break
    current = 0.5 * (f_in + f_out)
    converged = res <= tol and mismatch <= flux_tol * tol
    return current, iterations, res, converged


