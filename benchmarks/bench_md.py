"""MD throughput: ssbkit's runner against a plain ASE + CHGNet loop on the same 96-atom cell.

Both runs: Li2S antifluorite 2x2x2 (96 atoms, a = 5.71 Å), CHGNet 0.3.0 on the CPU,
600 K, 2 fs steps, the same number of steps after the same warm-up. The plain
loop is what a user writes by hand: ``CHGNetCalculator`` + ASE ``Bussi``. The
ssbkit runner adds the stop guards (checked every frame), a trajectory frame
and a checkpoint every 20 steps, and computes the stress only when asked.

    .venv/bin/python benchmarks/bench_md.py [--steps 60] [--threads N]

Prints atom-steps per second for each and the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time

import numpy as np


def li2s_96():
    from pymatgen.core import Lattice, Structure
    from pymatgen.io.ase import AseAtomsAdaptor

    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    li = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
    s = Structure(Lattice.cubic(5.71), ["Li"] * 8 + ["S"] * 4, np.vstack([li, fcc])) * (2, 2, 2)
    return AseAtomsAdaptor.get_atoms(s)


def plain_loop(steps: int, warmup: int) -> float:
    """ASE + CHGNet as written by hand; returns atom-steps/s over ``steps`` after ``warmup``."""
    from ase import units
    from ase.md.bussi import Bussi
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
    from chgnet.model.dynamics import CHGNetCalculator

    atoms = li2s_96()
    with contextlib.redirect_stdout(io.StringIO()):
        atoms.calc = CHGNetCalculator(use_device="cpu")
    MaxwellBoltzmannDistribution(atoms, temperature_K=600, rng=np.random.default_rng(0))
    dyn = Bussi(atoms, 2 * units.fs, temperature_K=600, taut=100 * units.fs, rng=np.random.default_rng(0))
    dyn.run(warmup)
    t0 = time.perf_counter()
    dyn.run(steps)
    return len(atoms) * steps / (time.perf_counter() - t0)


def ssbkit_runner(steps: int, warmup: int) -> float:
    """ssbkit.atomistic.run_md on the same cell; the warm-up call is excluded from the timing."""
    from ssbkit.atomistic.calculators import load_calculator
    from ssbkit.atomistic.md import run_md

    calc = load_calculator("chgnet", device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        kw = dict(temperature_k=600.0, calculator=calc, out_dir=tmp, timestep_fs=2.0, equilibration_ps=0.0,
                  frame_interval_fs=40.0, seed=0)
        run_md(li2s_96(), time_ps=0.04, label="warmup", **kw)  # loads and warms the model
        t_ps = steps * 2.0 / 1000.0
        t0 = time.perf_counter()
        run = run_md(li2s_96(), time_ps=t_ps, **kw)
        wall = time.perf_counter() - t0
    return run.n_atoms * int(round(t_ps * 1000 / 2.0)) / wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = ap.parse_args()
    import torch

    if a.threads:
        torch.set_num_threads(a.threads)
    load0 = os.getloadavg()[0]
    ours = ssbkit_runner(a.steps, a.warmup)
    plain = plain_loop(a.steps, a.warmup)
    ours2 = ssbkit_runner(a.steps, a.warmup)  # again, to see the noise of a shared machine
    load1 = os.getloadavg()[0]
    print(f"MD throughput, Li2S 96 atoms, CHGNet 0.3.0, CPU ({torch.get_num_threads()} torch threads), "
          f"{a.steps} steps; load average {load0:.1f} -> {load1:.1f}")
    print(f"{'runner':<34}{'atom-steps/s':>14}")
    print(f"{'plain ASE Bussi + CHGNetCalculator':<34}{plain:>14.0f}")
    print(f"{'ssbkit run_md (1st)':<34}{ours:>14.0f}")
    print(f"{'ssbkit run_md (2nd)':<34}{ours2:>14.0f}")
    print(f"ratio ssbkit / plain: {0.5 * (ours + ours2) / plain:.2f}")


if __name__ == "__main__":
    main()
