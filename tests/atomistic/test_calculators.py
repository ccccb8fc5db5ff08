"""Calculators: name resolution, device selection, CHGNet loading without network."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from ssbkit.atomistic.calculators import calculator_name, load_calculator, select_device
from ssbkit.errors import InputError


def test_select_device_cpu_and_unknown_name_suggests():
    assert select_device("cpu") == "cpu"
    with pytest.raises(InputError, match="did you mean 'cuda'"):
        select_device("cdua")


def test_select_device_cuda_without_gpu_is_refused():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert select_device("auto") == "cpu"
    with pytest.raises(InputError, match="no CUDA GPU"):
        select_device("cuda")


def test_unknown_calculator_name_suggests_chgnet():
    with pytest.raises(InputError, match="did you mean 'chgnet'"):
        load_calculator("chgent")


def test_unbundled_potential_asks_for_its_model_file():
    with pytest.raises(InputError, match="<backend>:<path>"):
        load_calculator("mace-mp-0")


@pytest.mark.parametrize("backend,pip_name", [("mace", "mace-torch"), ("mattersim", "mattersim"),
                                              ("orb", "orb-models"), ("m3gnet", "matgl")])
def test_model_by_path_says_what_is_missing(tmp_path, backend, pip_name):
    """A weights file that is not there is named; a package that is not installed is named with its pip
    command (these packages are not in the test environment; where one is, only the file check runs)."""
    with pytest.raises(InputError, match="does not exist"):
        load_calculator(f"{backend}:{tmp_path / 'none.model'}", device="cpu")
    weights = tmp_path / "w.model"
    weights.write_bytes(b"not a model")
    import importlib.util

    from ssbkit.atomistic.calculators import PATH_BACKENDS

    if importlib.util.find_spec(PATH_BACKENDS[backend][0]) is None:
        with pytest.raises(InputError, match=f"pip install {pip_name}"):
            load_calculator(backend, model_path=weights, device="cpu")
    else:
        with pytest.raises(InputError, match="could not load"):
            load_calculator(backend, model_path=weights, device="cpu")


def test_precision_is_checked_and_recorded():
    from ssbkit.atomistic.calculators import calculator_info

    with pytest.raises(InputError, match="precision"):
        load_calculator("emt", precision="float16")
    info = calculator_info(load_calculator("emt"))
    assert info["backend"] == "emt" and info["precision"] == "float64" and info["version"]


def test_ase_calculator_object_is_used_as_given():
    from ase.calculators.emt import EMT

    calc = EMT()
    assert load_calculator(calc) is calc
    with pytest.raises(InputError):
        load_calculator(3.0)


def test_emt_copper_lattice_energy_minimum_near_experiment():
    """EMT Cu: energy per atom is lowest near the experimental a = 3.61 Å (Kittel)."""
    from ase.build import bulk

    calc = load_calculator("emt")
    e = []
    for a in (3.45, 3.61, 3.80):
        at = bulk("Cu", "fcc", a=a)
        at.calc = calc
        e.append(at.get_potential_energy())
    assert e[1] < e[0] and e[1] < e[2]
    assert calculator_name(calc) == "emt"


def _li2s(a: float = 5.71):
    """Li2S antifluorite, conventional cell (8 Li on the tetrahedral sites of the S fcc lattice)."""
    from pymatgen.core import Lattice, Structure

    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    li = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
    return Structure(Lattice.cubic(a), ["Li"] * 8 + ["S"] * 4, np.vstack([li, fcc]))


@pytest.mark.atomistic
def test_chgnet_loads_offline_and_li2s_is_bound_at_the_experimental_lattice(monkeypatch):
    """CHGNet weights ship in the wheel: no socket is opened. Li2S antifluorite
    (experimental a = 5.71 Å): zero forces by symmetry and an energy minimum
    between 5.45 and 5.95 Å; the forces-only fast path matches the full call."""
    pytest.importorskip("chgnet")

    def no_net(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_net)
    monkeypatch.setattr(socket, "getaddrinfo", no_net)
    from pymatgen.io.ase import AseAtomsAdaptor

    calc = load_calculator("chgnet", device="cpu")
    assert calculator_name(calc) == "chgnet-0.3.0"
    e = {}
    for a in (5.45, 5.71, 5.95):
        at = AseAtomsAdaptor.get_atoms(_li2s(a))
        at.calc = calc
        e[a] = at.get_potential_energy() / len(at)
        if a == 5.71:
            assert np.abs(at.get_forces()).max() < 1e-3  # computed with the energy, no extra call
    assert e[5.71] < e[5.45] and e[5.71] < e[5.95]
    at = AseAtomsAdaptor.get_atoms(_li2s())
    at.rattle(0.05, seed=1)
    at.calc = calc
    f_fast = at.get_forces().copy()
    at.calc.results.clear()
    at.calc.calculate(at, ["energy", "forces", "stress"], ["positions"])
    np.testing.assert_allclose(at.calc.results["forces"], f_fast, atol=1e-5)
    assert np.size(at.calc.results["stress"]) in (6, 9)  # the full call also gives the stress


def test_package_import_is_light_and_every_export_resolves():
    """``import ssbkit.atomistic`` and its CLI load no torch, ASE or CHGNet (architecture.md)."""
    import subprocess
    import sys

    code = ("import sys, ssbkit.atomistic, ssbkit.cli.md, ssbkit.study.sections.atomistic; "
            "print(','.join(m for m in ('torch', 'ase', 'chgnet') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    import ssbkit.atomistic as pkg

    assert all(getattr(pkg, name) is not None for name in pkg.__all__)


@pytest.mark.slow  # loading 7net-0 takes ~30 s on a shared CPU
@pytest.mark.atomistic
def test_sevennet_loads_offline_by_name_and_binds_li2s_at_the_experimental_lattice(monkeypatch):
    """SevenNet 7net-0 ships in the sevenn wheel: loaded by name with no socket opened, its model and
    version recorded. Li2S antifluorite (experimental a = 5.71 Å): zero forces by symmetry and an energy
    minimum between 5.45 and 5.95 Å (PBE, which 7net-0 learned, overestimates a by ~1 %)."""
    pytest.importorskip("sevenn")
    from pymatgen.io.ase import AseAtomsAdaptor

    from ssbkit.atomistic.calculators import calculator_info

    def no_net(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_net)
    monkeypatch.setattr(socket, "getaddrinfo", no_net)
    calc = load_calculator("sevennet", device="cpu")
    e = {}
    for a in (5.45, 5.71, 5.95):
        at = AseAtomsAdaptor.get_atoms(_li2s(a))
        at.calc = calc
        e[a] = at.get_potential_energy() / len(at)
        if a == 5.71:
            assert np.abs(at.get_forces()).max() < 1e-3
    assert e[5.71] < e[5.45] and e[5.71] < e[5.95]
    info = calculator_info(calc)
    assert info["model"] == "7net-0" and info["package"] == "sevenn" and info["version"]
    assert info["reference"] == "Park2024"
