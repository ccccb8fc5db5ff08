"""Areal capacity, N/P ratio, specific energy and energy density of a stack.

Specific energy of an electrochemical couple (science.md section 4, lecture)::

    E = C_c C_a / (C_c + C_a) V_cell          (mAh/g x V = Wh/kg)

At the stack level the energy (limiting areal capacity x average cell voltage)
is divided by the mass and the thickness of everything in the stack: active
materials, solid electrolyte in the composites and the separator, carbon,
binder and current collectors. The solid electrolyte is what costs
all-solid-state cells (science.md section 4).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from .active_materials import get_active_material
from .design import StackDesign

__all__ = [
    "StackEnergy",
    "stack_energy",
    "couple_specific_energy_wh_per_kg",
    "couple_specific_capacity_mah_per_g",
    "SET_PLAN_TARGETS",
    "compare_to_targets",
]

#: EU SET-Plan targets (transport review, science.md section 4): (Wh/kg, Wh/L).
SET_PLAN_TARGETS: dict[str, tuple[float, float]] = {
    "Li-ion": (350.0, 1000.0),
    "Li metal": (400.0, 1200.0),
}
_SET_PLAN_REF = ("EU SET-Plan targets quoted in Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850")
_COUPLE_REF = "Couple formula E = C_c C_a / (C_c + C_a) V (science.md section 4, lecture)"


def couple_specific_capacity_mah_per_g(c_cathode_mah_per_g, c_anode_mah_per_g):
    """Specific capacity of a couple, C_c C_a / (C_c + C_a) (mAh per g of both actives).

    Science.md section 4 (lecture). Accepts scalars or arrays.
    """
    cc = np.asarray(c_cathode_mah_per_g, dtype=float)
    ca = np.asarray(c_anode_mah_per_g, dtype=float)
    if np.any(cc <= 0) or np.any(ca <= 0):
        raise InputError("couple capacities must be > 0 mAh/g")
    out = cc * ca / (cc + ca)
    return float(out) if out.ndim == 0 else out


def couple_specific_energy_wh_per_kg(c_cathode_mah_per_g, c_anode_mah_per_g, voltage_v):
    """Specific energy of a couple, E = C_c C_a / (C_c + C_a) V in Wh/kg (science.md section 4).

    Parameters
    ----------
    c_cathode_mah_per_g, c_anode_mah_per_g
        Specific capacities of the two active materials, mAh/g.
    voltage_v
        Average cell voltage, V.

    Examples
    --------
    >>> round(couple_specific_energy_wh_per_kg(274, 372, 3.7))
    584
    """
    c = couple_specific_capacity_mah_per_g(c_cathode_mah_per_g, c_anode_mah_per_g)
    out = np.asarray(c, dtype=float) * np.asarray(voltage_v, dtype=float)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class StackEnergy:
    """Energy figures of one stack (per unit area; ``capacity_mAh``/``energy_mWh`` for its area).

    ``mass_breakdown_mg_cm2`` and ``thickness_breakdown_um`` list every
    component; their sums are ``areal_mass_mg_cm2`` and ``thickness_um``.
    """

    cathode_areal_capacity_mAh_cm2: float
    anode_areal_capacity_mAh_cm2: float
    np_ratio: float
    areal_capacity_mAh_cm2: float
    voltage_avg_V: float
    areal_energy_mWh_cm2: float
    areal_mass_mg_cm2: float
    thickness_um: float
    specific_energy_Wh_per_kg: float
    energy_density_Wh_per_L: float
    couple_specific_energy_Wh_per_kg: float
    cathode_eps_se: float
    capacity_mAh: float
    energy_mWh: float
    mass_breakdown_mg_cm2: dict[str, float] = field(default_factory=dict)
    thickness_breakdown_um: dict[str, float] = field(default_factory=dict)
    references: tuple[str, ...] = ()

    def mass_fraction(self, component: str) -> float:
        """Share of ``component`` in the stack mass."""
        return self.mass_breakdown_mg_cm2[component] / self.areal_mass_mg_cm2

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["references"] = list(self.references)
        return d


def stack_energy(design: StackDesign) -> StackEnergy:
    """Capacity, N/P ratio, Wh/kg and Wh/L of ``design`` with a breakdown by component.

    The cell capacity is the smaller of the cathode and anode practical areal
    capacities; the voltage is the difference of the average potentials vs Li.
    Specific energy = areal energy / areal mass of the stack (collectors
    included); energy density = areal energy / stack thickness.
    """
    cat = design.cathode
    mc = get_active_material(cat.active_material)
    ma = get_active_material(design.anode.material)
    q_c = cat.areal_capacity_mAh_cm2()
    q_a = design.anode.layer.areal_capacity_mAh_cm2()
    q = min(q_c, q_a)
    v = mc.voltage_avg_V - ma.voltage_avg_V
    if v <= 0:
        raise InputError(f"{mc.name} | {ma.name}: average cell voltage {v:.2f} V is not positive")
    masses: dict[str, float] = {}
    for comp, m in cat.areal_masses_mg_cm2().items():
        masses[f"cathode {comp}"] = m
    masses["separator electrolyte"] = design.separator.areal_mass_mg_cm2()
    for comp, m in design.anode.layer.areal_masses_mg_cm2().items():
        masses[f"anode {comp}"] = m
    masses.update(design.collectors.areal_masses_mg_cm2())
    thick = {
        "cathode": cat.thickness_um,
        "separator": design.separator.thickness_um,
        "anode": design.anode.thickness_um,
        "positive collector": design.collectors.positive_thickness_um,
        "negative collector": design.collectors.negative_thickness_um,
    }
    mass_total = sum(masses.values())
    l_total = sum(thick.values())
    e_areal = q * v  # mWh/cm2
    wh_per_kg = e_areal / mass_total * 1e3  # mWh/mg = Wh/g -> x1e3 Wh/kg
    wh_per_l = e_areal / (l_total * 1e-4)   # mWh/cm3 = Wh/L
    couple = couple_specific_energy_wh_per_kg(mc.capacity_practical_mAh_per_g,
                                              ma.capacity_practical_mAh_per_g, v)
    refs = (_COUPLE_REF, *mc.references, *ma.references)
    return StackEnergy(
        cathode_areal_capacity_mAh_cm2=q_c, anode_areal_capacity_mAh_cm2=q_a, np_ratio=q_a / q_c,
        areal_capacity_mAh_cm2=q, voltage_avg_V=v, areal_energy_mWh_cm2=e_areal,
        areal_mass_mg_cm2=mass_total, thickness_um=l_total, specific_energy_Wh_per_kg=wh_per_kg,
        energy_density_Wh_per_L=wh_per_l, couple_specific_energy_Wh_per_kg=couple,
        cathode_eps_se=cat.eps_se, capacity_mAh=q * design.area_cm2, energy_mWh=e_areal * design.area_cm2,
        mass_breakdown_mg_cm2=masses, thickness_breakdown_um=thick, references=tuple(dict.fromkeys(refs)),
    )


def compare_to_targets(energy: StackEnergy) -> dict[str, dict[str, float]]:
    """Ratio of the stack's Wh/kg and Wh/L to the EU SET-Plan targets (context only)."""
    return {
        k: {"Wh_per_kg_target": wk, "Wh_per_L_target": wl,
            "Wh_per_kg_ratio": energy.specific_energy_Wh_per_kg / wk,
            "Wh_per_L_ratio": energy.energy_density_Wh_per_L / wl, "reference": _SET_PLAN_REF}
        for k, (wk, wl) in SET_PLAN_TARGETS.items()
    }

