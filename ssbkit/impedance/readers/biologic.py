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
from ._format import Format
from ._table import header_temperature_c, spectra_from_blocks, spectra_from_table
from ._text import find_blocks

__all__ = ["EXTENSIONS", "FORMAT", "MPR_FORMAT", "NAME", "read", "read_mpr", "sniff"]

NAME = "biologic"
EXTENSIONS = (".mpt",)
_MAGIC = ("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")
_MPR_MAGIC = "BIO-LOGIC MODULAR FILE"


def sniff(head: str) -> bool:
    """True for an EC-Lab/BT-Lab ASCII export.

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return head.lstrip().startswith(_MAGIC) or head.lstrip().startswith("freq/Hz\t")


def read(path: Path, lines: list[str], *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra in a BioLogic ``.mpt`` file.

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
    n_header = 1
    if len(lines) > 1 and lines[0].strip().startswith(_MAGIC):
        m = next((m for ln in lines[1:5]
                  if (m := re.search(r"header lines\s*:\s*(\d{1,9})\b", ln))), None)
        if not m:
            raise FileFormatError(f"{path}, line 2: expected 'Nb header lines : N'")
        n_header = int(m.group(1))
        if n_header > len(lines):
            raise FileFormatError(
                f"{path}: header says {n_header} lines but the file has {len(lines)} "
                "(truncated file?)"
            )
    blocks = find_blocks(path, lines, "\t", start=max(n_header - 1, 0))
    notes: list[str] = []
    t_c = header_temperature_c(lines[: n_header - 1], notes)
    return spectra_from_blocks(
        path, blocks, "\t", fmt=NAME, z_imag_sign=z_imag_sign, guess_sign=False,
        headerless_ok=False, temperature_c=t_c, metadata={"notes": notes},
        skip_zero_frequency=True,
    )


def read_mpr(path: Path, raw: bytes | None = None, *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra in a binary BioLogic ``.mpr`` file, read with the optional ``galvani``.

    A file that also holds other techniques (GCPL, OCV... beside PEIS/GEIS)
    gives its impedance rows, with a note on how many rows were skipped.
    galvani is GPL-licensed and therefore an optional extra; without it this
    raises a :class:`~ssbkit.errors.FileFormatError` that says how to proceed.

    Parameters
    ----------
    path : Path
        The ``.mpr`` file.
    raw : bytes, optional
        Unused (galvani reads the file itself); accepted for the registry.
    z_imag_sign : {"auto", "+", "-"}
        See :func:`ssbkit.impedance.readers.read_spectra`.

    Returns
    -------
    list of Spectrum
        One per impedance cycle or sweep.
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
        names = list(data.dtype.names or ())
        values = np.column_stack([np.asarray(data[n], dtype=float) for n in names])
    except Exception as exc:  # galvani raises many kinds on a bad file
        raise FileFormatError(f"{path}: not a readable BioLogic .mpr file ({exc})") from None
    cols = identify_columns(names)
    if cols is None:
        raise FileFormatError(
            f"{path}: no impedance columns in this .mpr (has {names[:8]}); "
            "is it an EIS technique file? (cycling data: ssbkit cell cycling)"
        )
    rows = np.arange(1, values.shape[0] + 1)
    notes = []
    freq = values[:, cols.freq]
    eis = np.isfinite(freq) & (freq > 0)
    if not eis.any():
        raise FileFormatError(f"{path}: the .mpr has impedance columns but no impedance rows "
                              "(all frequencies 0: a non-EIS technique)")
    if not eis.all():
        notes.append(f"{int((~eis).sum())} of {eis.size} data rows belong to other techniques "
                     "(no frequency: cycling, OCV, ...) and were skipped; read them with "
                     "ssbkit cell cycling")
        values, rows = values[eis], rows[eis]
    return spectra_from_table(
        path, values, rows, cols, fmt="biologic-mpr", z_imag_sign=z_imag_sign,
        guess_sign=False, metadata={"notes": notes},
    )


FORMAT = Format(NAME, read, "BioLogic EC-Lab/BT-Lab text export .mpt", EXTENSIONS, sniff=sniff,
                aliases=("mpt", "eclab", "ec-lab"))
MPR_FORMAT = Format(
    "biologic-mpr", read_mpr, "BioLogic EC-Lab binary .mpr (needs galvani; PEIS part of a "
    "mixed-technique file)", (".mpr",), sniff=lambda head: head.startswith(_MPR_MAGIC),
    binary=True, aliases=("mpr",),
)
