"""Neware exports: flat CSV, the "regular export" with cycle/step/record layers, XLSX and .ndax.

The regular export nests three tables in one file: a cycle row (first field
set) holds the instrument's per-cycle charge and discharge capacity, a step
row (second field set) the step's type and capacity, and record rows (both
empty) the data points. The cycle layer is kept as the instrument's summary
(:class:`~ssbkit.cell.cycling.data.InstrumentCycles`) so that our per-cycle
numbers can be checked against it. Binary ``.ndax``/``.nda`` files are read
with the NewareNDA package (the ``cycling`` extra).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from ...errors import FileFormatError, InputError
from ._text import Table, header_index, norm, parse_duration_s, sniff_delimiter, split
from .data import CyclerData, InstrumentCycles

__all__ = ["sniff_flat", "sniff_regular", "sniff_ndax", "read_flat", "read_regular", "read_ndax",
           "read_flat_table"]


def sniff_regular(path: Path, head: str) -> bool:
    """True for the three-layer regular export (cycle, step and record header lines).

    Parameters
    ----------
    path
        The file.
    head
        Its first 64 kB as text.

    Returns
    -------
    bool
        Whether this format reads the file.
    """
    lines = head.splitlines()[:3]
    if len(lines) < 3:
        return False
    d = sniff_delimiter(lines[0])
    return (norm(lines[0].split(d)[0]) == "cycleindex" and norm(lines[1]).startswith("stepindex")
            and lines[2].startswith(d + d))


def sniff_flat(path: Path, head: str) -> bool:
    """True for a flat Neware export (Neware's capacity column names).

    Parameters
    ----------
    path
        The file.
    head
        Its first 64 kB as text.

    Returns
    -------
    bool
        Whether this format reads the file.
    """
    for line in head.splitlines()[:60]:
        names = {norm(c) for c in split(line, ",")} | {norm(c) for c in line.split("\t")}
        if "dchgcapah" in names or "dchgcapmah" in names or {"cycleindex", "steptype"} <= names:
            return True
    return False


def sniff_ndax(path: Path, head: str) -> bool:
    """True for Neware binary files.

    Parameters
    ----------
    path
        The file.
    head
        Its first 64 kB as text.

    Returns
    -------
    bool
        Whether this format reads the file.
    """
    return path.suffix.lower() in (".ndax", ".nda")


def _current_A(t: Table) -> np.ndarray:
    i = t.find_opt("Current(A)")
    if i is not None:
        return t.numbers(i)
    return t.numbers(t.find("Current(mA)", "Cur(mA)")) * 1e-3


def _clock_s(text: str) -> float:
    return datetime.fromisoformat(text.strip().replace("/", "-")).timestamp()


def _test_time_s(t: Table, step: np.ndarray, notes: list[str]) -> np.ndarray:
    """Test time: a cumulative column, else the clock, else step times added up (with a note)."""
    c = t.find_opt("Cumulative Time", "Total Time", "Test Time")
    if c is not None:
        return t.numbers(c, convert=parse_duration_s)
    c = t.find_opt("Absolute Time", "Date", "Realtime")
    if c is not None:
        clock = t.numbers(c, convert=_clock_s)
        notes.append(f"test time taken from the clock column {t.header[c]!r}")
        return clock - clock[0]
    c = t.find("Relative Time(h:min:s.ms)", "Time", "Step Time")
    rel = t.numbers(c, convert=parse_duration_s)
    notes.append(f"test time rebuilt by adding up the step times of {t.header[c]!r}")
    return _accumulate_step_time(rel, step)


def _capacity_Ah(t: Table, cur: np.ndarray) -> np.ndarray:
    scale = 1.0
    chg, dchg = t.find_opt("Chg. Cap.(Ah)"), t.find_opt("DChg. Cap.(Ah)")
    if chg is None:
        chg, dchg, scale = t.find_opt("Chg. Cap.(mAh)"), t.find_opt("DChg. Cap.(mAh)"), 1e-3
    if chg is not None and dchg is not None:
        return np.where(cur >= 0, t.numbers(chg), t.numbers(dchg)) * scale
    c = t.find_opt("Capacity(Ah)")
    if c is not None:
        return np.abs(t.numbers(c))
    c = t.find_opt("Capacity(mAh)")
    return np.abs(t.numbers(c)) * 1e-3 if c is not None else np.full(cur.size, np.nan)


def read_flat_table(path: Path, t: Table, notes: list[str], fmt: str = "neware",
                    instrument: InstrumentCycles | None = None) -> CyclerData:
    """CyclerData from a flat Neware record table (CSV or the XLSX record sheet).

    Parameters
    ----------
    path
        The file.
    t
        The record table.
    notes
        Notes list.
    fmt
        Format name recorded on the result.
    instrument
        The cycle sheet's summary, where there is one.

    Returns
    -------
    CyclerData
        The points.
    """
    cur = _current_A(t)
    volt = t.numbers(t.find("Voltage(V)"))
    cycle = t.integers(t.find("Cycle Index", "Cycle ID", "Cycle"))
    step = t.integers(t.find("Step Index", "Step ID", "Step", "Steps"))
    time = _test_time_s(t, step, notes)
    cap = _capacity_Ah(t, cur)
    return CyclerData(str(path), fmt, time, volt, cur, cycle, step, cap, instrument=instrument,
                      notes=tuple(notes))


def read_flat(path: Path, lines: list[str], notes: list[str]) -> CyclerData:
    """Flat Neware CSV export (one header, one row per data point).

    Parameters
    ----------
    path
        The file.
    lines
        Its decoded lines.
    notes
        Notes list.

    Returns
    -------
    CyclerData
        The points.
    """
    idx = header_index(path, lines, (("Cycle Index", "Cycle ID"), ("Voltage(V)",)))
    return read_flat_table(path, Table.from_lines(path, lines, idx, notes), notes)


def _layers(path: Path, lines: list[str]) -> tuple[list, list, list]:
    """Split a regular export into its cycle, step and record rows (with line numbers)."""
    delim = sniff_delimiter(lines[0])
    heads = [split(lines[k], delim) for k in range(3)]
    ncyc = len(heads[0])
    cycles, steps, records = [(1, heads[0])], [(2, heads[1][1:])], [(3, heads[2][2:])]
    cur_cycle, cur_step = None, None
    rec_meta: list[tuple[str, str]] = []
    for k in range(3, len(lines)):
        f = split(lines[k], delim)
        if not any(x.strip() for x in f):
            continue
        if f[0].strip():
            cycles.append((k + 1, f[:ncyc]))
            cur_cycle = f[0].strip()
            if len(f) > ncyc and any(x.strip() for x in f[ncyc:]):  # a step row written on the same line
                f = [""] + f[ncyc:]
            else:
                continue
        if len(f) > 1 and f[1].strip():
            steps.append((k + 1, f[1:]))
            cur_step = f[1].strip()
            continue
        if cur_cycle is None or cur_step is None:
            raise FileFormatError(f"{path}: line {k + 1}: a data record before any cycle and step row")
        records.append((k + 1, f[2:]))
        rec_meta.append((cur_cycle, cur_step))
    return cycles, steps, [records, rec_meta]


def read_regular(path: Path, lines: list[str], notes: list[str]) -> CyclerData:
    """Neware regular export (CSV with cycle, step and record layers).

    Parameters
    ----------
    path
        The file.
    lines
        Its decoded lines.
    notes
        Notes list.

    Returns
    -------
    CyclerData
        The record layer as points; the cycle layer as the instrument summary.
    """
    if len(lines) < 4:
        raise FileFormatError(f"{path}: a Neware regular export needs its three header lines and data")
    cycles, _steps, (records, meta) = _layers(path, lines)
    rec = Table(path, records, notes)
    if len(rec.rows) != len(meta):
        raise FileFormatError(f"{path}: blank record rows inside the record layer")
    cyc = Table(path, cycles, notes)
    scale = 1.0 if cyc.find_opt("Chg. Cap.(Ah)") is not None else 1e-3
    inst = InstrumentCycles(
        cyc.integers(cyc.find("Cycle Index")),
        cyc.numbers(cyc.find("Chg. Cap.(Ah)", "Chg. Cap.(mAh)")) * scale * 1e3,
        cyc.numbers(cyc.find("DChg. Cap.(Ah)", "DChg. Cap.(mAh)")) * scale * 1e3,
        "Neware cycle layer")
    cur = _current_A(rec)
    time = rec.numbers(rec.find("Total Time", "Cumulative Time"), convert=parse_duration_s)
    volt = rec.numbers(rec.find("Voltage(V)"))
    cap = _capacity_Ah(rec, cur)
    try:
        cycle = np.array([int(c) for c, _ in meta], dtype=np.int64)
        step = np.array([int(s) for _, s in meta], dtype=np.int64)
    except ValueError:
        bad = next(k for k, (c, s) in zip(rec.lineno, meta, strict=True)
                   if not (c.lstrip("-").isdigit() and s.lstrip("-").isdigit()))
        raise FileFormatError(f"{path}: the cycle or step row above line {bad} has no whole-number index") from None
    return CyclerData(str(path), "neware-regular", time, volt, cur, cycle, step, cap,
                      instrument=inst, notes=tuple(notes))


def read_ndax(path: Path, lines: list[str] | None, notes: list[str]) -> CyclerData:
    """Neware ``.ndax``/``.nda`` binary through NewareNDA (the ``cycling`` extra).

    Parameters
    ----------
    path
        The file.
    lines
        Unused (binary format).
    notes
        Notes list.

    Returns
    -------
    CyclerData
        The points; time is rebuilt from the timestamps (NewareNDA's ``Time``
        restarts at every step).
    """
    try:
        import NewareNDA
    except ImportError:
        raise InputError(f"{path}: reading Neware binaries needs NewareNDA "
                         "(pip install 'ssbkit[cycling]'), or export the test as CSV from BTS") from None
    try:
        df = NewareNDA.read(str(path), log_level="CRITICAL")
        time_step = df["Time"].to_numpy(float)
        step = df["Step"].to_numpy(np.int64)
        cur = df["Current(mA)"].to_numpy(float) * 1e-3
        volt = df["Voltage"].to_numpy(float)
        cycle = df["Cycle"].to_numpy(np.int64)
        qc = df["Charge_Capacity(mAh)"].to_numpy(float) * 1e-3
        qd = df["Discharge_Capacity(mAh)"].to_numpy(float) * 1e-3
        stamps = df["Timestamp"] if "Timestamp" in df else None
    except Exception as exc:  # NewareNDA raises struct.error, KeyError, zipfile errors, ...
        raise FileFormatError(f"{path}: not a readable Neware binary file "
                              f"({type(exc).__name__}: {str(exc)[:200]})") from None
    if cur.size == 0:
        raise FileFormatError(f"{path}: no data points")
    time = None
    if stamps is not None:
        try:
            t = (stamps - stamps.iloc[0]).dt.total_seconds().to_numpy(float)
            if np.all(np.isfinite(t)) and np.all(np.diff(t) >= 0):
                time = t
        except (TypeError, AttributeError, ValueError):
            time = None
    if time is None:
        time = _accumulate_step_time(time_step, step)
        notes.append("timestamps missing or out of order: test time rebuilt from the step times")
    if np.any(qc < 0) or np.any(qd < 0):
        notes.append("capacity counters stored negative (during discharge) in the file: magnitudes used")
    return CyclerData(str(path), "neware-ndax", time,
                      volt, cur, cycle, step, np.abs(np.where(cur >= 0, qc, qd)), notes=tuple(notes))


def _accumulate_step_time(t: np.ndarray, step: np.ndarray) -> np.ndarray:
    out = np.empty_like(t)
    offset = 0.0
    dt = float(np.median(np.diff(t)[np.diff(t) > 0])) if t.size > 2 and np.any(np.diff(t) > 0) else 1.0
    for k in range(t.size):
        if k and step[k] != step[k - 1]:
            offset = out[k - 1] + dt - t[k]
        out[k] = t[k] + offset
    return out
