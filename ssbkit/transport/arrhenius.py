"""Arrhenius fits of conductivity (or diffusivity) against temperature.

Two forms are in use and a fit always says which (science.md section 1):

* ``form="sigmaT"``: sigma T = A exp(-Ea / k_B T)  (lecture; R-1 of Falco et al. 2019)
* ``form="sigma"``:  sigma   = A exp(-Ea / k_B T)  (lecture; also for diffusivities D)

The fit is a (weighted) linear least-squares fit of ln(y) against 1/T. With
measurement errors given, the weights are 1/var(ln y) = (y/s_y)^2 and the
covariance is taken as absolute; without them the residual variance is
estimated from the scatter and intervals use Student's t with n - 2 degrees of
freedom.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats

from ..citations import cite
from ..constants import EV_TO_KJ_PER_MOL, K_B_EV, ZERO_C
from ..errors import InputError
from ..records import Record
from ..units import check_temperature_k

__all__ = ["ArrheniusFit", "fit_arrhenius", "arrhenius", "arrhenius_from_point"]

_FORMS = ("sigmaT", "sigma")
REFERENCES = (
    "Falco, Ferrari, Appetecchi, Gerbaldi, Mol. Syst. Des. Eng. 4 (2019) 850, eq. R-1",
)


def arrhenius(t_k, prefactor: float, ea_ev: float, form: str = "sigmaT"):
    """Evaluate y(T) of the Arrhenius law in ``form`` (see module docstring).

    Parameters
    ----------
    t_k
        Temperature or temperatures, K.
    prefactor
        A: S K / cm for ``form="sigmaT"`` (sigma in S/cm), else the unit of y.
    ea_ev
        Activation energy Ea, eV.
    form
        ``"sigmaT"`` (sigma T = A exp(-Ea / k_B T)) or ``"sigma"`` (y = A exp(-Ea / k_B T)).

    Returns
    -------
    numpy.ndarray
        sigma (S/cm when A is in S K / cm) or y, same shape as ``t_k``.

    Examples
    --------
    >>> round(float(arrhenius(300.0, 1e3, 0.3, form="sigma")), 6)  # 1e3 exp(-0.3 / (k_B 300 K))
    0.009125
    """
    t = np.asarray(t_k, dtype=float)
    y = prefactor * np.exp(-ea_ev / (K_B_EV * t))
    return y / t if form == "sigmaT" else y


@dataclass(frozen=True)
class ArrheniusFit(Record):
    """Result of :func:`fit_arrhenius`.

    Attributes
    ----------
    form
        ``"sigmaT"`` or ``"sigma"``.
    ea_ev, ea_se_ev
        Activation energy and its standard error, eV.
    ea_ci_ev
        Confidence interval of Ea at ``level``, eV.
    ln_prefactor, ln_prefactor_se
        ln A (A in the unit of y, times K for sigmaT) and its standard error.
    cov
        Covariance of (ln A, slope) where slope = -Ea / k_B (K).
    residual_variance
        Variance of a new ln(y) observation about the line (0 when errors are absolute).
    dof, n_points, level, absolute_sigma, r_squared
        Bookkeeping of the fit.
    t_range_k
        Temperatures the fit saw (min, max), K.
    """

    form: str
    ea_ev: float
    ea_se_ev: float
    ea_ci_ev: tuple[float, float]
    ln_prefactor: float
    ln_prefactor_se: float
    cov: tuple[tuple[float, float], tuple[float, float]]
    residual_variance: float
    dof: int
    n_points: int
    level: float
    absolute_sigma: bool
    r_squared: float
    t_range_k: tuple[float, float]
    references: tuple[str, ...] = field(default=REFERENCES)

    @property
    def ea_kj_per_mol(self) -> float:
        """Activation energy in kJ/mol (1 eV = 96.485 kJ/mol)."""
        return self.ea_ev * EV_TO_KJ_PER_MOL

    @property
    def ea_se_kj_per_mol(self) -> float:
        return self.ea_se_ev * EV_TO_KJ_PER_MOL

    def _ln_y(self, t_k):
        t = check_temperature_k(t_k)
        x = 1.0 / t
        slope = -self.ea_ev / K_B_EV
        ln_yt = self.ln_prefactor + slope * x
        ln_y = ln_yt - np.log(t) if self.form == "sigmaT" else ln_yt
        c = np.asarray(self.cov)
        var_mean = c[0, 0] + 2 * c[0, 1] * x + c[1, 1] * x * x
        return ln_y, var_mean

    def _quantile(self, level: float) -> float:
        if self.absolute_sigma or self.dof <= 0:
            return float(stats.norm.ppf(0.5 + level / 2))
        return float(stats.t.ppf(0.5 + level / 2, self.dof))

    def predict(self, t_k):
        """y at ``t_k`` (K): sigma in the unit that was fitted (S/cm for conductivity).

        Parameters
        ----------
        t_k
            Temperature or temperatures, K.

        Returns
        -------
        float or numpy.ndarray
            sigma (or y), in the unit fitted; a float for a scalar ``t_k``.

        Examples
        --------
        >>> fit = arrhenius_from_point(298.15, 1e-3, 0.3)
        >>> round(fit.predict(298.15), 9)
        0.001
        """
        ln_y, _ = self._ln_y(t_k)
        out = np.exp(ln_y)
        return float(out[0]) if np.ndim(t_k) == 0 else out

    def confidence_interval(self, t_k, level: float | None = None):
        """(y, lo, hi): interval of the fitted line itself at ``t_k``.

        Parameters
        ----------
        t_k
            Temperature or temperatures, K.
        level
            Confidence level (None: the fit's ``level``, 0.95 by default).

        Returns
        -------
        y : float or numpy.ndarray
            Fitted y at ``t_k`` (float for a scalar ``t_k``).
        lo, hi : float or numpy.ndarray
            Lower and upper bounds of the interval, same unit as y.
        """
        return self._interval(t_k, level, prediction=False)

    def predict_interval(self, t_k, level: float | None = None):
        """(y, lo, hi): prediction interval of a new measurement at ``t_k`` (extrapolation too).

        Parameters
        ----------
        t_k
            Temperature or temperatures, K.
        level
            Confidence level (None: the fit's ``level``, 0.95 by default).

        Returns
        -------
        y : float or numpy.ndarray
            Fitted y at ``t_k`` (float for a scalar ``t_k``).
        lo, hi : float or numpy.ndarray
            Lower and upper bounds of the interval, same unit as y.

        Examples
        --------
        >>> fit = arrhenius_from_point(298.15, 1e-3, 0.3, ea_se_ev=0.01)
        >>> y, lo, hi = fit.predict_interval(350.0)
        >>> bool(lo < y < hi)
        True
        """
        return self._interval(t_k, level, prediction=True)

    def _interval(self, t_k, level, prediction):
        level = self.level if level is None else level
        ln_y, var = self._ln_y(t_k)
        if prediction:
            var = var + self.residual_variance
        half = self._quantile(level) * np.sqrt(np.maximum(var, 0.0))
        y, lo, hi = np.exp(ln_y), np.exp(ln_y - half), np.exp(ln_y + half)
        if np.ndim(t_k) == 0:
            return float(y[0]), float(lo[0]), float(hi[0])
        return y, lo, hi

    def sigma_at_c(self, t_c: float) -> float:
        """Convenience: y at a temperature in degC.

        Parameters
        ----------
        t_c
            Temperature, degC.

        Returns
        -------
        float
            sigma (or y) at ``t_c``, in the unit fitted.

        Examples
        --------
        >>> round(arrhenius_from_point(298.15, 1e-3, 0.3).sigma_at_c(25.0), 9)
        0.001
        """
        return self.predict(t_c + ZERO_C)

    def as_dict(self) -> dict:
        """The fields plus Ea in kJ/mol (and ``@class``); :meth:`from_dict` reads it back.

        Returns
        -------
        dict
            JSON-ready fields plus ``ea_kJ_per_mol``, ``ea_se_kJ_per_mol`` and ``@class``.
        """
        d = asdict(self)
        d["@class"] = f"{type(self).__module__}.{type(self).__qualname__}"
        d["ea_kJ_per_mol"] = self.ea_kj_per_mol
        d["ea_se_kJ_per_mol"] = self.ea_se_kj_per_mol
        d["cov"] = [list(r) for r in self.cov]
        d["ea_ci_ev"] = list(self.ea_ci_ev)
        d["t_range_k"] = list(self.t_range_k)
        d["references"] = list(self.references)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ArrheniusFit:
        """Rebuild a fit from :meth:`as_dict` output (extra keys are ignored).

        Parameters
        ----------
        d
            A dict written by :meth:`as_dict`.

        Returns
        -------
        ArrheniusFit
            The fit, equal to the one written.

        Examples
        --------
        >>> fit = arrhenius_from_point(298.15, 1e-3, 0.3)
        >>> ArrheniusFit.from_dict(fit.as_dict()) == fit
        True
        """
        keys = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in d.items() if k in keys}
        kw["cov"] = tuple(tuple(float(x) for x in r) for r in kw["cov"])
        kw["ea_ci_ev"] = tuple(kw["ea_ci_ev"])
        kw["t_range_k"] = tuple(kw["t_range_k"])
        kw["references"] = tuple(kw.get("references", REFERENCES))
        return cls(**kw)


def fit_arrhenius(
    t_k,
    y,
    *,
    y_err=None,
    form: str = "sigmaT",
    level: float = 0.95,
    absolute_sigma: bool | None = None,
) -> ArrheniusFit:
    """Fit the Arrhenius law to conductivities (or diffusivities) at several temperatures.

    Implements sigma T = A exp(-Ea/k_B T) (``form="sigmaT"``, R-1 of Falco et al.
    2019 and the lecture) or sigma = A exp(-Ea/k_B T) (``form="sigma"``), see
    science.md section 1, by weighted linear least squares of ln y on 1/T.

    Parameters
    ----------
    t_k
        Temperatures, K (> 0).
    y
        Conductivities (S/cm) or diffusivities; all > 0.
    y_err
        Optional one-standard-deviation errors of ``y`` (same unit).
    form
        ``"sigmaT"`` or ``"sigma"``.
    level
        Confidence level of the reported intervals.
    absolute_sigma
        Treat ``y_err`` as absolute (default: True when ``y_err`` is given).

    Returns
    -------
    ArrheniusFit

    Raises
    ------
    InputError
        Fewer than two points, T <= 0 K, y <= 0 or NaN, an unknown form.
    """
    cite("Falco2019", "eq. R-1")
    cite("Viallet2024", "Arrhenius forms")
    if form not in _FORMS:
        raise InputError(f"Arrhenius form must be one of {_FORMS}, got {form!r}")
    if not 0 < level < 1:
        raise InputError(f"confidence level must lie in (0, 1), got {level!r}")
    t = check_temperature_k(t_k)
    yv = np.atleast_1d(np.asarray(y, dtype=float))
    if yv.shape != t.shape:
        raise InputError(f"got {t.size} temperatures but {yv.size} values")
    if t.size < 2:
        raise InputError("an Arrhenius fit needs at least 2 temperatures (3 for an uncertainty)")
    if not np.all(np.isfinite(yv)):
        raise InputError("conductivity/diffusivity values contain NaN or infinite values")
    if np.any(yv <= 0):
        raise InputError(f"conductivity/diffusivity must be > 0, got {yv[yv <= 0][0]:g}")
    if np.unique(t).size < 2:
        raise InputError("an Arrhenius fit needs at least 2 different temperatures")

    ln_y = np.log(yv * t) if form == "sigmaT" else np.log(yv)
    x = 1.0 / t
    X = np.column_stack([np.ones_like(x), x])
    if y_err is not None:
        e = np.atleast_1d(np.asarray(y_err, dtype=float))
        if e.shape != yv.shape or not np.all(np.isfinite(e)) or np.any(e <= 0):
            raise InputError("errors must be finite, > 0 and one per value")
        w = (yv / e) ** 2
        absolute = True if absolute_sigma is None else bool(absolute_sigma)
    else:
        w = np.ones_like(yv)
        absolute = False
    n = t.size
    dof = n - 2
    Xw = X * w[:, None]
    xtwx = X.T @ Xw
    try:
        xtwx_inv = np.linalg.inv(xtwx)
    except np.linalg.LinAlgError:
        raise InputError("temperatures too close together for an Arrhenius fit") from None
    beta = xtwx_inv @ (Xw.T @ ln_y)
    resid = ln_y - X @ beta
    chi2 = float(np.sum(w * resid**2))
    if absolute:
        cov = xtwx_inv
        s2_new = 0.0
    elif dof > 0:
        s2 = chi2 / dof
        cov = xtwx_inv * s2
        s2_new = s2 / float(np.mean(w))
    else:
        cov = np.full((2, 2), np.nan)
        s2_new = math.nan
    ea = -beta[1] * K_B_EV
    ea_se = math.sqrt(cov[1, 1]) * K_B_EV if np.isfinite(cov[1, 1]) else math.nan
    if absolute or dof <= 0:
        q = float(stats.norm.ppf(0.5 + level / 2))
    else:
        q = float(stats.t.ppf(0.5 + level / 2, dof))
    ss_tot = float(np.sum(w * (ln_y - np.average(ln_y, weights=w)) ** 2))
    r2 = 1.0 - chi2 / ss_tot if ss_tot > 0 else 1.0
    return ArrheniusFit(
        form=form,
        ea_ev=float(ea),
        ea_se_ev=float(ea_se),
        ea_ci_ev=(float(ea - q * ea_se), float(ea + q * ea_se)),
        ln_prefactor=float(beta[0]),
        ln_prefactor_se=float(math.sqrt(cov[0, 0])) if np.isfinite(cov[0, 0]) else math.nan,
        cov=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
        residual_variance=float(s2_new),
        dof=dof,
        n_points=n,
        level=level,
        absolute_sigma=absolute,
        r_squared=float(r2),
        t_range_k=(float(t.min()), float(t.max())),
    )


def arrhenius_from_point(
    t_k: float, sigma: float, ea_ev: float, *, form: str = "sigmaT", ea_se_ev: float = float("nan")
) -> ArrheniusFit:
    """An :class:`ArrheniusFit` through one point (T, sigma) with a given Ea.

    For a literature row that reports sigma at one temperature and an
    activation energy: ln A = ln(sigma T) + Ea / (k_B T) (form sigmaT). The
    prefactor's uncertainty is not known: intervals come from ``ea_se_ev``
    alone (NaN, i.e. unknown, when not given).

    Parameters
    ----------
    t_k
        Temperature of the reported point, K.
    sigma
        Conductivity at ``t_k`` (S/cm, or the unit of y), > 0.
    ea_ev
        Reported activation energy, eV (>= 0).
    form
        ``"sigmaT"`` or ``"sigma"``: the Arrhenius form Ea refers to.
    ea_se_ev
        Standard error of Ea, eV (NaN: unknown).

    Returns
    -------
    ArrheniusFit
        A fit with ``n_points=1`` and ``dof=0`` through the point.

    Examples
    --------
    >>> fit = arrhenius_from_point(298.15, 1e-3, 0.3)
    >>> round(fit.predict(350.0) / fit.predict(298.15), 3)  # exp(-Ea/k_B (1/350 - 1/298.15)) 298.15/350
    4.804
    """
    cite("Falco2019", "eq. R-1")
    if form not in _FORMS:
        raise InputError(f"Arrhenius form must be one of {_FORMS}, got {form!r}")
    t = float(check_temperature_k(t_k)[0])
    if not (sigma > 0 and math.isfinite(sigma)):
        raise InputError(f"conductivity must be > 0, got {sigma!r}")
    if not (ea_ev >= 0 and math.isfinite(ea_ev)):
        raise InputError(f"activation energy must be >= 0 eV, got {ea_ev!r}")
    y = sigma * t if form == "sigmaT" else sigma
    slope = -ea_ev / K_B_EV
    ln_a = math.log(y) - slope / t
    var_s = (ea_se_ev / K_B_EV) ** 2 if math.isfinite(ea_se_ev) else math.nan
    # the line pivots about the measured point: var(ln A) = var(slope)/t^2, cov = -var(slope)/t
    cov = ((var_s / t**2, -var_s / t), (-var_s / t, var_s))
    return ArrheniusFit(
        form=form,
        ea_ev=float(ea_ev),
        ea_se_ev=float(ea_se_ev),
        ea_ci_ev=(float("nan"), float("nan")) if not math.isfinite(ea_se_ev)
        else (ea_ev - 1.96 * ea_se_ev, ea_ev + 1.96 * ea_se_ev),
        ln_prefactor=float(ln_a),
        ln_prefactor_se=math.sqrt(cov[0][0]),
        cov=cov,
        residual_variance=0.0,
        dof=0,
        n_points=1,
        level=0.95,
        absolute_sigma=True,
        r_squared=float("nan"),
        t_range_k=(t, t),
    )
