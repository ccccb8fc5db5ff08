"""Substitutions and dopants with charge compensation, enumerated and ranked.

A substitution is a list of *moves* ``(host, new, count)``: put ``new`` on
``count`` sites of ``host`` (``new=None`` makes vacancies). Aliovalent dopants
are compensated by a second move, computed by :func:`compensated_moves` from
oxidation states: halide on S with Li vacancies (Cl- on S2-: one Li vacancy per
Cl), or the isovalent co-substitution of Sb on P with O on S that gives
``Li7P3-xSbxS11-2.5xO2.5x``. :func:`enumerate_substitutions` lists the
configurations (all of them when few, else a random sample, optionally reduced
to symmetry-distinct ones) and :func:`rank_substitutions` orders them by the
potential's energy.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError, did_you_mean
from .structures import to_structure

__all__ = [
    "Move",
    "RankedCandidate",
    "OXIDATION_STATES",
    "charge_change",
    "compensated_moves",
    "count_configurations",
    "enumerate_substitutions",
    "rank_substitutions",
]

#: Common oxidation states of the elements in sulfide, oxide and halide electrolytes.
OXIDATION_STATES: dict[str, int] = {
    "Li": 1, "Na": 1, "K": 1, "Mg": 2, "Ca": 2, "Zn": 2, "Al": 3, "Ga": 3, "In": 3, "La": 3, "Y": 3,
    "Si": 4, "Ge": 4, "Sn": 4, "Ti": 4, "Zr": 4, "Hf": 4, "P": 5, "As": 5, "Sb": 5, "Nb": 5, "Ta": 5,
    "B": 3, "O": -2, "S": -2, "Se": -2, "Te": -2, "F": -1, "Cl": -1, "Br": -1, "I": -1, "N": -3,
}


@dataclass(frozen=True)
class Move:
    """Put ``new`` on ``count`` sites of ``host`` (``new=None``: vacancies)."""

    host: str
    new: str | None
    count: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict.

        Returns
        -------
        dict
        """
        return {"host": self.host, "new": self.new, "count": self.count}


def _as_moves(moves) -> list[Move]:
    out = []
    for m in moves:
        if isinstance(m, Move):
            out.append(m)
        elif isinstance(m, dict):
            out.append(Move(m["host"], m.get("new"), int(m["count"])))
        else:
            host, new, count = m
            out.append(Move(str(host), None if new in (None, "", "Va", "vac") else str(new), int(count)))
    for m in out:
        if m.count < 0:
            raise InputError(f"substitution count must be >= 0, got {m.count} for {m.host}->{m.new}")
    return out


def _ox(el: str | None, states: dict[str, int]) -> int:
    if el is None:
        return 0
    if el not in states:
        raise InputError(f"no oxidation state known for {el}: pass oxidation_states={{'{el}': ...}}")
    return int(states[el])


def charge_change(moves, *, oxidation_states: dict[str, int] | None = None) -> int:
    """Total change of formal charge (in e) made by ``moves``: sum count x (q_new - q_host).

    Parameters
    ----------
    moves
        Moves ``(host, new or None, count)``.
    oxidation_states
        Element -> oxidation state (default the common ones).

    Returns
    -------
    int
        Net charge the moves add, e.
    """
    states = {**OXIDATION_STATES, **(oxidation_states or {})}
    return sum(m.count * (_ox(m.new, states) - _ox(m.host, states)) for m in _as_moves(moves))


def compensated_moves(
    dopant: str,
    host: str,
    count: int,
    *,
    compensation: tuple[str, str | None] | None = ("Li", None),
    oxidation_states: dict[str, int] | None = None,
) -> list[Move]:
    """The dopant move plus the compensating move that restores charge neutrality.

    Parameters
    ----------
    dopant, host, count
        Put ``count`` ``dopant`` atoms on ``host`` sites.
    compensation
        ``(host2, new2)`` of the compensating move: ``("Li", None)`` for Li
        vacancies (default), ``("S", "Cl")``, ...; its count is solved for.

    Returns
    -------
    list of Move
        Charge-balanced moves.

    Raises
    ------
    InputError
        If neutrality needs a non-integer or negative number of compensating moves.
    """
    states = {**OXIDATION_STATES, **(oxidation_states or {})}
    first = Move(host, dopant, int(count))
    dq = charge_change([first], oxidation_states=states)
    if dq == 0:
        return [first]
    if compensation is None:
        raise InputError(f"{dopant} on {host} changes the charge by {dq:+d} e and no compensation was given")
    h2, n2 = compensation
    per = _ox(n2, states) - _ox(h2, states)
    if per == 0 or (-dq) % per or -dq // per < 0:
        raise InputError(
            f"{dopant} on {host} (charge {dq:+d} e) cannot be compensated by {n2 or 'vacancies'} on {h2} "
            f"({per:+d} e each)"
        )
    return [first, Move(h2, n2, -dq // per)]


def count_configurations(structure, moves) -> int:
    """Number of distinct site assignments (before symmetry): a product of binomials.

    Moves on the same host species draw from the sites the earlier moves left:
    C(n, k1) x C(n - k1, k2) x ...

    Parameters
    ----------
    structure
        Host structure.
    moves
        Moves.

    Returns
    -------
    int
        Distinct ways to make the moves (before symmetry).
    """
    s = to_structure(structure)
    left = {el.symbol: int(n) for el, n in s.composition.element_composition.items()}
    total = 1
    for m in _as_moves(moves):
        n = left.get(m.host, 0)
        if m.count > n:
            raise InputError(
                f"cannot put {m.count} {m.new or 'vacancies'} on {m.host}: the structure has {n} {m.host} sites"
                + ("" if n else did_you_mean(m.host, left))
            )
        total *= math.comb(n, m.count)
        left[m.host] = n - m.count
    return total


def _apply(s, assignment: list[tuple[list[int], str | None]]):
    new = s.copy()
    remove = []
    for sites, sp in assignment:
        for i in sites:
            if sp is None:
                remove.append(i)
            else:
                new.replace(i, sp)
    new.remove_sites(remove)
    return new


def enumerate_substitutions(
    structure,
    moves,
    *,
    max_candidates: int = 20,
    seed: int = 0,
    symmetry_distinct: bool = False,
    check_charge: bool = True,
    oxidation_states: dict[str, int] | None = None,
) -> list:
    """Substituted structures: every configuration when there are at most ``max_candidates``,
    otherwise ``max_candidates`` distinct ones drawn at random.

    Parameters
    ----------
    structure
        Ordered host structure.
    moves
        ``[(host, new, count), ...]`` or :class:`Move` objects (``new=None``: vacancy).
    symmetry_distinct
        Keep one structure per symmetry-equivalence class (pymatgen StructureMatcher).
    check_charge
        Refuse moves that leave a net formal charge (see :func:`charge_change`).

    Returns
    -------
    list of pymatgen.core.Structure

    Raises
    ------
    InputError
        Unknown host species, more substitutions than sites, a charged cell.
    """
    s = to_structure(structure)
    if not s.is_ordered:
        raise InputError("substitute into an ordered structure (order_structure first)")
    mv = _as_moves(moves)
    n_total = count_configurations(s, mv)
    if check_charge:
        dq = charge_change(mv, oxidation_states=oxidation_states)
        if dq:
            raise InputError(
                f"substitution {[m.to_dict() for m in mv]} leaves a net charge of {dq:+d} e: add a "
                "compensating move (compensated_moves) or pass check_charge=False"
            )
    sites_of: dict[str, list[int]] = {}
    for i, site in enumerate(s):
        sites_of.setdefault(site.specie.symbol, []).append(i)

    def draw(rng) -> list[tuple[list[int], str | None]]:
        left = {k: list(v) for k, v in sites_of.items()}
        out = []
        for m in mv:
            pick = sorted(rng.choice(left[m.host], size=m.count, replace=False).tolist()) if m.count else []
            left[m.host] = [i for i in left[m.host] if i not in pick]
            out.append((pick, m.new))
        return out

    assignments: list[list[tuple[list[int], str | None]]] = []
    if n_total <= max_candidates:
        def rec(k: int, left: dict[str, list[int]], acc):
            if k == len(mv):
                assignments.append(list(acc))
                return
            m = mv[k]
            for combo in itertools.combinations(left[m.host], m.count):
                nl = dict(left)
                nl[m.host] = [i for i in left[m.host] if i not in combo]
                rec(k + 1, nl, [*acc, (list(combo), m.new)])

        rec(0, sites_of, [])
    else:
        rng = np.random.default_rng(seed)
        seen = set()
        tries = 0
        while len(assignments) < max_candidates and tries < 100 * max_candidates:
            tries += 1
            a = draw(rng)
            sig = tuple((tuple(p), n) for p, n in a)
            if sig not in seen:
                seen.add(sig)
                assignments.append(a)
    out = [_apply(s, a) for a in assignments]
    if symmetry_distinct and len(out) > 1:
        from pymatgen.analysis.structure_matcher import StructureMatcher

        groups = StructureMatcher(primitive_cell=False, scale=False, attempt_supercell=False).group_structures(out)
        out = [g[0] for g in groups]
    return out


@dataclass(frozen=True)
class RankedCandidate:
    """One substituted structure with its energy under the potential."""

    rank: int
    structure: Any
    energy_eV: float
    energy_above_best_meV_per_atom: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict.

        Returns
        -------
        dict
        """
        return {
            "rank": self.rank,
            "formula": self.structure.composition.formula,
            "energy_eV": self.energy_eV,
            "energy_above_best_meV_per_atom": self.energy_above_best_meV_per_atom,
        }


def rank_substitutions(candidates, calculator: Any = "chgnet", *, batch_size: int = 16) -> list[RankedCandidate]:
    """Rank substituted structures (same composition) by single-point energy, lowest first.

    The energies come from :func:`ssbkit.atomistic.batch.single_points` without
    forces (batched for CHGNet and SevenNet; no backward pass).

    Parameters
    ----------
    candidates
        Structures from :func:`enumerate_substitutions`.
    calculator
        Potential.
    batch_size
        Structures per forward pass.

    Returns
    -------
    list of RankedCandidate
        Lowest energy first.
    """
    from .batch import single_points
    from .calculators import load_calculator

    cands = [to_structure(c) for c in candidates]
    if not cands:
        raise InputError("no candidates to rank")
    calc = load_calculator(calculator)
    e = single_points(cands, calc, batch_size=batch_size, forces=False).energies_eV
    order = np.argsort(e)
    n = len(cands[0])
    return [
        RankedCandidate(r, cands[i], float(e[i]), float(1000 * (e[i] - e[order[0]]) / n))
        for r, i in enumerate(order)
    ]
