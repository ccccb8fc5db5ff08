"""JMAK crystallized fraction after a temperature programme (heating ramp, then a hold).

A glass-ceramic is usually made by heating the glass at a constant rate ``beta`` to
the treatment temperature, holding it there (or not), and cooling. Under the
isokinetic (additivity) assumption of the non-isothermal JMAK treatment
(Henderson, J. Non-Cryst. Solids 30 (1979) 301) the fraction is

    x = 1 - exp(-theta^n),   theta = int k(T(t)) dt,   k = k0 exp(-Ea / (R T)),

the isothermal ``x = 1 - exp(-(k t)^n)`` (Avrami 1939) being the case of a constant T.
For the ramp ``dt = dT / beta`` and the temperature integral has the closed form

    int_0^T exp(-a / T') dT' = T exp(-a / T) - a E1(a / T),   a = Ea / R,

written here as ``T exp(-y) (1 - y U(1, 1, y))`` with ``y = a / T`` and Tricomi's
``U(1, 1, y) = exp(y) E1(y)`` so that nothing overflows.

A ramp that stops at the Kissinger peak temperature of the same rate leaves
``theta = 1 - 2 R Tp / Ea + O((R Tp / Ea)^2)`` (the temperature integral's asymptotic
series with Kissinger's peak condition ``beta Ea / (R Tp^2) = k(Tp)``), so
``x = 1 - exp(-(1 - 2 R Tp / Ea)^n)``: about 0.6, not 1, whatever the hold-free
protocol's kinetics.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..citations import cite
from ..constants import R_GAS
from ..errors import InputError, require_finite, require_positive
from .jmak import JmakKinetics

__all__ = ["ramp_integral", "program_fraction"]


def _temperature_integral(tk: float | np.ndarray, ea_J_per_mol: float) -> np.ndarray:
    """``int_0^T exp(-Ea / (R T')) dT'`` in K (T in K, scalar or array)."""
    t = np.asarray(tk, float)
    if ea_J_per_mol == 0.0:
        return t
    y = ea_J_per_mol / (R_GAS * t)
    return t * np.exp(-y) * (1.0 - y * special.hyperu(1.0, 1.0, y))


def ramp_theta(ea_kJ_per_mol: float, ln_k0_per_s: float, end_C: np.ndarray, beta_K_per_min: float,
               start_C: float) -> np.ndarray:
    """Vectorised ``theta`` of :func:`ramp_integral` for ramps from ``start_C`` to each ``end_C``.

    Parameters
    ----------
    ea_kJ_per_mol, ln_k0_per_s : float
        Arrhenius parameters of ``k``.
    end_C : ndarray
        Ramp end temperatures, degC (ends below the start give 0).
    beta_K_per_min : float
        Heating rate, K/min (> 0).
    start_C : float
        Ramp start, degC.

    Returns
    -------
    ndarray
        ``theta`` for each end temperature.
    """
    ea = ea_kJ_per_mol * 1e3
    t1 = np.maximum(np.asarray(end_C, float), start_C) + 273.15
    span = _temperature_integral(t1, ea) - _temperature_integral(start_C + 273.15, ea)
    return math.exp(ln_k0_per_s) * np.maximum(span, 0.0) / (beta_K_per_min / 60.0)


def ramp_integral(kinetics: JmakKinetics, *, start_C: float, end_C: float, beta_K_per_min: float) -> float:
    """``theta = int k dt`` over a linear heating ramp (dimensionless).

    Parameters
    ----------
    kinetics : JmakKinetics
        Ea and k0 (the Avrami exponent is not used here).
    start_C, end_C : float
        Ramp start and end temperatures, degC (``end_C >= start_C``).
    beta_K_per_min : float
        Heating rate, K/min.

    Returns
    -------
    float
        ``theta``; the fraction is ``1 - exp(-theta^n)``.

    Examples
    --------
    >>> kin = JmakKinetics(ea_kJ_per_mol=0.0, ln_k0_per_s=math.log(1e-3), n=2.0)
    >>> round(ramp_integral(kin, start_C=100.0, end_C=160.0, beta_K_per_min=6.0), 9)  # k * 600 s
    0.6
    """
    t0 = require_finite("start_C", start_C) + 273.15
    t1 = require_finite("end_C", end_C) + 273.15
    beta = require_positive("beta_K_per_min", beta_K_per_min) / 60.0
    if t1 < t0:
        raise InputError(f"the ramp ends at {end_C:g} degC, below its start {start_C:g} degC")
    if t0 <= 0.0:
        raise InputError(f"ramp start {start_C:g} degC is at or below absolute zero")
    return float(ramp_theta(kinetics.ea_kJ_per_mol, kinetics.ln_k0_per_s, np.asarray(end_C, float),
                            beta * 60.0, start_C))


def program_fraction(kinetics: JmakKinetics, *, target_C: float, beta_K_per_min: float | None,
                     hold_h: float = 0.0, start_C: float = 25.0) -> float:
    """Crystallized fraction after heating at ``beta`` to ``target_C`` and holding ``hold_h``.

    Parameters
    ----------
    kinetics : JmakKinetics
        Ea, k0, n (e.g. :func:`~ssbkit.processing.jmak.kinetics_from_single_scan`).
    target_C : float
        Treatment temperature, degC.
    beta_K_per_min : float or None
        Heating rate of the ramp, K/min; None for an instantaneous jump (the isothermal JMAK).
    hold_h : float
        Holding time at ``target_C``, h (0: heated "up to" the temperature, then cooled).
    start_C : float
        Ramp start, degC.

    Returns
    -------
    float
        ``x`` in [0, 1]; cooling is not counted (it only adds, and little, at the rates used).

    Examples
    --------
    >>> kin = JmakKinetics(ea_kJ_per_mol=100.0, ln_k0_per_s=10.0, n=2.0)
    >>> program_fraction(kin, target_C=300.0, beta_K_per_min=None, hold_h=0.0)
    0.0
    """
    hold = float(hold_h)
    if not (math.isfinite(hold) and hold >= 0.0):
        raise InputError(f"holding time must be finite and >= 0 h, got {hold_h!r}")
    theta = float(kinetics.rate_per_s(require_finite("target_C", target_C))) * hold * 3600.0
    if beta_K_per_min is not None:
        theta += ramp_integral(kinetics, start_C=start_C, end_C=target_C, beta_K_per_min=beta_K_per_min)
    cite("Henderson1979", "non-isothermal JMAK, additivity")
    cite("Avrami1939", "x = 1 - exp(-theta^n)")
    return float(-np.expm1(-theta ** kinetics.n))
