"""Linear algebra of the DRT (:mod:`ssbkit.impedance.drt`): lambda by GCV, NNLS, covariance.

* :class:`_Tikhonov` diagonalises the unconstrained Tikhonov problem once (SVD of the
  kernel in the penalty's whitened coordinates), so that the generalised
  cross-validation function (Golub, Heath & Wahba, Technometrics 21 (1979) 215;
  modified by Kim & Gu, J. R. Stat. Soc. B 66 (2004) 337) costs O(n) per lambda and
  a grid of lambdas is one vectorised expression.
* :func:`_nnls_normal` solves the non-negative problem on its normal equations by
  block principal pivoting (Kim & Park, SIAM J. Sci. Comput. 33 (2011) 3261), warm
  started from the positive set of the unconstrained solution.
* :func:`_active_covariance` reuses the solver's last Cholesky factor.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.linalg.lapack import dpotrf as _potrf
from scipy.linalg.lapack import dpotrs as _potrs
from scipy.optimize import nnls

__all__: list[str] = []


def _second_difference(m: int) -> np.ndarray:
    d = np.zeros((max(m - 2, 1), m))
    for i in range(m - 2):
        d[i, i : i + 3] = (1.0, -2.0, 1.0)
    return d


RHO = 2.0


class _Tikhonov:
    """The unconstrained problem min ||a x - b||^2 + lam x'p x, diagonalised once.

    With R such that R' p R = I and the singular value decomposition a R = U S V',
    e_i = s_i^2 and beta = U'b, the residual and the trace of the hat matrix are, for
    every lambda, sums over i: ||r||^2 = sum (lam/(e_i + lam))^2 beta_i^2 + ||b_perp||^2 and
    tr H = sum e_i/(e_i + lam): each lambda costs O(min(n, m)), a grid of them one
    vectorised expression.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, p: np.ndarray) -> None:
        # the SVD of a R itself, not an eigen-decomposition of its Gram matrix: the null
        # space of the penalty (held by a 1e-8 ridge) makes e_max ~ 1e12, and squaring
        # would lose every eigenvalue below ~1e-3 of those lambda is compared with
        u, sv, _ = scipy.linalg.svd(a @ _whitening(p), full_matrices=False, check_finite=False)
        self.beta = u.T @ b
        self.perp = max(float(b @ b - self.beta @ self.beta), 0.0)
        self.e = sv**2
        self.n = b.size

    def gcv(self, lam: np.ndarray, rho: float = 1.0) -> np.ndarray:
        lam = np.atleast_1d(np.asarray(lam, dtype=float))
        shrink = lam[None, :] / (self.e[:, None] + lam[None, :])  # 1 - filter factor
        resid = np.sum((shrink * self.beta[:, None]) ** 2, axis=0) + self.perp
        trace_h = np.sum(1.0 - shrink, axis=0)
        return self.n * resid / np.maximum(self.n - rho * trace_h, 1e-12) ** 2

    def trace_h(self, lam: float) -> float:
        return float(np.sum(self.e / (self.e + lam)))


_WHITENING: dict[bytes, np.ndarray] = {}


def _whitening(p: np.ndarray) -> np.ndarray:
    """R with R' p R = I from the eigen-decomposition of the penalty ``p``, which depends on
    the grid size alone: solved once per penalty and kept (a few grids in a session)."""
    key = p.tobytes()
    r = _WHITENING.get(key)
    if r is None:
        pe, pu = np.linalg.eigh(p)
        r = pu / np.sqrt(np.maximum(pe, 1e-300))
        r.setflags(write=False)
        if len(_WHITENING) >= 8:
            _WHITENING.clear()
        _WHITENING[key] = r
    return r


def _gcv_lambda(tk: _Tikhonov, lo: float = -12.0, hi: float = 2.0,
                rho: float = 1.0) -> tuple[float, bool]:
    """(lambda minimising GCV, whether it sits on the edge of the widest grid).

    Grid 4 points a decade from 10^lo to 10^hi, widened by 4 decades (twice at
    most) where the minimum is at an edge, then a grid of 0.005 decade between the
    neighbours of the grid minimum and a parabola through the three lowest points.
    """
    for _ in range(3):
        grid = np.arange(lo, hi + 1e-9, 0.25)
        g = tk.gcv(10.0**grid, rho)
        i = int(np.argmin(g))
        if 0 < i < grid.size - 1:
            break
        if i == 0:
            lo -= 4.0
        else:
            hi += 4.0
    else:
        return float(10.0 ** grid[i]), True
    fine = np.linspace(grid[i - 1], grid[i + 1], 101)  # 0.005 decade steps, one call
    gf = tk.gcv(10.0**fine, rho)
    j = int(np.clip(np.argmin(gf), 1, fine.size - 2))
    y0, y1, y2 = gf[j - 1 : j + 2]
    den = y0 - 2.0 * y1 + y2
    step = 0.5 * (y0 - y2) / den if den > 0 else 0.0  # parabola vertex, within one step
    return float(10.0 ** (fine[j] + np.clip(step, -1.0, 1.0) * (fine[1] - fine[0]))), False


def _chol(h: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of the symmetric positive definite ``h`` (raw LAPACK: the
    solver factors dozens of small matrices, where the scipy.linalg wrappers cost more
    than the arithmetic)."""
    fac, info = _potrf(h, lower=1, clean=0, overwrite_a=0)
    if info != 0:
        raise np.linalg.LinAlgError(f"potrf info={info}")
    return fac


def _chol_solve(fac: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    out, info = _potrs(fac, rhs, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"potrs info={info}")
    return out


def _nnls_normal(h: np.ndarray, c: np.ndarray, max_iter: int = 30):
    """min x'h x/2 - c'x subject to x >= 0, h symmetric positive definite.

    Block principal pivoting (Kim & Park, SIAM J. Sci. Comput. 33 (2011) 3261,
    Algorithm 1 with its backup rule) started from the positive set of the
    unconstrained solution: a handful of exchanges, each one Cholesky solve on the free
    set. Where it has not settled in ``max_iter`` exchanges, Lawson-Hanson (scipy's
    nnls) on the equivalent square system L'x ~ L^-1 c (h = L L') finishes. Returns
    (x, (free, lower Cholesky factor of h on the free set)); None for the factor where
    it is not known (the fallback).
    """
    n = c.size
    full = _chol(h)
    free = _chol_solve(full, c) > 0
    tol = 1e-12 * max(float(np.abs(c).max()), 1e-300)
    best, alpha = n + 1, 3
    for _ in range(max_iter):
        x = np.zeros(n)
        idx = np.flatnonzero(free)
        fac = None
        if idx.size:
            fac = _chol(h[np.ix_(idx, idx)])
            x[idx] = _chol_solve(fac, c[idx])
        y = h @ x - c
        bad = (free & (x < 0)) | (~free & (y < -tol))
        n_bad = int(bad.sum())
        if n_bad == 0:
            return x, ((free, fac) if fac is not None else None)
        if n_bad < best:  # fewer infeasible: exchange them all
            best, alpha = n_bad, 3
            free = free ^ bad
        elif alpha > 0:  # up to three more full exchanges without progress
            alpha -= 1
            free = free ^ bad
        else:  # backup rule: exchange the last infeasible one alone
            j = int(np.flatnonzero(bad)[-1])
            free[j] = not free[j]
    x, _ = nnls(np.ascontiguousarray(np.tril(full).T),  # potrf leaves the upper part as is
                scipy.linalg.solve_triangular(full, c, lower=True, check_finite=False),
                maxiter=50 * n)
    return x, None


def _active_covariance(ata, pen, lam, x, sigma2, fac=None) -> np.ndarray:
    """sigma^2 (A'A + lam P)^-1 A'A (A'A + lam P)^-1 on the free (x > 0) variables, 0 elsewhere.

    ``fac`` = (free set, lower Cholesky factor of A'A + lam P on it) from the solver, when
    known.
    """
    free = x > 0
    cov = np.zeros((x.size, x.size))
    if not free.any():
        return cov
    ata_f = ata[np.ix_(free, free)]
    h = ata_f + lam * pen[np.ix_(free, free)]
    try:  # h is symmetric positive definite (the penalty holds a small ridge)
        chol = fac[1] if fac is not None and np.array_equal(fac[0], free) else _chol(h)
        half = _chol_solve(chol, ata_f)  # h^-1 A'A
        cov[np.ix_(free, free)] = sigma2 * _chol_solve(chol, np.ascontiguousarray(half.T))
    except np.linalg.LinAlgError:
        hinv = np.linalg.pinv(h)
        cov[np.ix_(free, free)] = sigma2 * hinv @ ata_f @ hinv
    return cov
