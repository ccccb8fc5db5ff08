"""Read impedance spectra from instrument exports.

>>> from ssbkit.impedance.readers import read_spectra
>>> spectra = read_spectra("pellet_140C.txt")          # doctest: +SKIP

The format is detected from the content first (magic lines, column headers)
and the extension second; ``fmt`` forces one of :data:`FORMATS`. Every reader
returns spectra in the convention ``Z = Z' + j Z''`` (``Z'' < 0`` on a
capacitive arc), high to low frequency, with ``temperature_c`` from the file
(where the format stores it) or from the file name (:func:`temperature_from_name`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ...errors import FileFormatError, InputError, did_you_mean
from ..spectrum import Spectrum
from . import autolab, biologic, chi, delimited, gamry, parstat, powersuite, versastudio, zplot
from ._text import normalise_sign, read_lines

__all__ = [
    "FORMATS",
    "detect_format",
    "read_spectra",
    "read_spectrum",
    "temperature_from_name",
]

# content sniffers, most specific first; csv is the fallback
_TEXT_READERS = {
    m.NAME: m for m in (biologic, gamry, zplot, autolab, versastudio, chi, parstat, powersuite,
                        delimited)
}
#: Format names accepted by ``fmt``.
FORMATS: list[str] = [*_TEXT_READERS, "biologic-mpr"]
_ALIASES = {
    "txt": "csv", "tsv": "csv", "mpt": "biologic", "mpr": "biologic-mpr", "dta": "gamry",
    "z": "zplot", "zview": "zplot", "par": "versastudio", "ch": "chi", "chinstruments": "chi",
    "nova": "autolab",
}
_MPR_MAGIC = b"BIO-LOGIC MODULAR FILE"


def detect_format(path: str | Path, head: str | None = None) -> str:
    """The format name of ``path``, from its first lines (``head``) and its extension.

    Content wins over the extension, so a mislabelled file is still read right.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".mpr":
        return "biologic-mpr"
    if head is None:
        if path.is_dir():
            raise FileFormatError(f"{path}: is a folder, not an impedance file")
        if not path.exists():
            raise FileFormatError(f"{path}: no such file")
        with open(path, "rb") as fh:
            raw = fh.read(8192)
        if raw.startswith(_MPR_MAGIC):
            return "biologic-mpr"
        head = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    for name, module in _TEXT_READERS.items():
        if name != "csv" and module.sniff(head):
            return name
    for name, module in _TEXT_READERS.items():
        if ext in module.EXTENSIONS:
            return name
    return "csv"


def _canonical(fmt: str) -> str:
    key = fmt.strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise InputError(f"fmt={fmt!r} is not a known impedance format{did_you_mean(fmt, FORMATS)}")
    return key


def read_spectra(
    path: str | Path, *, fmt: str | None = None, z_imag_sign: str = "auto"
) -> list[Spectrum]:
    """All spectra in an impedance file.

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : str, optional
        One of :data:`FORMATS` (or an alias such as ``"mpt"``, ``"dta"``);
        detected when None.
    z_imag_sign : {"auto", "+", "-"}
        What the file's imaginary column holds: ``"+"`` Z'', ``"-"`` -Z''.
        ``"auto"`` uses the format's convention or the column header, and for
        plain tables whose header is silent, the sign most values have.

    Returns
    -------
    list of Spectrum
        One per sweep, cycle, table or segment, in file order. Sources of
        files holding several are suffixed ``#1``, ``#2``, ...

    Raises
    ------
    ssbkit.errors.FileFormatError
        Missing, empty, binary, truncated or garbled files, and bad rows
        (NaN, non-positive or duplicate frequencies), naming file and line.
    """
    path = Path(path)
    sign = normalise_sign(z_imag_sign)
    name = _canonical(fmt) if fmt else None
    if name is None:
        name = detect_format(path)
    if name == "biologic-mpr":
        spectra = biologic.read_mpr(path, z_imag_sign=sign)
    else:
        lines = read_lines(path)
        spectra = _TEXT_READERS[name].read(path, lines, z_imag_sign=sign)
    ext = path.suffix.lower()
    claimed = next((n for n, m in _TEXT_READERS.items() if n != "csv" and ext in m.EXTENSIONS),
                   None)
    if claimed is not None and claimed != name:
        note = f"extension {path.suffix} suggests {claimed}, content is {name}"
        spectra = [
            replace(s, metadata={**s.metadata, "notes": [*s.metadata.get("notes", []), note]})
            for s in spectra
        ]
    t_name = temperature_from_name(path)
    if t_name is not None:
        spectra = [
            s if s.temperature_c is not None else replace(s, temperature_c=t_name)
            for s in spectra
        ]
    return spectra


def read_spectrum(
    path: str | Path, *, fmt: str | None = None, z_imag_sign: str = "auto"
) -> Spectrum:
    """The one spectrum in an impedance file (raises if it holds several; see read_spectra)."""
    spectra = read_spectra(path, fmt=fmt, z_imag_sign=z_imag_sign)
    if len(spectra) != 1:
        raise FileFormatError(
            f"{path}: holds {len(spectra)} spectra; use read_spectra() to get them all"
        )
    return spectra[0]


_T_NAME = re.compile(
    r"(?<![A-Za-z0-9.])(-?\d+(?:\.\d+)?)\s?(°C|[Dd]eg(?:\s?C)?|DEG|oC|C|K)(?![A-Za-z0-9])"
)


def temperature_from_name(path: str | Path) -> float | None:
    """Temperature (degC) written in a file name, or None.

    Recognises ``140deg``, ``25C``, ``25degC``, ``-20C`` (after a separator),
    ``298K`` in the file name without its extension, e.g. ``s04147-140deg.txt``
    -> 140, ``LPS_25C.csv`` -> 25, ``run_298K.mpt`` -> 24.85. Sample numbers
    such as ``s04147`` are not read (a number must follow a separator).
    """
    stem = Path(path).stem
    for m in _T_NAME.finditer(stem):
        value = float(m.group(1))
        if m.start() > 0 and m.group(1).startswith("-") and stem[m.start() - 1].isalnum():
            value = -value
        if m.group(2) == "K":
            if value <= 0:
                continue
            return round(value - 273.15, 10)
        if value < -273.15:
            continue
        return value
    return None
