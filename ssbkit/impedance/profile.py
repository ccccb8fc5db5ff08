"""Profile-likelihood intervals for the parameters that matter (R_bulk, R_gb, n).

The standard error of a fit comes from the curvature of chi2 at the optimum;
where chi2 is not quadratic in the parameter (an arc at the edge of the
frequency window, a CPE exponent near 1) it misleads. The profile interval
does not assume that: the parameter is held fixed at values walked outward
from the optimum, every other free parameter refitted, and the interval runs
to where chi2 has risen by

    delta = s^2 F_{1, dof}(level),   s^2 = chi2_min / dof

(the likelihood-ratio bound with the noise variance estimated from the fit;
Bates & Watts, Nonlinear Regression Analysis and Its Applications, Wiley 1988,
ch. 6). A side that never reaches delta within a factor 1e3 of the value
(positive parameters) or the range (0, 1] (exponents) is unbounded: the data do
not determine the parameter on that side, whatever its standard error says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..errors import InputError
from ..records import Record
from .elements import EXPONENT
from .fit import fit_circuit
from .fitresult import FitResult

__all__ = ["ProfileInterval", "profile_interval"]


@dataclass(frozen=True)
class ProfileInterval(Record):
    """A profile-likelihood interval of one parameter.

    Attributes
    ----------
    name : str
        The parameter.
    value : float
        Its best-fit value.
    low, high : float
        Interval ends (NaN where unbounded).
    level : float
        Confidence level.
    bounded_low, bounded_high : bool
        Whether chi2 rose by ``delta`` on that side.
    delta_chi2 : float
        The rise that defines the interval.
    n_fits : int
        Constrained fits used.
    """

    name: str
    value: float
    low: float
    high: float
    level: float
    bounded_low: bool
    bounded_high: bool
    delta_chi2: float
    n_fits: int

    @property
    def identifiable(self) -> bool:
        """Both sides bounded."""
        return self.bounded_low and self.bounded_high


def profile_interval(spectrum, result: FitResult, name: str, *, level: float = 0.95,
                     tol: float = 0.01) -> ProfileInterval:
    """Profile-likelihood interval of parameter ``name`` of a successful fit.

    Parameters
    ----------
    spectrum : Spectrum
        The spectrum that was fitted.
    result : FitResult
        The fit (its circuit, weighting, mask and fixed parameters are reused).
    name : str
        Parameter name, e.g. ``"R1"`` or ``"CPE1_n"``.
    level : float
        Confidence level (0.95).
    tol : float
        Relative precision of the distance from the value to each end.

    Returns
    -------
    ProfileInterval
    """
    if name not in result.names:
        raise InputError(f"{name!r} is not a parameter of {result.circuit} "
                         f"({', '.join(result.names)})")
    i = result.names.index(name)
    if result.fixed[i]:
        raise InputError(f"{name} was held fixed in the fit: no interval")
    if not 0 < level < 1:
        raise InputError(f"level={level!r} must lie between 0 and 1")
    from .circuit import parse_circuit

    c = parse_circuit(result.circuit)
    is_exp = c.param_kinds[i] == EXPONENT
    k = int(sum(not f for f in result.fixed))
    dof = max(2 * result.n_points - k, 1)
    delta = result.chi2 / dof * float(stats.f.ppf(level, 1, dof))
    fixed = {n: v for n, v, fx in zip(result.names, result.params, result.fixed, strict=True)
             if fx}
    start = {n: v for n, v, fx in zip(result.names, result.params, result.fixed, strict=True)
             if not fx and n != name}
    count = [0]

    def rise(v: float) -> float:
        count[0] += 1
        r = fit_circuit(spectrum, circuit=result.circuit, fixed={**fixed, name: v}, p0=start,
                        weighting=result.weighting, mask=result.mask, multistart=False)
        return r.chi2 - result.chi2 if math.isfinite(r.chi2) else math.inf

    best = result.params[i]
    ends, bounded = [], []
    for side in (-1, 1):
        end, ok = _walk(rise, best, side, delta, is_exp=is_exp, tol=tol)
        ends.append(end)
        bounded.append(ok)
    return ProfileInterval(name=name, value=float(best), low=ends[0], high=ends[1], level=level,
                           bounded_low=bounded[0], bounded_high=bounded[1],
                           delta_chi2=float(delta), n_fits=count[0])


def _walk(rise, best: float, side: int, delta: float, *, is_exp: bool,
          tol: float) -> tuple[float, bool]:
    """Where ``rise`` reaches ``delta`` walking from ``best`` towards ``side`` (bisection)."""
    if is_exp:
        def at(t):
            return float(np.clip(best + side * t, 1e-6, 1.0))
        t_in, t, t_max = 0.0, 1e-4, 1.0
    else:
        def at(t):
            return float(best * math.exp(side * t))
        t_in, t, t_max = 0.0, 1e-4, math.log(1e3)
    while True:
        if rise(at(t)) >= delta:
            break
        t_in = t
        if t >= t_max or (is_exp and at(t) in (1e-6, 1.0)):
            return math.nan, False
        t = min(3.0 * t, t_max)
    lo_t, hi_t = t_in, t
    while hi_t - lo_t > tol * hi_t:
        mid = 0.5 * (lo_t + hi_t)
        if rise(at(mid)) >= delta:
            hi_t = mid
        else:
            lo_t = mid
    return at(0.5 * (lo_t + hi_t)), True
