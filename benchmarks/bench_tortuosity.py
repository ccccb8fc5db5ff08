"""Tortuosity factor: ssbkit's MG-PCG voxel solver side by side with TauFactor 1.2.1 (CPU).

Run:  .venv/bin/python benchmarks/bench_tortuosity.py [--big | --only-big] [--skip-256] [--threads N]

Volumes: random two-phase 100^3 and 200^3 (60 % conducting, seed 0), the
TauFactor electrode image 256^3 (pore phase 0) and the two OpenImpala 100^3
volumes from ../shared/reference/micro. For each: tau and wall time of both
tools in the same process with the same thread count, the relative tau
difference, the speed-up, and our peak memory (tracemalloc; numpy arrays are
traced) in bytes per voxel. ``--big`` adds a random 512^3 solve (ours only,
several minutes) to show that it fits in 24 GiB.

TauFactor runs with its defaults (``conv_crit=1e-2``); ours with its default
``tol=1e-6`` (relative residual; face-current mismatch < 1e-4) and its default
method (``auto``: the scipy path up to 400 000 voxels and for periodic faces,
the numba multigrid above; the last column says which). One periodic row
compares with TauFactor's PeriodicSolver. Wall and CPU (process) time are
both printed: on a shared machine the CPU-time ratio is the fairer figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ssbkit.microstructure.solver import solver_memory_bytes, tortuosity_factor  # noqa: E402

SHARED = Path(os.environ.get("SSBKIT_SHARED", ROOT.parent / "shared")) / "reference" / "micro"


def _random(n: int, fraction: float = 0.6, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random((n, n, n)) < fraction).astype(np.uint8)


def _volumes(skip_256: bool) -> list[tuple[str, np.ndarray]]:
    vols = [("random 100^3 (60 %)", _random(100)), ("random 200^3 (60 %)", _random(200))]
    try:
        import tifffile
    except ImportError:
        return vols
    if not skip_256 and (SHARED / "taufactor-electrode-256.tiff").exists():
        img = tifffile.imread(SHARED / "taufactor-electrode-256.tiff")
        vols.append(("TauFactor electrode 256^3, pores", (img == 0).astype(np.uint8)))
    for name, phase in (("openimpala-2phase-100.tif", 0), ("openimpala-2phase-100.tif", 1),
                        ("openimpala-spheres-100.tif", 1)):
        if (SHARED / name).exists():
            img = tifffile.imread(SHARED / name).astype(np.uint8)
            vols.append((f"OpenImpala {name.split('-')[1]} 100^3, phase {phase}",
                         (img == phase).astype(np.uint8)))
    return vols


def _ours(vol: np.ndarray, periodic: bool = False):
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    res = tortuosity_factor(vol, periodic=periodic)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return res, wall, cpu, peak / vol.size


def _taufactor(vol: np.ndarray, periodic: bool = False):
    import taufactor

    t0, c0 = time.perf_counter(), time.process_time()
    solver = taufactor.PeriodicSolver if periodic else taufactor.Solver
    tau = solver(vol, device="cpu").solve(verbose=False)
    return float(np.asarray(tau).ravel()[0]), time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also solve a random 512^3 volume (ours)")
    ap.add_argument("--skip-256", action="store_true", help="skip the 256^3 electrode image")
    ap.add_argument("--only-big", action="store_true", help="only the 512^3 run (implies --big)")
    ap.add_argument("--threads", type=int, default=0,
                    help="threads for both tools (default: 2, or 1 when the CPUs are busy)")
    args = ap.parse_args(argv)

    import numba
    import torch

    load = os.getloadavg()[0]
    threads = args.threads or (1 if load > os.cpu_count() - 0.5 else min(2, os.cpu_count()))
    numba.set_num_threads(threads)
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    tortuosity_factor(_random(40), method="multigrid")  # numba: compile or load (coarse levels too)
    print(f"# load average {load:.2f} on {os.cpu_count()} CPUs; {threads} thread(s) for both tools; "
          f"numba warm-up {time.perf_counter() - t0:.1f} s; taufactor 1.2.1, torch {torch.__version__}")
    header = (f"{'volume':38s} {'eps':>6s} {'tau ours':>9s} {'tau TF':>9s} {'diff %':>7s} "
              f"{'ours s':>7s} {'TF s':>7s} {'speedup':>7s} {'cpu ours':>8s} {'cpu TF':>7s} {'cpu x':>6s} "
              f"{'iters':>5s} {'B/voxel':>7s} method")
    print(header)
    print("-" * len(header))
    cases = [] if args.only_big else [(n, v, False) for n, v in _volumes(args.skip_256)]
    if not args.only_big:
        cases.insert(1, ("random 100^3 (60 %), periodic", _random(100), True))
    for name, vol, periodic in cases:
        res, wall, cpu, bpv = _ours(vol, periodic)
        tau_tf, wall_tf, cpu_tf = _taufactor(vol, periodic)
        diff = 100 * (res.tortuosity - tau_tf) / tau_tf
        print(f"{name:38s} {res.volume_fraction:6.3f} {res.tortuosity:9.4f} {tau_tf:9.4f} "
              f"{diff:7.3f} {wall:7.2f} {wall_tf:7.2f} {wall_tf / wall:7.1f} {cpu:8.2f} {cpu_tf:7.2f} "
              f"{cpu_tf / cpu:6.1f} {res.iterations:5d} {bpv:7.1f} {res.method}", flush=True)
    if args.big or args.only_big:
        vol = _random(512)
        res, wall, _, bpv = _ours(vol)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"{'random 512^3 (60 %), ours only':38s} {res.volume_fraction:6.3f} "
              f"{res.tortuosity:9.4f} {'-':>9s} {'-':>7s} {wall:7.1f} {'-':>7s} {'-':>7s} "
              f"{res.iterations:5d} {bpv:7.1f}   peak RSS {rss:.1f} GiB (input included)")
    else:
        est = solver_memory_bytes((512, 512, 512))
        print(f"# 512^3 (not run; --big): estimated {est / 2**30:.1f} GiB "
              f"({est / 512**3:.1f} B/voxel)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
