"""The [atomistic] study table: polite refusal of hours-long runs, and the transport chain
(trajectories -> D -> sigma -> Arrhenius) recovering a known activation energy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbkit.study.config import validate_table
from ssbkit.study.section import StudyContext
from ssbkit.study.sections.atomistic import SCHEMA, estimate_seconds, run_section

K_B_EV = 8.617333262e-5


def cfg(**kw):
    return validate_table("atomistic", kw, SCHEMA)


def _li2s_cif(tmp_path):
    from pymatgen.core import Lattice, Structure

    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    li = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
    s = Structure(Lattice.cubic(5.71), ["Li"] * 8 + ["S"] * 4, np.vstack([li, fcc]))
    path = tmp_path / "Li2S.cif"
    s.to(filename=str(path))
    return path


def test_hours_long_request_is_refused_with_an_estimate(tmp_path):
    """96 atoms x 26,000 steps x 3 temperatures at 300 atom-steps/s = 6.9 h: refused, nothing run."""
    path = _li2s_cif(tmp_path)
    c = cfg(structure=path.name, atom_steps_per_s=300.0)
    assert estimate_seconds(96, c) / 3600 == pytest.approx(96 * 26000 * 3 / 300 / 3600)
    ctx = StudyContext(study={"_base_dir": str(tmp_path)}, out_dir=tmp_path / "out")
    sec = run_section(c, ctx)
    assert sec.results["refused"] is True
    assert sec.results["estimated_hours"] == pytest.approx(6.93, abs=0.01)
    assert "allow_long = true" in sec.warnings[0] and "6.9 h" in sec.warnings[0]
    assert not (tmp_path / "out" / "atomistic").exists()


def test_too_short_request_is_refused_before_any_md(tmp_path):
    """1 ps cannot be diffusive (the plan needs hop^2 / 3D = 8.2 Å^2 / 3 / (1e-5 cm^2/s = 0.1 Å^2/ps) ~ 27 ps
    even at D = 1e-5 cm^2/s): refused with the plan, before anything runs."""
    path = _li2s_cif(tmp_path)
    c = cfg(structure=path.name, time_ps=1.0, temperatures_K=[800.0], atom_steps_per_s=300.0,
            expected_D_cm2_per_s=[1e-5])
    ctx = StudyContext(study={"_base_dir": str(tmp_path)}, out_dir=tmp_path / "out")
    sec = run_section(c, ctx)
    assert sec.results["refused"] is True and "too short" in sec.warnings[0]
    assert sec.results["plan"]["needed_ps"][0] > 20.0
    assert not (tmp_path / "out" / "atomistic").exists()


def _write_walk(path, d_a2_per_ps, *, seed, n_li=48, n_frames=300, dt_ps=0.1, box=12.0, hop=2.0):
    """Li on a lattice random walk with MSD = 6 D t exactly in expectation; S fixed (framework)."""
    from ase import Atoms
    from ase.io import Trajectory

    rng = np.random.default_rng(seed)
    p = 6 * d_a2_per_ps * dt_ps / hop**2
    x = np.zeros((n_frames, n_li, 3))
    x[0] = rng.random((n_li, 3)) * box
    for k in range(1, n_frames):
        jump = rng.random(n_li) < p
        axis = rng.integers(0, 3, n_li)
        step = np.zeros((n_li, 3))
        step[np.arange(n_li), axis] = jump * rng.choice([-hop, hop], n_li)
        x[k] = x[k - 1] + step
    s_pos = rng.random((16, 3)) * box
    with Trajectory(str(path), "w") as t:
        for k in range(n_frames):
            at = Atoms(["Li"] * n_li + ["S"] * 16, positions=np.vstack([x[k] % box, s_pos]), cell=[box] * 3, pbc=True)
            at.info["time_ps"] = k * dt_ps
            t.write(at)


def test_given_trajectories_give_back_the_activation_energy(tmp_path):
    """D(T) = D0 exp(-Ea/k_B T) with Ea = 0.25 eV at 600/800/1000 K: the section's Ea (from
    sigma T, Nernst-Einstein) lies within its 95 % interval of 0.25 eV and within 0.06 eV."""
    ea = 0.25
    temps = [600.0, 800.0, 1000.0]
    paths = []
    for i, t in enumerate(temps):
        d = 0.4 * math.exp(-ea / K_B_EV * (1 / t - 1 / 600.0))
        p = tmp_path / f"walk_{t:g}.traj"
        _write_walk(p, d, seed=i)
        paths.append(p.name)
    ctx = StudyContext(study={"_base_dir": str(tmp_path)}, out_dir=tmp_path / "out")
    sec = run_section(cfg(trajectories=paths, temperatures_K=temps), ctx)
    r = sec.results
    assert r["converged"] == [True, True, True], sec.warnings
    assert r["ea_eV"] == pytest.approx(ea, abs=0.06)
    assert r["ea_eV_ci"][0] < ea < r["ea_eV_ci"][1]
    lo_, y, hi_ = r["sigma_300K_S_per_cm"][1], r["sigma_300K_S_per_cm"][0], r["sigma_300K_S_per_cm"][2]
    assert lo_ < y < hi_
    assert len(r["sigma_S_per_cm"]) == 3 and all(s > 0 for s in r["sigma_S_per_cm"])
    assert "<img" in sec.html and sec.references
