"""Structures: reading, supercells, ordering partial occupancies, substitutions (combinatorics)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbkit.atomistic.structures import (
    make_supercell,
    order_structure,
    random_orderings,
    read_structure,
    supercell_matrix,
)
from ssbkit.atomistic.substitutions import (
    Move,
    charge_change,
    compensated_moves,
    count_configurations,
    enumerate_substitutions,
    rank_substitutions,
)
from ssbkit.errors import FileFormatError, InputError


def li2s(a: float = 5.71):
    """Li2S antifluorite (Fm-3m), conventional cell: 8 Li + 4 S (cartesian sites written out)."""
    from pymatgen.core import Lattice, Structure

    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    li = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
    return Structure(Lattice.cubic(a), ["Li"] * 8 + ["S"] * 4, np.vstack([li, fcc]))


def test_read_structure_round_trip_and_bad_files(tmp_path):
    p = tmp_path / "Li2S.cif"
    li2s().to(filename=str(p))
    s = read_structure(p)
    assert s.composition.reduced_formula == "Li2S" and len(s) == 12
    with pytest.raises(FileFormatError, match="no such structure file"):
        read_structure(tmp_path / "missing.cif")
    bad = tmp_path / "bad.cif"
    bad.write_text("this is not a crystal\n")
    with pytest.raises(FileFormatError, match="bad.cif"):
        read_structure(bad)


def test_supercell_widths_reach_the_minimum_and_no_more():
    """Perpendicular width V/|a_j x a_k|: each axis is the fewest repeats reaching 10 Å."""
    from pymatgen.core import Lattice

    lat = Lattice.from_parameters(4.0, 6.0, 7.0, 70, 80, 100)
    reps = supercell_matrix(lat.matrix, min_length_A=10.0)
    m = lat.matrix
    vol = abs(np.linalg.det(m))
    widths = [vol / np.linalg.norm(np.cross(m[(i + 1) % 3], m[(i + 2) % 3])) for i in range(3)]
    for r, w in zip(reps, widths, strict=True):
        assert r * w >= 10.0 and (r - 1) * w < 10.0
    s = make_supercell(li2s(), min_length_A=10.0)
    assert len(s) == 12 * 8  # 5.71 Å -> 2 x 2 x 2 = 96 atoms
    assert len(make_supercell(li2s(), min_length_A=5.0, min_atoms=40)) >= 40


def _half_li():
    s = li2s()
    for i, site in enumerate(s):
        if site.specie.symbol == "Li":
            s.replace(i, {"Li": 0.5})
    return s


def test_random_orderings_respect_occupancy_and_are_distinct():
    """8 Li sites at occupancy 1/2: every ordering holds 4 Li; at most C(8,4) = 70 exist."""
    cands = random_orderings(_half_li(), 12, seed=3)
    assert len(cands) == 12
    assert all(c.is_ordered and c.composition["Li"] == 4 and c.composition["S"] == 4 for c in cands)
    sigs = {tuple(sorted(tuple(np.round(site.frac_coords, 3)) for site in c if site.specie.symbol == "Li"))
            for c in cands}
    assert len(sigs) == 12
    # only 70 orderings exist: asking for 100 returns 70
    assert len(random_orderings(_half_li(), 100, seed=0)) == math.comb(8, 4)


def test_fractional_atom_count_asks_for_a_supercell():
    s = li2s()
    s.replace(0, {"Li": 0.3})
    with pytest.raises(InputError, match="supercell"):
        random_orderings(s, 3)


def test_order_structure_picks_the_lowest_energy_ordering():
    """Cu0.5Au0.5 on fcc (4 sites): C(4,2) = 6 orderings; the chosen one has the minimum EMT energy."""
    from ase.build import bulk
    from ase.calculators.emt import EMT
    from pymatgen.io.ase import AseAtomsAdaptor

    s = AseAtomsAdaptor.get_structure(bulk("Cu", "fcc", a=3.75, cubic=True))
    for i in range(len(s)):
        s.replace(i, {"Cu": 0.5, "Au": 0.5})
    res = order_structure(s, calculator="emt", n_candidates=10)
    assert res.n_candidates == 6
    atoms = AseAtomsAdaptor.get_atoms(res.structure)
    atoms.calc = EMT()
    assert atoms.get_potential_energy() == pytest.approx(min(res.energies_eV), abs=1e-9)
    assert res.energies_eV[res.chosen] == min(res.energies_eV)
    assert res.structure.composition["Au"] == 2


def test_configuration_count_is_a_product_of_binomials():
    """Cl on 1 of 4 S and a Li vacancy on 1 of 8 Li: C(4,1) C(8,1) = 32, all generated, all distinct."""
    moves = compensated_moves("Cl", "S", 1)
    assert moves == [Move("S", "Cl", 1), Move("Li", None, 1)]
    assert count_configurations(li2s(), moves) == 32
    out = enumerate_substitutions(li2s(), moves, max_candidates=100)
    assert len(out) == 32
    assert all(s.composition.reduced_formula == "Li7S3Cl" for s in out)
    assert len({tuple(sorted(tuple(np.round(x.frac_coords, 3)) for x in s if x.specie.symbol in "ClLi"))
                for s in out}) == 32


def test_two_moves_on_one_host_draw_from_the_sites_left():
    """Two different dopants on 4 S: C(4,1) x C(3,1) = 12."""
    assert count_configurations(li2s(), [("S", "Se", 1), ("S", "O", 1)]) == 12
    assert len(enumerate_substitutions(li2s(), [("S", "Se", 1), ("S", "O", 1)])) == 12


def test_symmetry_distinct_reduces_equivalent_sites():
    """One Se on the 4 translation-equivalent S sites of the conventional cell: one distinct structure."""
    out = enumerate_substitutions(li2s(), [("S", "Se", 1)], symmetry_distinct=True)
    assert len(out) == 1


def test_sb_o_cosubstitution_of_li7p3s11_is_neutral_and_sampled():
    """Li7P3-xSbxS11-2.5xO2.5x, x = 1 on 2 formula units: Sb2 on 6 P and O5 on 22 S
    (isovalent, no compensation): C(6,2) C(22,5) configurations, sampled at random."""
    from pymatgen.core import Lattice, Structure

    rng = np.random.default_rng(0)
    species = ["Li"] * 14 + ["P"] * 6 + ["S"] * 22
    host = Structure(Lattice.cubic(12.0), species, rng.random((42, 3)))
    moves = [("P", "Sb", 2), ("S", "O", 5)]
    assert charge_change(moves) == 0
    assert count_configurations(host, moves) == math.comb(6, 2) * math.comb(22, 5)
    out = enumerate_substitutions(host, moves, max_candidates=10, seed=1)
    assert len(out) == 10
    from pymatgen.core import Composition

    assert all(s.composition == Composition("Li14P4Sb2S17O5") for s in out)


def test_charged_substitution_and_impossible_counts_are_refused():
    with pytest.raises(InputError, match="net charge"):
        enumerate_substitutions(li2s(), [("S", "Cl", 1)])
    with pytest.raises(InputError, match="4 S sites"):
        count_configurations(li2s(), [("S", "Cl", 5)])
    with pytest.raises(InputError, match="cannot be compensated"):
        compensated_moves("Cl", "S", 1, compensation=("S", "Br"))
    assert compensated_moves("Mg", "Li", 1) == [Move("Li", "Mg", 1), Move("Li", None, 1)]


def test_rank_substitutions_orders_by_energy():
    """Au in Cu (EMT): ranks ascend in energy and the best has 0 meV/atom above itself."""
    from ase.build import bulk
    from pymatgen.io.ase import AseAtomsAdaptor

    s = AseAtomsAdaptor.get_structure(bulk("Cu", "fcc", a=3.7, cubic=True).repeat((2, 1, 1)))
    cands = enumerate_substitutions(s, [("Cu", "Au", 2)], check_charge=False, max_candidates=6, seed=0)
    ranked = rank_substitutions(cands, "emt")
    e = [r.energy_eV for r in ranked]
    assert e == sorted(e) and ranked[0].energy_above_best_meV_per_atom == 0.0
