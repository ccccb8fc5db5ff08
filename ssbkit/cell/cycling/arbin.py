"""Arbin exports: CSV/text, the statistics sheet of an XLSX export, and ``.res`` databases.

Arbin counts ``Charge_Capacity`` and ``Discharge_Capacity`` cumulatively within
a cycle. A ``.res`` file is a Microsoft Access database; it is read with the
pure-Python ``access-parser`` package (the ``cycling`` extra), so neither
mdbtools nor an ODBC driver is needed. Its ``Channel_Statistic_Table`` marks
the data point that closes each cycle: the capacities there are the
instrument's own per-cycle summary.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...errors import FileFormatError, InputError
from ._text import Table, header_index, norm, split
from .data import CyclerData, InstrumentCycles
from .generic import steps_from_current

__all__ = ["sniff_text", "sniff_res", "read_text", "read_res", "read_arbin_table", "statistics_table"]

_ACCESS_MAGIC = (b"Standard Jet DB", b"Standard ACE DB")


def sniff_text(path: Path, head: str) -> bool:
    """True for Arbin text exports (``Cycle_Index``, ``Step_Index``, ``Test_Time`` and ``Charge_Capacity``).

    Data-repository tables that borrow Arbin's names but not its layout
    (Battery Archive ``Cycle_Index`` without ``Step_Index``) go to the generic reader.

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
        if {"cycleindex", "stepindex"} <= names and names & {"chargecapacityah", "chargecapacity"} \
                and names & {"testtimes", "testtime"}:
            return True
    return False


def sniff_res(path: Path, head: str) -> bool:
    """True for ``.res`` files and other Access databases.

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
    return path.suffix.lower() == ".res" or any(m.decode() in head[:64] for m in _ACCESS_MAGIC)


def read_arbin_table(path: Path, t: Table, notes: list[str], fmt: str = "arbin",
                     instrument: InstrumentCycles | None = None) -> CyclerData:
    """CyclerData from an Arbin channel table (CSV or an XLSX channel sheet).

    Parameters
    ----------
    path
        The file.
    t
        The channel table.
    notes
        Notes list.
    fmt
        Format name recorded on the result.
    instrument
        The statistics sheet's summary, where there is one.

    Returns
    -------
    CyclerData
        The points.
    """
    time = t.numbers(t.find("Test_Time(s)", "Test Time (s)", "Test_Time"))
    volt = t.numbers(t.find("Voltage(V)", "Voltage"))
    cur = t.numbers(t.find("Current(A)", "Current"))
    cycle = _index(t, ("Cycle_Index", "Cycle Index"), notes, np.ones(time.size, np.int64))
    step = _index(t, ("Step_Index", "Step Index"), notes, steps_from_current(cur))
    qc = t.numbers(t.find("Charge_Capacity(Ah)", "Charge_Capacity"))
    qd = t.numbers(t.find("Discharge_Capacity(Ah)", "Discharge_Capacity"))
    return CyclerData(str(path), fmt, time, volt, cur, cycle, step, np.where(cur >= 0, qc, qd),
                      instrument=instrument, notes=tuple(notes))


def _index(t: Table, names: tuple[str, ...], notes: list[str], instead: np.ndarray) -> np.ndarray:
    """An index column; ``instead`` (with a note) where the export left the column empty throughout."""
    col = t.find(*names)
    if any(t.strings(col)):
        return t.integers(col)
    notes.append(f"column {t.header[col]} is empty throughout: "
                 + ("one cycle assumed" if "cycle" in names[0].lower() else "steps counted from changes of "
                    "the current's direction"))
    return instead


def statistics_table(t: Table, source: str) -> InstrumentCycles:
    """The per-cycle summary of an Arbin statistics sheet.

    Parameters
    ----------
    t
        The statistics table (``Cycle_Index``, ``Charge_Capacity(Ah)``, ``Discharge_Capacity(Ah)``).
    source
        Description for the record.

    Returns
    -------
    InstrumentCycles
        Capacities in mAh.
    """
    return InstrumentCycles(t.integers(t.find("Cycle_Index", "Cycle Index")),
                            t.numbers(t.find("Charge_Capacity(Ah)", "Charge_Capacity")) * 1e3,
                            t.numbers(t.find("Discharge_Capacity(Ah)", "Discharge_Capacity")) * 1e3,
                            source)


def read_text(path: Path, lines: list[str], notes: list[str]) -> CyclerData:
    """Arbin CSV or tab-separated export.

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
    idx = header_index(path, lines, (("Cycle_Index",), ("Voltage(V)", "Voltage")))
    return read_arbin_table(path, Table.from_lines(path, lines, idx, notes), notes)


def _column(path: Path, table: dict, name: str, n: int) -> np.ndarray:
    if name not in table:
        raise FileFormatError(f"{path}: Channel_Normal_Table has no column {name!r}")
    v = table[name]
    if len(v) != n:
        raise FileFormatError(f"{path}: Channel_Normal_Table column {name} has {len(v)} of {n} values")
    try:
        return np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise FileFormatError(f"{path}: Channel_Normal_Table column {name} holds non-numbers") from None


def read_res(path: Path, lines: list[str] | None, notes: list[str]) -> CyclerData:
    """Arbin ``.res`` (Access database) through access-parser.

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
        The points of ``Channel_Normal_Table`` (sorted by data point) and the
        capacities at the cycle ends listed in ``Channel_Statistic_Table``.
    """
    try:
        from access_parser import AccessParser
    except ImportError:
        raise InputError(f"{path}: reading Arbin .res needs access-parser (pip install 'ssbkit[cycling]'); "
                         "or export the test as CSV/XLSX from Arbin's Data Watcher") from None
    try:
        db = AccessParser(str(path))
        normal = db.parse_table("Channel_Normal_Table")
        stats = db.parse_table("Channel_Statistic_Table") if "Channel_Statistic_Table" in db.catalog else {}
    except Exception as exc:  # access-parser raises construct errors, KeyError, IndexError, ...
        raise FileFormatError(f"{path}: not a readable Arbin .res database "
                              f"({type(exc).__name__}: {str(exc)[:200]})") from None
    if not normal or "Data_Point" not in normal or not len(normal["Data_Point"]):
        raise FileFormatError(f"{path}: Channel_Normal_Table is empty or missing")
    n = len(normal["Data_Point"])
    cols = {k: _column(path, normal, k, n) for k in
            ("Data_Point", "Test_Time", "Voltage", "Current", "Cycle_Index", "Step_Index",
             "Charge_Capacity", "Discharge_Capacity")}
    order = np.argsort(cols["Data_Point"], kind="stable")
    if np.any(order != np.arange(n)):
        notes.append("Channel_Normal_Table rows sorted by Data_Point")
    c = {k: v[order] for k, v in cols.items()}
    cur = c["Current"]
    inst = _res_statistics(c, stats)
    return CyclerData(str(path), "arbin-res", c["Test_Time"], c["Voltage"], cur,
                      c["Cycle_Index"].astype(np.int64), c["Step_Index"].astype(np.int64),
                      np.where(cur >= 0, c["Charge_Capacity"], c["Discharge_Capacity"]),
                      instrument=inst, notes=tuple(notes))


def _res_statistics(c: dict[str, np.ndarray], stats: dict) -> InstrumentCycles | None:
    points = stats.get("Data_Point") if stats else None
    if not points:
        return None
    where = {int(p): k for k, p in enumerate(c["Data_Point"])}
    idx = [where[int(p)] for p in points if p is not None and int(p) in where]
    if not idx:
        return None
    idx_arr = np.array(sorted(set(idx)))
    return InstrumentCycles(c["Cycle_Index"][idx_arr].astype(np.int64), c["Charge_Capacity"][idx_arr] * 1e3,
                            c["Discharge_Capacity"][idx_arr] * 1e3, "Arbin Channel_Statistic_Table")
