"""Benchmark: the reaction-zone model (R-19) over 10^5 designs vs PyBaMM's porous-electrode model.

Run: ``.venv/bin/python benchmarks/bench_reaction_zone.py [--n 100000] [--no-pybamm]``

1. Speed: ssbkit's vectorised reaction-zone capacity for 10^5 random designs
   (one numpy call; target < 1 s), against the same model evaluated design by
   design in a Python loop, and against the full solid-state simulation on
   PyBaMM (``ssbkit.cell.p2d``, the peer), timed per discharge and
   extrapolated to 10^5 designs.
2. Agreement: capacity at several C-rates from both models in the ohmic
   regime (LFP, flat OCV; fast solid diffusion and kinetics so that only ionic
   transport limits), where R-19 should hold.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time

import numpy as np

os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")


def random_designs(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random cathode/separator designs in field units (LiCoO2-like capacity density)."""
    rng = np.random.default_rng(seed)
    thick_um = rng.uniform(30, 800, n)
    phi_act = rng.uniform(0.3, 0.7, n)
    eps = rng.uniform(0.15, 0.6, n) * (1 - phi_act)
    tau = rng.uniform(1.2, 5.0, n)
    sigma = 10 ** rng.uniform(-4, -1.5, n)
    q_vol = phi_act * 5.05 * 140.0  # mAh/cm3
    q_max = q_vol * thick_um * 1e-4
    c_rate = 10 ** rng.uniform(-1, 1, n)
    return {
        "current_mA_cm2": c_rate * q_max,
        "q_cathode_mAh_cm3": q_vol,
        "sigma_se_S_per_cm": sigma,
        "eps": eps,
        "tau": tau,
        "capacity_max_mAh_cm2": q_max,
        "voltage_margin_V": rng.uniform(0.5, 1.3, n),
        "r0_ohm_cm2": rng.uniform(30, 100, n) * 1e-4 / sigma,
    }


def _evaluate(args: dict[str, np.ndarray]) -> np.ndarray:
    """Effective conductivity sigma eps / tau (R-17), then R-19."""
    from ssbkit.cell.reaction_zone import effective_ionic_conductivity, reaction_zone_capacity

    rest = {k: v for k, v in args.items() if k not in ("sigma_se_S_per_cm", "eps", "tau")}
    sig = effective_ionic_conductivity(args["sigma_se_S_per_cm"], args["eps"], args["tau"])
    return reaction_zone_capacity(sigma_cathode_S_per_cm=sig, **rest)


def time_vectorised(args: dict[str, np.ndarray], repeats: int = 7) -> tuple[float, np.ndarray]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        cap = _evaluate(args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), cap


def time_loop(args: dict[str, np.ndarray], n_loop: int) -> tuple[float, np.ndarray]:
    t0 = time.perf_counter()
    out = np.array([float(_evaluate({k: v[i] for k, v in args.items()})) for i in range(n_loop)])
    return (time.perf_counter() - t0) / n_loop, out


def ohmic_design():
    from ssbkit.cell.design_file import design_from_dict

    return design_from_dict({
        "cathode": {"active_material": "LFP", "volume_fractions": {"active": 0.55, "electrolyte": 0.45},
                    "porosity": 0.1, "thickness_um": 200.0, "active_particle_diameter_um": 1.0},
        "separator": {"thickness_um": 20.0, "porosity": 0.0},
        "anode": {"material": "Li", "excess": 1.0},
        "cell": {"sigma_se_S_per_cm": 2e-4, "tortuosity_cathode": 2.0, "cutoff_low_V": 3.0},
    })


def compare_with_pybamm(c_rates) -> list[dict]:
    from ssbkit.cell.p2d import simulate_discharge
    from ssbkit.cell.rate import design_to_p2d_params, rate_curve
    from ssbkit.cell.reaction_zone import rate_capability

    d = ohmic_design()
    rz = rate_capability(d, c_rates)
    # the fast model with the same fast kinetics and diffusion as the P2D run below
    fd = dataclasses.replace(d, interface=None, particle_diffusivity_m2_per_s=1e-12)
    t0 = time.perf_counter()
    fast = rate_curve(fd, c_rates)
    t_fast = time.perf_counter() - t0
    p = dataclasses.replace(design_to_p2d_params(d), particle_diffusivity_m2_per_s=1e-12,
                            exchange_current_A_per_m2=100.0, electronic_conductivity_S_per_cm=100.0)
    simulate_discharge(p, c_rates[0])  # build once (not timed: the model is cached per geometry)
    rows = []
    for k, c in enumerate(c_rates):
        t0 = time.perf_counter()
        r = simulate_discharge(p, c)
        dt = time.perf_counter() - t0
        rows.append({"c_rate": c, "rz_mAh_g": rz.capacity_mAh_per_g[k], "p2d_mAh_g": r.final_capacity_mAh_per_g,
                     "fast_mAh_g": fast.capacity_mAh_per_g[k], "fast_s": t_fast / len(c_rates),
                     "p2d_s": dt, "converged": r.converged})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--no-pybamm", action="store_true")
    a = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load avg {load:.2f}")
    args = random_designs(a.n)
    t_vec, cap = time_vectorised(args)
    n_loop = min(2000, a.n)
    t_one, cap_loop = time_loop(args, n_loop)
    assert np.allclose(cap[:n_loop], cap_loop)
    rows = [("ssbkit reaction-zone, vectorised", f"{t_vec:.4f}", f"{t_vec / a.n * 1e6:.3f}")]
    rows.append(("ssbkit reaction-zone, Python loop", f"{t_one * a.n:.2f} (extrap.)", f"{t_one * 1e6:.1f}"))
    agree = []
    if not a.no_pybamm:
        try:
            agree = compare_with_pybamm([0.25, 0.5, 1.0, 2.0])
            t_p2d = float(np.median([r["p2d_s"] for r in agree]))
            rows.append(("PyBaMM DFN solid-state (ssbkit.cell.p2d), built once",
                         f"{t_p2d * a.n:.0f} (extrap.)", f"{t_p2d * 1e6:.0f}"))
        except ImportError as exc:
            print(f"PyBaMM comparison skipped: {exc}")
    print(f"\nSpeed, {a.n} designs (one discharge capacity each)")
    print(f"{'method':52s} {'total (s)':>18s} {'per design (us)':>16s}")
    for r in rows:
        print(f"{r[0]:52s} {r[1]:>18s} {r[2]:>16s}")
    print(f"\nfraction of designs below full capacity: {np.mean(cap < args['capacity_max_mAh_cm2'] - 1e-12):.2f}")
    if agree:
        print("\nAgreement in the ohmic regime (LFP 200 um, eps_SE 0.405, tau 2, sigma_SE 0.2 mS/cm, Li, 3.0 V cut-off)")
        print(f"{'C-rate':>7s} {'reaction-zone (mAh/g)':>22s} {'fast model':>11s} {'PyBaMM p2d (mAh/g)':>20s} "
              f"{'p2d/rz':>7s} {'p2d/fast':>9s} {'fast (s)':>9s} {'p2d time (s)':>13s}")
        for r in agree:
            print(f"{r['c_rate']:7.2f} {r['rz_mAh_g']:22.1f} {r['fast_mAh_g']:11.1f} {r['p2d_mAh_g']:20.1f} "
                  f"{r['p2d_mAh_g'] / r['rz_mAh_g']:7.3f} {r['p2d_mAh_g'] / r['fast_mAh_g']:9.3f} "
                  f"{r['fast_s']:9.4f} {r['p2d_s']:13.3f}")


if __name__ == "__main__":
    main()
