"""Stability out of the box: E above hull and the window of a solid electrolyte against the bundled phases.

:func:`stability_window` takes a bundled phase name (``"Li3PS4"``) or a
structure, finds the bundled competing phases of its chemical system
(:mod:`ssbkit.atomistic.phases`) with their energies under the chosen potential
(the cached relaxations, or relaxing the candidate when it is a structure), and
returns the energy above the convex hull and the grand-potential window open to
the mobile ion (Y. Zhu, X. He, Y. Mo, ACS Appl. Mater. Interfaces 7 (2015)
23685, doi:10.1021/acsami.5b07517; :func:`~ssbkit.atomistic.stability.electrochemical_window`)
with the published value beside it where one is bundled
(``data/published_windows.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..citations import cite
from ..errors import InputError
from ..records import Record

__all__ = ["MP2020_SULFIDE_EV_PER_S", "StabilityReport", "published_window", "stability_window"]

#: The Materials Project 2020 anion correction for sulfide S, eV per S atom (negative: it lowers a
#: sulfide's energy). pymatgen's MaterialsProject2020Compatibility gives -2.012 eV for the 4 S of
#: CsLiSO4's entry in pymatgen issue 4538, i.e. -0.503 eV per S. CHGNet's pretraining labels carry
#: the MP2020 corrections (CHGNet maintainers, CederGroupHub/chgnet issue 220).
MP2020_SULFIDE_EV_PER_S = -0.503

_PUBLISHED = Path(__file__).resolve().parent / "data" / "published_windows.json"
_MOBILE = ("Li", "Na")


def published_window(name: str) -> dict[str, Any] | None:
    """The published window of a bundled electrolyte (``None`` when none is bundled).

    Parameters
    ----------
    name
        Phase name (``"Li3PS4"``).

    Returns
    -------
    dict or None
        ``open_element``, ``reduction_V``, ``oxidation_V``, ``source`` (bib key), ``checked``.

    Examples
    --------
    >>> published_window("Li3PS4")["oxidation_V"]
    2.31
    """
    doc = json.loads(_PUBLISHED.read_text())
    rec = doc.get(name)
    return dict(rec) if isinstance(rec, dict) else None


@dataclass(frozen=True)
class StabilityReport(Record):
    """E above hull and the window of one candidate, with the model and the published window.

    ``reduction_V`` / ``oxidation_V``: the limits in V vs the metal of
    ``open_element``; ``products_*``: the phases at each limit; ``published``:
    the bundled literature window of the phase (of its formula, for a
    structure given) or None; ``model``: the potential's name,
    version and settings the energies came from.
    """

    name: str
    formula: str
    open_element: str
    e_above_hull_eV_per_atom: float
    decomposition: dict[str, float]
    reduction_V: float | None
    oxidation_V: float | None
    products_reduction: tuple[str, ...]
    products_oxidation: tuple[str, ...]
    intervals: tuple[dict[str, Any], ...]
    competing: tuple[str, ...]
    model: dict[str, Any]
    published: dict[str, Any] | None = None
    sulfide_shift_eV_per_S: float = 0.0
    references: tuple[str, ...] = field(default=("Zhu2015",))


def _target_entry(candidate: Any, model: str, doc: dict[str, Any]):
    """(entry, name, phase name to exclude) of a bundled name or of a structure relaxed with ``model``."""
    from .phases import phase_index
    from .stability import compute_entries, make_entry

    if isinstance(candidate, str) and candidate in phase_index():
        rec = doc["phases"].get(candidate)
        if rec is None:
            raise InputError(f"{candidate} is bundled but not in the energy cache of {model}: run relax_phases")
        return make_entry(rec["composition"], rec["energy_eV"], name=candidate), candidate, candidate
    if isinstance(candidate, str) and not Path(candidate).exists():
        from ..errors import did_you_mean
        from .phases import phase_names

        raise InputError(f"{candidate!r} is neither a bundled phase nor a structure file"
                         + did_you_mean(candidate, phase_names()))
    entry = compute_entries([candidate], calculator=model, relax=True)[0]
    return entry, entry.name, None


def _shift_sulfides(entry, shift_eV_per_S: float):
    """The entry with ``shift_eV_per_S`` added per S atom when S is in a compound (not elemental S)."""
    from .stability import make_entry

    comp = entry.composition
    if not shift_eV_per_S or "S" not in comp or comp.is_element:
        return entry
    return make_entry(comp.formula, entry.energy + shift_eV_per_S * comp["S"], name=entry.name)


def stability_window(candidate: Any, model: str = "chgnet", *, open_element: str | None = None,
                     sulfide_shift_eV_per_S: float = 0.0) -> StabilityReport:
    """E above hull and grand-potential window of ``candidate`` against the bundled phases (Zhu 2015).

    Parameters
    ----------
    candidate
        A bundled phase name (``"Li3PS4"``, energies from the cache) or a
        structure / file (relaxed with ``model`` first).
    model
        Potential whose cached phase energies are used (``"chgnet"``, ``"sevennet"``).
    open_element
        Mobile ion (default: Li or Na, whichever the candidate holds).
    sulfide_shift_eV_per_S
        Energy added per S atom of every S compound (not elemental S), eV.
        ``-MP2020_SULFIDE_EV_PER_S`` (+0.503) takes out the MP2020 sulfide
        correction that CHGNet learnt with its labels, putting its energies on
        the uncorrected-GGA scale of the windows of Zhu et al. 2015 (measured:
        the S-releasing oxidation limits drop by 0.25-0.29 V and agree with
        Zhu's to 0.05 V). 0 (default) keeps the potential's energies. Only
        for potentials fitted to MP2020-corrected energies: SevenNet 7net-0's
        limits already match Zhu's without a shift.

    Returns
    -------
    StabilityReport

    Raises
    ------
    InputError
        When the candidate's elements are not all covered by bundled phases,
        or no mobile ion is given or found.

    Examples
    --------
    >>> r = stability_window("Li2S")
    >>> r.reduction_V, r.products_oxidation
    (0.0, ('S',))
    """
    from .phases import load_energies, phase_entries
    from .stability import electrochemical_window, energy_above_hull

    cite("Zhu2015", "grand-potential window")
    doc = load_energies(model)
    target, name, skip = _target_entry(candidate, model, doc)
    elements = sorted(el.symbol for el in target.composition.elements)
    ion = open_element or next((m for m in _MOBILE if m in elements), None)
    if ion is None:
        raise InputError(f"{name}: no Li or Na in {target.composition.reduced_formula}; give open_element")
    others = [_shift_sulfides(e, sulfide_shift_eV_per_S)
              for e in phase_entries(model, elements, exclude=[skip] if skip else [])]
    target = _shift_sulfides(target, sulfide_shift_eV_per_S)
    hull = energy_above_hull(target, others)
    win = electrochemical_window(target, others, open_element=ion)
    pub = published_window(name if skip else target.composition.reduced_formula)
    if pub is not None:
        cite(str(pub["source"]), "published window")
    info = dict(doc.get("model", {}))
    info["settings"] = doc.get("settings", {})
    return StabilityReport(
        name=name, formula=target.composition.reduced_formula, open_element=ion,
        e_above_hull_eV_per_atom=hull.e_above_hull_eV_per_atom, decomposition=hull.decomposition,
        reduction_V=win.reduction_V, oxidation_V=win.oxidation_V,
        products_reduction=win.products_reduction, products_oxidation=win.products_oxidation,
        intervals=win.intervals, competing=tuple(e.name for e in others), model=info, published=pub,
        sulfide_shift_eV_per_S=float(sulfide_shift_eV_per_S))
