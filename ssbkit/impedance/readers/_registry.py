"""The one list of impedance formats: name, how it is recognised, which function reads it.

A format is a :class:`Format` (made in its own module as ``FORMAT``); adding one
means writing that module and adding one line to :data:`REGISTRY`. Detection
tries every content sniffer in registry order (most specific first), then the
extensions; ``csv`` is the fallback for any other text.
"""

from __future__ import annotations

from . import (
    autolab,
    biologic,
    chi,
    delimited,
    dfr,
    elchemea,
    gamry,
    ivium,
    p00,
    palmsens,
    parstat,
    powersuite,
    spreadsheet,
    versastudio,
    zplot,
)
from ._format import Format

__all__ = ["REGISTRY", "Format", "by_name"]

#: Every format, most specific content sniffer first; the csv fallback last.
REGISTRY: tuple[Format, ...] = (
    biologic.MPR_FORMAT,
    biologic.FORMAT,
    gamry.FORMAT,
    palmsens.FORMAT,
    ivium.FORMAT,
    spreadsheet.FORMAT,
    dfr.FORMAT,
    p00.FORMAT,
    elchemea.FORMAT,
    zplot.FORMAT,
    autolab.FORMAT,
    versastudio.FORMAT,
    chi.FORMAT,
    parstat.FORMAT,
    powersuite.FORMAT,
    delimited.FORMAT,
)


def by_name() -> dict[str, Format]:
    """Formats by name and by each alias and extension (without the dot).

    Returns
    -------
    dict
        Lower-case key -> :class:`Format`; a format's own name wins over
        another's alias.
    """
    out: dict[str, Format] = {}
    for fmt in REGISTRY:
        for key in (*fmt.aliases, *(e.lstrip(".") for e in fmt.extensions)):
            out.setdefault(key.lower(), fmt)
    for fmt in REGISTRY:
        out[fmt.name] = fmt
    return out
