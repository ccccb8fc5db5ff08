"""Relax the bundled competing phases with a potential and write the shipped energy cache.

Usage:  nice -n 10 python scripts/relax_phase_library.py [chgnet|sevennet] [PHASE ...]

Writes ssbkit/atomistic/data/phase_energies/<model>-<version>.json (model, version,
settings, and per phase: energy, convergence, steps, CPU seconds).
Measured here (2 shared cores, 1 torch thread): CHGNet 0.3.0 95 s CPU for the 23
phases (LGPS 43 s), SevenNet 7net-0 289 s (LGPS 143 s). Building the structures
(scripts/build_phase_library.py, CHGNet single points for the orderings and the
Li7P3S11 packings) took 228 s CPU.
"""

from __future__ import annotations

import sys
import time

from ssbkit.atomistic.calculators import calculator_info, load_calculator
from ssbkit.atomistic.phases import cache_path, relax_phases


def main() -> int:
    model = sys.argv[1] if len(sys.argv) > 1 else "chgnet"
    names = sys.argv[2:] or None
    calc = load_calculator(model, device="cpu", threads=1)
    out = cache_path(calculator_info(calc), bundled=True)
    t0 = time.process_time()

    def report(name, rec):
        print(f"{name:12s} {rec['n_atoms']:3d} atoms  E = {rec['energy_per_atom_eV']:.4f} eV/atom  "
              f"steps {rec['steps']:4d} converged {rec['converged']}  cpu {rec['cpu_s']:.1f} s", flush=True)

    relax_phases(calc, names, out=out, progress=report)
    print(f"total CPU {time.process_time() - t0:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
