"""Impedance files from other projects' test data, checked against the file's own |Z| and phase columns.

Fixtures in tests/data/eis/ (README there: source repository, commit, licence). The
reference columns (|Z|, phase) are independent of the Z', Z'' columns the reader uses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ssbkit.impedance.readers import read_spectra, read_spectrum

DATA = Path(__file__).parents[1] / "data" / "eis"


def _table(path: Path, first: int, last: int, cols: tuple[int, ...]) -> np.ndarray:
    lines = path.read_text(encoding="latin-1").splitlines()[first - 1:last]
    return np.array([[float(line.split("\t")[c]) for c in cols] for line in lines])


def test_maccor_eis_matches_its_own_magnitude_and_phase():
    path = DATA / "maccor_eis.EDA0001.041"
    ref = _table(path, 13, 72, (0, 6, 5))  # Freq(Hz), Z-Mag, Phase_Angle (deg)
    s = read_spectrum(path)
    assert s.frequency_hz.size == 60
    order = np.argsort(-ref[:, 0])
    np.testing.assert_allclose(s.frequency_hz, ref[order, 0], rtol=1e-9)
    np.testing.assert_allclose(np.abs(s.z_ohm), ref[order, 1], rtol=2e-5)
    np.testing.assert_allclose(np.degrees(np.angle(s.z_ohm)), ref[order, 2], atol=1e-3)


def test_gamry_rows_with_spaces_are_skipped_with_one_note_each():
    path = DATA / "gamry_eispot_edited.dta"
    ref = _table(path, 22, 27, (3, 7, 8))  # Freq, Zmod, Zphz of the six tab-separated rows
    (s,) = read_spectra(path)
    np.testing.assert_allclose(s.frequency_hz, ref[:, 0])
    np.testing.assert_allclose(np.abs(s.z_ohm), ref[:, 1], rtol=2e-6)
    np.testing.assert_allclose(np.degrees(np.angle(s.z_ohm)), ref[:, 2], atol=2e-4)
    skipped = [n for n in s.notes if "skipped" in n]
    assert [n.split()[1] for n in skipped] == ["28", "29", "30", "31"]


@pytest.mark.parametrize("name", ["maccor_eis.EDA0001.041", "gamry_eispot_edited.dta"])
def test_real_spectra_are_capacitive(name):
    s = read_spectrum(DATA / name)
    assert np.all(s.z_ohm.imag < 0) and np.all(s.z_ohm.real > 0)


def test_lpscl_spectrum_agrees_across_text_and_relaxis_exports():
    # one Li6PS5Cl ion-blocking spectrum at -25 C, exported two ways by hybrid-drt's author
    txt = read_spectrum(DATA / "hybriddrt_LPSCl_-25C.txt")
    relaxis = read_spectrum(DATA / "hybriddrt_LPSCl_-25C_RelaxIS.txt")
    assert txt.frequency_hz.size == relaxis.frequency_hz.size == 79
    np.testing.assert_allclose(relaxis.frequency_hz, txt.frequency_hz, rtol=1e-6)
    np.testing.assert_allclose(relaxis.z_ohm, txt.z_ohm, rtol=1e-6)
    assert any("line 4 skipped" in n for n in relaxis.notes)  # RelaxIS's DC=..., TM=... line


def test_relaxis_export_matches_its_own_magnitude_and_phase():
    path = DATA / "hybriddrt_LPSCl_-25C_RelaxIS.txt"
    ref = _table(path, 5, 83, (0, 3, 4))  # Frequency, |Z|, Theta (Z) in degrees
    s = read_spectrum(path)
    order = np.argsort(-ref[:, 0])
    np.testing.assert_allclose(np.abs(s.z_ohm), ref[order, 1], rtol=1e-9)
    np.testing.assert_allclose(np.degrees(np.angle(s.z_ohm)), ref[order, 2], atol=1e-6)
