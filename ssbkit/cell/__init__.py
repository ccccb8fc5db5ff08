"""Cells: active materials, stack design and energy, rate capability, cycling data.

- :mod:`~ssbkit.cell.active_materials`: capacities, densities, voltages, OCV curves.
- :mod:`~ssbkit.cell.design`: the stack (cathode composite, separator, anode, collectors).
- :mod:`~ssbkit.cell.energy`: areal capacity, N/P, Wh/kg and Wh/L with a breakdown.
- :mod:`~ssbkit.cell.energy`: also packaged cells and packs (layers, double-sided, pouch, tabs).
- :mod:`~ssbkit.cell.interfaces`: active/SE interfaces (film, coating, charge transfer, contact loss).
- :mod:`~ssbkit.cell.reaction_zone`: the reaction-zone model (R-19).
- :mod:`~ssbkit.cell.rate_model` and :mod:`~ssbkit.cell.rate`: the fast rate model (R-19 +
  interface + solid diffusion + OCV) and the rate workflow (:func:`rate_study`) with the
  limiting mechanism of each point.
- :mod:`~ssbkit.cell.schema`: the one schema of design and study files.
- :mod:`~ssbkit.cell.p2d`: the PyBaMM solid-state DFN and the fast SPMe (the DFN needs
  PyBaMM; its names are imported on first use); :mod:`~ssbkit.cell.p2d_params` the
  parameter set and export; :mod:`~ssbkit.cell.spme` the SPMe in numpy (no PyBaMM).
- :mod:`~ssbkit.cell.cycling`: cycler-export readers and per-cycle analysis.

Importing this package never imports PyBaMM or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from .active_materials import ActiveMaterial, get_active_material, list_active_materials
from .cycling import CyclerData, CycleSummary, dqdv, read_cycler_file, summarize_cycles
from .design import (
    Anode,
    CathodeComposite,
    CurrentCollectors,
    Separator,
    StackDesign,
    make_anode,
    make_composite,
)
from .design_file import design_from_dict, load_design
from .energy import (
    CellEnergy,
    Packaging,
    StackEnergy,
    cell_energy,
    couple_specific_energy_wh_per_kg,
    stack_energy,
)
from .interfaces import InterfaceModel, resolve_interface
from .rate import RateCurve, RateStudy, rate_curve, rate_study
from .reaction_zone import (
    effective_ionic_conductivity,
    rate_capability,
    rate_map,
    reaction_zone_capacity,
)

__all__ = [
    "ActiveMaterial",
    "get_active_material",
    "list_active_materials",
    "CathodeComposite",
    "Separator",
    "Anode",
    "CurrentCollectors",
    "StackDesign",
    "make_composite",
    "make_anode",
    "design_from_dict",
    "load_design",
    "StackEnergy",
    "stack_energy",
    "couple_specific_energy_wh_per_kg",
    "Packaging",
    "CellEnergy",
    "cell_energy",
    "InterfaceModel",
    "resolve_interface",
    "RateCurve",
    "RateStudy",
    "rate_curve",
    "rate_study",
    "reaction_zone_capacity",
    "effective_ionic_conductivity",
    "rate_capability",
    "rate_map",
    "CyclerData",
    "CycleSummary",
    "read_cycler_file",
    "summarize_cycles",
    "dqdv",
    "P2DParams",
    "DischargeResult",
    "simulate_rate",
]

_LAZY = {"P2DParams": ".p2d", "DischargeResult": ".p2d", "simulate_rate": ".p2d"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
