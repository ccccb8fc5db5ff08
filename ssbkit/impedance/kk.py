"""Linear Kramers-Kronig test (Lin-KK) of an impedance spectrum.

The immittance is fitted, by linear least squares weighted with 1/|data|,
with M Voigt-type elements whose time constants are fixed and log-spaced
(Boukamp, J. Electrochem. Soc. 142 (1995) 1885; Schönleber et al.,
Electrochim. Acta 131 (2014) 20):

* impedance representation, R0 + sum R_k/(1 + j w tau_k) [+ j w L] [+ 1/(j w C)];
* admittance representation, 1/R_p + sum j w C_k/(1 + j w tau_k) [+ j w C_p]
  [+ 1/(j w L_p)] (series RC elements in parallel).

Any such model is KK-compliant, so residuals far above the noise mean the
data are not (drift, non-linearity). How M is chosen decides whether the test
is any good. Schönleber's over-fitting measure

    mu = 1 - sum_{x_k < 0} |x_k| / sum_{x_k >= 0} |x_k|       (x = R_k or C_k)

falls below c = 0.85 once the fit starts to fit noise, but on smooth,
low-noise spectra it also dips below c at small M while the fit is still
poor; stopping there rejects valid data. We follow the refinements of
Yrjänä & Bobacka (Electrochim. Acta 504 (2024) 144951), as pyimpspec 5
implements them, in a simplified form:

1. a lower limit M_lo below which more elements still improve the fit: the
   smallest M such that no M' in (M, 2M] (at least M + 3) lowers the
   *reduced* pseudo chi-squared (chi2 / (2N - p), so that fitting noise does
   not count as improvement) by more than a factor ``improvement`` (1.5), and
   that lies within a decade of the best M (a window growing with M looks past
   the local plateaus of log-spaced tau grids);
2. the mu-criterion applied from M_lo on: the first M >= M_lo with mu <= c
   (at most M_lo + max(3, M_lo/2)) that fits as well as M_lo (reduced chi2
   within ``improvement``: a grid that misses the data's time constants can
   fit worse with one more element); else M_lo;
3. the range of time constants extended by F_ext (tau in [1/(F w_max),
   F/w_min], log10 F_ext in {0, 0.5, 1}) where that fits better with no more
   elements (pyimpspec's "similarly low chi2 with a lower N"; extending the
   range *and* adding elements lets the model absorb drift), and the
   representation (impedance or admittance) chosen by the lower reduced chi2
   at the chosen M (ties within 12 %: the smaller M).

The verdict: valid when the largest residual, (Z - Z_fit)/|Z| over real and
imaginary parts, is at most ``threshold`` (2 % of |Z|). Series L and C
(impedance) or parallel C and L (admittance) are fitted unless switched off
(Schönleber & Ivers-Tiffée, Electrochem. Commun. 58 (2015) 15): without them an
inductive cable tail or a blocking electrode shows as a false violation.

Z-HIT (:mod:`ssbkit.impedance.zhit`) is the independent second check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..citations.registry import cite
from ..errors import InputError
from ..records import Record
from ._blas import one_blas_thread
from .kk_scan import (  # noqa: F401
    _choose_m,
    _fit,
    _mu,
    _pick,
    _reduced,
    _Scan,
    _scan,
    _taus,
    _wants_capacitance,
    _wants_inductance,
    voigt_matrix,
)
from .spectrum import Spectrum, require_nonzero_z

__all__ = ["KKResult", "kk_test", "voigt_matrix"]

_LOG_F_EXT = (0.0, 0.5, 1.0)


@dataclass(frozen=True, eq=False)
class KKResult(Record):
    """Outcome of a Lin-KK test.

    Attributes
    ----------
    n_rc : int
        Number of elements M chosen.
    mu : float
        Schönleber's mu at ``n_rc`` (1 = no negative resistances/capacitances).
    c : float
        The mu threshold used.
    tau_s, r_ohm : numpy.ndarray
        Time constants (s) and element values: resistances (ohm) in the
        impedance representation, capacitances (F) in the admittance one.
    r0_ohm : float
        Series resistance R0 (impedance) or parallel resistance R_p (admittance), ohm.
    l_h, c_f : float or None
        Series (impedance) or parallel (admittance) inductance (H) and capacitance (F).
    frequency_hz, z_fit_ohm : numpy.ndarray
        Frequencies (Hz) and the Lin-KK model impedance (ohm).
    residual_real, residual_imag : numpy.ndarray
        (Z_data - Z_fit) / |Z_data| for the real and imaginary parts.
    max_residual, rms_residual : float
        Largest absolute and root-mean-square residual (fractions of |Z|).
    threshold : float
        ``valid`` means ``max_residual <= threshold``.
    valid : bool
        Whether the spectrum passes the test.
    source : str
        The spectrum's source.
    representation : str
        ``"impedance"`` or ``"admittance"``.
    log_f_ext : float
        log10 of the tau-range extension factor F_ext.
    n_rc_lower : int
        The lower limit M_lo (step 1 of the module docstring).
    pseudo_chi2_by_m : numpy.ndarray
        Pseudo chi-squared for M = 1, 2, ... in the chosen representation and F_ext.
    mu_by_m : numpy.ndarray
        mu for the same M.
    references : tuple of str
        Citation keys.
    """

    n_rc: int
    mu: float
    c: float
    tau_s: np.ndarray
    r_ohm: np.ndarray
    r0_ohm: float
    l_h: float | None
    c_f: float | None
    frequency_hz: np.ndarray
    z_fit_ohm: np.ndarray
    residual_real: np.ndarray
    residual_imag: np.ndarray
    max_residual: float
    rms_residual: float
    threshold: float
    valid: bool
    source: str = ""
    representation: str = "impedance"
    log_f_ext: float = 0.0
    n_rc_lower: int = 1
    pseudo_chi2_by_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mu_by_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    references: tuple[str, ...] = ("Schoenleber2014", "Boukamp1995")

    @property
    def pseudo_chi2(self) -> float:
        """Sum of squared relative residuals (Schönleber et al. 2014)."""
        return float(np.sum(self.residual_real**2 + self.residual_imag**2))

    def as_dict(self) -> dict:
        """JSON-ready dict of the fields plus ``pseudo_chi2``.

        Returns
        -------
        dict
            JSON-ready fields plus ``pseudo_chi2`` (dimensionless).
        """
        d = super().as_dict()
        d["pseudo_chi2"] = self.pseudo_chi2
        return d


def _check_options(c: float, threshold: float, representation: str, improvement: float) -> None:
    if not 0.0 < c < 1.0:
        raise InputError(f"c={c!r} must lie between 0 and 1 (Schönleber: 0.85)")
    if threshold <= 0:
        raise InputError(f"threshold={threshold!r} must be > 0 (e.g. 0.02 for 2 % of |Z|)")
    if representation not in ("auto", "impedance", "admittance"):
        raise InputError(f"representation={representation!r}: use 'auto', 'impedance' or "
                         "'admittance'")
    if not improvement > 1.0:
        raise InputError(f"improvement={improvement!r} must be > 1 (default 1.5)")


def kk_test(
    spectrum: Spectrum,
    *,
    c: float = 0.85,
    max_rc: int | None = None,
    n_rc: int | None = None,
    inductance: bool | str = True,
    capacitance: bool | str = True,
    threshold: float = 0.02,
    representation: str = "auto",
    log_f_ext: float | None = None,
    improvement: float = 1.5,
    method: str = "auto",
) -> KKResult:
    """Lin-KK test: representation, tau range and M chosen as in the module docstring.

    Parameters
    ----------
    spectrum : Spectrum
        The data.
    c : float
        mu threshold (0 < c < 1; 0.85 as recommended by Schönleber et al.).
    max_rc : int, optional
        Largest M tried (default: number of points, at most 80).
    n_rc : int, optional
        Use this M (no search); the representation and F_ext are still chosen
        unless given.
    inductance, capacitance : bool or "auto"
        Fit the L and C elements (default both). ``"auto"``: L only when
        Z'' > 0 at the highest frequency; C only when the low-frequency end is
        a capacitive tail (-Z'' > Z' and rising).
    threshold : float
        Largest relative residual (fraction of |Z|) for ``valid`` (default 2 %).
    representation : {"auto", "impedance", "admittance"}
        Which immittance to fit; ``"auto"`` tries both.
    log_f_ext : float, optional
        log10 of the tau-range extension; default: the best of 0, 0.5, 1.
    improvement : float
        Factor of reduced chi2 that still counts as an improvement (step 1).
    method : {"auto", "schoenleber"}
        ``"schoenleber"``: the plain criterion of Schönleber et al. 2014 (first M
        with mu <= c, impedance representation, F_ext = 1), as impedance.py
        implements it; it can stop early and reject valid data.

    Returns
    -------
    KKResult

    Examples
    --------
    >>> import numpy as np
    >>> from ssbkit.impedance.spectrum import make_spectrum
    >>> f = np.logspace(5, -1, 40)
    >>> z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 1e-3)
    >>> kk_test(make_spectrum(f, z.real, z.imag, source="rc")).valid
    True
    """
    _check_options(c, threshold, representation, improvement)
    if method not in ("auto", "schoenleber"):
        raise InputError(f"method={method!r}: use 'auto' or 'schoenleber'")
    if method == "schoenleber":
        representation, log_f_ext = "impedance", 0.0
    use_l = _wants_inductance(spectrum) if inductance == "auto" else bool(inductance)
    use_c = _wants_capacitance(spectrum) if capacitance == "auto" else bool(capacitance)
    w, z = spectrum.omega, spectrum.z_ohm
    n = w.size
    mod_z = require_nonzero_z(spectrum, "the KK test")
    extra = 1 + use_l + use_c
    m_max = min(n, 80) if max_rc is None else int(max_rc)
    m_max = max(1, min(m_max, 2 * n - extra - 1))
    if n_rc is not None:
        if not 1 <= int(n_rc) <= 2 * n - extra - 1:
            raise InputError(f"n_rc={n_rc!r} must lie between 1 and {2 * n - extra - 1}")
        m_max = int(n_rc)
    reps = (False, True) if representation == "auto" else (representation == "admittance",)
    fexts = _LOG_F_EXT if log_f_ext is None else (float(log_f_ext),)
    data = {False: (z, mod_z), True: (1.0 / z, 1.0 / mod_z)}
    with one_blas_thread():
        cands = _candidates(w, data, reps, fexts, m_max, n_rc=n_rc, use_l=use_l, use_c=use_c,
                            c=c, improvement=improvement, plain=method == "schoenleber")
        red, m, m_lo, scan = _pick(cands)
        return _result(spectrum, scan, m, m_lo, c=c, threshold=threshold, use_l=use_l,
                       use_c=use_c, fixed=n_rc is not None)


def _candidates(w, data, reps, fexts, m_max, *, n_rc, use_l, use_c, c, improvement,
                plain=False) -> list:
    """(reduced chi2, M, M_lo, scan) for every representation and F_ext tried."""
    n = w.size
    extra = 1 + use_l + use_c
    cands = []
    for adm in reps:
        d, mod = data[adm]
        m_cap = m_max
        m_base: int | None = None
        for j, lf in enumerate(fexts):
            if n_rc is not None:
                x, _, c2 = _fit(w, d, mod, _taus(w, m_max, lf), admittance=adm, use_l=use_l,
                                use_c=use_c)
                scan = _Scan(adm, lf, np.array([c2]), np.array([_mu(x, m_max, 0.0)]), extra)
                red = c2 / max(2 * n - m_max - extra, 1)
                cands.append((red, m_max, m_max, scan))
                continue
            # an extended tau range only counts with no more elements than F_ext = 1
            # (_pick), so its scan need not run far past that M
            scan = _scan(w, d, mod, m_cap if j else m_max, admittance=adm, log_f_ext=lf,
                         use_l=use_l, use_c=use_c, improvement=improvement, plain=plain, c=c,
                         stop_above=m_base if j else None)
            if plain:
                below = np.flatnonzero(scan.mu <= c)
                m = int(below[0]) + 1 if below.size else scan.chi2.size
                m_lo = 1
            else:
                m, m_lo = _choose_m(scan, n, c, improvement)
            if j == 0 and fexts[0] == 0.0 and not plain:
                m_cap = min(m_max, 3 * m + 8)
                m_base = m
            cands.append((_reduced(scan, n)[m - 1], m, m_lo, scan))
    return cands


def _result(spectrum, scan: _Scan, m: int, m_lo: int, *, c, threshold, use_l, use_c,
            fixed: bool) -> KKResult:
    w, z = spectrum.omega, spectrum.z_ohm
    mod_z = np.abs(z)
    adm = scan.admittance
    d, mod = (1.0 / z, 1.0 / mod_z) if adm else (z, mod_z)
    tau = _taus(w, m, scan.log_f_ext)
    x, a, _ = _fit(w, d, mod, tau, admittance=adm, use_l=use_l, use_c=use_c)
    fit = a @ x
    z_fit = 1.0 / fit if adm else fit
    res_re = (z.real - z_fit.real) / mod_z
    res_im = (z.imag - z_fit.imag) / mod_z
    both = np.concatenate([res_re, res_im])
    max_res = float(np.max(np.abs(both)))
    k = m + 1
    first, second = (use_c, use_l) if adm else (use_l, use_c)
    v1 = float(x[k].real) if first else None
    v2 = float(x[k + first].real) if second else None
    if adm:  # columns j w C_p and 1/(j w L_p)
        c_f, l_h = v1, (1.0 / v2 if v2 else None)
        r0 = 1.0 / x[0].real if x[0].real != 0 else float("inf")
    else:
        l_h, c_f = v1, (1.0 / v2 if v2 else None)
        r0 = float(x[0].real)
    idx = 0 if fixed else m - 1
    return KKResult(
        n_rc=m, mu=float(scan.mu[idx]), c=c, tau_s=tau, r_ohm=x[1 : m + 1].real.copy(),
        r0_ohm=float(r0), l_h=l_h, c_f=c_f, frequency_hz=spectrum.frequency_hz,
        z_fit_ohm=z_fit, residual_real=res_re, residual_imag=res_im, max_residual=max_res,
        rms_residual=float(np.sqrt(np.mean(both**2))), threshold=threshold,
        valid=max_res <= threshold, source=spectrum.source,
        representation="admittance" if adm else "impedance", log_f_ext=scan.log_f_ext,
        n_rc_lower=m_lo, pseudo_chi2_by_m=scan.chi2.copy(), mu_by_m=scan.mu.copy(),
        references=(cite("Schoenleber2014", "eq. 21 (mu)"), cite("Boukamp1995"),
                    cite("Yrjana2024")),
    )
