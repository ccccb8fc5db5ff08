"""DTA/DSC readers: real exports (MaCFP matl-db, MIT) and the vendors' text layouts.

The vendor layouts are written here around one analytic curve (conftest:
``logistic_step_and_gaussian``: Tg midpoint 210 degC, Tc peak 260 degC), so each
reader is checked end to end against known constructions.
"""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import FileFormatError, InputError
from ssbkit.processing.dsc import analyze_dsc
from ssbkit.processing.dsc_io import DscCurve, read_dsc


def _check_constructions(curve: DscCurve, *, unit="W/g", sign=1.0):
    a = analyze_dsc(curve)
    assert curve.heat_flow_unit == unit
    assert a.glass_transition is not None
    assert a.glass_transition.midpoint_C == pytest.approx(210.0, abs=0.5)
    assert a.crystallization[0].peak_C == pytest.approx(260.0, abs=0.3)
    return a


def test_real_netzsch_expdat_export_is_read_with_the_dsc_column(fixtures_dir):
    """Aalto NETZSCH STA 449 F3 'ExpDat' export (MaCFP matl-db): '##Temp./›C,Time/min,DSC/(uV/mg),...'."""
    path = fixtures_dir / "aalto_netzsch_expdat_wood_10K.csv"
    c = read_dsc(path)
    assert c.instrument == "netzsch"
    assert c.heat_flow_unit == "uV/mg" and not c.calibrated
    first = path.read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    assert c.temperature_C[0] == pytest.approx(float(first[0]))
    assert c.heat_flow[0] == pytest.approx(float(first[2]))  # the DSC column, not Time
    # README of the dataset: 10 K/min; the file has no rate metadata, the time column gives it
    assert c.heating_rate_K_per_min == pytest.approx(10.0, rel=0.02)
    assert any("time column" in n for n in c.notes)


def test_real_macfp_csv_with_unit_line_in_kelvin(fixtures_dir):
    """FSRI PMMA DSC (MaCFP): 'time,Temp,Heat Flow Rate' + '[s],[K],[mW/mg]'; 10 K/min per its README."""
    path = fixtures_dir / "fsri_pmma_dsc_n2_10K_1.csv"
    c = read_dsc(path, exo="down")
    first = path.read_text(encoding="utf-8-sig").splitlines()[2].split(",")
    assert c.temperature_C[0] == pytest.approx(float(first[1]) - 273.15)
    assert c.heat_flow[0] == pytest.approx(-float(first[2]))  # endothermic up in the file -> flipped
    assert c.heating_rate_K_per_min == pytest.approx(10.0, rel=0.05)
    assert any("K to degC" in n for n in c.notes)


def test_netzsch_header_rate_exo_sign_decimal_comma(tmp_path, analytic_rows):
    t, q, minutes = analytic_rows()
    lines = ["#EXPORTTYPE:DATA ALL", "#DECIMAL:COMMA", "#SEPARATOR:SEMICOLON", "#EXO:-1",
             "#RANGE:100°C/10,0(K/min)/400°C", "#SAMPLE MASS /mg:4,98", "##Temp./°C;Time/min;DSC/(mW/mg);Sensit./(uV/mW)"]
    lines += [f"{a:.4f};{m:.5f};{-b:.6e};3,42".replace(".", ",") for a, b, m in zip(t, q, minutes, strict=True)]
    p = tmp_path / "netzsch.txt"
    p.write_text("\n".join(lines), encoding="latin-1")
    c = read_dsc(p)
    assert c.instrument == "netzsch" and c.heating_rate_K_per_min == 10.0
    assert c.sample_mass_mg == pytest.approx(4.98)
    _check_constructions(c)


def test_ta_universal_analysis_export_in_mw_uses_the_sample_size(tmp_path, analytic_rows):
    t, q, minutes = analytic_rows()
    head = ["Instrument\tDSC Q2000 V24.11 Build 124", "Sample\tglass 70Li2S-30P2S5", "Size\t5.0000\tmg",
            "Method\tRamp", "1: Ramp 10.00 °C/min to 400.00 °C", "Sig1\tTime (min)", "Sig2\tTemperature (°C)",
            "Sig3\tHeat Flow (mW)", "StartOfData"]
    rows = [f"{m:.5f}\t{a:.4f}\t{b * 5.0:.6f}" for a, b, m in zip(t, q, minutes, strict=True)]
    p = tmp_path / "ta.txt"
    p.write_text("\n".join(head + rows), encoding="utf-8")
    c = read_dsc(p)
    assert c.instrument == "ta" and c.heating_rate_K_per_min == 10.0
    _check_constructions(c)  # mW / 5 mg -> W/g


def test_mettler_stare_export_with_user_mass(tmp_path, analytic_rows):
    t, q, minutes = analytic_rows()
    head = ["STARe SW 16.00", "Curve Name:\tsample 1", "Method:\t100.0..400.0 °C, 10.00 K/min", "Curve Values:",
            "Index\tt\tTs\tTr\tValue", "\t[s]\t[°C]\t[°C]\t[mW]"]
    rows = [f"{i}\t{m * 60:.2f}\t{a:.4f}\t{a + 1:.4f}\t{b * 8.0:.6f}"
            for i, (a, b, m) in enumerate(zip(t, q, minutes, strict=True))]
    p = tmp_path / "mettler.txt"
    p.write_text("\n".join(head + rows), encoding="utf-8")
    c = read_dsc(p, sample_mass_mg=8.0)
    assert c.instrument == "mettler"
    assert c.heating_rate_K_per_min == 10.0
    _check_constructions(c)


@pytest.mark.parametrize("bom", [b"", b"\xff\xfe"])
def test_mettler_stare_space_aligned_utf16_export(tmp_path, analytic_rows, bom):
    """STARe "Unicode" text export: UTF-16 LE (with or without BOM), CRLF, columns aligned with
    spaces so the unit line has no cell under ``Index``, normalized heat flow in ``Wg^-1``
    (layout as read by a public STARe-14 comparison script; no licensed real file was found)."""
    t, q, minutes = analytic_rows()
    head = ["STARe SW 14.00", "Sample:  glass, 6.4610 mg", "Method:  100.0..400.0 °C, 10.00 K/min", "",
            "    Index             t            Ts            Tr         Value",
            "                    [s]          [°C]          [°C]       [Wg^-1]"]
    rows = [f"{i:9d}{m * 60:14.3f}{a:14.4f}{a + 1:14.4f}{b:14.6f}"
            for i, (a, b, m) in enumerate(zip(t, q, minutes, strict=True))]
    p = tmp_path / "stare.txt"
    p.write_bytes(bom + "\r\n".join(head + rows).encode("utf-16-le"))
    c = read_dsc(p)
    assert c.instrument == "mettler" and c.heat_flow_unit == "W/g"
    assert not any("not stated" in n for n in c.notes)  # Wg^-1 read under Value, not guessed
    assert c.heating_rate_K_per_min == 10.0
    assert c.temperature_C[0] == pytest.approx(t[0], abs=1e-4)  # Ts, not Tr = Ts + 1 and not t
    _check_constructions(c)


def test_utf16_without_bom_that_does_not_decode_is_a_file_format_error(tmp_path):
    p = tmp_path / "odd.txt"
    p.write_bytes("Index t Ts\r\n".encode("utf-16-le") + b"\x00\xd8" + "1 2 3".encode("utf-16-le"))
    with pytest.raises(FileFormatError, match=r"odd\.txt: looks like UTF-16"):
        read_dsc(p)


def test_setaram_export_picks_the_sample_not_the_furnace_temperature(tmp_path, analytic_rows):
    t, q, minutes = analytic_rows()
    head = ["Setaram Calisto export", "Sample mass: 20.0 mg", "Heating rate: 10 K/min",
            "Time (s);Furnace temperature (°C);Sample temperature (°C);HeatFlow (mW)"]
    rows = [f"{m * 60:.2f};{a + 15:.4f};{a:.4f};{b * 20.0:.6f}" for a, b, m in zip(t, q, minutes, strict=True)]
    p = tmp_path / "setaram.csv"
    p.write_text("\n".join(head + rows), encoding="utf-8")
    c = read_dsc(p)
    assert c.instrument == "setaram"
    assert c.temperature_C[0] == pytest.approx(t[0], abs=1e-3)
    _check_constructions(c)


def test_shimadzu_ta60_export(tmp_path, analytic_rows):
    t, q, minutes = analytic_rows()
    head = ["[File Information]", "Software\tTA-60WS", "[Sample Information]", "Sample Weight\t10.000\t[mg]",
            "[Temperature Program]", "Rate\t10.0\t[C/min]", "Hold Temp\t400.0\t[C]", "[Data]",
            "Time\tTemp\tDSC", "[sec]\t[C]\t[mW]"]
    rows = [f"{m * 60:.2f}\t{a:.4f}\t{b * 10.0:.6f}" for a, b, m in zip(t, q, minutes, strict=True)]
    p = tmp_path / "shimadzu.txt"
    p.write_text("\n".join(head + rows), encoding="utf-8")
    c = read_dsc(p)
    assert c.instrument == "shimadzu" and c.heating_rate_K_per_min == 10.0
    _check_constructions(c)


def test_generic_csv_in_degc_and_w_per_g_is_always_accepted(tmp_path, analytic_rows):
    t, q, _ = analytic_rows()
    p = tmp_path / "plain.csv"
    p.write_text("temperature_C,heat_flow_W_per_g\n" + "\n".join(f"{a},{b}" for a, b in zip(t, q, strict=True)))
    c = read_dsc(p, heating_rate_K_per_min=10.0)
    assert c.instrument == "csv"
    _check_constructions(c)


# ----------------------------------------------------------------------------- bad input
def _write(tmp_path, temps, name="bad.csv", time=True):
    q = np.zeros(len(temps))
    rows = [f"{i * 0.1:.3f},{a:.3f},{b}" if time else f"{a:.3f},{b}" for i, (a, b) in enumerate(zip(temps, q, strict=True))]
    head = "Time (min),Temperature (°C),Heat Flow (W/g)" if time else "Temperature (°C),Heat Flow (W/g)"
    p = tmp_path / name
    p.write_text(head + "\n" + "\n".join(rows))
    return p


def test_non_monotonic_temperature_names_file_and_line(tmp_path):
    temps = np.concatenate([np.arange(100, 200, 1.0), np.arange(190, 300, 1.0)])
    p = _write(tmp_path, temps)
    with pytest.raises(FileFormatError, match=r"bad\.csv, line 102: temperature is not monotonic"):
        read_dsc(p)


def test_a_cooling_segment_after_the_maximum_is_refused(tmp_path):
    temps = np.concatenate([np.arange(100, 300, 1.0), np.arange(299, 200, -1.0)])
    with pytest.raises(FileFormatError, match="line 202: temperature falls"):
        read_dsc(_write(tmp_path, temps))


def test_missing_heating_rate_is_an_error_naming_the_file(tmp_path):
    p = _write(tmp_path, np.arange(100, 300, 1.0), name="norate.csv", time=False)
    with pytest.raises(InputError, match=r"norate\.csv: no heating rate"):
        read_dsc(p)
    assert read_dsc(p, heating_rate_K_per_min=5.0).heating_rate_K_per_min == 5.0


@pytest.mark.parametrize("content, match", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
    (b"Temperature (C),Mass (mg)\n1,2\n2,3\n", "need a temperature and a heat-flow column"),
    (b"Temperature (C),Heat Flow (W/g)\n100,0.1\n101,abc\n", "line 3: not a number"),
    (b"Temperature (C),Heat Flow (furlong)\n" + b"\n".join(b"%d,0.1" % i for i in range(100, 200)), "not recognised"),
])
def test_unreadable_files_give_file_format_errors(tmp_path, content, match):
    p = tmp_path / "x.csv"
    p.write_bytes(content)
    with pytest.raises(FileFormatError, match=match):
        read_dsc(p, heating_rate_K_per_min=10.0)


def test_negative_sample_mass_and_missing_file_are_refused(tmp_path):
    p = _write(tmp_path, np.arange(100, 300, 1.0))
    with pytest.raises(InputError, match="sample mass must be > 0"):
        read_dsc(p, sample_mass_mg=-3.0)
    with pytest.raises(InputError, match="no such DSC/DTA file"):
        read_dsc(tmp_path / "absent.csv")


def test_dsc_curve_round_trips(fixtures_dir):
    c = read_dsc(fixtures_dir / "nist_pmma_dsc_n2_10K_1.csv", exo="down")
    back = DscCurve.from_json(c.to_json())
    assert np.array_equal(back.temperature_C, c.temperature_C) and back.notes == c.notes


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ssbkit.errors import SsbkitError  # noqa: E402

_HEADERS = ["Temperature (°C),Heat Flow (W/g)", "##Temp./°C;Time/min;DSC/(mW/mg)", "Sig1\tTemperature (°C)",
            "[Data]", "Index\tt\tTs\tTr\tValue", "time,Temp,Heat Flow Rate\n[s],[K],[mW/mg]", ""]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from(_HEADERS),
       body=st.lists(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4)),
                              min_size=0, max_size=5), max_size=40),
       sep=st.sampled_from([",", ";", "\t"]))
def test_readers_end_in_a_curve_or_an_ssbkit_error(tmp_path, header, body, sep):
    """Fuzz: any text in any layout gives a DscCurve or an SsbkitError, never a foreign exception."""
    p = tmp_path / "fuzz.txt"
    p.write_text(header + "\n" + "\n".join(sep.join(str(c) for c in row) for row in body), encoding="utf-8")
    try:
        read_dsc(p, heating_rate_K_per_min=10.0)
    except SsbkitError:
        pass


def test_netzsch_heat_cool_heat_export_reads_the_chosen_segment(tmp_path, analytic_rows):
    """A 'Segment' column (isothermal 1, heating 2, cooling 3): the heating ramp is picked, or the one asked."""
    t, q, minutes = analytic_rows()
    rows = ["25.0;0.0;0.1;1", "25.0;1.0;0.1;1"]
    rows += [f"{a:.4f};{m + 1:.5f};{b:.6e};2" for a, b, m in zip(t, q, minutes, strict=True)]
    rows += [f"{a:.4f};{40 + k * 0.1:.5f};0.05;3" for k, a in enumerate(t[::-1])]
    p = tmp_path / "hch.txt"
    p.write_text("\n".join(["#EXO:1", "#RANGE:100°C/10.0(K/min)/400°C",
                            "##Temp./°C;Time/min;DSC/(mW/mg);Segment"] + rows), encoding="utf-8")
    c = read_dsc(p)
    assert any("segment 2" in n for n in c.notes)
    _check_constructions(c)
    with pytest.raises(FileFormatError, match="temperature"):
        read_dsc(p, segment=3)  # a cooling segment is not a heating curve
    with pytest.raises(InputError, match="segment 7 is not in the file"):
        read_dsc(p, segment=7)
