"""Plain CSV/TXT tables: with or without a header, any common delimiter.

Columns are recognised by name (``freq``, ``Z'``, ``Re(Z)``, ``-Im(Z)``,
``Zimag``, ``|Z|``, ``Phase``... with units such as ``/Ohm``, ``[kOhm]``,
``(kHz)``); a file without a header is read as f, Z', Z''. The Z'' sign is
taken from the header (a leading ``-`` means the file holds -Z''); where the
header is silent, a table with most Z'' > 0 is taken to hold -Z''.
"""

from __future__ import annotations

from pathlib import Path

from ..spectrum import Spectrum
from ._format import Format
from ._table import header_temperature_c, spectra_from_blocks
from ._text import find_blocks, guess_delimiter

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "csv"
EXTENSIONS = (".csv", ".txt", ".dat", ".tsv")


def sniff(head: str) -> bool:
    """Any text may be a table: this format is the fallback.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return True


def read(
    path: Path, lines: list[str], *, z_imag_sign: str, fmt: str = NAME, guess_sign: bool = True
) -> list[Spectrum]:
    """Spectra in a delimited text table (see the module docstring).

    Parameters
    ----------
    path : Path
        The file.
    lines : list of str
        Its text lines.
    z_imag_sign : {"auto", "+", "-"}
        See :func:`ssbkit.impedance.readers.read_spectra`.
    fmt : str
        Format name recorded in the metadata (instrument readers reuse this one).
    guess_sign : bool
        Whether a silent header lets the majority sign of Z'' decide.

    Returns
    -------
    list of Spectrum
        The spectra, in file order.
    """
    delim = guess_delimiter(lines)
    blocks = find_blocks(path, lines, delim)
    first = int(blocks[0].line_numbers[0]) - 1 if blocks else len(lines)
    notes: list[str] = []
    t_c = header_temperature_c(lines[:first], notes)
    return spectra_from_blocks(
        path, blocks, delim, fmt=fmt, z_imag_sign=z_imag_sign, guess_sign=guess_sign,
        temperature_c=t_c, metadata={"notes": notes},
    )


FORMAT = Format(
    NAME,
    read,
    "Any CSV/TXT/TSV table (columns named by header, or f, Z', Z'')",
    EXTENSIONS,
    aliases=("txt", "tsv", "text", "table"),
)
