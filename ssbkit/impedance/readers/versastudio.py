"""Princeton Applied Research VersaStudio ``.par`` files.

XML-like sections; the data of ``<SegmentK>`` follow its ``Definition=`` line
(comma-separated names incl. ``Frequency(Hz)``, ``Z Real``, ``Z Imag``); Z Imag
is stored as Z''. Each segment with impedance columns gives one spectrum.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import identify_columns
from ._format import Format
from ._table import spectra_from_table
from ._text import find_blocks, merge_blocks, split_fields

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "versastudio"
EXTENSIONS = (".par",)


def sniff(head: str) -> bool:
    """True for a VersaStudio ``.par`` file.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return "<Application>" in head and "VersaStudio" in head


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra of the impedance segments of a ``.par`` file.

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
    out: list[Spectrum] = []
    i = 0
    while i < len(lines):
        m = re.match(r"\s*<Segment(\d{1,9})>", lines[i])
        if not m:
            i += 1
            continue
        close = f"</Segment{m.group(1)}>"
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == close), None)
        if end is None:
            raise FileFormatError(f"{path}, line {i + 1}: <Segment{m.group(1)}> is never closed "
                                  "(truncated file?)")
        define = next((j for j in range(i, end) if lines[j].startswith("Definition=")), None)
        if define is not None:
            names = split_fields(lines[define].split("=", 1)[1], ",")
            cols = identify_columns(names)
            if cols is not None:
                b = merge_blocks(path, find_blocks(path, lines, ",", start=define + 1, stop=end),
                                 leading_is_junk=True)
                if b is not None:
                    out.extend(spectra_from_table(
                        path, b.values, b.line_numbers, cols, fmt=NAME,
                        z_imag_sign=z_imag_sign, guess_sign=False,
                        metadata={"segment": int(m.group(1)), "notes": b.notes},
                    ))
        i = end + 1
    if not out:
        raise FileFormatError(f"{path}: no segment with Frequency and Z Real/Z Imag columns")
    return out


FORMAT = Format(
    NAME,
    read,
    "Princeton Applied Research VersaStudio .par",
    EXTENSIONS,
    sniff=sniff,
    aliases=("par",),
)
