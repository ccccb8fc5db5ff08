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

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, stats

from ..errors import InputError
from ..records import Record

__all__ = [
    "MSDFit",
    "tracer_msd",
    "collective_msd",
    "msd_covariance",
    "fit_msd",
    "curvature_test",
    "A2_PER_PS_TO_CM2_PER_S",
]

A2_PER_PS_TO_CM2_PER_S = 1e-4  # 1 Å^2/ps = 1e-16 cm^2 / 1e-12 s
_MAX_FIT_POINTS = 32
#: From this many atoms the slope error comes from the spread of the atoms' slopes (Student t);
#: below it (and for the collective MSD, one walker) from the analytic MSD covariance.
MIN_ATOMS_FOR_SPREAD = 4

@dataclass(frozen=True)
class MSDFit(Record):
    """Straight line MSD = intercept + slope t over a time window; D = slope / (2 d).

    ``slope_ci_A2_per_ps`` is the interval on the slope at ``level``. With
    ``method="gls-atoms"`` (4 or more atoms) the standard error is the spread
    of the atoms' own slopes (the GLS estimate is linear in the MSD points, so
    it is exactly the mean of per-atom slopes with common weights) and the
    interval is b exp(+-t se / b) with Student t of N - 1 degrees of freedom:
    the noise of an MSD grows with the MSD and hop counts are skewed, so a
    symmetric b +- t se misses mostly on the low side. With ``"gls"`` (fewer
    atoms, or the collective MSD) it inverts |b_hat - b| <= z se(b), se(b)
    from the analytic MSD covariance at slope b; its upper end is ``inf``
    when no slope is excluded from above.
    """

    slope_A2_per_ps: float
    slope_se_A2_per_ps: float
    intercept_A2: float
    intercept_se_A2: float
    t_start_ps: float
    t_end_ps: float
    n_points: int
    dimension: int
    method: str
    slope_ci_A2_per_ps: tuple[float, float] = (math.nan, math.nan)
    level: float = 0.95

    @property
    def d_cm2_per_s(self) -> float:
        """D = slope / (2 d), cm^2/s."""
        return self.slope_A2_per_ps / (2 * self.dimension) * A2_PER_PS_TO_CM2_PER_S

    @property
    def d_se_cm2_per_s(self) -> float:
        """Standard error of D at the estimate, cm^2/s."""
        return self.slope_se_A2_per_ps / (2 * self.dimension) * A2_PER_PS_TO_CM2_PER_S

    @property
    def d_ci_cm2_per_s(self) -> tuple[float, float]:
        """Interval on D at ``level`` (see the class docstring), cm^2/s."""
        f = A2_PER_PS_TO_CM2_PER_S / (2 * self.dimension)
        return (self.slope_ci_A2_per_ps[0] * f, self.slope_ci_A2_per_ps[1] * f)

    def as_dict(self) -> dict:
        """Fields plus the derived D, its standard error and interval (cm^2/s).

        Returns
        -------
        dict
            Fields plus D, its error and interval.
        """
        return super().as_dict() | {"d_cm2_per_s": self.d_cm2_per_s, "d_se_cm2_per_s": self.d_se_cm2_per_s,
                                    "d_ci_cm2_per_s": list(self.d_ci_cm2_per_s)}


def tracer_msd(displacements_A: np.ndarray, *, per_atom: bool = False) -> np.ndarray:
    """Tracer MSD at every lag, averaged over atoms and all time origins (FFT, O(T log T)), Å^2.

    Parameters
    ----------
    displacements_A
        Shape ``(n_frames, n_atoms, n_dim)``.
    per_atom
        Return each atom's all-origin MSD, shape ``(n_frames, n_atoms)``.

    Returns
    -------
    numpy.ndarray
        Element k is the MSD at a lag of k frames.
    """
    x = np.asarray(displacements_A, dtype=float)
    t, n_atoms = x.shape[0], x.shape[1]
    flat = x.reshape(t, -1)
    from scipy import fft as sfft

    n_fft = sfft.next_fast_len(2 * t, real=True)
    f = sfft.rfft(flat, n=n_fft, axis=0)
    acf = sfft.irfft(f * np.conj(f), n=n_fft, axis=0)[:t].reshape(t, n_atoms, -1).sum(axis=2)
    sq = (x**2).sum(axis=2)
    total = 2.0 * sq.sum(axis=0)
    # s1[m] = sum over origins of |r(t0)|^2 + |r(t0+m)|^2: a running difference, no Python loop
    drop = np.zeros((t, n_atoms))
    if t > 1:
        drop[1:] = np.cumsum(sq[:-1] + sq[::-1][:-1], axis=0)
    s1 = total[None, :] - drop
    counts = (t - np.arange(t))[:, None]
    per = (s1 - 2.0 * acf) / counts
    return per if per_atom else per.mean(axis=1)


def collective_msd(displacements_A: np.ndarray) -> np.ndarray:
    """Collective (charge) MSD <|sum_i dr_i(t)|^2> / N at every lag, Å^2.

    Parameters
    ----------
    displacements_A
        Shape ``(n_frames, n_atoms, n_dim)``, Å.

    Returns
    -------
    numpy.ndarray
        Collective MSD at each lag, Å^2.
    """
    x = np.asarray(displacements_A, dtype=float)
    return tracer_msd(x.sum(axis=1, keepdims=True)) / x.shape[1]


def _overlap_sums(n_steps: int, lags: np.ndarray) -> np.ndarray:
    """S(n, m) = sum over origin pairs of (steps shared by the windows)^2 for lags n, m."""
    return _overlap_sums_cached(int(n_steps), tuple(int(v) for v in lags)).copy()


@functools.lru_cache(maxsize=64)
def _overlap_sums_cached(n_steps: int, lag_tuple: tuple[int, ...]) -> np.ndarray:
    lags = np.asarray(lag_tuple)
    k = len(lags)
    s = np.empty((k, k))
    for i, n in enumerate(lags):
        d = np.arange(-lags.max() + 1, n)  # offsets b - a at which the windows share steps
        m = lags[:, None]
        overlap = np.clip(np.minimum(n, d + m) - np.maximum(0, d), 0, None)
        count = np.clip(np.minimum(n_steps - n, n_steps - m - d) - np.maximum(0, -d) + 1, 0, None)
        s[i] = (count * overlap.astype(float) ** 2).sum(axis=1)
    return s


def _lag_moments(x: np.ndarray, lags: np.ndarray, norm: float, mean: np.ndarray):
    """Variance of the squared displacement at each lag from non-overlapping origins.

    ``mean`` is the all-origin MSD at ``lags`` (from the FFT); overlapping
    windows are correlated and would bias the variance low.
    """
    var = np.empty(len(lags))
    for i, n in enumerate(lags):
        r2_ind = ((x[n::n] - x[: -n : n][: x[n::n].shape[0]]) ** 2).sum(axis=2) / norm
        var[i] = r2_ind.var(ddof=1) if r2_ind.size > 1 else 2.0 * mean[i] ** 2 / x.shape[2]
    return var


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

    Parameters
    ----------
    displacements_A
        Shape ``(n_frames, n_atoms, n_dim)``, Å.
    lags
        Lags, frames.
    collective
        Of the collective MSD.
    line
        (intercept Å^2, slope Å^2 per frame) for the variance model.

    Returns
    -------
    tuple
        MSD at ``lags`` (Å^2) and its covariance (Å^4).
    """
    parts = _covariance_parts(displacements_A, np.asarray(lags, dtype=int), collective)
    return parts[0], _covariance(parts, line)


def _non_gaussian_factor(x: np.ndarray, lags: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """g_n = Var(r_n^2) / Gaussian value, smoothed as alpha + beta / n (iid steps: 1 + kurtosis / 2n)."""
    ratio = var * x.shape[2] / np.maximum(2.0 * mean**2, 1e-300)
    ratio = np.where(np.isfinite(ratio) & (mean > 0), ratio, 1.0)  # no motion at a lag: nothing to measure
    design = np.column_stack([np.ones(len(lags)), 1.0 / lags])
    coef = np.linalg.lstsq(design, ratio, rcond=None)[0] if len(lags) > 2 else np.array([ratio.mean(), 0.0])
    return np.clip(design @ coef, 0.5, None)


def _covariance_parts(displacements_A, lags: np.ndarray, collective: bool, per_atom_msd=None):
    """What the covariance needs that does not depend on the fitted line (computed once per fit).

    For the collective MSD (one walker: the sum of all displacements) the
    non-Gaussian factor cannot be measured from its few independent windows;
    it is taken from the atoms as for N independent walkers, g = 1 + (g_1 - 1) / N.
    """
    x = np.asarray(displacements_A, dtype=float)
    n_steps, n_atoms = x.shape[0] - 1, x.shape[1]
    per_atom = (tracer_msd(x, per_atom=True) if per_atom_msd is None else per_atom_msd)[lags]
    mean = per_atom.mean(axis=1)
    g = _non_gaussian_factor(x, lags, mean, _lag_moments(x, lags, 1.0, mean))
    if collective:
        mean = collective_msd(x)[lags]
        g = 1.0 + (g - 1.0) / n_atoms
        n_atoms = 1
    return mean, g, _overlap_sums(n_steps, lags), lags, n_steps, n_atoms, x.shape[2], per_atom


def _covariance(parts, line):
    mean, g, s, lags, n_steps, n_atoms, dim = parts[:7]
    floor = max(1e-3 * float(np.abs(mean).max()), 1e-12)  # an immobile species has MSD 0: keep it finite
    model = np.maximum(mean if line is None else line[0] + line[1] * lags, floor)
    origins = n_steps - lags + 1.0
    w = np.sqrt(g * 2.0 * model**2 / dim) / (origins * lags)
    return s * np.outer(w, w) / n_atoms


def _gls_factor(cov: np.ndarray):
    """Scale and Cholesky factor of the correlation matrix (jitter added until positive definite)."""
    scale = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    corr = cov / np.outer(scale, scale)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    jitter = 1e-9
    while True:
        try:
            return scale, linalg.cho_factor(corr + jitter * np.eye(len(scale)), lower=True)
        except (linalg.LinAlgError, ValueError):
            jitter *= 10
            if jitter > 1.0:
                return scale, linalg.cho_factor(np.eye(len(scale)), lower=True)


def _gls(design: np.ndarray, y: np.ndarray, cov: np.ndarray):
    """Generalised least squares y = design @ beta; returns beta and its covariance."""
    scale, factor = _gls_factor(cov)
    dw = design / scale[:, None]
    info = dw.T @ linalg.cho_solve(factor, dw)
    bcov = np.linalg.pinv(info)
    beta = bcov @ (dw.T @ linalg.cho_solve(factor, y / scale))
    return beta, bcov


def _gls_weights(t: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Rows w with (a, b) = w @ y for the GLS line: the estimator is linear in the MSD points."""
    scale, factor = _gls_factor(cov)
    dw = np.column_stack([np.ones_like(t), t]) / scale[:, None]
    cinv_dw = linalg.cho_solve(factor, dw)
    return np.linalg.pinv(dw.T @ cinv_dw) @ cinv_dw.T / scale[None, :]


def _atom_slopes(per_atom: np.ndarray, t: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Each atom's slope with the common GLS weights; their mean is the GLS slope of the mean MSD."""
    return _gls_weights(t, cov)[1] @ per_atom


def _effective_dof(values: np.ndarray) -> float:
    """Degrees of freedom of the sample variance of ``values``, allowing for heavy tails.

    Var(s^2) = sigma^4 (2 / (N - 1) + kappa / N) with kappa the excess kurtosis;
    matching a scaled chi-square gives nu = 2 / (2 / (N - 1) + kappa / N)
    (Satterthwaite). Few hops per atom make per-atom slopes heavy-tailed, so
    their spread is a noisier estimate than under normality and the Student t
    must be wider.
    """
    n = values.size
    sd = values.std()
    kappa = float(((values - values.mean()) ** 4).mean() / sd**4 - 3.0) if sd > 0 else 0.0
    return max(1.0, 2.0 / (2.0 / (n - 1) + max(kappa, 0.0) / n))


def _gls_line(t: np.ndarray, y: np.ndarray, cov: np.ndarray):
    """Generalised least squares y = a + b t; returns (a, b) and their covariance."""
    return _gls(np.column_stack([np.ones_like(t), t]), y, cov)


def _ols_line(t: np.ndarray, y: np.ndarray):
    """Ordinary least squares with the textbook (naive) standard errors, which ignore correlation."""
    n = len(t)
    tm, ym = t.mean(), y.mean()
    sxx = float(((t - tm) ** 2).sum())
    b = float(((t - tm) * (y - ym)).sum() / sxx)
    a = ym - b * tm
    s2 = float(((y - a - b * t) ** 2).sum()) / max(n - 2, 1)
    cov = np.diag([s2 * (1.0 / n + tm**2 / sxx), s2 / sxx])
    return np.array([a, b]), cov


@functools.lru_cache(maxsize=256)
def _quantile(level: float, dof: float | None) -> float:
    """Two-sided normal (dof None) or Student t quantile."""
    q = 0.5 + level / 2
    return float(stats.norm.ppf(q) if dof is None else stats.t.ppf(q, dof))


def _fit_lags(n_frames: int, dt: float, t_start_ps: float, t_end_ps: float) -> np.ndarray:
    lo = max(1, int(math.ceil(t_start_ps / dt - 1e-9)))
    hi = min(n_frames - 2, int(math.floor(t_end_ps / dt + 1e-9)))
    if hi < lo:
        return np.array([], dtype=int)
    lags = np.arange(lo, hi + 1)
    if lags.size > _MAX_FIT_POINTS:
        lags = np.unique(np.round(np.linspace(lo, hi, _MAX_FIT_POINTS)).astype(int))
    return lags


def _slope_se(parts, t: np.ndarray, y: np.ndarray, intercept: float, slope: float, dt: float) -> float:
    """Standard error of the GLS slope when the true line is (intercept, slope)."""
    cov = _covariance(parts, (intercept, slope * dt))
    return float(math.sqrt(max(_gls_line(t, y, cov)[1][1, 1], 0.0)))


def _inverted_interval(parts, t, y, beta, se_hat: float, dt: float, z: float) -> tuple[float, float]:
    """Slopes b with |b_hat - b| <= z se(b): the interval that keeps its coverage when se grows with b."""
    from scipy.optimize import brentq

    a, b_hat = float(beta[0]), float(beta[1])
    if not (se_hat > 0 and math.isfinite(se_hat)):
        return (b_hat, b_hat)

    def g(b: float) -> float:
        return (b_hat - b) / max(_slope_se(parts, t, y, a, b, dt), 1e-300)

    lo_end = b_hat - 50.0 * se_hat
    lo = lo_end if g(lo_end) < z else brentq(lambda b: g(b) - z, lo_end, b_hat, xtol=1e-6 * se_hat)
    hi, step = math.inf, se_hat
    for _ in range(60):  # walk up until the test rejects (it may never: then no upper bound)
        if g(b_hat + step) < -z:
            hi = brentq(lambda b: g(b) + z, b_hat + step / 2 if step > se_hat else b_hat, b_hat + step,
                        xtol=1e-6 * se_hat)
            break
        step *= 2.0
    return (float(lo), float(hi))


def fit_msd(
    displacements_A: np.ndarray,
    frame_interval_ps: float,
    *,
    t_start_ps: float,
    t_end_ps: float,
    collective: bool = False,
    method: str = "gls",
    level: float = 0.95,
) -> MSDFit | None:
    """Fit MSD = a + 2 d D t over [t_start, t_end] (ps).

    Parameters
    ----------
    displacements_A
        Unwrapped displacements, shape ``(n_frames, n_atoms, n_dim)``, Å.
    frame_interval_ps
        Time between frames, ps.
    t_start_ps, t_end_ps
        Fit window, ps.
    collective
        Fit the collective (charge) MSD instead of the tracer MSD.
    method
        ``"gls"`` uses :func:`msd_covariance` (honest errors); ``"ols"`` is the
        naive fit, kept to show how it under-covers.
    level
        Confidence level of ``slope_ci_A2_per_ps``.

    Returns
    -------
    MSDFit or None
        None when fewer than 3 lags fall in the window.
    """
    return _fit(np.asarray(displacements_A, dtype=float), frame_interval_ps, t_start_ps, t_end_ps,
                collective, method, level)[0]


def _fit(x: np.ndarray, frame_interval_ps: float, t_start_ps: float, t_end_ps: float, collective: bool,
         method: str, level: float, per_atom_msd=None):
    """:func:`fit_msd` that also returns the covariance parts (for :func:`curvature_test`)."""
    lags = _fit_lags(x.shape[0], frame_interval_ps, t_start_ps, t_end_ps)
    if lags.size < 3:
        return None, None
    t = lags * frame_interval_ps
    if method not in ("gls", "ols"):
        raise InputError(f"fit method '{method}' is not one of 'gls', 'ols'")
    parts = _covariance_parts(x, lags, collective, per_atom_msd)
    y = parts[0]
    beta, bcov = _ols_line(t, y)
    z = _quantile(level, None)
    if method == "gls":
        for _ in range(3):  # iterate: the covariance follows the fitted line, not the noisy points
            cov = _covariance(parts, (beta[0], beta[1] * frame_interval_ps))
            beta, bcov = _gls_line(t, y, cov)
    se = float(math.sqrt(max(bcov[1, 1], 0.0)))
    n_atoms = x.shape[1]
    if method == "gls" and not collective and n_atoms >= MIN_ATOMS_FOR_SPREAD:
        # the atoms are independent samples of the same walk: the spread of their slopes measures the
        # error whatever the shape of the displacement distribution (hops, vibration); Student t
        slopes = _atom_slopes(parts[7], t, cov)
        se = float(np.std(slopes, ddof=1) / math.sqrt(n_atoms))
        tq = _quantile(level, round(_effective_dof(slopes), 1))
        b = float(beta[1])
        if b > 0 and se > 0:  # interval on ln D: hop counts make the slope right-skewed (misses fall low)
            ci = (b * math.exp(-tq * se / b), b * math.exp(tq * se / b))
        else:
            ci = (b - tq * se, b + tq * se)
        method = "gls-atoms"
    elif method == "gls":
        ci = _inverted_interval(parts, t, y, beta, se, frame_interval_ps, z)
    else:
        ci = (float(beta[1]) - z * se, float(beta[1]) + z * se)
    return MSDFit(
        slope_A2_per_ps=float(beta[1]),
        slope_se_A2_per_ps=se,
        intercept_A2=float(beta[0]),
        intercept_se_A2=float(math.sqrt(max(bcov[0, 0], 0.0))),
        t_start_ps=float(t[0]),
        t_end_ps=float(t[-1]),
        n_points=int(lags.size),
        dimension=x.shape[2],
        method=method,
        slope_ci_A2_per_ps=ci,
        level=level,
    ), parts
def curvature_test(displacements_A: np.ndarray, frame_interval_ps: float, fit: MSDFit, *, _parts=None) -> dict:
    """Is the MSD straight over the fit window? A GLS fit of a + b t + c t^2 with the MSD covariance.

    A vibrational (or ballistic-to-diffusive) offset shifts the MSD by a
    constant and leaves a straight line straight, while it bends a log-log
    plot; so linearity is judged from the quadratic term, not from the
    log-log slope. The local slope b + 2 c t at the window's end over the one
    at its start is the ratio a ballistic (t^2: ratio ~ t_end/t_start) or
    caged (sub-linear: ratio < 1) MSD moves away from 1.

    Parameters
    ----------
    displacements_A
        Unwrapped displacements, shape ``(n_frames, n_atoms, n_dim)``, Å.
    frame_interval_ps
        Time between frames, ps.
    fit
        The straight-line fit (its window and line set the covariance).

    Returns
    -------
    dict
        ``slope_ratio`` (end over start), ``curvature_z`` (c over its
        standard error).
    """
    x = np.asarray(displacements_A, dtype=float)
    lags = _fit_lags(x.shape[0], frame_interval_ps, fit.t_start_ps - 1e-9, fit.t_end_ps + 1e-9)
    t = lags * frame_interval_ps
    parts = _parts if _parts is not None else _covariance_parts(x, lags, False)
    cov = _covariance(parts, (fit.intercept_A2, fit.slope_A2_per_ps * frame_interval_ps))
    tc = t / t[-1]
    beta, bcov = _gls(np.column_stack([np.ones_like(tc), tc, tc**2]), parts[0], cov)
    s0, s1 = beta[1] + 2 * beta[2] * tc[0], beta[1] + 2 * beta[2] * tc[-1]
    ratio = float(s1 / s0) if s0 > 0 else math.inf
    cz = float(beta[2] / math.sqrt(bcov[2, 2])) if bcov[2, 2] > 0 else 0.0
    return {"slope_ratio": ratio, "curvature_z": cz}
