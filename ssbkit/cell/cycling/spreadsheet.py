"""XLSX exports of Neware and Arbin (and generic tables), read with openpyxl.

Neware writes ``cycle``/``step``/``record`` sheets (older BTS: ``Cycle``,
``Statis``, ``Detail_*``); Arbin writes ``Channel_*`` data sheets and a
``Statistics_*`` sheet with the instrument's per-cycle capacities. The data
sheet is found by its header, the summary sheet by its name and header.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np

from ...errors import FileFormatError, InputError
from ._text import Table, norm
from .arbin import read_arbin_table, statistics_table
from .data import CyclerData, InstrumentCycles
from .neware import read_flat_table

__all__ = ["sniff", "read", "MAX_CELLS"]

#: Refuse sheets larger than this many cells (a damaged or absurd file), before reading them.
MAX_CELLS = 50_000_000


def sniff(path: Path, head: str) -> bool:
    """True for ``.xlsx``/``.xlsm`` files.

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
    return path.suffix.lower() in (".xlsx", ".xlsm")


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, _dt.timedelta):
        return repr(v.total_seconds())
    if isinstance(v, _dt.time):
        return f"{v.hour:02d}:{v.minute:02d}:{v.second + v.microsecond / 1e6:09.6f}"
    if isinstance(v, _dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _sheets(path: Path) -> dict[str, list[list[str]]]:
    try:
        import openpyxl
    except ImportError:
        raise InputError(f"{path}: reading .xlsx needs openpyxl (pip install 'ssbkit[cycling]'); "
                         "or save the sheet as CSV") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors ...
        raise FileFormatError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {str(exc)[:200]})") from None
    out: dict[str, list[list[str]]] = {}
    try:
        for ws in wb.worksheets:
            dims = (ws.max_row or 0) * (ws.max_column or 0)
            if dims > MAX_CELLS:
                raise FileFormatError(f"{path}: sheet {ws.title!r} claims {dims} cells (more than {MAX_CELLS})")
            out[ws.title] = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError(f"{path}: damaged .xlsx sheet ({type(exc).__name__}: {str(exc)[:200]})") from None
    finally:
        wb.close()
    return out


def _header_row(rows: list[list[str]], *groups: tuple[str, ...], limit: int = 50) -> int | None:
    for i, row in enumerate(rows[:limit]):
        names = {norm(c) for c in row}
        if all(any(norm(g) in names for g in grp) for grp in groups):
            return i
    return None


def _table(path: Path, sheet: str, rows: list[list[str]], i: int, notes: list[str]) -> Table:
    numbered = [(k + 1, r) for k, r in enumerate(rows)][i:]
    t = Table(path, numbered, notes)
    t.path = Path(f"{path} [sheet {sheet}]")
    return t


def read(path: Path, lines: list[str] | None, notes: list[str]) -> CyclerData:
    """A Neware, Arbin or LANHE/Landt ``.xlsx`` export.

    Parameters
    ----------
    path
        The workbook.
    lines
        Unused (binary format).
    notes
        Notes list.

    Returns
    -------
    CyclerData
        The data sheet's points, with the summary sheet as the instrument summary.
    """
    sheets = _sheets(path)
    for name, rows in sheets.items():
        i = _header_row(rows, ("Cycle_Index",), ("Voltage(V)",), ("Charge_Capacity(Ah)",))
        if i is not None:
            inst = _arbin_statistics(path, sheets, notes)
            return read_arbin_table(path, _table(path, name, rows, i, notes), notes, "arbin-xlsx", inst)
    for name, rows in sheets.items():
        i = _header_row(rows, ("Record",), ("TestTime/Sec",), ("Voltage/V",), ("Current/mA",))
        if i is not None:
            return _landt(path, _table(path, name, rows, i, notes), sheets, notes)
    for name, rows in sheets.items():
        i = _header_row(rows, ("Cycle Index", "Cycle ID", "Cycle"), ("Voltage(V)",),
                        ("Step Index", "Step ID", "Step", "Steps"))
        if i is not None:
            inst = _neware_cycles(path, sheets, notes)
            return read_flat_table(path, _table(path, name, rows, i, notes), notes, "neware-xlsx", inst)
    raise FileFormatError(f"{path}: no sheet with Neware (Cycle Index, Step Index, Voltage(V)), LANHE (Record, "
                          "TestTime/Sec, Voltage/V, Current/mA) or Arbin "
                          f"(Cycle_Index, Voltage(V), Charge_Capacity(Ah)) columns; sheets: {', '.join(sheets)}")


def _arbin_statistics(path: Path, sheets: dict, notes: list[str]) -> InstrumentCycles | None:
    for name, rows in sheets.items():
        if not norm(name).startswith("stat"):
            continue
        i = _header_row(rows, ("Cycle_Index",), ("Charge_Capacity(Ah)",), ("Discharge_Capacity(Ah)",))
        if i is not None:
            return statistics_table(_table(path, name, rows, i, notes), f"Arbin sheet {name}")
    return None


def _neware_cycles(path: Path, sheets: dict, notes: list[str]) -> InstrumentCycles | None:
    for name, rows in sheets.items():
        i = _header_row(rows, ("Cycle Index", "Cycle ID", "Cycle"), ("Chg. Cap.(Ah)", "Chg. Cap.(mAh)", "Cap_Chg(mAh)"))
        if i is None or _header_row(rows, ("Voltage(V)",)) is not None:
            continue
        t = _table(path, name, rows, i, notes)
        scale = 1e3 if t.find_opt("Chg. Cap.(Ah)") is not None else 1.0
        return InstrumentCycles(t.integers(t.find("Cycle Index", "Cycle ID", "Cycle")),
                                t.numbers(t.find("Chg. Cap.(Ah)", "Chg. Cap.(mAh)", "Cap_Chg(mAh)")) * scale,
                                t.numbers(t.find("DChg. Cap.(Ah)", "DChg. Cap.(mAh)", "Cap_DChg(mAh)")) * scale,
                                f"Neware sheet {name}")
    return None


def _landt(path: Path, t: Table, sheets: dict, notes: list[str]) -> CyclerData:
    """LANHE/Landt record sheet (``TestTime/Sec``, ``Current/mA`` signed, ``Capacity/mAh`` per step)."""
    cur = t.numbers(t.find("Current/mA")) * 1e-3
    inst = None
    for name, rows in sheets.items():
        i = _header_row(rows, ("Cycle",), ("CapC/mAh",), ("CapD/mAh",))
        if i is not None:
            c = _table(path, name, rows, i, notes)
            inst = InstrumentCycles(c.integers(c.find("Cycle")), c.numbers(c.find("CapC/mAh")),
                                    c.numbers(c.find("CapD/mAh")), f"LANHE sheet {name}")
            break
    return CyclerData(str(path), "landt-xlsx", t.numbers(t.find("TestTime/Sec")),
                      t.numbers(t.find("Voltage/V")), cur, t.integers(t.find("Cycle-Index", "Cycle Index")),
                      t.integers(t.find("Step-Index", "Step Index")),
                      np.abs(t.numbers(t.find("Capacity/mAh"))) * 1e-3, instrument=inst, notes=tuple(notes))
