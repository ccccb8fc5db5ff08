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
from .glass_start import (  # noqa: F401 - re-exported
    _AMU_G,
    BRIDGE_ANGLE_DEG,
    P_S_BOND_A,
    P_S_BRIDGE_A,
    budget_schedule,
    li2s_p2s5_composition,
    random_packing,
    thiophosphate_packing,
)

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
    ip: list[int] = np.flatnonzero(sym == former).tolist()
    is_: list[int] = np.flatnonzero(sym == anion).tolist()
    if len(ip) == 0:
        raise InputError(f"the structure holds no {former} atoms (formula {atoms.get_chemical_formula()})")
    cut = {(former, anion): p_s_cutoff_A, (former, former): p_p_cutoff_A}
    i_arr, j_arr = neighbor_list("ij", atoms, cut)
    i: list[int] = i_arr.tolist()
    j: list[int] = j_arr.tolist()
    ps = [(a, b) for a, b in zip(i, j, strict=True) if sym[a] == former and sym[b] == anion]
    pp = {(a, b) for a, b in zip(i, j, strict=True) if sym[a] == former and sym[b] == former and a != b}
    p_of_s: dict[int, set[int]] = {s: set() for s in is_}
    s_of_p: dict[int, set[int]] = {p: set() for p in ip}
    for p, s in ps:
        p_of_s[s].add(p)
        s_of_p[p].add(s)
    parent = {p: p for p in ip}

    def find(x: int) -> int:
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
    from ase.io import write
    from pymatgen.core import Composition, Structure

    from .calculators import load_calculator
    from .md import Guards, run_md
    from .structures import read_atoms, to_atoms, to_structure

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
    current = to_atoms(s)  # run_md copies it to Atoms the same way
    for k, (tk, ps) in enumerate(plan):
        run = run_md(current, temperature_k=tk, time_ps=ps, calculator=calc, out_dir=out,
                     timestep_fs=timestep_fs, equilibration_ps=0.0, guards=guards, seed=seed + k,
                     label=f"stage{k:02d}_{tk:g}K", progress=progress)
        stages.append({"temperature_K": tk, "time_ps": ps, "trajectory": run.trajectory,
                       "mean_temperature_K": run.mean_temperature_K})
        current = read_atoms(run.checkpoint)
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
