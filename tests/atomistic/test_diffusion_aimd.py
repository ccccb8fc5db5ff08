"""Diffusion analysis on real AIMD: Li6PS5Cl at 500 K (Morgan 2021, tests/data/md/README.md)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pytest

from ssbkit.atomistic.diffusion import analyse_diffusion
from ssbkit.atomistic.segments import join_trajectories
from ssbkit.atomistic.trajectory import read_trajectory

DATA = Path(__file__).resolve().parents[1] / "data" / "md"
SHARED_CANDIDATES = (os.environ.get("SSBKIT_SHARED", ""), str(Path(__file__).resolve().parents[3] / "shared"))
# kinisi 2.1.0 on the joined segments, same window (benchmarks/bench_diffusion.py, RESULTS.md): mean ± sd
KINISI_D, KINISI_SD = 1.377e-5, 0.095e-5


def _path(k: int) -> Path:
    """Segment k: run1 ships here (it is kinisi's packaged example); run2 only where ../shared holds it."""
    name = f"li6ps5cl_50p_500K_run{k}_XDATCAR.gz"
    for where in (DATA, *(Path(d) / "reference" / "md" for d in SHARED_CANDIDATES if d)):
        if (where / name).is_file():
            return where / name
    pytest.skip(f"{name} is not present (see tests/data/md/README.md)")


@functools.cache
def _read(k: int):
    return read_trajectory(_path(k), frame_interval_ps=0.1)


def _segments():
    pytest.importorskip("ase")
    return [_read(1), _read(2)]  # read once per session: ASE parses an XDATCAR in seconds


def test_one_segment_is_refused_with_its_reason():
    """14 ps: the diffusive rms (2.5 Å) is below one Li-Li hop (2.9 Å), so no D, and the reason says so."""
    pytest.importorskip("ase")
    one = analyse_diffusion(_read(1), "Li", temperature_k=500)
    assert not one.converged and one.d_cm2_per_s is None
    assert "below one hop" in one.verdict
    assert one.checks["hop_length_A"] == pytest.approx(2.9, abs=0.1)


def test_restart_segments_are_one_run_and_join():
    """The junction step is an ordinary 0.1 ps step, not a jump to another configuration."""
    s1, s2 = _segments()
    assert s1.n_atoms == s2.n_atoms == 416 and s1.n_frames == s2.n_frames == 140
    joined = join_trajectories([s1, s2])
    assert joined.n_frames == 280
    steps = np.linalg.norm(np.diff(joined.displacements_A, axis=0), axis=2)  # (279, atoms)
    junction, inside = np.median(steps[139]), np.median(steps[:139])
    assert junction == pytest.approx(inside, rel=0.2)


def test_the_joined_run_gives_kinisis_d():
    """28 ps joined: diffusive, and D* agrees with kinisi on the same frames within 2 combined sd."""
    s1, s2 = _segments()
    res = analyse_diffusion(join_trajectories([s1, s2]), "Li", temperature_k=500)
    assert res.converged, res.verdict
    lo, hi = res.d_ci_cm2_per_s
    assert lo < res.d_cm2_per_s < hi
    se = res.tracer_fit.d_se_cm2_per_s
    assert abs(res.d_cm2_per_s - KINISI_D) < 2 * np.hypot(se, KINISI_SD)
    assert lo < KINISI_D + 2 * KINISI_SD and KINISI_D - 2 * KINISI_SD < hi


@pytest.mark.slow  # kinisi's MCMC takes ~25 s here
def test_kinisi_live_on_the_joined_segments():
    pytest.importorskip("kinisi")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_diffusion as bench

    frames = bench.fixture_frames()
    t0, t1 = bench.window(len(frames), 0.1)
    ours = bench.run_ssbkit(frames, 0.1, t0, t1, 500)
    kin = bench.run_kinisi(frames, 0.1, t0, t1)
    assert abs(ours["D"] - kin["D"]) < 2 * np.hypot(ours["err"], kin["err"])
