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
import scipy.linalg
from scipy.linalg.lapack import _compute_lwork

from ..citations.registry import cite
from ..errors import InputError
from ..records import Record
from ._blas import one_blas_thread
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


def voigt_matrix(
    omega: np.ndarray,
    tau_s: np.ndarray,
    *,
    inductance: bool,
    capacitance: bool,
    admittance: bool = False,
) -> np.ndarray:
    """Complex design matrix of Lin-KK.

    Parameters
    ----------
    omega : numpy.ndarray
        Angular frequencies (rad/s).
    tau_s : numpy.ndarray
        Fixed time constants (s).
    inductance, capacitance : bool
        Add the L and C columns.
    admittance : bool
        Admittance representation: columns [1, j w/(1 + j w tau_k)..., j w (C_p),
        1/(j w) (1/L_p)] instead of [1, 1/(1 + j w tau_k)..., j w (L), 1/(j w) (1/C)].

    Returns
    -------
    numpy.ndarray
        Shape (len(omega), 1 + len(tau_s) + inductance + capacitance).

    Examples
    --------
    >>> voigt_matrix(np.array([1.0]), np.array([1.0]), inductance=True, capacitance=False).shape
    (1, 3)
    """
    jw: np.ndarray = 1j * np.asarray(omega, dtype=float)
    voigt: np.ndarray = 1.0 / (1.0 + np.outer(jw, tau_s))
    if admittance:
        voigt = voigt * jw[:, None]
    cols = [np.ones_like(jw)[:, None], voigt]
    if admittance:
        if capacitance:
            cols.append(jw[:, None])
        if inductance:
            cols.append((1.0 / jw)[:, None])
    else:
        if inductance:
            cols.append(jw[:, None])
        if capacitance:
            cols.append((1.0 / jw)[:, None])
    return np.hstack(cols)


def _wants_inductance(s: Spectrum) -> bool:
    return bool(s.z_imag[np.argmax(s.frequency_hz)] > 0)


def _wants_capacitance(s: Spectrum) -> bool:
    order = np.argsort(s.frequency_hz)[:3]  # three lowest frequencies, lowest first
    zi, zr = s.z_imag[order], s.z_real[order]
    return bool(-zi[0] > abs(zr[0]) and -zi[0] > -zi[-1])


@dataclass(frozen=True)
class _Scan:
    """Lin-KK fits for M = 1..M_max in one representation and one F_ext."""

    admittance: bool
    log_f_ext: float
    chi2: np.ndarray
    mu: np.ndarray
    n_par_extra: int


def _taus(w: np.ndarray, m: int, log_f_ext: float) -> np.ndarray:
    f = 10.0**log_f_ext
    lo, hi = np.log(1.0 / (f * w.max())), np.log(f / w.min())
    return np.array([np.exp(lo)]) if m == 1 else np.exp(np.linspace(lo, hi, m))


def _fit(w, d, mod, tau, *, admittance, use_l, use_c):
    """Weighted least squares at fixed tau: (x, A, chi2)."""
    a = voigt_matrix(w, tau, inductance=use_l, capacitance=use_c, admittance=admittance)
    aw = np.vstack([a.real / mod[:, None], a.imag / mod[:, None]])
    b = np.concatenate([d.real / mod, d.imag / mod])
    scale = np.linalg.norm(aw, axis=0)
    scale[scale == 0] = 1.0
    x = _gelsy(aw / scale, b) / scale
    return x, a, float(np.sum((aw @ x - b) ** 2))


class _Fitter:
    """The fits of one scan (one representation, one F_ext) for M = 1, 2, ...

    The same problem as :func:`_fit` (same matrix, weights, column scaling and LAPACK
    routine; the matrix entries in real arithmetic, equal to rounding), with what does
    not depend on M computed once: a scan runs up to ~100 small fits, where per-call
    set-up costs as much as the solve.
    """

    def __init__(self, w, d, mod, *, admittance, use_l, use_c, log_f_ext):
        a = voigt_matrix(w, np.zeros(0), inductance=use_l, capacitance=use_c,
                         admittance=admittance)  # the columns without Voigt elements
        n = w.size
        self.w = np.asarray(w, dtype=float)
        self.adm = admittance
        self.inv_mod = (1.0 / mod)[:, None]
        self.fixed = np.vstack([a.real / mod[:, None], a.imag / mod[:, None]])
        self.b = np.concatenate([d.real / mod, d.imag / mod])
        f = 10.0**log_f_ext
        self.lo, self.hi = np.log(1.0 / (f * w.max())), np.log(f / w.min())
        self.n = n

    def taus(self, m: int) -> np.ndarray:
        if m == 1:
            return np.array([np.exp(self.lo)])
        step = (self.hi - self.lo) / (m - 1)  # as numpy.linspace computes it
        y = np.arange(0, m) * step + self.lo
        y[-1] = self.hi
        return np.exp(y)

    def fit(self, m: int) -> tuple[np.ndarray, float]:
        # 1/(1 + j w tau) = (1 - j w tau)/(1 + (w tau)^2) in real arithmetic (the complex
        # division costs several times more); admittance: j w/(1 + j w tau)
        wt = np.outer(self.w, self.taus(m))
        den = 1.0 / (1.0 + wt * wt)
        if self.adm:
            re, im = (self.w[:, None] * wt) * den, self.w[:, None] * den
        else:
            re, im = den, -wt * den
        n = self.n
        k = self.fixed.shape[1]
        aw = np.empty((2 * n, k + m))
        aw[:, 0] = self.fixed[:, 0]
        aw[:n, 1 : m + 1] = re * self.inv_mod
        aw[n:, 1 : m + 1] = im * self.inv_mod
        aw[:, m + 1 :] = self.fixed[:, 1:]
        scale = np.sqrt(np.einsum("ij,ij->j", aw, aw))
        scale[scale == 0] = 1.0
        x = _gelsy(aw / scale, self.b) / scale
        r = aw @ x - self.b
        return x, float(r @ r)


_LWORK: dict[tuple[int, int], int] = {}
_GELSY: dict[str, tuple] = {}


def _gelsy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK gelsy least squares, as ``scipy.linalg.lstsq(lapack_driver="gelsy")`` solves it
    (same routine, same rcond) without its per-call checks and workspace query."""
    rows, cols = a.shape
    if rows < cols:
        return scipy.linalg.lstsq(a, b, lapack_driver="gelsy", check_finite=False)[0]
    fns = _GELSY.get(a.dtype.char)
    if fns is None:
        fns = _GELSY[a.dtype.char] = scipy.linalg.get_lapack_funcs(("gelsy", "gelsy_lwork"),
                                                                   (a, b))
    fn, fn_lwork = fns
    cond = np.finfo(fn.dtype).eps
    lwork = _LWORK.get((rows, cols))
    if lwork is None:
        lwork = _LWORK[(rows, cols)] = _compute_lwork(fn_lwork, rows, cols, 1, cond)
    jptv = np.zeros((cols, 1), dtype=np.int32)
    _, x, _, _, info = fn(a, b, jptv, cond, lwork, False, False)
    if info < 0:
        raise ValueError(f"illegal value in argument {-info} of gelsy")
    return x[:cols]


def _mu(x: np.ndarray, m: int, tiny: float) -> float:
    r = np.where(np.abs(x[1 : m + 1]) > tiny, x[1 : m + 1], 0.0)
    pos, neg = r[r > 0].sum(), -r[r < 0].sum()
    if pos > 0:
        return float(1.0 - neg / pos)
    return 1.0 if neg == 0 else -np.inf


def _scan(w, d, mod, m_max, *, admittance, log_f_ext, use_l, use_c, improvement,
          plain=False, c=0.85, stop_above: int | None = None) -> _Scan:
    """Fits for M = 1, 2, ... until M_lo (step 1) is settled and step 2 has room, or m_max.

    ``stop_above``: stop as soon as M_lo exceeds it. M_lo of a partial scan is a lower
    bound of the final one (more fits only lower the floor and widen the windows of
    :func:`_lower_limit`, which can turn an accepted M into a rejected one, never the
    reverse), so an extended-range scan that cannot end at or below the M of F_ext = 1
    (which :func:`_pick` would reject) stops there with the same verdict.
    """
    chi2, mu = np.empty(m_max), np.empty(m_max)
    extra = 1 + use_l + use_c
    dof = np.maximum(2 * w.size - np.arange(1, m_max + 1) - extra, 1)
    fitter = _Fitter(w, d, mod, admittance=admittance, use_l=use_l, use_c=use_c,
                     log_f_ext=log_f_ext)
    for m in range(1, m_max + 1):
        x, c2 = fitter.fit(m)
        chi2[m - 1], mu[m - 1] = c2, _mu(x, m, 1e-12 * float(np.max(np.abs(x[1 : m + 1]))))
        if plain and mu[m - 1] <= c:
            chi2, mu = chi2[:m], mu[:m]
            break
        if plain:
            continue
        if stop_above is not None and m > stop_above and m % 2 == 0:
            if _lower_limit(chi2[:m] / dof[:m], improvement) > stop_above:
                chi2, mu = chi2[:m], mu[:m]
                break
        if m >= 8 and m % 4 == 0:
            lo = _lower_limit(chi2[:m] / dof[:m], improvement)
            if m >= max(2 * lo, lo + 3) + max(3, lo // 2) + 4:
                chi2, mu = chi2[:m], mu[:m]
                break
    return _Scan(admittance, log_f_ext, chi2, mu, extra)


def _reduced(scan: _Scan, n: int) -> np.ndarray:
    p = np.arange(1, scan.chi2.size + 1) + scan.n_par_extra
    return scan.chi2 / np.maximum(2 * n - p, 1)


def _lower_limit(red: np.ndarray, improvement: float) -> int:
    """Smallest M that no M' in (M, 2M] (at least M + 3) improves on by ``improvement``.

    ``red`` is the reduced pseudo chi-squared for M = 1, 2, ... A window that
    grows with M looks past the local plateaus that log-spaced tau grids
    produce, without following a slow fall (drift being absorbed) to its end.
    """
    floor = float(red.min())
    for i in range(red.size):
        m = i + 1
        ahead = red[m : max(2 * m, m + 3)]
        if red[i] > 10.0 * floor:  # still a decade above the best fit: keep going
            continue
        if ahead.size == 0 or red[i] <= improvement * ahead.min():
            return m
    return int(red.size)


def _choose_m(scan: _Scan, n: int, c: float, improvement: float) -> tuple[int, int]:
    """(M chosen, M_lo) for one scan (steps 1-2 of the module docstring)."""
    red = _reduced(scan, n)
    m_lo = _lower_limit(red, improvement)
    m_cap = min(scan.chi2.size, m_lo + max(3, m_lo // 2))
    for m in range(m_lo, m_cap + 1):
        if scan.mu[m - 1] <= c and red[m - 1] <= improvement * red[m_lo - 1]:
            return m, m_lo
    return m_lo, m_lo


def _pick(cands: list) -> tuple:
    """Candidate (reduced chi2, M, M_lo, scan) chosen over F_ext and representation (step 3).

    Within a representation, an extended tau range replaces F_ext = 1 only when
    it fits better with no more elements; between representations the lower
    reduced chi2 wins, within 12 % the smaller M.
    """
    per_rep = []
    for adm in (False, True):
        mine = [cd for cd in cands if cd[3].admittance == adm]
        if not mine:
            continue
        base = next((cd for cd in mine if cd[3].log_f_ext == 0.0), mine[0])
        ok = [cd for cd in mine if cd is base or (cd[1] <= base[1] and cd[0] <= base[0])]
        per_rep.append(min(ok, key=lambda cd: (cd[0], cd[1])))
    best_red = min(cd[0] for cd in per_rep)
    return min((cd for cd in per_rep if cd[0] <= 1.12 * best_red), key=lambda cd: (cd[1], cd[0]))


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
