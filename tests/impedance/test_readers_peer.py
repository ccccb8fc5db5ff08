"""Every format pyimpspec reads, read by ssbkit and by pyimpspec side by side.

The files are pyimpspec's own test files (fixtures/pyimpspec, GPL-3.0, see its
README). pyimpspec 5.x (``pyimpspec.parse_data``) is the independent peer: for
each file, both readers must give the same number of spectra and, array for
array, the same frequencies and complex impedances (pyimpspec's convention is
ours: Z = Z' + j Z'', Z'' < 0 on a capacitive arc). Skipped where pyimpspec is
not installed (it is in the ``test`` extra).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from ssbkit.impedance.readers import detect_format, read_spectra

PEER = Path(__file__).parent / "fixtures" / "pyimpspec"

#: file -> (format ssbkit must detect, number of spectra)
FILES = {
    "data.z": ("zplot", 1),
    "data.dta": ("gamry", 1),
    "drift-corrected-data.dta": ("gamry", 2),
    "data.mpt": ("biologic", 1),
    "data-metadata.mpt": ("biologic", 1),
    "data.idf": ("ivium", 1),
    "data.ids": ("ivium", 2),
    "data.pssession": ("palmsens", 1),
    "data.dfr": ("dfr", 1),
    "data.P00": ("p00", 1),
    "data.i2b": ("i2b", 1),
    "data.xlsx": ("spreadsheet", 4),
    "data.ods": ("spreadsheet", 4),
    "data-comma.csv": ("csv", 1),
    "data-semicolon.csv": ("csv", 1),
    "data-space.csv": ("csv", 1),
    "data-tab.csv": ("csv", 1),
    "data-comma-decimal-separator.csv": ("csv", 1),
    "data-header-variant-1.csv": ("csv", 1),
    "data-header-variant-2.csv": ("csv", 1),
    "data-header-variant-3.csv": ("csv", 1),
    "data-header-variant-4.csv": ("csv", 1),
    "case-negative-real-imaginary.csv": ("csv", 1),
    "case-multiple-spectra.csv": ("csv", 4),
    "case-multiple-spectra-reverse.csv": ("csv", 2),
    "case-fragment.csv": ("csv", 1),
}


def _peer(path: Path):
    pyimpspec = pytest.importorskip("pyimpspec")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyimpspec.parse_data(str(path))


@pytest.mark.parametrize("name", sorted(FILES))
def test_same_spectra_as_pyimpspec(name):
    """Same count, frequencies and Z as pyimpspec.parse_data, to 1e-12 relative."""
    path = PEER / name
    fmt, count = FILES[name]
    peer = _peer(path)
    ours = read_spectra(path)
    assert detect_format(path) == fmt
    assert len(ours) == len(peer) == count
    for s, d in zip(ours, peer, strict=True):
        f, z = d.get_frequencies(), d.get_impedances()
        order = np.argsort(-f, kind="stable")
        np.testing.assert_allclose(s.frequency_hz, f[order], rtol=1e-12)
        np.testing.assert_allclose(s.z_ohm, z[order], rtol=1e-12, atol=1e-12 * np.abs(z).max())


def test_all_pyimpspec_files_hold_the_same_capacitive_spectrum():
    """pyimpspec's files all hold one synthetic spectrum: Z'(10 kHz) = 109.009 ohm and
    Z''(10 kHz) = -26.556 ohm (values printed in data-header-variant-1.csv), whatever
    sign convention the format stores (-Z'' in .mpt/.dfr/.P00/.pssession, -Z' in one CSV).
    Tolerance 1e-4: .P00 stores 5 significant digits (10.900e+01)."""
    for name in FILES:
        if name.startswith(("drift", "case-fragment")):
            continue
        for s in read_spectra(PEER / name):
            assert s.frequency_hz[0] == pytest.approx(1e4, rel=1e-6), name
            assert s.z_ohm[0].real == pytest.approx(109.00918219439, rel=1e-4), name
            assert s.z_ohm[0].imag == pytest.approx(-26.5556798765152, rel=1e-4), name


def test_header_signs_are_taken_from_the_header_and_noted():
    """'-Z'' and '-Z''' headers: the file holds the negated parts; the result is the
    same spectrum as the plain header, and the notes say which columns were negated."""
    plain = read_spectra(PEER / "data-header-variant-1.csv")[0]
    neg = read_spectra(PEER / "case-negative-real-imaginary.csv")[0]
    np.testing.assert_array_equal(neg.z_ohm, plain.z_ohm)
    assert any("holds -Z'" in n and "Z' column" in n for n in neg.notes)
    assert any("holds -Z''" in n for n in neg.notes)
    assert plain.notes == ()


def test_gamry_drift_correction_gives_both_spectra_labelled():
    """drift-corrected-data.dta (DRIFTCOR on): spectrum 1 is ZrealDrCor/ZimagDrCor,
    spectrum 2 Zreal/Zimag. Last row of the file (line 155, decimal commas):
    f = 0.1001603 Hz, Zreal 163443.2, Zimag -207897.9, ZrealDrCor 163521.3,
    ZimagDrCor -207613.7 ohm."""
    corr, raw = read_spectra(PEER / "drift-corrected-data.dta")
    assert corr.source.endswith("#drift-corrected") and raw.source.endswith("#uncorrected")
    assert corr.metadata["drift_corrected"] is True and raw.metadata["drift_corrected"] is False
    assert corr.frequency_hz[-1] == pytest.approx(0.1001603)
    assert corr.z_ohm[-1] == pytest.approx(163521.3 - 207613.7j)
    assert raw.z_ohm[-1] == pytest.approx(163443.2 - 207897.9j)
    assert any("drift-corrected spectrum" in n for n in corr.notes)
    assert any("uncorrected spectrum" in n for n in raw.notes)


def test_split_sweeps_carry_a_note_with_their_lines():
    """case-multiple-spectra.csv: four 29-point sweeps in one table (lines 2-30, 31-59...)."""
    spectra = read_spectra(PEER / "case-multiple-spectra.csv")
    assert [len(s) for s in spectra] == [29] * 4
    assert "lines 2-30" in " ".join(spectra[0].notes)
    assert "lines 31-59" in " ".join(spectra[1].notes)


def test_zplot_without_its_comment_block(tmp_path):
    """data.z with the 'ZPLOT2 ASCII ... End Comments' block removed (column line kept),
    and with every text line removed (ZPlot's fixed column layout): same spectrum."""
    ref = read_spectra(PEER / "data.z")[0]
    lines = (PEER / "data.z").read_text(encoding="latin-1").splitlines()
    column_line = next(i for i, ln in enumerate(lines) if "Freq(Hz)" in ln)
    first_row = next(i for i, ln in enumerate(lines) if ln.startswith("1.0"))
    for kept in ([lines[column_line], *lines[first_row:]], lines[first_row:]):
        p = tmp_path / "bare.z"
        p.write_text("\n".join(kept) + "\n")
        s = read_spectra(p)[0]
        np.testing.assert_array_equal(s.z_ohm, ref.z_ohm)
        np.testing.assert_array_equal(s.frequency_hz, ref.frequency_hz)
    assert any("fixed layout" in n for n in s.notes)
