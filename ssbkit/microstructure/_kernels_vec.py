"""Vector updates of the solver's PCG loop (:mod:`._multigrid`).

Dot products accumulated in float64 and the fused CG updates, parallel over axis 0.
"""

from __future__ import annotations

import numpy as np

from ssbkit.microstructure._jit import JIT_OPTIONS as _OPTS
from ssbkit.microstructure._jit import configure_cache

configure_cache()

from numba import njit, prange  # noqa: E402

__all__: list[str] = []  # private module


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
