"""Cycling data: real cycler exports, broken files, and synthetic data with known CE and fade."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from ssbkit.cell.cycling import cycles_to_fraction, dqdv, read_cycler_file, summarize_cycles
from ssbkit.errors import FileFormatError, InputError

Q0_MAH, V0, A_V = 1.0, 3.7, 0.05  # synthetic electrode: Q(V) = Q0 / (1 + exp(-(V - V0)/a))


def _v_of_q(q_mah):
    q = np.clip(q_mah / Q0_MAH, 1e-6, 1 - 1e-6)
    return V0 + A_V * np.log(q / (1 - q))


def _synthetic(q_charge, q_discharge, *, i_a=1e-3, dt=3.6):
    """Rows (time_s, voltage_V, current_A, cycle) of CC cycles; 1 mA for Q/1mAh hours, sampled every dt."""
    rows, t = [], 0.0
    for cyc, (qc, qd) in enumerate(zip(q_charge, q_discharge, strict=True), start=1):
        for q_tot, sign in ((qc, 1.0), (qd, -1.0)):
            n = int(round(q_tot * 3.6 / (i_a * dt)))
            for k in range(n + 1):
                q = k * i_a * dt / 3.6
                v = _v_of_q(q if sign > 0 else qc - q)
                rows.append((t, v, sign * i_a, cyc))
                t += dt
            rows.append((t, float(_v_of_q(qc if sign > 0 else qc - q_tot)), 0.0, cyc))  # rest point
            t += dt
    return rows


def _write_csv(path, rows, header=("time_s", "voltage_V", "current_A", "cycle")):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_synthetic_ce_retention_and_cycles_to_80(tmp_path):
    """Known truth: CE 0.99 every cycle, discharge fading 5 % per cycle -> below 80 % at cycle 6."""
    qc = [0.95 * 0.95**k for k in range(7)]
    qd = [0.99 * c for c in qc]
    data = read_cycler_file(_write_csv(tmp_path / "syn.csv", _synthetic(qc, qd)))
    s = summarize_cycles(data, mass_mg=5.0, area_cm2=2.0, nominal_mAh=1.0)
    assert data.format == "csv"
    assert s.charge_mAh == pytest.approx(qc, rel=2e-3)
    assert s.discharge_mAh == pytest.approx(qd, rel=2e-3)
    assert s.coulombic_efficiency == pytest.approx(0.99, abs=3e-3)
    assert s.retention == pytest.approx([qd[k] / qd[0] for k in range(7)], rel=3e-3)
    assert s.cycles_to_80pct == 6  # 0.95^5 = 0.774 < 0.8 < 0.95^4
    assert s.discharge_mAh_per_g == pytest.approx(np.array(qd) / 5e-3, rel=2e-3)
    assert s.discharge_mAh_per_cm2 == pytest.approx(np.array(qd) / 2.0, rel=2e-3)
    assert s.discharge_c_rate == pytest.approx(1.0, rel=0.02)  # 1 mA on a 1 mAh nominal


def test_dqdv_peak_position_and_height_of_logistic_electrode(tmp_path):
    """Q = Q0/(1+exp(-(V-V0)/a)): dQ/dV peaks at V0 with height Q0/(4a) = 5 mAh/V."""
    data = read_cycler_file(_write_csv(tmp_path / "s.csv", _synthetic([0.999], [0.999], dt=0.9)))
    v, g = dqdv(data, 1, "discharge", dv_V=0.005, smooth_points=3)
    assert v[np.argmax(g)] == pytest.approx(V0, abs=0.01)
    assert g.max() == pytest.approx(Q0_MAH / (4 * A_V), rel=0.05)


def test_cycles_to_fraction_never_reached_is_none():
    assert cycles_to_fraction([1.0, 0.95, 0.9]) is None
    assert cycles_to_fraction([1.0, 0.9, 0.79, 0.85]) == 3


@pytest.mark.external
def test_real_neware_export_matches_its_own_capacity_columns(reference_dir):
    """Neware export (cellpy test data): cycle 1 charge = Chg. Cap. at the end of step 8; integral of I dt agrees."""
    import pandas as pd

    path = reference_dir / "cycling" / "neware-export.csv"
    df = pd.read_csv(path)
    data = read_cycler_file(path)
    assert data.format == "neware" and len(data) == len(df)
    s = summarize_cycles(data, mass_mg=2.08, ce_convention="charge/discharge")
    c1 = df[(df["Cycle Index"] == 1) & (df["Step Type"] == "CC Chg")]
    assert s.charge_mAh[0] == pytest.approx(c1["Chg. Cap.(Ah)"].max() * 1e3, rel=1e-6)
    d1 = df[(df["Cycle Index"] == 1) & (df["Step Type"] == "CC DChg")]
    expected_d1 = sum(g["DChg. Cap.(Ah)"].max() for _, g in d1.groupby("Step Index")) * 1e3
    assert s.discharge_mAh[0] == pytest.approx(expected_d1, rel=1e-6)
    # independent check: coulomb counting of the current column over cycle 1's charge
    t = data.time_s[(data.cycle == 1) & (data.current_A > 0)]
    assert s.charge_mAh[0] == pytest.approx(1e-3 * 0.24845 * (t[-1] - t[0] + 60) / 3.6, rel=0.02)
    assert np.all((s.coulombic_efficiency[:3] > 0.8) & (s.coulombic_efficiency[:3] < 1.0))
    assert any("ends during a charge of cycle 4" in n for n in s.notes)  # the export stops mid-charge


@pytest.mark.external
def test_real_maccor_export_parses_with_minute_test_time(reference_dir):
    """Maccor export (cellpy test data): TestTime in minutes (checked against DPT Time); cycle 1
    discharge = Cap. [Ah] at the end of its discharge step (2.25098 mAh)."""
    data = read_cycler_file(reference_dir / "cycling" / "maccor-export.txt")
    assert data.format == "maccor"
    assert data.time_s[-1] / 3600 == pytest.approx(63.5, abs=0.1)  # 5/11 15:40 -> 5/14 07:10
    s = summarize_cycles(data, nominal_mAh=2.0)
    assert list(s.cycle) == [1, 2]
    assert s.discharge_mAh[0] == pytest.approx(2.25098, abs=1e-5)
    assert s.charge_mAh[0] == pytest.approx(2.44213, abs=1e-5)
    assert s.coulombic_efficiency[0] == pytest.approx(2.25098 / 2.44213, rel=1e-6)


@pytest.mark.external
@pytest.mark.parametrize(("name", "pattern"), [("bad-truncated.csv", r"last line 80 has 5 of 10 fields"),
                                               ("bad-nan-inf.csv", r"line 24: voltage '' is not a number")])
def test_broken_files_give_clear_errors(reference_dir, name, pattern):
    with pytest.raises(FileFormatError, match=pattern):
        read_cycler_file(reference_dir / "cycling" / name)


def test_infinite_value_names_line_and_column(tmp_path):
    rows = _synthetic([0.1], [0.1])
    rows[5] = (rows[5][0], float("inf"), rows[5][2], 1)
    with pytest.raises(FileFormatError, match=r"line 7: voltage_V is 'inf'"):
        read_cycler_file(_write_csv(tmp_path / "inf.csv", rows))


def test_biologic_mpt_with_decimal_comma_and_header_mass(tmp_path):
    """EC-Lab GCPL export: header block, tab-separated, decimal comma; mass from the header."""
    head = ["EC-Lab ASCII FILE", "Nb header lines : 5", "", "Characteristic mass : 2,5 mg",
            "mode\tox/red\ttime/s\tEwe/V\t<I>/mA\tcycle number\thalf cycle\tQ charge/discharge/mA.h"]
    lines = []
    t = 0.0
    for half, sign in enumerate((1, -1, 1, -1)):
        for k in range(61):
            q = k * 0.5 * 60 / 3600  # 0.5 mA, 60 s steps
            lines.append(f"1\t{1 if sign > 0 else 0}\t{t:.1f}".replace(".", ",") +
                         f"\t{3.8 + 0.001 * k * sign:.4f}\t{0.5 * sign:.3f}\t{half // 2}\t{half}\t{sign * q:.5f}"
                         .replace(".", ","))
            t += 60.0
    p = tmp_path / "gcpl.mpt"
    p.write_text("\n".join(head + lines) + "\n", encoding="latin-1")
    data = read_cycler_file(p)
    assert data.format == "biologic"
    s = summarize_cycles(data)
    assert s.mass_mg == pytest.approx(2.5)
    assert s.charge_mAh == pytest.approx([0.5, 0.5], rel=1e-3)  # 0.5 mA x 1 h
    assert s.discharge_mAh_per_g == pytest.approx([200.0, 200.0], rel=1e-3)


def test_arbin_csv(tmp_path):
    header = ("Data_Point", "Test_Time(s)", "Step_Time(s)", "Cycle_Index", "Step_Index", "Current(A)",
              "Voltage(V)", "Charge_Capacity(Ah)", "Discharge_Capacity(Ah)")
    rows, t = [], 0.0
    for cyc in (1, 2):
        qc = qd = 0.0
        for step, i in ((1, 0.002), (2, -0.002)):
            for _ in range(31):
                rows.append((len(rows) + 1, t, 0, cyc, step, i, 3.7, qc, qd))
                t += 60
                if i > 0:
                    qc += i * 60 / 3600
                else:
                    qd += -i * 60 / 3600 * (0.98 if cyc == 2 else 1.0)
    data = read_cycler_file(_write_csv(tmp_path / "arbin.csv", rows, header))
    assert data.format == "arbin"
    s = summarize_cycles(data, nominal_mAh=2.0)
    assert s.charge_mAh == pytest.approx([1.0, 1.0], rel=1e-9)  # 2 mA x 30 min
    assert s.retention[1] == pytest.approx(0.98)


def test_bad_arguments(tmp_path):
    p = _write_csv(tmp_path / "c.csv", _synthetic([0.1], [0.1]))
    with pytest.raises(InputError, match="did you mean 'maccor'"):
        read_cycler_file(p, format="macor")
    with pytest.raises(InputError, match="mass_mg"):
        summarize_cycles(read_cycler_file(p), mass_mg=-1)
    with pytest.raises(InputError, match="does not exist"):
        read_cycler_file(tmp_path / "missing.csv")
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(FileFormatError, match="empty"):
        read_cycler_file(empty)
    with pytest.raises(FileFormatError, match="no header"):
        read_cycler_file(_write_csv(tmp_path / "x.csv", [(1, 2)], header=("a", "b")))


def test_500_cycles_need_ce_of_99_96_percent_science_md_4():
    """If every lost charge is lost capacity, Q_n = CE^(n-1) Q_1: CE 99.96 % lasts > 500 cycles to 80 %,
    99.95 % does not (science.md section 4)."""
    n = np.arange(1, 801)
    assert cycles_to_fraction(0.9996 ** (n - 1)) > 500
    assert cycles_to_fraction(0.9995 ** (n - 1)) < 500
    assert cycles_to_fraction(0.9996 ** (n - 1)) == int(np.ceil(np.log(0.8) / np.log(0.9996))) + 1


@pytest.mark.external
def test_impedance_mpt_is_refused_with_a_clear_message(reference_dir):
    with pytest.raises(FileFormatError, match="impedance"):
        read_cycler_file(reference_dir / "eis" / "formats" / "exampleDataBioLogic.mpt")


def test_garbage_mpr_gives_file_format_error(tmp_path):
    pytest.importorskip("galvani")
    p = tmp_path / "junk.mpr"
    p.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + bytes(range(256)) * 4)
    with pytest.raises(FileFormatError, match="junk.mpr"):
        read_cycler_file(p)
