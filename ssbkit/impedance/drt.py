"""Distribution of relaxation times (DRT) by non-negative Tikhonov regularisation.

The impedance is written as a series resistance plus a continuous sum of
Voigt elements (Schmidt et al., J. Power Sources 196 (2011) 5342)

    Z(w) = R_inf [+ j w L] [+ 1/(j w C)] + int gamma(ln tau) / (1 + j w tau) d ln tau

with gamma (ohm per unit ln tau) on a log-spaced grid of tau. The discretised
problem is solved, weighted by 1/|Z|, with a penalty lambda ||D2 gamma||^2 on
the second difference of gamma (Tikhonov; Wan et al., Electrochim. Acta 184
(2015) 483) and gamma >= 0, as a non-negative least-squares problem on the
augmented system [A; sqrt(lambda) D2] x = [b; 0]. lambda is chosen, unless
given, by generalised cross-validation of the unconstrained problem (GCV:
Golub, Heath & Wahba, Technometrics 21 (1979) 215; for the DRT: Saccoccio et
al., Electrochim. Acta 147 (2014) 470) on a grid that adapts: 1e-12..1e2, 4
points a decade, widened where the minimum lies on an edge and then refined
by a fine grid (0.005 decade) and a parabola in log lambda. The non-negative
problem is solved on its normal equations by block principal pivoting (Kim &
Park, SIAM J. Sci. Comput. 33 (2011) 3261) from the positive set of the
unconstrained solution; its last Cholesky factor gives the covariance below.

Peaks are the local maxima of gamma; the resistance of each is the integral
of gamma over its basin (between the neighbouring minima). Each peak gets a
standard error of its area and of its log time constant from the covariance
of the regularised solution on its active set (sigma^2 (A'A + lam P)^-1 A'A
(A'A + lam P)^-1, sigma from the residuals with the effective degrees of
freedom n - tr H). Noise makes small maxima and shoulders; a peak whose area,
or whose prominence over the higher of its two bounding minima, is below
three standard errors is not significant and is merged into its neighbour
(the basins are recomputed), so 0.5 % noise does not add peaks; so is a
maximum outside the measured band of time constants (1/w_max..1/w_min), where
gamma is not determined by the data. lambda is chosen by the modified GCV of
Kim & Gu (J. R. Stat. Soc. B 66 (2004) 337; factor rho = 2 on tr H, ``RHO``),
which guards against the under-smoothing of plain GCV. Two neighbouring
peaks are reported *not resolved* when the minimum between them is above 80 %
of the lower one (about Rayleigh's criterion: two equal Lorentzian-like peaks
just resolved dip to ~0.8): their split of the area is then not trustworthy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
from scipy.linalg.lapack import dpotrf as _potrf
from scipy.linalg.lapack import dpotrs as _potrs
from scipy.optimize import nnls

from ..citations.registry import cite
from ..errors import InputError
from ..records import Record
from ._blas import one_blas_thread
from .drt_peaks import find_peaks, significant_peaks
from .kk import _wants_capacitance, _wants_inductance
from .spectrum import Spectrum, require_nonzero_z

__all__ = ["DRTResult", "compute_drt", "find_peaks", "zarc_drt"]


@dataclass(frozen=True, eq=False)
class DRTResult(Record):
    """A distribution of relaxation times.

    Attributes
    ----------
    tau_s : numpy.ndarray
        Time-constant grid (s), log-spaced.
    gamma_ohm : numpy.ndarray
        gamma(tau), ohm per unit ln tau (its integral over ln tau is a resistance).
    r_inf_ohm : float
        Series (high-frequency) resistance (ohm).
    l_h, c_f : float or None
        Series inductance (H) and capacitance (F) where fitted.
    lam : float
        Regularisation parameter used (for the data weighted by 1/|Z| and
        gamma scaled by max |Z|).
    lam_method : str
        ``"gcv"`` or ``"given"``.
    peaks : list of (float, float)
        (tau_s, R_ohm) of each peak, by increasing tau.
    frequency_hz, z_fit_ohm : numpy.ndarray
        Frequencies (Hz) and the DRT model impedance (ohm).
    rms_residual : float
        Root-mean-square of (Z - Z_fit)/|Z| over real and imaginary parts.
    source : str
        The spectrum's source.
    peak_r_err_ohm, peak_ln_tau_err : numpy.ndarray
        Standard errors of each peak's area (ohm) and of its ln tau.
    unresolved : list of (int, int)
        Index pairs of neighbouring peaks that are not resolved.
    lam_at_edge : bool
        Whether the GCV minimum lay on the edge of the widest grid searched.
    notes : tuple of str
        What was merged, widened or is not resolved.
    references : tuple of str
        Citation keys.
    """

    tau_s: np.ndarray
    gamma_ohm: np.ndarray
    r_inf_ohm: float
    l_h: float | None
    c_f: float | None
    lam: float
    lam_method: str
    peaks: list[tuple[float, float]]
    frequency_hz: np.ndarray
    z_fit_ohm: np.ndarray
    rms_residual: float
    source: str = ""
    peak_r_err_ohm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    peak_ln_tau_err: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unresolved: list[tuple[int, int]] = field(default_factory=list)
    lam_at_edge: bool = False
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ("Schmidt2011", "Saccoccio2014")

    @property
    def r_polarisation_ohm(self) -> float:
        """Integral of gamma over ln tau (ohm): the total of all relaxations."""
        return float(np.trapezoid(self.gamma_ohm, np.log(self.tau_s)))

    def as_dict(self) -> dict:
        """JSON-ready dict of the fields plus ``peak_table`` (tau, f, R with errors).

        Returns
        -------
        dict
            The fields (arrays as lists, SI units: tau in s, gamma in ohm per unit ln tau)
            plus ``peak_table``: one row per peak with tau (s), f (Hz), R (ohm) and errors.
        """
        d = super().as_dict()
        d["peak_table"] = [
            {"tau_s": t, "f_hz": 1.0 / (2.0 * np.pi * t), "r_ohm": r,
             "r_err_ohm": float(self.peak_r_err_ohm[i]) if i < self.peak_r_err_ohm.size else None,
             "ln_tau_err": float(self.peak_ln_tau_err[i]) if i < self.peak_ln_tau_err.size
             else None}
            for i, (t, r) in enumerate(self.peaks)
        ]
        return d


def zarc_drt(tau_s: np.ndarray, r_ohm: float, tau0_s: float, phi: float) -> np.ndarray:
    """Analytic DRT of a ZARC, Z = R / (1 + (j w tau0)^phi), in ohm per unit ln tau.

    gamma(s) = (R / 2 pi) sin(phi pi) / (cosh(phi s) + cos(phi pi)), s = ln(tau/tau0)
    (Fuoss & Kirkwood, J. Am. Chem. Soc. 63 (1941) 385; Boukamp, Electrochim.
    Acta 154 (2015) 35). Integrates to R over ln tau.

    Parameters
    ----------
    tau_s
        Relaxation times, s.
    r_ohm
        ZARC resistance R, ohm.
    tau0_s
        Characteristic time constant tau0, s.
    phi
        ZARC exponent, 0 < phi <= 1 (phi = 1 is an ideal RC element).

    Returns
    -------
    numpy.ndarray
        gamma(tau), ohm per unit ln tau, same shape as ``tau_s``.

    Examples
    --------
    >>> import numpy as np
    >>> tau = np.logspace(-9, 3, 4001)
    >>> g = zarc_drt(tau, 100.0, 1e-3, 0.8)
    >>> round(float(np.trapezoid(g, np.log(tau))), 2)
    100.0
    """
    s = np.log(np.asarray(tau_s, dtype=float) / tau0_s)
    return r_ohm / (2.0 * np.pi) * np.sin(phi * np.pi) / (np.cosh(phi * s) + np.cos(phi * np.pi))


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


def compute_drt(
    spectrum: Spectrum,
    *,
    lam: float | None = None,
    points_per_decade: int = 20,
    extend_decades: float = 1.0,
    inductance: bool | str = "auto",
    capacitance: bool | str = "auto",
    min_peak_fraction: float = 0.01,
) -> DRTResult:
    """Regularised, non-negative DRT of a spectrum.

    Parameters
    ----------
    spectrum : Spectrum
        The data.
    lam : float, optional
        Regularisation parameter; chosen by GCV on an adaptive grid (module
        docstring) when None.
    points_per_decade : int
        Density of the tau grid.
    extend_decades : float
        The tau grid runs from 1/w_max to 1/w_min extended by this many
        decades at each end.
    inductance, capacitance : bool or "auto"
        Fit a series L (auto: Z'' > 0 at the highest frequency) and a series C
        (auto: capacitive low-frequency tail, e.g. blocking electrodes).
    min_peak_fraction : float
        Peaks lower than this fraction of the highest are not reported.

    Returns
    -------
    DRTResult
    """
    if lam is not None and not (np.isfinite(lam) and lam > 0):
        raise InputError(f"lam={lam!r} must be a positive number, or None for GCV")
    if points_per_decade < 2:
        raise InputError(f"points_per_decade={points_per_decade!r} must be >= 2")
    require_nonzero_z(spectrum, "the DRT")
    use_l = _wants_inductance(spectrum) if inductance == "auto" else bool(inductance)
    use_c = _wants_capacitance(spectrum) if capacitance == "auto" else bool(capacitance)
    w, z = spectrum.omega, spectrum.z_ohm
    lo = np.log10(1.0 / w.max()) - extend_decades
    hi = np.log10(1.0 / w.min()) + extend_decades
    m = int(np.ceil((hi - lo) * points_per_decade)) + 1
    tau = np.logspace(lo, hi, m)
    dln = np.gradient(np.log(tau))
    zscale = float(np.abs(z).max())
    cols = [np.ones_like(w, dtype=complex)[:, None]]
    if use_l:
        cols.append((1j * w / w.max())[:, None])
    if use_c:
        cols.append((w.min() / (1j * w))[:, None])
    cols.append(dln[None, :] / (1.0 + 1j * np.outer(w, tau)))
    a = np.hstack(cols) * zscale
    with one_blas_thread():
        return _solve(spectrum, tau, a, use_l=use_l, use_c=use_c, zscale=zscale, lam=lam,
                      min_peak_fraction=min_peak_fraction)


def _solve(
    spectrum: Spectrum,
    tau: np.ndarray,
    a: np.ndarray,
    *,
    use_l: bool,
    use_c: bool,
    zscale: float,
    lam: float | None,
    min_peak_fraction: float,
) -> DRTResult:
    """Choose lambda (unless given), solve the non-negative problem, find peaks."""
    n_extra = 1 + use_l + use_c
    w, z = spectrum.omega, spectrum.z_ohm
    m = tau.size
    mod = np.abs(z)
    aw = np.vstack([a.real / mod[:, None], a.imag / mod[:, None]])
    bw = np.concatenate([z.real / mod, z.imag / mod])
    dm = _second_difference(m)
    d2 = np.zeros((dm.shape[0], n_extra + m))
    d2[:, n_extra:] = dm
    pen = d2.T @ d2 + 1e-8 * np.eye(n_extra + m)
    tk = _Tikhonov(aw, bw, pen)
    notes: list[str] = []
    edge = False
    if lam is None:
        lam_used, edge = _gcv_lambda(tk, rho=RHO)
        method = "gcv"
        if edge:
            notes.append(f"GCV minimum at the edge of the widest lambda grid ({lam_used:.1e})")
    else:
        lam_used, method = float(lam), "given"
    ata = aw.T @ aw
    try:
        x, fac = _nnls_normal(ata + lam_used * pen, aw.T @ bw)
    except np.linalg.LinAlgError:  # not positive definite in floating point: augmented system
        x, _ = nnls(np.vstack([aw, np.sqrt(lam_used) * d2]),
                    np.concatenate([bw, np.zeros(d2.shape[0])]), maxiter=50 * (n_extra + m))
        fac = None
    z_fit = a @ x
    gamma = x[n_extra:] * zscale
    k = 1
    l_h = float(x[k] * zscale / w.max()) if use_l else None
    k += use_l
    c_f = float(1.0 / (x[k] * zscale * w.min())) if use_c and x[k] > 0 else None
    res = np.concatenate([(z.real - z_fit.real) / mod, (z.imag - z_fit.imag) / mod])
    dof = max(bw.size - tk.trace_h(lam_used), 1.0)
    sigma2 = float(np.sum(res**2) / dof)
    cov = _active_covariance(ata, pen, lam_used, x, sigma2, fac)[n_extra:, n_extra:] * zscale**2
    band = (1.0 / w.max(), 1.0 / w.min())
    peaks, r_err, t_err, unresolved = significant_peaks(
        tau, gamma, cov, min_peak_fraction, notes, band=band,
        data=(w, z, mod, float(x[0] * zscale), l_h, c_f, sigma2))
    return DRTResult(
        tau_s=tau, gamma_ohm=gamma, r_inf_ohm=float(x[0] * zscale), l_h=l_h, c_f=c_f,
        lam=lam_used, lam_method=method, peaks=peaks,
        frequency_hz=spectrum.frequency_hz, z_fit_ohm=z_fit,
        rms_residual=float(np.sqrt(np.mean(res**2))), source=spectrum.source,
        peak_r_err_ohm=r_err, peak_ln_tau_err=t_err, unresolved=unresolved, lam_at_edge=edge,
        notes=tuple(notes), references=(cite("Schmidt2011"), cite("Saccoccio2014")),
    )


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
