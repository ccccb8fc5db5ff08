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

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError, did_you_mean
from ..records import Record
from .active_materials import get_active_material
from .design import StackDesign

__all__ = [
    "StackEnergy",
    "stack_energy",
    "couple_specific_energy_wh_per_kg",
    "couple_specific_capacity_mah_per_g",
    "SET_PLAN_TARGETS",
    "compare_to_targets",
    "Packaging",
    "CellEnergy",
    "cell_energy",
    "packaging_from_dict",
]

#: EU SET-Plan targets (transport review, science.md section 4): (Wh/kg, Wh/L).
SET_PLAN_TARGETS: dict[str, tuple[float, float]] = {
    "Li-ion": (350.0, 1000.0),
    "Li metal": (400.0, 1200.0),
}
_SET_PLAN_REF = ("EU SET-Plan targets quoted in Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850")
_COUPLE_REF = "Couple formula E = C_c C_a / (C_c + C_a) V (science.md section 4, lecture)"


def couple_specific_capacity_mah_per_g(c_cathode_mah_per_g: ArrayLike,
                                       c_anode_mah_per_g: ArrayLike) -> float | np.ndarray:
    """Specific capacity of a couple, C_c C_a / (C_c + C_a) (mAh per g of both actives).

    Science.md section 4 (lecture). Accepts scalars or arrays.

    Parameters
    ----------
    c_cathode_mah_per_g, c_anode_mah_per_g
        Specific capacities, mAh/g (scalars or arrays).

    Returns
    -------
    float or numpy.ndarray
        Capacity per g of both actives, mAh/g.

    Raises
    ------
    InputError
        When a capacity is not > 0.

    Examples
    --------
    LiCoO2 (274 mAh/g) against graphite (372 mAh/g): 274 x 372 / 646.

    >>> round(couple_specific_capacity_mah_per_g(274, 372), 1)
    157.8
    """
    cc = np.asarray(c_cathode_mah_per_g, dtype=float)
    ca = np.asarray(c_anode_mah_per_g, dtype=float)
    if np.any(cc <= 0) or np.any(ca <= 0):
        raise InputError("couple capacities must be > 0 mAh/g")
    out = cc * ca / (cc + ca)
    return float(out) if out.ndim == 0 else out


def couple_specific_energy_wh_per_kg(c_cathode_mah_per_g: ArrayLike, c_anode_mah_per_g: ArrayLike,
                                     voltage_v: ArrayLike) -> float | np.ndarray:
    """Specific energy of a couple, E = C_c C_a / (C_c + C_a) V in Wh/kg (science.md section 4).

    Parameters
    ----------
    c_cathode_mah_per_g, c_anode_mah_per_g
        Specific capacities of the two active materials, mAh/g.
    voltage_v
        Average cell voltage, V.

    Returns
    -------
    float or numpy.ndarray
        Specific energy, Wh/kg.

    Examples
    --------
    >>> round(couple_specific_energy_wh_per_kg(274, 372, 3.7))
    584
    """
    c = couple_specific_capacity_mah_per_g(c_cathode_mah_per_g, c_anode_mah_per_g)
    out = np.asarray(c, dtype=float) * np.asarray(voltage_v, dtype=float)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class StackEnergy(Record):
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
        """Share of ``component`` in the stack mass.

        Parameters
        ----------
        component
            A key of ``mass_breakdown_mg_cm2``.

        Returns
        -------
        float
            Its share of the stack mass.
        """
        return self.mass_breakdown_mg_cm2[component] / self.areal_mass_mg_cm2


def stack_energy(design: StackDesign) -> StackEnergy:
    """Capacity, N/P ratio, Wh/kg and Wh/L of ``design`` with a breakdown by component.

    The cell capacity is the smaller of the cathode and anode practical areal
    capacities; the voltage is the difference of the average potentials vs Li.
    Specific energy = areal energy / areal mass of the stack (collectors
    included); energy density = areal energy / stack thickness.

    Parameters
    ----------
    design
        The stack.

    Returns
    -------
    StackEnergy
        Capacity, voltage, Wh/kg, Wh/L and breakdowns.
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
    couple = float(couple_specific_energy_wh_per_kg(mc.capacity_practical_mAh_per_g,
                                                    ma.capacity_practical_mAh_per_g, v))
    refs = (_COUPLE_REF, *mc.references, *ma.references)
    return StackEnergy(
        cathode_areal_capacity_mAh_cm2=q_c, anode_areal_capacity_mAh_cm2=q_a, np_ratio=q_a / q_c,
        areal_capacity_mAh_cm2=q, voltage_avg_V=v, areal_energy_mWh_cm2=e_areal,
        areal_mass_mg_cm2=mass_total, thickness_um=l_total, specific_energy_Wh_per_kg=wh_per_kg,
        energy_density_Wh_per_L=wh_per_l, couple_specific_energy_Wh_per_kg=couple,
        cathode_eps_se=cat.eps_se, capacity_mAh=q * design.area_cm2, energy_mWh=e_areal * design.area_cm2,
        mass_breakdown_mg_cm2=masses, thickness_breakdown_um=thick, references=tuple(dict.fromkeys(refs)),
    )


def compare_to_targets(energy: StackEnergy) -> dict[str, dict[str, Any]]:
    """Ratio of the stack's Wh/kg and Wh/L to the EU SET-Plan targets (context only).

    Parameters
    ----------
    energy
        Stack energy.

    Returns
    -------
    dict
        Per target: the targets, the ratios and the reference.
    """
    return {
        k: {"Wh_per_kg_target": wk, "Wh_per_L_target": wl,
            "Wh_per_kg_ratio": energy.specific_energy_Wh_per_kg / wk,
            "Wh_per_L_ratio": energy.energy_density_Wh_per_L / wl, "reference": _SET_PLAN_REF}
        for k, (wk, wl) in SET_PLAN_TARGETS.items()
    }



@dataclass(frozen=True)
class Packaging(Record):
    """How stacks become a cell and cells a pack.

    Attributes
    ----------
    layers
        Repeating units (cathode | separator | anode) in the cell.
    double_sided
        Electrodes coated on both faces of their collector (each foil serves two units).
    pouch_um, pouch_density_g_cm3
        Laminate pouch foil (two faces), thickness and density (Al-laminate ~113 um, ~1.6 g/cm3).
    edge_fraction
        Pouch and sealing area beyond the electrode area, as a share of it.
    tab_mg
        Mass of both tabs, mg.
    pack_overhead_mass_fraction, pack_overhead_volume_fraction
        Share of the pack that is not cells (housing, cooling, BMS); 0 for cell level only.
    """

    layers: int = 1
    double_sided: bool = False
    pouch_um: float = 0.0
    pouch_density_g_cm3: float = 1.6
    edge_fraction: float = 0.0
    tab_mg: float = 0.0
    pack_overhead_mass_fraction: float = 0.0
    pack_overhead_volume_fraction: float = 0.0


@dataclass(frozen=True)
class CellEnergy(Record):
    """Energy at cell and pack level of a packaged stack."""

    stack: StackEnergy
    packaging: Packaging
    capacity_mAh: float
    energy_Wh: float
    mass_g: float
    volume_cm3: float
    specific_energy_Wh_per_kg: float
    energy_density_Wh_per_L: float
    pack_specific_energy_Wh_per_kg: float
    pack_energy_density_Wh_per_L: float
    mass_breakdown_g: dict[str, float] = field(default_factory=dict)


def packaging_from_dict(d: dict[str, Any] | None) -> Packaging:
    """A :class:`Packaging` from the ``[cell] packaging`` table (checked).

    Parameters
    ----------
    d
        Keys of :class:`Packaging`.

    Returns
    -------
    Packaging
    """
    if d is not None and not isinstance(d, Mapping):
        raise InputError(f"[cell] packaging must be a table, e.g. {{ layers = 20, double_sided = true }}, got {d!r}")
    d = dict(d or {})
    names = {f.name for f in fields(Packaging)}
    for k in d:
        if k not in names:
            raise InputError(f"[cell] packaging: unknown key {k!r}{did_you_mean(k, names)}")
    p = Packaging(**d)
    if not isinstance(p.double_sided, bool):
        raise InputError(f"[cell] packaging.double_sided must be true or false, got {p.double_sided!r}")
    if not (isinstance(p.layers, int) and not isinstance(p.layers, bool) and p.layers >= 1):
        raise InputError(f"[cell] packaging.layers must be an integer >= 1, got {p.layers!r}")
    for k in ("pouch_um", "pouch_density_g_cm3", "edge_fraction", "tab_mg"):
        if not float(getattr(p, k)) >= 0:
            raise InputError(f"[cell] packaging.{k} must be >= 0, got {getattr(p, k)!r}")
    for k in ("pack_overhead_mass_fraction", "pack_overhead_volume_fraction"):
        if not 0.0 <= float(getattr(p, k)) < 1.0:
            raise InputError(f"[cell] packaging.{k} must lie in [0, 1), got {getattr(p, k)!r}")
    return p


def cell_energy(design: StackDesign, packaging: Packaging | None = None) -> CellEnergy:
    """Energy of a packaged cell (layers, double-sided electrodes, pouch, tabs) and of a pack.

    With ``double_sided`` each collector foil carries electrodes on both faces,
    so a repeating unit holds half of each foil; the outermost foils are then
    single-coated, which adds half a foil of each kind per cell. The pouch
    covers the electrode area (plus ``edge_fraction``) on both faces.

    Parameters
    ----------
    design
        The stack (one repeating unit, per electrode area ``design.area_cm2``).
    packaging
        Default: a bare stack (one layer, nothing around it).

    Returns
    -------
    CellEnergy

    Examples
    --------
    A bare single stack gives the stack figures back (see :func:`stack_energy`).
    """
    p = packaging or Packaging()
    e = stack_energy(design)
    a = design.area_cm2
    coll = design.collectors.areal_masses_mg_cm2()
    coll_mass = sum(coll.values())
    unit_mass = e.areal_mass_mg_cm2 - coll_mass
    coll_thick = design.collectors.positive_thickness_um + design.collectors.negative_thickness_um
    unit_thick = e.thickness_um - coll_thick
    share = 0.5 if p.double_sided else 1.0
    extra = 0.5 if p.double_sided else 0.0  # the outer foils
    masses = {
        "electrodes and separators": p.layers * unit_mass * a / 1e3,
        "current collectors": (p.layers * share + extra) * coll_mass * a / 1e3,
        "pouch": 2.0 * p.pouch_um * 1e-4 * p.pouch_density_g_cm3 * a * (1.0 + p.edge_fraction),
        "tabs": p.tab_mg / 1e3,
    }
    thick_um = p.layers * (unit_thick + share * coll_thick) + extra * coll_thick + 2.0 * p.pouch_um
    volume = thick_um * 1e-4 * a * (1.0 + p.edge_fraction)
    mass = sum(masses.values())
    q = e.areal_capacity_mAh_cm2 * a * p.layers
    energy = q * e.voltage_avg_V / 1e3
    wh_kg = energy / mass * 1e3
    wh_l = energy / volume * 1e3
    return CellEnergy(
        stack=e, packaging=p, capacity_mAh=q, energy_Wh=energy, mass_g=mass, volume_cm3=volume,
        specific_energy_Wh_per_kg=wh_kg, energy_density_Wh_per_L=wh_l,
        pack_specific_energy_Wh_per_kg=wh_kg * (1.0 - p.pack_overhead_mass_fraction),
        pack_energy_density_Wh_per_L=wh_l * (1.0 - p.pack_overhead_volume_fraction),
        mass_breakdown_g=masses)
