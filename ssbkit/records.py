"""The one record convention: frozen dataclasses that round-trip through dicts and JSON.

Every result ssbkit returns (a fit, a series, a cell design, a diffusion
analysis) is a frozen dataclass that inherits :class:`Record`. It gets

``as_dict()`` (alias ``to_dict()``)
    a JSON-ready dict (``@class`` names the record; numpy arrays become lists,
    complex arrays ``{"real": [...], "imag": [...]}``, nested records dicts,
    non-finite floats ``None``: the policy of :mod:`ssbkit.jsonio`);
``from_dict(d)``
    the record back, with arrays, tuples and nested records rebuilt from the
    field annotations (``None`` becomes NaN in a ``float`` field);
``to_json()`` / ``from_json(text)``
    the same through :func:`ssbkit.jsonio.dumps`.

This follows pymatgen/monty's ``as_dict``/``from_dict`` convention without
monty's ``@module`` envelopes for numpy arrays, so that result files stay
readable by people and by other languages.

Examples
--------
>>> from dataclasses import dataclass
>>> import numpy as np
>>> @dataclass(frozen=True)
... class Point(Record):
...     t_K: float
...     sigma_S_per_cm: np.ndarray
>>> p = Point(298.15, np.array([1e-3, 2e-3]))
>>> q = Point.from_json(p.to_json())
>>> q.t_K, np.array_equal(q.sigma_S_per_cm, p.sigma_S_per_cm)
(298.15, True)
"""

from __future__ import annotations

import dataclasses
import math
import sys
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin

import numpy as np

from .jsonio import dumps, loads, to_jsonable

__all__ = ["Record", "record_from_dict"]

R = TypeVar("R", bound="Record")


class Record:
    """Mixin for frozen dataclasses: dict/JSON round trip (see module docstring).

    Subclasses may override :meth:`as_dict` to add derived values (extra keys
    are ignored by :meth:`from_dict`) or :meth:`from_dict` for legacy layouts.
    """

    #: registry of record classes by qualified name, for :func:`record_from_dict`
    _registry: ClassVar[dict[str, type[Record]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Record._registry[f"{cls.__module__}.{cls.__qualname__}"] = cls
        # the defining module's namespace, to resolve string annotations later
        _NAMESPACES[cls] = sys._getframe(1).f_globals

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field plus ``@class``.

        Returns
        -------
        dict
            Arrays as lists (complex as ``{"real", "imag"}``), nested records as dicts,
            non-finite floats as None.
        """
        out: dict[str, Any] = {"@class": f"{type(self).__module__}.{type(self).__qualname__}"}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            out[f.name] = _encode(getattr(self, f.name))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Alias of :meth:`as_dict`.

        Returns
        -------
        dict
            See :meth:`as_dict`.
        """
        return self.as_dict()

    @classmethod
    def from_dict(cls: type[R], d: dict[str, Any]) -> R:
        """Rebuild the record from :meth:`as_dict` output (unknown keys are ignored).

        Parameters
        ----------
        d
            A dict as :meth:`as_dict` writes it.

        Returns
        -------
        Record
            An instance of the class this is called on.
        """
        hints = _hints(cls)  # type: ignore[arg-type]
        kwargs = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in d and f.init:
                kwargs[f.name] = _decode(d[f.name], hints.get(f.name, Any))
        return cls(**kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """Strict JSON text of :meth:`as_dict`.

        Parameters
        ----------
        **kwargs
            Passed to :func:`json.dumps` (``indent``).

        Returns
        -------
        str
            The JSON document.
        """
        return dumps(self.as_dict(), **kwargs)

    @classmethod
    def from_json(cls: type[R], text: str) -> R:
        """Inverse of :meth:`to_json`.

        Parameters
        ----------
        text
            A JSON document written by :meth:`to_json`.

        Returns
        -------
        Record
            An instance of the class this is called on.
        """
        return cls.from_dict(loads(text))


def record_from_dict(d: dict[str, Any]) -> Any:
    """Rebuild any registered record from a dict carrying ``@class``.

    Parameters
    ----------
    d
        A dict written by :meth:`Record.as_dict`.

    Returns
    -------
    Record
        An instance of the class named in ``d["@class"]``.

    Raises
    ------
    InputError
        Unknown class name.
    """
    name = d.get("@class")
    if name not in Record._registry:
        from .errors import InputError

        raise InputError(f"unknown record class {name!r}")
    return Record._registry[name].from_dict(d)


_NAMESPACES: dict[type, dict[str, Any]] = {}


@cache
def _hints(cls: type) -> dict[str, Any]:
    ns: dict[str, Any] = {"np": np, "typing": typing}
    for klass in reversed(cls.__mro__):
        ns.update(_NAMESPACES.get(klass, {}))
    mod = sys.modules.get(cls.__module__)
    if mod is not None:
        ns.update(vars(mod))
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        tp = f.type
        if isinstance(tp, str):
            try:
                tp = eval(tp, ns)  # noqa: S307 - a field annotation of our own code
            except Exception:  # unresolvable: decode without a hint
                tp = Any
        out[f.name] = tp
    return out


def _encode(v: Any) -> Any:
    if isinstance(v, Record):
        return v.as_dict()
    if isinstance(v, np.ndarray) and np.iscomplexobj(v):
        return {"real": to_jsonable(v.real), "imag": to_jsonable(v.imag)}
    if isinstance(v, dict):
        return {str(k): _encode(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_encode(x) for x in v]
    if isinstance(v, Path):
        return str(v)
    return to_jsonable(v)


def _decode(v: Any, tp: Any) -> Any:
    if v is None:
        return math.nan if tp is float else None
    origin = get_origin(tp)
    args = get_args(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _decode(v, inner[0])
        return _decode_untyped(v)
    if isinstance(tp, type) and issubclass(tp, Record) and isinstance(v, dict):
        return tp.from_dict(v)
    if tp is np.ndarray or origin is np.ndarray:
        return _to_array(v)
    if tp is float:
        return float(v)
    if tp is Path:
        return Path(v)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(x, args[0]) for x in v)
        if args:
            return tuple(_decode(x, a) for x, a in zip(v, args, strict=False))
        return tuple(v)
    if origin is list:
        return [_decode(x, args[0] if args else Any) for x in v]
    if origin is dict:
        vt = args[1] if len(args) == 2 else Any
        return {k: _decode(x, vt) for k, x in v.items()}
    return _decode_untyped(v)


def _decode_untyped(v: Any) -> Any:
    if isinstance(v, dict) and "@class" in v and v["@class"] in Record._registry:
        return record_from_dict(v)
    return v


def _to_array(v: Any) -> np.ndarray:
    if isinstance(v, dict) and set(v) == {"real", "imag"}:
        return _to_array(v["real"]) + 1j * _to_array(v["imag"])
    arr = np.asarray(_nan_for_none(v))
    if arr.dtype == object:
        arr = arr.astype(float)
    return arr


def _nan_for_none(v: Any) -> Any:
    if v is None:
        return math.nan
    if isinstance(v, list):
        return [_nan_for_none(x) for x in v]
    return v
