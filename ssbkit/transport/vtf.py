"""Vogel–Tammann–Fulcher fits for polymer (and some glassy) electrolytes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from ..constants import K_B_EV
from ..errors import ConvergenceError, InputError
from ..records import Record
from ..units import check_temperature_k

__all__ = ["VTFFit", "vtf", "fit_vtf"]

REFERENCES = ("science.md section 1: sigma = A T^-1/2 exp(-B / (T - T0)) (VTF)",)


def vtf(t_k, a: float, b_k: float, t0_k: float):
    """VTF law sigma = A T^-1/2 exp(-B / (T - T0)) (science.md section 1).

    Parameters
    ----------
    t_k
        Temperature, K (must exceed ``t0_k``).
    a
        Prefactor, S K^1/2 / cm.
    b_k
        Pseudo-activation temperature B, K (B k_B is the pseudo-activation energy).
    t0_k
        Ideal glass-transition (Vogel) temperature, K.

    Returns
    -------
    numpy.ndarray
        sigma, S/cm.

    Examples
    --------
    >>> round(float(vtf(400.0, 1.0, 1000.0, 200.0)), 8)  # 400**-0.5 * exp(-5)
    0.0003369
    """
    t = np.asarray(t_k, dtype=float)
    return a / np.sqrt(t) * np.exp(-b_k / (t - t0_k))


@dataclass(frozen=True)
class VTFFit(Record):
    """Result of :func:`fit_vtf`: parameters with standard errors; B also in eV."""

    a: float
    b_k: float
    t0_k: float
    a_se: float
    b_se_k: float
    t0_se_k: float
    rms_ln_residual: float
    references: tuple[str, ...] = REFERENCES

    @property
    def pseudo_ea_ev(self) -> float:
        return self.b_k * K_B_EV

    def predict(self, t_k):
        """VTF conductivity at ``t_k`` with the fitted parameters.

        Parameters
        ----------
        t_k
            Temperature or temperatures, K (above ``t0_k``).

        Returns
        -------
        numpy.ndarray
            sigma, S/cm.
        """
        return vtf(t_k, self.a, self.b_k, self.t0_k)

    def as_dict(self) -> dict:
        """The fields plus ``pseudo_ea_eV`` (and ``@class``).

        Returns
        -------
        dict
            JSON-ready fields plus ``pseudo_ea_eV`` (B k_B, eV) and ``@class``.
        """
        d = super().as_dict()
        d["pseudo_ea_eV"] = self.pseudo_ea_ev
        return d


def fit_vtf(t_k, sigma, *, t0_guess_k: float | None = None) -> VTFFit:
    """Fit the VTF law to conductivities (S/cm) by least squares on ln sigma.

    Parameters
    ----------
    t_k
        Temperatures, K.
    sigma
        Conductivities, S/cm (> 0).
    t0_guess_k
        Start value of T0, K (None: 0.75 x the lowest temperature).

    Returns
    -------
    VTFFit
        A, B (K), T0 (K) with standard errors and the rms residual of ln sigma.

    Raises
    ------
    InputError
        Fewer than 4 points, T <= 0 K, sigma <= 0.
    ConvergenceError
        The optimiser did not converge (the message carries the residual).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([250.0, 300.0, 350.0, 400.0])
    >>> fit = fit_vtf(t, vtf(t, 2.0, 800.0, 180.0))
    >>> round(fit.b_k), round(fit.t0_k)
    (800, 180)
    """
    t = check_temperature_k(t_k)
    s = np.atleast_1d(np.asarray(sigma, dtype=float))
    if s.shape != t.shape:
        raise InputError(f"got {t.size} temperatures but {s.size} conductivities")
    if t.size < 4:
        raise InputError("a VTF fit (3 parameters) needs at least 4 temperatures")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise InputError("conductivities must be finite and > 0")
    ln_s = np.log(s)
    tmin = float(t.min())
    t0 = t0_guess_k if t0_guess_k is not None else 0.75 * tmin

    def resid(p):
        ln_a, b, t0_ = p
        return ln_a - 0.5 * np.log(t) - b / (t - t0_) - ln_s

    # start: linear fit of ln(sigma sqrt T) vs 1/(T - T0) at the guessed T0
    x = 1.0 / (t - t0)
    slope, icpt = np.polyfit(x, ln_s + 0.5 * np.log(t), 1)
    p0 = [icpt, max(-slope, 1.0), t0]
    res = least_squares(
        resid, p0, bounds=([-np.inf, 0.0, 0.0], [np.inf, np.inf, tmin - 1.0]), x_scale="jac"
    )
    if not res.success:
        raise ConvergenceError(f"VTF fit did not converge: {res.message} (cost {res.cost:.3g})")
    dof = max(t.size - 3, 1)
    s2 = 2 * res.cost / dof
    try:
        cov = np.linalg.inv(res.jac.T @ res.jac) * s2
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(3, math.nan)
    ln_a, b, t0_ = res.x
    a = math.exp(ln_a)
    return VTFFit(
        a=a,
        b_k=float(b),
        t0_k=float(t0_),
        a_se=float(a * se[0]),
        b_se_k=float(se[1]),
        t0_se_k=float(se[2]),
        rms_ln_residual=float(np.sqrt(np.mean(res.fun**2))),
    )
