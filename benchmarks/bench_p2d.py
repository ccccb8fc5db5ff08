"""ssbkit's solid-state P2D and fast SPMe beside a DFN built directly in PyBaMM: speed and accuracy.

Run: ``.venv/bin/python benchmarks/bench_p2d.py [--repeats 3] [--no-accuracy]``

One cell (60 um NCM811 composite, 1 mS/cm SE, 30 um separator, Li metal), in this process:

* ssbkit ``simulate_discharge``: the P2D (``DFN``: PyBaMM's DFN with the electrolyte
  concentration held uniform, exact for the single-ion SE), the fast ``SPMe`` (numpy,
  :mod:`ssbkit.cell.spme`) and PyBaMM's own SPMe (``PyBaMM-SPMe``) on the same set;
  cold = build + first solve (median of ``repeats`` rebuilds), warm = a later solve at 2C;
* PyBaMM direct: ``pybamm.lithium_ion.DFN`` with the same options, parameter dict and
  mesh, built and solved by hand (``Simulation.build`` + ``solve``), cold and warm; the
  runs of the models alternate so that the machine's load hits them alike;
* the fast SPMe's first call in a fresh Python process (after ``import``), with and
  without ssbkit's one-time bibliography parse (``import pybamm`` and that parse are not
  counted for any model);
* accuracy: final capacity at 0.1-5C (and in the ohmic regime) of the default mesh, of
  the full DFN on the same mesh and of both SPMe against a mesh-converged P2D (4x the
  cathode points, 4x the particle shells).

Prints tables and the machine load (timings are noisy on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
RATES = (0.1, 0.5, 1.0, 2.0, 5.0)
FINE = {"x_p": 240, "r_p": 40}


def _cell():
    from ssbkit.cell.p2d_params import P2DParams

    return P2DParams(active_material="NCM811", cathode_thickness_um=60.0, separator_thickness_um=30.0,
                     active_volume_fraction=0.55, electrolyte_volume_fraction=0.35, cathode_tortuosity=2.0,
                     particle_radius_um=2.5, sigma_se_S_per_cm=1e-3)


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _ssbkit_cold(model: str) -> float:
    from ssbkit.cell.p2d import clear_cache, simulate_discharge

    clear_cache()
    t = time.perf_counter()
    simulate_discharge(_cell(), 1.0, model=model)
    return time.perf_counter() - t


def _ssbkit_warm(model: str, repeats: int) -> float:
    from ssbkit.cell.p2d import simulate_discharge

    p = _cell()
    simulate_discharge(p, 1.0, model=model)
    return _median(lambda: simulate_discharge(p, 2.0, model=model), repeats)


def _direct_sim():
    import pybamm

    from ssbkit.cell.active_materials import get_active_material
    from ssbkit.cell.p2d import _VAR_PTS
    from ssbkit.cell.p2d_params import (
        initial_state,
        model_options,
        nominal_current_A,
        solid_state_parameter_dict,
    )

    p = _cell()
    m = get_active_material(p.active_material)
    inputs = initial_state(p, charge=False)
    inputs.update(I=nominal_current_A(p), T=298.15)
    pts = dict(_VAR_PTS, x_n=4, r_n=4)
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(model_options(p)),
                            parameter_values=pybamm.ParameterValues(solid_state_parameter_dict(p, m, pybamm)),
                            var_pts=pts, solver=pybamm.IDAKLUSolver(rtol=1e-6, atol=1e-6))
    sim.build()
    sol = sim.solve([0, 3.0 * 3600], inputs=inputs)
    return sim, inputs, sol


def _direct_cold() -> float:
    t = time.perf_counter()
    _direct_sim()
    return time.perf_counter() - t


def _direct_warm(repeats: int) -> float:
    sim, inputs, _ = _direct_sim()

    def solve():  # the voltage is read, as ssbkit reads it
        return sim.solve([0, 3.0 * 3600], inputs=dict(inputs, I=2 * inputs["I"]))["Voltage [V]"].entries

    return _median(solve, repeats)


def timings(repeats: int) -> dict:
    """Cold and warm times of each model; the cold runs alternate between the models."""
    models = ("direct", "DFN", "SPMe", "PyBaMM-SPMe")
    cold: dict[str, list[float]] = {m: [] for m in models}
    for _ in range(repeats):
        for m in models:
            cold[m].append(_direct_cold() if m == "direct" else _ssbkit_cold(m))
    out = {}
    for m in models:
        warm = _direct_warm(repeats) if m == "direct" else _ssbkit_warm(m, repeats)
        out[m] = {"cold_s": statistics.median(cold[m]), "warm_s": warm}
    return out


_FRESH = """
import time
from ssbkit.cell.p2d import simulate_discharge
from ssbkit.cell.p2d_params import P2DParams
{warm_bib}
p = P2DParams(active_material="NCM811", cathode_thickness_um=60.0, separator_thickness_um=30.0,
              active_volume_fraction=0.55, electrolyte_volume_fraction=0.35, cathode_tortuosity=2.0,
              particle_radius_um=2.5, sigma_se_S_per_cm=1e-3)
t = time.perf_counter()
simulate_discharge(p, 1.0, model="SPMe")
print(time.perf_counter() - t)
"""


def fresh_process_spme() -> dict:
    """The fast SPMe's first call in a new interpreter (imports done), s."""
    import subprocess
    import sys

    out = {}
    for label, bib in (("with the bibliography parse", ""),
                       ("bibliography parsed before", "from ssbkit.citations.registry import bibliography; "
                                                       "bibliography()")):
        r = subprocess.run([sys.executable, "-c", _FRESH.format(warm_bib=bib)], capture_output=True, text=True,
                           check=True)
        out[label] = float(r.stdout.strip().splitlines()[-1])
    return out


def accuracy() -> dict:
    from dataclasses import replace

    from ssbkit.cell.p2d import _VAR_PTS, simulate_discharge

    out = {}
    cases = [(_cell(), c, f"{c:g}C") for c in RATES]
    ohmic = replace(_cell(), sigma_se_S_per_cm=1e-4)  # ohmic regime: a reaction front crosses the cathode
    cases += [(ohmic, c, f"{c:g}C at 0.1 mS/cm") for c in (0.5, 1.0, 2.0)]
    for p, c, label in cases:
        out[label] = {
            "ref": simulate_discharge(p, c, var_pts=FINE).final_capacity_mAh_per_g,
            "dfn": simulate_discharge(p, c).final_capacity_mAh_per_g,
            "full": _full_dfn_capacity(p, c, _VAR_PTS),
            "spme": simulate_discharge(p, c, model="SPMe").final_capacity_mAh_per_g,
            "pybamm_spme": simulate_discharge(p, c, model="PyBaMM-SPMe").final_capacity_mAh_per_g,
        }
    return out


def _full_dfn_capacity(p, c_rate: float, var_pts: dict) -> float:
    """PyBaMM's full DFN (electrolyte diffusion solved) on the same set and mesh, mAh/g."""
    import pybamm

    from ssbkit.cell.active_materials import get_active_material
    from ssbkit.cell.p2d_params import (
        active_volume_m3,
        initial_state,
        model_options,
        nominal_current_A,
        solid_state_parameter_dict,
    )

    m = get_active_material(p.active_material)
    inputs = initial_state(p, charge=False)
    i_a = c_rate * nominal_current_A(p)
    inputs.update(I=i_a, T=p.temperature_c + 273.15)
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(model_options(p)),
                            parameter_values=pybamm.ParameterValues(solid_state_parameter_dict(p, m, pybamm)),
                            var_pts=dict(var_pts, x_n=4, r_n=4), solver=pybamm.IDAKLUSolver(rtol=1e-6, atol=1e-6))
    try:
        sol = sim.solve([0, 1.05 * 3600 / c_rate * 2], inputs=inputs)
    except Exception:  # the cell starts past the cut-off: PyBaMM refuses the initial state
        return 0.0
    t_end = float(sol["Time [s]"].entries[-1])
    return i_a * t_end / 3.6 / (active_volume_m3(p) * 1e6 * m.density_g_per_cm3)


def _pct(a: float, b: float) -> str:
    return f"{100 * (a / b - 1):+.2f} %" if b > 0 else ("0 = 0" if a == 0 else "n/a")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-accuracy", action="store_true")
    args = ap.parse_args()
    t = time.perf_counter()
    import pybamm

    t_import = time.perf_counter() - t
    from ssbkit.citations.registry import bibliography

    bibliography()  # ssbkit's one-time parse of its .bib files, like `import pybamm` not counted
    fresh = fresh_process_spme()
    tim = timings(args.repeats)
    load = os.getloadavg()
    print(f"PyBaMM {pybamm.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; import pybamm {t_import:.2f} s (not counted)")
    print()
    print("| model (NCM811 60 um, 1 mS/cm, Li) | cold: build + 1st solve, s | warm solve, s | "
          "x PyBaMM direct (cold / warm) |")
    print("|---|---|---|---|")
    names = {"direct": "PyBaMM DFN built directly (same mesh)", "DFN": "ssbkit P2D (single-ion DFN)",
             "SPMe": "ssbkit fast SPMe (numpy)", "PyBaMM-SPMe": "PyBaMM's SPMe, same set"}
    d = tim["direct"]
    for k, r in tim.items():
        print(f"| {names[k]} | {r['cold_s']:.3f} | {r['warm_s']:.4f} | "
              f"{d['cold_s'] / r['cold_s']:.1f} / {d['warm_s'] / r['warm_s']:.1f} |")
    print()
    for label, v in fresh.items():
        print(f"fast SPMe, first call in a fresh process ({label}): {v:.3f} s")
    ok = {
        "P2D cold <= direct": tim["DFN"]["cold_s"] <= d["cold_s"],
        "P2D warm <= direct": tim["DFN"]["warm_s"] <= d["warm_s"],
        "SPMe >= 5x direct (cold)": d["cold_s"] >= 5 * tim["SPMe"]["cold_s"],
        "SPMe >= 5x direct (warm)": d["warm_s"] >= 5 * tim["SPMe"]["warm_s"],
    }
    if not args.no_accuracy:
        acc = accuracy()
        print()
        print(f"| case | mesh-converged P2D (x_p {FINE['x_p']}, r_p {FINE['r_p']}), mAh/g | ssbkit P2D | error | "
              "full DFN, same mesh | P2D vs full DFN | fast SPMe | error | PyBaMM SPMe | error |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for c, r in acc.items():
            print(f"| {c} | {r['ref']:.2f} | {r['dfn']:.2f} | {_pct(r['dfn'], r['ref'])} | {r['full']:.2f} | "
                  f"{_pct(r['dfn'], r['full'])} | {r['spme']:.2f} | {_pct(r['spme'], r['ref'])} | "
                  f"{r['pybamm_spme']:.2f} | {_pct(r['pybamm_spme'], r['ref'])} |")
        ok["P2D within 0.5 % of the converged mesh"] = all(
            abs(r["dfn"] / r["ref"] - 1) <= 0.005 for r in acc.values() if r["ref"] > 0)
    print()
    print("targets: " + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in ok.items()))


if __name__ == "__main__":
    main()
