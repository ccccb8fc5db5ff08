"""Batched single points give the energies and forces of one ASE calculator call per structure."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.atomistic.batch import batch_backend, single_points
from ssbkit.errors import InputError


def _li2s_variants(n: int, seed: int = 0):
    """Li2S conventional cells (12 atoms), each rattled differently and with one S -> Cl + one Li vacancy."""
    from ase import Atoms

    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    li = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        a = Atoms(["Li"] * 8 + ["S"] * 4, scaled_positions=np.vstack([li, fcc]), cell=[5.71] * 3, pbc=True)
        a.rattle(0.05, seed=seed + k)
        sym = a.get_chemical_symbols()
        sym[8 + int(rng.integers(0, 4))] = "Cl"
        a.set_chemical_symbols(sym)
        del a[int(rng.integers(0, 8))]
        out.append(a)
    return out


def _sequential(atoms_list, calc):
    e, f = [], []
    for a in atoms_list:
        b = a.copy()
        b.calc = calc
        e.append(b.get_potential_energy())
        f.append(b.get_forces().copy())
    return np.array(e), f


def test_emt_takes_the_sequential_path_with_ase_numbers():
    from ase.build import bulk
    from ase.calculators.emt import EMT

    frames = [bulk("Cu", "fcc", a=a, cubic=True) for a in (3.55, 3.61, 3.70)]
    frames[1].rattle(0.02, seed=1)
    r = single_points(frames, "emt")
    e, f = _sequential(frames, EMT())
    assert r.backend == "sequential" and batch_backend(EMT()) == "sequential"
    np.testing.assert_allclose(r.energies_eV, e, rtol=0, atol=1e-12)
    assert all(np.allclose(a, b, atol=1e-12) for a, b in zip(r.forces_eV_per_A, f, strict=True))
    assert r.n_atoms == (4, 4, 4)


def test_chgnet_batches_equal_one_calculator_call_each():
    """Batch of 4 structures of different sizes (11 and 22 atoms, species differ) vs CHGNetCalculator calls."""
    pytest.importorskip("chgnet")
    from ssbkit.atomistic.calculators import load_calculator

    calc = load_calculator("chgnet", device="cpu")
    frames = _li2s_variants(4)
    frames[2] = frames[2].repeat((1, 1, 2))  # 22 atoms: a batch of unequal sizes
    e_seq, f_seq = _sequential(frames, calc)
    r = single_points(frames, calc, batch_size=3)  # two batches: 3 + 1
    assert r.backend == "chgnet"
    # float32 model: energies of ~-40 eV agree to round-off, forces to 1e-4 eV/Å
    np.testing.assert_allclose(r.energies_eV, e_seq, rtol=0, atol=2e-4)
    for a, b in zip(r.forces_eV_per_A, f_seq, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)
    # the equal-size variants differ by >= 10x the tolerance (measured 5 meV): the comparison can fail
    assert np.ptp(e_seq[[0, 1, 3]]) > 10 * 2e-4
    e_only = single_points(frames, calc, batch_size=4, forces=False)
    assert e_only.forces_eV_per_A is None
    np.testing.assert_allclose(e_only.energies_eV, e_seq, rtol=0, atol=2e-4)


@pytest.mark.slow  # loading 7net-0 takes ~30 s on a shared CPU
def test_sevennet_batches_equal_one_calculator_call_each():
    pytest.importorskip("sevenn")
    from ssbkit.atomistic.calculators import load_calculator

    calc = load_calculator("sevennet", device="cpu")
    frames = _li2s_variants(4, seed=3)
    e_seq, f_seq = _sequential(frames, calc)
    r = single_points(frames, calc, batch_size=4)
    assert r.backend == "sevennet"
    np.testing.assert_allclose(r.energies_eV, e_seq, rtol=0, atol=2e-4)
    for a, b in zip(r.forces_eV_per_A, f_seq, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)
    # the calculator itself still works one structure at a time afterwards
    b = frames[0].copy()
    b.calc = calc
    assert b.get_potential_energy() == pytest.approx(e_seq[0], abs=2e-4)


def test_bad_input_is_refused():
    with pytest.raises(InputError, match="at least one structure"):
        single_points([], "emt")
    from ase.build import bulk

    with pytest.raises(InputError, match="batch_size"):
        single_points([bulk("Cu")], "emt", batch_size=0)
