"""Quick fuzz slice of the volume readers (TIFF, npy): our error or the same data, never a foreign one."""

from __future__ import annotations

from ssbkit.microstructure.io import read_volume


def test_volume_readers_keep_the_contract_on_mutated_files(harness, volume_seed_files):
    report = harness.run_fuzz(lambda p: read_volume(p, labels="0=pore,1=active,2=electrolyte,3=carbon"),
                              volume_seed_files, rounds=2, timeout_s=10, binary=True)
    assert report.n >= 100
    assert not report.bad, report.summary() + "\n" + "\n".join(f"{o.status} {o.mutation}: {o.detail}"
                                                               for o in report.bad[:10])
    assert report.counts["error"] > 0
