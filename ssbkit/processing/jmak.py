"""Isothermal JMAK kinetics (Avrami, J. Chem. Phys. 7 (1939) 1103; ``science.md`` §7):
``x(t, T) = 1 - exp(-(k t)^n)``, ``k = k0 exp(-Ea / (R T))``, with ``Ea``, ``k0`` from a
Kissinger analysis (``k0`` = Kissinger's A) and ``n`` from Matusita-Sakka, or from one scan
and a given Ea (Kissinger's peak condition). Heating ramps: :mod:`.jmak_program`; the
conductivity map: :mod:`.heat_treatment`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..citations import cite
from ..constants import R_GAS
from ..errors import InputError, require_finite, require_positive
from ..records import Record
from .kinetics import KineticsFit

__all__ = ["JmakKinetics", "jmak_fraction", "kinetics_from_single_scan"]



@dataclass(frozen=True)
class JmakKinetics(Record):
    """Isothermal JMAK kinetics.

    Attributes
    ----------
    ea_kJ_per_mol, ln_k0_per_s, n
        Activation energy, ``ln k0`` (k0 in 1/s) and Avrami exponent.
    cov_ea_lnk0
        2x2 covariance of (Ea in kJ/mol, ln k0) from the Kissinger fit (zeros when given).
    n_se
        Standard error of ``n``.
    source
        Where the numbers came from.
    """

    __module__ = "ssbkit.processing.heat_treatment"  # public home; keeps the JSON "@class"

    ea_kJ_per_mol: float
    ln_k0_per_s: float
    n: float
    cov_ea_lnk0: tuple[tuple[float, float], tuple[float, float]] = ((0.0, 0.0), (0.0, 0.0))
    n_se: float = 0.0
    source: str = "given"

    def rate_per_s(self, temperature_C: float | np.ndarray) -> float | np.ndarray:
        """Rate constant ``k(T) = k0 exp(-Ea / (R T))``.

        Parameters
        ----------
        temperature_C : float or ndarray
            Temperature, degC.

        Returns
        -------
        float or ndarray
            ``k`` in 1/s.
        """
        tk = np.asarray(temperature_C, float) + 273.15
        return np.exp(self.ln_k0_per_s - self.ea_kJ_per_mol * 1e3 / (R_GAS * tk))

    @classmethod
    def from_kissinger(cls, fit: KineticsFit, n: float, *, n_se: float = 0.0) -> JmakKinetics:
        """Kinetics from a Kissinger fit (``k0`` = A) and an Avrami exponent.

        Parameters
        ----------
        fit : KineticsFit
            A ``method="kissinger"`` fit.
        n : float
            Avrami exponent.
        n_se : float
            Its standard error.

        Returns
        -------
        JmakKinetics
            With the (Ea, ln k0) covariance propagated from the regression.
        """
        if fit.method != "kissinger" or not math.isfinite(fit.ln_A_per_s):
            raise InputError("JMAK kinetics need a Kissinger fit (its pre-exponential)")
        # Ea = -R b1, ln A = b0 + ln(-b1): Jacobian wrt (b0, b1)
        b1 = fit.slope
        jac = np.array([[0.0, -R_GAS / 1e3], [1.0, 1.0 / b1]])
        cov = jac @ np.array(fit.cov) @ jac.T
        cov = np.where(np.isfinite(cov), cov, 0.0)
        return cls(fit.ea_kJ_per_mol, fit.ln_A_per_s, _avrami(n),
                   ((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
                   float(n_se), "kissinger")


def _avrami(n: float) -> float:
    v = require_positive("Avrami exponent n", n)
    if v > 6:
        raise InputError(f"Avrami exponent n = {v:g} is outside the physical range 0.5..4 (at most 6)")
    return v


def kinetics_from_single_scan(tp_C: float, beta_K_per_min: float, *, ea_kJ_per_mol: float,
                              n: float, ea_se_kJ_per_mol: float = 0.0, n_se: float = 0.0) -> JmakKinetics:
    """JMAK kinetics from one scan: ``k0`` from the Kissinger peak condition with a given Ea.

    ``beta Ea / (R Tp^2) = k0 exp(-Ea / (R Tp))`` (Kissinger 1957) fixes ``k0``
    so that the model crystallizes at the measured peak temperature.

    Parameters
    ----------
    tp_C : float
        Crystallization peak temperature at ``beta_K_per_min``, degC.
    beta_K_per_min : float
        Heating rate of that scan.
    ea_kJ_per_mol : float
        Activation energy (from Kissinger on several rates, or the literature).
    n : float
        Avrami exponent.
    ea_se_kJ_per_mol, n_se : float
        Standard uncertainties; ``k0`` moves with Ea so that the peak stays at ``tp_C``.

    Returns
    -------
    JmakKinetics
    """
    tk = require_finite("tp_C", tp_C) + 273.15
    beta = require_positive("beta_K_per_min", beta_K_per_min) / 60.0
    ea = require_positive("ea_kJ_per_mol", ea_kJ_per_mol) * 1e3
    cite("Kissinger1957", "peak condition")
    ln_k0 = math.log(beta * ea / (R_GAS * tk ** 2)) + ea / (R_GAS * tk)
    se = float(ea_se_kJ_per_mol)
    if not (math.isfinite(se) and se >= 0):
        raise InputError(f"ea_se_kJ_per_mol must be >= 0, got {ea_se_kJ_per_mol!r}")
    jac = 1e3 * (1.0 / ea + 1.0 / (R_GAS * tk))  # d ln k0 / d Ea[kJ/mol] at fixed Tp
    cov = ((se ** 2, se ** 2 * jac), (se ** 2 * jac, se ** 2 * jac ** 2))
    return JmakKinetics(ea / 1e3, ln_k0, _avrami(n), cov, float(n_se),
                        source=f"single scan Tp={tp_C:g} degC at {beta * 60:g} K/min")


def jmak_fraction(time_s: float | np.ndarray, temperature_C: float | np.ndarray,
                  kinetics: JmakKinetics) -> np.ndarray:
    """Crystallized fraction ``x = 1 - exp(-(k t)^n)`` after ``time_s`` at ``temperature_C``.

    Parameters
    ----------
    time_s : float or ndarray
        Holding time, s (>= 0).
    temperature_C : float or ndarray
        Holding temperature, degC (broadcast against ``time_s``).
    kinetics : JmakKinetics
        Ea, k0, n.

    Returns
    -------
    ndarray
        ``x`` in [0, 1].

    Examples
    --------
    >>> kin = JmakKinetics(ea_kJ_per_mol=100.0, ln_k0_per_s=0.0, n=2.0)
    >>> float(jmak_fraction(0.0, 300.0, kin))
    0.0
    """
    t = np.asarray(time_s, float)
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise InputError("holding time must be finite and >= 0 s")
    cite("Avrami1939", "JMAK x = 1 - exp(-(kt)^n)")
    return 1.0 - np.exp(-(kinetics.rate_per_s(temperature_C) * t) ** kinetics.n)
