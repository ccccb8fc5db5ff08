"""Glass models: melt-quench MD from a random packing, structural units, radial distribution.

Amorphous xLi2S-(100-x)P2S5 (and other systems) is made the way MD studies
make it: atoms packed at random in a cubic box at the target density, melted,
cooled in steps at a set rate and annealed (science.md section 5). The
structure is then described by its thiophosphate units, counted from P-S and
P-P bonds: ortho PS4(3-) (isolated tetrahedron), pyro P2S7(4-) (two tetrahedra
sharing one bridging S), hypo P2S6(4-) (two PS3 groups joined by a P-P bond),
as in Raman/NMR studies of Li2S-P2S5 glasses (lecture: Li7P3S11 holds PS4 and
P2S7); and by partial radial distribution functions g_ab(r).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, require_positive
from ..progress import Progress
from ..records import Record

__all__ = [
    "StructuralUnits",
    "GlassRun",
    "li2s_p2s5_composition",
    "random_packing",
    "thiophosphate_packing",
    "budget_schedule",
    "structural_units",
    "partial_rdf",
    "coordination_number",
    "melt_quench",
]

_AMU_G = 1.66053906660e-24


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
    mass_g = sum(el.atomic_mass for el, n in comp.items() for _ in range(int(round(n)))) * _AMU_G
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
    mass_g = float(sum(float(el.atomic_mass) * float(amt) for el, amt in comp.items())) * _AMU_G
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


@dataclass(frozen=True)
class StructuralUnits(Record):
    """Thiophosphate units of a structure.

    ``fraction_*`` are fractions of P atoms in each unit (what Raman and
    31P NMR report); ``bridging_S`` counts S bonded to two P, ``free_S`` S bonded
    to none (S2- ions).
    """

    n_P: int
    n_S: int
    ortho_PS4: int
    pyro_P2S7: int
    hypo_P2S6: int
    other_units: int
    fraction_ortho: float
    fraction_pyro: float
    fraction_hypo: float
    fraction_other: float
    bridging_S: int
    terminal_S: int
    free_S: int
    p_s_cutoff_A: float
    p_p_cutoff_A: float

    def fraction_se(self, fraction: float) -> float:
        """Sampling standard error of a unit fraction from this box's n_P atoms.

        Parameters
        ----------
        fraction
            One of the ``fraction_*`` values.

        Returns
        -------
        float
            sqrt(f (1 - f) / n_P): the spread between independent boxes of
            this size (binomial; P atoms in one unit are not independent, so
            it is a lower bound).
        """
        return math.sqrt(max(fraction * (1.0 - fraction), 0.0) / max(self.n_P, 1))


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
    binomial error :meth:`StructuralUnits.fraction_se`.

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


def structural_units(structure, *, former: str = "P", anion: str = "S", p_s_cutoff_A: float = 2.5,
                     p_p_cutoff_A: float = 2.5) -> StructuralUnits:
    """Count ortho (PS4), pyro (P2S7) and hypo (P2S6) units, bridging and free S.

    P atoms are joined into a unit when they share a bridging S or are bonded
    to each other; a single P with four S is ortho, two P sharing one S (no
    P-P bond) pyro, two P with a P-P bond and no shared S hypo; everything else
    (chains, edge sharing, under-coordinated P) is ``other``.

    Parameters
    ----------
    structure
        Structure or ASE Atoms.
    former, anion
        Network former and anion (P, S).
    p_s_cutoff_A, p_p_cutoff_A
        Bond cutoffs, Å.

    Returns
    -------
    StructuralUnits
    """
    from ase.neighborlist import neighbor_list

    from .structures import to_atoms

    atoms = to_atoms(structure)
    sym = np.array(atoms.get_chemical_symbols())
    ip = np.flatnonzero(sym == former)
    is_ = np.flatnonzero(sym == anion)
    if len(ip) == 0:
        raise InputError(f"the structure holds no {former} atoms (formula {atoms.get_chemical_formula()})")
    cut = {(former, anion): p_s_cutoff_A, (former, former): p_p_cutoff_A}
    i, j = neighbor_list("ij", atoms, cut)
    ps = [(a, b) for a, b in zip(i, j, strict=True) if sym[a] == former and sym[b] == anion]
    pp = {(a, b) for a, b in zip(i, j, strict=True) if sym[a] == former and sym[b] == former and a != b}
    p_of_s: dict[int, set[int]] = {s: set() for s in is_}
    s_of_p: dict[int, set[int]] = {p: set() for p in ip}
    for p, s in ps:
        p_of_s[s].add(p)
        s_of_p[p].add(s)
    parent = {p: p for p in ip}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for ps_set in p_of_s.values():
        lst = sorted(ps_set)
        for q in lst[1:]:
            parent[find(q)] = find(lst[0])
    for a, b in pp:
        parent[find(a)] = find(b)
    comps: dict[int, list[int]] = {}
    for p in ip:
        comps.setdefault(find(p), []).append(p)
    n_ortho = n_pyro = n_hypo = n_other = 0
    p_other = 0
    for members in comps.values():
        shared = {s for s in is_ if len(p_of_s[s] & set(members)) >= 2}
        bonded = any((a, b) in pp for a in members for b in members)
        if len(members) == 1 and len(s_of_p[members[0]]) == 4:
            n_ortho += 1
        elif len(members) == 2 and not bonded and len(shared) == 1 and all(len(s_of_p[m]) == 4 for m in members):
            n_pyro += 1
        elif len(members) == 2 and bonded and not shared and all(len(s_of_p[m]) == 3 for m in members):
            n_hypo += 1
        else:
            n_other += 1
            p_other += len(members)
    n_p = len(ip)
    nb = [len(p_of_s[s]) for s in is_]
    return StructuralUnits(
        n_P=n_p, n_S=len(is_), ortho_PS4=n_ortho, pyro_P2S7=n_pyro, hypo_P2S6=n_hypo, other_units=n_other,
        fraction_ortho=n_ortho / n_p, fraction_pyro=2 * n_pyro / n_p, fraction_hypo=2 * n_hypo / n_p,
        fraction_other=p_other / n_p, bridging_S=sum(1 for n in nb if n >= 2),
        terminal_S=sum(1 for n in nb if n == 1), free_S=sum(1 for n in nb if n == 0),
        p_s_cutoff_A=p_s_cutoff_A, p_p_cutoff_A=p_p_cutoff_A,
    )


def partial_rdf(frames, pair: tuple[str, str], *, r_max_A: float = 6.0, n_bins: int = 120):
    """Partial radial distribution function g_ab(r) averaged over frames.

    g_ab(r) = V / (N_a N_b') x n_ab(r) / (4 pi r^2 dr), with n_ab the number of
    ordered a-b pairs at distance r (periodic images included) and N_b' = N_b - 1
    when a = b. Returns ``(r_A, g)`` at bin centres.

    Parameters
    ----------
    frames
        ASE Atoms (one or a list).
    pair
        Element pair (a, b).
    r_max_A
        Largest distance, Å.
    n_bins
        Histogram bins.

    Returns
    -------
    tuple
        Bin centres r (Å) and g_ab(r).
    """
    from ase.neighborlist import neighbor_list

    from .structures import to_atoms

    if hasattr(frames, "get_positions") or not isinstance(frames, list | tuple):
        frames = [frames]
    edges = np.linspace(0.0, r_max_A, n_bins + 1)
    hist = np.zeros(n_bins)
    norm = 0.0
    a, b = pair
    for f in frames:
        at = to_atoms(f)
        sym = np.array(at.get_chemical_symbols())
        na, nb = int((sym == a).sum()), int((sym == b).sum())
        if na == 0 or nb == 0:
            raise InputError(f"pair {a}-{b}: the structure holds {na} {a} and {nb} {b} atoms")
        i, j, d = neighbor_list("ijd", at, r_max_A)
        sel = (sym[i] == a) & (sym[j] == b)
        hist += np.histogram(d[sel], bins=edges)[0]
        norm += na * (nb - 1 if a == b else nb) / at.get_volume()
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    return 0.5 * (edges[1:] + edges[:-1]), hist / (shell * norm)


def coordination_number(r_A, g, *, density_b_per_A3: float, r_cut_A: float) -> float:
    """Mean number of b around a within ``r_cut_A``: 4 pi rho_b integral_0^rc r^2 g(r) dr.

    Summed over the bins of :func:`partial_rdf` (centres ``r_A``) with their exact
    shell volumes, so it returns the pair count of the histogram itself. Give
    ``density_b_per_A3`` as :func:`partial_rdf` normalises: N_b / V, or (N_b - 1) / V when a = b.

    Parameters
    ----------
    r_A, g
        Radial distribution g_ab(r) (:func:`partial_rdf`).
    density_b_per_A3
        Number density of b, Å^-3.
    r_cut_A
        Upper limit of the integral, Å.

    Returns
    -------
    float
        4 pi rho_b int_0^r_cut g(r) r^2 dr.
    """
    r, g = np.asarray(r_A, dtype=float), np.asarray(g, dtype=float)
    dr = r[1] - r[0]
    shell = 4.0 / 3.0 * np.pi * ((r + dr / 2) ** 3 - (r - dr / 2) ** 3)
    m = r + dr / 2 <= r_cut_A + 1e-9
    return float(density_b_per_A3 * np.sum(g[m] * shell[m]))


@dataclass(frozen=True)
class GlassRun(Record):
    """A melt-quench run: final structure file, the stages run and the structural units."""

    formula: str
    density_g_cm3: float
    n_atoms: int
    final_structure: str
    stages: tuple[dict[str, Any], ...]
    units: dict[str, Any] | None
    references: tuple[str, ...] = field(default=())


def melt_quench(
    composition_or_structure,
    *,
    density_g_cm3: float | None = None,
    calculator: Any = "chgnet",
    device: str | None = "auto",
    out_dir: str | Path = "glass",
    t_melt_k: float = 1500.0,
    melt_ps: float = 5.0,
    t_final_k: float = 300.0,
    quench_rate_K_per_ps: float = 100.0,
    quench_step_k: float = 100.0,
    anneal_ps: float = 2.0,
    timestep_fs: float = 2.0,
    seed: int = 0,
    start: str = "auto",
    progress: Progress | None = None,
) -> GlassRun:
    """Melt-quench MD: random packing (or a given structure) melted, cooled in steps, annealed.

    Each stage is an NVT run of :func:`ssbkit.atomistic.md.run_md` with its own
    trajectory and checkpoint in ``out_dir``, so an interrupted quench resumes.
    The melting guard is off (the liquid is wanted); the blow-up guards stay on.
    ``start`` for a composition: ``"thiophosphate"`` (:func:`thiophosphate_packing`,
    the default ``"auto"`` for Li-P-S with S/P >= 3.5) or ``"random"``
    (:func:`random_packing`).

    Parameters
    ----------
    composition_or_structure
        Composition (packed as ``start`` says) or a structure.
    density_g_cm3
        Density of the packing, g/cm^3.
    calculator, device
        Potential and device.
    out_dir
        Folder of the stage trajectories.
    t_melt_k, melt_ps
        Melt temperature (K) and time (ps).
    t_final_k
        Final temperature, K.
    quench_rate_K_per_ps, quench_step_k
        Cooling rate and step.
    anneal_ps
        Anneal at the final temperature, ps.
    timestep_fs
        MD time step, fs.
    seed
        Random seed.
    start
        ``"auto"``, ``"thiophosphate"`` or ``"random"``.
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    GlassRun
    """
    from ase.io import read, write
    from pymatgen.core import Composition, Structure

    from .calculators import load_calculator
    from .md import Guards, run_md
    from .structures import to_structure

    require_positive("quench_rate_K_per_ps", quench_rate_K_per_ps)
    if t_final_k >= t_melt_k:
        raise InputError(f"t_final_k ({t_final_k}) must be below t_melt_k ({t_melt_k})")
    if isinstance(composition_or_structure, str | Composition) and not Path(str(composition_or_structure)).is_file():
        if density_g_cm3 is None:
            raise InputError("give density_g_cm3 to pack a composition at random")
        s = _start(composition_or_structure, start, density_g_cm3, seed)
    else:
        s = to_structure(composition_or_structure)
    s = s if isinstance(s, Structure) else to_structure(s)
    calc = load_calculator(calculator, device=device)
    out = Path(out_dir)
    guards = Guards(melt_rmsd_A=None, max_temperature_factor=3.0)
    temps = [t_melt_k]
    t = t_melt_k - quench_step_k
    while t > t_final_k + 1e-9:
        temps.append(t)
        t -= quench_step_k
    plan = [(t_melt_k, melt_ps)] + [(tt, quench_step_k / quench_rate_K_per_ps) for tt in temps[1:]]
    plan.append((t_final_k, anneal_ps))
    stages = []
    current = s
    for k, (tk, ps) in enumerate(plan):
        run = run_md(current, temperature_k=tk, time_ps=ps, calculator=calc, out_dir=out,
                     timestep_fs=timestep_fs, equilibration_ps=0.0, guards=guards, seed=seed + k,
                     label=f"stage{k:02d}_{tk:g}K", progress=progress)
        stages.append({"temperature_K": tk, "time_ps": ps, "trajectory": run.trajectory,
                       "mean_temperature_K": run.mean_temperature_K})
        current = read(run.checkpoint)
    final = out / "glass_final.cif"
    write(final, current)
    units = structural_units(current).to_dict() if "P" in current.get_chemical_symbols() else None
    dens = float(sum(current.get_masses()) * _AMU_G / (current.get_volume() * 1e-24))
    return GlassRun(current.get_chemical_formula(), dens, len(current), str(final), tuple(stages), units,
                    tuple(getattr(run, "references", ())))


def _start(composition, start: str, density_g_cm3: float, seed: int):
    """The starting box of a melt-quench from a composition (see :func:`melt_quench`)."""
    from pymatgen.core import Composition

    if start not in ("auto", "thiophosphate", "random"):
        raise InputError(f"start must be 'auto', 'thiophosphate' or 'random', got {start!r}")
    comp = Composition(composition)
    lips = set(el.symbol for el in comp) == {"Li", "P", "S"} and comp["S"] >= 3.5 * comp["P"]
    if start == "thiophosphate" or (start == "auto" and lips):
        return thiophosphate_packing(comp, density_g_cm3=density_g_cm3, seed=seed)
    return random_packing(comp, density_g_cm3=density_g_cm3, seed=seed)
