"""Generic delimited files: time, voltage and current columns, found by name or by a column map.

Without a map, columns are found under common names (``time_s``, ``voltage``,
``current_mA`` ...). With ``columns={"time_s": "Zeit", "voltage_V": "U",
"current_mA": "I"}`` the user names them; the key carries the unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ...errors import FileFormatError, InputError, did_you_mean
from ._text import Table, header_index, parse_duration_s
from .data import CyclerData

__all__ = ["COLUMN_KEYS", "sniff", "read", "read_mapped", "steps_from_current"]

#: Column-map keys and the factor to SI (s, V, A, Ah).
COLUMN_KEYS: dict[str, float] = {
    "time_s": 1.0, "time_min": 60.0, "time_h": 3600.0,
    "voltage_V": 1.0, "voltage_mV": 1e-3,
    "current_A": 1.0, "current_mA": 1e-3, "current_uA": 1e-6,
    "cycle": 1.0, "step": 1.0,
    "charge_capacity_Ah": 1.0, "charge_capacity_mAh": 1e-3,
    "discharge_capacity_Ah": 1.0, "discharge_capacity_mAh": 1e-3,
}
_DEFAULT_NAMES = {
    "time": ("time_s", "test_time", "time/s", "time(s)", "test_time(s)", "time", "run time (h)",
             "test time (h)", "time (h)", "time/h", "time_h", "test time (min)", "time (min)", "time/min",
             "time_min", "run time (s)", "total time (s)", "total time (seconds)",
             "total time (hours in hh:mm:ss.xxx)"),
    "voltage": ("voltage_V", "voltage(V)", "voltage", "Ewe/V", "potential", "potential_V", "volts",
                "voltage(mV)", "voltage_mV", "Ewe/mV"),
    "current": ("current_A", "current(A)", "current", "current_mA", "current(mA)", "I/mA", "<I>/mA",
                "amps", "current(uA)", "current(\u00b5A)", "current_uA", "I/uA", "I/\u00b5A"),
}
#: Unit written at the end of a header: ``Time (h)``, ``I/mA``, ``Voltage_mV``, ``Current [uA]``.
_UNIT = re.compile(r"[\s(\[/_]\s*(s|sec|seconds|min|minutes|h|hr|hrs|hours|v|mv|a|ma|ua|\u00b5a)\s*[)\]]?\s*$", re.IGNORECASE)
_UNIT_KEY = {"s": "s", "sec": "s", "seconds": "s", "min": "min", "minutes": "min", "h": "h", "hr": "h",
             "hrs": "h", "hours": "h", "v": "V", "mv": "mV",
             "a": "A", "ma": "mA", "ua": "uA", "\u00b5a": "uA"}


def sniff(path: Path, head: str) -> bool:
    """The fallback: every text file is tried as a generic table last.

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
    return True


def _checked_map(path: Path, columns: Mapping[str, str]) -> dict[str, str]:
    for k in columns:
        if k not in COLUMN_KEYS:
            raise InputError(f"column map key {k!r} is not known{did_you_mean(k, COLUMN_KEYS)}")
    for what in ("time", "voltage", "current"):
        if sum(k.startswith(what) for k in columns) != 1:
            raise InputError(f"the column map needs exactly one {what}_* key (e.g. {what}_"
                             f"{'s' if what == 'time' else 'V' if what == 'voltage' else 'A'})")
    return dict(columns)


def read_mapped(path: Path, lines: list[str], notes: list[str], columns: Mapping[str, str]) -> CyclerData:
    """A delimited file with the columns the user named.

    Parameters
    ----------
    path
        The file.
    lines
        Its decoded lines.
    notes
        Notes list.
    columns
        Map from :data:`COLUMN_KEYS` to column names in the file.

    Returns
    -------
    CyclerData
        The points.
    """
    cmap = _checked_map(path, columns)
    tkey = next(k for k in cmap if k.startswith("time"))
    vkey = next(k for k in cmap if k.startswith("voltage"))
    ikey = next(k for k in cmap if k.startswith("current"))
    idx = header_index(path, lines, ((cmap[tkey],), (cmap[vkey],), (cmap[ikey],)))
    t = Table.from_lines(path, lines, idx, notes)
    _drop_impedance_rows(t, notes)

    def get(key: str, **kw) -> np.ndarray:
        return t.numbers(t.find(cmap[key]), **kw) * COLUMN_KEYS[key]

    time = get(tkey, convert=parse_duration_s)
    volt, cur = get(vkey), get(ikey)
    cycle = t.integers(t.find(cmap["cycle"])) if "cycle" in cmap else np.ones(time.size, np.int64)
    step = t.integers(t.find(cmap["step"])) if "step" in cmap else steps_from_current(cur)
    qc = next((k for k in cmap if k.startswith("charge_capacity")), None)
    qd = next((k for k in cmap if k.startswith("discharge_capacity")), None)
    if (qc is None) != (qd is None):
        raise InputError("the column map needs both charge_capacity_* and discharge_capacity_*, or neither")
    cap = np.where(cur >= 0, get(qc), get(qd)) if qc and qd else np.full(time.size, np.nan)
    return CyclerData(str(path), "csv", time, volt, cur, cycle, step, np.abs(cap), notes=tuple(notes))


def _drop_impedance_rows(t: Table, notes: list[str]) -> None:
    """Leave out rows that hold an impedance point (a frequency set), with a note naming their lines."""
    col = t.find_opt("Frequency_Hz", "Frequency (Hz)", "freq/Hz", "Frequency")
    if col is None:
        return
    keep = []
    for row in t.rows:
        text = row[col].strip().lower()
        try:
            keep.append(not (float(text) > 0))
        except ValueError:
            keep.append(True)
    if all(keep):
        return
    if sum(keep) < len(keep) - sum(keep):  # EC-Lab PEIS loops add one f = 0 row per sweep
        raise FileFormatError(f"{t.path}: {len(keep) - sum(keep)} of {len(keep)} rows hold an impedance "
                              f"point ({t.header[col]} set): an impedance file, read it with 'ssbkit eis read'")
    gone = [k for k, ok in zip(t.lineno, keep, strict=True) if not ok]
    notes.append(f"{len(gone)} impedance row(s) ({t.header[col]} set; lines {gone[0]}-{gone[-1]}) left out "
                 "of the cycling data")
    t.rows = [r for r, ok in zip(t.rows, keep, strict=True) if ok]
    t.lineno = [k for k, ok in zip(t.lineno, keep, strict=True) if ok]


def steps_from_current(cur: np.ndarray) -> np.ndarray:
    """Step numbers (0, 1, ...) for a file without them: a new step at each change of direction or rest.

    Parameters
    ----------
    cur
        Signed current (A); below 1e-3 of the largest counts as rest.

    Returns
    -------
    numpy.ndarray
        int64 step per point.

    Examples
    --------
    >>> steps_from_current(np.array([0.0, 1.0, 1.0, -1.0, 0.0])).tolist()
    [0, 1, 1, 2, 3]
    """
    imax = max(float(np.max(np.abs(cur))) if cur.size else 0.0, 1e-300)
    sign = np.sign(np.where(np.abs(cur) > 1e-3 * imax, cur, 0.0))
    return np.concatenate([[0], np.cumsum(sign[1:] != sign[:-1])]).astype(np.int64)


def _unit_of(name: str, what: str) -> str:
    """Unit key written at the end of a column header, the quantity's SI unit when none is.

    Examples
    --------
    >>> _unit_of("Run Time (h)", "time"), _unit_of("I/mA", "current"), _unit_of("Volts", "voltage")
    ('h', 'mA', 'V')
    """
    m = _UNIT.search(name.strip())
    if m is None:
        return {"time": "s", "voltage": "V", "current": "A"}[what]
    return _UNIT_KEY.get(m.group(1).lower(), m.group(1))


def read(path: Path, lines: list[str], notes: list[str]) -> CyclerData:
    """A delimited file whose columns carry common names.

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
    idx = header_index(path, lines, (_DEFAULT_NAMES["voltage"], _DEFAULT_NAMES["current"]))
    t = Table.from_lines(path, lines, idx, [])  # a first look at the columns; read_mapped notes repairs
    found = {}
    for what, names in _DEFAULT_NAMES.items():
        col = t.find(*names)
        found[what] = t.header[col]
    cmap: dict[str, str] = {}
    for what, name in found.items():
        unit = _unit_of(name, what)
        if f"{what}_{unit}" not in COLUMN_KEYS:
            raise FileFormatError(f"{path}: line {idx + 1}: column {name!r} is in {unit}, not a {what} unit")
        cmap[f"{what}_{unit}"] = name
    opt: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("cycle", ("cycle", "cycle_index", "cycle number")),
        ("step", ("step", "step_index", "step number", "step_number")))
    for key, alts in opt:
        c = t.find_opt(*alts)
        if c is not None:
            cmap[key] = t.header[c]
    for key, base in (("charge_capacity", "charge_capacity"), ("discharge_capacity", "discharge_capacity")):
        for unit in ("Ah", "mAh"):
            c = t.find_opt(f"{base}_{unit}", f"{base}({unit})", *((base,) if unit == "Ah" else ()))
            if c is not None:
                cmap[f"{key}_{unit}"] = t.header[c]
                break
    if sum(k.startswith("charge_capacity") for k in cmap) != sum(k.startswith("discharge_cap") for k in cmap):
        cmap = {k: v for k, v in cmap.items() if "capacity" not in k}
        notes.append("only one of charge and discharge capacity columns found: capacity from the current")
    if not cmap:
        raise FileFormatError(f"{path}: no time, voltage and current columns")
    return read_mapped(path, lines, notes, cmap)
