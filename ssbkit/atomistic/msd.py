"""Mean-squared displacements and their straight-line fit with the MSD covariance.

Tracer MSD (over atoms and every time origin, by FFT) and collective (charge)
MSD; the covariance of MSD points has the analytic shape of a random walk
averaged over overlapping time origins (kinisi: McCluskey et al., J. Chem.
Theory Comput., doi:10.1021/acs.jctc.4c01249; Bullerjahn, von Bülow & Hummer,
J. Chem. Phys. 153 (2020) 024116), scaled by a measured non-Gaussian factor;
the line MSD = a + 2 d D t is fitted by generalised least squares
(science.md section 5). :mod:`ssbkit.atomistic.diffusion` builds on it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import linalg, stats

from ..errors import InputError

__all__ = ["MSDFit", "tracer_msd", "collective_msd", "msd_covariance", "fit_msd", "A2_PER_PS_TO_CM2_PER_S"]

A2_PER_PS_TO_CM2_PER_S = 1e-4  # 1 Å^2/ps = 1e-16 cm^2 / 1e-12 s
_MAX_FIT_POINTS = 32

@dataclass(frozen=True)
class MSDFit:
    """Straight line MSD = intercept + slope t over a time window; D = slope / (2 d)."""

    slope_A2_per_ps: float
    slope_se_A2_per_ps: float
    intercept_A2: float
    intercept_se_A2: float
    t_start_ps: float
    t_end_ps: float
    n_points: int
    dimension: int
    method: str

    @property
    def d_cm2_per_s(self) -> float:
        return self.slope_A2_per_ps / (2 * self.dimension) * A2_PER_PS_TO_CM2_PER_S

    @property
    def d_se_cm2_per_s(self) -> float:
        return self.slope_se_A2_per_ps / (2 * self.dimension) * A2_PER_PS_TO_CM2_PER_S

    def to_dict(self) -> dict:
        return asdict(self) | {"d_cm2_per_s": self.d_cm2_per_s, "d_se_cm2_per_s": self.d_se_cm2_per_s}



def tracer_msd(displacements_A: np.ndarray) -> np.ndarray:
    """Tracer MSD at every lag, averaged over atoms and all time origins (FFT, O(T log T)), Å^2.

    ``displacements_A`` has shape ``(n_frames, n_atoms, n_dim)``; element k of the
    result is the MSD at a lag of k frames.
    """
    x = np.asarray(displacements_A, dtype=float)
    t = x.shape[0]
    flat = x.reshape(t, -1)
    f = np.fft.rfft(flat, n=2 * t, axis=0)
    acf = np.fft.irfft(f * np.conj(f), n=2 * t, axis=0)[:t].sum(axis=1)
    sq = (flat**2).sum(axis=1)
    q = 2.0 * sq.sum()
    s1 = np.empty(t)
    for m in range(t):  # running sum, cheap
        if m:
            q -= sq[m - 1] + sq[t - m]
        s1[m] = q
    counts = t - np.arange(t)
    return (s1 - 2.0 * acf) / counts / x.shape[1]


def collective_msd(displacements_A: np.ndarray) -> np.ndarray:
    """Collective (charge) MSD <|sum_i dr_i(t)|^2> / N at every lag, Å^2."""
    x = np.asarray(displacements_A, dtype=float)
    return tracer_msd(x.sum(axis=1, keepdims=True)) / x.shape[1]


def _overlap_sums(n_steps: int, lags: np.ndarray) -> np.ndarray:
    """S(n, m) = sum over origin pairs of (steps shared by the windows)^2 for lags n, m."""
    k = len(lags)
    s = np.empty((k, k))
    for i, n in enumerate(lags):
        d = np.arange(-lags.max() + 1, n)  # offsets b - a at which the windows share steps
        m = lags[:, None]
        overlap = np.clip(np.minimum(n, d + m) - np.maximum(0, d), 0, None)
        count = np.clip(np.minimum(n_steps - n, n_steps - m - d) - np.maximum(0, -d) + 1, 0, None)
        s[i] = (count * overlap.astype(float) ** 2).sum(axis=1)
    return s


def _lag_moments(x: np.ndarray, lags: np.ndarray, norm: float):
    """Mean (all origins) and variance (non-overlapping origins) of the squared displacement at each lag."""
    mean = np.empty(len(lags))
    var = np.empty(len(lags))
    for i, n in enumerate(lags):
        r2 = ((x[n:] - x[:-n]) ** 2).sum(axis=2) / norm
        mean[i] = r2.mean()
        # variance from non-overlapping windows: overlapping ones are correlated and bias it low
        r2_ind = r2[::n]
        var[i] = r2_ind.var(ddof=1) if r2_ind.size > 1 else 2.0 * mean[i] ** 2 / x.shape[2]
    return mean, var


def msd_covariance(
    displacements_A: np.ndarray, lags, *, collective: bool = False, line: tuple[float, float] | None = None
):
    """MSD at ``lags`` (frames) and the covariance matrix of those values, Å^2 and Å^4.

    Covariance of the all-origin MSD estimator of N independent random walks
    with Gaussian increments (Isserlis theorem):
    Cov(M_n, M_m) = 2 d s^4 S(n, m) / (N c_n c_m), where c_n = T - n is the
    number of origins, S(n, m) the sum over origin pairs of the squared
    number of shared steps, and s^2 the per-step variance per axis. Written
    per lag as Var(r_n^2) S(n, m) / (N c_n c_m n m) with the Gaussian
    Var(r_n^2) = 2 MSD_n^2 / d multiplied by a non-Gaussian factor
    g_n = alpha + beta / n fitted to the measured variances (hopping ions have
    heavy tails at short lags). ``line = (intercept_A2, slope_A2_per_ps_per_frame)``
    gives a smooth MSD model for the variances (avoids weighting the data by
    their own noise); without it the measured MSD is used.
    """
    parts = _covariance_parts(displacements_A, np.asarray(lags, dtype=int), collective)
    return parts[0], _covariance(parts, line)


def _non_gaussian_factor(x: np.ndarray, lags: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """g_n = Var(r_n^2) / Gaussian value, smoothed as alpha + beta / n (iid steps: 1 + kurtosis / 2n)."""
    ratio = var * x.shape[2] / (2.0 * np.maximum(mean, 1e-300) ** 2)
    design = np.column_stack([np.ones(len(lags)), 1.0 / lags])
    coef = np.linalg.lstsq(design, ratio, rcond=None)[0] if len(lags) > 2 else np.array([ratio.mean(), 0.0])
    return np.clip(design @ coef, 0.5, None)


def _covariance_parts(displacements_A, lags: np.ndarray, collective: bool):
    """What the covariance needs that does not depend on the fitted line (computed once per fit).

    For the collective MSD (one walker: the sum of all displacements) the
    non-Gaussian factor cannot be measured from its few independent windows;
    it is taken from the atoms as for N independent walkers, g = 1 + (g_1 - 1) / N.
    """
    x = np.asarray(displacements_A, dtype=float)
    n_steps, n_atoms = x.shape[0] - 1, x.shape[1]
    mean, var = _lag_moments(x, lags, 1.0)
    g = _non_gaussian_factor(x, lags, mean, var)
    if collective:
        mean = _lag_moments(x.sum(axis=1, keepdims=True), lags, float(n_atoms))[0]
        g = 1.0 + (g - 1.0) / n_atoms
        n_atoms = 1
    return mean, g, _overlap_sums(n_steps, lags), lags, n_steps, n_atoms, x.shape[2]


def _covariance(parts, line):
    mean, g, s, lags, n_steps, n_atoms, dim = parts
    model = mean if line is None else np.maximum(line[0] + line[1] * lags, 1e-3 * np.abs(mean).max())
    origins = n_steps - lags + 1.0
    w = np.sqrt(g * 2.0 * model**2 / dim) / (origins * lags)
    return s * np.outer(w, w) / n_atoms


def _gls_line(t: np.ndarray, y: np.ndarray, cov: np.ndarray):
    """Generalised least squares y = a + b t; returns (a, b) and their covariance."""
    scale = np.sqrt(np.diag(cov))
    corr = cov / np.outer(scale, scale)
    jitter = 1e-9
    while True:
        try:
            factor = linalg.cho_factor(corr + jitter * np.eye(len(t)), lower=True)
            break
        except linalg.LinAlgError:
            jitter *= 10
    design = np.column_stack([np.ones_like(t), t]) / scale[:, None]
    info = design.T @ linalg.cho_solve(factor, design)
    bcov = np.linalg.inv(info)
    beta = bcov @ (design.T @ linalg.cho_solve(factor, y / scale))
    return beta, bcov


def _ols_line(t: np.ndarray, y: np.ndarray):
    """Ordinary least squares with the textbook (naive) standard errors, which ignore correlation."""
    res = stats.linregress(t, y)
    cov = np.diag([res.intercept_stderr**2, res.stderr**2])
    return np.array([res.intercept, res.slope]), cov


def _fit_lags(n_frames: int, dt: float, t_start_ps: float, t_end_ps: float) -> np.ndarray:
    lo = max(1, int(math.ceil(t_start_ps / dt - 1e-9)))
    hi = min(n_frames - 2, int(math.floor(t_end_ps / dt + 1e-9)))
    if hi < lo:
        return np.array([], dtype=int)
    lags = np.arange(lo, hi + 1)
    if lags.size > _MAX_FIT_POINTS:
        lags = np.unique(np.round(np.linspace(lo, hi, _MAX_FIT_POINTS)).astype(int))
    return lags


def fit_msd(
    displacements_A: np.ndarray,
    frame_interval_ps: float,
    *,
    t_start_ps: float,
    t_end_ps: float,
    collective: bool = False,
    method: str = "gls",
) -> MSDFit | None:
    """Fit MSD = a + 2 d D t over [t_start, t_end] (ps); None when fewer than 3 lags fall in the window.

    ``method="gls"`` uses :func:`msd_covariance` (honest errors); ``"ols"`` is
    the naive fit, kept to show how it under-covers.
    """
    x = np.asarray(displacements_A, dtype=float)
    lags = _fit_lags(x.shape[0], frame_interval_ps, t_start_ps, t_end_ps)
    if lags.size < 3:
        return None
    t = lags * frame_interval_ps
    if method not in ("gls", "ols"):
        raise InputError(f"fit method '{method}' is not one of 'gls', 'ols'")
    parts = _covariance_parts(x, lags, collective)
    y = parts[0]
    beta, bcov = _ols_line(t, y)
    if method == "gls":
        for _ in range(3):  # iterate: the covariance follows the fitted line, not the noisy points
            cov = _covariance(parts, (beta[0], beta[1] * frame_interval_ps))
            beta, bcov = _gls_line(t, y, cov)
    return MSDFit(
        slope_A2_per_ps=float(beta[1]),
        slope_se_A2_per_ps=float(math.sqrt(bcov[1, 1])),
        intercept_A2=float(beta[0]),
        intercept_se_A2=float(math.sqrt(bcov[0, 0])),
        t_start_ps=float(t[0]),
        t_end_ps=float(t[-1]),
        n_points=int(lags.size),
        dimension=x.shape[2],
        method=method,
    )

