"""Cycling readers: our per-cycle capacities vs the instrument's own summary and vs cellpy, side by side.

Usage::

    python benchmarks/bench_cycling.py [--cellpy-python /path/to/venv/bin/python]

cellpy runs in its own interpreter (its dependency pins, e.g. pandas < 3, conflict with
ours), given by ``--cellpy-python`` or found as an importable ``cellpy``; without it the
cellpy columns say "n/a". Prints, per file: points, our read time, the largest relative
difference from the instrument's summary (where the file has one) and from cellpy, and
cellpy's read time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """../shared/reference/cycling beside the checkout (or under $SSBKIT_SHARED)."""
    import os

    for c in (os.environ.get("SSBKIT_SHARED", ""), ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        if c and (Path(c) / "reference" / "cycling").is_dir():
            return Path(c) / "reference" / "cycling"
    return ROOT / "no-shared-reference"
sys.path.insert(0, str(ROOT))
FIX = ROOT / "tests" / "cell" / "fixtures" / "cycling"
SHARED = _shared_dir()

_CELLPY_SNIPPET = r"""
import json, sys, time, logging
logging.disable(logging.CRITICAL)
import cellpy
path, instrument = sys.argv[1], sys.argv[2]
t = time.perf_counter()
kw = {"model": sys.argv[3]} if len(sys.argv) > 3 else {}
c = cellpy.get(path, instrument=instrument, mass=1.0, **kw)
dt = time.perf_counter() - t
s = c.data.summary
unit = {"Ah": 1e3, "mAh": 1.0}[c.raw_units.charge]
print(json.dumps({"cycle": [int(x) for x in s.index], "charge_mAh": list(map(float, s["charge_capacity"] * unit)),
                  "discharge_mAh": list(map(float, s["discharge_capacity"] * unit)), "seconds": dt}))
"""


def _cellpy(python: str | None, path: Path, instrument: str, model: str | None) -> dict | None:
    if python is None:
        return None
    cmd = [python, "-c", _CELLPY_SNIPPET, str(path), instrument] + ([model] if model else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def _max_rel(ours_c, ours_q, theirs_c, theirs_q) -> float:
    """Largest relative difference on the cycles both list, without the last (often partial) one."""
    common = sorted(set(map(int, ours_c)) & set(map(int, theirs_c)))[:-1] or sorted(set(map(int, ours_c)) & set(map(int, theirs_c)))
    a = {int(c): q for c, q in zip(ours_c, ours_q, strict=True)}
    b = {int(c): q for c, q in zip(theirs_c, theirs_q, strict=True)}
    d = [abs(a[c] - b[c]) / b[c] for c in common if b[c] > 1e-9]
    return max(d) if d else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cellpy-python", default=None)
    args = ap.parse_args()
    py = args.cellpy_python
    if py is None:
        try:
            import cellpy  # noqa: F401

            py = sys.executable
        except ImportError:
            py = None
    from ssbkit.cell.cycling import read_cycler_file, summarize_cycles

    with tempfile.TemporaryDirectory() as tmp:
        files = [(FIX / "neware_regular_3cycles.csv", None, None),
                 (FIX / "maccor_ddhms.txt.gz", None, None),
                 (FIX / "arbin_20160805_test001_45_cc_01.res.gz", "arbin_res", None),
                 (FIX / "biologic_gcpl_peis_sic.mpr.gz", "biologics_mpr", None),
                 (FIX / "neware_ndc17.ndax", None, None)]
        if SHARED.is_dir():
            files += [(SHARED / "neware-export.csv", "neware_txt", None),
                      (SHARED / "maccor-export.txt", "maccor_txt", "two")]
        print(f"{'file':42s} {'format':15s} {'points':>7s} {'ours s':>7s} {'vs instrument':>14s} "
              f"{'vs cellpy':>10s} {'total |Q|':>10s} {'cellpy s':>9s}")
        for path, instrument, model in files:
            if path.suffix == ".gz":
                out = Path(tmp) / path.name[:-3]
                with gzip.open(path) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                path = out
            t0 = time.perf_counter()
            data = read_cycler_file(path)
            s = summarize_cycles(data, ce_convention="charge/discharge")
            dt = time.perf_counter() - t0
            inst = "n/a" if s.instrument_max_rel_diff is None else f"{100 * s.instrument_max_rel_diff:.4f} %"
            peer, peer_t, total = "n/a", "n/a", "n/a"
            if instrument:
                res = _cellpy(py, path, instrument, model)
                if res and "error" not in res:
                    d = max(_max_rel(s.cycle, s.charge_mAh, res["cycle"], res["charge_mAh"]),
                            _max_rel(s.cycle, s.discharge_mAh, res["cycle"], res["discharge_mAh"]))
                    peer, peer_t = f"{100 * d:.4f} %", f"{res['seconds']:.2f}"
                    ours_q = float(np.sum(s.charge_mAh) + np.sum(s.discharge_mAh))
                    theirs_q = float(np.nansum(res["charge_mAh"]) + np.nansum(res["discharge_mAh"]))
                    total = f"{100 * abs(ours_q - theirs_q) / theirs_q:.4f} %" if theirs_q > 0 else "n/a"
                elif res:
                    peer = "failed"
                    print(f"    cellpy: {res['error']}")
            print(f"{path.name[:42]:42s} {data.format:15s} {len(data):7d} {dt:7.2f} {inst:>14s} "
                  f"{peer:>10s} {total:>10s} {peer_t:>9s}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
