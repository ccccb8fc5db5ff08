"""Batched single points vs one ASE calculator call per structure (CHGNet, SevenNet) on the CPU.

The screening case: N substituted variants of a 23-atom cell (Li2S 2x1x1, one
S -> Cl and one Li vacancy each, rattled 0.05 Å). Timed, single torch thread,
each configuration twice (the lower CPU time kept; the shared machine is noisy):

- sequential: ``atoms.calc = calc; get_potential_energy(); get_forces()`` per structure;
- ssbkit ``single_points`` with forces at batch sizes 1, 8, N, and energies only;
- CHGNet's own ``predict_structure(list, batch_size=16)`` (the earlier measurement);
- the overhead that batching can remove: graph construction per structure.

    nice -n 10 .venv/bin/python benchmarks/bench_batch.py [--n 64] [--n-sevennet 16]

CPU seconds (``time.process_time``) are the figure: with one thread they do not
count time the process waits for a core.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time

import numpy as np


def variants(n: int, seed: int = 0):
    from ase import Atoms

    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    li = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
    base = Atoms(["Li"] * 8 + ["S"] * 4, scaled_positions=np.vstack([li, fcc]), cell=[5.71] * 3, pbc=True)
    base = base.repeat((2, 1, 1))
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        a = base.copy()
        a.rattle(0.05, seed=seed + k)
        sym = a.get_chemical_symbols()
        s_idx = [i for i, s in enumerate(sym) if s == "S"]
        sym[s_idx[int(rng.integers(0, len(s_idx)))]] = "Cl"
        a.set_chemical_symbols(sym)
        del a[int(rng.integers(0, 16))]
        out.append(a)
    return out


def timed(fn, repeats: int = 2):
    best_cpu, best_wall, res = np.inf, np.inf, None
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        res = fn()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return best_cpu, best_wall, res


def sequential(calc, frames):
    e, f = [], []
    for a in frames:
        b = a.copy()
        b.calc = calc
        e.append(b.get_potential_energy())
        f.append(b.get_forces().copy())
    return np.array(e), f


def report(name: str, frames, calc, configs) -> float:
    from ssbkit.atomistic.batch import single_points

    single_points(frames[:2], calc, batch_size=2)  # warm-up
    seq_cpu, seq_wall, (e0, f0) = timed(lambda: sequential(calc, frames))
    print(f"\n{name}: {len(frames)} structures x {len(frames[0])} atoms, 1 torch thread, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'path':<44}{'CPU s':>8}{'wall s':>8}{'speed-up (CPU)':>16}{'max |dE| eV':>13}{'max |dF| eV/Å':>15}")
    print(f"{'sequential ASE calls (energy + forces)':<44}{seq_cpu:>8.2f}{seq_wall:>8.2f}{1.0:>16.2f}")
    for label, kw in configs:
        cpu, wall, r = timed(lambda kw=kw: single_points(frames, calc, **kw))
        de = np.abs(r.energies_eV - e0).max()
        df = max(np.abs(a - b).max() for a, b in zip(r.forces_eV_per_A, f0, strict=True)) if r.forces_eV_per_A else np.nan
        print(f"{label:<44}{cpu:>8.2f}{wall:>8.2f}{seq_cpu / cpu:>16.2f}{de:>13.1e}{df:>15.1e}")
    return seq_cpu


def chgnet_extra(calc, frames, seq_cpu: float) -> None:
    from pymatgen.io.ase import AseAtomsAdaptor

    model = calc.model
    structs = [AseAtomsAdaptor.get_structure(a) for a in frames]
    cpu, wall, _ = timed(lambda: [model.graph_converter(s) for s in structs])
    print(f"{'  of which graph construction alone':<44}{cpu:>8.2f}{wall:>8.2f}"
          f"   ({100 * cpu / seq_cpu:.0f} % of sequential: bound on the batching gain {seq_cpu / (seq_cpu - cpu):.2f}x)")
    cpu, wall, _ = timed(lambda: model.predict_structure(structs, task="ef", batch_size=16))
    print(f"{'CHGNet predict_structure(list, batch_size=16)':<44}{cpu:>8.2f}{wall:>8.2f}{seq_cpu / cpu:>16.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--n-sevennet", type=int, default=16)
    ap.add_argument("--skip-sevennet", action="store_true")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from ssbkit.atomistic.calculators import load_calculator

    frames = variants(a.n)
    calc = load_calculator("chgnet", device="cpu")
    configs = [("ssbkit single_points batch 1", {"batch_size": 1}),
               ("ssbkit single_points batch 8", {"batch_size": 8}),
               (f"ssbkit single_points batch {a.n}", {"batch_size": a.n}),
               ("ssbkit single_points batch 16, energy only", {"batch_size": 16, "forces": False})]
    seq = report("CHGNet 0.3.0", frames, calc, configs)
    chgnet_extra(calc, frames, seq)
    if not a.skip_sevennet:
        with contextlib.redirect_stderr(io.StringIO()):
            calc7 = load_calculator("sevennet", device="cpu")
        n7 = a.n_sevennet
        report("SevenNet 7net-0", frames[:n7], calc7,
               [("ssbkit single_points batch 4", {"batch_size": 4}),
                (f"ssbkit single_points batch {n7}", {"batch_size": n7}),
                (f"ssbkit single_points batch {n7}, energy only", {"batch_size": n7, "forces": False})])


if __name__ == "__main__":
    main()
