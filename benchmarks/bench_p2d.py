"""ssbkit's solid-state P2D (and SPMe) beside a DFN built directly in PyBaMM: speed and accuracy.

Run: ``.venv/bin/python benchmarks/bench_p2d.py [--repeats 5]``

One cell (60 um NCM811 composite, 1 mS/cm SE, 30 um separator, Li metal), in this process:

* ssbkit ``simulate_discharge`` (DFN and SPMe): cold = build + first solve, warm = a later
  solve at another C-rate (the model is cached);
* PyBaMM direct: ``pybamm.lithium_ion.DFN`` with the same options, parameter dict and
  mesh, built and solved by hand (``Simulation.build`` + ``solve``), cold and warm;
* accuracy: final capacity at 0.1-5C of the default mesh and of SPMe against a
  mesh-converged DFN (4x the cathode points, 4x the particle shells).

Prints a table and the machine load (timings are noisy on a shared machine).
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


def bench_ssbkit(model: str, repeats: int) -> dict:
    from ssbkit.cell.p2d import clear_cache, simulate_discharge

    p = _cell()
    clear_cache()
    t = time.perf_counter()
    simulate_discharge(p, 1.0, model=model)
    cold = time.perf_counter() - t
    warm = _median(lambda: simulate_discharge(p, 2.0, model=model), repeats)
    return {"cold_s": cold, "warm_s": warm}


def bench_direct(repeats: int) -> dict:
    """The same DFN set up by hand in PyBaMM (same options, parameters and mesh)."""
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

    def run():
        sim = pybamm.Simulation(pybamm.lithium_ion.DFN(model_options(p)),
                                parameter_values=pybamm.ParameterValues(solid_state_parameter_dict(p, m, pybamm)),
                                var_pts=pts, solver=pybamm.IDAKLUSolver(rtol=1e-6, atol=1e-6))
        sim.build()
        sim.solve([0, 3.0 * 3600], inputs=inputs)
        return sim

    t = time.perf_counter()
    sim = run()
    cold = time.perf_counter() - t
    warm = _median(lambda: sim.solve([0, 3.0 * 3600], inputs=dict(inputs, I=2 * inputs["I"])), repeats)
    return {"cold_s": cold, "warm_s": warm}


def accuracy() -> dict:
    from dataclasses import replace

    from ssbkit.cell.p2d import simulate_discharge

    out = {}
    cases = [(_cell(), c, f"{c:g}C") for c in RATES]
    ohmic = replace(_cell(), sigma_se_S_per_cm=1e-4)  # ohmic regime: a reaction front crosses the cathode
    cases += [(ohmic, c, f"{c:g}C at 0.1 mS/cm") for c in (0.5, 1.0, 2.0)]
    for p, c, label in cases:
        ref = simulate_discharge(p, c, var_pts=FINE).final_capacity_mAh_per_g
        dfn = simulate_discharge(p, c).final_capacity_mAh_per_g
        spme = simulate_discharge(p, c, model="SPMe").final_capacity_mAh_per_g
        out[label] = {"ref": ref, "dfn": dfn, "spme": spme}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    t = time.perf_counter()
    import pybamm

    t_import = time.perf_counter() - t
    direct = bench_direct(args.repeats)
    dfn = bench_ssbkit("DFN", args.repeats)
    spme = bench_ssbkit("SPMe", args.repeats)
    acc = accuracy()
    load = os.getloadavg()
    print(f"PyBaMM {pybamm.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; import pybamm {t_import:.2f} s (not counted)")
    print()
    print("| model (NCM811 60 um, 1 mS/cm, Li) | cold: build + solve, s | warm solve, s | x PyBaMM direct (cold) |")
    print("|---|---|---|---|")
    for name, r in (("PyBaMM DFN built directly (same mesh)", direct), ("ssbkit P2D (DFN)", dfn),
                    ("ssbkit SPMe", spme)):
        print(f"| {name} | {r['cold_s']:.3f} | {r['warm_s']:.4f} | {direct['cold_s'] / r['cold_s']:.1f} |")
    print()
    print(f"| C-rate | mesh-converged DFN (x_p {FINE['x_p']}, r_p {FINE['r_p']}), mAh/g | ssbkit P2D | error | "
          "SPMe | SPMe error |")
    print("|---|---|---|---|---|---|")
    for c, r in acc.items():
        e1 = 100 * (r["dfn"] / r["ref"] - 1) if r["ref"] > 0 else float("nan")
        e2 = 100 * (r["spme"] / r["ref"] - 1) if r["ref"] > 0 else float("nan")
        print(f"| {c} | {r['ref']:.2f} | {r['dfn']:.2f} | {e1:+.2f} % | {r['spme']:.2f} | {e2:+.2f} % |")
    print()
    print("targets: P2D cold <= PyBaMM direct:", "met" if dfn["cold_s"] <= direct["cold_s"] else "NOT met",
          "; SPMe >= 5x faster than PyBaMM direct (cold):",
          "met" if direct["cold_s"] >= 5 * spme["cold_s"] else "NOT met",
          "; P2D within 0.5 % of the converged mesh:",
          "met" if all(abs(r["dfn"] / r["ref"] - 1) <= 0.005 for r in acc.values() if r["ref"] > 0) else "NOT met")


if __name__ == "__main__":
    main()
