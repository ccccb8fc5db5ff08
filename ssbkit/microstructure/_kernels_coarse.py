"""Coarse levels of the voxel solver's multigrid (:mod:`._multigrid`).

Galerkin coarse operators of 2x2x2 piecewise-constant aggregation (from the fine phase
index and from a coarse level), red/black smoothing and residual restriction on a coarse
level, and the prolongation of a coarse correction. Operator conventions: :mod:`._kernels`.
"""

from __future__ import annotations

from ssbkit.microstructure._jit import JIT_OPTIONS as _OPTS
from ssbkit.microstructure._jit import configure_cache

configure_cache()

from numba import njit, prange  # noqa: E402

__all__: list[str] = []  # private module


@njit(**_OPTS)
def fine_coarsen(ph, G, gb, gx, gy, gz, dg):
    """Galerkin coarse operator (2x2x2 piecewise-constant aggregation) of the fine level.

    Parameters
    ----------
    ph, G, gb
        Fine level tables.
    gx, gy, gz, dg : numpy.ndarray
        Coarse face conductances and diagonal written.
    """
    n0, n1, n2 = ph.shape
    m0, m1, m2 = dg.shape
    for ci in prange(m0):
        for cj in range(m1):
            for ck in range(m2):
                gx[ci, cj, ck] = 0.0
                gy[ci, cj, ck] = 0.0
                gz[ci, cj, ck] = 0.0
                dg[ci, cj, ck] = 0.0
        for i in range(2 * ci, min(2 * ci + 2, n0)):
            for j in range(n1):
                cj = j // 2
                for k in range(n2):
                    a = ph[i, j, k]
                    if a == 0:
                        continue
                    ck = k // 2
                    d = 0.0
                    if i == 0 or i == n0 - 1:
                        d += gb[a] * (2.0 if n0 == 1 else 1.0)
                    if i < n0 - 1:
                        g = G[0, a, ph[i + 1, j, k]]
                        d += g
                        if i % 2 == 1:
                            gx[ci, cj, ck] += g
                        else:
                            d -= 2.0 * g
                    if i > 0:
                        d += G[0, a, ph[i - 1, j, k]]
                    if j < n1 - 1:
                        g = G[1, a, ph[i, j + 1, k]]
                        d += g
                        if j % 2 == 1:
                            gy[ci, cj, ck] += g
                        else:
                            d -= 2.0 * g
                    if j > 0:
                        d += G[1, a, ph[i, j - 1, k]]
                    if k < n2 - 1:
                        g = G[2, a, ph[i, j, k + 1]]
                        d += g
                        if k % 2 == 1:
                            gz[ci, cj, ck] += g
                        else:
                            d -= 2.0 * g
                    if k > 0:
                        d += G[2, a, ph[i, j, k - 1]]
                    dg[ci, cj, ck] += d


# --------------------------------------------------------------- coarse level
@njit(inline="always")
def _coarse_sum(gx, gy, gz, x, i, j, k, n0, n1, n2):
    s = 0.0
    if i > 0:
        s += gx[i - 1, j, k] * x[i - 1, j, k]
    if i < n0 - 1:
        s += gx[i, j, k] * x[i + 1, j, k]
    if j > 0:
        s += gy[i, j - 1, k] * x[i, j - 1, k]
    if j < n1 - 1:
        s += gy[i, j, k] * x[i, j + 1, k]
    if k > 0:
        s += gz[i, j, k - 1] * x[i, j, k - 1]
    if k < n2 - 1:
        s += gz[i, j, k] * x[i, j, k + 1]
    return s


@njit(**_OPTS)
def coarse_smooth(gx, gy, gz, dg, x, b, color, first):
    """One red-black Gauss-Seidel half-sweep on a coarse level (``first``: from x = 0).

    Parameters
    ----------
    gx, gy, gz, dg
        Coarse level stencil.
    x, b : numpy.ndarray
        Solution (updated) and right-hand side.
    color : int
        0 or 1.
    first : bool
        Start from x = 0.
    """
    n0, n1, n2 = dg.shape
    for i in prange(n0):
        for j in range(n1):
            for k in range((i + j + color) % 2, n2, 2):
                d = dg[i, j, k]
                if d == 0.0:
                    continue
                if first:
                    x[i, j, k] = b[i, j, k] / d
                else:
                    s = _coarse_sum(gx, gy, gz, x, i, j, k, n0, n1, n2)
                    x[i, j, k] = (b[i, j, k] + s) / d


@njit(**_OPTS)
def coarse_restrict_residual(gx, gy, gz, dg, x, b, rc, color):
    """rc[I] = sum over the block I of (b - A x) on cells of one colour, coarse level.

    Parameters
    ----------
    gx, gy, gz, dg
        Coarse level stencil.
    x, b : numpy.ndarray
        Solution and right-hand side.
    rc : numpy.ndarray
        Next-level residual written.
    color : int
        Colour whose residual is evaluated.
    """
    n0, n1, n2 = dg.shape
    m0, m1, m2 = rc.shape
    for ci in prange(m0):
        for cj in range(m1):
            for ck in range(m2):
                rc[ci, cj, ck] = 0.0
        for i in range(2 * ci, min(2 * ci + 2, n0)):
            for j in range(n1):
                for k in range((i + j + color) % 2, n2, 2):
                    d = dg[i, j, k]
                    if d == 0.0:
                        continue
                    s = _coarse_sum(gx, gy, gz, x, i, j, k, n0, n1, n2)
                    rc[ci, j // 2, k // 2] += b[i, j, k] - (d * x[i, j, k] - s)


@njit(**_OPTS)
def coarse_coarsen(gx, gy, gz, dg, cgx, cgy, cgz, cdg):
    """Galerkin coarse operator of a coarse level (same aggregation).

    Parameters
    ----------
    gx, gy, gz, dg
        Coarse level stencil.
    cgx, cgy, cgz, cdg : numpy.ndarray
        Next-level stencil written.
    """
    n0, n1, n2 = dg.shape
    m0, m1, m2 = cdg.shape
    for ci in prange(m0):
        for cj in range(m1):
            for ck in range(m2):
                cgx[ci, cj, ck] = 0.0
                cgy[ci, cj, ck] = 0.0
                cgz[ci, cj, ck] = 0.0
                cdg[ci, cj, ck] = 0.0
        for i in range(2 * ci, min(2 * ci + 2, n0)):
            for j in range(n1):
                cj = j // 2
                for k in range(n2):
                    if dg[i, j, k] == 0.0:
                        continue
                    ck = k // 2
                    d = dg[i, j, k]
                    if i < n0 - 1:
                        if i % 2 == 1:
                            cgx[ci, cj, ck] += gx[i, j, k]
                        else:
                            d -= 2.0 * gx[i, j, k]
                    if j < n1 - 1:
                        if j % 2 == 1:
                            cgy[ci, cj, ck] += gy[i, j, k]
                        else:
                            d -= 2.0 * gy[i, j, k]
                    if k < n2 - 1:
                        if k % 2 == 1:
                            cgz[ci, cj, ck] += gz[i, j, k]
                        else:
                            d -= 2.0 * gz[i, j, k]
                    cdg[ci, cj, ck] += d


@njit(**_OPTS)
def prolong_add(x, xc, active_fine, omega, color):
    """x[i] += omega * xc[i // 2] on the fine cells of one colour that take part.

    Only the colour the next half-sweep reads needs the correction: that
    half-sweep overwrites the other colour without reading it.

    Parameters
    ----------
    x, xc : numpy.ndarray
        Fine solution (updated) and coarse correction.
    active_fine : numpy.ndarray
        Non-zero where the fine cell takes part.
    omega : float
        Over-correction factor.
    color : int
        Cells with ``(i + j + k) % 2 == color`` are corrected.
    """
    n0, n1, n2 = x.shape
    for i in prange(n0):
        for j in range(n1):
            for k in range((i + j + color) % 2, n2, 2):
                if active_fine[i, j, k] != 0:
                    x[i, j, k] += omega * xc[i // 2, j // 2, k // 2]
