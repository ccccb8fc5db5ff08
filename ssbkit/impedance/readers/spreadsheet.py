"""Spreadsheets: Excel ``.xlsx``/``.xls`` and OpenDocument ``.ods`` (flat ``.fods``: save as .ods).

Every sheet is read as a table (through pandas with openpyxl or odfpy) and
handled like a CSV export: columns are named by the header row, the Z'' sign
is taken from the header, and errors name the sheet and row (``line``).
Sheets without an impedance table are skipped with a note.
"""

from __future__ import annotations

import math
from pathlib import Path

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._format import Format
from ._table import spectra_from_blocks
from ._text import find_blocks

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "spreadsheet"
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
_ENGINES = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".xls": "xlrd", ".ods": "odf"}
_PACKAGES = {"openpyxl": "openpyxl", "xlrd": "xlrd", "odf": "odfpy"}


def sniff(head: str) -> bool:
    """True for an OpenDocument spreadsheet (its ``mimetype`` entry comes first).

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return head.startswith("PK") and "application/vnd.oasis.opendocument.spreadsheet" in head[:200]


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return str(v).replace("\t", " ").replace("\n", " ")


def _sheets(path: Path) -> dict:
    ext = path.suffix.lower()
    engine = _ENGINES.get(ext, "openpyxl")
    try:
        import pandas as pd

        return pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine=engine)
    except ImportError:
        raise FileFormatError(
            f"{path}: reading {ext} spreadsheets needs the optional package "
            f"'{_PACKAGES[engine]}': pip install {_PACKAGES[engine]} (or export as CSV)"
        ) from None
    except Exception as exc:  # zip, XML and cell errors of the engines
        raise FileFormatError(f"{path}: not a readable {ext} spreadsheet "
                              f"({type(exc).__name__}: {str(exc)[:120]})") from None


def read(path: Path, raw: bytes | None = None, *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra of every sheet that holds an impedance table.

    Parameters
    ----------
    path : Path
        The workbook.
    raw : bytes, optional
        Unused (the engine reads the file); accepted for the registry.
    z_imag_sign : {"auto", "+", "-"}
        See :func:`ssbkit.impedance.readers.read_spectra`.

    Returns
    -------
    list of Spectrum
        In sheet order; sources carry ``[sheet]`` when the workbook has several sheets.
    """
    sheets = _sheets(path)
    out: list[Spectrum] = []
    skipped: list[str] = []
    for name, df in sheets.items():
        lines = ["\t".join(_cell(v) for v in row) for row in df.itertuples(index=False)]
        where = Path(f"{path}[{name}]") if len(sheets) > 1 else path
        blocks = find_blocks(where, lines, "\t")
        if not blocks:
            skipped.append(str(name))
            continue
        try:
            found = spectra_from_blocks(where, blocks, "\t", fmt=NAME, z_imag_sign=z_imag_sign,
                                        guess_sign=True, metadata={"sheet": str(name)})
        except FileFormatError:
            if len(sheets) == 1:
                raise
            skipped.append(str(name))
            continue
        out.extend(found)
    if not out:
        raise FileFormatError(f"{path}: no sheet holds an impedance table "
                              f"(sheets: {list(map(str, sheets))[:8]})")
    if skipped:
        out = [s.with_notes(f"sheet(s) without an impedance table skipped: {skipped[:8]}")
               for s in out]
    return out


FORMAT = Format(NAME, read, "Spreadsheet .xlsx/.xls/.ods (each sheet a table)",
                EXTENSIONS, sniff=sniff, binary=True, aliases=("xlsx", "ods", "excel"))
