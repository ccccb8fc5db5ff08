"""Cells: active materials, stack design and energy, rate capability, cycling data.

- :mod:`~ssbkit.cell.active_materials`: capacities, densities, voltages, OCV curves.
- :mod:`~ssbkit.cell.design`: the stack (cathode composite, separator, anode, collectors).
- :mod:`~ssbkit.cell.energy`: areal capacity, N/P, Wh/kg and Wh/L with a breakdown.
- :mod:`~ssbkit.cell.reaction_zone`: rate capability from the reaction-zone model (R-19).
- :mod:`~ssbkit.cell.p2d`: the PyBaMM solid-state porous-electrode simulation (needs PyBaMM;
  its names are imported on first use).
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
from .energy import StackEnergy, couple_specific_energy_wh_per_kg, stack_energy
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
