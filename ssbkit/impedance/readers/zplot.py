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
from ._columns import Columns, identify_columns
from ._format import Format
from ._table import header_temperature_c, spectra_from_table
from ._text import find_blocks, guess_delimiter, merge_blocks, split_fields

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "zplot"
EXTENSIONS = (".z",)
_FIXED = Columns(freq=0, real=4, imag=5, names=("Freq(Hz)", "Ampl", "Bias", "Time(Sec)", "Z'(a)",
                                                "Z''(b)"))


def sniff(head: str) -> bool:
    """True for a ZPlot/ZView ASCII file.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return head.lstrip().startswith("ZPLOT") or "End Comments" in head


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in a ZPlot/ZView ``.z`` file, with or without its comment block.

    Without a ``Freq(Hz)`` column line, rows of at least six values are read in
    ZPlot's fixed layout (f, Ampl, Bias, Time, Z', Z'', ...), with a note.

    Parameters
    ----------
    path : Path
        The file.
    lines : list of str
        Its text lines.
    z_imag_sign : {"auto", "+", "-"}
        See :func:`ssbkit.impedance.readers.read_spectra`.

    Returns
    -------
    list of Spectrum
        The spectrum (one per table).
    """
    head = next((i for i, ln in enumerate(lines) if "Freq(Hz)" in ln or "Freq (Hz)" in ln), None)
    end = next((i for i, ln in enumerate(lines) if ln.strip() == "End Comments"), None)
    notes: list[str] = []
    if head is not None:
        names = split_fields(lines[head], "\t" if "\t" in lines[head] else None)
        if "," in lines[head] and len(names) < 6:
            names = split_fields(lines[head], ",")
        cols = identify_columns(names)
        if cols is None:
            raise FileFormatError(f"{path}, line {head + 1}: columns {names} lack Freq, Z', Z''")
    else:
        cols = _FIXED
        notes.append("no column line: read in ZPlot's fixed layout (f, Ampl, Bias, Time, "
                     "Z', Z'')")
    start = max(head if head is not None else -1, end if end is not None else -1) + 1
    delim = guess_delimiter(lines[start:])
    merged = merge_blocks(path, find_blocks(path, lines, delim, start=start),
                          leading_is_junk=head is not None or end is not None)
    blocks = [merged] if merged is not None else []
    if not blocks:
        raise FileFormatError(f"{path}: no data rows after line {start} (truncated?)")
    declared = next((re.search(r"Data Points:\s*(\d{1,9})\b", ln) for ln in lines[:start]
                     if "Data Points:" in ln), None)
    n_rows = sum(b.values.shape[0] for b in blocks)
    if declared and int(declared.group(1)) != n_rows:
        notes.append(f"header declares {declared.group(1)} points, file holds {n_rows}")
    out: list[Spectrum] = []
    t_header = header_temperature_c(lines[: head if head is not None else start], notes)
    for b in blocks:
        if cols is _FIXED and b.values.shape[1] < 6:
            raise FileFormatError(f"{path}, line {int(b.line_numbers[0])}: {b.values.shape[1]} "
                                  "values per row; ZPlot rows hold at least 6 (f ... Z' Z'')")
        out.extend(
            spectra_from_table(
                path, b.values, b.line_numbers, cols, fmt=NAME, z_imag_sign=z_imag_sign,
                guess_sign=False, metadata={"notes": [*notes, *b.notes]},
                temperature_c=t_header,
            )
        )
    return out


FORMAT = Format(
    NAME,
    read,
    "Scribner ZPlot/ZView .z (with or without its comment block)",
    EXTENSIONS,
    sniff=sniff,
    aliases=("zview", "scribner"),
)
