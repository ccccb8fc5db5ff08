"""Vendor layouts of the DTA/DSC readers: Netzsch (Proteus ``##`` columns), TA Universal Analysis
(``SigN``/``StartOfData``, ``-1`` segment markers), a name line + unit line table (generic CSV,
TRIOS, Mettler STARe, Setaram, the Shimadzu ``[Data]`` block) and the format detection."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import FileFormatError
from .dsc_text import (
    _decimal_comma,
    _guess_sep,
    _is_number,
    _is_unit_cell,
    _key_values,
    _numeric_rows,
    _split,
    _Table,
)


# ----------------------------------------------------------------------------- format parsers
def _netzsch(path: Path, lines: list[str]) -> _Table:
    meta: dict[str, str] = {}
    head = None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith("##"):
            head = i
            break
        if s.startswith("#") and ":" in s:
            key, val = s[1:].split(":", 1)
            meta[key.strip().upper()] = val.strip(" ,;\t")
    if head is None:
        raise FileFormatError(f"{path}: Netzsch export without a '##' column line")
    sep_word = meta.get("SEPARATOR", "").upper()
    sep = {"SEMICOLON": ";", "COMMA": ",", "TAB": "\t"}.get(sep_word) or _guess_sep(lines[head:head + 5])
    dec_comma = meta.get("DECIMAL", "").upper().startswith("COMMA")
    pairs = [_name_unit_slash(n) for n in _split(lines[head].strip()[2:], sep)]
    names, units = [n for n, _ in pairs], [u for _, u in pairs]
    rows, nums = _numeric_rows(path, lines, head + 1, sep, dec_comma, len(names))
    return _Table(names, units, rows, nums, meta, "netzsch")


def _name_unit_slash(label: str) -> tuple[str, str]:
    """Netzsch labels: ``Temp./°C``, ``DSC/(mW/mg)``, ``Time/min``."""
    m = re.match(r"^(.*?)/\(?([^()]*)\)?$", label.strip())
    if m and m.group(1):
        return m.group(1).strip(), m.group(2).strip()
    return label.strip(), ""


def _ta(path: Path, lines: list[str]) -> _Table:
    meta: dict[str, str] = {}
    sigs: list[str] = []
    start = None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s == "StartOfData":
            start = i + 1
            break
        parts = [p.strip() for p in s.split("\t")]
        if re.fullmatch(r"Sig\d+", parts[0]) and len(parts) > 1:
            sigs.append(parts[1])
        elif parts[0] and len(parts) > 1:
            meta[parts[0].upper()] = " ".join(parts[1:])
        if re.search(r"Ramp\s+[\d.]+", s):
            meta.setdefault("RAMP", s)
    if start is None or not sigs:
        raise FileFormatError(f"{path}: TA Universal Analysis export without Sig lines and StartOfData")
    names, units = zip(*[_name_unit_paren(n) for n in sigs], strict=True)
    size = meta.get("SIZE", "")
    if size:
        meta["SAMPLE MASS /MG"] = size.split()[0]
    rows, nums = _numeric_rows(path, lines, start, "\t" if "\t" in lines[start] else None, False, len(names))
    tab = _Table(list(names), list(units), rows, nums, meta, "ta")
    it = next((k for k, u in enumerate(units) if u.strip().lower() in ("min", "s")), None)
    if it is not None:
        _ta_segments(tab, it)
    return tab


def _ta_segments(tab: _Table, it: int) -> None:
    """Universal Analysis marks each programme segment with a row of time -1: turn the markers
    into a ``Segment`` column (so the heating ramp is picked) and drop them, with a note."""
    marks = [k for k, r in enumerate(tab.rows) if r[it] < 0]
    if not marks:
        return
    shown = ", ".join(str(tab.lines[k]) for k in marks[:4]) + ("..." if len(marks) > 4 else "")
    tab.notes.append(f"{len(marks)} segment-marker rows (time < 0, lines {shown}) dropped")
    seg, rows, nums = 0, [], []
    for k, (r, n) in enumerate(zip(tab.rows, tab.lines, strict=True)):
        if k in marks:
            seg += 1
            continue
        rows.append([*r, float(seg)])
        nums.append(n)
    tab.rows, tab.lines = rows, nums
    tab.names.append("Segment")
    tab.units.append("")


def _name_unit_paren(label: str) -> tuple[str, str]:
    """Labels like ``Heat Flow (W/g)``, ``Temperature (°C)``, ``Temperature [K]``."""
    m = re.match(r"^(.*?)\s*[\(\[]([^()\[\]]*)[\)\]]\s*$", label.strip())
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return label.strip(), ""


def _header_table(path: Path, lines: list[str], instrument: str) -> _Table:
    """A name line (with units in brackets or on the next line) followed by numbers.

    Used for generic CSV, TRIOS, Mettler STARe, Setaram and the Shimadzu ``[Data]`` block.
    """
    meta = _key_values(lines)
    sep = _guess_sep(lines)
    first_num = next((i for i, ln in enumerate(lines)
                      if ln.strip() and all(_is_number(c) for c in _split(ln.strip(), sep) if c)), None)
    if first_num is None or first_num == 0:
        raise FileFormatError(f"{path}: no header line with column names before the numbers")
    k = first_num - 1
    unit_line = None
    if all(_is_unit_cell(c) for c in _split(lines[k].strip(), sep) if c):
        unit_line = _split(lines[k].strip(), sep)
        k -= 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        raise FileFormatError(f"{path}: no header line with column names before the numbers")
    names = [c for c in _split(lines[k].strip(), sep)] if sep else lines[k].split()
    names = [n.strip().strip('"').lstrip("\ufeff") for n in names]
    if unit_line is not None:
        units = [u.strip().strip("[]()") for u in unit_line]
        pad = [""] * (len(names) - len(units))
        # a whitespace-separated unit line loses the blank cell of an unnamed index column
        units = pad + units if names and names[0].lower() in ("index", "#", "no.", "nr") else units + pad
    else:
        names, units = map(list, zip(*[_name_unit_paren(n) for n in names], strict=True))
    rows, nums = _numeric_rows(path, lines, first_num, sep, _decimal_comma(lines, first_num, sep), len(names))
    return _Table(list(names), list(units), rows, nums, meta, instrument)


_SETARAM_COLS = re.compile(r"^\s*Index\s+Time\s+Furnace\s+Sample\b", re.M)


def _detect(lines: list[str]) -> str:
    head = "\n".join(lines[:120])
    if re.search(r"^##", head, re.M) or "#EXPORTTYPE" in head.upper():
        return "netzsch"
    if "StartOfData" in head and re.search(r"^Sig\d+", head, re.M):
        return "ta"
    if "[Data]" in head or "[Temperature Program]" in head or "TA-60" in head:
        return "shimadzu"
    if "STARe" in head or "Curve Name" in head or re.search(r"^\s*Index\s+t\s+Ts", head, re.M):
        return "mettler"
    if re.search(r"setaram|calisto|setsoft|furnace temperature", head, re.I) or _SETARAM_COLS.search(head):
        return "setaram"
    return "csv"


def _shimadzu(path: Path, lines: list[str]) -> _Table:
    start = next((i for i, ln in enumerate(lines) if ln.strip() == "[Data]"), None)
    meta = _key_values(lines[: start or len(lines)])
    for ln in lines[: start or len(lines)]:
        parts = [p.strip() for p in ln.split("\t") if p.strip()]
        if len(parts) >= 2 and parts[0].upper() in ("RATE", "SAMPLE WEIGHT"):
            meta[parts[0].upper()] = " ".join(parts[1:])
    if start is None:
        raise FileFormatError(f"{path}: Shimadzu export without a [Data] block")
    tab = _header_table(path, lines[start + 1:], "shimadzu")
    tab.lines = [n + start + 1 for n in tab.lines]
    tab.meta = {**meta, **tab.meta}
    return tab


_SETARAM_UNITS = {"time": "s", "furnace": "°C", "sample": "°C", "tg": "mg", "heatflow": "mW"}


def _setaram(path: Path, lines: list[str]) -> _Table:
    """Setaram exports; the Calisto ``.txt`` layout (UTF-16, ``Index Time Furnace Sample TG HeatFlow``)
    names no units: those of the same software's CSV export (``Time (s)``, ``Sample Temperature (°C)``,
    ``HeatFlow (mW)``) are used, with a note."""
    tab = _header_table(path, lines, "setaram")
    low = [n.strip().lower() for n in tab.names]
    if all(not u for u in tab.units) and {"furnace", "sample"} <= set(low):
        tab.units = [_SETARAM_UNITS.get(n, "") for n in low]
        tab.names = [f"{n} temperature" if n.lower() in ("furnace", "sample") else n for n in tab.names]
        tab.notes.append("Setaram text export without units: Time read in s, Furnace/Sample in degC, "
                         "HeatFlow in mW (the units of Calisto's CSV export)")
    return tab


_PARSERS = {
    "netzsch": _netzsch,
    "ta": _ta,
    "shimadzu": _shimadzu,
    "mettler": lambda p, ls: _header_table(p, ls, "mettler"),
    "setaram": _setaram,
    "csv": lambda p, ls: _header_table(p, ls, "csv"),
}
