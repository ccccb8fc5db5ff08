"""The bundled competing phases: structures with their sources, relaxed with one potential and cached.

``ssbkit/atomistic/data/phases/`` holds one CIF per phase and ``index.json``
naming each one's source (a published prototype, the Delta-test elemental
structures, the Materials-Project-derived LGPS in pymatgen, or a model built
from bond geometry) and how it was ordered; ``scripts/build_phase_library.py``
wrote them. :func:`relax_phases` relaxes every phase with a potential (FIRE,
cell and positions) and writes the energies, with the model, its version and
the CPU time, to one JSON file per (model, version).
``data/phase_energies/`` ships the files of ``scripts/relax_phase_library.py``;
a user's own runs go to ``$SSBKIT_CACHE`` (default ``~/.cache/ssbkit``).
:func:`phase_entries` turns a cache into pymatgen ``PDEntry`` objects.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError, did_you_mean

__all__ = [
    "PHASE_DIR",
    "ENERGY_DIR",
    "phase_index",
    "phase_names",
    "load_phase",
    "cache_path",
    "relax_phases",
    "load_energies",
    "phase_entries",
]

_DATA = Path(__file__).resolve().parent / "data"
#: The bundled structures (one CIF per phase and ``index.json``).
PHASE_DIR = _DATA / "phases"
#: The bundled energy caches (one JSON per model and version).
ENERGY_DIR = _DATA / "phase_energies"


def phase_index() -> dict[str, dict[str, Any]]:
    """Name -> {formula, n_atoms, source, ordering, ...} of every bundled phase.

    Returns
    -------
    dict

    Examples
    --------
    >>> idx = phase_index()
    >>> idx["Li2S"]["formula"], idx["Li2S"]["n_atoms"]
    ('Li2S', 3)
    """
    return dict(json.loads((PHASE_DIR / "index.json").read_text()))


def phase_names(elements: Iterable[str] | None = None) -> list[str]:
    """Names of the bundled phases, those made only of ``elements`` when given.

    Parameters
    ----------
    elements
        Element symbols of a chemical system (None: all phases).

    Returns
    -------
    list of str

    Examples
    --------
    >>> phase_names(["Li", "S"])
    ['Li', 'Li2S', 'S']
    """
    from pymatgen.core import Composition

    idx = phase_index()
    if elements is None:
        return sorted(idx)
    allowed = set(elements)
    return sorted(n for n, d in idx.items() if {e.symbol for e in Composition(d["formula"]).elements} <= allowed)


def load_phase(name: str):
    """The bundled (unrelaxed) structure of phase ``name``.

    Parameters
    ----------
    name
        A key of :func:`phase_index` (``"Li3PS4"``).

    Returns
    -------
    pymatgen.core.Structure

    Raises
    ------
    InputError
        For a name not bundled (with the closest one).
    """
    from .structures import read_structure

    idx = phase_index()
    if name not in idx:
        raise InputError(f"no bundled phase {name!r}" + did_you_mean(name, idx))
    return read_structure(PHASE_DIR / f"{name}.cif")


def _model_tag(info: dict[str, str]) -> str:
    name = info.get("name") or info.get("model") or "model"
    ver = info.get("version") or "unknown"
    return f"{name}-{ver}".replace("/", "_").replace(":", "_")


def cache_path(info: dict[str, str], *, bundled: bool = False) -> Path:
    """Where the energies of the potential described by ``info`` are cached.

    Parameters
    ----------
    info
        :func:`~ssbkit.atomistic.calculators.calculator_info` of the potential.
    bundled
        The file shipped with ssbkit instead of the user cache.

    Returns
    -------
    pathlib.Path
        ``<dir>/<name>-<version>.json``.

    Examples
    --------
    >>> cache_path({"name": "chgnet-0.3.0", "version": "0.4.2"}, bundled=True).name
    'chgnet-0.3.0-0.4.2.json'
    """
    root = ENERGY_DIR if bundled else Path(os.environ.get("SSBKIT_CACHE", Path.home() / ".cache" / "ssbkit")) / "phase_energies"
    return root / f"{_model_tag(info)}.json"


def _relax_one(s, calc, fmax: float, steps: int) -> dict[str, Any]:
    from ase.filters import FrechetCellFilter
    from ase.optimize import FIRE

    from .structures import to_atoms

    atoms = to_atoms(s)
    atoms.calc = calc
    t0 = time.process_time()
    opt = FIRE(FrechetCellFilter(atoms), logfile=None)
    converged = bool(opt.run(fmax=fmax, steps=steps))
    forces = atoms.get_forces()
    e = float(atoms.get_potential_energy())
    return {"energy_eV": e, "energy_per_atom_eV": e / len(atoms), "converged": converged,
            "steps": int(opt.get_number_of_steps()), "fmax_final_eV_per_A": float((forces**2).sum(1).max() ** 0.5),
            "volume_A3": float(atoms.get_volume()), "cpu_s": round(time.process_time() - t0, 2)}


def relax_phases(calculator: Any = "chgnet", names: Iterable[str] | None = None, *, fmax_eV_per_A: float = 0.05,
                 steps: int = 500, out: str | Path | None = None, progress=None) -> dict[str, Any]:
    """Relax bundled phases with one potential and cache their energies (JSON, per model and version).

    Phases already in the cache file are kept (delete the file to redo them).

    Parameters
    ----------
    calculator
        Potential (name or ASE calculator).
    names
        Phases to relax (default all).
    fmax_eV_per_A
        Force convergence, eV/Å (FIRE on positions and cell, Frechet filter).
    steps
        Most FIRE steps per phase.
    out
        Cache file (default :func:`cache_path` of the potential).
    progress
        Optional ``callable(name, record)`` called after each phase.

    Returns
    -------
    dict
        ``{"model": calculator_info, "settings": ..., "phases": {name: record}}``.
    """
    from .calculators import calculator_info, load_calculator

    calc = load_calculator(calculator)
    info = calculator_info(calc)
    path = Path(out) if out is not None else cache_path(info)
    doc: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    doc.setdefault("model", info)
    doc["settings"] = {"optimizer": "FIRE + FrechetCellFilter", "fmax_eV_per_A": fmax_eV_per_A, "steps": steps}
    phases = doc.setdefault("phases", {})
    idx = phase_index()
    for name in list(names) if names is not None else sorted(idx):
        if name in phases:
            continue
        rec = _relax_one(load_phase(name), calc, fmax_eV_per_A, steps)
        rec["formula"] = idx[name]["formula"]
        rec["n_atoms"] = idx[name]["n_atoms"]
        rec["composition"] = load_phase(name).composition.formula
        phases[name] = rec
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
        tmp.replace(path)
        if progress is not None:
            progress(name, rec)
    return doc


def load_energies(model: str = "chgnet") -> dict[str, Any]:
    """The cached energies of ``model``: a complete user cache first, then the file shipped with ssbkit.

    Parameters
    ----------
    model
        A bundled calculator name (``"chgnet"``, ``"sevennet"``) or the file
        name stem of a cache (``"chgnet-0.3.0-0.4.2"``).

    Returns
    -------
    dict
        As written by :func:`relax_phases`.

    Raises
    ------
    InputError
        When no cache exists for the model (saying how to make one).
    """
    from .calculators import CALCULATOR_NAMES

    stems: list[str] = []
    if model.lower() in CALCULATOR_NAMES:
        backend, name, _ = CALCULATOR_NAMES[model.lower()]
        stems.append(f"{backend}-{name}-")
    else:
        stems.append(model)
    user = cache_path({"name": "x", "version": "y"}).parent
    found = [dict(json.loads(p.read_text())) for root in (user, ENERGY_DIR) if root.is_dir()
             for stem in stems for p in sorted(root.glob(f"{stem}*.json"), reverse=True)]
    everything = set(phase_index())
    for doc in found:  # a user cache holding every phase wins; a partial one does not hide the shipped file
        if everything <= set(doc.get("phases", {})):
            return doc
    if found:
        return found[0]
    raise InputError(f"no cached phase energies for model {model!r} (looked in {user} and {ENERGY_DIR}): "
                     f"run ssbkit.atomistic.phases.relax_phases({model!r}) first")


def phase_entries(model: str = "chgnet", elements: Iterable[str] | None = None, *,
                  exclude: Iterable[str] = ()) -> list:
    """pymatgen ``PDEntry`` objects of the cached phases of ``model`` within ``elements``.

    Parameters
    ----------
    model
        See :func:`load_energies`.
    elements
        Chemical system (None: all phases).
    exclude
        Phase names to leave out (the candidate itself).

    Returns
    -------
    list of PDEntry
        Named by phase; total energy of the relaxed cell, eV.

    Examples
    --------
    >>> [e.name for e in phase_entries("chgnet", ["Li", "S"])]
    ['Li', 'Li2S', 'S']
    """
    from .stability import make_entry

    doc = load_energies(model)
    keep = set(phase_names(elements))
    skip = set(exclude)
    return [make_entry(rec["composition"], rec["energy_eV"], name=name)
            for name, rec in sorted(doc["phases"].items()) if name in keep and name not in skip]
