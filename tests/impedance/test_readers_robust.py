"""Readers on damaged and unusual text: encodings, BOMs, NUL bytes, decimal commas,
headers with -Z' / -Im(Z), split sweeps, mixed-technique .mpr, the registry.

Every input here is the analytic spectrum of tests/impedance/fixtures (make_fixtures:
R0-(R1||C1)-(R2||C2), 29 points) written in some variant, so the expected values are
the analytic ones, never what the reader returned before.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from ssbkit.errors import FileFormatError, InputError
from ssbkit.impedance.readers import FORMATS, REGISTRY, known_formats, read_spectra
from ssbkit.impedance.spectrum import Spectrum

FIX = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIX))
from make_fixtures import FREQ, synthetic_z  # noqa: E402

Z = synthetic_z()


def _table(sep: str = ",", header: str = "freq/Hz,Re(Z)/Ohm,Im(Z)/Ohm", imag: float = 1.0,
           real: float = 1.0, comma: bool = False) -> list[str]:
    rows = []
    for f, z in zip(FREQ, Z, strict=True):
        vals = [repr(float(f)), repr(float(real * z.real)), repr(float(imag * z.imag))]
        if comma:
            vals = [v.replace(".", ",") for v in vals]
        rows.append(sep.join(vals))
    return [header.replace(",", sep), *rows]


def _write(tmp_path: Path, lines: list[str], name: str = "t.csv", encoding: str = "utf-8",
           newline: str = "\n", prefix: bytes = b"", suffix: bytes = b"") -> Path:
    p = tmp_path / name
    p.write_bytes(prefix + (newline.join(lines) + newline).encode(encoding) + suffix)
    return p


def _same(s: Spectrum, rtol: float = 1e-12) -> None:
    np.testing.assert_allclose(s.frequency_hz, FREQ, rtol=rtol)
    np.testing.assert_allclose(s.z_ohm, Z, rtol=rtol)


@pytest.mark.parametrize(
    ("header", "real", "imag", "note"),
    [
        ("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm", 1, -1, "'-Im(Z)/Ohm' holds -Z''"),
        ("f,Z',-Z''", 1, -1, "'-Z''' holds -Z''"),
        ("f,-Z',-Z''", -1, -1, "holds -Z'"),
        ("Frequency (Hz),Z' (Ω),\u2212Z'' (Ω)", 1, -1, "holds -Z''"),
    ],
)
def test_sign_is_taken_from_the_header_and_noted(tmp_path, header, real, imag, note):
    """A header that declares -Z' or -Z''/-Im(Z): values stored negated come back as
    the analytic Z (capacitive Z'' < 0), and a note says so."""
    s = read_spectra(_write(tmp_path, _table(header=header, real=real, imag=imag)))[0]
    _same(s)
    assert any(note in n for n in s.notes), s.notes


@pytest.mark.parametrize(
    ("encoding", "prefix", "newline"),
    [
        ("utf-8", b"\xef\xbb\xbf", "\r\n"),
        ("utf-8", b"\xef\xbb\xbf\xef\xbb\xbf", "\n"),  # double BOM: first row kept
        ("utf-16", b"", "\r\n"),
        ("utf-16-le", b"", "\n"),  # UTF-16 without BOM
        ("latin-1", b"", "\r"),
    ],
)
def test_encodings_boms_and_newlines_give_the_same_spectrum(tmp_path, encoding, prefix, newline):
    """Same 29 analytic points whatever the encoding, BOM(s) and newline convention."""
    lines = ["# sample: µ-pellet at 25 °C", *_table()]
    s = read_spectra(_write(tmp_path, lines, encoding=encoding, prefix=prefix,
                            newline=newline))[0]
    _same(s)


def test_double_bom_is_noted(tmp_path):
    s = read_spectra(_write(tmp_path, _table(), prefix=b"\xef\xbb\xbf" * 2))[0]
    _same(s)
    assert any("byte-order marks" in n for n in s.notes)


def test_latin1_is_noted(tmp_path):
    s = read_spectra(_write(tmp_path, ["sample 25 °C", *_table()], encoding="latin-1"))[0]
    _same(s)
    assert any("not UTF-8 (line 1)" in n for n in s.notes)


def test_decimal_commas_with_semicolons_and_tabs(tmp_path):
    for sep in (";", "\t"):
        _same(read_spectra(_write(tmp_path, _table(sep=sep, comma=True)))[0])


def test_trailing_nul_padding_is_removed_with_a_note(tmp_path):
    s = read_spectra(_write(tmp_path, _table(), suffix=b"\x00" * 500))[0]
    _same(s)
    assert any("500 NUL bytes" in n for n in s.notes)


def test_nul_inside_the_text_is_an_error_naming_the_line(tmp_path):
    lines = _table()
    lines[5] = lines[5][:4] + "\x00" + lines[5][4:]
    with pytest.raises(FileFormatError, match=r"t.csv, line 6: NUL byte"):
        read_spectra(_write(tmp_path, lines))


def test_blank_lines_inside_a_table_do_not_split_it(tmp_path):
    """Empty lines between rows (issue 10: such files came back as 2-3 spectra)."""
    lines = _table()
    lines = [*lines[:8], "", *lines[8:17], "   ", ",,", "", *lines[17:]]
    spectra = read_spectra(_write(tmp_path, lines))
    assert len(spectra) == 1
    _same(spectra[0])


@pytest.mark.parametrize("garbage", ["xx#!?", "1e5,abc,7", "1,2", "9" * 200000, "1,2,3,4,5"])
def test_a_damaged_row_is_skipped_with_its_line_number(tmp_path, garbage):
    """A damaged line inserted at line 12 (text, non-number, short row, a 200 kB field,
    a long row): the analytic 29 points come back and a note names line 12."""
    lines = _table()
    lines.insert(11, garbage)
    s = read_spectra(_write(tmp_path, lines))
    assert len(s) == 1
    _same(s[0])
    assert any(n.startswith("line 12 skipped") for n in s[0].notes), s[0].notes


def test_truncated_last_row_is_an_error(tmp_path):
    lines = _table()
    lines[-1] = lines[-1].rsplit(",", 1)[0]
    with pytest.raises(FileFormatError, match=r"line 30: 2 columns .* truncated"):
        read_spectra(_write(tmp_path, lines))


def test_huge_numbers_and_nan_are_errors_with_the_line(tmp_path):
    for bad in ("1e999", "nan", "inf"):
        lines = _table()
        lines[3] = f"{float(FREQ[2])!r},{bad},-5"
        with pytest.raises(FileFormatError, match=r"line 4: not a finite number"):
            read_spectra(_write(tmp_path, lines))


def test_header_with_more_columns_than_the_rows_is_an_error(tmp_path):
    """Header names a temperature column in column 5 but rows hold 3 values
    (before: IndexError from the table reader)."""
    lines = _table(header="freq/Hz,Re(Z)/Ohm,Im(Z)/Ohm,cycle,Temperature/°C")
    with pytest.raises(FileFormatError, match=r"rows have 3 columns"):
        read_spectra(_write(tmp_path, lines))


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(InputError, match=r"not a known impedance format") as info:
        read_spectra(FIX / "synthetic_header.csv", format="zahnerx")
    for name in FORMATS:
        assert name in str(info.value)


def test_registry_names_extensions_and_aliases_are_unique():
    names = [f.name for f in REGISTRY]
    assert len(names) == len(set(names)) and names[-1] == "csv"
    exts = [e for f in REGISTRY for e in f.extensions]
    assert len(exts) == len(set(exts))
    assert "ivium" in known_formats() and ".pssession" in known_formats()


@pytest.mark.parametrize("alias", ["csv", "txt", ".csv", "CSV", "table"])
def test_format_aliases(alias):
    _same(read_spectra(FIX / "synthetic_header.csv", format=alias)[0], rtol=1e-10)


def test_spectrum_round_trip_keeps_complex_z_and_notes():
    s = read_spectra(FIX / "synthetic_unsorted.csv")[0]
    assert s.notes
    back = Spectrum.from_json(s.to_json())
    np.testing.assert_array_equal(back.z_ohm, s.z_ohm)
    np.testing.assert_array_equal(back.frequency_hz, s.frequency_hz)
    assert back.notes == s.notes and back.source == s.source
    d = s.to_dict()
    assert d["z_imag_ohm"] == s.z_ohm.imag.tolist()


def _fake_galvani(monkeypatch, data):
    bio = types.SimpleNamespace(MPRfile=lambda path: types.SimpleNamespace(data=data))
    mod = types.ModuleType("galvani")
    mod.BioLogic = bio
    monkeypatch.setitem(sys.modules, "galvani", mod)


def test_mixed_gcpl_peis_mpr_gives_the_peis_part_with_a_note(monkeypatch, tmp_path):
    """An .mpr holding 40 GCPL rows (frequency 0) then a 29-point PEIS sweep, as galvani
    returns it (one structured array, columns named as galvani names them): the
    analytic spectrum comes back and a note says 40 rows of other techniques were skipped."""
    dtype = [("mode", "u1"), ("time/s", "f8"), ("Ewe/V", "f4"), ("freq/Hz", "f4"),
             ("Re(Z)/Ohm", "f4"), ("-Im(Z)/Ohm", "f4")]
    n_gcpl = 40
    data = np.zeros(n_gcpl + FREQ.size, dtype=dtype)
    data["mode"][:n_gcpl] = 1
    data["Ewe/V"][:n_gcpl] = np.linspace(3.0, 4.2, n_gcpl)
    data["freq/Hz"][n_gcpl:] = FREQ
    data["Re(Z)/Ohm"][n_gcpl:] = Z.real
    data["-Im(Z)/Ohm"][n_gcpl:] = -Z.imag
    _fake_galvani(monkeypatch, data)
    path = tmp_path / "mixed.mpr"
    path.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + b"\x00" * 100)
    (s,) = read_spectra(path)
    np.testing.assert_allclose(s.frequency_hz, FREQ, rtol=1e-6)  # float32 in the file
    np.testing.assert_allclose(s.z_ohm, Z, rtol=1e-6)
    assert any("40 of 69 data rows belong to other techniques" in n for n in s.notes)


def test_gcpl_only_mpr_is_refused_with_a_pointer_to_cycling(monkeypatch, tmp_path):
    data = np.zeros(5, dtype=[("time/s", "f8"), ("Ewe/V", "f4"), ("I/mA", "f4")])
    _fake_galvani(monkeypatch, data)
    path = tmp_path / "gcpl.mpr"
    path.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a")
    with pytest.raises(FileFormatError, match="cell cycling"):
        read_spectra(path)


def test_unit_lost_in_the_encoding_is_taken_as_ohm_with_a_note(tmp_path):
    """NOVA header 'Z' (Ω)' saved in a code page without Ω becomes 'Z' (?)'."""
    lines = _table(header="Frequency (Hz);Z' (?);-Z'' (?)", sep=";", imag=-1)
    s = read_spectra(_write(tmp_path, lines, encoding="cp1252"))[0]
    _same(s)
    assert any("unreadable" in n for n in s.notes)


def test_mixed_technique_mpt_gives_the_peis_rows_with_a_note(tmp_path):
    """An EC-Lab export of a modulo-bat run: 10 GCPL rows (frequency 0, Z columns
    carrying the last impedance value, as some EC-Lab versions write) before the
    29-point PEIS sweep: the analytic spectrum comes back, with a note on 10 rows."""
    head = ["EC-Lab ASCII FILE", "Nb header lines : 4", "Modulo Bat",
            "mode\ttime/s\tEwe/V\tfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm"]
    gcpl = [f"1\t{t:.1f}\t{3.0 + 0.1 * t:.3f}\t0\t12.5\t0.5" for t in range(10)]
    peis = [f"3\t{100 + k}\t3.7\t{float(f)!r}\t{float(z.real)!r}\t{float(-z.imag)!r}"
            for k, (f, z) in enumerate(zip(FREQ, Z, strict=True))]
    (s,) = read_spectra(_write(tmp_path, head + gcpl + peis, name="mb.mpt"))
    _same(s)
    assert any("10 rows with frequency 0 belong to other techniques" in n for n in s.notes)
