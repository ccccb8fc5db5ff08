"""Numba kernels of the voxel conduction solver (:mod:`ssbkit.microstructure.solver`).

Two kinds of grid level share the same 7-point finite-volume operator
``(A x)_i = d_i x_i - sum_nb g_i,nb x_nb``:

* the *fine* level stores only a ``uint8`` phase index per voxel; face
  conductances come from a small table ``G[axis, a, b]`` (harmonic mean of the
  two phase conductivities times the face area over the voxel length along
  ``axis``, for anisotropic voxels) and the Dirichlet half-cell conductance
  ``gb[a]`` on the first and last layer along axis 0 (the transport axis). Index 0 marks
  voxels that take no part (insulating or cut off).
* *coarse* levels store the face conductances ``gx, gy, gz`` (face between
  cell i and i+1 along each axis) and the diagonal ``dg`` explicitly (float32);
  ``dg == 0`` marks an empty cell.

Coarse operators are Galerkin products with piecewise-constant prolongation on
2x2x2 blocks: a coarse face conductance is the sum of the fine face
conductances that cross it, a coarse diagonal the sum of the block's fine
diagonals minus twice its internal faces. All loops run in parallel over axis 0.
"""

from __future__ import annotations

import numpy as np

from ssbkit.microstructure._jit import configure_cache

configure_cache()

from numba import njit, prange  # noqa: E402

__all__: list[str] = []  # private module

# error_model "numpy": a division by zero gives inf instead of a test and a raise per division
# (the kernels never divide by a zero diagonal: empty cells are skipped first).
_OPTS = {"parallel": True, "cache": True, "fastmath": False, "nogil": True, "error_model": "numpy"}


# ----------------------------------------------------------------- fine level
@njit(inline="always")
def _fine_row(ph, G, gb, x, i, j, k, n0, n1, n2):
    """Return (diagonal, sum of g * x_nb) of fine row (i, j, k)."""
    a = ph[i, j, k]
    d = 0.0
    s = 0.0
    if i > 0:
        g = G[0, a, ph[i - 1, j, k]]
        d += g
        s += g * x[i - 1, j, k]
    else:
        d += gb[a]
    if i < n0 - 1:
        g = G[0, a, ph[i + 1, j, k]]
        d += g
        s += g * x[i + 1, j, k]
    else:
        d += gb[a]
    if j > 0:
        g = G[1, a, ph[i, j - 1, k]]
        d += g
        s += g * x[i, j - 1, k]
    if j < n1 - 1:
        g = G[1, a, ph[i, j + 1, k]]
        d += g
        s += g * x[i, j + 1, k]
    if k > 0:
        g = G[2, a, ph[i, j, k - 1]]
        d += g
        s += g * x[i, j, k - 1]
    if k < n2 - 1:
        g = G[2, a, ph[i, j, k + 1]]
        d += g
        s += g * x[i, j, k + 1]
    return d, s


@njit(inline="always")
def _fine_diag(ph, G, gb, i, j, k, n0, n1, n2):
    """Diagonal of fine row (i, j, k) (no read of the potential)."""
    a = ph[i, j, k]
    d = gb[a] if i == 0 else G[0, a, ph[i - 1, j, k]]
    d += gb[a] if i == n0 - 1 else G[0, a, ph[i + 1, j, k]]
    if j > 0:
        d += G[1, a, ph[i, j - 1, k]]
    if j < n1 - 1:
        d += G[1, a, ph[i, j + 1, k]]
    if k > 0:
        d += G[2, a, ph[i, j, k - 1]]
    if k < n2 - 1:
        d += G[2, a, ph[i, j, k + 1]]
    return d


@njit(inline="always")
def _fine_row_inner(ph, G, x, i, j, k):
    """(diagonal, sum of g * x_nb) of an interior fine row: no face of the box is near.

    Same sums in the same order as :func:`_fine_row` (bit for bit), but the six
    neighbour phases are read before any product, without bound tests.
    """
    a = ph[i, j, k]
    g0 = G[0, a, ph[i - 1, j, k]]
    g1 = G[0, a, ph[i + 1, j, k]]
    g2 = G[1, a, ph[i, j - 1, k]]
    g3 = G[1, a, ph[i, j + 1, k]]
    g4 = G[2, a, ph[i, j, k - 1]]
    g5 = G[2, a, ph[i, j, k + 1]]
    d = 0.0
    d += g0
    d += g1
    d += g2
    d += g3
    d += g4
    d += g5
    s = 0.0
    s += g0 * x[i - 1, j, k]
    s += g1 * x[i + 1, j, k]
    s += g2 * x[i, j - 1, k]
    s += g3 * x[i, j + 1, k]
    s += g4 * x[i, j, k - 1]
    s += g5 * x[i, j, k + 1]
    return d, s


@njit(inline="always")
def _fine_diag_inner(ph, G, i, j, k):
    """Diagonal of an interior fine row (as :func:`_fine_diag`, bit for bit)."""
    a = ph[i, j, k]
    d = G[0, a, ph[i - 1, j, k]]
    d += G[0, a, ph[i + 1, j, k]]
    d += G[1, a, ph[i, j - 1, k]]
    d += G[1, a, ph[i, j + 1, k]]
    d += G[2, a, ph[i, j, k - 1]]
    d += G[2, a, ph[i, j, k + 1]]
    return d


@njit(inline="always")
def _row(ph, G, gb, x, i, j, k, n0, n1, n2, inner):
    """:func:`_fine_row_inner` where ``inner`` (a literal at each call), else :func:`_fine_row`."""
    if inner:
        return _fine_row_inner(ph, G, x, i, j, k)
    return _fine_row(ph, G, gb, x, i, j, k, n0, n1, n2)


@njit(inline="always")
def _k_split(i, j, start, n0, n1, n2):
    """Split the k loop of row (i, j), stepping by 2 from ``start`` (1 from 0 if ``start`` < 0).

    Returns ``(head, lo, hi, tail)``: visit k = 0 with the generic row when
    ``head``, then the interior ks ``lo, lo + step, ... < hi`` with the fast
    row, then k = n2 - 1 with the generic row when ``tail``. A row on a face of
    axis 0 or 1 has no interior part: all of it is ``lo .. hi`` = nothing and
    the caller loops over it generically (``hi < 0``).
    """
    if not (0 < i < n0 - 1 and 0 < j < n1 - 1) or n2 < 3:
        return False, 0, -1, False
    if start < 0:  # every k
        return True, 1, n2 - 1, True
    head = start == 0
    lo = 2 if head else 1
    tail = (n2 - 1 - start) % 2 == 0
    return head, lo, n2 - 1, tail


@njit(inline="always")
def _matvec_at(ph, G, gb, p, q, i, j, k, n0, n1, n2, inner):
    if inner:  # no branch: an empty cell has zero conductances and p = 0, so q = 0 and p q = 0
        d, s = _fine_row_inner(ph, G, p, i, j, k)
        v = d * p[i, j, k] - s
        q[i, j, k] = v
        return v * p[i, j, k]
    if ph[i, j, k] == 0:
        q[i, j, k] = 0.0
        return 0.0
    d, s = _row(ph, G, gb, p, i, j, k, n0, n1, n2, inner)
    v = d * p[i, j, k] - s
    q[i, j, k] = v
    return v * p[i, j, k]


@njit(**_OPTS)
def fine_matvec_dot(ph, G, gb, p, q):
    """q = A p on the fine level; return p . q (float64).

    Parameters
    ----------
    ph, G, gb
        Fine level: phase index, face and boundary conductance tables.
    p, q : numpy.ndarray
        Input vector and output ``A p``.

    Returns
    -------
    float
        ``p . A p``.
    """
    n0, n1, n2 = ph.shape
    acc = 0.0
    for i in prange(n0):
        for j in range(n1):
            head, lo, hi, tail = _k_split(i, j, -1, n0, n1, n2)
            if hi < 0:
                for k in range(n2):
                    acc += _matvec_at(ph, G, gb, p, q, i, j, k, n0, n1, n2, False)
                continue
            acc += _matvec_at(ph, G, gb, p, q, i, j, 0, n0, n1, n2, False)
            for k in range(lo, hi):
                acc += _matvec_at(ph, G, gb, p, q, i, j, k, n0, n1, n2, True)
            acc += _matvec_at(ph, G, gb, p, q, i, j, n2 - 1, n0, n1, n2, False)
    return acc


@njit(**_OPTS)
def fine_true_residual(ph, G, gb, v_in, x, r):
    """r = b - A x with b = gb * v_in on the first layer; x may be float64.

    Returns (sum r^2, sum b^2, sum r, flux_in, flux_out); the fluxes are the
    currents through the first and the last layer's outer faces.

    Parameters
    ----------
    ph, G, gb
        Fine level tables.
    v_in : float
        Potential on the first face.
    x, r : numpy.ndarray
        Potential and the residual written.

    Returns
    -------
    tuple
        (sum r^2, sum b^2, sum r, flux in, flux out)
    """
    n0, n1, n2 = ph.shape
    rr = 0.0
    bb = 0.0
    rs = 0.0
    for i in prange(n0):
        for j in range(n1):
            inner_row = 0 < i < n0 - 1 and 0 < j < n1 - 1 and n2 >= 3
            for k in range(n2):
                a = ph[i, j, k]
                if a == 0:
                    r[i, j, k] = 0.0
                    continue
                if inner_row and 0 < k < n2 - 1:
                    d, s = _fine_row_inner(ph, G, x, i, j, k)
                else:
                    d, s = _fine_row(ph, G, gb, x, i, j, k, n0, n1, n2)
                b = gb[a] * v_in if i == 0 else 0.0
                v = b - (d * x[i, j, k] - s)
                r[i, j, k] = v
                rr += v * v
                bb += b * b
                rs += v
    f_in = 0.0
    f_out = 0.0
    for j in range(n1):
        for k in range(n2):
            a = ph[0, j, k]
            if a != 0:
                f_in += gb[a] * (v_in - x[0, j, k])
            a = ph[n0 - 1, j, k]
            if a != 0:
                f_out += gb[a] * x[n0 - 1, j, k]
    return rr, bb, rs, f_in, f_out


@njit(inline="always")
def _smooth_at(ph, G, gb, x, b, i, j, k, n0, n1, n2, first, inner):
    """Gauss-Seidel update of fine cell (i, j, k); return b * x_new (0 for a cell outside)."""
    if ph[i, j, k] == 0:
        return 0.0
    if first:
        if inner:
            v = b[i, j, k] / _fine_diag_inner(ph, G, i, j, k)
        else:
            v = b[i, j, k] / _fine_diag(ph, G, gb, i, j, k, n0, n1, n2)
    else:
        d, s = _row(ph, G, gb, x, i, j, k, n0, n1, n2, inner)
        v = (b[i, j, k] + s) / d
    x[i, j, k] = v
    return b[i, j, k] * v


@njit(**_OPTS)
def fine_smooth(ph, G, gb, x, b, color, first):
    """One red-black Gauss-Seidel half-sweep (cells with (i+j+k)%2 == color).

    ``first``: the sweep starts from x = 0, so x = b / d (the potential is not
    read; the other colour may hold anything, the next half-sweep overwrites it
    without reading it). Returns the sum of ``b * x`` over the cells swept
    (float64), so that the last two half-sweeps of a V-cycle deliver ``r . z``.

    Parameters
    ----------
    ph, G, gb
        Fine level tables.
    x, b : numpy.ndarray
        Potential (updated) and right-hand side.
    color : int
        0 or 1.
    first : bool
        Start from x = 0.

    Returns
    -------
    float
        Sum of ``b x`` over the swept cells.
    """
    n0, n1, n2 = ph.shape
    acc = 0.0
    for i in prange(n0):
        for j in range(n1):
            start = (i + j + color) % 2
            head, lo, hi, tail = _k_split(i, j, start, n0, n1, n2)
            if hi < 0:
                for k in range(start, n2, 2):
                    acc += _smooth_at(ph, G, gb, x, b, i, j, k, n0, n1, n2, first, False)
                continue
            if head:
                acc += _smooth_at(ph, G, gb, x, b, i, j, 0, n0, n1, n2, first, False)
            for k in range(lo, hi, 2):
                acc += _smooth_at(ph, G, gb, x, b, i, j, k, n0, n1, n2, first, True)
            if tail:
                acc += _smooth_at(ph, G, gb, x, b, i, j, n2 - 1, n0, n1, n2, first, False)
    return acc


@njit(inline="always")
def _residual_at(ph, G, gb, x, b, i, j, k, n0, n1, n2, inner):
    if ph[i, j, k] == 0:
        return 0.0
    d, s = _row(ph, G, gb, x, i, j, k, n0, n1, n2, inner)
    return b[i, j, k] - (d * x[i, j, k] - s)


@njit(**_OPTS)
def fine_restrict_residual(ph, G, gb, x, b, rc, color):
    """rc[I] = sum over the 2x2x2 block I of (b - A x), over cells of one colour.

    After a Gauss-Seidel half-sweep the residual of the swept colour is zero,
    so only the other colour (``(i + j + k) % 2 == color``) needs evaluating.

    Parameters
    ----------
    ph, G, gb
        Fine level tables.
    x, b : numpy.ndarray
        Potential and right-hand side.
    rc : numpy.ndarray
        Coarse residual written.
    color : int
        Colour whose residual is evaluated.
    """
    n0, n1, n2 = ph.shape
    m0, m1, m2 = rc.shape
    for ci in prange(m0):
        for cj in range(m1):
            for ck in range(m2):
                rc[ci, cj, ck] = 0.0
        for i in range(2 * ci, min(2 * ci + 2, n0)):
            for j in range(n1):
                cj = j // 2
                start = (i + j + color) % 2
                head, lo, hi, tail = _k_split(i, j, start, n0, n1, n2)
                if hi < 0:
                    for k in range(start, n2, 2):
                        if ph[i, j, k] != 0:
                            rc[ci, cj, k // 2] += _residual_at(ph, G, gb, x, b, i, j, k, n0, n1, n2, False)
                    continue
                if head and ph[i, j, 0] != 0:
                    rc[ci, cj, 0] += _residual_at(ph, G, gb, x, b, i, j, 0, n0, n1, n2, False)
                for k in range(lo, hi, 2):
                    if ph[i, j, k] != 0:
                        rc[ci, cj, k // 2] += _residual_at(ph, G, gb, x, b, i, j, k, n0, n1, n2, True)
                if tail and ph[i, j, n2 - 1] != 0:
                    rc[ci, cj, (n2 - 1) // 2] += _residual_at(ph, G, gb, x, b, i, j, n2 - 1, n0, n1, n2, False)


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


# -------------------------------------------------------------- shared pieces
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


@njit(**_OPTS)
def dot(a, b):
    """a . b accumulated in float64.

    Parameters
    ----------
    a, b : numpy.ndarray
        3-D arrays.

    Returns
    -------
    float
    """
    n0, n1, n2 = a.shape
    acc = 0.0
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                acc += np.float64(a[i, j, k]) * np.float64(b[i, j, k])
    return acc


@njit(**_OPTS)
def axpy2(alpha, p, q, d, r):
    """d += alpha p ; r -= alpha q ; return r . r (float64).

    Parameters
    ----------
    alpha : float
        Step.
    p, q, d, r : numpy.ndarray
        Search direction, its image, correction and residual (updated).

    Returns
    -------
    float
        ``r . r``.
    """
    n0, n1, n2 = p.shape
    acc = 0.0
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                d[i, j, k] += alpha * p[i, j, k]
                v = r[i, j, k] - alpha * q[i, j, k]
                r[i, j, k] = v
                acc += np.float64(v) * np.float64(v)
    return acc


@njit(**_OPTS)
def xpby(z, beta, p):
    """p = z + beta p.

    Parameters
    ----------
    z : numpy.ndarray
        Preconditioned residual.
    beta : float
        CG coefficient.
    p : numpy.ndarray
        Search direction (updated).
    """
    n0, n1, n2 = p.shape
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                p[i, j, k] = z[i, j, k] + beta * p[i, j, k]


@njit(**_OPTS)
def add_into(x, d):
    """x += d (x float64, d float32).

    Parameters
    ----------
    x, d : numpy.ndarray
        Target (float64, updated) and increment (float32).
    """
    n0, n1, n2 = x.shape
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                x[i, j, k] += d[i, j, k]


# ------------------------------------------------------------ label handling
@njit(cache=True, nogil=True)
def label_histogram(labels, lo, nbins):
    """Counts of each label value lo .. lo + nbins - 1 (any integer dtype, any layout).

    Parameters
    ----------
    labels : numpy.ndarray
        Integer labels.
    lo, nbins : int
        Lowest label and number of bins.

    Returns
    -------
    numpy.ndarray
        Counts.
    """
    counts = np.zeros(nbins, dtype=np.int64)
    n0, n1, n2 = labels.shape
    for i in range(n0):
        for j in range(n1):
            for k in range(n2):
                counts[np.int64(labels[i, j, k]) - lo] += 1
    return counts


@njit(**_OPTS)
def map_labels(labels, lut, lo, out):
    """out = lut[labels - lo] (labels: any integer dtype, any layout, e.g. a moved-axis view).

    Parameters
    ----------
    labels : numpy.ndarray
        Integer labels.
    lut : numpy.ndarray
        Lookup table.
    lo : int
        Lowest label.
    out : numpy.ndarray
        Result written.
    """
    n0, n1, n2 = out.shape
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                out[i, j, k] = lut[np.int64(labels[i, j, k]) - lo]


@njit(**_OPTS)
def drop_clusters(ph, lab, keep):
    """ph = 0 where the connected component lab is not kept; return the kept voxel count.

    Parameters
    ----------
    ph : numpy.ndarray
        Phase index (updated).
    lab : numpy.ndarray
        Cluster labels.
    keep : numpy.ndarray
        Kept clusters.

    Returns
    -------
    int
        Kept voxels.
    """
    n0, n1, n2 = ph.shape
    kept = 0
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                if ph[i, j, k] != 0:
                    if keep[lab[i, j, k]]:
                        kept += 1
                    else:
                        ph[i, j, k] = 0
    return kept
