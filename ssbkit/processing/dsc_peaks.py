"""Peak search of the DTA/DSC analysis: the uniform smoothed grid, straight baselines over the flat
ground, tangent onsets, significance against the noise and the slow baseline wander, overlaps."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.signal import find_peaks, peak_widths, savgol_filter

from ..errors import InputError
from .dsc_io import DscCurve
from .dsc_records import Line, ThermalPeak


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
