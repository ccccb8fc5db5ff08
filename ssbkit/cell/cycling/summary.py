"""Per-cycle capacities, coulombic efficiency, retention, lifetime and dQ/dV.

Definitions (science.md section 4): coulombic efficiency CE = Q_discharge /
Q_charge of the same cycle; lifetime = cycles to 80 % of the initial
capacity; 500 cycles need CE >= 99.96 % per cycle. For an anode half-cell
(lithiation counted as discharge) pass ``ce_convention="charge/discharge"``.

No nominal capacity is assumed: specific capacities need the active mass
(``mass_mg``), areal ones the electrode area, C-rates the nominal capacity;
each comes from the user or from a :class:`~ssbkit.cell.design.StackDesign`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import InputError
from ...provenance import software_versions
from ...records import Record
from .data import CyclerData, InstrumentCycles

__all__ = ["CycleSummary", "summarize_cycles", "cycles_to_fraction", "dqdv", "segments",
           "INSTRUMENT_TOLERANCE"]

#: Largest relative difference from the instrument's own per-cycle capacity before a note is raised.
INSTRUMENT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class CycleSummary(Record):
    """Per-cycle results of one test (arrays indexed like ``cycle``).

    Capacities are absolute (mAh) and, where mass / area were given,
    specific (mAh/g) and areal (mAh/cm2); ``None`` otherwise. Where the file
    holds the instrument's own per-cycle summary, ``instrument_charge_mAh`` and
    ``instrument_discharge_mAh`` give it on the same cycles (NaN where the
    instrument has no row) and ``instrument_max_rel_diff`` the largest
    relative difference from ours.
    """

    cycle: np.ndarray
    charge_mAh: np.ndarray
    discharge_mAh: np.ndarray
    coulombic_efficiency: np.ndarray
    retention: np.ndarray
    reference_cycle: int
    cycles_to_80pct: int | None
    charge_mAh_per_g: np.ndarray | None = None
    discharge_mAh_per_g: np.ndarray | None = None
    charge_mAh_per_cm2: np.ndarray | None = None
    discharge_mAh_per_cm2: np.ndarray | None = None
    discharge_c_rate: np.ndarray | None = None
    mass_mg: float | None = None
    area_cm2: float | None = None
    nominal_mAh: float | None = None
    ce_convention: str = "discharge/charge"
    source: str = ""
    format: str = ""
    instrument_charge_mAh: np.ndarray | None = None
    instrument_discharge_mAh: np.ndarray | None = None
    instrument_source: str = ""
    instrument_max_rel_diff: float | None = None
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    protocol: dict[str, Any] | None = None
    software: dict[str, str] = field(default_factory=dict)


def segments(data: CyclerData, *, rest_fraction: float = 1e-3) -> list[dict[str, Any]]:
    """Split a test into constant-direction segments (charge, discharge, rest).

    A new segment starts where the cycle, the step or the sign of the current
    changes. Each has ``kind``, ``cycle``, index ``slice`` and ``capacity_mAh``
    (instrument counter where present, else the integral of |I| dt).

    Parameters
    ----------
    data
        The test.
    rest_fraction
        Currents below this fraction of the largest count as rest.

    Returns
    -------
    list of dict
        One per segment, in time order.
    """
    i = data.current_A
    imax = float(np.max(np.abs(i))) if i.size else 0.0
    if imax <= 0:
        raise InputError(f"{data.path}: the current is zero throughout; nothing was cycled")
    sign = np.where(np.abs(i) > rest_fraction * imax, np.sign(i), 0.0)
    brk = np.flatnonzero((np.diff(data.cycle) != 0) | (np.diff(data.step) != 0) | (np.diff(sign) != 0)) + 1
    bounds = np.concatenate([[0], brk, [i.size]])
    out = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        s = float(np.sign(np.sum(sign[a:b])))
        kind = "charge" if s > 0 else "discharge" if s < 0 else "rest"
        counter = data.capacity_counter_Ah[a:b]
        if kind == "rest":
            q = 0.0
        elif b - a > 1 and np.all(np.isfinite(counter)):
            q = float(np.max(counter) - _counter_base(data, a, counter)) * 1e3
        else:  # no counter, or a one-point segment (a counter reading says nothing about it)
            lo = max(a - 1, 0)  # include the interval that leads into the segment
            t = data.time_s[lo:b]
            cur = np.abs(np.where(sign[lo:b] == s, i[lo:b], 0.0))
            q = float(np.sum(0.5 * (cur[1:] + cur[:-1]) * np.diff(t))) / 3.6
        out.append({"kind": kind, "cycle": int(data.cycle[a]), "slice": slice(int(a), int(b)),
                    "capacity_mAh": q})
    return out


def _counter_base(data: CyclerData, a: int, counter: np.ndarray) -> float:
    """Counter value the segment starting at point ``a`` counts from.

    A counter that restarts with the step has already counted the charge passed
    between the step's start and its first record: when that first reading is
    no more than the current could have passed since the previous record, the
    counter restarted with this segment and counts from 0. Otherwise (a counter
    running on from an earlier step of the cycle) the segment's smallest reading.
    """
    lowest = float(np.min(counter))
    if a == 0 or counter[0] < 0:
        return lowest
    dt = float(data.time_s[a] - data.time_s[a - 1])
    since_previous_Ah = abs(float(data.current_A[a])) * dt / 3600.0
    return 0.0 if float(counter[0]) <= 1.05 * since_previous_Ah + 1e-15 else lowest


def cycles_to_fraction(capacity, fraction: float = 0.8, *, reference: float | None = None) -> int | None:
    """Index (1-based count) of the first cycle whose capacity falls below ``fraction`` x reference.

    ``reference`` defaults to the first finite capacity. Returns ``None`` when
    the capacity never falls that low.

    Parameters
    ----------
    capacity
        Per-cycle capacity.
    fraction
        Threshold as a fraction of the reference.
    reference
        Reference capacity.

    Returns
    -------
    int or None
        1-based index of the first cycle below the threshold.

    Examples
    --------
    >>> cycles_to_fraction([1.0, 0.9, 0.79, 0.85])
    3
    """
    c = np.asarray(capacity, dtype=float)
    finite = np.flatnonzero(np.isfinite(c) & (c > 0))
    if finite.size == 0:
        return None
    ref = float(c[finite[0]]) if reference is None else float(reference)
    below = np.flatnonzero(np.isfinite(c) & (c < fraction * ref))
    below = below[below > finite[0]]
    return int(below[0]) + 1 if below.size else None


def summarize_cycles(
    data: CyclerData,
    *,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    nominal_mAh: float | None = None,
    ce_convention: str = "discharge/charge",
    reference_cycle: int | None = None,
) -> CycleSummary:
    """Charge and discharge capacity of every cycle, CE, retention and cycles to 80 %.

    Parameters
    ----------
    data
        From :func:`~ssbkit.cell.cycling.read_cycler_file`.
    mass_mg
        Active-material mass for mAh/g (else from the file's header, else
        none: capacities stay in mAh).
    area_cm2
        Electrode area for mAh/cm2.
    nominal_mAh
        Nominal capacity for the C-rate of each discharge.
    ce_convention
        ``"discharge/charge"`` (science.md) or ``"charge/discharge"`` (anode half-cells).
    reference_cycle
        Cycle that retention refers to (default: first cycle with a discharge).

    Returns
    -------
    CycleSummary
        Per-cycle values, the instrument's own summary beside ours where the
        file has one, and the reader's and the analysis' notes.
    """
    if ce_convention not in ("discharge/charge", "charge/discharge"):
        raise InputError(f"ce_convention must be 'discharge/charge' or 'charge/discharge', got {ce_convention!r}")
    for name, v in (("mass_mg", mass_mg), ("area_cm2", area_cm2), ("nominal_mAh", nominal_mAh)):
        if v is not None and not (np.isfinite(v) and v > 0):
            raise InputError(f"{name} must be > 0, got {v!r}")
    notes = list(data.notes)
    if mass_mg is None and "mass_mg" in data.metadata:
        mass_mg = float(data.metadata["mass_mg"])
        notes.append(f"active mass {mass_mg:g} mg taken from the file header")
    if mass_mg is None:
        notes.append("no active mass given: capacities in mAh (give mass_mg for mAh/g)")
    cycles, qc, qd, dur, segs = _per_cycle(data)
    if segs[-1]["kind"] != "rest":
        notes.append(f"the file ends during a {segs[-1]['kind']} of cycle {segs[-1]['cycle']}: "
                     "that half-cycle (and its CE) may be incomplete")
    pos = {int(c): k for k, c in enumerate(cycles)}
    with np.errstate(divide="ignore", invalid="ignore"):
        num, den = (qd, qc) if ce_convention == "discharge/charge" else (qc, qd)
        ce = np.where((num > 0) & (den > 0), num / den, np.nan)
        main = qd if ce_convention == "discharge/charge" else qc
        ref_idx = _reference_index(data, main, pos, cycles, reference_cycle, ce_convention)
        if ref_idx is None:
            ref_idx, ctf = 0, None
            retention = np.full(cycles.size, np.nan)
            notes.append(f"no {'discharge' if ce_convention == 'discharge/charge' else 'charge'} in the file: "
                         "retention and cycles to 80 % are undefined")
        else:
            retention = np.where(main > 0, main / main[ref_idx], np.nan)
            ctf = cycles_to_fraction(np.where(np.arange(cycles.size) >= ref_idx, main, np.nan), 0.8,
                                     reference=main[ref_idx])
        rate = np.where((qd > 0) & (dur > 0), qd / nominal_mAh / (dur / 3600.0), np.nan) if nominal_mAh else None
    inst = _instrument_columns(data.instrument, cycles, qc, qd, notes)
    return CycleSummary(
        cycle=cycles, charge_mAh=qc, discharge_mAh=qd, coulombic_efficiency=ce, retention=retention,
        reference_cycle=int(cycles[ref_idx]),
        cycles_to_80pct=None if ctf is None else int(cycles[ctf - 1]),
        charge_mAh_per_g=qc / (mass_mg * 1e-3) if mass_mg else None,
        discharge_mAh_per_g=qd / (mass_mg * 1e-3) if mass_mg else None,
        charge_mAh_per_cm2=qc / area_cm2 if area_cm2 else None,
        discharge_mAh_per_cm2=qd / area_cm2 if area_cm2 else None,
        discharge_c_rate=rate, mass_mg=mass_mg, area_cm2=area_cm2, nominal_mAh=nominal_mAh,
        ce_convention=ce_convention, source=data.path, format=data.format, **inst, notes=tuple(notes),
        protocol={"ce_convention": ce_convention, "reference_cycle": reference_cycle,
                  "lifetime_fraction": 0.8, "rest_fraction": 1e-3},
        software={**software_versions(), **_reader_version(data.format)},
    )


_READER_PACKAGES = {"biologic-mpr": "galvani", "neware-ndax": "NewareNDA", "arbin-res": "access-parser",
                    "arbin-xlsx": "openpyxl", "neware-xlsx": "openpyxl"}


def _reader_version(fmt: str) -> dict[str, str]:
    """Version of the third-party package that read the file, where one did."""
    from importlib import metadata

    pkg = _READER_PACKAGES.get(fmt)
    if pkg is None:
        return {}
    try:
        return {pkg: metadata.version(pkg)}
    except metadata.PackageNotFoundError:
        return {}


def _per_cycle(data: CyclerData):
    segs = segments(data)
    cycles = np.unique(data.cycle)
    qc, qd, dur = np.zeros(cycles.size), np.zeros(cycles.size), np.zeros(cycles.size)
    pos = {int(c): k for k, c in enumerate(cycles)}
    for s in segs:
        k = pos[s["cycle"]]
        if s["kind"] == "charge":
            qc[k] += s["capacity_mAh"]
        elif s["kind"] == "discharge":
            qd[k] += s["capacity_mAh"]
            t = data.time_s[s["slice"]]
            dur[k] += float(t[-1] - t[0]) if t.size > 1 else 0.0
    return cycles, qc, qd, dur, segs


def _reference_index(data, main, pos, cycles, reference_cycle, ce_convention) -> int | None:
    has = np.flatnonzero(main > 0)
    if has.size == 0 and reference_cycle is None:
        return None
    if reference_cycle is None:
        return int(has[0])
    if int(reference_cycle) in pos:
        return pos[int(reference_cycle)]
    raise InputError(f"reference_cycle {reference_cycle} is not in the file (cycles {cycles[0]}-{cycles[-1]})")


def _instrument_columns(inst: InstrumentCycles | None, cycles, qc, qd, notes: list[str]) -> dict[str, Any]:
    """The instrument's per-cycle capacities on our cycles, and how far ours are from them."""
    if inst is None or len(inst.cycle) == 0:
        return {}
    ic = np.full(cycles.size, np.nan)
    idc = np.full(cycles.size, np.nan)
    where = {int(c): k for k, c in enumerate(cycles)}
    for c, a, b in zip(inst.cycle, inst.charge_mAh, inst.discharge_mAh, strict=True):
        if int(c) in where:
            ic[where[int(c)]], idc[where[int(c)]] = a, b
    diffs = []
    for ours, theirs in ((qc, ic), (qd, idc)):
        ok = np.isfinite(theirs) & (theirs > 0)
        if ok.any():
            diffs.append(float(np.max(np.abs(ours[ok] - theirs[ok]) / theirs[ok])))
    worst = max(diffs) if diffs else None
    if worst is not None and worst > INSTRUMENT_TOLERANCE:
        notes.append(f"per-cycle capacity differs from the instrument's own summary ({inst.source}) "
                     f"by up to {100 * worst:.2f} %")
    missing = sorted(set(int(c) for c in inst.cycle) - set(where))
    if missing:
        notes.append(f"the instrument's summary lists cycle(s) {missing[:5]} that have no data points")
    return {"instrument_charge_mAh": ic, "instrument_discharge_mAh": idc,
            "instrument_source": inst.source, "instrument_max_rel_diff": worst}


def dqdv(data: CyclerData, cycle: int, kind: str = "discharge", *, dv_V: float = 0.005,
         smooth_points: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Differential capacity dQ/dV (mAh/V) of one half-cycle on a uniform voltage grid.

    Q(V) is averaged in bins of ``dv_V``, differentiated by central
    differences and smoothed with a moving average of ``smooth_points`` bins.
    dQ/dV is positive for both directions.

    Parameters
    ----------
    data
        The test.
    cycle
        Cycle number.
    kind
        ``"charge"`` or ``"discharge"``.
    dv_V
        Voltage bin width.
    smooth_points
        Moving-average width in bins.

    Returns
    -------
    tuple of numpy.ndarray
        ``(voltage_V, dQdV_mAh_per_V)``.
    """
    if kind not in ("charge", "discharge"):
        raise InputError(f"kind must be 'charge' or 'discharge', got {kind!r}")
    if not dv_V > 0:
        raise InputError(f"dv_V must be > 0, got {dv_V}")
    segs = [s for s in segments(data) if s["cycle"] == cycle and s["kind"] == kind]
    if not segs:
        raise InputError(f"{data.path}: cycle {cycle} has no {kind} segment")
    v_all, q_all, q0 = [], [], 0.0
    for s in segs:
        sl = s["slice"]
        t, i = data.time_s[sl], np.abs(data.current_A[sl])
        q = np.concatenate([[0.0], np.cumsum(0.5 * (i[1:] + i[:-1]) * np.diff(t))]) / 3.6
        v_all.append(data.voltage_V[sl])
        q_all.append(q + q0)
        q0 += float(q[-1]) if q.size else 0.0
    v, q = np.concatenate(v_all), np.concatenate(q_all)
    if v.size < 3 or np.ptp(v) < 2 * dv_V:
        raise InputError(f"{data.path}: cycle {cycle} {kind} spans too little voltage for dQ/dV")
    edges = np.arange(v.min(), v.max() + dv_V, dv_V)
    idx = np.clip(np.digitize(v, edges) - 1, 0, edges.size - 2)
    counts = np.bincount(idx, minlength=edges.size - 1)
    qsum = np.bincount(idx, weights=q, minlength=edges.size - 1)
    ok = counts > 0
    centres = 0.5 * (edges[:-1] + edges[1:])[ok]
    qbin = qsum[ok] / counts[ok]
    g = np.abs(np.gradient(qbin, centres))
    if smooth_points > 1 and g.size > smooth_points:
        g = np.convolve(g, np.ones(smooth_points) / smooth_points, mode="same")
    return centres, g
