"""Diffusion analysis: ssbkit vs kinisi vs pymatgen-analysis-diffusion, side by side in one run.

Run: ``.venv/bin/python benchmarks/bench_diffusion.py [--replicates 40] [--quick]``

Datasets
--------
1. Synthetic lattice random walk with known D (128 Li hopping on a cubic
   lattice, 64 immobile Cl, 0.1 ps frames): accuracy against the truth, and the
   coverage of each tool's 95 % interval over independent replicates.
2. ``../shared/reference/md/li-trajectory-600K.traj`` (Li180N36Cl72; the
   README gives 0.5 ps between frames).
3. The Li7P3S11 trajectory in kinisi's wheel (``kinisi/tests/inputs/LiPS.exyz``,
   Li896P384S1408, 1 fs time step saved every 20 steps: 0.02 ps per frame).
4. The argyrodite XDATCAR in kinisi's wheel (``example_XDATCAR.gz``,
   Li192P32S160Cl32, 2 fs saved every 50 steps: 0.1 ps per frame).

Every tool starts from the same in-memory ASE frames and fits the same
window (t_start = max(10 % of the run, 1 ps: pymatgen's fixed minimum lag) to
t_end = 50 % of the run); the times include each tool's conversion of the
frames. kinisi's interval is its Bayesian credible interval (MCMC samples of
D); pymatgen's is the standard error of a weighted least-squares slope.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("SSBKIT_SHARED", HERE.parents[1] / "shared"))
Z95 = 1.959963984540054


def synthetic_frames(seed: int, n_li: int = 128, n_frames: int = 600, dt_ps: float = 0.1, d_true: float = 0.05):
    """Lattice walk, D = d_true Å^2/ps, hop 2 Å, box 16 Å, plus 64 fixed Cl: ASE frames."""
    from ase import Atoms

    from ssbkit.atomistic.trajectory import random_walk_trajectory

    rw = random_walk_trajectory(n_atoms=n_li, n_frames=n_frames, d_A2_per_ps=d_true, frame_interval_ps=dt_ps,
                                box_A=16.0, kind="lattice", hop_A=2.0, seed=seed)
    li = (rw.positions0_A + rw.displacements_A) % 16.0
    cl = np.random.default_rng(seed + 10_000).random((64, 3)) * 16.0
    return [Atoms(["Li"] * n_li + ["Cl"] * 64, positions=np.vstack([p, cl]), cell=np.eye(3) * 16.0, pbc=True)
            for p in li]


def run_ssbkit(frames, dt_ps, t0, t1, temperature):
    from ssbkit.atomistic.diffusion import analyse_diffusion
    from ssbkit.atomistic.trajectory import trajectory_from_frames

    start = time.perf_counter()
    res = analyse_diffusion(trajectory_from_frames(frames, frame_interval_ps=dt_ps), "Li",
                            temperature_k=temperature, t_start_ps=t0, t_end_ps=t1)
    el = time.perf_counter() - start
    f = res.tracer_fit
    lo, hi = f.d_ci_cm2_per_s
    return {"D": f.d_cm2_per_s, "err": f.d_se_cm2_per_s, "lo": lo, "hi": hi, "time": el, "verdict": res}


def run_kinisi(frames, dt_ps, t0, t1):
    import scipp as sc
    from kinisi.analyze import DiffusionAnalyzer

    start = time.perf_counter()
    n1 = int(round(t1 / dt_ps))
    dt = sc.arange("time interval", 1.0, n1 + 1.0) * sc.scalar(dt_ps * 1000.0, unit="fs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = DiffusionAnalyzer.from_ase(frames, specie="Li", time_step=sc.scalar(dt_ps * 1000.0, unit="fs"),
                                       step_skip=sc.scalar(1, unit="dimensionless"), dt=dt, progress=False)
        a.diffusion(sc.scalar(t0 * 1000.0, unit="fs"), progress=False, random_state=np.random.RandomState(0))
    d = sc.to_unit(a.D, "cm^2/s").values
    el = time.perf_counter() - start
    lo, hi = np.percentile(d, [2.5, 97.5])
    return {"D": float(np.mean(d)), "err": float(np.std(d)), "lo": float(lo), "hi": float(hi), "time": el}


def run_pymatgen(frames, dt_ps, t1, temperature):
    from pymatgen.analysis.diffusion.analyzer import DiffusionAnalyzer
    from pymatgen.io.ase import AseAtomsAdaptor

    start = time.perf_counter()
    structs = [AseAtomsAdaptor.get_structure(f) for f in frames]
    n_li = sum(1 for s in frames[0].get_chemical_symbols() if s == "Li")
    n_steps = len(frames) - 1
    # smoothed="max" fits from 1 ps to max_dt = n_li * n_steps // min_obs frames: choose min_obs for t1
    min_obs = max(1, int(np.ceil(n_li * n_steps / (t1 / dt_ps + 1))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = DiffusionAnalyzer.from_structures(structs, "Li", temperature=temperature, time_step=dt_ps * 1000.0,
                                              step_skip=1, smoothed="max", min_obs=min_obs)
    el = time.perf_counter() - start
    return {"D": float(d.diffusivity), "err": float(d.diffusivity_std_dev), "time": el,
            "window": (d.dt[0] / 1000.0, d.dt[-1] / 1000.0)}


def window(n_frames, dt_ps):
    dur = (n_frames - 1) * dt_ps
    return max(0.1 * dur, 1.0), 0.5 * dur


def fmt(r):
    return f"{r['D']:.3e} ± {r['err']:.1e}"


def fixture_frames():
    """The two consecutive AIMD segments (Morgan 2021, Li6PS5Cl, 500 K) as one run.

    run1 ships in tests/data/md; run2 is read from tests/data/md or ../shared/reference/md
    where present (see tests/data/md/README.md); without it, run1 alone.
    """
    from ase.io import read

    root = Path(__file__).resolve().parents[1]
    where = [root / "tests" / "data" / "md", root.parent / "shared" / "reference" / "md"]
    frames = []
    for k in (1, 2):
        hits = [w / f"li6ps5cl_50p_500K_run{k}_XDATCAR.gz" for w in where]
        hits = [h for h in hits if h.is_file()]
        if hits:
            frames += read(str(hits[0]), index=":", format="vasp-xdatcar")
    return frames


def compare(name, frames, dt_ps, temperature, rows):
    t0, t1 = window(len(frames), dt_ps)
    ours = run_ssbkit(frames, dt_ps, t0, t1, temperature)
    kin = run_kinisi(frames, dt_ps, t0, t1)
    pmg = run_pymatgen(frames, dt_ps, t1, temperature or 600.0)  # T only scales pymatgen's sigma
    v = ours["verdict"]
    print(f"\n{name}: {len(frames)} frames x {dt_ps:g} ps, fit {t0:g}-{t1:g} ps "
          f"(pymatgen {pmg['window'][0]:g}-{pmg['window'][1]:g} ps)")
    print(f"  {'tool':<10}{'D* (cm2/s) ± 1 sd':<28}{'95 % interval':<26}{'time (s)':>9}")
    print(f"  {'ssbkit':<10}{fmt(ours):<28}{ours['lo']:.3e}-{ours['hi']:.3e}  "
          f"{ours['time']:>8.2f}")
    print(f"  {'kinisi':<10}{fmt(kin):<28}{kin['lo']:.3e}-{kin['hi']:.3e}  {kin['time']:>8.2f}")
    print(f"  {'pymatgen':<10}{fmt(pmg):<28}{pmg['D'] - Z95 * pmg['err']:.3e}-{pmg['D'] + Z95 * pmg['err']:.3e}  "
          f"{pmg['time']:>8.2f}")
    print(f"  ssbkit verdict: {'converged' if v.converged else 'NO D: ' + '; '.join(v.reasons)}")
    for w in v.warnings:
        print(f"  ssbkit warning: {w}")
    rows.append((name, ours, kin, pmg))


def coverage(n_rep, d_true=0.05):
    """Fraction of replicates whose 95 % interval holds the true D, per tool."""
    truth = d_true * 1e-4  # Å^2/ps -> cm^2/s
    hits = {"ssbkit": 0, "kinisi": 0, "pymatgen": 0}
    ests = {k: [] for k in hits}
    for seed in range(n_rep):
        frames = synthetic_frames(100 + seed)
        t0, t1 = window(len(frames), 0.1)
        o = run_ssbkit(frames, 0.1, t0, t1, 600)
        k = run_kinisi(frames, 0.1, t0, t1)
        p = run_pymatgen(frames, 0.1, t1, 600)
        hits["ssbkit"] += o["lo"] < truth < o["hi"]
        hits["kinisi"] += k["lo"] < truth < k["hi"]
        hits["pymatgen"] += abs(p["D"] - truth) < Z95 * p["err"]
        for name, r in (("ssbkit", o), ("kinisi", k), ("pymatgen", p)):
            ests[name].append((r["D"], r["err"]))
    print(f"\nCoverage of the 95 % interval over {n_rep} synthetic replicates (true D = {truth:.3e} cm2/s):")
    print(f"  {'tool':<10}{'coverage':>9}{'mean D':>12}{'sd of D':>11}{'mean err':>11}")
    for name in hits:
        e = np.array(ests[name])
        print(f"  {name:<10}{hits[name] / n_rep:>9.2f}{e[:, 0].mean():>12.3e}{e[:, 0].std(ddof=1):>11.2e}"
              f"{e[:, 1].mean():>11.2e}")


def small_frames(seed: int, n_li: int, n_frames: int = 200, d_true: float = 0.1):
    """Few-atom lattice walk with 0.3 Å vibration (hop 2 Å, box 12 Å) and 16 fixed Cl: ASE frames."""
    from ase import Atoms

    from ssbkit.atomistic.trajectory import random_walk_trajectory

    rw = random_walk_trajectory(n_atoms=n_li, n_frames=n_frames, d_A2_per_ps=d_true, frame_interval_ps=0.1,
                                box_A=12.0, kind="lattice", hop_A=2.0, vibration_A=0.3, seed=seed)
    li = (rw.positions0_A + rw.displacements_A) % 12.0
    cl = np.random.default_rng(seed + 10_000).random((16, 3)) * 12.0
    return [Atoms(["Li"] * n_li + ["Cl"] * 16, positions=np.vstack([p, cl]), cell=np.eye(3) * 12.0, pbc=True)
            for p in li]


def small_coverage(n_rep: int, n_li: int, d_true: float = 0.1) -> None:
    """ssbkit vs kinisi on few-atom walks: coverage of the 95 % interval and time."""
    truth = d_true * 1e-4
    hits = {"ssbkit": 0, "kinisi": 0}
    times = {"ssbkit": 0.0, "kinisi": 0.0}
    for seed in range(n_rep):
        frames = small_frames(5000 + seed, n_li, d_true=d_true)
        t0, t1 = 2.0, 9.9
        o = run_ssbkit(frames, 0.1, t0, t1, 600)
        k = run_kinisi(frames, 0.1, t0, t1)
        for name, r in (("ssbkit", o), ("kinisi", k)):
            hits[name] += r["lo"] < truth < r["hi"]
            times[name] += r["time"]
    print(f"\nFew-atom coverage: {n_rep} lattice walks of {n_li} Li (hop 2 Å, 0.3 Å vibration, 200 x 0.1 ps), "
          f"true D = {truth:.1e} cm2/s, fit 2-9.9 ps")
    for name in hits:
        print(f"  {name:<10} coverage {hits[name] / n_rep:.3f}   mean time {times[name] / n_rep:.3f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=0, help="replicates of the few-atom coverage study (8 and 16 Li)")
    ap.add_argument("--replicates", type=int, default=40)
    ap.add_argument("--quick", action="store_true", help="skip the large Li7P3S11 file and the coverage study")
    args = ap.parse_args()
    from ase.io import read

    print(f"load average at start: {os.getloadavg()}")
    if args.small:
        for n_li in (8, 16):
            small_coverage(args.small, n_li)
        print(f"\nload average at end: {os.getloadavg()}")
        return
    rows: list = []
    compare("synthetic lattice walk (D = 5.000e-06 cm2/s)", synthetic_frames(0), 0.1, 600, rows)
    ref = SHARED / "reference" / "md" / "li-trajectory-600K.traj"
    if ref.is_file():
        t = time.perf_counter()
        frames = read(str(ref), index=":")
        print(f"\n(read {ref.name} with ase.io: {time.perf_counter() - t:.2f} s, not counted)")
        compare("li-trajectory-600K.traj (Li180N36Cl72)", frames, 0.5, 600, rows)
    if not args.quick:
        import kinisi

        lips = Path(kinisi.__file__).parent / "tests" / "inputs" / "LiPS.exyz"
        t = time.perf_counter()
        frames = read(str(lips), index=":", format="extxyz")
        print(f"\n(read {lips.name} with ase.io: {time.perf_counter() - t:.2f} s, not counted)")
        compare("kinisi LiPS.exyz (Li896P384S1408)", frames, 0.02, None, rows)
        xd = Path(kinisi.__file__).parent / "tests" / "inputs" / "example_XDATCAR.gz"
        frames = read(str(xd), index=":", format="vasp-xdatcar")
        compare("kinisi example_XDATCAR.gz (Li6PS5Cl argyrodite, 2 fs x 50)", frames, 0.1, None, rows)
        frames = fixture_frames()
        compare("tests/data/md Li6PS5Cl 50p runs 1+2 joined (280 x 0.1 ps)", frames, 0.1, 500, rows)
        coverage(args.replicates)
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
