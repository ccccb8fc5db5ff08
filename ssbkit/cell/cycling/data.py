"""The record every cycler reader returns, and the checks all of them share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ...errors import FileFormatError
from ...records import Record

__all__ = ["CyclerData", "InstrumentCycles", "finish", "cycles_from_segments"]


@dataclass(frozen=True)
class InstrumentCycles(Record):
    """The instrument's own per-cycle summary (Neware cycle layer, Arbin statistics, ...).

    Attributes
    ----------
    cycle
        Cycle numbers as the instrument counts them.
    charge_mAh, discharge_mAh
        The instrument's charge and discharge capacity of each cycle.
    source
        Where in the file it came from (``"Neware cycle layer"``).
    """

    cycle: np.ndarray
    charge_mAh: np.ndarray
    discharge_mAh: np.ndarray
    source: str = ""


@dataclass(frozen=True)
class CyclerData(Record):
    """Time series of one cycling test.

    Attributes
    ----------
    path, format
        The file and the reader that read it.
    time_s, voltage_V, current_A
        Per point; current is signed, charge > 0.
    cycle, step
        Integer cycle and step (or half-cycle) indices.
    capacity_counter_Ah
        The instrument's capacity counter of the running step (absolute
        value), ``NaN`` where the file has none (the analysis then integrates
        the current).
    instrument
        The instrument's own per-cycle summary, where the file holds one.
    metadata
        Header values (``mass_mg`` where the file states the active mass).
    notes
        Everything the reader skipped, repaired or assumed.
    """

    path: str
    format: str
    time_s: np.ndarray
    voltage_V: np.ndarray
    current_A: np.ndarray
    cycle: np.ndarray
    step: np.ndarray
    capacity_counter_Ah: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)
    instrument: InstrumentCycles | None = None
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(np.asarray(self.time_s).size)


def cycles_from_segments(current_A: np.ndarray, rest_fraction: float = 1e-3) -> np.ndarray:
    """Cycle numbers (1, 2, ...) for a test whose file counts no cycles.

    A new cycle starts each time the direction that came first (charge or
    discharge) starts again after the other one.

    Parameters
    ----------
    current_A
        Signed current.
    rest_fraction
        Currents below this fraction of the largest count as rest.

    Returns
    -------
    numpy.ndarray
        Integer cycle per point.

    Examples
    --------
    >>> cycles_from_segments(np.array([1.0, 1, 0, -1, -1, 1, -1])).tolist()
    [1, 1, 1, 1, 1, 2, 2]
    """
    i = np.asarray(current_A, dtype=float)
    imax = float(np.max(np.abs(i))) if i.size else 0.0
    sign = np.where(np.abs(i) > rest_fraction * max(imax, 1e-300), np.sign(i), 0.0)
    active = sign[sign != 0]
    out = np.ones(i.size, dtype=np.int64)
    if active.size == 0:
        return out
    first, cyc, seen_other, prev = active[0], 1, False, 0.0
    for k, s in enumerate(sign):
        if s != 0:
            if s == first and s != prev and seen_other:
                cyc += 1
                seen_other = False
            if s != first:
                seen_other = True
            prev = s
        out[k] = cyc
    return out


def finish(data: CyclerData) -> CyclerData:
    """Checks every reader's output goes through: lengths, finiteness, time order, cycles.

    Parameters
    ----------
    data
        A reader's raw result.

    Returns
    -------
    CyclerData
        The same data, with cycles numbered from the current's sign where the
        file's cycle column is constant (a note says so).
    """
    n = len(data)
    arrays = {k: np.asarray(getattr(data, k)) for k in
              ("time_s", "voltage_V", "current_A", "cycle", "step", "capacity_counter_Ah")}
    for k, a in arrays.items():
        if a.shape != (n,):
            raise FileFormatError(f"{data.path}: column {k} has {a.size} values for {n} points")
    if n == 0:
        raise FileFormatError(f"{data.path}: no data points")
    for k in ("time_s", "voltage_V", "current_A"):
        bad = np.flatnonzero(~np.isfinite(arrays[k].astype(float)))
        if bad.size:
            raise FileFormatError(f"{data.path}: data point {bad[0] + 1}: {k} is NaN or infinite")
    for k, limit, unit in (("voltage_V", 1e3, "V"), ("current_A", 1e4, "A"), ("time_s", 3.2e9, "s")):
        big = np.flatnonzero(np.abs(arrays[k].astype(float)) > limit)
        if big.size:
            raise FileFormatError(f"{data.path}: data point {big[0] + 1}: {k} = {arrays[k][big[0]]:.3g} {unit} "
                                  f"is not a plausible cycler reading (damaged value or wrong column)")
    back = np.flatnonzero(np.diff(arrays["time_s"]) < 0)
    if back.size:
        raise FileFormatError(f"{data.path}: time goes backwards after data point {back[0] + 1}")
    notes = list(data.notes)
    cycle = arrays["cycle"].astype(np.int64)
    kinds = set(np.sign(np.round(arrays["current_A"], 15)).tolist()) - {0.0}
    if np.unique(cycle).size == 1 and len(kinds) == 2:
        new = cycles_from_segments(arrays["current_A"])
        if new.max() > 1:
            i = arrays["current_A"]
            first = "charge" if i[np.flatnonzero(np.abs(i) > 1e-3 * np.max(np.abs(i)))[0]] > 0 else "discharge"
            notes.append(f"the file's cycle counter is {int(cycle[0])} throughout: cycles numbered "
                         f"from the sequence of charges and discharges instead (a new cycle starts at "
                         f"each {first}, the first direction in the file)")
            cycle = new
    return replace(data, cycle=cycle, step=arrays["step"].astype(np.int64), notes=tuple(notes))
