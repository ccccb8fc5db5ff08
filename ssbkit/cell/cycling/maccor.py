"""Maccor text exports in their header and time variants.

Headers seen in the field: ``Cycle P / Cycle C / Step / TestTime / Cap. [Ah] /
Current [A] / Voltage [V] / Md`` (newer MacTest export) and ``Rec# / Cyc# /
Step / Test (Sec) | TestTime / Amp-hr / Amps / Volts / State`` (raw text).
Test time comes as seconds (``Test (Sec)``), minutes (``Test (Min)``), as a number whose unit the export
does not state (checked against the ``DPt Time`` clock), or as a duration
``0d 00:00:05.05``. Current is unsigned: the mode letter (C charge, D
discharge, R rest) gives the direction. ``Amp-hr`` counts each step.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import numpy as np

from ._text import Table, header_index, norm, parse_duration_s, split
from .data import CyclerData

__all__ = ["sniff", "read"]

_CYCLE = ("Cycle C", "Cyc#", "Cycle P", "Cycle")
_VOLT = ("Voltage [V]", "Volts", "Voltage", "Voltage(V)")
_CUR = ("Current [A]", "Amps", "Current", "Current(A)")
_CAP = ("Cap. [Ah]", "Amp-hr", "Capacity", "Cap(Ah)")
_TIME = ("Test (Sec)", "TestTime", "Test Time", "Test Time (sec)", "Test_Time(s)", "Test (Min)", "Test (Hr)")
_DPT_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M:%S")


def sniff(path: Path, head: str) -> bool:
    """True for Maccor exports (``Cycle C``/``Cyc#`` column, or mode and ``Cap. [Ah]``).

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
        names = {norm(c) for c in line.split("\t")} | {norm(c) for c in split(line, ",")}
        if "cyclec" in names or "cyc" in names or {"md", "capah"} <= names \
                or {"state", "amphr"} <= names or {"state", "mamphr"} <= names:
            return True
    return False


def _clock(text: str) -> datetime | None:
    for fmt in _DPT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _time_factor(t: Table, test_time: np.ndarray, notes: list[str]) -> float:
    """Seconds per unit of a bare ``TestTime`` number, from the ``DPt Time`` clock."""
    d = t.find_opt("DPT Time", "DPt Time")
    if d is None or test_time[-1] <= test_time[0]:
        return 1.0
    a, b = _clock(t.rows[0][d]), _clock(t.rows[-1][d])
    if a is None or b is None:
        return 1.0
    ratio = (b - a).total_seconds() / (test_time[-1] - test_time[0])
    factor = min((1.0, 60.0, 3600.0), key=lambda f: abs(math.log(max(ratio, 1e-9) / f)))
    if factor != 1.0:
        notes.append(f"TestTime is in {'minutes' if factor == 60 else 'hours'} "
                     "(checked against the DPt Time clock)")
    return factor


def _test_time_s(t: Table, notes: list[str]) -> np.ndarray:
    col = t.find(*_TIME)
    texts = t.strings(col)
    if any(("d" in s or ":" in s) for s in texts[:5]):
        return t.numbers(col, convert=parse_duration_s)
    tt = t.numbers(col)
    name = norm(t.header[col])
    if name.endswith(("min", "hr")):  # "Test (Min)", "Test (Hr)": the header states the unit
        return tt * (60.0 if name.endswith("min") else 3600.0)
    if "sec" in name or name.endswith("s"):
        return tt
    return tt * _time_factor(t, tt, notes)


def read(path: Path, lines: list[str], notes: list[str]) -> CyclerData:
    """A Maccor text export.

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
        The points, current signed from the mode letter.
    """
    idx = header_index(path, lines, (_CYCLE, _VOLT))
    t = Table.from_lines(path, lines, idx, notes)
    time = _test_time_s(t, notes)
    volt = t.numbers(t.find(*_VOLT))
    milli = t.find_opt(*_CUR) is None and t.find_opt("mAmps") is not None  # "mAmps", "mAmp-hr" exports
    cur = np.abs(t.numbers(t.find("mAmps") if milli else t.find(*_CUR))) * (1e-3 if milli else 1.0)
    modes = [m.upper()[:1] for m in t.strings(t.find("Md", "State", "Mode"))]
    sign = np.array([1.0 if m == "C" else -1.0 if m == "D" else 0.0 for m in modes])
    other = {m for m in modes if m not in ("C", "D", "R")}
    if other and np.any(cur[[m in other for m in modes]] > 0):
        notes.append(f"current during mode(s) {', '.join(sorted(other))} counted as rest")
    cycle = t.integers(t.find(*_CYCLE))
    step = t.integers(t.find("Step"))
    cap = np.abs(t.numbers(t.find("mAmp-hr") if milli else t.find(*_CAP))) * (1e-3 if milli else 1.0)
    if milli:
        notes.append("current and capacity in mA and mAh (mAmps, mAmp-hr columns)")
    return CyclerData(str(path), "maccor", time, volt, sign * cur, cycle, step, cap, notes=tuple(notes))
