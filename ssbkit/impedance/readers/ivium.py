"""Ivium ``.idf`` (one spectrum) and ``.ids`` (a sequence of spectra) files.

Key=value text with binary padding (NUL and control bytes). Each spectrum
is a ``Title=`` section whose ``primary_data`` line is followed by the number
of columns (3), the number of points N and N rows ``Z' Z'' f``; Z'' is stored
as Z'' (negative on a capacitive arc).
"""

from __future__ import annotations

import re
import string
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import Columns
from ._format import Format
from ._table import spectra_from_table
from ._text import number, split_lines

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "ivium"
EXTENSIONS = (".idf", ".ids")
_DROP = {c: None for c in range(256) if chr(c) not in set(string.printable) - set("\x0b\x0c")}
_COLS = Columns(freq=2, real=0, imag=1, names=("Z'", "Z''", "f"))


def sniff(head: str) -> bool:
    """True for an Ivium data file (its key list starts ``Peaks=``, ``Corrosion=``...).

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    text = head.replace("\x00", "")
    return "Peaks=" in text and "Corrosion=" in text and "Solarcell=" in text


def _lines(raw: bytes) -> list[str]:
    """Text lines with the binary padding removed (line numbers kept)."""
    text = raw.decode("latin-1")
    return [ln.translate(_DROP).strip() for ln in split_lines(text)]


def _count(path: Path, lines: list[str], i: int, what: str) -> int:
    tok = lines[i].strip() if i < len(lines) else ""
    if not re.fullmatch(r"\d{1,9}", tok):
        raise FileFormatError(f"{path}, line {i + 1}: expected the number of {what}, "
                              f"found {tok[:30]!r} (truncated or damaged file?)")
    return int(tok)


def _section(path: Path, lines: list[str], start: int) -> tuple[list[list[float]], list[int], int]:
    """Rows and line numbers of the ``primary_data`` table at ``start``; returns the next index."""
    n_cols = _count(path, lines, start + 1, "columns")
    if n_cols != 3:
        raise FileFormatError(f"{path}, line {start + 2}: primary_data has {n_cols} columns; "
                              "expected 3 (Z', Z'', f)")
    n = _count(path, lines, start + 2, "points")
    rows: list[list[float]] = []
    numbers: list[int] = []
    i = start + 3
    while len(rows) < n:
        if i >= len(lines):
            raise FileFormatError(f"{path}: primary_data declares {n} points but the file ends "
                                  f"after {len(rows)} (truncated)")
        vals = [number(t) for t in lines[i].split()]
        good = [v for v in vals if v is not None]
        if len(vals) != 3 or len(good) != 3:
            raise FileFormatError(f"{path}, line {i + 1}: expected Z', Z'', f, found "
                                  f"{lines[i][:40]!r}")
        rows.append(good)
        numbers.append(i + 1)
        i += 1
    return rows, numbers, i


def read(path: Path, raw: bytes, *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra of an Ivium ``.idf``/``.ids`` file (one per ``primary_data`` table).

    Parameters
    ----------
    path : Path
        The file.
    raw : bytes
        Its content.
    z_imag_sign : {"auto", "+", "-"}
        See :func:`ssbkit.impedance.readers.read_spectra`.

    Returns
    -------
    list of Spectrum
        In file order; sources ``#1``, ``#2``... when there are several.
    """
    import numpy as np

    lines = _lines(raw)
    title = ""
    out: list[Spectrum] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Title="):
            title = line[6:].strip()
        if line != "primary_data":
            i += 1
            continue
        rows, numbers, i = _section(path, lines, i)
        meta = {"title": title} if title else {}
        out.extend(spectra_from_table(
            path, np.array(rows, dtype=float), np.array(numbers), _COLS, fmt=NAME,
            z_imag_sign=z_imag_sign, guess_sign=False, metadata=meta,
        ))
    if not out:
        raise FileFormatError(f"{path}: no 'primary_data' table; not an Ivium impedance file?")
    if len(out) > 1:
        from dataclasses import replace

        out = [replace(s, source=f"{path}#{k + 1}").with_notes(
            f"file holds {len(out)} spectra; this is #{k + 1}") for k, s in enumerate(out)]
    return out


FORMAT = Format(NAME, read, "Ivium .idf/.ids (IviumSoft data files)", EXTENSIONS, sniff=sniff,
                binary=True, aliases=("idf", "ids", "iviumsoft"))
