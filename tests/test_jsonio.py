"""One JSON policy: strict JSON, non-finite -> null, atomic writes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ssbkit.jsonio import dumps, input_key, loads, to_jsonable, write_json


def test_non_finite_numbers_become_null_and_output_is_strict_json():
    text = dumps({"a": math.nan, "b": np.inf, "c": [-np.inf, 1.5], "d": np.float32(2.0)})
    assert json.loads(text) == {"a": None, "b": None, "c": [None, 1.5], "d": 2.0}
    assert "NaN" not in text and "Infinity" not in text


def test_loads_refuses_nan_literals():
    with pytest.raises(ValueError):
        loads('{"x": NaN}')


def test_complex_and_arrays_and_tuples():
    assert to_jsonable({"z": np.array([1 + 2j, 3 - 1j]), "t": (1, 2)}) == {
        "z": [[1.0, 2.0], [3.0, -1.0]],
        "t": [1, 2],
    }


def test_write_json_is_atomic_and_leaves_no_temporary_files(tmp_path):
    p = tmp_path / "r.json"
    write_json(p, {"x": 1})
    write_json(p, {"x": 2})
    assert json.loads(p.read_text()) == {"x": 2}
    assert [q.name for q in tmp_path.iterdir()] == ["r.json"]


def test_input_key_ignores_key_order_and_differs_for_different_inputs():
    assert input_key({"a": 1, "b": 2}) == input_key({"b": 2, "a": 1})
    assert input_key({"a": 1}) != input_key({"a": 2})
