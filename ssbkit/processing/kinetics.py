"""Crystallization kinetics from several heating rates (``science.md`` §7).

* Kissinger (Anal. Chem. 29 (1957) 1702): ``ln(beta / Tp^2) = ln(A R / Ea) - Ea / (R Tp)``;
  the slope gives ``Ea``, the intercept the pre-exponential ``A`` (1/s, beta in K/s).
* Ozawa / Flynn-Wall-Ozawa (Ozawa, Bull. Chem. Soc. Jpn. 38 (1965) 1881; Flynn and Wall,
  J. Polym. Sci. B 4 (1966) 323): ``ln beta = const - 1.052 Ea / (R T)`` (Doyle's
  approximation of the temperature integral).
* Matusita-Sakka (J. Non-Cryst. Solids 38-39 (1980) 741):
  ``ln(-ln(1 - x)) = -n ln beta - 1.052 m Ea / (R T) + const``; at a fixed
  temperature the slope against ``ln beta`` is ``-n`` (Avrami exponent), at a fixed
  rate the slope against ``1/T`` is ``-1.052 m Ea / R``.

Uncertainties are regression standard errors with Student-t intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..citations import cite
from ..constants import R_GAS
from ..errors import InputError
from ..records import Record
from .dsc import DscAnalysis, ThermalPeak
from .dsc_io import DscCurve

__all__ = ["KineticsFit", "AvramiFit", "kissinger", "ozawa", "crystallized_fraction",
           "matusita_sakka", "CrystallizationKinetics", "crystallization_kinetics"]


@dataclass(frozen=True)
class KineticsFit(Record):
    """A straight-line kinetics fit over heating rates.

    Attributes
    ----------
    method
        ``"kissinger"`` or ``"ozawa"``.
    ea_kJ_per_mol, ea_se_kJ_per_mol
        Activation energy and its standard error.
    ea_ci_kJ_per_mol
        ``(low, high)`` interval at ``level``.
    ln_A_per_s
        Kissinger pre-exponential ``ln A`` (A in 1/s); NaN for Ozawa.
    slope, intercept, cov
        The regression (x = 1/T in 1/K) and the 2x2 covariance of (intercept, slope).
    heating_rates_K_per_min, peak_temperatures_C
        The data.
    r2, level
    references
    """

    method: str
    ea_kJ_per_mol: float
    ea_se_kJ_per_mol: float
    ea_ci_kJ_per_mol: tuple[float, float]
    ln_A_per_s: float
    slope: float
    intercept: float
    cov: tuple[tuple[float, float], tuple[float, float]]
    heating_rates_K_per_min: tuple[float, ...]
    peak_temperatures_C: tuple[float, ...]
    r2: float
    level: float = 0.95
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class AvramiFit(Record):
    """Matusita-Sakka Avrami exponent.

    Attributes
    ----------
    n, n_se
        Avrami exponent (mean over the temperatures used) and its standard error.
    temperatures_C, n_at_T
        The fixed temperatures and the exponent found at each.
    m, m_se
        Dimensionality ``m`` from the slope against 1/T and the Kissinger Ea (NaN without it).
    notes, references
    """

    n: float
    n_se: float
    temperatures_C: tuple[float, ...]
    n_at_T: tuple[float, ...]
    m: float = math.nan
    m_se: float = math.nan
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ("Matusita1980",)


def _check_rates(beta: Sequence[float], t_c: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    b = np.asarray(beta, dtype=float)
    t = np.asarray(t_c, dtype=float)
    if b.shape != t.shape or b.ndim != 1:
        raise InputError(f"need one peak temperature per heating rate, got {b.size} rates and {t.size} temperatures")
    if b.size < 2:
        raise InputError("kinetics need at least two heating rates (three for an uncertainty)")
    if not (np.all(np.isfinite(b)) and np.all(b > 0)):
        raise InputError(f"heating rates must be finite and > 0 K/min, got {b.tolist()}")
    if np.unique(np.round(b, 9)).size != b.size:
        raise InputError(f"heating rates must differ, got {b.tolist()}")
    if not np.all(np.isfinite(t)):
        raise InputError(f"peak temperatures must be finite, got {t.tolist()}")
    if np.any(t > 1500):
        raise InputError(f"peak temperatures {t.tolist()} look like kelvin: give them in degC")
    order = np.argsort(b)
    if np.any(np.diff(t[order]) <= 0):
        raise InputError(f"peak temperatures {t[order].tolist()} degC do not rise with the heating rate "
                         f"{b[order].tolist()} K/min: check the files and their rates")
    return b, t


def _line(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, np.ndarray, float, float]:
    """Least squares ``y = a + b x``: (a, b, cov(a, b), r2, t-quantile)."""
    n = x.size
    xm = x.mean()
    sxx = float(np.sum((x - xm) ** 2))
    b = float(np.sum((x - xm) * (y - y.mean())) / sxx)
    a = float(y.mean() - b * xm)
    res = y - (a + b * x)
    dof = n - 2
    if dof > 0:
        s2 = float(np.sum(res ** 2) / dof)
        cov = s2 * np.array([[1.0 / n + xm ** 2 / sxx, -xm / sxx], [-xm / sxx, 1.0 / sxx]])
        tq = float(stats.t.ppf(0.5 + level / 2.0, dof))
    else:
        cov = np.full((2, 2), math.nan)
        tq = math.nan
    ss = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(res ** 2)) / ss if ss > 0 else math.nan
    return a, b, cov, r2, tq


def _fit(method: str, beta: Sequence[float], t_c: Sequence[float], level: float) -> KineticsFit:
    b, t = _check_rates(beta, t_c)
    tk = t + 273.15
    x = 1.0 / tk
    if method == "kissinger":
        y = np.log((b / 60.0) / tk ** 2)
        factor = 1.0
    else:
        y = np.log(b)
        factor = 1.052
    a, s, cov, r2, tq = _line(x, y, level)
    ea = -s * R_GAS / factor
    se = math.sqrt(cov[1, 1]) * R_GAS / factor if np.isfinite(cov[1, 1]) else math.nan
    ln_a = a + math.log(ea / R_GAS) if method == "kissinger" and ea > 0 else math.nan
    if not ea > 0:
        raise InputError(f"{method}: negative activation energy from rates {b.tolist()} and "
                         f"temperatures {t.tolist()}")
    return KineticsFit(method=method, ea_kJ_per_mol=ea / 1e3, ea_se_kJ_per_mol=se / 1e3,
                       ea_ci_kJ_per_mol=((ea - tq * se) / 1e3, (ea + tq * se) / 1e3),
                       ln_A_per_s=ln_a, slope=s, intercept=a,
                       cov=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
                       heating_rates_K_per_min=tuple(b.tolist()), peak_temperatures_C=tuple(t.tolist()),
                       r2=r2, level=level,
                       references=("Kissinger1957",) if method == "kissinger" else ("Ozawa1965", "Flynn1966"))


def kissinger(beta_K_per_min: Sequence[float], tp_C: Sequence[float], *, level: float = 0.95) -> KineticsFit:
    """Kissinger activation energy and pre-exponential from peak temperatures.

    Parameters
    ----------
    beta_K_per_min : sequence of float
        Heating rates, K/min (at least two, distinct).
    tp_C : sequence of float
        Crystallization peak temperatures, degC.
    level : float
        Confidence level of ``ea_ci_kJ_per_mol``.

    Returns
    -------
    KineticsFit
        ``ea_kJ_per_mol``, its standard error and interval, ``ln_A_per_s``.

    Examples
    --------
    >>> import numpy as np
    >>> ea, a = 150e3, 1e13          # J/mol, 1/s: first-order Kissinger peaks
    >>> from scipy.optimize import brentq
    >>> tp = [brentq(lambda T: b / 60 * ea / (8.314462618 * T**2) - a * np.exp(-ea / (8.314462618 * T)),
    ...              300, 1500) - 273.15 for b in (2, 5, 10, 20)]
    >>> round(kissinger([2, 5, 10, 20], tp).ea_kJ_per_mol, 3)
    150.0
    """
    cite("Kissinger1957", "ln(beta/Tp^2) vs 1/Tp")
    return _fit("kissinger", beta_K_per_min, tp_C, level)


def ozawa(beta_K_per_min: Sequence[float], t_C: Sequence[float], *, level: float = 0.95) -> KineticsFit:
    """Ozawa / Flynn-Wall-Ozawa activation energy (``ln beta = c - 1.052 Ea / (R T)``).

    Parameters
    ----------
    beta_K_per_min : sequence of float
        Heating rates, K/min.
    t_C : sequence of float
        Temperatures of the same conversion (peak or onset), degC.
    level : float
        Confidence level of the interval.

    Returns
    -------
    KineticsFit
        ``ea_kJ_per_mol`` with its standard error (``ln_A_per_s`` is NaN).
    """
    cite("Ozawa1965", "ln beta vs 1/T, Doyle 1.052")
    cite("Flynn1966", "isoconversional form")
    return _fit("ozawa", beta_K_per_min, t_C, level)


def crystallized_fraction(curve: DscCurve, peak: ThermalPeak) -> tuple[np.ndarray, np.ndarray]:
    """Crystallized fraction ``x(T)`` from the partial area of one exotherm.

    Parameters
    ----------
    curve : DscCurve
        The heating curve (exothermic up).
    peak : ThermalPeak
        A crystallization peak of that curve (its limits and baseline).

    Returns
    -------
    (ndarray, ndarray)
        Temperatures (degC) within the peak limits and ``x`` rising from 0 to 1.
    """
    t = np.asarray(curve.temperature_C, float)
    m = (t >= peak.start_C) & (t <= peak.end_C)
    if m.sum() < 5:
        raise InputError(f"{curve.source}: too few points in the peak at {peak.peak_C:.1f} degC")
    tt = t[m]
    exc = np.clip(np.asarray(curve.heat_flow, float)[m] - peak.baseline.at(tt), 0.0, None)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (exc[1:] + exc[:-1]) * np.diff(tt))])
    if cum[-1] <= 0:
        raise InputError(f"{curve.source}: the peak at {peak.peak_C:.1f} degC has no area")
    return tt, cum / cum[-1]


def _ln_ln(x: np.ndarray) -> np.ndarray:
    return np.log(-np.log1p(-x))


def matusita_sakka(fractions: Sequence[tuple[float, np.ndarray, np.ndarray]], *,
                   ea_kJ_per_mol: float | None = None, x_range: tuple[float, float] = (0.1, 0.9),
                   n_temperatures: int = 7) -> AvramiFit:
    """Avrami exponent ``n`` (and ``m``) by Matusita and Sakka from several heating rates.

    Parameters
    ----------
    fractions : sequence of (float, ndarray, ndarray)
        ``(beta_K_per_min, T_C, x)`` for each rate (:func:`crystallized_fraction`).
    ea_kJ_per_mol : float, optional
        Kissinger Ea, to turn the slope against 1/T into ``m``.
    x_range : (float, float)
        Fractions used (the ends of a peak are baseline-sensitive).
    n_temperatures : int
        Number of fixed temperatures at which ``n`` is evaluated.

    Returns
    -------
    AvramiFit
        ``n`` with its standard error across the temperatures used.
    """
    if len(fractions) < 2:
        raise InputError("Matusita-Sakka needs curves at two or more heating rates")
    cite("Matusita1980", "ln(-ln(1-x)) = -n ln beta - 1.052 m Ea/RT")
    lo, hi = x_range
    spans = []
    for b, t, x in fractions:
        inside = (x >= lo) & (x <= hi)
        if inside.sum() < 3:
            raise InputError(f"the curve at {b:g} K/min has too few points with {lo} <= x <= {hi}")
        spans.append((float(t[inside].min()), float(t[inside].max())))
    notes: list[str] = []
    temps_all = np.linspace(min(s[0] for s in spans), max(s[1] for s in spans), 4 * n_temperatures + 2)[1:-1]
    temps, n_at = [], []
    for tj in temps_all:
        use = [(b, np.interp(tj, t, x)) for b, t, x in fractions]
        use = [(b, xv) for b, xv in use if lo <= xv <= hi]
        if len(use) < 2:
            continue
        bb, xx = np.array(use).T
        temps.append(float(tj))
        n_at.append(-float(np.polyfit(np.log(bb), _ln_ln(xx), 1)[0]))
    if len(n_at) < 2:
        raise InputError("the crystallization ranges of the heating rates do not overlap at "
                         f"{lo} <= x <= {hi}: Matusita-Sakka needs common temperatures")
    if any(len([1 for b, t, x in fractions if lo <= np.interp(tj, t, x) <= hi]) < len(fractions)
           for tj in temps):
        notes.append("not every heating rate covers every temperature: n from the rates that do")
    n_arr = np.array(n_at)
    n_se = float(n_arr.std(ddof=1) / math.sqrt(n_arr.size)) if n_arr.size > 1 else math.nan
    m = m_se = math.nan
    if ea_kJ_per_mol is not None and ea_kJ_per_mol > 0:
        ms = []
        for _, t, x in fractions:
            inside = (x >= lo) & (x <= hi)
            slope = float(np.polyfit(1.0 / (t[inside] + 273.15), _ln_ln(x[inside]), 1)[0])
            ms.append(-slope * R_GAS / (1.052 * ea_kJ_per_mol * 1e3))
        m = float(np.mean(ms))
        m_se = float(np.std(ms, ddof=1) / math.sqrt(len(ms))) if len(ms) > 1 else math.nan
    return AvramiFit(n=float(n_arr.mean()), n_se=n_se, temperatures_C=tuple(temps),
                     n_at_T=tuple(n_at), m=m, m_se=m_se, notes=tuple(notes))


@dataclass(frozen=True)
class CrystallizationKinetics(Record):
    """Kinetics of one glass from scans at several heating rates.

    Attributes
    ----------
    analyses
        Per-file :class:`~ssbkit.processing.dsc.DscAnalysis`, by heating rate.
    kissinger, ozawa
        :class:`KineticsFit` on the first crystallization peak.
    avrami
        :class:`AvramiFit` (None when fewer than two usable curves).
    notes, references
    """

    analyses: tuple[DscAnalysis, ...]
    kissinger: KineticsFit
    ozawa: KineticsFit
    avrami: AvramiFit | None
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ("Kissinger1957", "Ozawa1965", "Matusita1980")

    def summary(self) -> dict[str, float]:
        """Flat numbers with units in the keys.

        Returns
        -------
        dict of str to float
            ``ea_kissinger_kJ_per_mol`` (+ ``_se``), ``ln_A_per_s``, ``ea_ozawa_kJ_per_mol``,
            ``avrami_n`` (+ ``_se``), ``avrami_m``.
        """
        k, o, a = self.kissinger, self.ozawa, self.avrami
        return {"ea_kJ_per_mol": k.ea_kJ_per_mol, "ea_kissinger_kJ_per_mol": k.ea_kJ_per_mol, "ea_kissinger_se_kJ_per_mol": k.ea_se_kJ_per_mol,
                "ln_A_per_s": k.ln_A_per_s, "ea_ozawa_kJ_per_mol": o.ea_kJ_per_mol,
                "ea_ozawa_se_kJ_per_mol": o.ea_se_kJ_per_mol,
                "avrami_n": a.n if a else math.nan, "avrami_n_se": a.n_se if a else math.nan,
                "avrami_m": a.m if a else math.nan}


def crystallization_kinetics(curves: Sequence[DscCurve], analyses: Sequence[DscAnalysis]) -> CrystallizationKinetics:
    """Kissinger, Ozawa and Matusita-Sakka from analysed scans at several heating rates.

    Parameters
    ----------
    curves : sequence of DscCurve
        The scans (one per heating rate).
    analyses : sequence of DscAnalysis
        Their analyses (:func:`~ssbkit.processing.dsc.analyze_dsc`), same order.

    Returns
    -------
    CrystallizationKinetics
        Fits on the first crystallization exotherm of each scan.

    Raises
    ------
    InputError
        A scan without an exotherm, repeated heating rates, peaks that do not shift.
    """
    if len(curves) != len(analyses):
        raise InputError("one analysis per curve is needed")
    for c, a in zip(curves, analyses, strict=True):
        if not a.crystallization:
            raise InputError(f"{c.source}: no crystallization exotherm, cannot be used for kinetics")
    order = np.argsort([c.heating_rate_K_per_min for c in curves])
    curves = [curves[i] for i in order]
    analyses = [analyses[i] for i in order]
    beta = [c.heating_rate_K_per_min for c in curves]
    tp = [a.crystallization[0].peak_C for a in analyses]
    kis = kissinger(beta, tp)
    oz = ozawa(beta, tp)
    notes: list[str] = []
    avr = None
    try:
        fr = [(b, *crystallized_fraction(c, a.crystallization[0])) for b, c, a in zip(beta, curves, analyses, strict=True)]
        avr = matusita_sakka(fr, ea_kJ_per_mol=kis.ea_kJ_per_mol)
    except InputError as exc:
        notes.append(f"no Avrami exponent: {exc}")
    return CrystallizationKinetics(analyses=tuple(analyses), kissinger=kis, ozawa=oz, avrami=avr,
                                   notes=tuple(notes))
