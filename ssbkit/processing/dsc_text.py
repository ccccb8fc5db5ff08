"""Text helpers of the DTA/DSC readers: decoding (UTF-8, code pages, UTF-16 with or without a
byte-order mark), separators, decimal commas, numeric rows with line numbers, unit cells and
``key: value`` metadata. The parsed :class:`_Table` is what :mod:`.dsc_formats` hands to
:func:`~ssbkit.processing.dsc_io.read_dsc`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileFormatError, InputError


@dataclass
class _Table:
    """What a format parser hands to the common column resolver."""

    names: list[str]
    units: list[str]
    rows: list[list[float]]
    lines: list[int]
    meta: dict[str, str] = field(default_factory=dict)
    instrument: str = "csv"
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- text helpers
def _read_text(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"{path}: no such DSC/DTA file")
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:  # UTF-16 with a byte-order mark (Setaram Calisto text export)
            return raw.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        except UnicodeDecodeError:
            raise FileFormatError(f"{path}: starts with a UTF-16 byte-order mark but is not UTF-16 text") from None
    enc16 = _utf16_without_bom(raw)
    if enc16:
        try:  # UTF-16 without a byte-order mark (STARe "Unicode" text export)
            return raw.decode(enc16).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        except UnicodeDecodeError:
            raise FileFormatError(f"{path}: looks like UTF-16 text without a byte-order mark but does not decode") from None
    if b"\x00" in raw[:4096]:
        raise FileFormatError(f"{path}: binary file (export the curve as text/CSV from the instrument software)")
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _utf16_without_bom(raw: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ASCII text is interleaved with NUL bytes, else None."""
    head = raw[: min(len(raw), 4096) // 2 * 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _split(line: str, sep: str | None) -> list[str]:
    if sep is None:
        return line.split()
    return [c.strip() for c in line.split(sep)]


def _guess_sep(lines: list[str]) -> str | None:
    sample = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")][:20]
    for sep in ("\t", ";", ","):
        if sample and sum(sep in ln for ln in sample) >= 0.8 * len(sample):
            return sep
    return None


def _number(cell: str, decimal_comma: bool) -> float:
    c = cell.strip().strip('"')
    if decimal_comma:
        c = c.replace(".", "").replace(",", ".") if c.count(",") == 1 and "." in c and c.index(".") < c.index(",") else c.replace(",", ".")
    return float(c)


def _numeric_rows(path: Path, lines: list[str], start: int, sep: str | None, decimal_comma: bool,
                  ncols: int, stop_at: str | None = None) -> tuple[list[list[float]], list[int]]:
    rows, nums = [], []
    for i in range(start, len(lines)):
        ln = lines[i]
        if not ln.strip():
            continue
        if stop_at and ln.strip().startswith(stop_at):
            break
        cells = _split(ln, sep)
        cells = [c for c in cells if c != ""] if sep is None else cells
        try:
            vals = [_number(c, decimal_comma) if c.strip() else math.nan for c in cells[:ncols]]
        except ValueError:
            raise FileFormatError(f"{path}, line {i + 1}: not a number in {ln.strip()[:60]!r}") from None
        if len(vals) < ncols:
            raise FileFormatError(f"{path}, line {i + 1}: {len(vals)} columns, the header has {ncols}")
        rows.append(vals)
        nums.append(i + 1)
    if not rows:
        raise FileFormatError(f"{path}: no data rows after line {start}")
    return rows, nums


def _is_number(cell: str) -> bool:
    try:
        float(cell.strip().replace(",", "."))
        return True
    except ValueError:
        return False


_UNITS = {"s", "sec", "min", "h", "°c", "c", "k", "degc", "mw", "w", "w/g", "mw/mg", "uv", "µv", "uv/mg",
          "µv/mg", "%", "mg", "%/min", "ml/min", "uv/mw", "j/g", "1/s"}


def _is_unit_cell(cell: str) -> bool:
    """A cell of a unit line: bracketed (``[s]``, ``(mW)``) or a bare unit symbol."""
    c = cell.strip()
    return bool(re.fullmatch(r"[\[\(][^\[\]()]*[\]\)]", c)) or c.lower() in _UNITS


def _decimal_comma(lines: list[str], start: int, sep: str | None) -> bool:
    return sep in (";", "\t", None) and bool(re.search(r"\d,\d", lines[start]))


def _key_values(lines: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for ln in lines[:200]:
        m = re.match(r"^\s*([A-Za-z][A-Za-z .#/]*?)\s*[:=\t]\s*(.+)$", ln)
        if m and not _is_number(m.group(1)):
            meta.setdefault(m.group(1).strip().upper(), m.group(2).strip())
    return meta
