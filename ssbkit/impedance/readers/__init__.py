"""Read impedance spectra from instrument exports.

>>> from ssbkit.impedance.readers import read_spectra
>>> spectra = read_spectra("pellet_140C.txt")          # doctest: +SKIP

The format is detected from the content first (magic lines, column headers)
and the extension second; ``format`` forces one of :data:`FORMATS`. The list
of formats is :data:`REGISTRY` (module ``_registry``): one :class:`Format`
per format, made in that format's module. Every reader
returns spectra in the convention ``Z = Z' + j Z''`` (``Z'' < 0`` on a
capacitive arc), high to low frequency, with ``temperature_c`` from the file
(where the format stores it) or from the file name (:func:`temperature_from_name`).
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import FileFormatError, InputError, SsbkitError, did_you_mean
from ..spectrum import Spectrum
from ._format import Format
from ._registry import REGISTRY, by_name
from ._text import decode_text, normalise_sign, read_bytes, read_text

__all__ = [
    "FORMATS",
    "REGISTRY",
    "Format",
    "detect_format",
    "known_formats",
    "read_spectra",
    "read_spectrum",
    "temperature_from_name",
]

#: Format names accepted by ``format`` (aliases and extensions work too).
FORMATS: list[str] = [f.name for f in REGISTRY]
_FALLBACK = "csv"


def known_formats() -> str:
    """One line per registered format: name, extensions, description.

    Returns
    -------
    str
        A table for help texts and error messages.

    Examples
    --------
    >>> "gamry" in known_formats() and "ivium" in known_formats()
    True
    """
    return "\n".join(
        f"  {f.name:<13} {' '.join(f.extensions) or '(by content)':<32} {f.description}"
        for f in REGISTRY
    )


def _head(path: Path) -> str:
    if path.is_dir():
        raise FileFormatError(f"{path}: is a folder, not an impedance file")
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(8192)
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if raw.startswith(b"PK"):  # zip container: sniff on the raw bytes
        return raw.decode("latin-1")
    return decode_text(raw)


def detect_format(path: str | Path, head: str | None = None) -> str:
    """The format name of ``path``, from its content and its extension.

    Content wins over the extension (a mislabelled file is still read right);
    a file no sniffer claims goes by its extension, any other text is ``csv``.

    Parameters
    ----------
    path : str or Path
        The file.
    head : str, optional
        Its first few KiB as text, when already read.

    Returns
    -------
    str
        One of :data:`FORMATS`.
    """
    path = Path(path)
    if head is None:
        head = _head(path)
    head = head.lstrip("\ufeff")
    for fmt in REGISTRY:
        if fmt.sniff(head):
            return fmt.name
    ext = path.suffix.lower()
    for fmt in REGISTRY:
        if ext in fmt.extensions:
            return fmt.name
    return _FALLBACK


def _resolve(format: str) -> Format:
    table = by_name()
    key = str(format).strip().lower().lstrip(".")
    if key not in table:
        raise InputError(
            f"format={format!r} is not a known impedance format"
            f"{did_you_mean(key, list(table))}; known formats:\n{known_formats()}"
        )
    return table[key]


def _read_unguarded(path: Path, fmt: Format, sign: str) -> list[Spectrum]:
    """Read with ``fmt``; exceptions other than SsbkitError pass through (for the fuzz tests)."""
    raw = read_bytes(path)
    if fmt.binary:
        return fmt.read(path, raw, z_imag_sign=sign)
    lines, notes = read_text(path, raw)
    spectra = fmt.read(path, lines, z_imag_sign=sign)
    return [s.with_notes(*notes) for s in spectra]


def read_spectra(
    path: str | Path,
    format: str | None = None,
    *,
    fmt: str | None = None,
    z_imag_sign: str = "auto",
) -> list[Spectrum]:
    """All spectra in an impedance file.

    Parameters
    ----------
    path : str or Path
        The file.
    format : str, optional
        One of :data:`FORMATS` (or an alias/extension such as ``"mpt"``,
        ``"dta"``, ``"xlsx"``); detected from content and extension when None.
    fmt : str, optional
        Older spelling of ``format``.
    z_imag_sign : {"auto", "+", "-"}
        What the file's imaginary column holds: ``"+"`` Z'', ``"-"`` -Z''.
        ``"auto"`` uses the format's convention or the column header, and for
        plain tables whose header is silent, the sign most values have.

    Returns
    -------
    list of Spectrum
        One per sweep, cycle, table or segment, in file order. Sources of
        files holding several are suffixed ``#1``, ``#2``, ... Each spectrum's
        ``notes`` say what was skipped, repaired, split or assumed.

    Raises
    ------
    ssbkit.errors.FileFormatError
        Missing, empty, binary, truncated or garbled files, and bad rows
        (NaN, non-positive or duplicate frequencies), naming file and line.
        No other exception type leaves this function for a bad file.
    ssbkit.errors.InputError
        For an unknown ``format`` (the message lists the known ones).
    """
    path = Path(path)
    sign = normalise_sign(z_imag_sign)
    chosen = format if format is not None else fmt
    if chosen is not None:
        reader = _resolve(chosen)
    else:
        reader = _resolve(detect_format(path))
    try:
        spectra = _read_unguarded(path, reader, sign)
    except SsbkitError:
        raise
    except (MemoryError, RecursionError, Exception) as exc:  # noqa: BLE001 - the error contract
        raise FileFormatError(
            f"{path}: could not be read as {reader.name} ({type(exc).__name__}: "
            f"{str(exc)[:160]}); the file looks damaged - please report it if it is not"
        ) from None
    return _annotate(path, reader, spectra)


def _annotate(path: Path, reader: Format, spectra: list[Spectrum]) -> list[Spectrum]:
    """Add the extension-mismatch note and the temperature from the file name."""
    from dataclasses import replace

    ext = path.suffix.lower()
    claimed = next((f.name for f in REGISTRY if f.name != _FALLBACK and ext in f.extensions),
                   None)
    if claimed is not None and claimed != reader.name:
        note = f"extension {path.suffix} suggests {claimed}, content is {reader.name}"
        spectra = [s.with_notes(note) for s in spectra]
    t_name = temperature_from_name(path)
    if t_name is not None:
        spectra = [
            s if s.temperature_c is not None else replace(s, temperature_c=t_name)
            for s in spectra
        ]
    return spectra


def read_spectrum(
    path: str | Path,
    format: str | None = None,
    *,
    fmt: str | None = None,
    z_imag_sign: str = "auto",
) -> Spectrum:
    """The one spectrum in an impedance file.

    Parameters
    ----------
    path : str or Path
        The file.
    format, fmt, z_imag_sign
        As for :func:`read_spectra`.

    Returns
    -------
    Spectrum
        The spectrum.

    Raises
    ------
    ssbkit.errors.FileFormatError
        As :func:`read_spectra`, and when the file holds several spectra.
    """
    spectra = read_spectra(path, format, fmt=fmt, z_imag_sign=z_imag_sign)
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

    Parameters
    ----------
    path : str or Path
        The file name.

    Returns
    -------
    float or None
        The temperature in degC.

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
