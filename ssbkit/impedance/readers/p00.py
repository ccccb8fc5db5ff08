"""``.P00`` text exports: a short header, a column line ``f/Hz  Z'/Ohm  -Z''/Ohm ...``,
the number of points, then tab-separated rows (as read by pyimpspec's ``parse_p00``).

The Z'' sign is taken from the column header (``-Z''`` means the file holds -Z'').
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import identify_columns
from ._format import Format
from ._table import spectra_from_table
from ._text import find_blocks, merge_blocks, split_fields

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "p00"
EXTENSIONS = (".p00",)


def sniff(head: str) -> bool:
    """True for a ``.P00`` export (``Procedure :`` then an ``f/Hz`` column line).

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return (head.lstrip().startswith("Procedure")
            and re.search(r"^\s*f/Hz\s", head, re.M) is not None)


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum of a ``.P00`` export.

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
    head = next((i for i, ln in enumerate(lines) if ln.strip().lower().startswith("f/hz")), None)
    if head is None:
        raise FileFormatError(f"{path}: no 'f/Hz' column line; not a .P00 export?")
    cols = identify_columns(split_fields(lines[head], "\t"))
    if cols is None:
        raise FileFormatError(f"{path}, line {head + 1}: columns lack f, Z', Z''")
    count = lines[head + 1].strip() if head + 1 < len(lines) else ""
    declared = int(count) if re.fullmatch(r"\d{1,9}", count) else None
    start = head + 2 if declared is not None else head + 1
    block = merge_blocks(path, find_blocks(path, lines, "\t", start=start), leading_is_junk=True)
    if block is None:
        raise FileFormatError(f"{path}: no data rows after line {start} (truncated?)")
    notes = list(block.notes)
    if declared is not None and declared != block.values.shape[0]:
        notes.append(f"header declares {declared} points, file holds {block.values.shape[0]}")
    return spectra_from_table(path, block.values, block.line_numbers, cols, fmt=NAME,
                              z_imag_sign=z_imag_sign, guess_sign=False,
                              metadata={"notes": notes})

FORMAT = Format(NAME, read, ".P00 text export (f/Hz, Z'/Ohm, -Z''/Ohm table)", EXTENSIONS,
                sniff=sniff)
