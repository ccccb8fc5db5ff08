"""Eco Chemie (Metrohm) FRA ``.dfr`` files.

Line 1 ``VERSIONx.y``; line 2 the number of points N; line 3 a flag; then nine
lines per point: f (Hz), Z' (ohm), -Z'' (ohm), then six values this reader does
not use (E dc, I dc, time...). The imaginary part is stored as -Z''.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import Columns
from ._format import Format
from ._table import spectra_from_table
from ._text import number

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "dfr"
EXTENSIONS = (".dfr",)
_PER_POINT = 9
_COLS = Columns(freq=0, real=1, imag=2, imag_negated=True, names=("f", "Z'", "-Z''"))


def sniff(head: str) -> bool:
    """True for a ``.dfr``: ``VERSION8.0``, then a point count, then numbers.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()][:4]
    return (len(lines) == 4 and re.fullmatch(r"VERSION\s*\d+(\.\d+)?", lines[0], re.I) is not None
            and lines[1].isdigit() and all(number(t) is not None for t in lines[2:]))


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum of a ``.dfr`` file.

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
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    if len(idx) < 3 or not lines[idx[0]].strip().upper().startswith("VERSION"):
        raise FileFormatError(f"{path}, line 1: expected 'VERSIONx.y' (not a .dfr file?)")
    count = lines[idx[1]].strip()
    if not re.fullmatch(r"\d{1,9}", count):
        raise FileFormatError(f"{path}, line {idx[1] + 1}: expected the number of points, "
                              f"found {count[:30]!r}")
    n = int(count)
    body = idx[3:]
    if len(body) < n * _PER_POINT:
        raise FileFormatError(f"{path}: header declares {n} points ({n * _PER_POINT} lines) but "
                              f"{len(body)} value lines follow (truncated)")
    values = np.empty((n, 3))
    for k in range(n):
        for c in range(3):
            i = body[k * _PER_POINT + c]
            v = number(lines[i].strip())
            if v is None:
                raise FileFormatError(f"{path}, line {i + 1}: {lines[i].strip()[:30]!r} is not "
                                      "a number")
            values[k, c] = v
    extra = len(body) - n * _PER_POINT
    meta = {"notes": [f"{extra} lines after the {n} declared points ignored"]} if extra else {}
    line_numbers = np.array([body[k * _PER_POINT] + 1 for k in range(n)])
    return spectra_from_table(path, values, line_numbers, _COLS, fmt=NAME,
                              z_imag_sign=z_imag_sign, guess_sign=False, metadata=meta)


FORMAT = Format(NAME, read, "Eco Chemie/Metrohm FRA .dfr", EXTENSIONS, sniff=sniff)
