"""Elchemea Analytical ``.i2b`` files: free-text header lines, the number of points,
then rows ``f Z' Z''`` separated by spaces (Z'' stored as Z'').
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import Columns
from ._format import Format
from ._table import spectra_from_table
from ._text import find_blocks, skipped_lines_note

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read"]

NAME = "i2b"
EXTENSIONS = (".i2b",)
_COLS = Columns(freq=0, real=1, imag=2, names=("f", "Z'", "Z''"))


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum of an ``.i2b`` file.

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
        The one spectrum.
    """
    blocks = [b for b in find_blocks(path, lines, None) if b.values.shape[1] >= 3]
    if not blocks:
        raise FileFormatError(f"{path}: no rows of f, Z', Z''; not an .i2b file?")
    if len(blocks) > 1:
        raise FileFormatError(f"{path}, line {int(blocks[1].line_numbers[0])}: text inside the "
                              "table; damaged file?")
    b = blocks[0]
    counts = [k for k, (_, t) in enumerate(b.pre_text) if re.fullmatch(r"\d{1,9}", t.strip())]
    declared = int(b.pre_text[counts[-1]][1]) if counts else None
    after = b.pre_text[counts[-1] + 1 :] if counts else []
    notes = [*skipped_lines_note(after, "between the point count and the data"), *b.notes]
    if b.values.shape[1] > 3:
        notes.append(f"{b.values.shape[1] - 3} further column(s) ignored")
    if declared is not None and declared != b.values.shape[0]:
        notes.append(f"header declares {declared} points, file holds {b.values.shape[0]}")
    return spectra_from_table(path, b.values, b.line_numbers, _COLS, fmt=NAME,
                              z_imag_sign=z_imag_sign, guess_sign=False,
                              metadata={"notes": notes})


FORMAT = Format(NAME, read, "Elchemea Analytical .i2b", EXTENSIONS, aliases=("elchemea",))
