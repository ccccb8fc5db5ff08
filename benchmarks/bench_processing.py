"""DSC constructions and Kissinger: ssbkit side by side with pkynetics 0.7 (accuracy and time).

Run:  .venv/bin/python benchmarks/bench_processing.py

Cases (exact values are analytic, see tests/processing/conftest.py):
* a glass step (logistic, s = 3 K, Tg 210 degC) + crystallization Gaussian (Tp 260, sigma 5 K)
  at 0.2 K spacing: Tg onset 204, midpoint 210, end 216 degC, delta cp 0.30 J/(g K),
  Tc onset 250 degC, enthalpy 60.16 J/g;
* four first-order JMAK scans (2-20 K/min, Ea = 250 kJ/mol): Kissinger Ea from the peaks each
  tool finds;
* the real FSRI PMMA scan at 10 K/min (MaCFP matl-db): Tg between 60 and 200 degC.
Both tools run in the same process; times are the median of 5 runs.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "processing"))

from conftest import jmak_scan, logistic_step_and_gaussian  # noqa: E402

from ssbkit.processing import DscCurve, analyze_dsc, kissinger, read_dsc  # noqa: E402

warnings.simplefilter("ignore")


def _timed(fn, n=5):
    out, times = None, []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main() -> None:
    from pkynetics.model_fitting_methods.kissinger import kissinger_method
    from pkynetics.technique_analysis.dsc import ThermalEventDetector

    det = ThermalEventDetector(exo_up=True)
    t, q = logistic_step_and_gaussian(dt=0.2)
    curve = DscCurve(t, q, "W/g", 10.0)
    ours, t_ours = _timed(lambda: analyze_dsc(curve))
    peer_g, t_peer_g = _timed(lambda: det.detect_glass_transition(t + 273.15, q, heating_rate=10.0, sample_mass=1.0))
    peer_c, t_peer_c = _timed(lambda: det.detect_crystallization(t + 273.15, q, heating_rate=10.0, sample_mass=1.0))
    g, c = ours.glass_transition, ours.crystallization[0]
    pc = peer_c[0]
    rows = [
        ("Tg onset (degC)", 204.0, g.onset_C, peer_g.onset_temperature - 273.15),
        ("Tg midpoint (degC)", 210.0, g.midpoint_C, peer_g.midpoint_temperature - 273.15),
        ("Tg end (degC)", 216.0, g.end_C, peer_g.endpoint_temperature - 273.15),
        ("delta cp (J/g/K)", 0.30, g.delta_cp_J_per_gK, peer_g.delta_cp),
        ("Tc onset (degC)", 250.0, c.onset_C, pc.onset_temperature - 273.15),
        ("Tc peak (degC)", 260.0, c.peak_C, pc.peak_temperature - 273.15),
        ("enthalpy (J/g)", 0.8 * 5 * np.sqrt(2 * np.pi) * 6, c.enthalpy_J_per_g, abs(pc.enthalpy)),
    ]
    beta = [2.0, 5.0, 10.0, 20.0]
    tp_ours, tp_peer = [], []
    for b in beta:
        tt, qq, _ = jmak_scan(b, n=1.0)
        tp_ours.append(analyze_dsc(DscCurve(tt, qq, "W/g", b), find_tg=False).crystallization[0].peak_C)
        found = ThermalEventDetector(exo_up=True, peak_prominence=1e-3).detect_crystallization(
            tt + 273.15, qq, heating_rate=b, sample_mass=1.0)
        tp_peer.append(found[0].peak_temperature if found else float("nan"))
    k_ours, t_k = _timed(lambda: kissinger(beta, tp_ours))
    k_peer, t_kp = _timed(lambda: kissinger_method(np.array(tp_peer), np.array(beta)))
    rows.append(("Kissinger Ea (kJ/mol)", 250.0, k_ours.ea_kJ_per_mol, k_peer[0] / 1e3))
    pmma = read_dsc(ROOT / "tests/processing/fixtures/fsri_pmma_dsc_n2_10K_1.csv", exo="down")
    gp = analyze_dsc(pmma, tg_window_C=(60.0, 200.0)).glass_transition
    m = (pmma.temperature_C > 60) & (pmma.temperature_C < 200)
    pp = det.detect_glass_transition(pmma.temperature_C[m] + 273.15, pmma.heat_flow[m], heating_rate=10.0,
                                     sample_mass=1.0)
    rows.append(("PMMA Tg midpoint (degC)", float("nan"), gp.midpoint_C,
                 pp.midpoint_temperature - 273.15 if pp else float("nan")))
    print(f"{'quantity':<26}{'exact':>10}{'ssbkit':>10}{'pkynetics':>11}")
    for name, exact, a, b in rows:
        print(f"{name:<26}{exact:>10.3f}{a:>10.3f}{b:>11.3f}")
    print(f"time: analyze_dsc {t_ours * 1e3:.1f} ms vs pkynetics Tg {t_peer_g * 1e3:.1f} ms + "
          f"crystallization {t_peer_c * 1e3:.1f} ms; Kissinger {t_k * 1e6:.0f} us vs {t_kp * 1e6:.0f} us")


if __name__ == "__main__":
    main()
