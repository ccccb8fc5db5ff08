"""Real TA Instruments and Setaram exports (not Netzsch) through the readers and the analysis.

Both files come from the pkynetics repository (MIT licence), see ``fixtures/README.md``.
"""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import FileFormatError
from ssbkit.processing.dsc import analyze_dsc
from ssbkit.processing.dsc_io import read_dsc

TA = "ta_ua_eicosane_1K_every5th.txt"
SETARAM = "setaram_calisto_duran_20K_every20th.txt"


def test_ta_universal_analysis_file_reads_its_heating_segment(fixtures_dir):
    """Header: 2920 MDSC, 'Size 9.00000 mg', 'Exotherm Up', 'Sig2 Temperature (øC)' (code page 437
    degree sign), four 'time -1' segment markers; the run heats -21 -> 69.6 degC at 1 K/min
    (``OrgFile ... 1øCmin``) and cools back."""
    c = read_dsc(fixtures_dir / TA)
    assert c.instrument == "ta"
    assert c.sample_mass_mg == pytest.approx(9.0)
    assert c.heat_flow_unit == "W/g"  # mW / 9 mg
    assert c.heating_rate_K_per_min == pytest.approx(1.0, rel=0.02)
    assert c.temperature_C[0] == pytest.approx(-21.2, abs=0.1)
    assert c.temperature_C[-1] == pytest.approx(69.2, abs=0.1)
    assert np.all(np.diff(c.temperature_C) > 0)
    assert any("segment-marker rows" in n and "lines 32, 33" in n for n in c.notes)
    assert any("segment 2" in n for n in c.notes)  # heating picked, cooling left out


def test_ta_eicosane_melting_agrees_with_literature(fixtures_dir):
    """Eicosane melts at ~36.4-36.8 degC with ~247 J/g (values quoted beside this file in
    pkynetics' ``examples/dsc/eicosane_melting_example.py``, commit 3ff0a744).

    The extrapolated onset of a pure substance is its melting point: within 1.5 K (an
    uncalibrated reading in K, or in degF, would miss by hundreds). The enthalpy: this file's
    own calibration gives ~12 % above 247 J/g (pkynetics integrates it to ~286 J/g), so the
    literature check is 15 % and the tight check is against the peer
    (``test_peer_pkynetics.py``); a missed division by the 9 mg would be off by 1000x.
    """
    a = analyze_dsc(read_dsc(fixtures_dir / TA), find_tg=False)
    assert not a.crystallization  # "Exotherm Up" honoured: the melt is not read as an exotherm
    assert len(a.melting) == 1
    m = a.melting[0]
    assert 36.4 - 1.5 <= m.onset_C <= 36.8
    assert m.onset_C < m.peak_C < 38.5
    assert m.enthalpy_J_per_g == pytest.approx(247.0, rel=0.15)


def test_setaram_calisto_utf16_export_reads(fixtures_dir):
    """Setaram (MAC250-MS20, Duran glass, 34.04 mg) text export: UTF-16 with BOM, columns
    'Index Time Furnace Sample TG HeatFlow' without units; the programme heats 50 -> 850 degC
    at 20 K/min (the furnace column rises 65 K per 195 s) and cools to ~170 degC."""
    c = read_dsc(fixtures_dir / SETARAM)
    assert c.instrument == "setaram"
    assert c.sample_mass_mg == pytest.approx(34.04)
    assert c.heat_flow_unit == "W/g"
    assert c.heating_rate_K_per_min == pytest.approx(20.0, rel=0.02)
    assert c.temperature_C[0] == pytest.approx(53.8, abs=1.0)  # sample column, not the furnace
    assert c.temperature_C[-1] == pytest.approx(847.7, abs=0.5)
    assert any("rows after the maximum" in n and "cooling" in n for n in c.notes)
    assert any("without units" in n for n in c.notes)


def test_utf16_bom_on_a_broken_file_is_a_file_format_error(tmp_path):
    p = tmp_path / "broken.txt"
    p.write_bytes(b"\xff\xfe" + b"\x00\xd8")  # lone surrogate: not UTF-16 text
    with pytest.raises(FileFormatError, match=r"broken\.txt: starts with a UTF-16"):
        read_dsc(p)


def test_ta_file_with_a_bad_data_row_names_the_line(tmp_path, fixtures_dir):
    lines = (fixtures_dir / TA).read_text(encoding="latin-1").split("\n")
    k = lines.index("StartOfData") + 10
    lines[k] = "188.1\tnan?\t-10.4"
    p = tmp_path / "ta_bad.txt"
    p.write_text("\n".join(lines), encoding="latin-1")
    with pytest.raises(FileFormatError, match=rf"ta_bad\.txt, line {k + 1}: not a number"):
        read_dsc(p)


def test_duran_glass_gives_no_spurious_peaks_and_a_consistent_tg(fixtures_dir):
    """Duran (Schott borosilicate 3.3) does not crystallise or melt below 850 degC: its data sheet
    gives Tg 525 degC (ISO 7884-8, dilatometric), annealing point 560 degC (10^13 dPa s) and
    softening point 825 degC (10^7.6 dPa s) (SCHOTT DURAN data sheet, as listed on
    matmatch.com/materials/shgt005-duran-). This simultaneous TG-DSC run drifts by ~0.5 W/g and
    has bends and bumps of ~0.05 W/g; none of them may be reported as an exotherm or endotherm
    (each is named in the notes as not a peak). The calorimetric Tg at 20 K/min lies above the
    dilatometric Tg measured at a few K/min and well below the softening point; the construction
    must be ordered onset < midpoint < end. The heat-capacity step (0.73 J/(g K) here) is not
    asserted: no published cp step of DURAN / borosilicate 3.3 was found to check it against, and
    this uncorrected TG-DSC signal (no blank run; its glass baseline reads about -3 J/(g K) as
    heat flow / rate) does not make it a calibrated Delta cp."""
    a = analyze_dsc(read_dsc(fixtures_dir / SETARAM))
    assert a.crystallization == () and a.melting == ()
    assert any("not reported as a peak" in n for n in a.notes)
    g = a.glass_transition
    assert g is not None
    assert 525.0 <= g.onset_C < g.midpoint_C < g.end_C < 825.0
    assert g.end_C - g.onset_C < 100.0  # a glass step at 20 K/min, not the whole scan
    assert sum("overlap" in n for n in a.notes) == 0
