"""The Voigt-element fits behind the Lin-KK test: the tau grid, the fits and the scan over M.

The numerical half of :mod:`ssbkit.impedance.kk` (Schönleber, Klotz & Ivers-Tiffée,
Electrochim. Acta 131 (2014) 20, doi 10.1016/j.electacta.2014.01.034; the lower limit
on M after Yrjänä & Bobacka 2024): linear least squares of R_k / (1 + i w tau_k) with
optional series L and C, in impedance or admittance, for M = 1 .. M_max at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.linalg.lapack import _compute_lwork

from .spectrum import Spectrum

__all__ = ["voigt_matrix"]


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
