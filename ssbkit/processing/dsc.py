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
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.signal import find_peaks, peak_widths, savgol_filter

from ..citations import cite
from ..errors import InputError
from ..records import Record
from .dsc_baseline import robust_baseline
from .dsc_io import DscCurve

__all__ = ["Line", "GlassTransition", "ThermalPeak", "DscAnalysis", "analyze_dsc"]


@dataclass(frozen=True)
class Line(Record):
    """A straight construction line ``q = slope * T + intercept`` (T in degC)."""

    slope: float
    intercept: float

    def at(self, t: float | np.ndarray) -> float | np.ndarray:
        """Value of the line at temperature ``t``.

        Parameters
        ----------
        t : float or ndarray
            Temperature, degC.

        Returns
        -------
        float or ndarray
            ``slope * t + intercept``.
        """
        return self.slope * t + self.intercept


@dataclass(frozen=True)
class GlassTransition(Record):
    """ASTM E1356 glass transition.

    Attributes
    ----------
    onset_C, midpoint_C, end_C, inflection_C
        Temperatures of the construction, degC.
    step
        Signal step (glass baseline minus liquid baseline at the midpoint), unit of the curve.
    delta_cp_J_per_gK
        Heat-capacity step (NaN for an uncalibrated DTA signal).
    glass_line, tangent, liquid_line
        The three construction lines.
    fit_range_C
        Temperature ranges of the two baseline fits.
    """

    onset_C: float
    midpoint_C: float
    end_C: float
    inflection_C: float
    step: float
    delta_cp_J_per_gK: float
    glass_line: Line
    tangent: Line
    liquid_line: Line
    fit_range_C: tuple[float, float, float, float]


@dataclass(frozen=True)
class ThermalPeak(Record):
    """An exothermic or endothermic peak with its construction.

    Attributes
    ----------
    kind
        ``"exo"`` (crystallization) or ``"endo"`` (melting, decomposition).
    onset_C, peak_C
        Tangent onset and extremum, degC.
    start_C, end_C
        Integration limits, degC.
    height
        Peak height above the baseline (unit of the curve, positive).
    enthalpy_J_per_g
        Area / heating rate, J/g, positive for both kinds (NaN for an uncalibrated signal).
    baseline, tangent
        Construction lines.
    """

    kind: str
    onset_C: float
    peak_C: float
    start_C: float
    end_C: float
    height: float
    enthalpy_J_per_g: float
    baseline: Line
    tangent: Line


@dataclass(frozen=True)
class DscAnalysis(Record):
    """Everything read off one heating curve (see :func:`analyze_dsc`).

    Attributes
    ----------
    source, heating_rate_K_per_min, heat_flow_unit
        From the curve.
    glass_transition
        :class:`GlassTransition` or None when no step was found.
    crystallization
        Exothermic peaks, in temperature order.
    melting
        Endothermic peaks above the first crystallization (or all, without one).
    tm_C
        Melting temperature used for Hruby's parameter (first melting peak or user value).
    notes, references
    """

    source: str
    heating_rate_K_per_min: float
    heat_flow_unit: str
    glass_transition: GlassTransition | None
    crystallization: tuple[ThermalPeak, ...]
    melting: tuple[ThermalPeak, ...]
    tm_C: float = math.nan
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ("ASTME1356", "Hruby1972")

    @property
    def tg_onset_C(self) -> float:
        """Tg onset (NaN without a glass transition)."""
        return self.glass_transition.onset_C if self.glass_transition else math.nan

    @property
    def tx_C(self) -> float:
        """Onset of the first crystallization exotherm."""
        return self.crystallization[0].onset_C if self.crystallization else math.nan

    @property
    def stability_K(self) -> float:
        """Glass stability ``Tx - Tg`` (onsets), K."""
        return self.tx_C - self.tg_onset_C

    @property
    def hruby(self) -> float:
        """Hruby parameter ``(Tx - Tg) / (Tm - Tx)``."""
        return self.stability_K / (self.tm_C - self.tx_C) if math.isfinite(self.tm_C) else math.nan

    def summary(self) -> dict[str, float]:
        """Flat numbers with units in the keys (for ``--json`` and the study).

        Returns
        -------
        dict of str to float
            ``tg_onset_C``, ``tg_midpoint_C``, ``tg_end_C``, ``tc_onset_C``, ``tc_peak_C``,
            ``crystallization_enthalpy_J_per_g``, ``stability_K``, ``hruby``, ...
        """
        g = self.glass_transition
        c = self.crystallization[0] if self.crystallization else None
        nan = math.nan
        return {
            "heating_rate_K_per_min": self.heating_rate_K_per_min,
            "tg_onset_C": g.onset_C if g else nan,
            "tg_midpoint_C": g.midpoint_C if g else nan,
            "tg_end_C": g.end_C if g else nan,
            "delta_cp_J_per_gK": g.delta_cp_J_per_gK if g else nan,
            "tc_onset_C": c.onset_C if c else nan,
            "tc_peak_C": c.peak_C if c else nan,
            "crystallization_enthalpy_J_per_g": c.enthalpy_J_per_g if c else nan,
            "n_exotherms": len(self.crystallization),
            "tm_C": self.tm_C,
            "stability_K": self.stability_K,
            "hruby": self.hruby,
        }

    def as_dict(self) -> dict:
        """Fields plus :meth:`summary` under ``"summary"``.

        Returns
        -------
        dict
            JSON-ready record.
        """
        d = super().as_dict()
        d["summary"] = self.summary()
        return d


# ----------------------------------------------------------------------------- helpers
@dataclass
class _Grid:
    t: np.ndarray       # uniform temperature grid, degC
    q: np.ndarray       # signal on the grid
    qs: np.ndarray      # smoothed signal
    dq: np.ndarray      # smoothed derivative dq/dT
    noise: float
    beta_K_per_s: float
    calibrated: bool
    wander: float = 0.0
    min_width_K: float = 0.0
    dq_tg: np.ndarray = field(default_factory=lambda: np.zeros(0))  # derivative for step search
    dnoise: float = 0.0  # white noise of dq
    dnoise_tg: float = 0.0  # white noise of dq_tg
    base: np.ndarray = field(default_factory=lambda: np.zeros(0))   # robust slow baseline


def _grid(curve: DscCurve, smooth_K: float) -> _Grid:
    t0, q0 = np.asarray(curve.temperature_C, float), np.asarray(curve.heat_flow, float)
    step = float(np.median(np.diff(t0)))
    t = np.arange(t0[0], t0[-1] + 0.5 * step, step)
    q = np.interp(t, t0, q0)
    win = max(5, int(round(smooth_K / step)) | 1)
    if win >= len(t):
        raise InputError(f"{curve.source}: curve too short ({len(t)} points) for {smooth_K} K smoothing")
    qs = savgol_filter(q, win, 2)
    dq = savgol_filter(q, win, 2, deriv=1, delta=step)
    d = np.diff(q)
    noise = float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2)) or 1e-12
    win_tg = max(win, int(round(6.0 / step)) | 1)
    dq_tg = savgol_filter(q, win_tg, 2, deriv=1, delta=step) if win_tg < len(t) else dq
    # white noise carried through a quadratic Savitzky-Golay derivative of n points
    dnoise, dnoise_tg = (noise * math.sqrt(12.0 / (n * (n * n - 1.0))) / step
                         for n in (float(win), float(win_tg if win_tg < len(t) else win)))
    return _Grid(t, q, qs, dq, noise, curve.heating_rate_K_per_min / 60.0, curve.calibrated,
                 dq_tg=dq_tg, dnoise=dnoise, dnoise_tg=dnoise_tg)


def _fit_line(t: np.ndarray, q: np.ndarray) -> Line:
    if t.size < 2 or np.ptp(t) == 0:
        return Line(0.0, float(np.mean(q)) if q.size else math.nan)
    a, b = np.polyfit(t, q, 1)
    return Line(float(a), float(b))


def _cross(a: Line, b: Line) -> float:
    if a.slope == b.slope:
        return math.nan
    return float((b.intercept - a.intercept) / (a.slope - b.slope))


def _mask(t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return (t >= lo) & (t <= hi)


# ----------------------------------------------------------------------------- peaks
def _peak(g: _Grid, i: int, sign: float, kind: str, bounds: tuple[float, float],
          valleys: bool = True) -> ThermalPeak:
    """Baseline, limits, onset and area of the peak at grid index ``i`` (sign +1 exo, -1 endo)."""
    y = sign * g.qs
    with warnings.catch_warnings():  # a merged maximum may sit on a plateau (prominence 0)
        warnings.simplefilter("ignore")
        _, _, lft, rgt = peak_widths(y, [i], rel_height=0.99)
        width = peak_widths(y, [i], rel_height=0.5)[0][0]
    step = g.t[1] - g.t[0]
    tl, tr = g.t[0] + lft[0] * step, g.t[0] + rgt[0] * step
    if g.base.size == y.size:  # the peak's foot on the drift-corrected signal, not 99 % down a slope
        yc = sign * (g.qs - g.base)
        floor = max(0.01 * yc[i], 3.0 * g.noise)
        al, ar = i, i
        while al > 0 and yc[al] > floor:
            al -= 1
        while ar < y.size - 1 and yc[ar] > floor:
            ar += 1
        tl, tr = max(tl, float(g.t[al])), min(tr, float(g.t[ar]))
    fwhm = float(max(width, 1.0) * step)
    lo_win = _mask(g.t, max(bounds[0], tl - fwhm), tl)
    hi_win = _mask(g.t, tr, min(bounds[1], tr + fwhm))
    sel = lo_win | hi_win
    base = _fit_line(g.t[sel], y[sel]) if lo_win.sum() >= 2 and hi_win.sum() >= 2 else \
        Line((y[int(rgt[0])] - y[int(lft[0])]) / max(tr - tl, step), 0.0)
    if not (lo_win.sum() >= 2 and hi_win.sum() >= 2):
        base = Line(base.slope, float(y[int(lft[0])] - base.slope * tl))
    exc = y - base.at(g.t)
    i = _refine_index(exc, i)
    height = float(exc[i])
    a, b = i, i
    lo_t, hi_t = max(bounds[0], tl - fwhm), min(bounds[1], tr + fwhm)
    while a > 0 and exc[a] > 0.01 * height and g.t[a] > lo_t and not (valleys and _valley(exc, a, -1, height)):
        a -= 1
    while b < len(y) - 1 and exc[b] > 0.01 * height and g.t[b] < hi_t and not (valleys and _valley(exc, b, 1, height)):
        b += 1
    cut = (bool(exc[a] > 0.01 * height and _valley(exc, a, -1, height)),
           bool(exc[b] > 0.01 * height and _valley(exc, b, 1, height)))
    lead = a + int(np.argmax(sign * g.dq[a:i + 1] - base.slope)) if i > a else i
    tan = Line(float(sign * g.dq[lead]), float(y[lead] - sign * g.dq[lead] * g.t[lead]))
    onset = _cross(tan, base)
    area = float(np.trapezoid(exc[a:b + 1], g.t[a:b + 1]))
    enthalpy = area / g.beta_K_per_s if g.calibrated else math.nan
    # report lines in the curve's own sign
    _CUT[id(g)] = cut
    peak_t = min(max(_vertex(g.t, sign * g.qs - base.at(g.t), i), float(g.t[a])), float(g.t[b]))
    return ThermalPeak(kind=kind, onset_C=onset, peak_C=peak_t, start_C=float(g.t[a]),
                       end_C=float(g.t[b]), height=height, enthalpy_J_per_g=enthalpy,
                       baseline=Line(sign * base.slope, sign * base.intercept),
                       tangent=Line(sign * tan.slope, sign * tan.intercept))


#: whether the last :func:`_peak` on a grid stopped at a neighbour's flank (left, right)
_CUT: dict[int, tuple[bool, bool]] = {}


def _refine_index(exc: np.ndarray, i: int) -> int:
    """Index of the largest excess over the baseline near ``i`` (the raw maximum may sit on a slope)."""
    lo, hi = max(0, i - 50), min(exc.size, i + 51)
    return lo + int(np.argmax(exc[lo:hi]))


def _vertex(t: np.ndarray, y: np.ndarray, i: int) -> float:
    """Peak temperature refined by a parabola through the three points around ``i``."""
    if i <= 0 or i >= t.size - 1:
        return float(t[i])
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    den = y0 - 2 * y1 + y2
    if den >= 0:
        return float(t[i])
    offset = min(max(0.5 * (y0 - y2) / den, -0.5), 0.5)  # stays within half a step of the sample
    return float(t[i] + offset * (t[i + 1] - t[i]))


def _valley(exc: np.ndarray, k: int, direction: int, height: float) -> bool:
    """True where the excess stops falling outward below 10 % of the height (a neighbour's flank)."""
    nxt = k + direction
    return bool(0 <= nxt < exc.size and exc[nxt] > exc[k] and exc[k] < 0.1 * height)


def _insignificant(pk: ThermalPeak, g: _Grid) -> str:
    """Why a candidate is not a thermal event ('' when it is one).

    A peak rises from the baseline and falls back to it: both flanks (start to maximum, maximum
    to end) span at least ``min_width_K``; and it stands out of the scan's own wander (the bumps
    a drifting baseline makes, :func:`~ssbkit.processing.dsc_baseline.robust_baseline`) and of
    the white noise: height >= 3 x wander and >= 10 x noise.
    """
    lead, trail = pk.peak_C - pk.start_C, pk.end_C - pk.peak_C
    if min(lead, trail) < g.min_width_K:
        side = "leading" if lead < trail else "trailing"
        return (f"its {side} flank spans {min(lead, trail):.1f} K < {g.min_width_K:.1f} K "
                "(a bend of the baseline, not a peak)")
    floor = max(3.0 * g.wander, 10.0 * g.noise)
    if pk.height < floor:
        return (f"height {pk.height:.3g} below 3 x the baseline wander ({g.wander:.3g}) / "
                f"10 x noise ({g.noise:.3g}): insignificant")
    return ""


def _find(g: _Grid, sign: float, window: tuple[float, float], min_height: float) -> list[int]:
    y = sign * g.qs
    prom = max(10.0 * g.noise, min_height, 0.02 * float(np.ptp(g.qs)))
    idx, _ = find_peaks(y, prominence=prom)
    return [int(i) for i in idx if window[0] <= g.t[i] <= window[1]]


def _peaks(g: _Grid, sign: float, kind: str, window: tuple[float, float], overlap: str,
           source: str, notes: list[str], min_height: float) -> list[ThermalPeak]:
    idx = _find(g, sign, window, min_height)
    out: list[ThermalPeak] = []
    cuts: list[tuple[bool, bool]] = []
    for i in idx:
        pk = _peak(g, i, sign, kind, window)
        cut = _CUT.pop(id(g))
        why = _insignificant(pk, g)
        if why:
            notes.append(f"{kind} bump at {pk.peak_C:.1f} degC not reported as a peak: {why}")
            continue
        if out and abs(pk.peak_C - out[-1].peak_C) <= max(g.min_width_K, 2 * (g.t[1] - g.t[0])):
            continue  # the same maximum found twice (a noisy plateau): one peak
        out.append(pk)
        cuts.append(cut)
    merged: list[ThermalPeak] = []
    for k, pk in enumerate(out):
        touching = k > 0 and (cuts[k][0] or cuts[k - 1][1])
        if merged and (pk.start_C < merged[-1].end_C or touching):
            prev = merged[-1]
            if overlap != "merge":
                raise InputError(
                    f"{source}: overlapping {kind}thermic peaks at {prev.peak_C:.1f} and {pk.peak_C:.1f} "
                    "degC: a straight baseline cannot split their areas; narrow the window "
                    "(tc_window_C) or pass overlap='merge' (--merge-overlapping) to integrate them as one"
                )
            notes.append(f"{kind} peaks at {prev.peak_C:.1f} and {pk.peak_C:.1f} degC overlap: integrated as one")
            lo = min(prev.start_C, pk.start_C, prev.peak_C, pk.peak_C)
            hi = max(prev.end_C, pk.end_C, prev.peak_C, pk.peak_C)
            span = np.flatnonzero(_mask(g.t, lo, hi))
            i = int(span[np.argmax(sign * g.qs[span])])
            merged[-1] = _peak(g, i, sign, kind, window, valleys=False)
            _CUT.pop(id(g), None)
            continue
        merged.append(pk)
    return merged


def _checked_onsets(peaks: list[ThermalPeak], spacing: float, notes: list[str]) -> list[ThermalPeak]:
    """An extrapolated onset lies between the peak's start and its maximum; one outside (the
    leading-edge tangent nearly parallel to the baseline, as on a drifting baseline) is not a
    number to report: NaN, with a note."""
    out = []
    for pk in peaks:
        if math.isfinite(pk.onset_C) and not (pk.start_C - spacing <= pk.onset_C <= pk.peak_C + spacing):
            notes.append(f"{pk.kind} peak at {pk.peak_C:.1f} degC: the tangent onset ({pk.onset_C:.1f} degC) "
                         f"falls outside the peak ({pk.start_C:.1f}-{pk.peak_C:.1f} degC): onset not reported")
            pk = replace(pk, onset_C=math.nan)
        out.append(pk)
    return out


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
