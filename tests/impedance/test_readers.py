"""Readers: every fixture format gives the same spectrum as the source it was written from.

Own fixtures (tests/impedance/fixtures, written by make_fixtures.py from the
analytic impedance of R0-(R1||C1)-(R2||C2)) and, marked external, the
impedance.py project's example files in ../shared, compared with the readers of
impedance.py 1.7.1 (impedance.preprocessing.readFile) as an independent peer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ssbkit.errors import FileFormatError, InputError
from ssbkit.impedance.readers import (
    FORMATS,
    detect_format,
    read_spectra,
    read_spectrum,
    temperature_from_name,
)

FIX = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIX))
from make_fixtures import FREQ, synthetic_z  # noqa: E402

Z_REF = synthetic_z()

SAME_SPECTRUM = {
    "synthetic_header.csv": "csv",
    "synthetic_noheader.csv": "csv",
    "synthetic_headerless_negz.txt": "csv",
    "synthetic_nova_25C.txt": "csv",
    "synthetic_khz_kohm.csv": "csv",
    "synthetic_modphase.csv": "csv",
    "synthetic_298K.csv": "csv",
    "synthetic_tempheader.txt": "csv",
    "synthetic_unsorted.csv": "csv",
    "synthetic.mpt": "biologic",
    "synthetic.DTA": "gamry",
    "mislabelled_gamry.mpt": "gamry",
    "synthetic.z": "zplot",
    "synthetic_autolab.txt": "autolab",
    "synthetic.par": "versastudio",
    "synthetic_chi.txt": "chi",
    "synthetic_parstat.txt": "parstat",
    "synthetic_powersuite.txt": "powersuite",
}


@pytest.mark.parametrize(("name", "fmt"), sorted(SAME_SPECTRUM.items()))
def test_fixture_parses_to_the_analytic_source_spectrum(name, fmt):
    """Each format's file holds R0-(R1||C1)-(R2||C2); Z'' < 0 after reading (12 digits)."""
    path = FIX / name
    assert detect_format(path) == fmt
    s = read_spectrum(path)
    np.testing.assert_allclose(s.frequency_hz, FREQ, rtol=1e-10)
    np.testing.assert_allclose(s.z_ohm, Z_REF, rtol=1e-9)
    assert s.metadata["format"] == fmt
    assert np.all(s.z_imag < 0)


def test_mislabelled_file_is_read_by_content_with_a_note():
    s = read_spectrum(FIX / "mislabelled_gamry.mpt")
    assert s.metadata["format"] == "gamry"
    assert "extension .mpt suggests biologic, content is gamry" in s.notes


def test_files_with_several_spectra_are_split():
    """Two cycles (BioLogic cycle number) and two back-to-back sweeps give two spectra each."""
    for name in ("synthetic_2cycles.mpt", "synthetic_two_sweeps.csv"):
        spectra = read_spectra(FIX / name)
        assert len(spectra) == 2
        assert [s.source.rsplit("#", 1)[1] for s in spectra] == ["1", "2"]
        for s in spectra:
            np.testing.assert_allclose(s.z_ohm, Z_REF, rtol=1e-9)
        with pytest.raises(FileFormatError, match="holds 2 spectra"):
            read_spectrum(FIX / name)


def test_aborted_gamry_run_is_the_first_points_of_the_complete_one():
    full = read_spectrum(FIX / "synthetic.DTA")
    part = read_spectrum(FIX / "synthetic_aborted.DTA")
    assert part.metadata["aborted"] is True and full.metadata["aborted"] is False
    assert len(part) == 15
    np.testing.assert_allclose(part.z_ohm, full.z_ohm[:15], rtol=1e-12)


def test_z_imag_sign_detection_and_override():
    """Headerless -Z'' is detected (guess noted); '+'/'-' override; BioLogic -Im(Z) honoured."""
    s = read_spectrum(FIX / "synthetic_headerless_negz.txt")
    assert "guessed" in s.metadata["z_imag_stored_as"]
    raw = read_spectrum(FIX / "synthetic_headerless_negz.txt", z_imag_sign="+")
    np.testing.assert_allclose(raw.z_imag, -Z_REF.imag, rtol=1e-9)
    flipped = read_spectrum(FIX / "synthetic_header.csv", z_imag_sign="-")
    np.testing.assert_allclose(flipped.z_imag, -Z_REF.imag, rtol=1e-9)
    assert read_spectrum(FIX / "synthetic.mpt").metadata["z_imag_stored_as"] == "-Z''"
    with pytest.raises(InputError, match="z_imag_sign='up'"):
        read_spectra(FIX / "synthetic.mpt", z_imag_sign="up")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("s04147-140deg.txt", 140.0),
        ("LPS_25C.csv", 25.0),
        ("run_298K.mpt", 24.85),
        ("cell_-20C_eis.txt", -20.0),
        ("Li6PS5Cl 60degC.DTA", 60.0),
        ("sample_3.5C.csv", 3.5),
        ("s04147.txt", None),
        ("eis_10kHz.csv", None),
        ("batch7.csv", None),
    ],
)
def test_temperature_from_name(name, expected):
    t = temperature_from_name(name)
    assert (t is None) if expected is None else t == pytest.approx(expected)


def test_temperature_column_gives_each_spectrum_its_mean():
    """BioLogic file with a Temperature/°C column and two cycles at 25 and 35 degC."""
    spectra = read_spectra(FIX / "synthetic_2temps.mpt")
    assert [s.temperature_c for s in spectra] == [25.0, 35.0]


def test_temperature_from_file_header_wins_over_name():
    assert read_spectrum(FIX / "synthetic_tempheader.txt").temperature_c == 85.0
    assert read_spectrum(FIX / "synthetic_298K.csv").temperature_c == pytest.approx(24.85)
    assert read_spectrum(FIX / "synthetic_header.csv").temperature_c is None


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("broken_empty.csv", r"broken_empty.csv: file is empty"),
        ("broken_whitespace.txt", r"broken_whitespace.txt: file is empty"),
        ("broken_binary.dat", r"broken_binary.dat: binary data, not a text export"),
        ("broken_truncated.csv",
         r"line 22: 2 columns where the rows above have 3 \(the file looks truncated\)"),
        ("broken_truncated_number.csv",
         r"line 22: '-3e' is not a number \(the file looks truncated\)"),
        ("broken_nan.csv", r"broken_nan.csv, line 7: not a finite number"),
        ("broken_dup.csv", r"broken_dup.csv, line 10: frequency 17782.8 Hz repeats line 9"),
        ("broken_negative_freq.csv", r"line 30: frequency -0.1 Hz is not > 0"),
        ("broken_unknown_columns.csv",
         r"line 1: columns \['time', 'voltage', 'current'\] not recognised"),
        ("broken_too_few.csv", r"2 data point\(s\); a spectrum needs at least 3"),
        ("broken_truncated.mpt", r"header says 60 lines but the file has"),
        ("broken_nozcurve.DTA", r"no 'ZCURVE TABLE'"),
        ("broken_garbage.mpr", r"broken_garbage.mpr: not a readable BioLogic .mpr"),
        ("no_such_file.csv", r"no_such_file.csv: no such file"),
    ],
)
def test_bad_files_raise_one_line_errors_naming_file_and_line(name, match):
    if name.endswith(".mpr"):
        pytest.importorskip("galvani")
    with pytest.raises(FileFormatError, match=match) as info:
        read_spectra(FIX / name)
    assert "\n" not in str(info.value)


def test_unknown_format_suggests_the_closest():
    with pytest.raises(InputError, match="did you mean 'gamry'"):
        read_spectra(FIX / "synthetic.DTA", fmt="gamy")
    assert read_spectrum(FIX / "synthetic.DTA", fmt="dta").metadata["format"] == "gamry"
    assert set(FORMATS) >= {"csv", "biologic", "biologic-mpr", "gamry", "zplot", "autolab",
                            "parstat", "versastudio", "chi", "powersuite"}


def test_mpr_without_galvani_says_how_to_proceed(monkeypatch):
    monkeypatch.setitem(sys.modules, "galvani", None)
    with pytest.raises(FileFormatError, match="needs the optional package 'galvani'"):
        read_spectra(FIX / "broken_garbage.mpr")


# ------------------------------------------------------------------ real files in ../shared

PEER = {
    "exampleData.csv": None,
    "exampleDataAutolab.txt": "autolab",
    "exampleDataBioLogic.mpt": "biologic",
    "exampleDataCHInstruments.txt": "chinstruments",
    "exampleDataGamry.DTA": "gamry",
    "exampleDataGamryABORT.DTA": "gamry",
    "exampleDataParstat.txt": "parstat",
    "exampleDataPowersuite.txt": "powersuite",
    "exampleDataVersaStudio.par": "versastudio",
    "exampleDataZPlot.z": "zplot",
}


@pytest.mark.external
@pytest.mark.parametrize(("name", "instrument"), sorted(PEER.items()))
def test_reference_format_matches_impedance_py_reader(reference_dir, name, instrument):
    """Same frequencies and Z as impedance.preprocessing.readFile (peer tool), bit for bit."""
    prep = pytest.importorskip("impedance.preprocessing")
    path = reference_dir / "eis" / "formats" / name
    f_peer, z_peer = prep.readFile(str(path), instrument)
    order = np.argsort(-f_peer, kind="stable")
    s = read_spectrum(path)  # format detected, not given
    np.testing.assert_array_equal(s.frequency_hz, f_peer[order])
    np.testing.assert_array_equal(s.z_ohm, z_peer[order])


@pytest.mark.external
def test_reference_gamry_aborted_run_agrees_with_complete_run(reference_dir):
    fmt = reference_dir / "eis" / "formats"
    full = read_spectrum(fmt / "exampleDataGamry.DTA")
    part = read_spectrum(fmt / "exampleDataGamryABORT.DTA")
    assert part.metadata["aborted"] and not full.metadata["aborted"]
    n = len(part)
    np.testing.assert_array_equal(part.z_ohm, full.z_ohm[:n])


@pytest.mark.external
def test_reference_pellet_series_reads_seven_temperatures(reference_dir):
    """README: 7 spectra, 140..200 degC, 1 MHz down to ~0.03 Hz, three header lines."""
    files = sorted((reference_dir / "eis" / "pellet-series").glob("*.txt"))
    spectra = [read_spectrum(p) for p in files]
    assert [s.temperature_c for s in spectra] == [140.0, 150.0, 160.0, 170.0, 180.0, 190.0, 200.0]
    for s, p in zip(spectra, files, strict=True):
        assert s.frequency_hz.max() == pytest.approx(1e6)
        assert s.frequency_hz.min() < 0.1
        n_rows = sum(1 for ln in p.read_text().splitlines() if ln.strip()) - 3
        assert len(s) == n_rows
        assert s.metadata["z_imag_stored_as"] == "Z''"
    # hotter pellet, lower resistance: |Z| at 1 kHz falls with temperature
    z1k = [abs(s.z_ohm[np.argmin(abs(np.log(s.frequency_hz / 1e3)))]) for s in spectra]
    assert all(a > b for a, b in zip(z1k, z1k[1:], strict=False))


def test_garbled_row_inside_a_table_is_skipped_with_a_note_naming_its_line():
    """broken_garbled.csv is the analytic spectrum with a damaged row ('1000,abc,-3')
    inserted as line 12: the result is exactly the analytic spectrum, and a note names
    line 12 (before: the row was an error, and in other layouts it was dropped silently)."""
    s = read_spectrum(FIX / "broken_garbled.csv")
    assert any(n.startswith("line 12 skipped") for n in s.notes), s.notes
    np.testing.assert_allclose(s.frequency_hz, FREQ, rtol=1e-10)
    np.testing.assert_allclose(s.z_ohm, Z_REF, rtol=1e-9)
