"""Melt-quench glasses of 70Li2S-30P2S5 and 75Li2S-25P2S5 on a CPU budget: thiophosphate unit fractions.

Each run starts from :func:`ssbkit.atomistic.glass.thiophosphate_packing` (PS4 and
P2S7 units by charge balance, Li+ and S2- between them), is melted, quenched and
annealed by :func:`ssbkit.atomistic.glass.melt_quench` with CHGNet 0.3.0 on the
CPU, on the schedule :func:`ssbkit.atomistic.glass.budget_schedule` gives for
``--minutes`` of wall time per run at the throughput measured on the box first.
Unit fractions (fractions of P in PS4 / P2S7 / P2S6 / other) are counted on
every frame of the anneal and averaged; the spread between seeds is the
schedule's uncertainty. Published fractions of the real glasses are printed
beside them (see benchmarks/RESULTS.md for the sources).

    nice -n 10 .venv/bin/python benchmarks/bench_glass.py [--minutes 6] [--seeds 0 1] [--min-atoms 40]

Writes benchmarks/results/glass.md and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

DENSITY_G_CM3 = 1.9  # packing density of the box (not a measured glass density)
T_MELT_K = 1500.0


def run_one(x: int, seed: int, minutes: float, min_atoms: int, out: Path, rate: float | None = None) -> dict:
    from ase.io import read

    from ssbkit.atomistic.calculators import load_calculator
    from ssbkit.atomistic.glass import (
        budget_schedule,
        li2s_p2s5_composition,
        melt_quench,
        structural_units,
        thiophosphate_packing,
    )
    from ssbkit.atomistic.structures import to_atoms
    from ssbkit.atomistic.workflow import measure_throughput

    comp = li2s_p2s5_composition(x, min_atoms=min_atoms)
    start = thiophosphate_packing(comp, density_g_cm3=DENSITY_G_CM3, seed=seed)
    calc = load_calculator("chgnet", device="cpu", threads=1)
    rate = rate or measure_throughput(to_atoms(start), calc, n_calls=5)
    sch = budget_schedule(len(start), minutes / 60.0, atom_steps_per_s=rate, t_melt_k=T_MELT_K)
    t0 = time.process_time()
    res = melt_quench(start, calculator=calc, out_dir=out / f"x{x}_s{seed}", t_melt_k=T_MELT_K,
                      melt_ps=sch["melt_ps"], quench_rate_K_per_ps=sch["quench_rate_K_per_ps"],
                      anneal_ps=sch["anneal_ps"], seed=seed)
    cpu = time.process_time() - t0
    melt_end = structural_units(read(res.stages[0]["trajectory"], -1))
    anneal = [structural_units(f) for f in read(res.stages[-1]["trajectory"], ":")]
    frac = {k: float(np.mean([getattr(u, f"fraction_{k}") for u in anneal]))
            for k in ("ortho", "pyro", "hypo", "other")}
    return {"x": x, "seed": seed, "formula": comp.formula.replace(" ", ""), "n_atoms": len(start),
            "n_P": int(comp["P"]), "atom_steps_per_s": rate, "schedule": {k: sch[k] for k in
            ("melt_ps", "quench_rate_K_per_ps", "anneal_ps")}, "cpu_s": cpu,
            "start": structural_units(start).to_dict(), "melt_end": melt_end.to_dict(),
            "final": res.units, "anneal_mean": frac, "n_anneal_frames": len(anneal)}


def table(rows: list[dict]) -> str:
    lines = ["| glass | seed | atoms (P) | melt ps / quench K/ps / anneal ps | CPU s | start PS4/P2S7 | "
             "end of melt PS4/P2S7/P2S6/other | anneal mean PS4/P2S7/P2S6/other |", "|" + "---|" * 8]
    for r in rows:
        s, m, a = r["start"], r["melt_end"], r["anneal_mean"]
        sc = r["schedule"]
        lines.append(
            f"| {r['x']}Li2S-{100 - r['x']}P2S5 | {r['seed']} | {r['n_atoms']} ({r['n_P']}) | "
            f"{sc['melt_ps']:.2f} / {sc['quench_rate_K_per_ps']:.0f} / {sc['anneal_ps']:.2f} | {r['cpu_s']:.0f} | "
            f"{s['fraction_ortho']:.2f}/{s['fraction_pyro']:.2f} | "
            f"{m['fraction_ortho']:.2f}/{m['fraction_pyro']:.2f}/{m['fraction_hypo']:.2f}/{m['fraction_other']:.2f} | "
            f"{a['ortho']:.2f}/{a['pyro']:.2f}/{a['hypo']:.2f}/{a['other']:.2f} |")
    for x in sorted({r["x"] for r in rows}):
        sel = [r["anneal_mean"] for r in rows if r["x"] == x]
        if len(sel) > 1:
            mean = {k: np.mean([s[k] for s in sel]) for k in sel[0]}
            spread = {k: np.std([s[k] for s in sel], ddof=1) for k in sel[0]}
            lines.append(f"\n{x}Li2S: mean over {len(sel)} seeds PS4 {mean['ortho']:.2f} ± {spread['ortho']:.2f}, "
                         f"P2S7 {mean['pyro']:.2f} ± {spread['pyro']:.2f}, P2S6 {mean['hypo']:.2f} ± "
                         f"{spread['hypo']:.2f}, other {mean['other']:.2f} ± {spread['other']:.2f} (± seed sd)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=6.0, help="wall-time budget per run")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--compositions", type=int, nargs="+", default=[70, 75])
    ap.add_argument("--min-atoms", type=int, default=40)
    ap.add_argument("--out", default="", help="folder for trajectories (default: a temporary one)")
    ap.add_argument("--atom-steps-per-s", type=float, default=0.0,
                    help="fix the throughput the schedule assumes (default: measured per run, in wall time, "
                         "so a loaded machine gets a shorter schedule)")
    ap.add_argument("--name", default="glass", help="results file stem under benchmarks/results")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(a.out or tmp)
        for x in a.compositions:
            for seed in a.seeds:
                rows.append(run_one(x, seed, a.minutes, a.min_atoms, out, a.atom_steps_per_s or None))
                print(json.dumps(rows[-1]["anneal_mean"]), rows[-1]["formula"], "seed", seed, flush=True)
    text = (f"CHGNet 0.3.0, CPU, 1 torch thread, load average {os.getloadavg()[0]:.1f}; thiophosphate start at "
            f"{DENSITY_G_CM3} g/cm3, melt {T_MELT_K:g} K, 2 fs steps, schedule from budget_schedule for "
            f"{a.minutes:g} min per run. Fractions are of P atoms; bonds P-S and P-P < 2.5 Å.\n\n" + table(rows))
    Path(__file__).with_name("results").joinpath(f"{a.name}.md").write_text(text + "\n")
    Path(__file__).with_name("results").joinpath(f"{a.name}.json").write_text(json.dumps(rows, indent=1) + "\n")
    print(text)


if __name__ == "__main__":
    main()
