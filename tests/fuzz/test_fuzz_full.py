"""The full fuzz run as a slow test (>= 10,000 mutated files; `pytest -m slow tests/fuzz`).

The same run with a table of counts: ``python benchmarks/bench_fuzz.py``.
"""

from __future__ import annotations

import pytest

from ssbkit.cell.cycling import read_cycler_file, summarize_cycles
from ssbkit.microstructure.io import read_volume


def _cycling(path):
    data = read_cycler_file(path)
    summarize_cycles(data)
    return data


@pytest.mark.slow
def test_full_fuzz_run_has_no_foreign_exception_hang_or_silent_change(harness, cycling_seed_files,
                                                                       volume_seed_files):
    reports = [harness.run_fuzz(_cycling, cycling_seed_files[:2], rounds=60),
               harness.run_fuzz(_cycling, cycling_seed_files[2:], rounds=60, binary=True),
               harness.run_fuzz(lambda p: read_volume(p, labels="0=pore,1=active,2=electrolyte,3=carbon"),
                                volume_seed_files, rounds=80, binary=True)]
    assert sum(r.n for r in reports) >= 10_000
    for r in reports:
        assert not r.bad, r.summary() + "\n" + "\n".join(f"{o.status} {o.mutation}: {o.detail}" for o in r.bad[:10])
