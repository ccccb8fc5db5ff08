"""Honest sigma(T) outside the measured range: statistical plus model uncertainty.

A prediction interval of one Arrhenius fit only knows the scatter about *that*
line. Far outside the measured temperatures the choice of model dominates:
sigma T versus sigma on the left (R-1 of science.md section 1: the two differ
by a factor T in the prefactor, i.e. by ~k_B T in Ea) and weighted versus
unweighted least squares. :func:`extrapolate_sigma` fits all four variants and
reports the envelope of their prediction intervals (and of their Ea
confidence intervals), and how far the target lies outside the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..records import Record
from ..units import check_temperature_k
from .arrhenius import fit_arrhenius

__all__ = ["Extrapolation", "extrapolate_sigma", "require_celsius"]


@dataclass(frozen=True)
class Extrapolation(Record):
    """sigma at a target temperature with model-aware intervals.

    Attributes
    ----------
    t_target_k : float
        Target temperature (K).
    sigma : float
        Prediction of the main fit (the first ``form``, weighted when errors are given).
    lower, upper : float
        Envelope of the prediction intervals of all variants at ``level``.
    lower_stat, upper_stat : float
        Prediction interval of the main fit alone.
    ea_ev : float
        Ea of the main fit.
    ea_lower_ev, ea_upper_ev : float
        Envelope of the Ea confidence intervals of all variants.
    extrapolated_k : float
        Distance of the target outside the measured range (0 inside), K.
    variants : tuple of str
        The variants fitted.
    level : float
        Interval level.
    """

    t_target_k: float
    sigma: float
    lower: float
    upper: float
    lower_stat: float
    upper_stat: float
    ea_ev: float
    ea_lower_ev: float
    ea_upper_ev: float
    extrapolated_k: float
    variants: tuple[str, ...]
    level: float


def extrapolate_sigma(t_k, sigma, t_target_k: float, *, sigma_err=None, form: str = "sigmaT",
                      level: float = 0.95) -> Extrapolation:
    """sigma(t_target_k) with an interval over Arrhenius forms and weightings.

    Parameters
    ----------
    t_k : array_like
        Measured temperatures (K).
    sigma : array_like
        Conductivities (S/cm).
    t_target_k : float
        Where to predict (K).
    sigma_err : array_like, optional
        One-standard-deviation errors; when given, weighted and unweighted fits
        are both variants.
    form : {"sigmaT", "sigma"}
        The main fit's form (the other is a variant).
    level : float
        Interval level.

    Returns
    -------
    Extrapolation

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([300.0, 320.0, 340.0, 360.0])
    >>> s = 1e3 / t * np.exp(-0.3 / (8.617e-5 * t))
    >>> e = extrapolate_sigma(t, s, 250.0)
    >>> e.extrapolated_k
    50.0
    """
    t = check_temperature_k(t_k, "temperatures (K)")
    target = float(check_temperature_k(t_target_k, "target temperature (K)")[0])
    forms = (form, "sigma" if form == "sigmaT" else "sigmaT")
    weights = (True, False) if sigma_err is not None else (False,)
    fits, names = [], []
    for fm in forms:
        for wt in weights:
            fits.append(fit_arrhenius(t, sigma, y_err=sigma_err if wt else None, form=fm,
                                      level=level))
            names.append(f"{fm}, {'weighted' if wt else 'unweighted'}")
    ivals = [f.predict_interval(target, level) for f in fits]
    y0, lo0, hi0 = ivals[0]
    ext = max(float(t.min()) - target, target - float(t.max()), 0.0)
    return Extrapolation(
        t_target_k=target, sigma=y0, lower=min(i[1] for i in ivals),
        upper=max(i[2] for i in ivals), lower_stat=lo0, upper_stat=hi0, ea_ev=fits[0].ea_ev,
        ea_lower_ev=min(f.ea_ci_ev[0] for f in fits), ea_upper_ev=max(f.ea_ci_ev[1] for f in fits),
        extrapolated_k=ext, variants=tuple(names), level=level,
    )


def require_celsius(t_c, name: str = "temperatures_c", *, allow_hot: bool = False) -> np.ndarray:
    """Check temperatures meant in degC; catch kelvin typed as degC.

    Parameters
    ----------
    t_c : array_like
        Temperatures (degC).
    name : str
        What they are, for the message.
    allow_hot : bool
        Accept a series that starts between 230 and 320 degC (a genuine
        high-temperature series).

    Returns
    -------
    numpy.ndarray
        The temperatures as floats.

    Raises
    ------
    InputError
        Below absolute zero, NaN, or a lowest value of 230..320 "degC" with
        all values above 200: room temperature in kelvin (298 K) typed as degC.
    """
    t = np.atleast_1d(np.asarray(t_c, dtype=float))
    if not np.all(np.isfinite(t)):
        raise InputError(f"{name} contains NaN or infinite values")
    if np.any(t <= -273.15):
        raise InputError(f"{name}: {t.min():g} degC is below absolute zero")
    if not allow_hot and 230.0 <= t.min() <= 320.0 and np.all(t > 200.0):
        raise InputError(
            f"{name} = {', '.join(f'{v:g}' for v in t[:6])}{'...' if t.size > 6 else ''} look like "
            "kelvin (room temperature is 298 K): give degC (subtract 273.15), or pass "
            "allow_hot=True for a genuine high-temperature series")
    return t
