"""Starting boxes and schedules for melt-quench glass models (used by :mod:`ssbkit.atomistic.glass`).

Compositions of xLi2S-(100-x)P2S5, a random packing, a thiophosphate packing
(PS4 and P2S7 units placed by charge balance, Li+ and S2- between them), and
a melt-quench schedule that fits a CPU budget with its stated cost.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InputError, require_positive

__all__ = ["li2s_p2s5_composition", "random_packing", "thiophosphate_packing", "budget_schedule",
           "P_S_BOND_A", "P_S_BRIDGE_A", "BRIDGE_ANGLE_DEG"]

_AMU_G = 1.66053906660e-24


def _mass_amu(el: Any) -> float:
    """Atomic mass (amu) of a pymatgen element or species; pymatgen types it as possibly None."""
    mass = el.atomic_mass
    if mass is None:
        raise InputError(f"{el} has no atomic mass")
    return float(mass)


def li2s_p2s5_composition(x_li2s_mol_percent: float, *, min_atoms: int = 0):
    """Integer composition of xLi2S-(100-x)P2S5 with at least ``min_atoms`` atoms.

    Per 100 mol: Li 2x, P 2(100 - x), S x + 5(100 - x); reduced by the greatest
    common divisor and multiplied up to ``min_atoms``. 75 gives Li3PS4, 70 Li7P3S11.

    Parameters
    ----------
    x_li2s_mol_percent
        Li2S content x, mol %.
    min_atoms
        Fewest atoms of the result.

    Returns
    -------
    pymatgen.core.Composition
    """
    from pymatgen.core import Composition

    x = float(x_li2s_mol_percent)
    if not 0.0 < x < 100.0:
        raise InputError(f"Li2S mol% must lie strictly between 0 and 100, got {x_li2s_mol_percent!r}")
    xi = round(x * 10)
    counts = np.array([2 * xi, 2 * (1000 - xi), xi + 5 * (1000 - xi)], dtype=int)
    counts //= np.gcd.reduce(counts)
    mult = max(1, math.ceil(min_atoms / counts.sum()))
    return Composition({"Li": int(counts[0] * mult), "P": int(counts[1] * mult), "S": int(counts[2] * mult)})


def random_packing(composition, *, density_g_cm3: float, min_distance_A: float = 1.8, seed: int = 0,
                   max_attempts: int = 20000):
    """Atoms of ``composition`` placed at random in a cubic box at ``density_g_cm3``.

    Each atom is tried at uniform random positions until it lies at least
    ``min_distance_A`` from every other (minimum image).

    Parameters
    ----------
    composition
        Composition (whole atoms).
    density_g_cm3
        Density, g/cm^3.
    min_distance_A
        Smallest distance between atoms, Å.
    seed
        Random seed.
    max_attempts
        Tries per atom.

    Returns
    -------
    pymatgen.core.Structure
        In a cubic box.

    Raises
    ------
    InputError
        If the atoms do not fit at that density and minimum distance.
    """
    from pymatgen.core import Composition, Lattice, Structure

    require_positive("density_g_cm3", density_g_cm3)
    comp = Composition(composition)
    species = [el.symbol for el, n in comp.items() for _ in range(int(round(n)))]
    mass_g = sum(_mass_amu(el) for el, n in comp.items() for _ in range(int(round(n)))) * _AMU_G
    a = (mass_g / density_g_cm3 / 1e-24) ** (1 / 3)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(species))
    pos = np.empty((0, 3))
    for _k in order:
        for _ in range(max_attempts):
            p = rng.random(3) * a
            d = pos - p
            d -= a * np.round(d / a)
            if len(pos) == 0 or np.min(np.einsum("ij,ij->i", d, d)) >= min_distance_A**2:
                pos = np.vstack([pos, p])
                break
        else:
            raise InputError(
                f"cannot pack {len(species)} atoms at {density_g_cm3} g/cm3 with {min_distance_A} A between "
                "atoms: lower min_distance_A or the density"
            )
    return Structure(Lattice.cubic(a), [species[k] for k in order], pos, coords_are_cartesian=True)


#: P-S bond length of thiophosphate tetrahedra, Å (crystalline Li3PS4 and Li7P3S11: 2.02-2.08 Å,
#: the bridging P-S of P2S7 2.1 Å); P-S-P angle of the bridge, degrees.
P_S_BOND_A = 2.05


P_S_BRIDGE_A = 2.10


BRIDGE_ANGLE_DEG = 109.5


_TETRA = math.radians(109.4712)


def _tetra_arms(p: np.ndarray, first: np.ndarray, bond: float) -> np.ndarray:
    """Three S positions completing a tetrahedron around P at ``p`` whose fourth arm points to ``first``."""
    u = (first - p) / np.linalg.norm(first - p)
    v = np.cross(u, [1.0, 0.0, 0.0] if abs(u[0]) < 0.9 else [0.0, 1.0, 0.0])
    v /= np.linalg.norm(v)
    w = np.cross(u, v)
    return np.array([p + bond * (math.cos(_TETRA) * u + math.sin(_TETRA) * (math.cos(f) * v + math.sin(f) * w))
                     for f in (0.0, 2 * math.pi / 3, 4 * math.pi / 3)])


def _ps4() -> tuple[list[str], np.ndarray]:
    tet = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / math.sqrt(3) * P_S_BOND_A
    return ["P"] + ["S"] * 4, np.vstack([[0.0, 0.0, 0.0], tet])


def _p2s7() -> tuple[list[str], np.ndarray]:
    half = math.radians(BRIDGE_ANGLE_DEG) / 2
    sb = np.zeros(3)
    p1 = P_S_BRIDGE_A * np.array([-math.sin(half), -math.cos(half), 0.0])
    p2 = P_S_BRIDGE_A * np.array([math.sin(half), -math.cos(half), 0.0])
    pos = np.vstack([p1, p2, sb, _tetra_arms(p1, sb, P_S_BOND_A), _tetra_arms(p2, sb, P_S_BOND_A)])
    return ["P", "P"] + ["S"] * 7, pos - pos.mean(axis=0)


#: A P and an S of different units stay this far apart, Å: beyond the 2.5 Å P-S bond cutoff of
#: :func:`structural_units`, so that the start holds exactly the units it was built from.
_FOREIGN_P_S_A = 3.0


def _thresholds(new: list[str], old: list[str], min_distance_A: float) -> np.ndarray:
    a = np.array(new)[:, None]
    b = np.array(old)[None, :]
    ps = ((a == "P") & (b == "S")) | ((a == "S") & (b == "P"))
    return np.where(ps, max(_FOREIGN_P_S_A, min_distance_A), min_distance_A)


def _unit_counts(n_li: int, n_p: int, n_s: int) -> tuple[int, int, int]:
    """(P2S7, PS4, free S2-) for Li-P-S with 3.5 <= S/P: n_S = 7 p + 4 o + f, n_P = 2 p + o."""
    if n_li + 5 * n_p != 2 * n_s:
        raise InputError(f"Li{n_li}P{n_p}S{n_s} is not charge-balanced as Li+, P5+, S2-")
    pyro = max(4 * n_p - n_s, 0)
    if 2 * pyro > n_p:
        raise InputError(f"Li{n_li}P{n_p}S{n_s} has S/P = {n_s / n_p:.2f} < 3.5: it needs P2S6 or P-P units; "
                         "use the random packing")
    ortho = n_p - 2 * pyro
    return pyro, ortho, n_s - 7 * pyro - 4 * ortho


def thiophosphate_packing(composition, *, density_g_cm3: float, min_distance_A: float = 2.0, seed: int = 0,
                          max_attempts: int = 20000):
    """A chemically sensible start for Li2S-P2S5 glasses: PS4 and P2S7 units, Li+ and S2- placed between.

    The units follow the charge balance of the composition (S/P >= 3.5):
    n(P2S7) = 4 n_P - n_S and n(PS4) = n_P - 2 n(P2S7) for S/P <= 4 (so
    Li7P3S11 = 70Li2S-30P2S5 starts with PS4 : P2S7 = 1 : 1, the lecture's
    crystal; Li3PS4 with PS4 only), the rest of S as S2- ions. Rigid units
    (P-S 2.05 Å, bridge 2.10 Å, P-S-P 109.5 deg) are inserted at random
    positions and orientations, largest first, then Li and free S, each at
    least ``min_distance_A`` from every atom of the others (minimum image).
    A melt-quench from here does not have to assemble tetrahedra from
    isolated atoms, which CPU-length melts do not achieve (a random start
    gives P-P clusters).

    Parameters
    ----------
    composition
        Li-P-S composition (whole atoms), e.g. ``Composition("Li28P12S44")``.
    density_g_cm3
        Density of the box, g/cm^3.
    min_distance_A
        Smallest distance between atoms of different units or ions, Å.
    seed
        Random seed.
    max_attempts
        Tries per unit or ion.

    Returns
    -------
    pymatgen.core.Structure

    Raises
    ------
    InputError
        Not Li-P-S, not charge-balanced, S/P < 3.5, or no room at this density.
    """
    from pymatgen.core import Composition, Lattice, Structure
    from scipy.spatial.transform import Rotation

    require_positive("density_g_cm3", density_g_cm3)
    comp = Composition(composition)
    if set(el.symbol for el in comp) - {"Li", "P", "S"} or comp["P"] == 0:
        raise InputError(f"{comp.formula}: the thiophosphate start needs Li, P and S only")
    n = {el: int(round(comp[el])) for el in ("Li", "P", "S")}
    pyro, ortho, free_s = _unit_counts(n["Li"], n["P"], n["S"])
    mass_g = float(sum(_mass_amu(el) * float(amt) for el, amt in comp.items())) * _AMU_G
    a = (mass_g / density_g_cm3 / 1e-24) ** (1 / 3)
    rng = np.random.default_rng(seed)
    objects = [_p2s7()] * pyro + [_ps4()] * ortho + [(["S"], np.zeros((1, 3)))] * free_s \
        + [(["Li"], np.zeros((1, 3)))] * n["Li"]
    species: list[str] = []
    pos = np.empty((0, 3))
    for sym, local in objects:
        for _ in range(max_attempts):
            rot = Rotation.random(random_state=rng) if len(sym) > 1 else None
            trial = (rot.apply(local) if rot is not None else local) + rng.random(3) * a
            if len(pos):
                d = pos[None, :, :] - trial[:, None, :]
                d -= a * np.round(d / a)
                if np.any(np.einsum("ijk,ijk->ij", d, d) < _thresholds(sym, species, min_distance_A) ** 2):
                    continue
            pos = np.vstack([pos, trial])
            species += sym
            break
        else:
            raise InputError(f"cannot place the thiophosphate units of {comp.formula} at {density_g_cm3} g/cm3 "
                             f"with {min_distance_A} Å between them: lower the density or min_distance_A")
    return Structure(Lattice.cubic(a), species, pos % a, coords_are_cartesian=True)


def budget_schedule(
    n_atoms: int,
    cpu_hours: float,
    *,
    atom_steps_per_s: float | None = None,
    timestep_fs: float = 2.0,
    t_melt_k: float = 1500.0,
    t_final_k: float = 300.0,
    shares: tuple[float, float, float] = (0.3, 0.5, 0.2),
) -> dict[str, Any]:
    """A melt-quench schedule that fits a CPU budget, with what it costs in realism.

    The budget buys n = hours x 3600 x throughput / n_atoms MD steps, split
    between melt, quench and anneal by ``shares``; the quench rate follows.
    MD quench rates (1e12-1e14 K/s) are many orders of magnitude above a lab
    quench, so a faster schedule freezes in more of the liquid's disorder:
    the message says so, and unit fractions from one box carry at least the
    binomial error :meth:`ssbkit.atomistic.glass.StructuralUnits.fraction_se`.

    Parameters
    ----------
    n_atoms
        Atoms in the box.
    cpu_hours
        Wall-time budget, h.
    atom_steps_per_s
        Throughput (default the CPU figure of :mod:`ssbkit.atomistic.md`).
    timestep_fs
        MD time step, fs.
    t_melt_k, t_final_k
        Melt and final temperatures, K.
    shares
        Fractions of the steps for melt, quench and anneal.

    Returns
    -------
    dict
        ``melt_ps``, ``quench_rate_K_per_ps``, ``anneal_ps`` (keywords of
        :func:`melt_quench`), ``quench_rate_K_per_s`` and ``message``.

    Examples
    --------
    >>> s = budget_schedule(100, 1.0, atom_steps_per_s=300.0)
    >>> round(s["melt_ps"], 2), round(s["quench_rate_K_per_ps"], 1), round(s["anneal_ps"], 2)
    (6.48, 111.1, 4.32)
    """
    from .md import CPU_ATOM_STEPS_PER_S

    require_positive("cpu_hours", cpu_hours)
    if abs(sum(shares) - 1.0) > 1e-9 or min(shares) <= 0:
        raise InputError(f"shares must be three positive fractions summing to 1, got {shares!r}")
    rate = float(atom_steps_per_s or CPU_ATOM_STEPS_PER_S)
    total_ps = cpu_hours * 3600.0 * rate / n_atoms * timestep_fs / 1000.0
    melt, quench, anneal = (total_ps * f for f in shares)
    q = (t_melt_k - t_final_k) / quench
    msg = (f"{cpu_hours:g} h at {rate:.0f} atom-steps/s buys {total_ps:.3g} ps for {n_atoms} atoms: melt "
           f"{melt:.3g} ps at {t_melt_k:g} K, quench at {q:.3g} K/ps ({q * 1e12:.2g} K/s, about 1e10 x a "
           f"melt-spinning quench), anneal {anneal:.3g} ps. Unit fractions from one such box carry at least "
           "their binomial sampling error and a bias towards the liquid's units that grows with the quench rate.")
    return {"melt_ps": melt, "quench_rate_K_per_ps": q, "anneal_ps": anneal, "quench_rate_K_per_s": q * 1e12,
            "message": msg}
