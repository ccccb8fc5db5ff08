"""Uploaded files: generated names, size limits, type checks.

A file is stored as ``<data_dir>/files/<random hex><extension>``; the name it
was uploaded under is kept as metadata only (never part of a path), so no
upload can write or read outside the data folder.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from ssbkit.errors import InputError

__all__ = ["paths_outside", "UploadTooLarge", "clean_name", "extension", "check_type", "store_stream", "stored_path"]

_CHUNK = 1 << 20
_BINARY_OK = {".mpr", ".tif", ".tiff", ".npy", ".raw"}
_MAGIC = {".tif": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"), ".tiff": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
          ".npy": (b"\x93NUMPY",), ".mpr": (b"BIO-LOGIC",)}


class UploadTooLarge(InputError):
    """An upload over the server's size limit."""


def clean_name(name: str | None) -> str:
    """The last path component of an uploaded name, control characters removed, at most 200 characters.

    Parameters
    ----------
    name
        As the browser sent it (may hold ``../`` or ``C:\\``).

    Returns
    -------
    str

    Examples
    --------
    >>> clean_name("../../etc/passwd")
    'passwd'
    >>> clean_name("C:\\\\data\\\\s1_25C.txt")
    's1_25C.txt'
    """
    base = PureWindowsPath(PurePosixPath(str(name or "")).name).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".") or "upload"
    return base[:200]


def extension(name: str) -> str:
    """Lower-case extension of a name (``""`` when none).

    Parameters
    ----------
    name
        File name.

    Returns
    -------
    str
    """
    return Path(name).suffix.lower()


def check_type(name: str, head: bytes, allowed: tuple[str, ...], kind: str) -> str:
    """The extension of ``name`` if allowed for ``kind`` and the content looks like it.

    Parameters
    ----------
    name
        Cleaned uploaded name.
    head
        First bytes of the content.
    allowed
        Extensions accepted for this kind of measurement.
    kind
        For the message.

    Returns
    -------
    str
        The extension.

    Raises
    ------
    InputError
        A type not accepted, or content that does not match it (binary in a text
        file, a TIFF without its signature, ...).
    """
    ext = extension(name)
    if ext not in allowed:
        raise InputError(f"{name}: {ext or 'no extension'} is not accepted for {kind} files "
                         f"(accepted: {', '.join(allowed)})")
    if ext in _MAGIC and not head.startswith(_MAGIC[ext]):
        raise InputError(f"{name}: the content is not a {ext} file")
    if ext not in _BINARY_OK and b"\x00" in head[:8192]:
        raise InputError(f"{name}: binary content in a text format ({ext})")
    return ext


def stored_path(data_dir: Path, stored_name: str) -> Path:
    """Path of a stored file; refuses any name that is not one this module generated.

    Parameters
    ----------
    data_dir
        The server's data folder.
    stored_name
        From the files table.

    Returns
    -------
    Path
    """
    stem, _, ext = stored_name.partition(".")
    if len(stem) != 32 or any(c not in "0123456789abcdef" for c in stem) or not ext.isalnum():
        raise InputError(f"not a stored file name: {stored_name!r}")
    return data_dir / "files" / stored_name


def store_stream(data_dir: Path, chunks, ext: str, *, limit_bytes: int, name: str) -> tuple[str, int, str]:
    """Write an upload's chunks under a generated name, stopping at ``limit_bytes``.

    Parameters
    ----------
    data_dir
        The server's data folder.
    chunks
        Iterable of bytes.
    ext
        Checked extension.
    limit_bytes
        Size limit.
    name
        Uploaded name, for the message.

    Returns
    -------
    tuple
        ``(stored_name, size_bytes, sha256)``.

    Raises
    ------
    UploadTooLarge
        Over the limit (nothing is kept).
    """
    folder = data_dir / "files"
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16) + ext
    path = folder / stored
    h, size = hashlib.sha256(), 0
    try:
        with open(path, "xb") as fh:
            for chunk in chunks:
                size += len(chunk)
                if size > limit_bytes:
                    raise UploadTooLarge(f"{name}: larger than this server's upload limit of "
                                         f"{limit_bytes / 1048576:g} MB")
                h.update(chunk)
                fh.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    os.chmod(path, 0o640)
    return stored, size, h.hexdigest()


def paths_outside(obj, where: str = "") -> list[str]:
    """Strings in a parsed study that point outside its own folder (absolute, home, parent, drive).

    Parameters
    ----------
    obj
        Dict / list / string tree (a parsed TOML).
    where
        Key path so far (for the message).

    Returns
    -------
    list of str
        ``"key = 'value'"`` for each offending string.

    Examples
    --------
    >>> paths_outside({"impedance": {"files": ["a.csv", "/etc/passwd", "../x"]}})
    ["impedance.files[1] = '/etc/passwd'", "impedance.files[2] = '../x'"]
    """
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in paths_outside(v, f"{where}.{k}" if where else str(k))]
    if isinstance(obj, list):
        return [x for i, v in enumerate(obj) for x in paths_outside(v, f"{where}[{i}]")]
    if isinstance(obj, str):
        t = obj.strip().replace("\\", "/")
        if t.startswith(("/", "~")) or ".." in t.split("/") or (len(t) > 1 and t[1] == ":"):
            return [f"{where} = {obj!r}"]
    return []
