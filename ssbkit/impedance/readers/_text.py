"""Decoding text exports and finding their numeric tables.

:func:`read_text` handles encodings, empty and binary files; :func:`find_blocks`
groups numeric rows (any delimiter, decimal commas) and reports truncated or
garbled lines by number.

Decoding lives here; the numeric fields of a line (:func:`number`,
:func:`split_fields`, :func:`guess_delimiter`) in :mod:`._fields` and the tables
(:class:`DataBlock`, :func:`find_blocks`, :func:`merge_blocks`) in :mod:`._blocks`,
both re-exported.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import FileFormatError, InputError
from ._blocks import (  # noqa: F401
    _EMPTY,
    DataBlock,
    _next_data,
    _short,
    find_blocks,
    looks_like_header,
    merge_blocks,
    skipped_lines_note,
)
from ._fields import _WIDE, _values, guess_delimiter, number, split_fields  # noqa: F401

__all__ = [
    "DataBlock",
    "find_blocks",
    "guess_delimiter",
    "looks_like_header",
    "merge_blocks",
    "skipped_lines_note",
    "normalise_sign",
    "number",
    "decode_text",
    "read_bytes",
    "read_text",
    "split_lines",
    "split_fields",
]

_SIGNS = {
    "auto": "auto",
    "+": "+", "z": "+", "as-is": "+", "stored": "+", "1": "+", "+1": "+",
    "-": "-", "-z": "-", "negated": "-", "-1": "-",
}


def normalise_sign(z_imag_sign: str | int) -> str:
    """Map the user's ``z_imag_sign`` to ``"auto"``, ``"+"`` (file holds Z'') or ``"-"`` (-Z'').

    Parameters
    ----------
    z_imag_sign : str or int
        ``"auto"``, ``"+"``/``"z"``/``1`` or ``"-"``/``"-z"``/``-1``.

    Returns
    -------
    str
        ``"auto"``, ``"+"`` or ``"-"``.
    """
    key = str(z_imag_sign).strip().lower()
    if key not in _SIGNS:
        raise InputError(
            f"z_imag_sign={z_imag_sign!r} is not understood; use 'auto', '+' (the file "
            "holds Z'') or '-' (the file holds -Z'')"
        )
    return _SIGNS[key]


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; FileFormatError for a missing file, a folder or an empty file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    bytes
        Its content.
    """
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    if path.is_dir():
        raise FileFormatError(f"{path}: is a folder, not an impedance file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip(b" \t\r\n\x00"):
        raise FileFormatError(f"{path}: file is empty")
    return raw


def _utf16_codec(raw: bytes) -> str | None:
    """'utf-16' (BOM), 'utf-16-le'/'utf-16-be' (no BOM, NULs at odd/even bytes), or None."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = raw[:4096]
    if len(head) >= 8:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def decode_text(raw: bytes, notes: list[str] | None = None) -> str:
    """Text of an export: UTF-16 (with or without BOM), UTF-8, else cp1252/latin-1.

    BOMs (also repeated ones) are removed; where the encoding had to be guessed,
    a note is appended to ``notes``.

    Parameters
    ----------
    raw : bytes
        File content.
    notes : list of str, optional
        Receives a note when the text is not UTF-8.

    Returns
    -------
    str
        The decoded text, newlines not yet normalised.
    """
    notes = [] if notes is None else notes
    codec = _utf16_codec(raw)
    if codec:
        text = raw.decode(codec, errors="replace")
        if "\ufffd" in text:
            notes.append(f"decoded as {codec.upper()}; undecodable bytes replaced")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            try:
                text = raw.decode("cp1252")
                notes.append(f"not UTF-8 (line {line}); decoded as Windows-1252")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
                notes.append(f"not UTF-8 (line {line}); decoded as Latin-1")
    n_bom = len(text) - len(text.lstrip("\ufeff"))
    if n_bom > 1:
        notes.append(f"{n_bom} byte-order marks at the start; removed")
    return text.lstrip("\ufeff").replace("\ufeff", "")


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` with CRLF, CR-CR-LF and CR newlines normalised.

    Parameters
    ----------
    text : str
        Decoded text.

    Returns
    -------
    list of str
        Its lines without newline characters.
    """
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# control characters other than tab, newline, vertical tab, form feed, carriage return
_CONTROL = {c: None for c in [*range(0, 9), *range(14, 32)]}


def read_text(path: Path, raw: bytes | None = None) -> tuple[list[str], list[str]]:
    """Decode a text export into lines and the notes on what decoding had to repair.

    Trailing NUL padding (left by an interrupted write) is removed with a note;
    NUL or control bytes inside the text mean a binary file or a damaged one.

    Parameters
    ----------
    path : Path
        The file (named in errors).
    raw : bytes, optional
        Its content, when already read.

    Returns
    -------
    lines : list of str
        The text lines, newline characters removed.
    notes : list of str
        What was repaired or assumed.

    Raises
    ------
    ssbkit.errors.FileFormatError
        If the file is missing, empty, binary, or holds NUL bytes inside its text.
    """
    raw = read_bytes(path) if raw is None else raw
    notes: list[str] = []
    text = decode_text(raw, notes)
    stripped = text.rstrip("\x00")
    if len(stripped) < len(text):
        notes.append(f"{len(text) - len(stripped)} NUL bytes at the end of the file removed")
        text = stripped
    head = text[:8192]
    n_bad = len(head) - len(head.translate(_CONTROL))
    if text and n_bad > 0.01 * len(head):
        raise FileFormatError(
            f"{path}: binary data, not a text export (a BioLogic .mpr needs the "
            "'.mpr' extension; other instruments: export as text/CSV)"
        )
    lines = split_lines(text)
    for i, line in enumerate(lines):
        if "\x00" in line:
            raise FileFormatError(
                f"{path}, line {i + 1}: NUL byte inside the text (damaged file?)"
            )
    return lines, notes
