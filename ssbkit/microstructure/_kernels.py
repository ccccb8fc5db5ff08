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
diagonals minus twice its internal faces (:mod:`._kernels_coarse`). All loops run in parallel
over axis 0. This module holds the fine-level kernels of one PCG iteration; the coarse
levels are in :mod:`._kernels_coarse`, vector updates in :mod:`._kernels_vec`, label
handling in :mod:`._kernels_labels`.
"""

from __future__ import annotations

from ssbkit.microstructure._jit import JIT_OPTIONS as _OPTS
from ssbkit.microstructure._jit import configure_cache

configure_cache()

from numba import njit, prange  # noqa: E402

__all__: list[str] = []  # private module


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
