"""BioLogic EC-Lab exports: text ``.mpt`` and, through galvani, binary ``.mpr``.

``.mpt``: line 2 says ``Nb header lines : N``; the tab-separated column header
is line N, with ``freq/Hz``, ``Re(Z)/Ohm`` and ``-Im(Z)/Ohm`` (the file holds
-Z''). Several cycles (``cycle number``) or repeated sweeps become separate
spectra; all-zero rows of non-impedance steps are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...errors import FileFormatError
from ..spectrum import Spectrum
from ._columns import identify_columns
from ._table import header_temperature_c, spectra_from_blocks, spectra_from_table
from ._text import find_blocks

__all__ = ["EXTENSIONS", "NAME", "read", "read_mpr", "sniff"]

NAME = "biologic"
EXTENSIONS = (".mpt",)
_MAGIC = ("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")


def sniff(head: str) -> bool:
    """True for an EC-Lab/BT-Lab ASCII export."""
    return head.lstrip().startswith(_MAGIC) or head.lstrip().startswith("freq/Hz\t")


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra in a BioLogic ``.mpt`` file."""
    n_header = 1
    if len(lines) > 1 and lines[0].strip().startswith(_MAGIC):
        m = re.search(r"header lines\s*:\s*(\d+)", lines[1])
        if not m:
            raise FileFormatError(f"{path}, line 2: expected 'Nb header lines : N'")
        n_header = int(m.group(1))
        if n_header > len(lines):
            raise FileFormatError(
                f"{path}: header says {n_header} lines but the file has {len(lines)} "
                "(truncated file?)"
            )
    blocks = find_blocks(path, lines, "\t", start=max(n_header - 1, 0))
    return spectra_from_blocks(
        path, blocks, "\t", fmt=NAME, z_imag_sign=z_imag_sign, guess_sign=False,
        headerless_ok=False, temperature_c=header_temperature_c(lines[: n_header - 1]),
    )


def read_mpr(path: Path, *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra in a binary BioLogic ``.mpr`` file, read with the optional ``galvani``.

    galvani is GPL-licensed and therefore an optional extra; without it this
    raises a :class:`~ssbkit.errors.FileFormatError` that says how to proceed.
    """
    try:
        from galvani import BioLogic
    except ImportError:
        raise FileFormatError(
            f"{path}: reading BioLogic .mpr needs the optional package 'galvani' (GPL): "
            "pip install galvani, or export the file as .mpt from EC-Lab"
        ) from None
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    try:
        data = BioLogic.MPRfile(str(path)).data
    except Exception as exc:  # galvani raises many kinds on a bad file
        raise FileFormatError(f"{path}: not a readable BioLogic .mpr file ({exc})") from None
    names = list(data.dtype.names or ())
    cols = identify_columns(names)
    if cols is None:
        raise FileFormatError(
            f"{path}: no impedance columns in this .mpr (has {names[:8]}); "
            "is it an EIS technique file?"
        )
    values = np.column_stack([np.asarray(data[n], dtype=float) for n in names])
    return spectra_from_table(
        path, values, np.arange(1, values.shape[0] + 1), cols, fmt="biologic-mpr",
        z_imag_sign=z_imag_sign, guess_sign=False,
    )
