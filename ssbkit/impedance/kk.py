"""Linear Kramers-Kronig test (Lin-KK) of an impedance spectrum.

The spectrum is fitted, by linear least squares weighted with 1/|Z|, with a
series resistance and M Voigt elements R_k/(1 + j w tau_k) whose time
constants are fixed and log-spaced between 1/w_max and 1/w_min (Boukamp,
J. Electrochem. Soc. 142 (1995) 1885; Schönleber et al., Electrochim. Acta 131
(2014) 20). The spectrum of any causal, linear, stable system can be
approximated so; residuals far above the noise mean the data are not
KK-compliant (drift, non-linearity). M grows from 1 until the over-fitting
measure

    mu = 1 - sum_{R_k < 0} |R_k| / sum_{R_k >= 0} |R_k|

drops below c = 0.85. Because mu can dip below c early, while the fit is
still poor (mu oscillates with M on smooth, low-noise spectra such as a
Randles cell with Warburg diffusion), we also require the fit to have
settled: its pseudo chi-squared (sum of squared relative residuals) within a
factor ``settle`` (2) of the best so far, and no longer falling by more than
that factor from the two previous M. Where no M meets both, the plain
criterion is used.

A series inductance (inductive high-frequency tail) and a series capacitance
(blocking electrodes; Schönleber & Ivers-Tiffée, Electrochem. Commun. 58
(2015) 15) are fitted too unless switched off; on the real pellet spectra of
../shared they bring the residuals from ~10 % at the band edges to < 1 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .spectrum import Spectrum, require_nonzero_z

__all__ = ["KKResult", "kk_test", "voigt_matrix"]


@dataclass(frozen=True, eq=False)
class KKResult:
    """Outcome of a Lin-KK test.

    Attributes
    ----------
    n_rc : int
        Number of Voigt elements M chosen by the mu-criterion.
    mu : float
        Schönleber's mu at ``n_rc`` (1 = no negative resistances).
    c : float
        The mu threshold used.
    tau_s, r_ohm : numpy.ndarray
        Time constants (s) and resistances (ohm) of the Voigt elements.
    r0_ohm : float
        Series resistance (ohm).
    l_h, c_f : float or None
        Series inductance (H) and capacitance (F) where fitted.
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

    @property
    def pseudo_chi2(self) -> float:
        """Sum of squared relative residuals (Schönleber et al. 2014)."""
        return float(np.sum(self.residual_real**2 + self.residual_imag**2))

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "source": self.source,
            "n_rc": self.n_rc,
            "mu": self.mu if np.isfinite(self.mu) else None,
            "c": self.c,
            "valid": self.valid,
            "threshold": self.threshold,
            "max_residual": self.max_residual,
            "rms_residual": self.rms_residual,
            "pseudo_chi2": self.pseudo_chi2,
            "r0_ohm": self.r0_ohm,
            "l_h": self.l_h,
            "c_f": self.c_f,
            "tau_s": self.tau_s.tolist(),
            "r_ohm": self.r_ohm.tolist(),
            "frequency_hz": self.frequency_hz.tolist(),
            "residual_real": self.residual_real.tolist(),
            "residual_imag": self.residual_imag.tolist(),
            "references": [
                "Schönleber, Klotz, Ivers-Tiffée, Electrochim. Acta 131 (2014) 20",
                "Boukamp, J. Electrochem. Soc. 142 (1995) 1885",
            ],
        }


def voigt_matrix(
    omega: np.ndarray, tau_s: np.ndarray, *, inductance: bool, capacitance: bool
) -> np.ndarray:
    """Complex design matrix [1, 1/(1 + j w tau_k)..., (j w), (1/(j w))] of Lin-KK."""
    cols = [np.ones_like(omega, dtype=complex)[:, None], 1.0 / (1.0 + 1j * np.outer(omega, tau_s))]
    if inductance:
        cols.append((1j * omega)[:, None])
    if capacitance:
        cols.append((1.0 / (1j * omega))[:, None])
    return np.hstack(cols)


def _wants_inductance(s: Spectrum) -> bool:
    return bool(s.z_imag[np.argmax(s.frequency_hz)] > 0)


def _wants_capacitance(s: Spectrum) -> bool:
    order = np.argsort(s.frequency_hz)[:3]  # three lowest frequencies, lowest first
    zi, zr = s.z_imag[order], s.z_real[order]
    return bool(-zi[0] > abs(zr[0]) and -zi[0] > -zi[-1])


def _settled(fits: list, factor: float) -> bool:
    """Whether the newest fit is as good as the best so far and no longer improving fast."""
    chi2 = [f[2] for f in fits]
    now = chi2[-1]
    if len(chi2) < 3:
        return len(chi2) == 1 or now <= factor * min(chi2[:-1])
    return now <= factor * min(chi2[:-1]) and now >= min(chi2[-3:-1]) / factor


def kk_test(
    spectrum: Spectrum,
    *,
    c: float = 0.85,
    max_rc: int | None = None,
    inductance: bool | str = True,
    capacitance: bool | str = True,
    threshold: float = 0.02,
    settle: float = 2.0,
) -> KKResult:
    """Lin-KK test with Schönleber's mu-criterion.

    Parameters
    ----------
    spectrum : Spectrum
        The data.
    c : float
        mu threshold (0 < c < 1; 0.85 as recommended by Schönleber et al.).
    max_rc : int, optional
        Largest M tried (default: number of points, at most 100).
    inductance, capacitance : bool or "auto"
        Fit a series L / C (default both, the extended Lin-KK of Schönleber &
        Ivers-Tiffée 2015: without them, an inductive cable tail or a blocking
        electrode's capacitive tail shows as a false KK violation).
        ``"auto"``: L only when Z'' > 0 at the highest frequency; C only when
        the low-frequency end is a capacitive tail (-Z'' > Z' and rising).
    threshold : float
        Largest relative residual (fraction of |Z|) for ``valid`` (default 2 %).
    settle : float
        Factor of the settled-fit guard on the mu-criterion (module docstring);
        ``float("inf")`` gives Schönleber's plain criterion.

    Returns
    -------
    KKResult
    """
    if not 0.0 < c < 1.0:
        raise InputError(f"c={c!r} must lie between 0 and 1 (Schönleber: 0.85)")
    if threshold <= 0:
        raise InputError(f"threshold={threshold!r} must be > 0 (e.g. 0.02 for 2 % of |Z|)")
    if not settle >= 1.0:
        raise InputError(f"settle={settle!r} must be >= 1 (2 by default; inf: plain mu-criterion)")
    use_l = _wants_inductance(spectrum) if inductance == "auto" else bool(inductance)
    use_c = _wants_capacitance(spectrum) if capacitance == "auto" else bool(capacitance)
    w = spectrum.omega
    z = spectrum.z_ohm
    n = w.size
    extra = 1 + use_l + use_c
    m_max = min(n, 100) if max_rc is None else int(max_rc)
    m_max = max(1, min(m_max, 2 * n - extra - 1))
    mod = require_nonzero_z(spectrum, "the KK test")
    tiny = 1e-12 * float(mod.max())  # resistances below this count as zero in mu
    b = np.concatenate([z.real / mod, z.imag / mod])
    t_lo = 1.0 / w.max()
    ln_lo, ln_hi = np.log(t_lo), np.log(1.0 / w.min())
    fits: list[tuple[int, float, float, np.ndarray, np.ndarray, np.ndarray]] = []
    best = None
    for m in range(1, m_max + 1):
        tau = np.array([t_lo]) if m == 1 else np.exp(np.linspace(ln_lo, ln_hi, m))
        a = voigt_matrix(w, tau, inductance=use_l, capacitance=use_c)
        aw = np.vstack([a.real / mod[:, None], a.imag / mod[:, None]])
        scale = np.linalg.norm(aw, axis=0)
        x = np.linalg.lstsq(aw / scale, b, rcond=None)[0] / scale
        r = np.where(np.abs(x[1 : m + 1]) > tiny, x[1 : m + 1], 0.0)
        pos, neg = r[r > 0].sum(), -r[r < 0].sum()
        mu = 1.0 - neg / pos if pos > 0 else (1.0 if neg == 0 else -np.inf)
        chi2 = float(np.sum((aw @ x - b) ** 2))
        fits.append((m, mu, chi2, tau, a, x))
        if mu <= c and _settled(fits, settle):
            best = fits[-1]
            break
    if best is None:  # no settled fit: plain Schönleber (first mu <= c), else the last M
        best = next((fit for fit in fits if fit[1] <= c), fits[-1])
    m, mu, _, tau, a, x = best
    z_fit = a @ x
    res_re = (z.real - z_fit.real) / mod
    res_im = (z.imag - z_fit.imag) / mod
    both = np.concatenate([res_re, res_im])
    max_res = float(np.max(np.abs(both)))
    k = m + 1
    l_h = float(x[k].real) if use_l else None
    c_f = float(1.0 / x[k + use_l].real) if use_c and x[k + use_l].real != 0 else None
    return KKResult(
        n_rc=m, mu=float(mu), c=c, tau_s=tau, r_ohm=x[1 : m + 1].real.copy(),
        r0_ohm=float(x[0].real), l_h=l_h, c_f=c_f, frequency_hz=spectrum.frequency_hz,
        z_fit_ohm=z_fit, residual_real=res_re, residual_imag=res_im, max_residual=max_res,
        rms_residual=float(np.sqrt(np.mean(both**2))), threshold=threshold,
        valid=max_res <= threshold, source=spectrum.source,
    )
