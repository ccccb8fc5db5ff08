"""Cycler exports from other projects' test data, against references that do not go through ssbkit.

Fixtures in tests/data/cycling/ (README there: source repository, commit, licence).
Reference numbers come from the file itself (read with the csv module, or the
instrument's wall clock) or from a summary file published with the data.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from ssbkit.cell.cycling import detect_format, read_cycler_file, segments, summarize_cycles
from ssbkit.cell.cycling.generic import steps_from_current
from ssbkit.errors import FileFormatError

DATA = Path(__file__).parents[1] / "data" / "cycling"


def _rows(path: Path, delimiter: str = ",", skip: int = 0) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        lines = fh.read().splitlines()[skip:]
    return list(csv.DictReader(lines, delimiter=delimiter))


def test_batterydata_cycle_capacity_matches_the_published_cycle_summary():
    # p492-13-summary.csv (published beside the raw file), cycle 9: Q_chg 0.01899660 Ah,
    # Q_dis 0.01901047 Ah.
    data = read_cycler_file(DATA / "batterydata_p492-13_cycles7and9.csv")
    summary = summarize_cycles(data)
    k = list(summary.cycle).index(9)
    assert summary.charge_mAh[k] == pytest.approx(18.99660, rel=1e-4)
    assert summary.discharge_mAh[k] == pytest.approx(19.01047, rel=1e-4)


def test_batterydata_impedance_rows_are_left_out_with_a_note():
    path = DATA / "batterydata_p492-13_cycles7and9.csv"
    rows = _rows(path)
    eis = [r for r in rows if r["Frequency_Hz"] != "NaN"]
    assert len(eis) == 78 and all(float(r["Voltage_V"]) < 0 for r in eis)  # the file's EIS rows
    data = read_cycler_file(path)
    assert len(data) == len(rows) - 78
    assert float(np.min(data.voltage_V)) > 2.9  # no -3.79 V "cycling" point from an EIS row
    assert any("78 impedance row(s)" in n and "lines 2-79" in n for n in data.notes)
    assert detect_format(path) == "csv"  # Arbin-like names, not Arbin's layout


def test_maccor_test_minutes_is_converted_to_seconds_like_the_dpt_clock():
    path = DATA / "maccor_test_minutes.001"
    rows = _rows(path, "\t", skip=1)
    clock = [datetime.strptime(r["DPt Time"], "%m/%d/%Y %H:%M:%S") for r in rows]
    wall_s = np.array([(c - clock[0]).total_seconds() for c in clock])
    data = read_cycler_file(path)
    assert data.format == "maccor"
    np.testing.assert_allclose(data.time_s, wall_s, atol=0.01)  # 0.1667 min = 10.0 s per record


def test_arbin_with_empty_index_columns_reads_with_notes_and_the_counter_capacity():
    path = DATA / "arbin_empty_index_CH33.csv"
    rows = _rows(path)
    assert all(r["Cycle_Index"] == "" and r["Step_Index"] == "" for r in rows)
    t = np.array([float(r["Test_Time"]) for r in rows])
    i = np.array([float(r["Current"]) for r in rows])
    q_counter = float(rows[-1]["Charge_Capacity"]) - float(rows[0]["Charge_Capacity"])  # Ah
    q_coulomb = float(np.sum(0.5 * (i[1:] + i[:-1]) * np.diff(t))) / 3600.0
    assert q_coulomb == pytest.approx(q_counter, rel=1e-3)  # the two references agree
    data = read_cycler_file(path)
    assert data.format == "arbin" and len(data) == len(rows)
    assert any("Cycle_Index is empty throughout" in n for n in data.notes)
    assert any("Step_Index is empty throughout" in n for n in data.notes)
    summary = summarize_cycles(data)
    assert summary.charge_mAh.sum() == pytest.approx(q_counter * 1e3, rel=2e-3)  # Ah, not mAh


def test_arbin_with_one_empty_cycle_cell_is_refused_naming_the_line(tmp_path):
    lines = (DATA / "arbin_empty_index_CH33.csv").read_text().splitlines()
    f = lines[5].split(",")
    f[4], f[5] = "1", "1"
    bad = tmp_path / "partly.csv"
    bad.write_text("\n".join([*lines[:5], ",".join(f), *lines[6:]]) + "\n")
    with pytest.raises(FileFormatError, match=r"partly.csv: line 2: Cycle_Index '' is not a number"):
        read_cycler_file(bad)


def test_novonix_run_time_in_hours_matches_the_wall_clock():
    path = DATA / "novonix_quoted_short.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith('"Date and Time')) + 1
    stamps = [datetime.strptime(line.strip('"').split(",")[0], "%Y-%m-%d %I:%M:%S %p")
              for line in lines[start:]]
    wall_s = np.array([(s - stamps[0]).total_seconds() for s in stamps])
    data = read_cycler_file(path)
    assert len(data) == len(stamps)
    assert np.max(np.abs(data.time_s - wall_s)) < 1.0  # clock has 1 s resolution; hours would be 3600x
    assert any("wrapped whole in double quotes" in n for n in data.notes)
    assert float(np.max(data.current_A)) == pytest.approx(0.0539, abs=5e-4)  # Current (A), not mA


def test_steps_from_current_counts_direction_changes():
    assert steps_from_current(np.array([0.0, 2.0, 2.0, 0.0, -2.0, -2.0, 2.0])).tolist() == [0, 1, 1, 2, 3, 3, 4]


def test_generic_header_units_scale_to_si(tmp_path):
    f = tmp_path / "units.csv"
    f.write_text("Time (min),Voltage (mV),Current (uA)\n0,3000,500\n1,3100,500\n2,3200,-500\n")
    data = read_cycler_file(f)
    np.testing.assert_allclose(data.time_s, [0.0, 60.0, 120.0])
    np.testing.assert_allclose(data.voltage_V, [3.0, 3.1, 3.2])
    np.testing.assert_allclose(data.current_A, [5e-4, 5e-4, -5e-4])
    seg = [s for s in segments(data) if s["kind"] == "charge"]
    assert seg[0]["capacity_mAh"] == pytest.approx(0.5 * 60 / 3600, rel=1e-9)  # 0.5 mA for 60 s, in mAh


def _mpt(path: Path, columns: str, rows: list[str]) -> Path:
    head = ["EC-Lab ASCII FILE", "Nb header lines : 4", "", columns]
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")
    return path


def test_biologic_half_cycle_counter_gives_the_cycles(tmp_path):
    # navani's jdb11 GCPL .mpr has 'half cycle' but no 'cycle number': charge then discharge is
    # one cycle (half cycles 2k, 2k+1), as EC-Lab counts them.
    rows = []
    t = 0.0
    for half, sign in ((0, -1), (2, 1), (3, -1), (4, 1), (5, -1)):  # half cycle 1 absent, as in jdb11
        for k in range(11):
            q = sign * k * 0.5 * 36.0 / 3600.0  # EC-Lab's Q charge/discharge restarts each half cycle
            rows.append(f"{t:.1f}\t{3.5 + 0.01 * k * sign:.3f}\t{0.5 * sign:.3f}\t{half}\t{q:.6f}")
            t += 36.0
    data = read_cycler_file(_mpt(tmp_path / "half.mpt", "time/s\tEwe/V\t<I>/mA\thalf cycle\tQ charge/discharge/mA.h", rows))
    assert sorted(set(data.cycle.tolist())) == [0, 1, 2]
    assert any("half-cycle counter" in n for n in data.notes)
    s = summarize_cycles(data)
    assert s.cycle.tolist() == [0, 1, 2]
    # each half cycle: 0.5 mA for 10 intervals of 36 s = 0.05 mAh
    np.testing.assert_allclose(s.discharge_mAh, [0.05, 0.05, 0.05], rtol=1e-9)
    np.testing.assert_allclose(s.charge_mAh, [0.0, 0.05, 0.05], rtol=1e-9)


def test_step_counter_that_started_before_the_first_record_counts_from_zero(tmp_path):
    # navani's arbin_example.res: the first record of a charge step comes 125 s after the step
    # began, its counter already at 3 uAh; max - min lost that (0.6 % per cycle).
    i_a, dt = 1e-3, 100.0
    lines = ["Data_Point,Test_Time(s),Step_Index,Cycle_Index,Current(A),Voltage(V),"
             "Charge_Capacity(Ah),Discharge_Capacity(Ah)"]
    t, n = 0.0, 0
    for step, sign in ((1, 0), (2, 1), (3, -1)):
        for k in range(5):
            q = i_a * (k * dt + 40.0) / 3600 if sign else 0.0  # first record 40 s into the step
            qc = q if sign > 0 else (i_a * (4 * dt + 40.0) / 3600 if step == 3 else 0.0)
            qd = q if sign < 0 else 0.0
            n += 1
            lines.append(f"{n},{t:.1f},{step},1,{sign * i_a},{3.5 + 0.01 * sign * k},{qc:.12f},{qd:.12f}")
            t += dt
    f = tmp_path / "late_first_record.csv"
    f.write_text("\n".join(lines) + "\n")
    s = summarize_cycles(read_cycler_file(f))
    truth_mAh = i_a * (4 * dt + 40.0) / 3.6
    assert s.charge_mAh[0] == pytest.approx(truth_mAh, rel=1e-6)
    assert s.discharge_mAh[0] == pytest.approx(truth_mAh, rel=1e-6)


def test_pec_export_in_mv_ma_mah_is_scaled_to_si():
    path = DATA / "pec_saft_short.csv"
    rows = _rows(path, skip=32)  # the column line is line 33, below PEC's test description
    t = np.array([float(r["Total Time (Seconds)"]) for r in rows])
    i_ma = np.array([float(r["Current (mA)"]) for r in rows])
    q_file_mAh = float(rows[-1]["Discharge Capacity (mAh)"])
    q_coulomb_mAh = float(np.sum(0.5 * np.abs(i_ma[1:] + i_ma[:-1]) * np.diff(t))) / 3600.0
    assert q_coulomb_mAh == pytest.approx(q_file_mAh, rel=2e-3)  # the two references agree
    data = read_cycler_file(path)
    np.testing.assert_allclose(data.current_A, i_ma * 1e-3)
    np.testing.assert_allclose(data.voltage_V, [float(r["Voltage (mV)"]) * 1e-3 for r in rows])
    s = summarize_cycles(data)
    assert s.discharge_mAh.sum() == pytest.approx(q_file_mAh, rel=1e-6)  # 5.4 Ah of a 43 Ah cell


def test_maccor_milli_unit_columns(tmp_path):
    f = tmp_path / "milli.txt"
    f.write_text("Today's Date 01/01/2020\n"
                 "Rec#\tCyc#\tStep\tTest (Sec)\tStep (Sec)\tmAmp-hr\tmWatt-hr\tmAmps\tVolts\tState\n"
                 "1\t1\t1\t0\t0\t0\t0\t0\t3.0\tR\n"
                 "2\t1\t2\t36\t36\t5.0\t15\t500\t3.1\tC\n"
                 "3\t1\t2\t72\t72\t10.0\t31\t500\t3.2\tC\n"
                 "4\t1\t3\t108\t36\t5.0\t15\t500\t3.1\tD\n")
    data = read_cycler_file(f)
    np.testing.assert_allclose(data.current_A, [0.0, 0.5, 0.5, -0.5])
    np.testing.assert_allclose(data.capacity_counter_Ah, [0.0, 5e-3, 10e-3, 5e-3])
    assert any("mAmps" in n for n in data.notes)


def test_impedance_table_with_a_few_f0_rows_is_refused_as_cycling(tmp_path):
    # hybrid-drt's Sample2_PEIS_AtRest.csv: 10 PEIS sweeps of 89 points, each followed by one
    # f = 0 row; read as cycling it gave 10 "points" of current noise in 2 invented cycles.
    rows = ["time/s,freq/Hz,|Z|/Ohm,Phase(Z)/deg,I/A,Ewe/V"]
    t = 0.0
    for _ in range(2):
        for f in (1e5, 1e4, 1e3, 1e2):
            rows.append(f"{t},{f},50,-20,1e-7,3.06")
            t += 1.0
        rows.append(f"{t},0.0,0.0,0.0,-7e-7,3.06")
        t += 1.0
    p = tmp_path / "peis.csv"
    p.write_text("\n".join(rows) + "\n")
    with pytest.raises(FileFormatError, match=r"8 of 10 rows hold an impedance point .*ssbkit eis read"):
        read_cycler_file(p)


def test_pec_total_time_as_hh_mm_ss_matches_the_real_time_clock():
    path = DATA / "pec_Test25209_hhmmss.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("Test,Cell,"))
    rows = _rows(path, skip=start)
    clock = [datetime.strptime(r["Real Time"], "%m/%d/%Y %H:%M:%S") for r in rows]
    wall_s = np.array([(c - clock[0]).total_seconds() for c in clock])
    data = read_cycler_file(path)
    assert len(data) == len(rows) and data.time_s[-1] > 8 * 3600  # hours, not seconds
    assert np.max(np.abs(data.time_s - wall_s)) < 1.01  # the clock has 1 s resolution


def test_lanhe_xlsx_record_and_cycle_sheets(tmp_path):
    # layout of cellpy's custom_data_002.xlsx (LANHE: Record-Tab with TestTime/Sec, Current/mA
    # signed, Capacity/mAh per step; Cycle-Tab with CapC/CapD); that file's 14 cycles equal its
    # Cycle-Tab to 2e-16. Here 1 mA for 10 records of 36 s each way: 0.1 mAh.
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    rec = wb.active
    rec.title = "Record-Tab"
    rec.append(["Record", "TestTime/Sec", "StepTime/Sec", "Current/mA", "Capacity/mAh", "Voltage/V",
                "Cycle-Index", "Step-Index", "Step-State"])
    n, t = 0, 0.0
    for step, sign, state in ((1, 1, "RateC"), (2, -1, "RateD")):
        for k in range(11):
            n += 1
            rec.append([n, t, 36.0 * k, 1.0 * sign, 0.01 * k, 3.0 + 0.05 * k * sign, 1, step, state])
            t += 36.0
    cyc = wb.create_sheet("Cycle-Tab")
    cyc.append(["Cycle", "CapC/mAh", "CapD/mAh"])
    cyc.append([1, 0.1, 0.1])
    path = tmp_path / "lanhe.xlsx"
    wb.save(path)
    data = read_cycler_file(path)
    assert data.format == "landt-xlsx"
    np.testing.assert_allclose(data.current_A[[0, 11]], [1e-3, -1e-3])
    s = summarize_cycles(data)
    np.testing.assert_allclose([s.charge_mAh[0], s.discharge_mAh[0]], [0.1, 0.1], rtol=1e-9)
    np.testing.assert_allclose([s.instrument_charge_mAh[0], s.instrument_discharge_mAh[0]], [0.1, 0.1])


def test_neware_binary_with_negative_discharge_counter_gives_magnitudes(tmp_path, monkeypatch):
    # NewareNDA's reading of its own test file 2-1-6_61[07005012].nda: Discharge_Capacity(mAh)
    # runs 0 -> -300 during a -1.7 A pulse train. Here NewareNDA.read is replaced by that shape.
    NewareNDA = pytest.importorskip("NewareNDA")
    pd = pytest.importorskip("pandas")
    t = np.arange(5.0)
    frame = pd.DataFrame({"Time": t, "Step": [1] * 5, "Current(mA)": [-1700.0] * 5,
                          "Voltage": [4.0, 3.99, 3.98, 3.97, 3.96], "Cycle": [1] * 5,
                          "Charge_Capacity(mAh)": [0.0] * 5,
                          "Discharge_Capacity(mAh)": -1700.0 * t / 3600.0,
                          "Timestamp": pd.to_datetime(t, unit="s")})
    monkeypatch.setattr(NewareNDA, "read", lambda *a, **k: frame)
    path = tmp_path / "negative.nda"
    path.write_bytes(b"NEWARE" + bytes(200))
    data = read_cycler_file(path, format="neware-ndax")
    np.testing.assert_allclose(data.capacity_counter_Ah, 1.7 * t / 3600.0)
    assert any("stored negative" in n for n in data.notes)
    assert summarize_cycles(data).discharge_mAh[0] == pytest.approx(1700.0 * 4 / 3600.0, rel=1e-9)
