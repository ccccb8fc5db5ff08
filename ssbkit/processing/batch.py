"""Batch planning: precursor masses for a target composition (``science.md`` §7).

A target in the field's notation (``70Li2S-30P2S5``, ``Li6PS5Cl``,
``99(70Li2S-30P2S5)-1Li2ZrO3``) is made from precursors whose mole numbers
``n`` solve the element balance ``A n = b`` (``A``: atoms of each element per
formula unit of each precursor, ``b``: atoms per formula unit of the target).
The balance is solved by non-negative least squares and accepted only when it
is exact; a target the precursors cannot make is refused with the element that
does not balance. Mass of precursor ``i`` for a batch of mass ``M``:
``m_i = M n_i M_i / sum_j n_j M_j``; a purity ``p_i`` divides it by ``p_i``;
an excess is a stated extra (a fraction of the precursor's own mass, or of the
batch mass for a precursor the stoichiometry does not need, e.g. 1 % S).

Formulas are parsed by :func:`ssbkit.materials.parse_mixture` (pymatgen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from pymatgen.core import Composition
from scipy.optimize import nnls

from ..errors import InputError, require_positive
from ..materials import parse_composition, parse_mixture
from ..records import Record

__all__ = ["PrecursorMass", "BatchPlan", "plan_batch", "COMMON_PRECURSORS"]

#: precursors tried, in this order, when a component is not itself a precursor
COMMON_PRECURSORS: tuple[str, ...] = (
    "Li2S", "P2S5", "LiCl", "LiBr", "LiI", "S", "GeS2", "SiS2", "SnS2", "Al2S3", "B2S3",
    "Li2O", "P2O5", "Li3N", "LiBH4", "Li2ZrO3", "Li3PO4", "FeS2", "WS2", "Ni3S2", "Sb2S3",
    "ZnS",
)

#: relative tolerance of the element balance
_BALANCE_RTOL = 1e-9


@dataclass(frozen=True)
class PrecursorMass(Record):
    """One line of a weighing sheet.

    Attributes
    ----------
    formula
        Precursor formula as given.
    moles_per_formula_unit
        Moles of precursor per mole of target as written.
    molar_mass_g_per_mol
        Molar mass of the precursor.
    mass_fraction
        Share of the stoichiometric (pure, no excess) batch mass.
    pure_mass_g
        Stoichiometric mass of pure precursor.
    purity
        Mass fraction of the precursor in the weighed powder (0 < p <= 1).
    excess_mass_g
        Extra pure mass on top of the stoichiometry (already divided by purity in ``weigh_g``).
    weigh_g
        What to put on the balance: ``(pure_mass_g + excess_mass_g) / purity``.
    order
        Position in the weighing sequence (1 = first).
    """

    formula: str
    moles_per_formula_unit: float
    molar_mass_g_per_mol: float
    mass_fraction: float
    pure_mass_g: float
    purity: float
    excess_mass_g: float
    weigh_g: float
    order: int


@dataclass(frozen=True)
class BatchPlan(Record):
    """Precursor masses for one batch (see :func:`plan_batch`).

    Attributes
    ----------
    target
        Target composition as written; ``target_formula`` its pymatgen formula.
    batch_mass_g
        Mass of pure target the batch yields (excess and impurities not counted).
    lines
        One :class:`PrecursorMass` per precursor, in weighing order.
    total_weigh_g
        Sum of ``weigh_g``.
    balance_residual
        Largest |A n - b| / max(b) of the element balance (0 for an exact plan).
    notes, references
        What was assumed; citation keys.
    """

    target: str
    target_formula: str
    batch_mass_g: float
    lines: tuple[PrecursorMass, ...]
    total_weigh_g: float
    balance_residual: float
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = field(default_factory=tuple)


def _elements(comps: Sequence[Composition]) -> list[str]:
    seen: list[str] = []
    for c in comps:
        for el in c.elements:
            if str(el) not in seen:
                seen.append(str(el))
    return seen


def _solve(target: Composition, precursors: Sequence[Composition]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Non-negative moles of each precursor for one formula unit of ``target``.

    Returns the moles, the relative residual per element and the element names.
    """
    els = _elements([target, *precursors])
    a = np.array([[p.get(el, 0.0) for p in precursors] for el in els], dtype=float)
    b = np.array([target.get(el, 0.0) for el in els], dtype=float)
    n, _ = nnls(a, b)
    resid = np.abs(a @ n - b) / max(float(b.max()), 1e-300)
    return n, resid, els


def _is_formula_unit(comp: Composition) -> bool:
    """True for a formula with integer-like amounts (a precursor), not a normalised mixture."""
    return all(abs(v - round(v)) < 1e-6 and round(v) >= 1 for v in comp.values())


def _expand(comp: Composition, text: str) -> list[tuple[float, Composition]]:
    """Write a normalised sub-mixture (e.g. the glass of ``99(70Li2S-30P2S5)-1Li2ZrO3``) in precursors."""
    names = {str(e) for e in comp.elements}
    cands = [Composition(f) for f in COMMON_PRECURSORS]
    cands = [c for c in cands if {str(e) for e in c.elements} <= names]
    if cands:
        n, resid, _ = _solve(comp, cands)
        a = np.array([[c.get(el, 0.0) for c in cands] for el in sorted(names)])
        if resid.max() < 1e-7 and np.linalg.matrix_rank(a) == len(cands):
            return [(float(k), c) for k, c in zip(n, cands, strict=True) if k > 1e-12]
    raise InputError(
        f"cannot choose precursors for the component {comp.formula!r} of {text!r}: "
        "give them explicitly (precursors=['Li2S', 'P2S5', ...] or --precursors Li2S,P2S5)"
    )


def _default_precursors(text: str) -> list[Composition]:
    mix = parse_mixture(text)
    out: list[Composition] = []
    if len(mix.components) == 1:
        comp = mix.components[0][1]
        parts = [c for _, c in _expand(comp, text)] if not _is_plain_precursor(comp) else [comp]
    else:
        parts = []
        for _, comp in mix.components:
            parts += [comp] if _is_formula_unit(comp) else [c for _, c in _expand(comp, text)]
    for c in parts:
        if all(c.reduced_formula != o.reduced_formula for o in out):
            out.append(c)
    return out


def _is_plain_precursor(comp: Composition) -> bool:
    return comp.reduced_formula in {Composition(f).reduced_formula for f in COMMON_PRECURSORS}


def _check_purities(purity: Mapping[str, float], names: list[str]) -> dict[str, float]:
    out = {}
    for key, p in purity.items():
        if key not in names:
            raise InputError(f"purity given for {key!r}, which is not a precursor (precursors: {names})")
        try:
            v = float(p)
        except (TypeError, ValueError):
            raise InputError(f"purity of {key} must be a number, got {p!r}") from None
        if v > 1.0 and v <= 100.0:
            raise InputError(f"purity of {key} must be a fraction (0 < p <= 1), got {p!r}: "
                             f"did you mean {v / 100:g} ({v:g} %)?")
        if not 0.0 < v <= 1.0:
            raise InputError(f"purity of {key} must lie in (0, 1], got {p!r}")
        out[key] = v
    return out


def _check_excess(excess: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for key, e in excess.items():
        try:
            v = float(e)
        except (TypeError, ValueError):
            raise InputError(f"excess of {key} must be a number, got {e!r}") from None
        if not 0.0 <= v < 1.0:
            raise InputError(f"excess of {key} must be a mass fraction in [0, 1), got {e!r} "
                             "(1 % excess is 0.01)")
        out[key] = v
    return out


def plan_batch(
    target: str,
    *,
    mass_g: float,
    precursors: Sequence[str] | None = None,
    purity: Mapping[str, float] | None = None,
    excess: Mapping[str, float] | None = None,
) -> BatchPlan:
    """Precursor masses for ``mass_g`` of ``target``, with the element balance checked.

    Parameters
    ----------
    target : str
        Target composition: formula or mole-ratio mixture (``"70Li2S-30P2S5"``,
        ``"Li6PS5Cl"``, ``"99(70Li2S-30P2S5)-1Li2ZrO3"``).
    mass_g : float
        Batch mass of the target, g (> 0).
    precursors : sequence of str, optional
        Precursor formulas. Default: the mixture's own components; a plain
        formula or a bracketed sub-mixture is written in :data:`COMMON_PRECURSORS`
        when that choice is unique.
    purity : mapping of str to float, optional
        Mass fraction of each precursor in the weighed powder (default 1).
    excess : mapping of str to float, optional
        Extra mass as a fraction of the precursor's stoichiometric mass, or of
        ``mass_g`` for a precursor the stoichiometry does not use (``{"S": 0.01}``).

    Returns
    -------
    BatchPlan
        The weighing sheet, largest mass first.

    Raises
    ------
    InputError
        Negative or zero mass, a purity outside (0, 1], or precursors that
        cannot make the target (the message names the element that does not balance).

    Examples
    --------
    >>> plan = plan_batch("75Li2S-25P2S5", mass_g=1.0)
    >>> [(l.formula, round(l.weigh_g, 4)) for l in plan.lines]
    [('P2S5', 0.6172), ('Li2S', 0.3828)]
    """
    mass = require_positive("batch mass (mass_g, g)", mass_g)
    tgt = parse_composition(target)
    if precursors is None:
        pre = _default_precursors(target)
        notes = [f"precursors chosen from the composition: {', '.join(c.reduced_formula for c in pre)}"]
    else:
        if not precursors:
            raise InputError(f"no precursors given for {target!r}")
        pre = [parse_composition(p) for p in precursors]
        notes = []
    names = list(precursors) if precursors is not None else [c.reduced_formula for c in pre]
    n, resid, els = _solve(tgt, pre)
    _refuse_unbalanced(target, names, tgt, resid, els)
    return _sheet(target, tgt, mass, names, pre, n, float(resid.max()),
                  _check_purities(purity or {}, names), _check_excess(excess or {}), notes)


def _refuse_unbalanced(target: str, names: list[str], tgt: Composition, resid: np.ndarray,
                       els: list[str]) -> None:
    if resid.max() <= _BALANCE_RTOL:
        return
    supplied = {el for p in names for el in map(str, parse_composition(p).elements)}
    absent = [el for el in els if tgt.get(el, 0.0) > 0 and el not in supplied]
    if absent:
        raise InputError(f"precursors {names} cannot make {target!r} ({tgt.reduced_formula}): "
                         f"no precursor contains {', '.join(absent)}")
    bad = [el for el, r in zip(els, resid, strict=True) if r > _BALANCE_RTOL]
    missing = [el for el in bad if tgt.get(el, 0.0) > 0]
    extra = [el for el in bad if tgt.get(el, 0.0) == 0]
    why = []
    if missing:
        why.append(f"{', '.join(missing)} cannot be balanced")
    if extra:
        why.append(f"{', '.join(extra)} would be left over (not in the target)")
    raise InputError(f"precursors {names} cannot make {target!r} ({tgt.reduced_formula}): {'; '.join(why)}")


def _sheet(target: str, tgt: Composition, mass: float, names: list[str], pre: list[Composition],
           n: np.ndarray, residual: float, purity: dict[str, float], excess: dict[str, float],
           notes: list[str]) -> BatchPlan:
    mm = np.array([float(c.weight) for c in pre])
    stoich = n * mm
    frac = stoich / stoich.sum()
    rows: list[list] = []
    for name, k, m_i, f in zip(names, n, mm, frac, strict=True):
        pure = mass * f
        e = excess.get(name, 0.0) * pure
        p = purity.get(name, 1.0)
        rows.append([name, float(k), float(m_i), float(f), float(pure), p, float(e), float((pure + e) / p)])
    for name, e in excess.items():
        if name in names:
            continue
        comp = parse_composition(name)
        extra = e * mass
        rows.append([name, 0.0, float(comp.weight), 0.0, 0.0, purity.get(name, 1.0), extra,
                     extra / purity.get(name, 1.0)])
        notes.append(f"{name}: excess of {e:g} x batch mass (not needed by the stoichiometry)")
    unused = [r[0] for r in rows if not (r[7] > 0 or r[1] > 0)]
    if unused:
        notes.append(f"not needed for this target (0 mol): {', '.join(unused)}")
    rows = [r for r in rows if r[7] > 0 or r[1] > 0]
    rows.sort(key=lambda r: -r[7])
    lines = tuple(PrecursorMass(*r, order=i + 1) for i, r in enumerate(rows))  # type: ignore[misc]
    balance = sum(line.pure_mass_g for line in lines)
    if abs(balance - mass) > 1e-9 * mass:  # the mass balance of the stoichiometric part
        raise InputError(f"mass balance of {target!r} does not close: {balance} g vs {mass} g")
    notes.append("weighing order: largest mass first")
    return BatchPlan(target=target, target_formula=tgt.reduced_formula, batch_mass_g=mass, lines=lines,
                     total_weigh_g=float(sum(line.weigh_g for line in lines)),
                     balance_residual=residual, notes=tuple(notes))
