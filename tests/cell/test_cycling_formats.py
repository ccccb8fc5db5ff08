"""Real exports of every cycler against the instrument's own summary or an independent count.

Fixtures in tests/cell/fixtures/cycling/ (README there: source repository, path, licence).
Each test reads the reference numbers straight from the file (csv module, galvani,
access-parser) rather than through ssbkit's readers.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from ssbkit.cell.cycling import (
    CyclerData,
    CycleSummary,
    CyclingBatch,
    cycling_summary,
    detect_format,
    read_cycler_file,
    summarize_cycles,
)
from ssbkit.errors import FileFormatError, InputError

FIX = Path(__file__).parent / "fixtures" / "cycling"


def _unzipped(name: str, tmp_path: Path) -> Path:
    out = tmp_path / name.removesuffix(".gz")
    with gzip.open(FIX / name, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def _coulombs_mAh(t_s, i_a) -> float:
    return float(np.sum(0.5 * (i_a[1:] + i_a[:-1]) * np.diff(t_s))) / 3.6


def test_neware_regular_export_matches_its_cycle_layer():
    """Neware BTS regular export (cellpy test data, IFE cell): all three layers parsed; per-cycle
    charge and discharge equal the cycle layer's Chg./DChg. Cap.(Ah) within 0.1 % (the layer is
    rounded to 10 uAh: 0.02 % on 0.33 Ah)."""
    path = FIX / "neware_regular_3cycles.csv"
    with open(path, newline="") as fh:
        cyc_rows = [r for r in csv.reader(fh) if r and r[0].strip()][1:]
    inst_c = np.array([float(r[1]) for r in cyc_rows]) * 1e3
    inst_d = np.array([float(r[2]) for r in cyc_rows]) * 1e3
    data = read_cycler_file(path)
    assert data.format == "neware-regular" and len(data) == 1381
    s = summarize_cycles(data)
    assert list(s.cycle) == [1, 2, 3]
    assert s.charge_mAh == pytest.approx(inst_c, rel=1e-3)
    assert s.discharge_mAh == pytest.approx(inst_d, rel=1e-3)
    assert s.instrument_max_rel_diff < 1e-3
    assert s.coulombic_efficiency[1] == pytest.approx(331.72 / 327.80, rel=1e-3)  # Chg.-DChg. Eff 101.20 %
    assert s.discharge_mAh_per_g is None and any("capacities in mAh" in n for n in s.notes)


def test_neware_regular_record_current_integrates_to_the_step_capacity():
    """Independent check of the record layer: integral of I dt over cycle 2's charge = 327.80 mAh."""
    data = read_cycler_file(FIX / "neware_regular_3cycles.csv")
    m = (data.cycle == 2) & (data.current_A > 0)
    assert _coulombs_mAh(data.time_s[m], data.current_A[m]) == pytest.approx(327.80, rel=0.01)


def test_arbin_res_matches_its_statistics_table(tmp_path):
    """Arbin .res (cellpy test data 20160805_test001_45_cc_01.res): capacities at the data points
    that Channel_Statistic_Table lists as cycle ends, read here with access-parser directly."""
    access_parser = pytest.importorskip("access_parser")
    path = _unzipped("arbin_20160805_test001_45_cc_01.res.gz", tmp_path)
    db = access_parser.AccessParser(str(path))
    normal = db.parse_table("Channel_Normal_Table")
    ends = set(db.parse_table("Channel_Statistic_Table")["Data_Point"])
    ref = {int(c): (qc * 1e3, qd * 1e3) for dp, c, qc, qd in
           zip(normal["Data_Point"], normal["Cycle_Index"], normal["Charge_Capacity"],
               normal["Discharge_Capacity"], strict=True) if dp in ends}
    data = read_cycler_file(path)
    assert data.format == "arbin-res" and len(data) == len(normal["Data_Point"])
    s = summarize_cycles(data, mass_mg=0.5)
    got = {int(c): (a, b) for c, a, b in zip(s.cycle, s.charge_mAh, s.discharge_mAh, strict=True)}
    assert len(ref) >= 15
    for c, (qc, qd) in ref.items():
        assert got[c][0] == pytest.approx(qc, rel=1e-3) and got[c][1] == pytest.approx(qd, rel=1e-3)
    assert s.instrument_max_rel_diff < 1e-3
    assert s.discharge_mAh_per_g[0] == pytest.approx(s.discharge_mAh[0] / 0.5e-3)


def test_maccor_day_clock_test_time_and_step_amp_hr(tmp_path):
    """Maccor raw text (cellpy maccor_001.txt, first 2,696 records): TestTime '0d 20:49:50.15';
    Cyc# stays 0, so cycles come from the D/C sequence (with a note); cycle 1's discharge equals
    the Amp-hr counter at the end of step 2, its charge the sum over the CC and CV steps 4 and 5."""
    path = _unzipped("maccor_ddhms.txt.gz", tmp_path)
    rows = [r.split("\t") for r in path.read_text(encoding="latin-1").splitlines()[4:]]
    amp_hr = {}
    for r in rows:
        amp_hr[int(r[2])] = max(amp_hr.get(int(r[2]), 0.0), float(r[5]))
    data = read_cycler_file(path)
    assert data.format == "maccor"
    assert data.time_s[-1] == pytest.approx(20 * 3600 + 49 * 60 + 50.15, abs=1e-3)
    s = summarize_cycles(data)
    assert any("cycle counter is 0 throughout" in n for n in s.notes)
    assert s.discharge_mAh[0] == pytest.approx(amp_hr[2] * 1e3, rel=1e-4)
    assert s.charge_mAh[0] == pytest.approx((amp_hr[4] + amp_hr[5]) * 1e3, rel=1e-4)
    m = (data.cycle == 1) & (data.current_A > 0)  # independent: coulomb counting of the charge
    assert _coulombs_mAh(data.time_s[m], data.current_A[m]) == pytest.approx(s.charge_mAh[0], rel=0.01)


def _maccor_raw(path: Path, time_header: str, fmt_time) -> Path:
    """Maccor raw text with the 'Rec# Cyc# Step Test (Sec) ... Amp-hr Amps Volts State' header:
    2 cycles of 1 mA charge for 1 h and discharge for 0.9 h (truth 1.0 and 0.9 mAh)."""
    head = ("Today's Date\t12/01/2026\tDate of Test:\t11/30/2026\nFilename:\tx.001\n"
            f"Rec#\tCyc#\tStep\t{time_header}\tStep (Sec)\tAmp-hr\tWatt-hr\tAmps\tVolts\tState\tES\tDPt Time\n")
    lines, t, rec = [], 0.0, 1
    for cyc in (1, 2):
        for step, state, dur in ((1, "C", 3600.0), (2, "R", 600.0), (3, "D", 3240.0), (4, "R", 600.0)):
            for k in range(0, int(dur) + 1, 60):
                amps = 0.001 if state in "CD" else 0.0
                lines.append(f"{rec}\t{cyc}\t{step + 4 * (cyc - 1)}\t{fmt_time(t + k)}\t{k}\t"
                             f"{amps * k / 3600:.8f}\t0\t{amps:.4f}\t3.7\t{state}\t0\t11/30/2026 10:00:00")
                rec += 1
            t += dur + 60
    path.write_text(head + "\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("header", "fmt_time"), [
    ("Test (Sec)", lambda s: f"{s:.3f}"),
    ("TestTime", lambda s: f"{int(s // 86400)}d {int(s % 86400 // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:05.2f}"),
])
def test_maccor_time_header_variants(tmp_path, header, fmt_time):
    """Synthetic truth: 1 mA for 3600 s charge and 3240 s discharge -> 1.0 / 0.9 mAh, CE 0.9."""
    data = read_cycler_file(_maccor_raw(tmp_path / "m.txt", header, fmt_time))
    assert data.format == "maccor"
    s = summarize_cycles(data)
    assert s.charge_mAh == pytest.approx([1.0, 1.0], rel=1e-6)
    assert s.discharge_mAh == pytest.approx([0.9, 0.9], rel=1e-6)
    assert s.coulombic_efficiency == pytest.approx([0.9, 0.9], rel=1e-6)
    assert data.time_s[-1] == pytest.approx(2 * (3600 + 600 + 3240 + 600 + 4 * 60) - 60, abs=0.01)


def test_biologic_mpr_with_gcpl_and_peis_keeps_the_cycling_part(tmp_path):
    """EC-Lab .mpr holding GCPL and PEIS (cellpy biol.mpr, Si/C half-cell): not refused; the 310
    impedance points are skipped with a note; the charge equals galvani's Q counter and the
    integral of galvani's I column over the kept points."""
    galvani = pytest.importorskip("galvani.BioLogic")
    path = _unzipped("biologic_gcpl_peis_sic.mpr.gz", tmp_path)
    raw = galvani.MPRfile(str(path)).data
    keep = raw["freq/Hz"] == 0
    q_ref = float(raw["Q charge/discharge/mA.h"][keep].max())
    data = read_cycler_file(path)
    assert data.format == "biologic-mpr" and len(data) == int(keep.sum())
    assert any("310 impedance points" in n and "skipped" in n for n in data.notes)
    s = summarize_cycles(data, ce_convention="charge/discharge")
    assert s.charge_mAh.sum() == pytest.approx(q_ref, rel=1e-3)
    i = np.clip(raw["I/mA"][keep] * 1e-3, 0, None)  # the rests (I = 0) stay in, bridging the PEIS gaps
    assert _coulombs_mAh(raw["time/s"][keep], i) == pytest.approx(q_ref, rel=0.01)
    assert any("no charge" in n or "no discharge" in n for n in s.notes) or np.isfinite(s.retention[0])


def test_neware_ndax_through_newarenda():
    """Neware .ndax (NewareNDA test data, PR28 Ndc17): 1 A CC charge then discharge, 15 s each;
    the capacity equals the integral of the current (4.167 mAh)."""
    pytest.importorskip("NewareNDA")
    data = read_cycler_file(FIX / "neware_ndc17.ndax")
    assert data.format == "neware-ndax" and len(data) == 80
    s = summarize_cycles(data)
    m = data.current_A > 0
    assert s.charge_mAh[0] == pytest.approx(_coulombs_mAh(data.time_s[m], data.current_A[m]), rel=0.08)
    assert s.charge_mAh[0] == pytest.approx(4.1665, rel=1e-3)  # Charge_Capacity(mAh) at the step end
    assert np.all(np.diff(data.time_s) >= 0)


def _xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def _arbin_rows(q_scale=(1.0, 0.97)):
    rows = [["Data_Point", "Test_Time(s)", "Step_Time(s)", "Cycle_Index", "Step_Index", "Current(A)",
             "Voltage(V)", "Charge_Capacity(Ah)", "Discharge_Capacity(Ah)"]]
    stats = [["Cycle_Index", "Test_Time(s)", "Charge_Capacity(Ah)", "Discharge_Capacity(Ah)"]]
    t = 0.0
    for cyc, f in enumerate(q_scale, start=1):
        qc = qd = 0.0
        for step, i in ((1, 0.002), (2, -0.002 * f)):
            for _ in range(31):
                rows.append([len(rows), t, 0.0, cyc, step, i, 3.7, qc, qd])
                t += 60
                qc += max(i, 0) * 60 / 3600
                qd += max(-i, 0) * 60 / 3600
        stats.append([cyc, t, 0.002 * 1800 / 3600, 0.002 * f * 1800 / 3600])
    return rows, stats


def test_arbin_xlsx_matches_its_statistics_sheet(tmp_path):
    """Arbin XLSX layout (Channel_* data sheet + Statistics_* sheet): truth 1.0 mAh charge and
    1.0 / 0.97 mAh discharge, as written in the statistics sheet."""
    rows, stats = _arbin_rows()
    p = _xlsx(tmp_path / "a.xlsx", {"Info": [["Test Name", "x"]], "Channel_1-005": rows,
                                    "Statistics_1-005": stats})
    data = read_cycler_file(p)
    assert data.format == "arbin-xlsx"
    s = summarize_cycles(data)
    assert s.instrument_source.startswith("Arbin sheet Statistics")
    assert s.charge_mAh == pytest.approx([1.0, 1.0], rel=1e-9)
    assert s.discharge_mAh == pytest.approx([1.0, 0.97], rel=1e-9)
    assert s.instrument_max_rel_diff < 1e-3


def test_neware_xlsx_record_and_cycle_sheets(tmp_path):
    """Neware XLSX (record + cycle sheets): CE from a known 0.5 mAh charge / 0.45 mAh discharge."""
    rec = [["DataPoint", "Cycle Index", "Step Index", "Step Type", "Time", "Total Time", "Current(A)",
            "Voltage(V)", "Capacity(Ah)"]]
    t = 0
    for step, kind, i in ((1, "CC Chg", 0.001), (2, "CC DChg", -0.001)):
        n = 30 if i > 0 else 27
        for k in range(n + 1):
            rec.append([len(rec), 1, step, kind, f"00:{k:02d}:00", f"{t // 3600:02d}:{t % 3600 // 60:02d}:00",
                        i, 3.7, abs(i) * k * 60 / 3600])
            t += 60
    cyc = [["Cycle Index", "Chg. Cap.(Ah)", "DChg. Cap.(Ah)", "Chg.-DChg. Eff(%)"], [1, 0.0005, 0.00045, 90.0]]
    p = _xlsx(tmp_path / "n.xlsx", {"cycle": cyc, "step": [["Step Index"]], "record": rec})
    s = summarize_cycles(read_cycler_file(p))
    assert s.charge_mAh[0] == pytest.approx(0.5, rel=1e-9)
    assert s.coulombic_efficiency[0] == pytest.approx(0.9, rel=1e-9)
    assert s.instrument_max_rel_diff < 1e-9


def test_generic_csv_with_a_column_map(tmp_path):
    """German headers and mA, named by the user: 2 mA for 30 min (then a rest point) -> 1 mAh."""
    lines = ["Zeit;Spannung;Strom;Zyklus"]
    t = 0
    for cyc in (1, 2):
        for i in (2.0, -2.0):
            for k in range(32):
                lines.append(f"{t};3,7;{i if k < 31 else 0.0:.1f}".replace(".", ",") + f";{cyc}")
                t += 60 if k < 30 else 1
    p = tmp_path / "de.csv"
    p.write_text("\n".join(lines) + "\n")
    cmap = {"time_s": "Zeit", "voltage_V": "Spannung", "current_mA": "Strom", "cycle": "Zyklus"}
    data = read_cycler_file(p, columns=cmap)
    assert any("decimal commas" in n for n in data.notes)
    s = summarize_cycles(data)
    assert s.charge_mAh == pytest.approx([1.0, 1.0], rel=1e-3)  # + half the 1 s step into the rest
    with pytest.raises(InputError, match="did you mean 'current_mA'"):
        read_cycler_file(p, columns={"time_s": "Zeit", "voltage_V": "Spannung", "curent_mA": "Strom"})
    with pytest.raises(FileFormatError, match="Strom2"):
        read_cycler_file(p, columns={**cmap, "current_mA": "Strom2"})


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "latin-1"])
def test_text_encodings_and_line_endings_read_the_same(tmp_path, encoding):
    src = (FIX / "neware_regular_3cycles.csv").read_text()
    ref = read_cycler_file(FIX / "neware_regular_3cycles.csv")
    p = tmp_path / "x.csv"
    p.write_bytes(src.replace("\n", "\r\n").encode(encoding))
    got = read_cycler_file(p)
    assert np.array_equal(got.voltage_V, ref.voltage_V) and np.array_equal(got.cycle, ref.cycle)


def test_double_bom_is_removed_with_a_note_and_keeps_the_first_row(tmp_path):
    src = (FIX / "neware_regular_3cycles.csv").read_bytes()
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + src)
    got = read_cycler_file(p)
    assert len(got) == 1381 and any("byte-order marks" in n for n in got.notes)


def test_registry_names_every_format_once_and_detects_each_fixture(tmp_path):
    from ssbkit.cell.cycling import FORMATS

    names = [f.name for f in FORMATS]
    assert len(names) == len(set(names)) and names[-1] == "csv"
    assert detect_format(FIX / "neware_regular_3cycles.csv") == "neware-regular"
    assert detect_format(FIX / "neware_ndc17.ndax") == "neware-ndax"
    assert detect_format(_unzipped("maccor_ddhms.txt.gz", tmp_path)) == "maccor"


def test_records_round_trip(tmp_path):
    data = read_cycler_file(FIX / "neware_regular_3cycles.csv")
    back = CyclerData.from_json(data.to_json())
    assert np.array_equal(back.current_A, data.current_A) and back.instrument.source == "Neware cycle layer"
    s = summarize_cycles(data, mass_mg=3.0)
    s2 = CycleSummary.from_json(s.to_json())
    assert np.array_equal(s2.discharge_mAh_per_g, s.discharge_mAh_per_g) and s2.notes == s.notes
    batch = cycling_summary([FIX / "neware_regular_3cycles.csv", tmp_path / "missing.csv"])
    b2 = CyclingBatch.from_json(batch.to_json())
    assert b2.status == "partial" and b2.failures[0].path.endswith("missing.csv")
    assert np.array_equal(b2.summaries[0].charge_mAh, batch.summaries[0].charge_mAh)


def test_cycling_summary_takes_mass_and_nominal_from_a_design():
    """Issue 9: the workflow, not the CLI, turns a design into mass (loading x area) and nominal capacity."""
    from ssbkit.cell.cycling.workflow import design_quantities
    from ssbkit.cell.design_file import load_design

    path = Path(__file__).parents[2] / "ssbkit" / "cell" / "data" / "example_design.toml"
    d = load_design(path)
    q = design_quantities(path)
    assert q["mass_mg"] == pytest.approx(d.cathode.loading_mg_cm2 * d.area_cm2)
    batch = cycling_summary(FIX / "neware_regular_3cycles.csv", design=d)
    s = batch.summaries[0]
    assert s.mass_mg == pytest.approx(q["mass_mg"])
    assert s.discharge_mAh_per_g == pytest.approx(s.discharge_mAh / (q["mass_mg"] * 1e-3))


def test_cellpy_side_by_side_on_the_arbin_res(tmp_path):
    """cellpy (the peer) on the same .res: per-cycle charge and discharge agree within 0.1 %
    (measured 0.0003 %, benchmarks/bench_cycling.py). Skips without cellpy or its mdbtools."""
    cellpy = pytest.importorskip("cellpy")
    folder = tmp_path / "in"
    folder.mkdir()
    path = _unzipped("arbin_20160805_test001_45_cc_01.res.gz", folder)
    try:
        c = cellpy.get(str(path), instrument="arbin_res", mass=1.0)
    except Exception as exc:  # noqa: BLE001 - cellpy needs mdbtools or an ODBC driver for .res
        pytest.skip(f"cellpy cannot read .res here: {type(exc).__name__}")
    unit = {"Ah": 1e3, "mAh": 1.0}[c.raw_units.charge]
    theirs = c.data.summary
    ours = summarize_cycles(read_cycler_file(path))
    n = min(len(ours.cycle), len(theirs)) - 1  # the last cycle is cut short
    assert ours.charge_mAh[:n] == pytest.approx(theirs["charge_capacity"].to_numpy()[:n] * unit, rel=1e-3)
    assert ours.discharge_mAh[:n] == pytest.approx(theirs["discharge_capacity"].to_numpy()[:n] * unit, rel=1e-3)


def test_biologic_mpt_mixing_gcpl_and_peis_keeps_the_gcpl_points(tmp_path):
    """An .mpt with a PEIS block between two GCPL half-cycles: 5 impedance rows skipped with a note,
    the cycling part summarised (0.5 mA x 1 h = 0.5 mAh each way); an all-PEIS file is refused."""
    head = ["EC-Lab ASCII FILE", "Nb header lines : 4", "Technique : GCPL + PEIS",
            "mode\ttime/s\tEwe/V\t<I>/mA\tfreq/Hz\tcycle number\thalf cycle\tQ charge/discharge/mA.h"]
    rows, t = [], 0.0
    for half, sign in enumerate((1, -1)):
        for k in range(61):
            rows.append(f"1\t{t:.1f}\t{3.8 + 0.001 * sign * k:.4f}\t{0.5 * sign:.3f}\t0\t0\t{half}\t"
                        f"{sign * k * 0.5 / 60:.6f}")
            t += 60.0
        if half == 0:
            for f in (1e6, 1e5, 1e4, 1e3, 1e2):
                rows.append(f"3\t{t:.1f}\t3.86\t0.000\t{f:g}\t0\t0\t0")
                t += 1.0
    p = tmp_path / "mix.mpt"
    p.write_text("\n".join(head + rows) + "\n")
    data = read_cycler_file(p)
    assert len(data) == 122 and any("5 impedance points" in n for n in data.notes)
    s = summarize_cycles(data)
    assert s.charge_mAh == pytest.approx([0.5], rel=1e-6) and s.discharge_mAh == pytest.approx([0.5], rel=1e-6)
    only = tmp_path / "peis.mpt"
    only.write_text("\n".join(head + [r for r in rows if not r.split("\t")[4] == "0"]) + "\n")
    with pytest.raises(FileFormatError, match="impedance file"):
        read_cycler_file(only)


def test_implausible_readings_are_refused_with_the_point(tmp_path):
    """A 1e308 V reading (a damaged field that still parses) is named, not integrated into inf."""
    lines = ["time_s,voltage_V,current_A"] + [f"{k},3.7,0.001" for k in range(5)]
    lines[3] = "2,1e308,0.001"
    p = tmp_path / "big.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError, match="data point 3: voltage_V"):
        read_cycler_file(p)


def test_a_decimal_comma_in_a_comma_separated_row_is_an_error_not_a_column_shift(tmp_path):
    """Found by the fuzz run: '4,3185' in a comma-separated Neware record split into two fields and
    shifted every later column in silence; now the line is named."""
    lines = (FIX / "neware_regular_3cycles.csv").read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith(",,12,"))
    lines[k] = lines[k].replace(",4.3734,", ",4,3734,", 1)
    p = tmp_path / "dc.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError, match=rf"line {k + 1} has 21 fields, the header 20"):
        read_cycler_file(p)


def test_neware_bts7_xlsx_detail_and_cycle_sheets(tmp_path):
    """Older Neware BTS 7 workbook: 'Detail_*' sheet with Cur(mA), CapaCity(mAh), a step-relative
    'Relative Time(h:min:s.ms)' and 'Absolute Time'; 'Cycle' sheet with Cap_Chg/Cap_DChg(mAh).
    Truth: 2 mA for 30 min each way -> 1 mAh; test time from the clock column."""
    det = [["Record ID", "Status", "JumpTo", "Cycle", "Step", "Cur(mA)", "Voltage(V)", "CapaCity(mAh)",
            "Energy(mWh)", "Relative Time(h:min:s.ms)", "Absolute Time"]]
    t = 0
    for step, status, i in ((1, "CC_Chg", 2.0), (2, "CC_DChg", -2.0)):
        for k in range(31):
            clock = datetime.datetime(2024, 5, 1, 10) + datetime.timedelta(seconds=t)
            det.append([len(det), status, 1, 1, step, i, 3.7, abs(i) * k / 60, 0.0, f"0:{k:02d}:00.000",
                        clock.strftime("%Y-%m-%d %H:%M:%S")])
            t += 60 if k < 30 else 1
    cyc = [["Cycle", "Cap_Chg(mAh)", "Cap_DChg(mAh)"], [1, 1.0, 1.0]]
    p = _xlsx(tmp_path / "bts7.xlsx", {"Info": [["Channel", "1"]], "Cycle": cyc, "Statis": [["Step"]],
                                       "Detail_67_1_1": det})
    data = read_cycler_file(p)
    assert data.format == "neware-xlsx" and any("clock column" in n for n in data.notes)
    s = summarize_cycles(data)
    assert s.charge_mAh == pytest.approx([1.0], rel=1e-9) and s.discharge_mAh == pytest.approx([1.0], rel=1e-9)
    assert s.instrument_max_rel_diff < 1e-9


def test_neware_regular_export_saved_tab_separated_reads_the_same(tmp_path):
    src = FIX / "neware_regular_3cycles.csv"
    with open(src, newline="") as fh:
        rows = list(csv.reader(fh))
    p = tmp_path / "tab.txt"
    p.write_text("\n".join("\t".join(r) for r in rows) + "\n")
    a, b = read_cycler_file(src), read_cycler_file(p)
    assert b.format == "neware-regular"
    assert np.array_equal(a.current_A, b.current_A) and np.array_equal(a.instrument.charge_mAh, b.instrument.charge_mAh)


def test_vendor_format_name_picks_the_binary_reader_for_a_binary_file():
    pytest.importorskip("NewareNDA")
    assert read_cycler_file(FIX / "neware_ndc17.ndax", format="neware").format == "neware-ndax"
