"""What the registry knows about one impedance format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Format"]


def _never(head: str) -> bool:
    return False


@dataclass(frozen=True)
class Format:
    """One impedance file format.

    Attributes
    ----------
    name : str
        The name users pass as ``format=`` (``"gamry"``, ``"ivium"``...).
    read : callable
        ``read(path, data, *, z_imag_sign) -> list[Spectrum]``; ``data`` is the
        decoded lines (list of str) for a text format, the raw bytes for a
        binary one.
    description : str
        Instrument/software and file kind, shown in the list of known formats.
    extensions : tuple of str
        Lower-case file extensions with the dot, e.g. ``(".dta",)``.
    sniff : callable
        ``sniff(head) -> bool`` on the first 8 KiB decoded as text: True when
        the content is unmistakably this format (False: rely on the extension).
    binary : bool
        Whether ``read`` gets bytes instead of text lines.
    aliases : tuple of str
        Other names accepted for ``format=``.
    """

    name: str
    read: Callable[..., list]
    description: str
    extensions: tuple[str, ...] = ()
    sniff: Callable[[str], bool] = _never
    binary: bool = False
    aliases: tuple[str, ...] = ()
