"""One JSON convention for every record, result file, CLI ``--json`` and store row.

Policy (the only one in ssbkit):

* output is strict JSON (``allow_nan=False``): a non-finite float (NaN, +inf,
  -inf) is written as ``null``. A reader that needs the distinction gets it from
  the record's notes, never from a string such as ``"inf"``;
* numpy scalars and arrays become numbers and lists; complex numbers
  ``[real, imag]``; tuples and sets lists; :class:`pathlib.Path` a string;
* an object with ``as_dict()`` (every :class:`ssbkit.records.Record`) or
  ``to_dict()`` is written as that dict.

Files are written atomically (:func:`write_json`): a run killed at any instant
leaves either the old file or the new one, never half of one.

Examples
--------
>>> dumps({"sigma_S_per_cm": float("nan"), "T_K": (298.15, 323.15)})
'{"sigma_S_per_cm": null, "T_K": [298.15, 323.15]}'
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["to_jsonable", "dumps", "loads", "write_json", "write_text_atomic", "input_key"]


def to_jsonable(obj: Any) -> Any:
    """Return ``obj`` as plain JSON types under the policy of this module.

    Parameters
    ----------
    obj
        Any nesting of dicts, sequences, numbers, numpy values, records.

    Returns
    -------
    object
        Dicts, lists, str, int, float (finite), bool and None only.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"z": np.array([1 + 2j]), "inf": np.inf})
    {'z': [[1.0, 2.0]], 'inf': None}
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, complex):
        return [to_jsonable(obj.real), to_jsonable(obj.imag)]
    if isinstance(obj, Path):
        return str(obj)
    np = _numpy()
    if np is not None:
        if isinstance(obj, np.ndarray):
            return to_jsonable(obj.tolist())
        if isinstance(obj, np.generic):
            return to_jsonable(obj.item())
    for name in ("as_dict", "to_dict"):
        method = getattr(obj, name, None)
        if callable(method):
            return to_jsonable(method())
    if hasattr(obj, "value") and type(obj).__module__ == "enum":  # pragma: no cover
        return to_jsonable(obj.value)
    return str(obj)


def _numpy():
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return None
    return np


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialise ``obj`` to strict JSON text (non-finite numbers -> ``null``).

    Parameters
    ----------
    obj
        Anything :func:`to_jsonable` accepts.
    **kwargs
        Passed to :func:`json.dumps` (``indent``, ``sort_keys``).

    Returns
    -------
    str
        The JSON document.
    """
    return json.dumps(to_jsonable(obj), allow_nan=False, **kwargs)


def loads(text: str) -> Any:
    """Parse JSON text written by :func:`dumps`.

    Parameters
    ----------
    text
        A JSON document.

    Returns
    -------
    object
        The decoded value.

    Raises
    ------
    ValueError
        For ``NaN``/``Infinity`` literals, which strict JSON does not have.
    """

    def _refuse(token: str) -> Any:
        raise ValueError(f"non-standard JSON number {token!r}")

    return json.loads(text, parse_constant=_refuse)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and :func:`os.replace`.

    A process killed at any instant leaves the previous file or the new one.

    Parameters
    ----------
    path
        Destination file; its folder must exist.
    text
        UTF-8 text.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | Path, obj: Any, *, indent: int = 2) -> Path:
    """Write ``obj`` as JSON to ``path`` atomically (see :func:`write_text_atomic`).

    Parameters
    ----------
    path
        Destination file.
    obj
        Anything :func:`to_jsonable` accepts.
    indent
        Indentation of the document.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return write_text_atomic(path, dumps(obj, indent=indent) + "\n")


def input_key(obj: Any) -> str:
    """A stable 32-hex-digit SHA-256 key of an input (for resume and de-duplication).

    Parameters
    ----------
    obj
        Anything :func:`to_jsonable` accepts; dict key order does not matter.

    Returns
    -------
    str
        32 hexadecimal digits.

    Examples
    --------
    >>> input_key({"b": 1, "a": 2}) == input_key({"a": 2, "b": 1})
    True
    """
    text = json.dumps(to_jsonable(obj), sort_keys=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
