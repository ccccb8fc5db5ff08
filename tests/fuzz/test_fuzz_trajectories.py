"""Quick fuzz slice of the MD trajectory reader: damaged .traj / extended XYZ end in our error or the same data."""

from __future__ import annotations

import pytest

pytest.importorskip("ase")

from ssbkit.atomistic.trajectory import read_trajectory  # noqa: E402


def _fingerprint(traj):
    return (tuple(traj.symbols), traj.displacements_A.shape, round(float(traj.displacements_A.sum()), 6),
            round(float(traj.positions0_A.sum()), 6), round(float(traj.cells_A.sum()), 6))


def _xyz(tmp_path):
    lines = []
    for k in range(6):  # 6 frames of 4 atoms, 1 fs apart
        lines += ["4", f'Lattice="6 0 0 0 6 0 0 0 6" Properties=species:S:1:pos:R:3 time_fs={k}.0 pbc="T T T"']
        lines += [f"{s} {0.1 * k + i:.3f} {1.0 + i:.3f} {2.0:.3f}" for i, s in enumerate(("Li", "Li", "P", "S"))]
    p = tmp_path / "walk.extxyz"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_trajectory_reader_keeps_the_contract_on_mutated_files(harness, tmp_path, reference_dir):
    """The real kinisi/ASE trajectory (shared reference, 1 fs per frame) and a small extended XYZ."""
    seeds = [reference_dir / "md" / "li-trajectory-600K.traj", _xyz(tmp_path)]
    report = harness.run_fuzz(lambda p: read_trajectory(p, frame_interval_ps=0.001), seeds, rounds=1,
                              timeout_s=20, fingerprint=_fingerprint, notes_of=lambda t: ())
    assert not report.bad, report.summary() + "\n" + "\n".join(f"{o.status} {o.mutation}: {o.detail}"
                                                               for o in report.bad[:10])
    assert report.counts["error"] > 0
