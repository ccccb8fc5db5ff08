"""Read a TOML file (study, design) the way users save them: BOMs, CRLF, clear errors.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
>>> _ = p.write_bytes(b"\\xef\\xbb\\xbf[study]\\r\\nname = 'x'\\r\\n")
>>> read_toml(p)
{'study': {'name': 'x'}}
"""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path
from typing import Any

from .errors import FileFormatError, InputError

__all__ = ["read_toml"]

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_toml(path: str | Path, *, what: str = "TOML file") -> dict[str, Any]:
    """Parse ``path`` as TOML, accepting UTF-8 with or without BOM and UTF-16 with BOM.

    Parameters
    ----------
    path
        The file.
    what
        How messages name the file (``"study file"``, ``"design file"``).

    Returns
    -------
    dict
        The parsed document.

    Raises
    ------
    InputError
        The file does not exist.
    FileFormatError
        Not text, or not valid TOML (the message gives the line and column).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} {str(p)!r} does not exist")
    data = p.read_bytes()
    encoding = "utf-8"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileFormatError(f"{what} {str(p)!r} line {line}: not UTF-8 text") from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FileFormatError(f"{what} {str(p)!r} line {line}: contains NUL bytes (not a text file)")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError(f"{what} {str(p)!r} is not valid TOML: {exc}") from None
