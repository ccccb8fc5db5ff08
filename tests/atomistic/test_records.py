"""Every atomistic result is a Record that round-trips through JSON unchanged."""

from __future__ import annotations

import numpy as np

from ssbkit.atomistic.campaign import CampaignResult, Candidate
from ssbkit.atomistic.glass import StructuralUnits, structural_units
from ssbkit.atomistic.md import Guards
from ssbkit.atomistic.msd import MSDFit, fit_msd
from ssbkit.atomistic.stability import (
    HullResult,
    WindowResult,
    electrochemical_window,
    energy_above_hull,
    make_entry,
)
from ssbkit.atomistic.trajectory import random_walk_trajectory
from ssbkit.atomistic.workflow import TransportResult


def _ps4():
    from ase import Atoms

    tet = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3) * 2.05
    return Atoms(["P"] + ["S"] * 4, positions=np.vstack([[5, 5, 5], 5 + tet]), cell=[10, 10, 10], pbc=True)


def test_records_round_trip():
    e = {"Li": 0.0, "S": 0.0, "Li2S": -3.0, "LiS": -2.0, "LiS2": -2.5}
    entries = [make_entry(f, v) for f, v in e.items() if f != "LiS"]
    x = random_walk_trajectory(n_atoms=8, n_frames=60, d_A2_per_ps=0.5, frame_interval_ps=0.1, seed=0)
    recs = [
        Guards(),
        CampaignResult("g", 4, 1, 2, 1, "sqlite:///x.db", 0),
        structural_units(_ps4()),
        energy_above_hull(make_entry("LiS", -2.0), entries),
        electrochemical_window(make_entry("LiS", -2.0), entries),
        fit_msd(x.displacements_A, 0.1, t_start_ps=0.5, t_end_ps=2.5),
        TransportResult(species="Li", temperatures=({"temperature_K": 600.0, "converged": False},)),
    ]
    for r in recs:
        back = type(r).from_json(r.to_json())
        assert back == r, type(r).__name__
    assert isinstance(recs[2], StructuralUnits) and isinstance(recs[3], HullResult)
    assert isinstance(recs[4], WindowResult) and isinstance(recs[5], MSDFit)
    c = Candidate("A/host/600K", "a.cif", temperature_K=600.0, moves=(("S", "Cl", 1),))
    assert "@class" not in c.as_dict()  # the candidate dict is hashed into the task key as it always was
    assert Candidate.from_dict(c.as_dict()).moves == (("S", "Cl", 1),)
