"""``.P00`` text exports: a short header, a column line ``f/Hz  Z'/Ohm  -Z''/Ohm ...``,
the number of points, then tab-separated rows (as read by pyimpspec's ``parse_p00``).

The Z'' sign is taken from the column header (``-Z''`` means the file holds -Z'').
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._format import Format
from ._table import spectra_from_blocks
from ._text import find_blocks

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "p00"
EXTENSIONS = (".p00",)


def sniff(head: str) -> bool:
    """True for a ``.P00`` export (``Procedure :`` then an ``f/Hz`` column line)."""
    return head.lstrip().startswith("Procedure") and re.search(r"^\s*f/Hz\s", head, re.M) is not None


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
    count = lines[head + 1].strip() if head + 1 < len(lines) else ""
    declared = int(count) if re.fullmatch(r"\d{1,9}", count) else None
    start = head + 2 if declared is not None else head + 1
    blocks = find_blocks(path, lines, "\t", start=start)
    for b in blocks:
        b.header_lines = [(head + 1, lines[head]), *b.header_lines]
    spectra = spectra_from_blocks(path, blocks[:1], "\t", fmt=NAME, z_imag_sign=z_imag_sign,
                                  guess_sign=False, headerless_ok=False)
    n = sum(len(s) for s in spectra)
    if declared is not None and declared != n:
        spectra = [s.with_notes(f"header declares {declared} points, file holds {n}")
                   for s in spectra]
    if len(blocks) > 1:
        raise FileFormatError(f"{path}, line {int(blocks[1].line_numbers[0])}: a second table "
                              "after the data; damaged file?")
    return spectra


FORMAT = Format(NAME, read, ".P00 text export (f/Hz, Z'/Ohm, -Z''/Ohm table)", EXTENSIONS,
                sniff=sniff)
