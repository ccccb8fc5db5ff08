"""The bundled competing phases: every structure carries its source, the shipped cache its model.

No relaxation runs here: the energies are the shipped CHGNet cache written by
scripts/relax_phase_library.py (CPU times recorded in it).
"""

from __future__ import annotations

import json

import pytest

from ssbkit.atomistic.phases import (
    ENERGY_DIR,
    cache_path,
    load_energies,
    load_phase,
    phase_entries,
    phase_index,
    phase_names,
    relax_phases,
)
from ssbkit.errors import InputError

pytest.importorskip("pymatgen")


def test_every_bundled_phase_has_a_source_and_a_small_cell():
    idx = phase_index()
    for name, rec in idx.items():
        s = load_phase(name)
        assert s.composition.reduced_formula == rec["formula"], name
        assert len(s) == rec["n_atoms"] <= 100, name
        assert s.is_ordered, name
        assert len(rec["source"]) > 10, name
    # the six electrolytes of issue 13 and their competing binaries are there
    for name in ("Li3PS4", "Li6PS5Cl", "Li7P3S11", "Li10GeP2S12", "Na3PS4", "Li3YCl6",
                 "Li2S", "Na2S", "LiCl", "P4S10", "Li4GeS4", "GeS2", "YCl3", "Li", "Na", "P", "S", "Cl", "Ge", "Y"):
        assert name in idx


@pytest.mark.parametrize(("model", "backend", "name"), [("chgnet", "chgnet", "0.3.0"), ("sevennet", "sevennet", "7net-0")])
def test_shipped_caches_record_model_version_and_convergence(model, backend, name):
    doc = load_energies(model)
    assert doc["model"]["backend"] == backend and doc["model"]["model"] == name
    assert doc["model"]["version"]  # the chgnet package version the energies came from
    assert set(doc["phases"]) == set(phase_index())
    for name, rec in doc["phases"].items():
        assert rec["converged"], name
        assert rec["fmax_final_eV_per_A"] <= doc["settings"]["fmax_eV_per_A"] + 1e-9, name
        assert rec["cpu_s"] >= 0.0
    assert cache_path(doc["model"], bundled=True).parent == ENERGY_DIR


def test_phase_entries_filter_by_chemical_system():
    names = [e.name for e in phase_entries("chgnet", ["Na", "P", "S"])]
    assert set(names) == set(phase_names(["Na", "P", "S"]))
    assert "Na3PS4" in names and "Li2S" not in names
    assert "Na3PS4" not in [e.name for e in phase_entries("chgnet", ["Na", "P", "S"], exclude=["Na3PS4"])]


def test_unknown_phase_and_model_are_input_errors():
    with pytest.raises(InputError, match="Li3PS4"):
        load_phase("Li3PS5")
    with pytest.raises(InputError, match="no cached phase energies"):
        load_energies("mace-nothing")


def test_relax_phases_keeps_what_is_cached(tmp_path):
    """A cache file with a phase already in it is not recomputed (the calculator is never called)."""
    out = tmp_path / "c.json"
    out.write_text(json.dumps({"model": {"name": "x"}, "phases": {"Li": {"energy_eV": -1.0}}}))

    class Boom:
        ssbkit_info = {"name": "boom", "version": "0"}

        def get_potential_energy(self, atoms=None):
            raise AssertionError("must not be called")

    doc = relax_phases(Boom(), ["Li"], out=out)
    assert doc["phases"]["Li"]["energy_eV"] == -1.0


def test_relax_phases_writes_energy_model_and_cpu_time(tmp_path):
    """A relaxation with a toy potential (ASE Lennard-Jones) is written with the model that made it;
    the energy is the one of the relaxed cell (re-evaluated here from the same potential)."""
    from ase.calculators.lj import LennardJones

    from ssbkit.atomistic.structures import to_atoms

    out = tmp_path / "lj.json"
    doc = relax_phases(LennardJones(sigma=2.5, epsilon=0.1, rc=6.0), ["Na"], out=out, steps=200)
    rec = doc["phases"]["Na"]
    assert doc["model"]["backend"] == "ase-object" and doc["model"]["model"] == "LennardJones"
    assert rec["formula"] == "Na" and rec["n_atoms"] == 3 and rec["cpu_s"] >= 0.0
    atoms = to_atoms(load_phase("Na"))
    atoms.calc = LennardJones(sigma=2.5, epsilon=0.1, rc=6.0)
    assert rec["energy_eV"] < atoms.get_potential_energy()  # relaxation lowered the energy
    assert json.loads(out.read_text())["phases"]["Na"]["energy_eV"] == rec["energy_eV"]
