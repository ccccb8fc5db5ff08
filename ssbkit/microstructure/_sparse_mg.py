"""Multigrid-preconditioned CG on scipy sparse matrices: the solver path without JIT.

Used by :mod:`ssbkit.microstructure.solver` for small volumes (no numba compile
on a first run), for periodic lateral boundaries and wherever ``method="sparse"``
is asked for. Same discretisation as the matrix-free numba path (7-point finite
volumes, face conductances from a per-axis table, Dirichlet half-cells on the
two faces of axis 0); the preconditioner is one V-cycle of the same
2x2x2-aggregation hierarchy, built algebraically (``A_c = P^T A P`` with
piecewise-constant ``P``, so periodic wrap faces need no special case), damped
Jacobi smoothing (symmetric: two sweeps before and after), the over-corrected
coarse step of the numba path and a sparse LU on the coarsest level.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

__all__: list[str] = []  # private module

_COARSEST = 4096
_OMEGA_COARSE = 1.5  # over-correction of the aggregation coarse-grid step
_OMEGA_JACOBI = 0.6


def assemble(ph: np.ndarray, g_axis: np.ndarray, gb: np.ndarray, periodic: tuple[bool, bool, bool],
             *, dirichlet_last: bool = True):
    """Matrix of the cells with ``ph != 0``; return (A, b, cells, coords).

    ``g_axis[ax, a, b]`` is the conductance of a face normal to ``ax`` between
    phases ``a`` and ``b``; ``gb[a]`` that of the Dirichlet half-cell on the faces
    of axis 0 (potential 1 at index 0, 0 at the last index; with
    ``dirichlet_last=False`` the last face carries no flux).

    Parameters
    ----------
    ph : numpy.ndarray
        uint8 phase index (0 = not solved), transport axis first.
    g_axis, gb : numpy.ndarray
        Face and Dirichlet half-cell conductances.
    periodic : tuple of bool
        Periodic axes.
    dirichlet_last : bool
        Potential 0 on the last face of axis 0 (else no flux there).

    Returns
    -------
    tuple
        (CSR matrix, right-hand side, flat indices of the cells, their coordinates)
    """
    shape = ph.shape
    flat = ph.reshape(-1)
    cells = np.flatnonzero(flat)
    index = np.full(flat.size, -1, dtype=np.int64)
    index[cells] = np.arange(cells.size)
    full = index.reshape(shape)
    rows, cols, vals = [], [], []
    diag = np.zeros(cells.size)
    for ax in range(3):
        n = shape[ax]
        if n < 2:
            continue
        if periodic[ax]:
            pa, pb = ph, np.roll(ph, -1, axis=ax)
            ia, ib = full, np.roll(full, -1, axis=ax)
        else:
            lo = [slice(None)] * 3
            hi = [slice(None)] * 3
            lo[ax], hi[ax] = slice(0, -1), slice(1, None)
            pa, pb, ia, ib = ph[tuple(lo)], ph[tuple(hi)], full[tuple(lo)], full[tuple(hi)]
        g = g_axis[ax][pa, pb]
        m = g > 0
        g, ia, ib = g[m], ia[m], ib[m]
        rows += [ia, ib]
        cols += [ib, ia]
        vals += [-g, -g]
        diag += np.bincount(ia, g, minlength=cells.size) + np.bincount(ib, g, minlength=cells.size)
    b = np.zeros(cells.size)
    faces = ((0, 1.0), (shape[0] - 1, 0.0)) if dirichlet_last else ((0, 1.0),)
    for layer, potential in faces:
        sel = full[layer][ph[layer] != 0]
        gl = gb[ph[layer][ph[layer] != 0]]
        diag[sel] += gl
        b[sel] += gl * potential
    rows.append(np.arange(cells.size))
    cols.append(np.arange(cells.size))
    vals.append(diag)
    a = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(cells.size, cells.size))
    coords = np.stack(np.unravel_index(cells, shape), axis=1)
    return a, b, cells, coords


class _Level:
    def __init__(self, a: sparse.csr_matrix):
        self.a = a
        self.dinv = _OMEGA_JACOBI / a.diagonal()
        self.p: sparse.csr_matrix | None = None
        self.lu = None


def hierarchy(a: sparse.csr_matrix, coords: np.ndarray) -> list[_Level]:
    """Aggregation levels down to ``_COARSEST`` unknowns (sparse LU there).

    Parameters
    ----------
    a : scipy.sparse.csr_matrix
        Fine matrix.
    coords : numpy.ndarray
        Grid coordinates of its unknowns.

    Returns
    -------
    list
        Levels, the last with a sparse LU.
    """
    levels = [_Level(a)]
    while levels[-1].a.shape[0] > _COARSEST:
        coords = coords // 2
        span = coords.max(axis=0) + 1
        key = (coords[:, 0] * span[1] + coords[:, 1]) * span[2] + coords[:, 2]
        uniq, agg = np.unique(key, return_inverse=True)
        if uniq.size == levels[-1].a.shape[0]:  # nothing merges any more
            break
        n = agg.size
        p = sparse.csr_matrix((np.ones(n), (np.arange(n), agg)), shape=(n, uniq.size))
        levels[-1].p = p
        ac = (p.T @ levels[-1].a @ p).tocsr()
        levels.append(_Level(ac))
        coords = np.stack(np.unravel_index(uniq, tuple(span)), axis=1)
    levels[-1].lu = splu(levels[-1].a.tocsc())
    return levels


def _vcycle(levels: list[_Level], n: int, b: np.ndarray) -> np.ndarray:
    lev = levels[n]
    if lev.lu is not None:
        return lev.lu.solve(b)
    a, dinv = lev.a, lev.dinv
    x = dinv * b
    x += dinv * (b - a @ x)
    xc = _vcycle(levels, n + 1, lev.p.T @ (b - a @ x))  # type: ignore[union-attr]
    x += _OMEGA_COARSE * (lev.p @ xc)  # type: ignore[union-attr]
    x += dinv * (b - a @ x)
    x += dinv * (b - a @ x)
    return x


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """a . b without BLAS: a multithreaded BLAS dot spins on a busy machine (20 ms for 1e5 values)."""
    return float(np.einsum("i,i->", a, b))


def pcg(a: sparse.csr_matrix, b: np.ndarray, x: np.ndarray, levels: list[_Level], tol: float,
        max_iter: int) -> tuple[np.ndarray, int, float]:
    """Preconditioned CG from ``x``; return (x, iterations, relative residual).

    Parameters
    ----------
    a : scipy.sparse.csr_matrix
        SPD matrix.
    b, x : numpy.ndarray
        Right-hand side and start (updated in place).
    levels : list
        Multigrid hierarchy of ``a``.
    tol : float
        Relative residual to reach.
    max_iter : int
        Iteration limit.

    Returns
    -------
    tuple
        (x, iterations, relative residual)
    """
    bnorm = math.sqrt(_dot(b, b)) or 1.0
    r = b - a @ x
    res = math.sqrt(_dot(r, r)) / bnorm
    if res <= tol:
        return x, 0, res
    z = _vcycle(levels, 0, r)
    p = z.copy()
    rz = _dot(r, z)
    its = 0
    while its < max_iter:
        q = a @ p
        pq = _dot(p, q)
        if pq <= 0:
            break
        alpha = rz / pq
        x += alpha * p
        r -= alpha * q
        its += 1
        res = math.sqrt(_dot(r, r)) / bnorm
        if res <= tol:
            break
        z = _vcycle(levels, 0, r)
        rz_new = _dot(r, z)
        p *= rz_new / rz
        p += z
        rz = rz_new
    r = b - a @ x
    return x, its, math.sqrt(_dot(r, r)) / bnorm


def solve(ph: np.ndarray, g_axis: np.ndarray, gb: np.ndarray, periodic: tuple[bool, bool, bool],
          tol: float, max_iter: int, flux_tol: float):
    """Solve and return (current, iterations, residual, converged) as the numba path does.

    Parameters
    ----------
    ph, g_axis, gb, periodic
        As for :func:`assemble`.
    tol, max_iter, flux_tol
        Tolerance, iteration limit, allowed face-current mismatch in units of tol.

    Returns
    -------
    tuple
        (current, iterations, relative residual, converged)
    """
    a, b, cells, coords = assemble(ph, g_axis, gb, periodic)
    levels = hierarchy(a, coords)
    n0 = ph.shape[0]
    x = 1.0 - (coords[:, 0] + 0.5) / n0  # the linear profile
    first = coords[:, 0] == 0
    last = coords[:, 0] == n0 - 1
    g_in = gb[ph.reshape(-1)[cells[first]]]
    g_out = gb[ph.reshape(-1)[cells[last]]]
    its_total = 0
    target = tol
    while True:
        x, its, res = pcg(a, b, x, levels, target, max_iter - its_total)
        its_total += its
        f_in = _dot(g_in, 1.0 - x[first])
        f_out = _dot(g_out, x[last])
        # dissipated power at unit voltage: equals the current for the exact solution, with an
        # error quadratic in that of x (Dirichlet principle); face currents can agree while
        # a smooth error mode (strongly anisotropic voxels) still biases both of them
        power = _dot(x, a @ x) - 2.0 * _dot(b, x) + float(b.sum())
        mean = 0.5 * (f_in + f_out)
        mismatch = max(abs(f_in - f_out), abs(power - mean)) / max(abs(mean), 1e-300)
        ok = res <= tol and mismatch <= flux_tol * tol
        if ok or its == 0 or its_total >= max_iter or target < 1e-13:
            break
        target = max(target * 0.1, 1e-14)  # tighten until the face currents agree
    return 0.5 * (f_in + f_out), its_total, res, bool(ok and math.isfinite(res))
