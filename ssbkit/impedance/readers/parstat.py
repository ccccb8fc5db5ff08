"""Princeton Applied Research Parstat (PowerSine/VersaStudio text) exports.

Tab-separated: ``Potential (V) Current (A) Elapsed Time (s) Frequency (Hz) Zre
(ohms) Zim (ohms) ...``; rows of the DC part carry frequency 0 and are skipped.
Zim is stored as Z''.
"""

from __future__ import annotations

from pathlib import Path

from ..spectrum import Spectrum
from . import delimited
from ._format import Format

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "parstat"
EXTENSIONS = ()


def sniff(head: str) -> bool:
    """True for a Parstat export (potential, current and Zre/Zim columns).

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
    return "Zre (ohms)" in first and "Frequency (Hz)" in first


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in a Parstat export.

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
    return delimited.read(path, lines, z_imag_sign=z_imag_sign, fmt=NAME, guess_sign=False)


FORMAT = Format(
    NAME,
    read,
    "Princeton Applied Research Parstat text export",
    EXTENSIONS,
    sniff=sniff,
    aliases=(),
)
