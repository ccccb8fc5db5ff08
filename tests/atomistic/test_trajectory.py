"""Reading and unwrapping trajectories (ssbkit.atomistic.trajectory)."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.atomistic.trajectory import (
    random_walk_trajectory,
    read_trajectory,
    species_indices,
    trajectory_from_positions,
    unwrap_fractional,
)
from ssbkit.errors import FileFormatError, InputError

ase = pytest.importorskip("ase")


def _frames(pos, cell, symbols, *, time_ps=None, momenta=None):
    from ase import Atoms

    out = []
    for k, p in enumerate(pos):
        a = Atoms(symbols, positions=p, cell=cell, pbc=True)
        if time_ps is not None:
            a.info["time_ps"] = k * time_ps
        if momenta is not None:
            a.set_momenta(momenta[k])
        out.append(a)
    return out


def test_unwrap_fractional_recovers_steady_motion_through_many_boundaries():
    """Analytic: an atom moving +0.3 (and another -0.45) cell per frame, wrapped into [0, 1)."""
    k = np.arange(20)[:, None]
    true = np.stack([0.1 + 0.3 * k, 0.9 - 0.45 * k, 0.5 + 0 * k], axis=-1)  # (20, 1, 3)
    wrapped = true % 1.0
    np.testing.assert_allclose(unwrap_fractional(wrapped), true, atol=1e-12)


def test_unwrapped_displacements_equal_true_path_in_triclinic_cell():
    """Ground truth: a known unwrapped path in a skewed cell, written wrapped, is recovered exactly."""
    rng = np.random.default_rng(3)
    cell = np.array([[8.0, 0.0, 0.0], [3.0, 7.5, 0.0], [-1.5, 2.0, 9.0]])
    steps = rng.normal(0, 0.8, size=(60, 5, 3))
    true = np.cumsum(np.concatenate([rng.random((1, 5, 3)) @ cell, steps]), axis=0)
    frac = true @ np.linalg.inv(cell)
    wrapped = (frac % 1.0) @ cell
    traj = trajectory_from_positions(wrapped, cell, ["Li"] * 5, frame_interval_ps=0.1)
    np.testing.assert_allclose(traj.displacements_A, true - true[0], atol=1e-9)
    assert traj.duration_ps == pytest.approx(6.0)


@pytest.mark.parametrize("name,fmt", [("run.traj", None), ("run.xyz", None), ("run.exyz", "extxyz"), ("XDATCAR", "vasp-xdatcar")])
def test_read_formats_give_the_same_unwrapped_displacements(tmp_path, name, fmt):
    """ASE .traj, extended XYZ (.xyz/.exyz) and XDATCAR of one wrapped random walk: same displacements as the truth."""
    from ase.io import write

    ref = random_walk_trajectory(n_atoms=4, n_frames=12, d_A2_per_ps=2.0, frame_interval_ps=0.5, box_A=5.0, seed=1)
    pos = ref.positions0_A + ref.displacements_A
    frames = _frames(pos % 5.0, np.eye(3) * 5.0, ["Li", "Li", "Cl", "Cl"], time_ps=0.5)
    path = tmp_path / name
    write(str(path), frames, format=fmt or ("traj" if name.endswith("traj") else "extxyz"))
    traj = read_trajectory(path, frame_interval_ps=0.5 if "XDATCAR" in name else None)
    assert traj.frame_interval_ps == pytest.approx(0.5)
    np.testing.assert_allclose(traj.displacements_A, ref.displacements_A, atol=1e-5)
    assert species_indices(traj, "Cl").tolist() == [2, 3]


def test_xdatcar_without_frame_interval_is_an_input_error(tmp_path):
    from ase.io import write

    frames = _frames(np.random.default_rng(0).random((4, 2, 3)) * 4, np.eye(3) * 4, ["Li", "Li"])
    write(str(tmp_path / "XDATCAR"), frames, format="vasp-xdatcar")
    with pytest.raises(InputError, match="frame interval"):
        read_trajectory(tmp_path / "XDATCAR")


def test_missing_unreadable_file_and_missing_species_have_clear_errors(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        read_trajectory(tmp_path / "none.traj", frame_interval_ps=1)
    bad = tmp_path / "bad.xyz"
    bad.write_text("not a trajectory\n")
    with pytest.raises(FileFormatError, match="bad.xyz"):
        read_trajectory(bad, frame_interval_ps=1)
    traj = random_walk_trajectory(n_atoms=3, n_frames=5, d_A2_per_ps=1, frame_interval_ps=1, seed=0)
    with pytest.raises(InputError, match="did you mean 'Li'"):
        species_indices(traj, "Lj")


def test_velocities_reveal_a_wrong_frame_interval(tmp_path):
    """Frames 1 fs apart with consistent momenta but declared 0.5 ps apart: a warning (the check is dr = v dt)."""
    from ase import units
    from ase.io import write

    rng = np.random.default_rng(2)
    v = rng.normal(0, 0.05, size=(2, 3))  # Å/fs, constant
    t_fs = np.arange(10.0)
    pos = 2.0 + v[None] * t_fs[:, None, None]
    mom = np.broadcast_to(v * 6.94 / units.fs, (10, 2, 3))  # m v in ASE units
    frames = _frames(pos, np.eye(3) * 6.0, ["Li", "Li"], momenta=mom)
    write(str(tmp_path / "v.traj"), frames)
    traj = read_trajectory(tmp_path / "v.traj", frame_interval_ps=0.5)
    assert traj.velocity_interval_ps == pytest.approx(0.001, rel=1e-3)
    assert any("velocities imply" in w for w in traj.warnings)
    assert not read_trajectory(tmp_path / "v.traj", frame_interval_ps=0.001).warnings


def test_gzipped_xdatcar_is_read(tmp_path):
    """A gzip-compressed XDATCAR (as shipped by kinisi) reads like the plain file."""
    import gzip

    from ase.io import write

    ref = random_walk_trajectory(n_atoms=3, n_frames=8, d_A2_per_ps=1.0, frame_interval_ps=0.2, box_A=5.0, seed=4)
    frames = _frames((ref.positions0_A + ref.displacements_A) % 5.0, np.eye(3) * 5.0, ["Li"] * 3)
    write(str(tmp_path / "XDATCAR"), frames, format="vasp-xdatcar")
    with open(tmp_path / "XDATCAR", "rb") as src, gzip.open(tmp_path / "XDATCAR.gz", "wb") as dst:
        dst.write(src.read())
    traj = read_trajectory(tmp_path / "XDATCAR.gz", frame_interval_ps=0.2)
    np.testing.assert_allclose(traj.displacements_A, ref.displacements_A, atol=1e-5)
