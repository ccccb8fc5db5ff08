"""Metrohm Autolab exports.

Two kinds: the ZView-compatible export (first line ``"Z60W Data File"``;
comma-separated rows under a quoted column line ``Freq (Hz) Ampl Bias
Time(Sec) Z'(a) Z''(b) GD Err Range``, Z'' stored as Z''), and NOVA ASCII
tables (``Frequency (Hz);Z' (Ω);-Z'' (Ω);...``), which the CSV reader handles.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from . import delimited
from ._columns import Columns
from ._format import Format
from ._table import spectra_from_table
from ._text import find_blocks, merge_blocks

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "autolab"
EXTENSIONS = ()


def sniff(head: str) -> bool:
    """True for the Z60W (ZView-compatible) export of Autolab FRA/NOVA.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    first = head.lstrip().splitlines()[0] if head.strip() else ""
    return "Z60W Data File" in first


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in an Autolab export.

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
        The spectra, in file order.
    """
    if not sniff("\n".join(lines[:2])):
        return delimited.read(path, lines, z_imag_sign=z_imag_sign, fmt=NAME)
    head = next((i for i, ln in enumerate(lines) if "Freq" in ln and "Z'" in ln), None)
    if head is None:
        raise FileFormatError(f"{path}: no column line with 'Freq' and Z' (truncated?)")
    merged = merge_blocks(path, find_blocks(path, lines, ",", start=head + 1),
                          leading_is_junk=True)
    blocks = [merged] if merged is not None else []
    if not blocks or blocks[0].values.shape[1] < 6:
        raise FileFormatError(f"{path}: expected comma-separated rows of 9 values after line "
                              f"{head + 1}")
    # fixed layout of the Z60W format: f, Ampl, Bias, Time, Z'(a), Z''(b), ...
    cols = Columns(freq=0, real=4, imag=5, names=("Freq (Hz)", "", "", "", "Z'(a)", "Z''(b)"))
    out: list[Spectrum] = []
    for b in blocks:
        out.extend(spectra_from_table(path, b.values, b.line_numbers, cols, fmt=NAME,
                                      z_imag_sign=z_imag_sign, guess_sign=False,
                                      metadata={"notes": b.notes}))
    return out


FORMAT = Format(
    NAME,
    read,
    "Metrohm Autolab: Z60W (ZView-compatible) export; NOVA ASCII tables",
    EXTENSIONS,
    sniff=sniff,
    aliases=("nova", "metrohm"),
)
