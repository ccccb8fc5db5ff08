"""CH Instruments A.C. Impedance text exports.

A free-text header, then ``Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg`` and
comma-separated rows; ``Z"`` is stored as Z''.
"""

from __future__ import annotations

from pathlib import Path

from ..spectrum import Spectrum
from ._format import Format
from . import delimited

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "chi"
EXTENSIONS = ()


def sniff(head: str) -> bool:
    """True for a CHI 'A.C. Impedance' export."""
    return "A.C. Impedance" in head and "Freq/Hz" in head


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in a CH Instruments export."""
    return delimited.read(path, lines, z_imag_sign=z_imag_sign, fmt=NAME, guess_sign=False)


FORMAT = Format(NAME, read, "CH Instruments A.C. Impedance text export", EXTENSIONS, sniff=sniff, aliases=("ch", "chinstruments"))
