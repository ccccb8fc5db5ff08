"""Princeton Applied Research Parstat (PowerSine/VersaStudio text) exports.

Tab-separated: ``Potential (V) Current (A) Elapsed Time (s) Frequency (Hz) Zre
(ohms) Zim (ohms) ...``; rows of the DC part carry frequency 0 and are skipped.
Zim is stored as Z''.
"""

from __future__ import annotations

from pathlib import Path

from ..spectrum import Spectrum
from ._format import Format
from . import delimited

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "parstat"
EXTENSIONS = ()


def sniff(head: str) -> bool:
    """True for a Parstat export (potential, current and Zre/Zim columns)."""
    first = head.lstrip().splitlines()[0] if head.strip() else ""
    return "Zre (ohms)" in first and "Frequency (Hz)" in first


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in a Parstat export."""
    return delimited.read(path, lines, z_imag_sign=z_imag_sign, fmt=NAME, guess_sign=False)


FORMAT = Format(NAME, read, "Princeton Applied Research Parstat text export", EXTENSIONS, sniff=sniff, aliases=())
