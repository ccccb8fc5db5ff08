"""DTA/DSC analysis: Tg by tangent onset (ASTM E1356), crystallization and melting peaks.

Constructions (``science.md`` §7), on the heating curve (exothermic up):

* **Glass transition** (ASTM E1356): the glass baseline before the step and
  the liquid baseline after it are straight lines fitted well away from the
  step; the tangent at the inflection (steepest point of the step) meets them
  at the *onset* and the *end*; the *midpoint* is where the curve is halfway
  between the two extrapolated baselines. ``delta_cp = step / beta``.
* **Peaks** (crystallization exotherms, melting endotherms): a straight
  baseline fitted to the flat ground on both sides; the tangent at the leading
  inflection meets it at the *onset*; *peak* is the extremum; the *enthalpy* is
  the area between curve and baseline divided by the heating rate (J/g).
* **Glass stability**: ``Tx - Tg`` (Tx the crystallization onset) and Hruby's
  ``K_H = (Tx - Tg) / (Tm - Tx)`` (Hruby, Czech. J. Phys. B 22 (1972) 1187).

Two exotherms whose bases overlap cannot be split by a straight baseline: that
is an :class:`~ssbkit.errors.InputError` (``overlap="merge"`` integrates them
as one, with a note).

The records are in :mod:`.dsc_records`, the peak search in :mod:`.dsc_peaks`; this module
holds the glass-transition construction and the workflow :func:`analyze_dsc`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import find_peaks

from ..citations import cite
from ..errors import InputError
from .dsc_baseline import robust_baseline
from .dsc_io import DscCurve
from .dsc_peaks import _checked_onsets, _cross, _fit_line, _Grid, _grid, _mask, _peaks
from .dsc_records import DscAnalysis, GlassTransition, Line, ThermalPeak

__all__ = ["Line", "GlassTransition", "ThermalPeak", "DscAnalysis", "analyze_dsc"]


# ----------------------------------------------------------------------------- glass transition
def _glass_transition(g: _Grid, window: tuple[float, float], notes: list[str]) -> GlassTransition | None:
    """Find the glass step as a significant peak of ``-dq/dT`` over its slow trend.

    The derivative (Savitzky-Golay over ``max(smooth_K, 6 K)``) is detrended by the robust
    Whittaker baseline (:func:`~ssbkit.processing.dsc_baseline.robust_baseline`, which ignores
    the step's derivative peak as an outlier), so that a drifting, curved baseline adds nothing;
    a candidate must rise ``5 sigma`` above that trend, sigma the white noise of the signal
    (1.4826 MAD of its point-to-point differences) carried through the Savitzky-Golay
    derivative. The ASTM construction is then made at its steepest point.
    """
    m = _mask(g.t, *window)
    if m.sum() < 10:
        notes.append("no glass transition: search window too narrow")
        return None
    idx = np.flatnonzero(m)
    drop = -g.dq_tg[idx]
    trend, _ = robust_baseline(g.t[idx], drop, scale_K=60.0)
    exc = drop - trend
    sigma = max(g.dnoise_tg, 1e-15)
    cand, _ = find_peaks(exc, height=5.0 * sigma)
    cand = sorted((int(k) for k in cand), key=lambda k: -exc[k])
    why = (f"no step: -dq/dT nowhere rises 5 sigma above its trend (sigma {sigma:.3g} per K "
           "from the white noise, robust Whittaker detrending)")
    for k in cand[:6]:
        a, b = k, k
        while a > 0 and exc[a] > 0.5 * exc[k]:
            a -= 1
        while b < idx.size - 1 and exc[b] > 0.5 * exc[k]:
            b += 1
        i, slope = int(idx[k]), g.dq_tg
        if 20.0 * g.dnoise < exc[k]:  # the fine derivative is clean enough: steepest point on it
            near = idx[max(a, 0):b + 1]
            i, slope = int(near[np.argmin(g.dq[near])]), g.dq
        res, why = _step_at(g, i, window, float(g.t[idx[b]] - g.t[idx[a]]), slope)
        if res is not None:
            return res
    notes.append(f"no glass transition between {window[0]:.0f} and {window[1]:.0f} degC ({why})")
    return None


def _step_at(g: _Grid, i: int, window: tuple[float, float], width: float,
             slope: np.ndarray) -> tuple[GlassTransition | None, str]:
    """The ASTM E1356 construction around the inflection at grid index ``i``."""
    dmin = float(slope[i])
    step_t = g.t[1] - g.t[0]
    fwhm = max(width, 3 * step_t)
    if slope is g.dq:  # half width of the fine derivative's peak, as drawn
        half = g.dq > 0.5 * dmin
        a, b = i, i
        while a > 0 and not half[a]:
            a -= 1
        while b < g.t.size - 1 and not half[b]:
            b += 1
        fwhm = max(float(g.t[b] - g.t[a]), 3 * step_t)
    ti = float(g.t[i])
    lo, hi = min(window[0], ti - 3.0 * fwhm), max(window[1], ti + 3.0 * fwhm)
    lo, hi = max(lo, float(g.t[0])), min(hi, float(g.t[-1]))
    r = (max(lo, ti - 3.0 * fwhm), ti - 1.5 * fwhm, ti + 1.5 * fwhm, min(hi, ti + 3.0 * fwhm))
    before, after = _mask(g.t, r[0], r[1]), _mask(g.t, r[2], r[3])
    if before.sum() < 3 or after.sum() < 3:
        return None, f"the step near {ti:.1f} degC lacks room for baselines"
    glass, liquid = _fit_line(g.t[before], g.q[before]), _fit_line(g.t[after], g.q[after])
    resid = np.concatenate([g.q[before] - glass.at(g.t[before]), g.q[after] - liquid.at(g.t[after])])
    tan = Line(dmin, float(g.qs[i] - dmin * ti))
    onset, end = _cross(glass, tan), _cross(tan, liquid)
    if not (onset < ti < end):
        return None, f"the tangent near {ti:.1f} degC does not meet the baselines on either side"
    mid_curve = g.q - 0.5 * (glass.at(g.t) + liquid.at(g.t))
    tm = _zero_crossing(g.t[_mask(g.t, onset, end)], mid_curve[_mask(g.t, onset, end)], ti)
    step = float(glass.at(tm) - liquid.at(tm))
    if not step > 3.0 * max(float(np.std(resid)), g.noise * 0.1):
        return None, f"the step near {ti:.1f} degC is not above the noise"
    dcp = step / g.beta_K_per_s if g.calibrated else math.nan
    return GlassTransition(onset_C=onset, midpoint_C=tm, end_C=end, inflection_C=ti, step=step,
                           delta_cp_J_per_gK=dcp, glass_line=glass, tangent=tan, liquid_line=liquid,
                           fit_range_C=tuple(float(x) for x in r)), ""  # type: ignore[arg-type]


def _zero_crossing(t: np.ndarray, y: np.ndarray, near: float) -> float:
    s = np.flatnonzero(np.sign(y[:-1]) != np.sign(y[1:]))
    if s.size == 0:
        return near
    k = s[np.argmin(np.abs(t[s] - near))]
    return float(t[k] - y[k] * (t[k + 1] - t[k]) / (y[k + 1] - y[k]))


# ----------------------------------------------------------------------------- workflow
def _window(w: tuple[float, float] | None, name: str, t: np.ndarray) -> tuple[float, float]:
    if w is None:
        return float(t[0]), float(t[-1])
    try:
        lo, hi = (float(v) for v in w)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be two temperatures (degC), got {w!r}") from None
    if not lo < hi:
        raise InputError(f"{name} must be (low, high) degC with low < high, got {w!r}")
    return lo, hi


def analyze_dsc(
    curve: DscCurve,
    *,
    tg_window_C: tuple[float, float] | None = None,
    tc_window_C: tuple[float, float] | None = None,
    tm_C: float | None = None,
    smooth_K: float = 2.0,
    overlap: str = "error",
    find_tg: bool = True,
    min_peak_height: float = 0.0,
    min_peak_width_K: float = 2.0,
    baseline_scale_K: float = 60.0,
) -> DscAnalysis:
    """Tg (onset, midpoint, end), crystallization onset/peak/enthalpy, melting and glass stability.

    Parameters
    ----------
    curve : DscCurve
        Heating curve, exothermic up (:func:`~ssbkit.processing.dsc_io.read_dsc`).
    tg_window_C, tc_window_C : (float, float), optional
        Search windows for the glass transition and the exotherms, degC.
        Default: Tg below the first exotherm (or endotherm), skipping the start-up
        transient (first 10 K or 5 % of the scan); exotherms anywhere.
    tm_C : float, optional
        Melting temperature for Hruby's parameter when the scan has no melting peak.
    smooth_K : float
        Savitzky-Golay window, K (derivatives and peak search only; areas use the raw signal).
    overlap : {"error", "merge"}
        What to do with exotherms whose bases overlap.
    find_tg : bool
        Look for a glass transition.
    min_peak_height : float
        Smallest peak height to report (unit of the curve), on top of the noise criterion.
    min_peak_width_K : float
        Smallest span of each flank of a peak, K (at least three grid steps).
    baseline_scale_K : float
        Stiffness of the robust slow baseline whose wander sets the significance floor.

    Returns
    -------
    DscAnalysis
        With the construction lines for :func:`~ssbkit.processing.plots.plot_dsc`.

    Raises
    ------
    InputError
        Overlapping exotherms (``overlap="error"``), bad windows.
    """
    if overlap not in ("error", "merge"):
        raise InputError(f"overlap must be 'error' or 'merge', got {overlap!r}")
    if not (math.isfinite(smooth_K) and smooth_K > 0):
        raise InputError(f"smooth_K must be > 0 K, got {smooth_K!r}")
    notes = list(curve.notes)
    g = _grid(curve, smooth_K)
    g.base, g.wander = robust_baseline(g.t, g.qs, scale_K=baseline_scale_K)
    g.min_width_K = max(min_peak_width_K, 3.0 * float(g.t[1] - g.t[0]))
    notes.append(f"peak significance: robust Whittaker baseline ({baseline_scale_K:g} K stiffness, "
                 f"biweight-masked events), wander {g.wander:.3g}, white noise {g.noise:.3g} "
                 f"{curve.heat_flow_unit}; flanks >= {g.min_width_K:.2g} K")
    full = (float(g.t[0]), float(g.t[-1]))
    tcw = _window(tc_window_C, "tc_window_C", g.t)
    exo = _peaks(g, 1.0, "exo", tcw, overlap, curve.source, notes, min_peak_height)
    endo_window = (exo[0].end_C, full[1]) if exo else full
    endo = _peaks(g, -1.0, "endo", endo_window, "merge", curve.source, notes, min_peak_height)
    exo, endo = (_checked_onsets(pks, float(g.t[1] - g.t[0]), notes) for pks in (exo, endo))
    tx_start = exo[0].start_C if exo else math.inf
    melting = tuple(endo)
    gt = None
    if find_tg:
        if tg_window_C is not None:
            tgw = _window(tg_window_C, "tg_window_C", g.t)
        else:
            skip = max(10.0, 0.05 * (full[1] - full[0]))
            upper = min([tx_start] + [p.start_C for p in endo if p.peak_C < tx_start] + [full[1]])
            tgw = (full[0] + skip, upper)
        gt = _glass_transition(g, tgw, notes)
        if gt is not None:
            cite("ASTME1356", "tangent-onset Tg")
            spacing = float(g.t[1] - g.t[0])
            if gt.end_C - gt.onset_C < 15 * spacing:
                notes.append(f"the glass step spans only {(gt.end_C - gt.onset_C) / spacing:.0f} points "
                             f"({spacing:.2g} K apart): Tg may be off by ~{spacing:.1g} K")
    tm = float(tm_C) if tm_C is not None else (melting[0].peak_C if melting and exo else math.nan)
    res = DscAnalysis(source=curve.source, heating_rate_K_per_min=curve.heating_rate_K_per_min,
                      heat_flow_unit=curve.heat_flow_unit, glass_transition=gt,
                      crystallization=tuple(exo), melting=melting, tm_C=tm, notes=tuple(notes))
    if math.isfinite(res.hruby):
        cite("Hruby1972", "K_H = (Tx - Tg) / (Tm - Tx)")
    return res
