"""Phase stability and electrochemical window from energies of the same potential.

Energies of the candidate and of its competing phases (given by the user as
structures; no Materials Project query) are computed with one potential,
turned into pymatgen ``PDEntry`` objects, and then:

- the energy above the convex hull (pymatgen ``PhaseDiagram``) and the
  phases the candidate decomposes into;
- the electrochemical stability window from grand-potential phase equilibria
  open to Li (science.md section 5; Y. Zhu, X. He, Y. Mo, ACS Appl. Mater.
  Interfaces 7 (2015) 23685): at Li chemical potential mu_Li the grand
  potential Phi = E - n_Li mu_Li is minimised (pymatgen
  ``GrandPotentialPhaseDiagram``); the candidate's composition is in
  equilibrium without exchanging Li between the voltages
  V = -(mu_Li - mu_Li(metal)) / e where its phase equilibrium takes up no Li.
  Below the window it is reduced (takes Li), above it is oxidised (gives Li).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..records import Record

__all__ = [
    "ZHU_REFERENCE",
    "HullResult",
    "WindowResult",
    "make_entry",
    "compute_entries",
    "energy_above_hull",
    "electrochemical_window",
]

ZHU_REFERENCE = (
    "Y. Zhu, X. He, Y. Mo, Origin of outstanding stability in the lithium solid electrolyte "
    "materials: insights from thermodynamic analyses based on first-principles calculations, "
    "ACS Appl. Mater. Interfaces 7 (2015) 23685"
)
PYMATGEN_REFERENCE = "S. P. Ong et al., Python Materials Genomics (pymatgen), Comput. Mater. Sci. 68 (2013) 314"


def make_entry(formula: str, energy_eV: float, name: str | None = None):
    """A pymatgen ``PDEntry`` of total energy ``energy_eV`` for ``formula`` as written.

    Parameters
    ----------
    formula
        Chemical formula.
    energy_eV
        Total energy of the formula as written, eV.
    name
        Label (default the formula).

    Returns
    -------
    pymatgen.analysis.phase_diagram.PDEntry
    """
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    try:
        comp = Composition(formula)
    except Exception:
        raise InputError(f"cannot read the formula {formula!r}") from None
    return PDEntry(comp, float(energy_eV), name=name or comp.reduced_formula)


def compute_entries(structures: Mapping[str, Any] | Sequence[Any], *, calculator: Any = "chgnet",
                    relax: bool = True, fmax_eV_per_A: float = 0.05, steps: int = 300) -> list:
    """``PDEntry`` objects from structures, each energy from the same potential (relaxed by default).

    ``structures`` maps names to structures/files, or is a list of them (named by formula).

    Parameters
    ----------
    structures
        Name -> structure (or a list).
    calculator
        Potential.
    relax
        Relax each first.

    Returns
    -------
    list of PDEntry
        Energies from the potential.
    """
    from .calculators import load_calculator
    from .md import relax as relax_structure
    from .structures import structure_energy, to_structure

    calc = load_calculator(calculator)
    items = structures.items() if isinstance(structures, Mapping) else [(None, s) for s in structures]
    out = []
    for name, obj in items:
        s = to_structure(obj)
        if relax:
            s, e = relax_structure(s, calculator=calc, fmax_eV_per_A=fmax_eV_per_A, steps=steps)
        else:
            e = structure_energy(s, calc)
        out.append(make_entry(s.composition.formula, e, name=name or s.composition.reduced_formula))
    return out


def _phase_diagram(entries):
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    elements = {el for e in entries for el in e.composition.elements}
    have = {e.composition.elements[0] for e in entries if e.composition.is_element}
    missing = sorted(str(el) for el in elements - have)
    if missing:
        raise InputError(
            f"competing phases lack the elemental reference(s) {', '.join(missing)}: add a structure "
            "of each element computed with the same potential"
        )
    return PhaseDiagram(entries)


@dataclass(frozen=True)
class HullResult(Record):
    """Energy above the convex hull and the decomposition of the candidate."""

    name: str
    e_above_hull_eV_per_atom: float
    formation_energy_eV_per_atom: float
    decomposition: dict[str, float]
    stable: bool
    references: tuple[str, ...] = field(default=(PYMATGEN_REFERENCE,))


def energy_above_hull(target, competing: Sequence[Any], *, tol_eV_per_atom: float = 1e-6) -> HullResult:
    """Energy above the hull (eV/atom) of ``target`` among ``competing`` (PDEntry objects).

    ``decomposition`` gives the molar fraction of atoms going to each hull phase
    (the candidate itself when it is on the hull).

    Parameters
    ----------
    target
        Entry of the candidate.
    competing
        Entries of the competing phases.
    tol_eV_per_atom
        Below this the candidate counts as on the hull.

    Returns
    -------
    HullResult
    """
    pd = _phase_diagram([*competing, target])
    decomp, e_hull = pd.get_decomp_and_e_above_hull(target, allow_negative=True)
    e_hull = float(e_hull)
    return HullResult(
        name=target.name,
        e_above_hull_eV_per_atom=max(e_hull, 0.0) if abs(e_hull) < tol_eV_per_atom else e_hull,
        formation_energy_eV_per_atom=float(pd.get_form_energy_per_atom(target)),
        decomposition={d.name: float(a) for d, a in decomp.items()},
        stable=e_hull <= tol_eV_per_atom,
    )


@dataclass(frozen=True)
class WindowResult(Record):
    """Electrochemical window (V vs Li/Li+) and the decomposition products at each limit.

    ``reduction_V`` is the low-voltage limit (0 when stable against Li metal);
    ``oxidation_V`` the high-voltage limit (None when no oxidation product exists
    among the phases given). ``intervals`` lists, for each voltage range, the
    phase equilibrium and the Li taken up per formula unit (+) or released (-).
    """

    name: str
    open_element: str
    reduction_V: float | None
    oxidation_V: float | None
    products_reduction: tuple[str, ...]
    products_oxidation: tuple[str, ...]
    intervals: tuple[dict[str, Any], ...]
    references: tuple[str, ...] = field(default=(ZHU_REFERENCE, PYMATGEN_REFERENCE))


def electrochemical_window(target, competing: Sequence[Any], *, open_element: str = "Li",
                           tol: float = 1e-6) -> WindowResult:
    """Stability window of ``target`` against Li exchange (grand-potential equilibria; Zhu 2015).

    Parameters
    ----------
    target
        ``PDEntry`` of the candidate.
    competing
        ``PDEntry`` objects of every competing phase, elements included, all
        computed with the same potential.
    open_element
        The mobile ion the electrode exchanges (Li by default).

    Returns
    -------
    WindowResult
    """
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, GrandPotPDEntry
    from pymatgen.core import Element

    try:
        el = Element(open_element)
    except Exception:
        raise InputError(f"open_element must be an element symbol, got {open_element!r}") from None
    entries = [*competing, target]
    pd = _phase_diagram(entries)
    if el not in pd.elements:
        raise InputError(f"{open_element} is not in the chemical system {'-'.join(map(str, pd.elements))}")
    comp = target.composition.reduced_composition
    if comp.is_element:
        raise InputError(f"the candidate {target.name} is an element: no window to compute")
    mu0 = float(pd.el_refs[el].energy_per_atom)
    crit = sorted({float(c) for c in pd.get_transition_chempots(el)})
    edges = [crit[0] - 1.0, *crit]
    n_other = sum(a for e, a in comp.items() if e != el)
    li_t = comp[el] / n_other
    intervals = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mu = 0.5 * (lo + hi)
        gpd = GrandPotentialPhaseDiagram(entries, {el: mu})
        decomp, _ = gpd.get_decomp_and_e_above_hull(GrandPotPDEntry(target, {el: mu}), allow_negative=True)
        if decomp is None:  # not reached: on_error="raise" (the default) raises instead of giving None
            raise InputError(f"no decomposition of {target.name} at mu_{open_element} = {mu:g} eV")
        li_p = 0.0
        names = []
        for d, amt in decomp.items():
            # the grand diagram's entries are GrandPotPDEntry; pymatgen annotates them as Entry
            if not isinstance(d, GrandPotPDEntry):  # not reached
                raise InputError(f"unexpected entry {d!r} in the grand-potential decomposition")
            oc = d.original_entry.composition
            li_p += float(amt) * oc[el] / sum(a for e, a in oc.items() if e != el)
            names.append(d.name)  # GrandPotPDEntry copies the original entry's name
        intervals.append({"V_low": -(hi - mu0) + 0.0, "V_high": -(lo - mu0), "li_uptake_per_fu": (li_p - li_t) * n_other,
                          "products": sorted(names)})
    intervals.sort(key=lambda d: d["V_low"])
    inside = [i for i, d in enumerate(intervals) if abs(d["li_uptake_per_fu"]) < 1e-6 + tol]
    if not inside:
        # a composition between two Li-exchanging equilibria is in equilibrium at one voltage only
        for i in range(len(intervals) - 1):
            if intervals[i]["li_uptake_per_fu"] > 0 > intervals[i + 1]["li_uptake_per_fu"]:
                v = intervals[i]["V_high"]
                return WindowResult(target.name, open_element, v, v, tuple(intervals[i]["products"]),
                                    tuple(intervals[i + 1]["products"]), tuple(intervals))
        return WindowResult(target.name, open_element, None, None, (), (), tuple(intervals))
    i0, i1 = inside[0], inside[-1]
    red = max(0.0, intervals[i0]["V_low"])
    below = intervals[i0 - 1]["products"] if i0 > 0 else []
    ox = intervals[i1]["V_high"] if i1 < len(intervals) - 1 else None
    above = intervals[i1 + 1]["products"] if i1 < len(intervals) - 1 else []
    return WindowResult(target.name, open_element, red, ox, tuple(below), tuple(above), tuple(intervals))
