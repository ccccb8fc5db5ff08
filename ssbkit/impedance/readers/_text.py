"""Decoding text exports and finding their numeric tables.

:func:`read_lines` handles encodings, empty and binary files; :func:`find_blocks`
groups numeric rows (any delimiter, decimal commas) and reports truncated or
garbled lines by number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import FileFormatError, InputError

__all__ = [
    "DataBlock",
    "find_blocks",
    "guess_delimiter",
    "normalise_sign",
    "number",
    "read_lines",
    "split_fields",
]

_SIGNS = {
    "auto": "auto",
    "+": "+", "z": "+", "as-is": "+", "stored": "+", "1": "+", "+1": "+",
    "-": "-", "-z": "-", "negated": "-", "-1": "-",
}


def normalise_sign(z_imag_sign: str | int) -> str:
    """Map the user's ``z_imag_sign`` to ``"auto"``, ``"+"`` (file holds Z'') or ``"-"`` (-Z'')."""
    key = str(z_imag_sign).strip().lower()
    if key not in _SIGNS:
        raise InputError(
            f"z_imag_sign={z_imag_sign!r} is not understood; use 'auto', '+' (the file "
            "holds Z'') or '-' (the file holds -Z'')"
        )
    return _SIGNS[key]


def read_lines(path: Path) -> list[str]:
    """Decode a text export into lines (newlines normalised, BOM removed).

    Raises
    ------
    ssbkit.errors.FileFormatError
        If the file is missing, empty, or binary rather than text.
    """
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    if path.is_dir():
        raise FileFormatError(f"{path}: is a folder, not an impedance file")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(f"{path}: file is empty")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16", errors="replace")
    else:
        head = raw[:8192]
        control = sum(1 for b in head if b < 9 or 13 < b < 32)
        if b"\x00" in head or control > 0.01 * len(head):
            raise FileFormatError(
                f"{path}: binary data, not a text export (a BioLogic .mpr needs the "
                "'.mpr' extension; other instruments: export as text/CSV)"
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def number(tok: str) -> float | None:
    try:
        return float(tok)
    except ValueError:
        pass
    if "," in tok and "." not in tok:
        try:
            return float(tok.replace(",", "."))
        except ValueError:
            return None
    return None


def split_fields(line: str, delimiter: str | None) -> list[str]:
    """Split a line on ``delimiter`` (None: whitespace), strip fields, drop trailing empties."""
    parts = line.strip().split(delimiter)
    parts = [p.strip().strip('"') for p in parts]
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _values(fields: list[str]) -> list[float] | None:
    if len(fields) < 2:
        return None
    out = []
    for tok in fields:
        if tok == "":
            out.append(np.nan)
            continue
        v = number(tok)
        if v is None:
            return None
        out.append(v)
    return out if any(tok for tok in fields) else None


def guess_delimiter(lines: list[str]) -> str | None:
    """The delimiter (tab, comma, semicolon or None = whitespace) giving most numeric rows."""
    best, best_score = None, (-1, -1)
    sample = [ln for ln in lines if ln.strip()][:400]
    for delim in ("\t", ",", ";", None):
        rows = [_values(split_fields(ln, delim)) for ln in sample]
        rows = [r for r in rows if r is not None]
        score = (len(rows), int(np.median([len(r) for r in rows])) if rows else 0)
        if score > best_score:
            best, best_score = delim, score
    return best


@dataclass
class DataBlock:
    """Consecutive numeric rows of a text file and the text line(s) above them."""

    values: np.ndarray  # (n_rows, n_cols)
    line_numbers: np.ndarray  # 1-based
    header_lines: list[tuple[int, str]]  # (1-based line number, text), nearest last


def find_blocks(
    path: Path, lines: list[str], delimiter: str | None, start: int = 0, stop: int | None = None
) -> list[DataBlock]:
    """Group the numeric rows of ``lines[start:stop]`` into blocks split by text lines.

    Raises
    ------
    ssbkit.errors.FileFormatError
        For a row with a different number of columns than the rows above it
        (a truncated or garbled line), or a non-number inside a numeric table.
    """
    stop = len(lines) if stop is None else stop
    blocks: list[DataBlock] = []
    cur: list[tuple[int, list[float]]] = []
    texts: list[tuple[int, str]] = []

    def close() -> None:
        if cur:
            blocks.append(
                DataBlock(
                    values=np.array([v for _, v in cur], dtype=float),
                    line_numbers=np.array([i for i, _ in cur], dtype=int),
                    header_lines=list(texts[-4:]),
                )
            )

    for i in range(start, stop):
        line = lines[i]
        if not line.strip():
            continue
        fields = split_fields(line, delimiter)
        vals = _values(fields)
        if vals is None:
            if cur and len(fields) == len(cur[0][1]) and any(number(t) is not None for t in fields):
                _check_garbled(path, lines, i, stop, fields, delimiter)
            close()
            cur = []
            texts.append((i + 1, line))
            continue
        if cur and len(vals) != len(cur[0][1]):
            tail = " (the file looks truncated)" if _is_last_data(lines, i, stop) else ""
            raise FileFormatError(
                f"{path}, line {i + 1}: {len(vals)} columns where the rows above have "
                f"{len(cur[0][1])}{tail}"
            )
        cur.append((i + 1, vals))
    close()
    return blocks


def _check_garbled(
    path: Path, lines: list[str], i: int, stop: int, fields: list[str], delimiter: str | None
) -> None:
    """Raise for a non-number inside a table (next data row alike) or at its truncated end."""
    nxt = next((j for j in range(i + 1, stop) if lines[j].strip()), None)
    if nxt is not None:
        after = _values(split_fields(lines[nxt], delimiter))
        if after is None or len(after) != len(fields):
            return
    tok = next((t for t in fields if t and number(t) is None), fields[0])
    tail = " (the file looks truncated)" if nxt is None else ""
    raise FileFormatError(f"{path}, line {i + 1}: {tok!r} is not a number{tail}")


def _is_last_data(lines: list[str], i: int, stop: int) -> bool:
    return all(not ln.strip() for ln in lines[i + 1 : stop])
