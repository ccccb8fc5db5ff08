"""CH Instruments A.C. Impedance text exports.

A free-text header, then ``Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg`` and
comma-separated rows; ``Z"`` is stored as Z''.
"""

from __future__ import annotations

from pathlib import Path

from ..spectrum import Spectrum
from . import delimited
from ._format import Format

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "chi"
EXTENSIONS = ()


def sniff(head: str) -> bool:
    """True for a CHI 'A.C. Impedance' export.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return "A.C. Impedance" in head and "Freq/Hz" in head


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in a CH Instruments export.

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
    "CH Instruments A.C. Impedance text export",
    EXTENSIONS,
    sniff=sniff,
    aliases=("ch", "chinstruments"),
)
