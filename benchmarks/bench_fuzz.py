"""Fuzz run of the cycling and volume readers: >= 10,000 mutated real files, counts printed.

Usage: ``python benchmarks/bench_fuzz.py [--rounds N] [--big]``. Prints, per reader family,
the number of mutated files, foreign exceptions, hangs and silent changes (issue 10 wants
0 / 0 / 0), and the first offenders. ``--big`` adds the 1.6 MB Arbin .res and the 3.6 MB
BioLogic .mpr (slower: ~0.5 s per read).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """../shared/reference/cycling beside the checkout (or under $SSBKIT_SHARED)."""
    import os

    for c in (os.environ.get("SSBKIT_SHARED", ""), ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        if c and (Path(c) / "reference" / "cycling").is_dir():
            return Path(c) / "reference" / "cycling"
    return ROOT / "no-shared-reference"
sys.path.insert(0, str(ROOT))


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=90, help="randomised rounds per text fixture")
    ap.add_argument("--volume-rounds", type=int, default=120)
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--shared", action="store_true", help="add heads of ../shared/reference/cycling exports")
    ap.add_argument("--only-extra", action="store_true", help="skip the standard runs")
    args = ap.parse_args()
    h = _load("ssbkit_fuzz_harness", ROOT / "tests" / "fuzz" / "harness.py")
    cf = _load("ssbkit_fuzz_conftest", ROOT / "tests" / "fuzz" / "conftest.py")
    from ssbkit.cell.cycling import read_cycler_file, summarize_cycles
    from ssbkit.microstructure.io import read_volume

    def cycling(p):
        d = read_cycler_file(p)
        summarize_cycles(d)
        return d

    total, bad = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seeds = cf.cycling_seeds(tmp / "c")
        runs = [("cycling text (Neware regular, Maccor)", cycling, seeds[:2], args.rounds, None),
                ("cycling binary (Neware .ndax)", cycling, seeds[2:], args.rounds, True),
                ("volumes (TIFF zlib/plain, npy)", lambda p: read_volume(p, labels="0=pore,1=active,2=electrolyte,3=carbon"),
                 cf.volume_seeds(tmp / "v"), args.volume_rounds, True)]
        if args.only_extra:
            runs = []
        if args.shared:
            shared = _shared_dir()
            runs.append(("cycling text (shared: Neware flat, Maccor)", cycling,
                         cf.shared_cycling_seeds(tmp / "s", shared), args.rounds, None))
            micro = sorted((shared.parent / "micro").glob("openimpala-*.tif"))
            runs.append(("volumes (shared: OpenImpala TIFFs)", lambda p: read_volume(p), micro, 4, True))
        if args.big:
            big = []
            for name in ("arbin_20160805_test001_45_cc_01.res.gz", "biologic_gcpl_peis_sic.mpr.gz"):
                out = tmp / name[:-3]
                with gzip.open(cf.CYCLING_FIX / name) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                big.append(out)
            runs.append(("cycling binary (Arbin .res, BioLogic .mpr)", cycling, big, 2, True))
        print(f"{'readers':45s} {'files':>7s} {'foreign':>8s} {'hangs':>6s} {'silent':>7s} {'errors':>7s} {'same':>6s} {'noted':>6s} {'changed':>8s} {'s':>6s}")
        for label, reader, files, rounds, binary in runs:
            t0 = time.perf_counter()
            r = h.run_fuzz(reader, files, rounds=rounds, binary=binary, timeout_s=20)
            c = r.counts
            print(f"{label:45s} {r.n:7d} {c['foreign']:8d} {c['hang']:6d} {c['silent']:7d} {c['error']:7d} "
                  f"{c['same']:6d} {c['noted']:6d} {c['changed']:8d} {time.perf_counter() - t0:6.0f}", flush=True)
            for o in r.bad[:5]:
                print(f"    {o.status}: {o.mutation}: {o.detail}")
            total += r.n
            bad += len(r.bad)
    print(f"total {total} mutated files, {bad} contract violations")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
