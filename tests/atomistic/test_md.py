"""MD runner: thermostat temperature, NVE energy conservation, resume, and the stop guards."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.atomistic.md import Guards, MDStopped, estimate_md_seconds, run_md
from ssbkit.errors import InputError


def cu(n: int = 2):
    from ase.build import bulk

    return bulk("Cu", "fcc", a=3.61, cubic=True).repeat((n, n, n))


def test_bussi_nvt_holds_the_target_temperature(tmp_path):
    """Equipartition: the mean kinetic temperature of a thermostatted run equals the target
    (32-atom Cu, EMT, 300 K; frame-to-frame std ~ T sqrt(2/3N) = 14 %)."""
    r = run_md(cu(), temperature_k=300.0, time_ps=3.0, calculator="emt", out_dir=tmp_path,
               equilibration_ps=0.5, timestep_fs=4.0, frame_interval_fs=40.0)
    assert r.n_frames == 75
    assert r.mean_temperature_K == pytest.approx(300.0, rel=0.12)
    assert r.frame_interval_ps == pytest.approx(0.04)


def test_nve_conserves_total_energy(tmp_path):
    """Velocity Verlet at 2 fs: total energy drift below 1 meV/atom over 1 ps (Cu, EMT)."""
    from ase.io import Trajectory

    r = run_md(cu(), temperature_k=500.0, time_ps=1.0, calculator="emt", out_dir=tmp_path, thermostat="nve",
               equilibration_ps=0.0, timestep_fs=2.0, frame_interval_fs=50.0)
    e = np.array([f.get_total_energy() for f in Trajectory(r.trajectory)]) / r.n_atoms
    assert np.ptp(e) < 1e-3
    assert r.mean_temperature_K > 100.0  # kinetic energy was there to conserve


def test_interrupted_nve_run_resumes_to_the_same_trajectory(tmp_path):
    """A run stopped after 30 steps and resumed gives the uninterrupted trajectory exactly
    (NVE is deterministic); a frame written after the last checkpoint is dropped, not duplicated."""
    from ase.io import Trajectory

    kw = dict(temperature_k=400.0, time_ps=0.4, calculator="emt", thermostat="nve", equilibration_ps=0.1,
              timestep_fs=2.0, frame_interval_fs=20.0)
    full = run_md(cu(), out_dir=tmp_path / "full", **kw)
    part = run_md(cu(), out_dir=tmp_path / "part", max_steps=100, **kw)
    assert part.n_frames == 5 and not part.resumed
    # simulate a crash between a frame write and its checkpoint
    frames = list(Trajectory(part.trajectory))
    with Trajectory(part.trajectory, "a") as t:
        t.write(frames[-1])
    rest = run_md(cu(), out_dir=tmp_path / "part", **kw)
    assert rest.resumed and rest.n_frames == full.n_frames == 20
    a = list(Trajectory(full.trajectory))
    b = list(Trajectory(rest.trajectory))
    assert len(b) == 20
    np.testing.assert_allclose(b[-1].get_positions(), a[-1].get_positions(), atol=1e-8)
    assert np.all(np.diff([f.info["time_ps"] for f in b]) > 0)
    again = run_md(cu(), out_dir=tmp_path / "part", **kw)  # already done: nothing is added
    assert again.n_frames == 20 and len(list(Trajectory(again.trajectory))) == 20


def test_superheated_crystal_is_stopped_as_melting(tmp_path):
    """Cu at 6000 K (about 4.4 x its melting point of 1358 K) flows: stopped with reason 'melting'."""
    with pytest.raises(MDStopped, match="melting") as err:
        run_md(cu(), temperature_k=6000.0, time_ps=5.0, calculator="emt", out_dir=tmp_path,
               equilibration_ps=0.0, timestep_fs=1.0, guards=Guards(melt_rmsd_A=1.5, max_temperature_factor=None))
    assert err.value.reason == "melting"


def test_atoms_too_close_is_a_blow_up(tmp_path):
    at = cu()
    at.positions[1] = at.positions[0] + [0.3, 0.0, 0.0]
    with pytest.raises(MDStopped, match="apart") as err:
        run_md(at, temperature_k=300.0, time_ps=0.1, calculator="emt", out_dir=tmp_path, equilibration_ps=0.0,
               guards=Guards(min_distance_A=0.6, max_temperature_factor=None, max_epot_drop_eV_per_atom=None))
    assert err.value.reason == "blow-up"


def test_bad_settings_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="did you mean 'bussi'"):
        run_md(cu(), temperature_k=300, time_ps=1, calculator="emt", out_dir=tmp_path, thermostat="busi")
    with pytest.raises(InputError, match="temperature_k"):
        run_md(cu(), temperature_k=-5, time_ps=1, calculator="emt", out_dir=tmp_path)


def test_time_estimate_is_atoms_times_steps_over_throughput():
    assert estimate_md_seconds(96, 25000, 200.0) == pytest.approx(12000.0)


def _li2s_96():
    from pymatgen.core import Lattice, Structure

    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    li = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
    return Structure(Lattice.cubic(5.71), ["Li"] * 8 + ["S"] * 4, np.vstack([li, fcc]))


@pytest.mark.slow
@pytest.mark.atomistic
def test_chgnet_nve_conserves_energy_li2s(tmp_path):
    """CHGNet, Li2S (12 atoms), NVE at 1 fs from 600 K for 0.5 ps: drift < 5 meV/atom."""
    pytest.importorskip("chgnet")
    from ase.io import Trajectory

    r = run_md(_li2s_96(), temperature_k=600.0, time_ps=0.5, calculator="chgnet", device="cpu", out_dir=tmp_path,
               thermostat="nve", equilibration_ps=0.0, timestep_fs=1.0, frame_interval_fs=10.0)
    e = np.array([f.get_total_energy() for f in Trajectory(r.trajectory)]) / r.n_atoms
    assert np.ptp(e) < 5e-3


@pytest.mark.slow
@pytest.mark.atomistic
def test_chgnet_nvt_temperature_li2s_96_atoms(tmp_path):
    """CHGNet, Li2S 2x2x2 (96 atoms), Bussi NVT at 600 K for 1 ps: <T> within 8 % of 600 K
    (frame std T sqrt(2/3N) = 8 %, about ten independent samples)."""
    pytest.importorskip("chgnet")
    r = run_md(_li2s_96() * (2, 2, 2), temperature_k=600.0, time_ps=1.0, calculator="chgnet", device="cpu",
               out_dir=tmp_path, equilibration_ps=0.4, timestep_fs=2.0, frame_interval_fs=20.0)
    assert r.mean_temperature_K == pytest.approx(600.0, rel=0.08)
