"""Scribner ZPlot/ZView ``.z`` files.

A text header (``ZPLOT2 ASCII`` ... ``End Comments``) with a column line
``Freq(Hz) Ampl Bias Time(Sec) Z'(a) Z''(b) GD Err Range``; rows are tab or
comma separated. Z''(b) is stored as Z''.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import identify_columns
from ._table import header_temperature_c, spectra_from_table
from ._text import find_blocks, guess_delimiter, split_fields

__all__ = ["EXTENSIONS", "NAME", "read", "sniff"]

NAME = "zplot"
EXTENSIONS = (".z",)


def sniff(head: str) -> bool:
    """True for a ZPlot/ZView ASCII file."""
    return head.lstrip().startswith("ZPLOT") or "End Comments" in head


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in a ZPlot/ZView ``.z`` file."""
    head = next((i for i, ln in enumerate(lines) if "Freq(Hz)" in ln or "Freq (Hz)" in ln), None)
    if head is None:
        raise FileFormatError(f"{path}: no 'Freq(Hz)' column line; not a ZPlot/ZView file?")
    end = next((i for i, ln in enumerate(lines) if ln.strip() == "End Comments"), head)
    start = max(head, end) + 1
    delim = guess_delimiter(lines[start:])
    names = split_fields(lines[head], "\t" if "\t" in lines[head] else None)
    cols = identify_columns(names)
    if cols is None:
        raise FileFormatError(f"{path}, line {head + 1}: columns {names} lack Freq, Z', Z''")
    blocks = find_blocks(path, lines, delim, start=start)
    if not blocks:
        raise FileFormatError(f"{path}: no data rows after line {start} (truncated?)")
    meta: dict = {}
    declared = next((re.search(r"Data Points:\s*(\d+)", ln) for ln in lines[:start]
                     if "Data Points:" in ln), None)
    n_rows = sum(b.values.shape[0] for b in blocks)
    if declared and int(declared.group(1)) != n_rows:
        meta["notes"] = [f"header declares {declared.group(1)} points, file holds {n_rows}"]
    out: list[Spectrum] = []
    for b in blocks:
        out.extend(
            spectra_from_table(
                path, b.values, b.line_numbers, cols, fmt=NAME, z_imag_sign=z_imag_sign,
                guess_sign=False, metadata=meta,
                temperature_c=header_temperature_c(lines[:head]),
            )
        )
    return out
