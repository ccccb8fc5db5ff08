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
(the basins are recomputed), so 0.5 % noise does not add peaks. A maximum
outside the measured band of time constants (1/w_max..1/w_min), where gamma is
not determined by the data (it trades off against R_inf), is dropped, and peak
areas count gamma inside that band only (a note gives what lies outside). lambda is chosen by the modified GCV of
Kim & Gu (J. R. Stat. Soc. B 66 (2004) 337; factor rho = 2 on tr H, ``RHO``),
which guards against the under-smoothing of plain GCV. Two neighbouring
peaks are reported *not resolved* when the minimum between them is above 80 %
of the lower one (about Rayleigh's criterion: two equal Lorentzian-like peaks
just resolved dip to ~0.8): their split of the area is then not trustworthy.
So is a single peak into which the ZARC-model test moves a second relaxation
(:mod:`ssbkit.impedance.drt_peaks`): ``unresolved_peaks`` lists both kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls

from ..citations.registry import cite
from ..errors import InputError
from ..records import Record
from ._blas import one_blas_thread
from .drt_analytic import hn_drt, zarc_drt
from .drt_linalg import (
    RHO,
    _active_covariance,
    _gcv_lambda,
    _nnls_normal,
    _second_difference,
    _Tikhonov,
)
from .drt_peaks import find_peaks, significant_peaks
from .kk import _wants_capacitance, _wants_inductance
from .spectrum import Spectrum, require_nonzero_z

__all__ = ["DRTResult", "compute_drt", "find_peaks", "hn_drt", "zarc_drt"]


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
    unresolved_peaks : list of int
        Indices of the peaks that are not resolved: members of those pairs, and peaks that
        hold more than one relaxation by the ZARC-model test (the DRT merged them).
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
    unresolved_peaks: list[int] = field(default_factory=list)
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
    peaks, r_err, t_err, unresolved, within = significant_peaks(
        tau, gamma, cov, min_peak_fraction, notes, band=band,
        data=(w, z, mod, float(x[0] * zscale), l_h, c_f, sigma2))
    return DRTResult(
        tau_s=tau, gamma_ohm=gamma, r_inf_ohm=float(x[0] * zscale), l_h=l_h, c_f=c_f,
        lam=lam_used, lam_method=method, peaks=peaks,
        frequency_hz=spectrum.frequency_hz, z_fit_ohm=z_fit,
        rms_residual=float(np.sqrt(np.mean(res**2))), source=spectrum.source,
        peak_r_err_ohm=r_err, peak_ln_tau_err=t_err, unresolved=unresolved,
        unresolved_peaks=within, lam_at_edge=edge,
        notes=tuple(notes), references=(cite("Schmidt2011"), cite("Saccoccio2014")),
    )
