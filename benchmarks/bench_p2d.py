"""Speed of one solid-state discharge (ssbkit.cell.p2d) beside PyBaMM's stock DFN.

Run: ``.venv/bin/python benchmarks/bench_p2d.py [--repeats 10]``

Both run in this process on the same solver (IDAKLU):

* ssbkit: the solid-state half cell (60 um NCM811 composite, 1 mS/cm SE, Li metal),
  1C discharge to the cut-off; build = the first call (model, discretisation, solver
  set-up and first solve); warm = later calls at other C-rates (inputs only).
* PyBaMM: ``DFN()`` with the built-in ``Chen2020`` set, 1C discharge (current as an
  input so the warm solve re-uses the built model), output at the solver's own steps
  (``t_interp`` None) and on a dense ``t_eval`` grid (3601 points, the known slow path).

Prints a table and the machine load (timings are noisy on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_ssbkit(repeats: int) -> dict:
    from ssbkit.cell import p2d
    from ssbkit.cell.p2d import P2DParams, clear_cache, simulate_discharge, simulate_rate

    clear_cache()
    p = P2DParams(
        active_material="NCM811", cathode_thickness_um=60.0, separator_thickness_um=30.0,
        active_volume_fraction=0.55, electrolyte_volume_fraction=0.35, cathode_tortuosity=2.0,
        particle_radius_um=2.5, sigma_se_S_per_cm=1e-3,
    )
    t = time.perf_counter()
    first = simulate_discharge(p, 1.0)
    build = time.perf_counter() - t
    model_s = next(iter(p2d._CACHE.values())).build_s  # model + parameters + mesh + discretisation
    warm = _median_time(lambda: simulate_discharge(p, 1.0), repeats)
    rates = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
    t = time.perf_counter()
    res = simulate_rate(p, rates)
    sweep = time.perf_counter() - t
    return {"build_s": build, "model_s": model_s, "warm_s": warm, "sweep_s": sweep, "n_rates": len(rates),
            "capacity_1C": first.final_capacity_mAh_per_g,
            "converged": all(r.converged for r in res)}


def bench_pybamm(repeats: int) -> dict:
    import numpy as np
    import pybamm

    pv = pybamm.ParameterValues("Chen2020")
    i_1c = pv["Nominal cell capacity [A.h]"]
    pv["Current function [A]"] = "[input]"
    out = {}
    for label, t_eval, t_interp in (("steps", [0, 3600], None),
                                     ("t_eval 3601", np.linspace(0, 3600, 3601), None)):
        t = time.perf_counter()
        sim = pybamm.Simulation(pybamm.lithium_ion.DFN(), parameter_values=pv,
                                solver=pybamm.IDAKLUSolver())
        sim.build()
        model_s = time.perf_counter() - t
        sim.solve(t_eval, inputs={"Current function [A]": i_1c}, t_interp=t_interp)
        build = time.perf_counter() - t
        n = repeats if t_interp is None and len(t_eval) == 2 else min(repeats, 3)
        warm = _median_time(
            lambda sim=sim, te=t_eval, ti=t_interp: sim.solve(
                te, inputs={"Current function [A]": i_1c}, t_interp=ti), n)
        out[label] = {"build_s": build, "model_s": model_s, "warm_s": warm}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()

    t = time.perf_counter()
    import pybamm

    t_import = time.perf_counter() - t
    ours = bench_ssbkit(args.repeats)
    stock = bench_pybamm(args.repeats)
    load = os.getloadavg()

    print(f"PyBaMM {pybamm.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
          f"import pybamm {t_import:.2f} s (not counted below)")
    print()
    head = ("model (1C discharge, IDAKLU)", "build, s", "build + 1st solve, s", "warm solve, s")
    print(f"| {head[0]:<52} | {head[1]:>8} | {head[2]:>20} | {head[3]:>13} |")
    print(f"|{'-' * 54}|{'-' * 10}|{'-' * 22}|{'-' * 15}|")
    rows = [("ssbkit solid-state half cell (NCM811 | SE | Li)", ours)]
    rows += [(f"PyBaMM DFN, Chen2020, output at {k}", r) for k, r in stock.items()]
    for name, r in rows:
        print(f"| {name:<52} | {r['model_s']:>8.3f} | {r['build_s']:>20.3f} | {r['warm_s']:>13.4f} |")
    print()
    print(f"ssbkit: {ours['n_rates']} C-rates (0.1-5C) in {ours['sweep_s']:.3f} s "
          f"(all converged: {ours['converged']}); 1C capacity {ours['capacity_1C']:.1f} mAh/g")
    print("target: one solid-state discharge < 1 s after the build:",
          "met" if ours["warm_s"] < 1.0 else "NOT met")


if __name__ == "__main__":
    main()
