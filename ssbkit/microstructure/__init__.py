"""Composite-electrode microstructures: generation, image I/O, measures, transport.

Typical use::

    from ssbkit.microstructure import recipe_from_mass_fractions, analyze_composite
    r = recipe_from_mass_fractions({"active": 0.377, "electrolyte": 0.566, "carbon": 0.057},
                                   porosity=0.15, box_um=20, voxel_um=0.4)
    res = analyze_composite(r)          # fractions, areas, percolation, utilisation, sigma_eff

Names are loaded on first use so that ``import ssbkit.microstructure`` stays
light (the solver's numba kernels compile only when a solve is asked for).
"""

from __future__ import annotations

import importlib
from typing import Any

from .phases import (
    ACTIVE,
    CARBON,
    ELECTROLYTE,
    PHASE_NAMES,
    PORE,
    LabelMap,
    LabelVolume,
    parse_label_map,
    phase_id,
)

_LAZY: dict[str, str] = {
    # recipe
    "Recipe": "recipe",
    "ResolutionWarning": "recipe",
    "recipe_from_mass_fractions": "recipe",
    "recipe_from_cathode_table": "recipe",
    "mass_to_volume_fractions": "recipe",
    # generation
    "generate_microstructure": "generate",
    # image I/O
    "read_volume": "io",
    "write_volume": "io",
    # measures
    "volume_fractions": "measures",
    "interface_areas": "measures",
    "InterfaceAreas": "measures",
    "percolation": "measures",
    "Percolation": "measures",
    "classify_active": "measures",
    "active_utilisation": "measures",
    "Utilisation": "measures",
    # workflow
    "analyze_composite": "workflow",
    "CompositeAnalysis": "workflow",
    # conduction solver, random walk, effective media
    "effective_conductivity": "solver",
    "tortuosity_factor": "solver",
    "EffectiveConductivity": "solver",
    "solver_memory_bytes": "solver",
    "electrode_tortuosity": "_electrode",
    "ElectrodeTortuosity": "_electrode",
    "random_walk_tortuosity": "random_walk",
    "RandomWalkResult": "random_walk",
    "bruggeman_tortuosity": "effective_medium",
    "bruggeman_conductivity": "effective_medium",
    "maxwell_garnett": "effective_medium",
    "symmetric_bruggeman": "effective_medium",
    "hashin_shtrikman_bounds": "effective_medium",
    "glass_ceramic_conductivity": "effective_medium",
    # voxel-size convergence
    "converged_tortuosity": "convergence",
    "ConvergedTortuosity": "convergence",
    "richardson": "convergence",
}

__all__ = [
    "PORE",
    "ACTIVE",
    "ELECTROLYTE",
    "CARBON",
    "PHASE_NAMES",
    "LabelMap",
    "LabelVolume",
    "parse_label_map",
    "phase_id",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ssbkit.microstructure' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
