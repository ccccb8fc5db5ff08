"""Gamry Framework ``.DTA`` files, complete or aborted.

The impedance is the ``ZCURVE TABLE``: a line of column names (``Pt Time Freq
Zreal Zimag Zsig Zmod Zphz ...``), a line of units, then tab-indented rows. An
aborted run stops early and carries ``EXPERIMENTABORTED``; its rows up to that
point are read and ``metadata["aborted"]`` is set.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import identify_columns
from ._format import Format
from ._table import spectra_from_table
from ._text import find_blocks, merge_blocks, split_fields

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "gamry"
# a Gamry key line (``KEY<TAB>TYPE...``, not indented) ends a table
_KEY_LINE = re.compile(r"[A-Z][A-Z0-9_]*\t[A-Z]+")
EXTENSIONS = (".dta",)


def sniff(head: str) -> bool:
    """True for a Gamry Framework data file.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return head.lstrip().startswith("EXPLAIN") or "ZCURVE\tTABLE" in head


def _spectra(
    path: Path, b, cols, names: list[str], meta: dict, z_imag_sign: str
) -> list[Spectrum]:
    """The table's spectrum, or with drift correction on, the corrected and the raw one."""
    if "ZrealDrCor" not in names or "ZimagDrCor" not in names:
        return spectra_from_table(path, b.values, b.line_numbers, cols, fmt=NAME,
                                  z_imag_sign=z_imag_sign, guess_sign=False, metadata=meta)
    out = []
    corrected = replace(cols, real=names.index("ZrealDrCor"), imag=names.index("ZimagDrCor"))
    for label, c, other in (("drift-corrected", corrected, "uncorrected (Zreal, Zimag)"),
                            ("uncorrected", cols, "drift-corrected (ZrealDrCor, ZimagDrCor)")):
        m = {**meta, "drift_corrected": label == "drift-corrected",
             "notes": [*meta.get("notes", []),
                       f"Gamry drift correction was on: this is the {label} spectrum; the "
                       f"{other} one is returned beside it"]}
        for s in spectra_from_table(path, b.values, b.line_numbers, c, fmt=NAME,
                                    z_imag_sign=z_imag_sign, guess_sign=False, metadata=m):
            out.append(replace(s, source=f"{s.source}#{label}"))
    return out


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra of every ``ZCURVE`` table in a Gamry ``.DTA`` file.

    With drift correction on (columns ``ZrealDrCor``/``ZimagDrCor``), each
    table gives two spectra: the drift-corrected one first (source suffix
    ``#drift-corrected``), then the uncorrected one (``#uncorrected``).

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
        In file order.
    """
    aborted = any(ln.startswith("EXPERIMENTABORTED") for ln in lines)
    starts = [i for i, ln in enumerate(lines) if ln.startswith("ZCURVE") and "TABLE" in ln]
    if not starts:
        raise FileFormatError(f"{path}: no 'ZCURVE TABLE' in this Gamry file (not an EIS run?)")
    out: list[Spectrum] = []
    for i in starts:
        if i + 2 >= len(lines):
            raise FileFormatError(f"{path}, line {i + 1}: ZCURVE table has no rows (truncated?)")
        h = next((j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].strip()), i + 1)
        names = split_fields(lines[h], "\t")
        cols = identify_columns(names)
        if cols is None:
            raise FileFormatError(
                f"{path}, line {h + 1}: ZCURVE columns {names} lack Freq, Zreal, Zimag"
            )
        i = h - 1  # the units line follows the column line
        end = i + 3
        while end < len(lines) and not _KEY_LINE.match(lines[end]):
            end += 1
        block = merge_blocks(path, find_blocks(path, lines, "\t", start=i + 3, stop=end),
                             leading_is_junk=True)
        if block is None:
            raise FileFormatError(f"{path}, line {i + 1}: ZCURVE table has no rows")
        notes = ["run was aborted: the spectrum stops early"] if aborted else []
        m = {"aborted": aborted, "notes": [*notes, *block.notes]}
        out.extend(_spectra(path, block, cols, names, m, z_imag_sign))
    return out


FORMAT = Format(
    NAME,
    read,
    "Gamry Framework .DTA (ZCURVE; drift-corrected columns too)",
    EXTENSIONS,
    sniff=sniff,
    aliases=("dta",),
)
