"""Princeton Applied Research PowerSuite text exports: ``Frequency Zre Zimg``, Zimg = Z''."""

from __future__ import annotations

from pathlib import Path

from ..spectrum import Spectrum
from . import delimited
from ._format import Format
from ._text import split_fields

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "powersuite"
EXTENSIONS = ()


def sniff(head: str) -> bool:
    """True for a PowerSuite export (header ``Frequency``, ``Zre``, ``Zimg``).

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
    return split_fields(first, "\t")[:3] == ["Frequency", "Zre", "Zimg"]


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """The spectrum in a PowerSuite export.

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
    "Princeton Applied Research PowerSuite text export",
    EXTENSIONS,
    sniff=sniff,
    aliases=(),
)
