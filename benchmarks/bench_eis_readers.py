"""Impedance file reading: ssbkit vs pyimpspec, side by side, and the mutation fuzz run.

Run: ``.venv/bin/python benchmarks/bench_eis_readers.py [--repeats 20] [--fuzz 0]``

1. Every example file of pyimpspec (tests/impedance/fixtures/pyimpspec): both
   readers read it; the table gives the number of spectra, the largest relative
   difference in Z between the two, and the median read time of each (timed
   interleaved, ``--repeats`` times).
2. With ``--fuzz N``: N mutated copies per base file of the fuzz corpus
   (tests/impedance/test_readers_fuzz.py), with the outcome counts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "impedance"))
PEER = ROOT / "tests" / "impedance" / "fixtures" / "pyimpspec"


def _time(fn, path: Path) -> float:
    t = time.perf_counter()
    fn(path)
    return time.perf_counter() - t


def compare(repeats: int) -> None:
    """Part 1: same spectra and read time per file."""
    import pyimpspec

    from ssbkit.impedance.readers import read_spectra

    warnings.simplefilter("ignore")
    print(f"{'file':36s} {'n':>2s} {'max |dZ|/|Z|':>13s} {'ssbkit ms':>10s} "
          f"{'pyimpspec ms':>12s}")
    tot_ours = tot_peer = 0.0
    for path in sorted(p for p in PEER.iterdir() if p.suffix != ".md"):
        ours = read_spectra(path)
        peer = pyimpspec.parse_data(str(path))
        worst = 0.0
        for s, d in zip(ours, peer, strict=True):
            order = np.argsort(-d.get_frequencies(), kind="stable")
            z = d.get_impedances()[order]
            worst = max(worst, float(np.max(np.abs(s.z_ohm - z) / np.abs(z))))
        t_ours, t_peer = [], []
        for _ in range(repeats):
            t_ours.append(_time(read_spectra, path))
            t_peer.append(_time(lambda p: pyimpspec.parse_data(str(p)), path))
        mo, mp = statistics.median(t_ours) * 1e3, statistics.median(t_peer) * 1e3
        tot_ours += mo
        tot_peer += mp
        print(f"{path.name:36s} {len(ours):2d} {worst:13.1e} {mo:10.2f} {mp:12.2f}")
    print(f"{'total (sum of medians)':36s} {'':2s} {'':13s} {tot_ours:10.1f} {tot_peer:12.1f}")


def fuzz(n_per_file: int) -> None:
    """Part 2: the mutation fuzz run."""
    import test_readers_fuzz as fz

    files = fz.base_files(include_spreadsheets=True, reference=True)
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        counts, bad = fz.run(n_per_file, seed=2, tmp=Path(tmp), files=files)
    print(fz._summary(counts), f"({len(files)} base files, {time.perf_counter() - t:.0f} s)")
    for key in sorted(k for k in counts if ":" in k):
        print(f"  {key}: {counts[key]}")
    for b in bad[:20]:
        print("  BAD", b)


def main() -> None:
    """Parse the options and run both parts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--fuzz", type=int, default=0, help="mutants per base file (0: skip)")
    args = ap.parse_args()
    compare(args.repeats)
    if args.fuzz:
        fuzz(args.fuzz)


if __name__ == "__main__":
    main()
