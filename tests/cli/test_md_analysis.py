"""``ssbkit md diffusion`` / ``ssbkit md arrhenius`` (ssbkit.cli.md_analysis.app)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ssbkit.atomistic.trajectory import random_walk_trajectory
from ssbkit.cli.md_analysis import app
from ssbkit.errors import InputError

pytest.importorskip("ase")
runner = CliRunner()


def _write_traj(path, d_a2_per_ps, n_frames=300, seed=0):
    """A wrapped Gaussian random walk of 32 Li with known D, saved as an ASE .traj with info['time_ps']."""
    from ase import Atoms
    from ase.io import write

    rw = random_walk_trajectory(n_atoms=32, n_frames=n_frames, d_A2_per_ps=d_a2_per_ps, frame_interval_ps=0.1,
                                box_A=8.0, seed=seed)
    pos = (rw.positions0_A + rw.displacements_A) % 8.0
    frames = []
    for k, p in enumerate(pos):
        a = Atoms(["Li"] * 32, positions=p, cell=np.eye(3) * 8.0, pbc=True)
        a.info["time_ps"] = 0.1 * k
        frames.append(a)
    write(str(path), frames)
    return path


def test_diffusion_json_recovers_known_d(tmp_path):
    """Synthetic ground truth D = 0.5 Å^2/ps = 5e-5 cm^2/s; the interval contains it; one JSON document."""
    path = _write_traj(tmp_path / "rw.traj", 0.5)
    out = runner.invoke(app, ["diffusion", str(path), "--species", "Li", "--temperature-k", "600", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["converged"] is True
    lo, hi = doc["d_ci_cm2_per_s"]
    assert lo < 5e-5 < hi
    assert doc["frame_interval_ps"] == pytest.approx(0.1)
    assert doc["sigma_S_per_cm"] > 0


def test_diffusion_too_short_says_no_d(tmp_path):
    path = _write_traj(tmp_path / "slow.traj", 0.0005, n_frames=60)
    out = runner.invoke(app, ["diffusion", str(path), "--temperature-k", "600", "--json"])
    doc = json.loads(out.stdout)
    assert doc["converged"] is False and doc["d_cm2_per_s"] is None
    assert doc["reasons"]
    text = runner.invoke(app, ["diffusion", str(path), "--temperature-k", "600"])
    assert "no diffusive regime" in text.stdout and "below one hop" in text.stdout


def test_diffusion_missing_species_is_an_input_error(tmp_path):
    path = _write_traj(tmp_path / "rw.traj", 0.5, n_frames=20)
    out = runner.invoke(app, ["diffusion", str(path), "--species", "Na", "--temperature-k", "600"])
    assert isinstance(out.exception, InputError)
    assert "Na" in str(out.exception)


def test_arrhenius_json_from_csv_and_structure(tmp_path):
    """Exact D = 1e-3 exp(-0.25 eV/kT) cm^2/s at 4 temperatures: Ea = 0.25 eV, D(300 K) = 6.312e-8 cm^2/s."""
    from pymatgen.core import Lattice, Structure

    kb = 8.617333262e-5
    rows = ["temperature_K,D_cm2_per_s,D_err_cm2_per_s"]
    for t in (500, 600, 700, 800):
        d = 1e-3 * np.exp(-0.25 / (kb * t))
        rows.append(f"{t},{d:.10e},{0.05 * d:.10e}")
    (tmp_path / "D_T.csv").write_text("\n".join(rows) + "\n")
    Structure(Lattice.cubic(4.0), ["Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]).to(filename=str(tmp_path / "POSCAR"))
    out = runner.invoke(app, ["arrhenius", str(tmp_path / "D_T.csv"), "--structure", str(tmp_path / "POSCAR"),
                              "--species", "Li", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["ea_eV"] == pytest.approx(0.25, rel=1e-6)
    assert doc["d_target_cm2_per_s"] == pytest.approx(6.312e-8, rel=2e-3)
    lo, hi = doc["sigma_target_ci_S_per_cm"]
    assert lo < doc["sigma_target_S_per_cm"] < hi
    assert doc["number_density_per_cm3"] == pytest.approx(1 / 64e-24)


def test_append_csv_then_arrhenius_recovers_the_walks_d(tmp_path):
    """Two converged walks (D = 0.5 and 1.0 Å^2/ps at 500 / 1000 K) and one too short: rows appended,
    the short one skipped; Ea = k_B ln 2 / (1/500 - 1/1000) = 0.0597 eV within its interval."""
    from pymatgen.core import Lattice, Structure

    csv = tmp_path / "D_T.csv"
    for t, d, frames, seed in ((500, 0.5, 400, 1), (1000, 1.0, 400, 2), (700, 0.0005, 60, 3)):
        path = _write_traj(tmp_path / f"{t}.traj", d, n_frames=frames, seed=seed)
        out = runner.invoke(app, ["diffusion", str(path), "--temperature-k", str(t), "--append-csv", str(csv)])
        assert out.exit_code == 0, out.output
    assert len(csv.read_text().splitlines()) == 4
    Structure(Lattice.cubic(8.0), ["Li"], [[0, 0, 0]]).to(filename=str(tmp_path / "POSCAR"))
    doc = json.loads(runner.invoke(app, ["arrhenius", str(csv), "--structure", str(tmp_path / "POSCAR"),
                                         "--json"]).stdout)
    assert doc["temperatures_K"] == [500.0, 1000.0]
    lo, hi = doc["ea_ci_eV"]
    assert lo < 8.617333e-5 * np.log(2) / (1 / 500 - 1 / 1000) < hi
    assert any("not converged" in w for w in doc["warnings"])
