"""Property-based checks (hypothesis): arbitrary bytes and arbitrary tables never break the contract."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssbkit.cell.cycling import read_cycler_file, summarize_cycles
from ssbkit.cell.cycling._text import parse_duration_s
from ssbkit.errors import SsbkitError

_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"f{suffix}"
        p.write_bytes(data)
        try:
            summarize_cycles(read_cycler_file(p))
        except SsbkitError:
            pass


@_SETTINGS
@given(st.binary(max_size=2000), st.sampled_from([".csv", ".txt", ".mpt", ".mpr", ".res", ".ndax", ".xlsx"]))
def test_arbitrary_bytes_end_in_a_result_or_our_error(data, suffix):
    _read(data, suffix)


_cell = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers().map(str),
                  st.text(alphabet="0123456789.,-eE:d ;\t\"", max_size=12))


@_SETTINGS
@given(st.lists(st.lists(_cell, min_size=1, max_size=5), min_size=1, max_size=30),
       st.sampled_from([",", ";", "\t"]))
def test_arbitrary_tables_under_a_valid_header_end_in_a_result_or_our_error(rows, delim):
    header = delim.join(["time_s", "voltage_V", "current_A", "cycle"])
    body = "\n".join(delim.join(r) for r in rows)
    _read((header + "\n" + body + "\n").encode(), ".csv")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.floats(0, 59.99))
def test_day_clock_durations_round_trip(d, h, m, s):
    """'Nd HH:MM:SS.ss' (Maccor) is d*86400 + h*3600 + m*60 + s."""
    text = f"{d}d {h:02d}:{m:02d}:{s:05.2f}"
    assert math.isclose(parse_duration_s(text), d * 86400 + h * 3600 + m * 60 + float(f"{s:05.2f}"),
                        rel_tol=0, abs_tol=1e-9)
