"""Atomistic simulation of solid electrolytes with foundation potentials (science.md section 5).

Calculators (CHGNet by default, any ASE calculator), structures (reading,
ordering, supercells, substitutions), molecular dynamics for transport,
diffusion analysis, phase and electrochemical stability, glass models and
screening campaigns on Dask. Needs the ``atomistic`` extra (torch, ASE, CHGNet).

Names are imported lazily: ``import ssbkit.atomistic`` loads no torch, ASE or
CHGNet; they load on first use of a function that needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # calculators
    "load_calculator": "calculators", "select_device": "calculators", "calculator_name": "calculators",
    "CALCULATOR_NAMES": "calculators",
    # structures
    "read_structure": "structures", "to_structure": "structures", "to_atoms": "structures",
    "structure_energy": "structures", "random_orderings": "structures", "order_structure": "structures",
    "OrderingResult": "structures", "make_supercell": "structures", "supercell_matrix": "structures",
    # substitutions
    "Move": "substitutions", "RankedCandidate": "substitutions", "charge_change": "substitutions",
    "compensated_moves": "substitutions", "count_configurations": "substitutions",
    "enumerate_substitutions": "substitutions", "rank_substitutions": "substitutions",
    "single_points": "batch", "SinglePoints": "batch",
    # molecular dynamics
    "Guards": "md", "MDRun": "md", "MDStopped": "md", "relax": "md", "run_md": "md",
    "MDPlan": "workflow", "plan_md": "workflow", "simulate_transport": "workflow",
    "TransportResult": "workflow", "measure_throughput": "workflow", "estimate_md_seconds": "md", "THERMOSTATS": "md",
    # trajectories and diffusion (helper 6A)
    "Trajectory": "trajectory", "read_trajectory": "trajectory", "random_walk_trajectory": "trajectory",
    "join_trajectories": "segments", "read_trajectories": "segments", "calculator_info": "calculators",
    "DiffusionResult": "diffusion", "analyse_diffusion": "diffusion",
    "ArrheniusMDResult": "arrhenius_md", "arrhenius_from_diffusivities": "arrhenius_md",
    "transport_from_trajectories": "workflow",
    # stability
    "HullResult": "stability", "WindowResult": "stability", "make_entry": "stability",
    "compute_entries": "stability", "energy_above_hull": "stability", "electrochemical_window": "stability",
    "stability_window": "windows", "StabilityReport": "windows", "published_window": "windows",
    "phase_index": "phases", "phase_names": "phases", "load_phase": "phases", "relax_phases": "phases",
    "phase_entries": "phases", "load_energies": "phases",
    # glasses
    "StructuralUnits": "glass", "GlassRun": "glass", "li2s_p2s5_composition": "glass",
    "random_packing": "glass", "structural_units": "glass", "partial_rdf": "glass",
    "coordination_number": "glass", "melt_quench": "glass",
    # campaigns
    "Candidate": "campaign", "CampaignResult": "campaign", "build_candidates": "campaign",
    "md_task": "campaign", "run_campaign": "campaign", "summary_table": "campaign",
    "arrhenius_summary": "campaign", "sigma_ea_map": "campaign",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'ssbkit.atomistic' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
