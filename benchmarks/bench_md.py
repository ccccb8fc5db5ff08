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


def rattled(n: int, seed: int = 0):
    out = []
    for k in range(n):
        a = li2s_96()
        a.rattle(0.05, seed=seed + k)
        out.append(a)
    return out


def models_table(n_structures: int = 4) -> None:
    """CHGNet vs SevenNet on rattled Li2S: energy and forces against each other, speed per atom-step."""
    from ssbkit.atomistic.calculators import calculator_info, load_calculator

    frames = rattled(n_structures)
    res = {}
    for name in ("chgnet", "sevennet"):
        calc = load_calculator(name, device="cpu")
        a0 = frames[0].copy()
        a0.calc = calc
        a0.get_forces()  # warm-up
        e, f = [], []
        t0 = time.perf_counter()
        for a in frames:
            b = a.copy()
            b.calc = calc
            f.append(b.get_forces().copy())
            e.append(b.get_potential_energy() / len(b))
        wall = time.perf_counter() - t0
        info = calculator_info(calc)
        res[name] = (np.array(e), np.array(f), len(frames[0]) * len(frames) / wall,
                     f"{info['model']} ({info['package']} {info['version']})")
    (e1, f1, s1, m1), (e2, f2, s2, m2) = res["chgnet"], res["sevennet"]
    print(f"offline models on {n_structures} rattled Li2S cells (96 atoms, 0.05 Å rattle), CPU")
    print(f"{'model':<36}{'E (eV/atom)':>14}{'atom-steps/s':>14}")
    print(f"{m1:<36}{e1.mean():>14.4f}{s1:>14.0f}")
    print(f"{m2:<36}{e2.mean():>14.4f}{s2:>14.0f}")
    de = (e1 - e1.mean()) - (e2 - e2.mean())
    print(f"energy offset {np.mean(e1 - e2):+.4f} eV/atom; relative energies differ by rms {1000 * np.sqrt(np.mean(de**2)):.2f} meV/atom")
    print(f"forces: rms difference {np.sqrt(np.mean((f1 - f2) ** 2)):.3f} eV/Å (rms force {np.sqrt(np.mean(f1**2)):.3f})")


def batched_table(n_structures: int = 16, batch_size: int = 16) -> None:
    """CHGNet single points: batched (model.predict_structure) vs one calculator call per structure."""
    from chgnet.model import CHGNet
    from pymatgen.io.ase import AseAtomsAdaptor

    frames = rattled(n_structures, seed=100)
    structs = [AseAtomsAdaptor.get_structure(a) for a in frames]
    with contextlib.redirect_stdout(io.StringIO()):
        model = CHGNet.load(verbose=False)
    model.predict_structure(structs[:2], task="ef", batch_size=2)  # warm-up
    t0 = time.perf_counter()
    for s in structs:
        model.predict_structure(s, task="ef")
    seq = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.predict_structure(structs, task="ef", batch_size=batch_size)
    bat = time.perf_counter() - t0
    print(f"CHGNet single points, {n_structures} x 96 atoms: sequential {seq:.2f} s, batched ({batch_size}) "
          f"{bat:.2f} s, speed-up {seq / bat:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--models", action="store_true", help="also compare CHGNet and SevenNet, and batching")
    a = ap.parse_args()
    import torch

    if a.threads:
        torch.set_num_threads(a.threads)
    load0 = os.getloadavg()[0]
    if a.models:  # first: the quicker tables, printed as they come
        models_table()
        batched_table()
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
