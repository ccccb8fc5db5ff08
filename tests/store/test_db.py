"""The results store over SQLite."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.store import input_key, open_store


def test_record_and_read_back(tmp_path):
    s = open_store(str(tmp_path / "x.db"))
    k = input_key({"a": 1})
    rid = s.record(kind="run", name="n", inputs={"a": 1}, outputs={"b": 2.5}, key=k, group_id="g")
    r = s.get(rid)
    assert r.inputs == {"a": 1} and r.outputs == {"b": 2.5}
    assert s.find(k).id == rid and s.done_keys("g") == {k}
    s.record(kind="run", name="n", inputs={"a": 2}, status="failed", message="boom", key="k2", group_id="g")
    assert s.done_keys("g") == {k}
    assert [x.status for x in s.list()] == ["failed", "ok"]


def test_input_key_is_order_independent():
    assert input_key({"a": 1, "b": 2}) == input_key({"b": 2, "a": 1})


def test_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="cannot open results database"):
        open_store("sqlite:////nonexistent-dir/sub/x.db")
    with pytest.raises(InputError):
        s = open_store(str(tmp_path / "y.db"))
        s.get(99)
