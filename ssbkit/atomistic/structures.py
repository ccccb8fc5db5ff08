"""Structures for simulation: reading, ordering partial occupancies, supercells.

Crystal files (CIF, POSCAR/CONTCAR, anything pymatgen reads) become pymatgen
``Structure`` objects. A disordered structure (partial occupancies, as in most
Li-conductor CIFs) is ordered by generating a few random orderings of the
disordered sublattices and keeping the one with the lowest energy under the
chosen potential (science.md section 5). Substitutions and dopants are in
:mod:`ssbkit.atomistic.substitutions`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import FileFormatError, InputError

if TYPE_CHECKING:
    from ase import Atoms
    from pymatgen.core import Structure

__all__ = [
    "OrderingResult",
    "read_structure",
    "to_atoms",
    "read_atoms",
    "to_structure",
    "structure_energy",
    "random_orderings",
    "order_structure",
    "supercell_matrix",
    "make_supercell",
]


def read_structure(path: str | Path):
    """Read a crystal structure file (CIF, POSCAR, CONTCAR, extended XYZ, ...) with pymatgen.

    Parameters
    ----------
    path
        Structure file.

    Returns
    -------
    pymatgen.core.Structure

    Raises
    ------
    FileFormatError
        If the file is missing or pymatgen cannot parse it; the message names the file.
    """
    from pymatgen.core import Structure

    p = Path(path)
    if not p.is_file():
        raise FileFormatError(f"{p}: no such structure file")
    try:
        s = Structure.from_file(str(p))
    except Exception as exc:  # pymatgen raises many kinds here
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FileFormatError(f"{p}: cannot read a crystal structure ({msg}); give a CIF or POSCAR file") from None
    if len(s) == 0:
        raise FileFormatError(f"{p}: the structure holds no atoms")
    return s


def to_structure(obj: Any):
    """A pymatgen ``Structure`` from a Structure, an ASE ``Atoms`` or a file path.

    Parameters
    ----------
    obj
        Structure, ASE Atoms or file.

    Returns
    -------
    pymatgen.core.Structure
    """
    from pymatgen.core import Structure

    if isinstance(obj, Structure):
        return obj
    if isinstance(obj, str | Path):
        return read_structure(obj)
    if hasattr(obj, "get_positions"):
        from pymatgen.io.ase import AseAtomsAdaptor

        return AseAtomsAdaptor.get_structure(obj)
    raise InputError(f"expected a structure (pymatgen Structure, ASE Atoms or file), got {type(obj).__name__}")


def to_atoms(obj: Any) -> Atoms:
    """An ASE ``Atoms`` (a copy) from a Structure, an Atoms or a file path; must be ordered.

    Parameters
    ----------
    obj
        Structure, ASE Atoms or file.

    Returns
    -------
    ase.Atoms
    """
    if hasattr(obj, "get_positions"):
        return obj.copy()
    s = to_structure(obj)
    if not s.is_ordered:
        raise InputError(
            f"structure {s.composition.reduced_formula} has partial occupancies: order it first "
            "(ssbkit.atomistic.order_structure)"
        )
    from pymatgen.io.ase import AseAtomsAdaptor

    return AseAtomsAdaptor.get_atoms(s)


def read_atoms(path: str | Path) -> Atoms:
    """The one (last) image of a file ASE reads, as ``Atoms``.

    ``ase.io.read`` with no ``index`` returns one ``Atoms``; its annotation,
    ``Atoms | list[Atoms]``, also covers the slice indices, so this narrows it.

    Parameters
    ----------
    path
        Any file ASE reads (CIF, POSCAR, extxyz, ASE trajectory, ...).

    Returns
    -------
    ase.Atoms
    """
    from ase import Atoms
    from ase.io import read

    atoms = read(str(path))
    if not isinstance(atoms, Atoms):  # not reached: index=None gives one image
        raise FileFormatError(f"{path}: expected one structure, ASE read {len(atoms)}")
    return atoms


def structure_energy(obj: Any, calculator: Any) -> float:
    """Potential energy (eV) of an ordered structure under ``calculator`` (a single point).

    Parameters
    ----------
    obj
        Structure, Atoms or file.
    calculator
        Potential.

    Returns
    -------
    float
        Total energy, eV.
    """
    from .calculators import load_calculator

    atoms = to_atoms(obj)
    atoms.calc = load_calculator(calculator)
    return float(atoms.get_potential_energy())


@dataclass(frozen=True)
class OrderingResult:
    """The ordering chosen for a disordered structure.

    Attributes
    ----------
    structure
        The lowest-energy ordered structure (pymatgen Structure).
    energies_eV
        Energies of every candidate ordering tried, eV (the chosen one is the minimum).
    chosen
        Index of the chosen candidate in ``energies_eV``.
    n_candidates
        Number of orderings compared.
    """

    structure: Any
    energies_eV: tuple[float, ...]
    chosen: int
    n_candidates: int
    references: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict.

        Returns
        -------
        dict
        """
        return {
            "formula": self.structure.composition.formula,
            "energies_eV": list(self.energies_eV),
            "chosen": self.chosen,
            "n_candidates": self.n_candidates,
            "spread_meV_per_atom": 1000 * (max(self.energies_eV) - min(self.energies_eV)) / len(self.structure),
        }


def _disordered_groups(s) -> dict[tuple, list[int]]:
    """Sites that share one partial-occupancy dict, grouped (key: sorted species/occupancy)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, site in enumerate(s):
        occ = site.species.as_dict()
        if len(occ) == 1 and abs(next(iter(occ.values())) - 1.0) < 1e-6:
            continue
        key = tuple(sorted((k, round(v, 4)) for k, v in occ.items()))
        groups[key].append(i)
    return dict(groups)


def _group_counts(key: tuple, n: int, *, tol: float = 0.02) -> dict[str, int]:
    counts = {}
    for sp, occ in key:
        c = occ * n
        if abs(c - round(c)) > tol * max(1.0, c) + 1e-6:
            raise InputError(
                f"partial occupancy {sp}={occ:g} on {n} sites gives {c:.3f} atoms, not a whole number: "
                "make a supercell first (make_supercell) so each sublattice holds whole atoms"
            )
        counts[sp] = int(round(c))
    if sum(counts.values()) > n:
        raise InputError(f"occupancies {dict(key)} on {n} sites add up to more than 1")
    return counts


def random_orderings(structure: Any, n: int = 5, *, seed: int = 0) -> list[Structure]:
    """``n`` distinct random orderings of a disordered structure (vacancies where occupancy < 1).

    Each group of sites that shares one occupancy dict gets exactly
    ``round(occupancy x n_sites)`` atoms of each species, placed at random.

    Parameters
    ----------
    structure
        Structure with partial occupancies.
    n
        Orderings.
    seed
        Random seed.

    Returns
    -------
    list of pymatgen.core.Structure

    Raises
    ------
    InputError
        If a sublattice's occupancy does not give a whole number of atoms.
    """
    s = to_structure(structure)
    groups = _disordered_groups(s)
    if not groups:
        return [s.copy()]
    plan = {key: (idx, _group_counts(key, len(idx))) for key, idx in groups.items()}
    n_max = 1
    for idx, counts in plan.values():
        m = len(idx)
        for c in counts.values():
            n_max *= math.comb(m, c)
            m -= c
    rng = np.random.default_rng(seed)
    out: list[Structure] = []
    seen: set[tuple[tuple[int, str], ...]] = set()
    tries = 0
    while len(out) < min(n, n_max) and tries < 50 * n:
        tries += 1
        assign: dict[int, str | None] = {}
        for idx, counts in plan.values():
            labels: list[str | None] = [sp for sp, c in counts.items() for _ in range(c)]
            labels += [None] * (len(idx) - len(labels))
            for site, lab in zip(idx, rng.permutation(np.array(labels, dtype=object)), strict=True):
                assign[site] = lab
        sig = tuple(sorted((k, str(v)) for k, v in assign.items()))
        if sig in seen:
            continue
        seen.add(sig)
        new = s.copy()
        remove = []
        for site, lab in assign.items():
            if lab is None:
                remove.append(site)
            else:
                new.replace(site, lab)
        new.remove_sites(remove)
        out.append(new)
    return out


def order_structure(
    structure,
    *,
    calculator: Any = "chgnet",
    n_candidates: int = 5,
    seed: int = 0,
    min_length_A: float | None = None,
) -> OrderingResult:
    """Order partial occupancies: the cheapest of ``n_candidates`` random orderings.

    Parameters
    ----------
    structure
        A disordered (or already ordered) structure.
    calculator
        Potential that ranks the orderings by single-point energy (name or ASE calculator).
    n_candidates
        Orderings to compare (fewer where the sublattices allow fewer).
    seed
        Random seed, so a run can be repeated.
    min_length_A
        If given, first make a supercell with every width >= this (Angstrom).

    Returns
    -------
    OrderingResult
    """
    from .calculators import CHGNET_REFERENCE, load_calculator

    s = to_structure(structure)
    if min_length_A:
        s = make_supercell(s, min_length_A=min_length_A)
    cands = random_orderings(s, n_candidates, seed=seed)
    calc = load_calculator(calculator)
    energies = tuple(structure_energy(c, calc) for c in cands)
    best = int(np.argmin(energies))
    refs = (CHGNET_REFERENCE,) if "chgnet" in str(getattr(calc, "ssbkit_name", "")) else ()
    return OrderingResult(cands[best], energies, best, len(cands), refs)


def supercell_matrix(lattice_matrix: np.ndarray, *, min_length_A: float = 10.0, min_atoms: int = 0, n_sites: int = 1) -> list[int]:
    """Diagonal repetitions so that every perpendicular width of the cell is >= ``min_length_A``.

    The width along axis i is V / |a_j x a_k| (the distance between opposite
    faces), the quantity that bounds a potential's cutoff and the minimum image.
    Then, while the cell holds fewer than ``min_atoms`` atoms, the thinnest axis grows.

    Parameters
    ----------
    lattice_matrix
        Cell vectors as rows, Å.
    min_length_A
        Smallest perpendicular width, Å.
    min_atoms
        Fewest atoms.
    n_sites
        Sites of the cell.

    Returns
    -------
    list of int
        Repetitions along a, b, c.
    """
    m = np.asarray(lattice_matrix, dtype=float)
    vol = abs(np.linalg.det(m))
    widths = np.array([vol / np.linalg.norm(np.cross(m[(i + 1) % 3], m[(i + 2) % 3])) for i in range(3)])
    reps = [max(1, math.ceil(min_length_A / w - 1e-9)) for w in widths]
    while n_sites * int(np.prod(reps)) < min_atoms:
        i = int(np.argmin(widths * np.array(reps)))
        reps[i] += 1
    return reps


def make_supercell(structure, *, min_length_A: float = 10.0, min_atoms: int = 0):
    """A supercell whose perpendicular widths are all >= ``min_length_A`` (and >= ``min_atoms`` atoms).

    Parameters
    ----------
    structure
        Structure.
    min_length_A
        Smallest perpendicular width, Å.
    min_atoms
        Fewest atoms.

    Returns
    -------
    pymatgen.core.Structure
    """
    if min_length_A <= 0:
        raise InputError(f"min_length_A must be > 0, got {min_length_A!r}")
    s = to_structure(structure)
    reps = supercell_matrix(s.lattice.matrix, min_length_A=min_length_A, min_atoms=min_atoms, n_sites=len(s))
    return s * reps
