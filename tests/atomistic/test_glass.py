"""Glass tools: structural units on hand-built clusters, RDFs, random packing, melt-quench."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.atomistic.glass import (
    coordination_number,
    li2s_p2s5_composition,
    melt_quench,
    partial_rdf,
    random_packing,
    structural_units,
)
from ssbkit.errors import InputError

D_PS = 2.05  # P-S bond length, Å
TET = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3)  # tetrahedron directions


def ps4(center):
    c = np.asarray(center, float)
    return [("P", c)] + [("S", c + D_PS * v) for v in TET]


def p2s7(center):
    """Two PS4 sharing the S along TET[0]: P2 = P1 + 2 d TET[0], its tetrahedron inverted."""
    p1 = np.asarray(center, float)
    p2 = p1 + 2 * D_PS * TET[0]
    return ([("P", p1)] + [("S", p1 + D_PS * v) for v in TET] + [("P", p2)]
            + [("S", p2 - D_PS * v) for v in TET[1:]])


def p2s6(center):
    """Two PS3 joined by a 2.25 Å P-P bond along z (staggered tetrahedral S)."""
    up = np.array([0, 0, 1.0])
    rest = np.array([[np.sqrt(8 / 9), 0, -1 / 3], [-np.sqrt(2 / 9), np.sqrt(2 / 3), -1 / 3],
                     [-np.sqrt(2 / 9), -np.sqrt(2 / 3), -1 / 3]])
    p1 = np.asarray(center, float)
    p2 = p1 + 2.25 * up
    return ([("P", p1)] + [("S", p1 + D_PS * v) for v in rest] + [("P", p2)]
            + [("S", p2 + D_PS * (v * [1, 1, -1])) for v in rest])


def box(*clusters, a: float = 30.0):
    from ase import Atoms

    items = [it for c in clusters for it in c]
    return Atoms([s for s, _ in items], positions=[p for _, p in items], cell=[a, a, a], pbc=True)


def test_isolated_ps4_is_one_ortho_unit():
    u = structural_units(box(ps4([5, 5, 5])))
    assert (u.n_P, u.ortho_PS4, u.pyro_P2S7, u.hypo_P2S6, u.other_units) == (1, 1, 0, 0, 0)
    assert (u.bridging_S, u.terminal_S, u.free_S) == (0, 4, 0)
    assert u.fraction_ortho == 1.0


def test_corner_sharing_pair_is_one_pyro_unit_with_one_bridging_s():
    u = structural_units(box(p2s7([5, 5, 5])))
    assert (u.n_P, u.n_S, u.ortho_PS4, u.pyro_P2S7, u.hypo_P2S6) == (2, 7, 0, 1, 0)
    assert (u.bridging_S, u.terminal_S) == (1, 6)
    assert u.fraction_pyro == 1.0


def test_p_p_bonded_pair_is_one_hypo_unit():
    u = structural_units(box(p2s6([5, 5, 5])))
    assert (u.n_P, u.n_S, u.ortho_PS4, u.pyro_P2S7, u.hypo_P2S6) == (2, 6, 0, 0, 1)
    assert (u.bridging_S, u.terminal_S) == (0, 6)


def test_mixture_fractions_count_p_atoms_and_free_sulfur():
    """PS4 + P2S7 + P2S6 + a lone S2-: 5 P -> fractions 1/5, 2/5, 2/5; one free S."""
    lone = [("S", np.array([25.0, 25.0, 25.0]))]
    u = structural_units(box(ps4([4, 4, 4]), p2s7([12, 4, 4]), p2s6([4, 14, 4]), lone))
    assert (u.ortho_PS4, u.pyro_P2S7, u.hypo_P2S6, u.other_units) == (1, 1, 1, 0)
    assert u.fraction_ortho == pytest.approx(0.2)
    assert u.fraction_pyro == pytest.approx(0.4)
    assert u.fraction_hypo == pytest.approx(0.4)
    assert (u.bridging_S, u.free_S, u.terminal_S) == (1, 1, 16)


def test_no_phosphorus_is_an_input_error():
    from ase.build import bulk

    with pytest.raises(InputError, match="no P atoms"):
        structural_units(bulk("Cu", "fcc", a=3.61))


def test_rdf_of_fcc_integrates_to_twelve_neighbours():
    """fcc Cu: the first shell (2.55 Å) holds 12 atoms; the second (3.61 Å) is outside 3.0 Å."""
    from ase.build import bulk

    at = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((3, 3, 3))
    r, g = partial_rdf(at, ("Cu", "Cu"), r_max_A=5.0, n_bins=250)
    rho = (len(at) - 1) / at.get_volume()  # N_b - 1 for a = b, as partial_rdf normalises
    assert coordination_number(r, g, density_b_per_A3=rho, r_cut_A=3.0) == pytest.approx(12.0, rel=1e-9)
    assert r[np.argmax(g)] == pytest.approx(3.61 / np.sqrt(2), abs=0.02)


def test_rdf_of_an_ideal_gas_is_one():
    """Uniform random points: g(r) = 1 (averaged over 3-6 Å, 4 frames of 400 points)."""
    from ase import Atoms

    rng = np.random.default_rng(0)
    frames = [Atoms("Li400", positions=rng.random((400, 3)) * 15.0, cell=[15.0] * 3, pbc=True) for _ in range(4)]
    r, g = partial_rdf(frames, ("Li", "Li"), r_max_A=6.0, n_bins=60)
    assert g[(r > 3) & (r < 6)].mean() == pytest.approx(1.0, abs=0.02)


def test_li2s_p2s5_compositions():
    """75Li2S-25P2S5 = Li3PS4; 70Li2S-30P2S5 = Li7P3S11 (per formula, lecture)."""
    from pymatgen.core import Composition

    assert li2s_p2s5_composition(75) == Composition("Li3PS4")
    assert li2s_p2s5_composition(70) == Composition("Li7P3S11")
    assert li2s_p2s5_composition(75, min_atoms=90).num_atoms == 96
    with pytest.raises(InputError):
        li2s_p2s5_composition(100)


def test_random_packing_density_and_minimum_distance():
    from ase.geometry import get_distances

    s = random_packing(li2s_p2s5_composition(75, min_atoms=64), density_g_cm3=1.9, min_distance_A=1.8, seed=2)
    assert s.composition.reduced_formula == "Li3PS4" and len(s) == 64
    assert float(s.density) == pytest.approx(1.9, rel=1e-6)
    _, d = get_distances(s.cart_coords, cell=s.lattice.matrix, pbc=True)
    assert d[np.triu_indices(len(s), 1)].min() >= 1.8 - 1e-9
    with pytest.raises(InputError, match="cannot pack"):
        random_packing("Li3PS4", density_g_cm3=50.0, min_distance_A=2.5, max_attempts=200)


def test_melt_quench_stages_follow_the_schedule(tmp_path):
    """EMT Cu, 32 atoms: melt at 2000 K, steps of 500 K at 5000 K/ps down to 500 K, anneal."""
    from ase.build import bulk

    at = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 2))
    from pymatgen.io.ase import AseAtomsAdaptor

    res = melt_quench(AseAtomsAdaptor.get_structure(at), calculator="emt", out_dir=tmp_path, t_melt_k=2000.0,
                      melt_ps=0.2, t_final_k=500.0, quench_rate_K_per_ps=5000.0, quench_step_k=500.0,
                      anneal_ps=0.1, timestep_fs=2.0)
    assert [s["temperature_K"] for s in res.stages] == [2000.0, 1500.0, 1000.0, 500.0]
    assert [s["time_ps"] for s in res.stages] == pytest.approx([0.2, 0.1, 0.1, 0.1])
    assert res.units is None and res.n_atoms == 32
    assert (tmp_path / "glass_final.cif").is_file()


@pytest.mark.slow
@pytest.mark.atomistic
def test_chgnet_melt_quench_li3ps4_forms_thiophosphate_tetrahedra(tmp_path):
    """CHGNet melt-quench of 75Li2S-25P2S5 (32 atoms): P ends four-fold coordinated by S,
    as in every Li2S-P2S5 glass (PS4 / P2S7 units; lecture)."""
    pytest.importorskip("chgnet")
    res = melt_quench("Li12P4S16", density_g_cm3=1.9, calculator="chgnet", device="cpu", out_dir=tmp_path,
                      t_melt_k=1200.0, melt_ps=1.0, t_final_k=300.0, quench_rate_K_per_ps=900.0,
                      quench_step_k=300.0, anneal_ps=0.5)
    u = res.units
    assert u["n_P"] == 4
    assert u["fraction_ortho"] + u["fraction_pyro"] >= 0.5


@pytest.mark.parametrize("x,pyro,ortho", [(70.0, 3, 3), (75.0, 0, 8)])
def test_thiophosphate_start_has_the_units_charge_balance_gives(x, pyro, ortho):
    """Charge balance: Li7P3S11 (70Li2S-30P2S5) = PS4(3-) + P2S7(4-) + 7 Li+, so 3 formula units (63 atoms)
    start with 3 P2S7 and 3 PS4; 8 Li3PS4 (75:25) with 8 PS4. The unit counter (independent code, bond cutoffs)
    finds exactly those, no P-P bond, and the box has the asked density."""
    from ssbkit.atomistic.glass import li2s_p2s5_composition, thiophosphate_packing

    comp = li2s_p2s5_composition(x, min_atoms=60)
    s = thiophosphate_packing(comp, density_g_cm3=1.9, seed=1)
    u = structural_units(s)
    assert (u.pyro_P2S7, u.ortho_PS4, u.hypo_P2S6, u.other_units) == (pyro, ortho, 0, 0)
    assert u.bridging_S == pyro and u.free_S == 0
    assert s.density == pytest.approx(1.9, rel=1e-6)
    assert s.composition == comp


def test_thiophosphate_start_refuses_what_it_cannot_build():
    from ssbkit.atomistic.glass import thiophosphate_packing

    with pytest.raises(InputError, match="3.5"):
        thiophosphate_packing("LiPS3", density_g_cm3=1.9)  # P2S5-rich: needs more bridging than P2S7
    with pytest.raises(InputError, match="charge"):
        thiophosphate_packing("Li3PS5", density_g_cm3=1.9)


def test_budget_schedule_arithmetic_and_binomial_error():
    """1 h x 300 atom-steps/s / 100 atoms = 10,800 steps of 2 fs = 21.6 ps: 30 % melt (6.48 ps), 50 % quench
    (1200 K in 10.8 ps = 111 K/ps), 20 % anneal. A fraction f of n_P = 16 P has se sqrt(f(1-f)/16)."""
    from ssbkit.atomistic.glass import budget_schedule

    s = budget_schedule(100, 1.0, atom_steps_per_s=300.0)
    assert s["melt_ps"] == pytest.approx(6.48) and s["anneal_ps"] == pytest.approx(4.32)
    assert s["quench_rate_K_per_ps"] == pytest.approx(1200 / 10.8)
    assert "K/s" in s["message"]
    u = structural_units(_ps4_box(16))
    assert u.fraction_se(0.5) == pytest.approx(0.125)
    with pytest.raises(InputError, match="shares"):
        budget_schedule(100, 1.0, shares=(0.5, 0.5, 0.5))


def _ps4_box(n):
    from ase import Atoms

    tet = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3) * 2.05
    pos, sym = [], []
    for k in range(n):
        c = np.array([k % 4, (k // 4) % 4, 0]) * 6.0 + 3.0
        pos += [c] + list(c + tet)
        sym += ["P"] + ["S"] * 4
    return Atoms(sym, positions=pos, cell=[24, 24, 6], pbc=True)
