"""The record convention: every field survives as_dict/from_dict and JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ssbkit.records import Record, record_from_dict


@dataclass(frozen=True)
class _Inner(Record):
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class _Outer(Record):
    z_ohm: np.ndarray
    inner: _Inner
    err: float | None = None
    nan_value: float = math.nan
    notes: tuple[str, ...] = ()
    extra: dict[str, float] = field(default_factory=dict)


def test_nested_complex_arrays_tuples_and_nan_round_trip_through_json():
    rec = _Outer(np.array([1 + 2j, 3 - 4j]), _Inner("bulk", (1.0, 2.0)), 0.5, math.nan, ("a",), {"k": 1.0})
    back = _Outer.from_json(rec.to_json())
    assert np.array_equal(back.z_ohm, rec.z_ohm) and back.z_ohm.dtype.kind == "c"
    assert back.inner == rec.inner and isinstance(back.inner.values, tuple)
    assert back.err == 0.5 and math.isnan(back.nan_value)
    assert back.notes == ("a",) and back.extra == {"k": 1.0}


def test_record_from_dict_dispatches_on_class_name():
    rec = _Inner("gb", (3.0,))
    assert record_from_dict(rec.as_dict()) == rec
