"""Spectrum record and make_spectrum validation (synthetic columns with known answers)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ssbkit.errors import FileFormatError
from ssbkit.impedance.spectrum import Spectrum, make_spectrum


def _rc(f: np.ndarray, r: float = 100.0, c: float = 1e-6) -> np.ndarray:
    return r / (1 + 2j * np.pi * f * r * c)


def test_make_spectrum_sorts_high_to_low_and_notes_it():
    """Rows in random order come back sorted; Z follows its frequency (RC reference)."""
    f = np.logspace(5, -1, 13)
    z = _rc(f)
    perm = np.random.default_rng(1).permutation(f.size)
    s = make_spectrum(f[perm], z.real[perm], z.imag[perm], source="x")
    assert np.all(np.diff(s.frequency_hz) < 0)
    np.testing.assert_allclose(s.z_ohm, z, rtol=1e-14)
    assert any("sorted" in n for n in s.notes)


def test_ascending_input_is_reversed_without_a_note():
    f = np.logspace(-1, 5, 13)
    z = _rc(f)
    s = make_spectrum(f, z.real, z.imag, source="x")
    assert s.frequency_hz[0] == pytest.approx(1e5)
    assert s.notes == ()


def test_rc_apex_at_omega_tau_one():
    """omega property: -Z'' of an RC is largest where omega R C = 1."""
    f = np.logspace(4, 0, 401)
    s = make_spectrum(f, _rc(f).real, _rc(f).imag, source="rc")
    w_apex = s.omega[np.argmax(-s.z_imag)]
    assert w_apex * 100.0 * 1e-6 == pytest.approx(1.0, rel=0.02)
    assert s.z_real.max() == pytest.approx(100.0, rel=1e-3)


def test_masked_keeps_band_and_rejects_empty_band():
    f = np.logspace(6, -2, 33)
    s = make_spectrum(f, _rc(f).real, _rc(f).imag, source="band")
    m = s.masked(fmin=1.0, fmax=1e4)
    assert m.frequency_hz.min() >= 1.0 and m.frequency_hz.max() <= 1e4
    assert len(m) == 17  # 4 points per decade over 4 decades, both ends included
    with pytest.raises(FileFormatError, match="band: only 0 points"):
        s.masked(fmin=1e7)


def test_sorted_ascending_and_arrays_are_read_only():
    f = np.logspace(3, 0, 4)
    s = make_spectrum(f, [1, 2, 3, 4], [-1, -2, -3, -4], source="ro")
    a = s.sorted(descending=False)
    assert list(a.frequency_hz) == sorted(f)
    assert list(a.z_real) == [4, 3, 2, 1]
    with pytest.raises(ValueError):
        s.frequency_hz[0] = 5.0


def test_to_dict_round_trips_through_json():
    f = np.array([1e3, 1e2, 1e1])
    s = make_spectrum(f, [1.0, 2.0, 3.0], [-0.5, -1.0, -0.1], source="j", temperature_c=25.0)
    d = json.loads(json.dumps(s.to_dict()))
    assert d["z_imag_ohm"] == [-0.5, -1.0, -0.1]
    assert d["temperature_c"] == 25.0
    assert s.temperature_k == pytest.approx(298.15)


@pytest.mark.parametrize(
    ("f", "zr", "zi", "lines", "match"),
    [
        ([1e3, np.nan, 10.0], [1, 2, 3], [0, 0, 0], [5, 6, 7], r"src, line 6: not a finite"),
        ([1e3, 1e2, 10.0], [1, np.inf, 3], [0, 0, 0], None, r"src, point 2: not a finite"),
        ([1e3, 0.0, 10.0], [1, 2, 3], [0, 0, 0], [5, 6, 7], r"line 6: frequency 0 Hz is not > 0"),
        ([1e3, -1.0, 10.0], [1, 2, 3], [0, 0, 0], None, r"frequency -1 Hz is not > 0"),
        ([1e3, 1e2, 1e3], [1, 2, 3], [0, 0, 0], [5, 6, 7],
         r"line 7: frequency 1000 Hz repeats line 5"),
        ([1e3, 1e2], [1, 2], [0, 0], None, r"2 data point\(s\); a spectrum needs at least 3"),
        ([1e3, 1e2, 10.0], [1, 2], [0, 0, 0], None, r"columns differ in length"),
        ([1e3, "x", 10.0], [1, 2, 3], [0, 0, 0], None, r"columns are not numbers"),
    ],
)
def test_make_spectrum_rejects_bad_rows_naming_source_and_line(f, zr, zi, lines, match):
    with pytest.raises(FileFormatError, match=match):
        make_spectrum(f, zr, zi, source="src", line_numbers=lines)


def test_spectrum_is_frozen():
    s = Spectrum(np.array([1.0, 2.0, 3.0]), np.array([1, 2, 3], dtype=complex), "s")
    with pytest.raises(AttributeError):
        s.source = "t"  # type: ignore[misc]
