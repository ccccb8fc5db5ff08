"""Readers for cycler exports: BioLogic .mpt, Neware, Arbin, Maccor and generic CSV.

Every reader returns a :class:`CyclerData` with SI time, signed current
(charge > 0, discharge < 0), cycle and step indices, and the instrument's
capacity counter where the file has one (``NaN`` where it has not: the
analysis then integrates the current). Bad files raise
:class:`~ssbkit.errors.FileFormatError` naming the file, the line and what is
wrong (a truncated last line, NaN or infinite values, missing columns).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import FileFormatError, InputError, did_you_mean

__all__ = ["CyclerData", "read_cycler_file", "FORMATS"]

FORMATS = ("auto", "biologic", "neware", "arbin", "maccor", "csv")


@dataclass(frozen=True)
class CyclerData:
    """Time series of one cycling test.

    Attributes
    ----------
    time_s, voltage_V, current_A
        Per point; current is signed, charge > 0.
    cycle, step
        Integer cycle and step (or half-cycle) indices from the file.
    capacity_counter_Ah
        The instrument's capacity counter of the running step (absolute
        value), ``NaN`` where the file has none.
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

    def __len__(self) -> int:
        return int(self.time_s.size)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in ("\t", ";", ",")}
    return max(counts, key=counts.get)


def _hms_to_s(text: str) -> float:
    parts = text.strip().split(":")
    if len(parts) == 1:
        return float(parts[0])
    h, m, s = (float(p) for p in parts[-3:]) if len(parts) >= 3 else (0.0, *map(float, parts))
    return 3600.0 * h + 60.0 * m + s


class _Table:
    """Header + rows of a delimited text file with line numbers for messages."""

    def __init__(self, path: Path, lines: list[str], header_idx: int, delimiter: str | None = None):
        self.path = path
        self.delim = delimiter or _sniff_delimiter(lines[header_idx])
        self.header = [h.strip() for h in next(csv.reader([lines[header_idx]], delimiter=self.delim))]
        while self.header and not self.header[-1]:
            self.header.pop()
        self.cols = {_norm(h): i for i, h in enumerate(self.header)}
        self.rows: list[list[str]] = []
        self.lineno: list[int] = []
        ncol = len(self.header)
        for k, line in enumerate(lines[header_idx + 1:], start=header_idx + 2):
            if not line.strip():
                continue
            fields = next(csv.reader([line], delimiter=self.delim))
            while len(fields) > ncol and not fields[-1].strip():
                fields.pop()
            if len(fields) < ncol:
                where = "last line" if k == len(lines) else "line"
                raise FileFormatError(
                    f"{path}: {where} {k} has {len(fields)} of {ncol} fields (file truncated or damaged)")
            self.rows.append(fields)
            self.lineno.append(k)
        if not self.rows:
            raise FileFormatError(f"{path}: no data rows below the header on line {header_idx + 1}")
        self.decimal_comma = self.delim != "," and any(
            "," in f and "." not in f for f in self.rows[0][:8])

    def find(self, *names: str, required: bool = True) -> int | None:
        for n in names:
            if _norm(n) in self.cols:
                return self.cols[_norm(n)]
        if required:
            raise FileFormatError(
                f"{self.path}: no column {names[0]!r} (columns: {', '.join(self.header[:15])})"
                + did_you_mean(names[0], self.header))
        return None

    def numbers(self, idx: int, what: str, *, convert=float) -> np.ndarray:
        out = np.empty(len(self.rows))
        for j, (row, k) in enumerate(zip(self.rows, self.lineno, strict=True)):
            text = row[idx].strip()
            if self.decimal_comma:
                text = text.replace(",", ".")
            try:
                v = convert(text)
            except ValueError:
                raise FileFormatError(f"{self.path}: line {k}: {what} {text!r} is not a number") from None
            if not math.isfinite(v):
                raise FileFormatError(f"{self.path}: line {k}: {what} is {text!r} (NaN or infinite)")
            out[j] = v
        return out

    def strings(self, idx: int) -> list[str]:
        return [r[idx].strip() for r in self.rows]


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"cycling file {str(path)!r} does not exist")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(f"{path}: file is empty")
    return raw.decode("utf-8", errors="replace").splitlines()


def _header_index(path: Path, lines: list[str], must: tuple[tuple[str, ...], ...], limit: int = 200) -> int:
    for i, line in enumerate(lines[:limit]):
        names = {_norm(c) for c in re.split(r"[\t;,]", line)}
        if all(any(_norm(m) in names for m in group) for group in must):
            return i
    raise FileFormatError(f"{path}: no header line with {' / '.join(g[0] for g in must)} columns "
                          f"in the first {limit} lines")


def _segments_from_sign(current: np.ndarray) -> np.ndarray:
    sign = np.sign(np.where(np.abs(current) > 1e-3 * max(np.max(np.abs(current)), 1e-30), current, 0.0))
    return np.concatenate([[0], np.cumsum(sign[1:] != sign[:-1])])


def _read_biologic(path: Path, lines: list[str]) -> CyclerData:
    n_head = None
    meta: dict[str, Any] = {}
    for line in lines[:5]:
        m = re.match(r"\s*Nb header lines\s*:\s*(\d+)", line)
        if m:
            n_head = int(m.group(1))
    for line in lines[: n_head or 100]:
        m = re.match(r"\s*(Characteristic mass|Mass of active material)\s*:\s*([\d.,eE+-]+)\s*(\w+)", line)
        if m:
            val = float(m.group(2).replace(",", "."))
            meta["mass_mg"] = val * {"mg": 1.0, "g": 1e3, "ug": 1e-3}.get(m.group(3), 1.0)
    idx = (n_head - 1) if n_head else _header_index(path, lines, (("time/s",), ("Ewe/V", "Ecell/V")))
    t = _Table(path, lines, idx, "\t")
    if t.find("freq/Hz", required=False) is not None:
        raise FileFormatError(f"{path}: an impedance (freq/Hz) file, not cycling data; use 'ssbkit eis'")
    time = t.numbers(t.find("time/s"), "time/s")
    volt = t.numbers(t.find("Ewe/V", "Ecell/V"), "Ewe/V")
    icol = t.find("<I>/mA", "I/mA", "control/V/mA")
    cur = t.numbers(icol, t.header[icol]) * 1e-3
    cyc_i = t.find("cycle number", required=False)
    cycle = t.numbers(cyc_i, "cycle number").astype(int) if cyc_i is not None else np.zeros(len(time), int)
    st_i = t.find("half cycle", "Ns", required=False)
    step = t.numbers(st_i, t.header[st_i]).astype(int) if st_i is not None else _segments_from_sign(cur)
    q_i = t.find("Q charge/discharge/mA.h", "(Q-Qo)/mA.h", required=False)
    cap = np.abs(t.numbers(q_i, t.header[q_i])) * 1e-3 if q_i is not None else np.full(len(time), np.nan)
    return CyclerData(str(path), "biologic", time, volt, cur, cycle, step, cap, meta)


def _read_biologic_mpr(path: Path) -> CyclerData:
    """Binary EC-Lab .mpr through galvani (the ``mpr`` extra)."""
    try:
        from galvani.BioLogic import MPRfile
    except ImportError:
        raise InputError(f"{path}: reading .mpr needs galvani (pip install 'ssbkit[mpr]'); "
                         "or export the file as .mpt text from EC-Lab") from None
    try:
        d = MPRfile(str(path)).data
    except Exception as exc:  # galvani raises ValueError, struct.error, NotImplementedError ...
        raise FileFormatError(f"{path}: not a readable BioLogic .mpr file ({type(exc).__name__}: {exc})") from None
    names = set(d.dtype.names or ())
    if "freq/Hz" in names:
        raise FileFormatError(f"{path}: an impedance (freq/Hz) file, not cycling data; use 'ssbkit eis'")

    def col(*cands: str, required: bool = True):
        for c in cands:
            if c in names:
                v = np.asarray(d[c], dtype=float)
                bad = np.flatnonzero(~np.isfinite(v))
                if bad.size:
                    raise FileFormatError(f"{path}: record {bad[0] + 1}: {c} is NaN or infinite")
                return v
        if required:
            raise FileFormatError(f"{path}: no column {cands[0]!r} (columns: {', '.join(sorted(names))})")
        return None

    time = col("time/s")
    volt = col("Ewe/V", "Ecell/V")
    cur = col("I/mA", "<I>/mA", "control/V/mA") * 1e-3
    cyc = col("cycle number", required=False)
    half = col("half cycle", "Ns", required=False)
    q = col("Q charge/discharge/mA.h", "(Q-Qo)/mA.h", required=False)
    return CyclerData(str(path), "biologic", time, volt, cur,
                      np.zeros(time.size, int) if cyc is None else cyc.astype(int),
                      _segments_from_sign(cur) if half is None else half.astype(int),
                      np.full(time.size, np.nan) if q is None else np.abs(q) * 1e-3)


def _read_neware(path: Path, lines: list[str]) -> CyclerData:
    t = _Table(path, lines, _header_index(path, lines, (("Cycle Index", "Cycle ID"), ("Voltage(V)",))))
    cur = t.numbers(t.find("Current(A)", "Current(mA)"), "Current")
    if t.find("Current(A)", required=False) is None:
        cur = cur * 1e-3
    tcol = t.find("Cumulative Time", "Total Time", "Time")
    time = t.numbers(tcol, t.header[tcol], convert=_hms_to_s)
    volt = t.numbers(t.find("Voltage(V)"), "Voltage(V)")
    cycle = t.numbers(t.find("Cycle Index", "Cycle ID"), "Cycle Index").astype(int)
    step = t.numbers(t.find("Step Index", "Step ID"), "Step Index").astype(int)
    chg, dchg = t.find("Chg. Cap.(Ah)", required=False), t.find("DChg. Cap.(Ah)", required=False)
    if chg is not None and dchg is not None:
        cap = np.where(cur >= 0, t.numbers(chg, "Chg. Cap.(Ah)"), t.numbers(dchg, "DChg. Cap.(Ah)"))
    else:
        c = t.find("Capacity(Ah)", required=False)
        cap = np.abs(t.numbers(c, "Capacity(Ah)")) if c is not None else np.full(len(time), np.nan)
    return CyclerData(str(path), "neware", time, volt, cur, cycle, step, cap)


def _read_arbin(path: Path, lines: list[str]) -> CyclerData:
    t = _Table(path, lines, _header_index(path, lines, (("Cycle_Index",), ("Voltage(V)",))))
    time = t.numbers(t.find("Test_Time(s)", "Test Time (s)"), "Test_Time(s)")
    volt = t.numbers(t.find("Voltage(V)"), "Voltage(V)")
    cur = t.numbers(t.find("Current(A)"), "Current(A)")
    cycle = t.numbers(t.find("Cycle_Index"), "Cycle_Index").astype(int)
    step = t.numbers(t.find("Step_Index"), "Step_Index").astype(int)
    qc = t.numbers(t.find("Charge_Capacity(Ah)"), "Charge_Capacity(Ah)")
    qd = t.numbers(t.find("Discharge_Capacity(Ah)"), "Discharge_Capacity(Ah)")
    return CyclerData(str(path), "arbin", time, volt, cur, cycle, step, np.where(cur >= 0, qc, qd))


def _maccor_time_factor(t: _Table, test_time: np.ndarray) -> float:
    """Seconds per TestTime unit (Maccor exports minutes, hours or seconds), from DPT Time."""
    d = t.find("DPT Time", required=False)
    if d is None or test_time[-1] <= test_time[0]:
        return 1.0
    fmt = "%m/%d/%Y %I:%M:%S %p"
    try:
        span = (datetime.strptime(t.rows[-1][d].strip(), fmt)
                - datetime.strptime(t.rows[0][d].strip(), fmt)).total_seconds()
    except ValueError:
        return 1.0
    ratio = span / (test_time[-1] - test_time[0])
    return min((1.0, 60.0, 3600.0), key=lambda f: abs(math.log(max(ratio, 1e-9) / f)))


def _read_maccor(path: Path, lines: list[str]) -> CyclerData:
    idx = _header_index(path, lines, (("Cycle C", "Cyc#", "Cycle P"), ("Voltage [V]", "Volts", "Voltage")))
    t = _Table(path, lines, idx)
    tt = t.numbers(t.find("TestTime", "Test Time", "Test Time (sec)"), "TestTime")
    time = tt * _maccor_time_factor(t, tt)
    volt = t.numbers(t.find("Voltage [V]", "Volts", "Voltage"), "Voltage")
    cur = np.abs(t.numbers(t.find("Current [A]", "Amps", "Current"), "Current"))
    md = t.strings(t.find("Md", "State"))
    sign = np.array([1.0 if m.upper().startswith("C") else -1.0 if m.upper().startswith("D") else 0.0
                     for m in md])
    cycle = t.numbers(t.find("Cycle C", "Cyc#", "Cycle P"), "Cycle").astype(int)
    step = t.numbers(t.find("Step"), "Step").astype(int)
    cap = np.abs(t.numbers(t.find("Cap. [Ah]", "Amp-hr", "Capacity"), "Cap. [Ah]"))
    return CyclerData(str(path), "maccor", time, volt, sign * cur, cycle, step, cap)


def _read_csv(path: Path, lines: list[str]) -> CyclerData:
    idx = _header_index(path, lines, (("voltage", "voltage_V", "voltage(V)", "Ewe/V", "potential"),
                                      ("current", "current_A", "current(A)", "current_mA", "I/mA")))
    t = _Table(path, lines, idx)
    names = [_norm(h) for h in t.header]
    tcol = t.find("time_s", "test_time", "time/s", "time(s)", "test_time(s)", "time")
    time = t.numbers(tcol, t.header[tcol])
    vcol = t.find("voltage_V", "voltage(V)", "voltage", "Ewe/V", "potential")
    volt = t.numbers(vcol, t.header[vcol])
    icol = t.find("current_A", "current(A)", "current", "current_mA", "I/mA")
    cur = t.numbers(icol, t.header[icol]) * (1e-3 if "ma" in names[icol] else 1.0)
    ccol = t.find("cycle", "cycle_index", "cycle number", required=False)
    cycle = t.numbers(ccol, "cycle").astype(int) if ccol is not None else np.ones(len(time), int)
    scol = t.find("step", "step_index", required=False)
    step = t.numbers(scol, "step").astype(int) if scol is not None else _segments_from_sign(cur)
    qc = t.find("charge_capacity", "charge_capacity(Ah)", "charge_capacity_Ah", "charge_capacity_mAh",
                required=False)
    qd = t.find("discharge_capacity", "discharge_capacity(Ah)", "discharge_capacity_Ah",
                "discharge_capacity_mAh", required=False)
    if qc is not None and qd is not None:
        f = 1e-3 if "mah" in names[qc] else 1.0
        cap = np.where(cur >= 0, t.numbers(qc, t.header[qc]), t.numbers(qd, t.header[qd])) * f
    else:
        cap = np.full(len(time), np.nan)
    return CyclerData(str(path), "csv", time, volt, cur, cycle, step, np.abs(cap))


_READERS = {"biologic": _read_biologic, "neware": _read_neware, "arbin": _read_arbin,
            "maccor": _read_maccor, "csv": _read_csv}


def _detect(path: Path, lines: list[str]) -> str:
    head = "\n".join(lines[:100])
    if path.suffix.lower() == ".mpt" or re.search(r"(EC|BT)-Lab ASCII FILE", head):
        return "biologic"
    for line in lines[:100]:
        names = {_norm(c) for c in re.split(r"[\t;,]", line)}
        if "dchgcapah" in names or {"cycleindex", "steptype"} <= names:
            return "neware"
        if {"cycleindex", "chargecapacityah", "testtimes"} <= names:
            return "arbin"
        if "cyclec" in names or "cyc" in names or {"md", "capah"} <= names:
            return "maccor"
    return "csv"


def read_cycler_file(path: str | Path, *, format: str = "auto") -> CyclerData:
    """Read a cycler export into a :class:`CyclerData`.

    Parameters
    ----------
    path
        BioLogic ``.mpt`` (GCPL; binary ``.mpr`` through galvani), Neware /
        Arbin / Maccor text or CSV export,
        or a generic delimited file with time, voltage and current columns
        (optionally cycle, step, charge and discharge capacity).
    format
        One of ``auto, biologic, neware, arbin, maccor, csv``.
    """
    if format not in FORMATS:
        raise InputError(f"unknown cycler format {format!r}{did_you_mean(format, FORMATS)}")
    p = Path(path)
    if p.suffix.lower() == ".mpr" and format in ("auto", "biologic"):
        if not p.is_file():
            raise InputError(f"cycling file {str(p)!r} does not exist")
        data = _read_biologic_mpr(p)
    else:
        lines = _lines(p)
        fmt = _detect(p, lines) if format == "auto" else format
        data = _READERS[fmt](p, lines)
    if np.any(np.diff(data.time_s) < 0):
        k = int(np.argmax(np.diff(data.time_s) < 0))
        raise FileFormatError(f"{p}: time goes backwards after data row {k + 1}")
    return data
