"""Hull and electrochemical window on a toy Li-S system whose answer is computed by hand.

Energies (eV per formula unit, elements at 0): Li2S -3.0, LiS -2.0, LiS2 -2.5.
Hull: all three on it. Li chemical potentials of the two-phase equilibria:
LiS + Li -> Li2S at mu = E(Li2S) - E(LiS) = -1.0 eV (1.0 V);
2 LiS -> LiS2 + Li at mu = 2 E(LiS) - E(LiS2) = -1.5 eV (1.5 V);
LiS2 -> 2 S + Li at mu = E(LiS2) = -2.5 eV (2.5 V). So LiS is stable between
1.0 and 1.5 V vs Li/Li+, reduced to Li2S and oxidised to LiS2.
"""

from __future__ import annotations

import pytest

from ssbkit.atomistic.stability import electrochemical_window, energy_above_hull, make_entry
from ssbkit.errors import InputError

E = {"Li": 0.0, "S": 0.0, "Li2S": -3.0, "LiS": -2.0, "LiS2": -2.5}


def entries(skip: str | None = None):
    return [make_entry(f, e) for f, e in E.items() if f != skip]


def test_stable_phase_is_on_the_hull():
    res = energy_above_hull(make_entry("LiS", -2.0), entries("LiS"))
    assert res.stable and res.e_above_hull_eV_per_atom == pytest.approx(0.0, abs=1e-9)
    assert res.formation_energy_eV_per_atom == pytest.approx(-1.0)


def test_metastable_phase_energy_above_hull_and_decomposition_by_hand():
    """Li3S2 at -4.75 eV: the hull at its composition is (E(Li2S) + E(LiS)) / 5 = -1.0 eV/atom,
    so 0.05 eV/atom above, decomposing to 3/5 Li2S + 2/5 LiS by atoms."""
    res = energy_above_hull(make_entry("Li3S2", -4.75), entries())
    assert not res.stable
    assert res.e_above_hull_eV_per_atom == pytest.approx(0.05, abs=1e-9)
    assert res.decomposition["Li2S"] == pytest.approx(0.6)
    assert res.decomposition["LiS"] == pytest.approx(0.4)


def test_window_of_lis_matches_the_hand_computed_limits():
    w = electrochemical_window(make_entry("LiS", -2.0), entries("LiS"))
    assert w.reduction_V == pytest.approx(1.0)
    assert w.oxidation_V == pytest.approx(1.5)
    assert w.products_reduction == ("Li2S",)
    assert w.products_oxidation == ("LiS2",)
    ups = {round(i["V_low"], 6): i["li_uptake_per_fu"] for i in w.intervals}
    assert ups[0.0] == pytest.approx(1.0)  # below 1 V: LiS + Li -> Li2S
    assert ups[1.5] == pytest.approx(-0.5)  # 1.5-2.5 V: LiS -> 1/2 LiS2 + 1/2 Li


def test_lithium_rich_phase_is_stable_against_li_metal():
    """Li2S: no reduction product (stable down to 0 V), oxidised to LiS above 1.0 V."""
    w = electrochemical_window(make_entry("Li2S", -3.0), entries("Li2S"))
    assert w.reduction_V == 0.0 and w.products_reduction == ()
    assert w.oxidation_V == pytest.approx(1.0)
    assert w.products_oxidation == ("LiS",)


def test_metastable_composition_equilibrates_at_one_voltage():
    """Li3S2 lies between Li2S and LiS: Li-conserving equilibrium only at 1.0 V."""
    w = electrochemical_window(make_entry("Li3S2", -4.75), entries())
    assert w.reduction_V == pytest.approx(1.0) and w.oxidation_V == pytest.approx(1.0)


def test_missing_elemental_reference_is_named():
    with pytest.raises(InputError, match="elemental reference.*S"):
        energy_above_hull(make_entry("LiS", -2.0), [make_entry("Li", 0.0), make_entry("Li2S", -3.0)])
    with pytest.raises(InputError, match="not in the chemical system"):
        electrochemical_window(make_entry("CuS", -1.0), [make_entry("Cu", 0.0), make_entry("S", 0.0)])


def test_entries_from_structures_with_one_potential():
    """Cu-Au with EMT (same potential for all): ordered L1_2 Cu3Au is bound (negative formation
    energy), as the ordered compound observed experimentally."""
    from ase.build import bulk
    from pymatgen.core import Lattice, Structure
    from pymatgen.io.ase import AseAtomsAdaptor

    from ssbkit.atomistic.stability import compute_entries

    cu3au = Structure(Lattice.cubic(3.75), ["Au", "Cu", "Cu", "Cu"],
                      [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    structs = {"Cu": AseAtomsAdaptor.get_structure(bulk("Cu", "fcc", a=3.61)),
               "Au": AseAtomsAdaptor.get_structure(bulk("Au", "fcc", a=4.08)), "Cu3Au": cu3au}
    ents = compute_entries(structs, calculator="emt", relax=True, steps=200)
    res = energy_above_hull(ents[2], ents[:2])
    assert res.formation_energy_eV_per_atom < 0 and res.stable
