"""Robust slow baseline of a DSC/DTA scan and the size of its wander.

A real scan (simultaneous TG-DSC above all) drifts by far more than its white noise: the
baseline bends and wanders by hundredths of a W/g over tens of kelvin. A bump of that size is
not an event. This module fits a *robust Whittaker smoother* (Eilers, Anal. Chem. 75 (2003)
3631, penalised least squares with a second-difference penalty), re-weighted with Tukey's
biweight so that real events (peaks, the glass step) get weight ~0 and do not pull the baseline,
and returns

* the baseline (event-masked, robust to drift and curvature), and
* the *wander*: the robust scatter (1.4826 MAD) of the smoothed signal about that baseline,
  the size of the bumps the baseline makes anyway at the scale of events.

:func:`ssbkit.processing.dsc.analyze_dsc` calls a peak *significant* only when its height is
several times both the white noise and the wander.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

__all__ = ["robust_baseline"]


def robust_baseline(t: np.ndarray, q: np.ndarray, *, scale_K: float = 60.0,
                    iterations: int = 8) -> tuple[np.ndarray, float]:
    """Event-insensitive slow baseline and the wander of the signal about it.

    Parameters
    ----------
    t : ndarray
        Uniform temperature grid, degC.
    q : ndarray
        (Smoothed) signal on the grid.
    scale_K : float
        Stiffness of the smoother as a length: features much narrower than ``scale_K`` are left
        to the residual (penalty weight ``(scale_K / dT)**4``).
    iterations : int
        Biweight re-weighting passes (points more than 4.685 robust sigma off get weight 0).

    Returns
    -------
    baseline : ndarray
        Baseline on the grid.
    wander : float
        1.4826 x median absolute residual (unit of the signal).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0.0, 400.0, 1.0)
    >>> line = 1e-3 * t + 0.05  # a sloped baseline under a sharp exotherm at 200 degC
    >>> b, w = robust_baseline(t, line + 0.2 * np.exp(-0.5 * ((t - 200.0) / 5.0) ** 2))
    >>> bool(np.max(np.abs(b - line)) < 1e-6), bool(w < 1e-6)
    (True, True)
    """
    n = t.size
    step = float(t[1] - t[0]) if n > 1 else 1.0
    lam = (max(scale_K, 3 * step) / step) ** 4
    d = sparse.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(n - 2, n))
    pen = lam * (d.T @ d)
    w = np.ones(n)
    base = q.copy()
    for _ in range(iterations):
        base = spsolve((sparse.diags(w) + pen).tocsc(), w * q)
        r = q - base
        s = 1.4826 * float(np.median(np.abs(r - np.median(r)))) or 1e-15
        with np.errstate(all="ignore"):
            u = np.nan_to_num(r / (4.685 * s), nan=2.0, posinf=2.0, neginf=2.0)
        w = np.where(np.abs(u) < 1, (1 - np.minimum(u ** 2, 1.0)) ** 2, 0.0)
        if w.sum() < 0.2 * n:
            w = np.maximum(w, 1e-3)
    r = (q - base)[w > 0.5] if np.count_nonzero(w > 0.5) >= 10 else q - base
    return base, float(1.4826 * np.median(np.abs(r - np.median(r))))
