"""Design files: the TOML tables of a stack and their validation.

Design files and study files share one schema (:mod:`ssbkit.cell.schema`): a
study's ``[cathode] [separator] [anode] [cell]`` work under every ``ssbkit
cell`` command (its other tables are carried along)::

    [cathode]
    active_material = "NCM811"
    volume_fractions = { active = 0.6, electrolyte = 0.35, carbon = 0.05 }
    porosity = 0.15
    thickness_um = 60.0          # or loading_mg_cm2
    [separator]
    thickness_um = 30.0
    [anode]
    material = "Li"              # Li, Li-In, graphite, Si, LTO ...
    excess = 1.0                 # or np_ratio, thickness_um, loading_mg_cm2
    [current_collectors]         # or [cell] collectors = {...}
    positive = "Al"
    positive_thickness_um = 12.0
    [cell]
    sigma_se_S_per_cm = 3e-3     # at temperature_c
    ea_eV = 0.3                  # carries sigma to other temperatures
    cutoff_low_V = 3.0
    cutoff_high_V = 4.3          # the charge before each discharge (fast model)
    coating = "LiNbO3"           # interface: none, LiNbO3, Li3PO4 (ssbkit.cell.interfaces)
    # interface_film_ohm_cm2, exchange_current_mA_per_cm2, contact_area_per_um,
    # contact_loss_fraction, dead_fraction, particle_diffusivity_m2_per_s: overrides
    # U_c_V, U_a_V, R0_ohm_cm2: the reaction-zone form of Kato 2018 (fixed potentials)
    measured = { capacity_mAh_per_g = 180, c_rate = 0.1, reference = "..." }
    packaging = { layers = 20, double_sided = true, pouch_um = 113 }

Unknown tables and keys raise :class:`~ssbkit.errors.InputError` with the
closest valid name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import (
    InputError,
    did_you_mean,
    require_finite,
    require_fraction,
    require_positive,
)
from ..tomlio import read_toml
from ..unitcheck import check_key_units
from .design import (
    COLLECTOR_DENSITIES_G_CM3,
    COMPONENT_DENSITIES_G_CM3,
    CathodeComposite,
    CurrentCollectors,
    Separator,
    StackDesign,
    check_cutoffs,
    make_anode,
    make_composite,
)
from .interfaces import InterfaceModel, resolve_interface
from .schema import CELL_TABLES, STUDY_ONLY_TABLES, table_keys

__all__ = ["design_from_dict", "load_design", "TABLE_KEYS", "INTERFACE_KEYS"]

#: Accepted keys per table: the one schema of design and study files (:mod:`ssbkit.cell.schema`).
TABLE_KEYS = {t: table_keys(t) for t in ("cathode", *CELL_TABLES)}

#: [cell] keys that describe the cathode's active/SE interface.
INTERFACE_KEYS = ("coating", "coating_thickness_nm", "coating_sigma_S_per_cm", "interface_film_ohm_cm2",
                  "exchange_current_mA_per_cm2", "contact_area_per_um", "contact_loss_fraction",
                  "dead_fraction")
# [cell] keys read by the commands and the study section, not by the stack itself
_RUN_KEYS = ("c_rates", "temperatures_c", "model", "enabled", "p2d", "p2d_c_rates", "collectors",
             "measured", "packaging", "interface")


def _check_keys(table: str, d: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(d, Mapping):
        raise InputError(f"[{table}] must be a table")
    for k in d:
        if k not in TABLE_KEYS[table]:
            raise InputError(f"[{table}] unknown key {k!r}{did_you_mean(k, TABLE_KEYS[table])}")
    return dict(d)


def design_from_dict(d: Mapping[str, Any], *, microstructure: Mapping[str, Any] | None = None) -> StackDesign:
    """Build and validate a :class:`StackDesign` from the tables of a design or study file.

    Parameters
    ----------
    d
        The parsed tables (``[cathode] [separator] [anode]``, optional
        ``[current_collectors] [cell]``; study-only tables are carried along).
    microstructure
        Results of the microstructure section for this cathode (``specific_area_am_se_per_um``,
        ``utilisation``), used for the interface unless ``[cell]`` sets them.

    Returns
    -------
    StackDesign
    """
    for t in d:
        if t not in TABLE_KEYS and not t.startswith("_") and t not in STUDY_ONLY_TABLES:
            raise InputError(f"unknown table [{t}]{did_you_mean(t, TABLE_KEYS)}")
    for t in ("cathode", "separator", "anode"):
        if t not in d:
            raise InputError(f"design needs a [{t}] table")
    notes = _unit_warnings(d)
    cathode = _cathode(_check_keys("cathode", d["cathode"]))
    separator = _separator(_check_keys("separator", d["separator"]), cathode)
    an = {k: v for k, v in _check_keys("anode", d["anode"]).items() if v is not None}
    an.pop("enabled", None)
    if "material" not in an:
        raise InputError("[anode] needs material (e.g. 'Li', 'Li-In', 'graphite')")
    anode = make_anode(an.pop("material"), cathode, **an)
    cell = {k: v for k, v in _check_keys("cell", d.get("cell", {})).items() if v is not None}
    cc = dict(cell.get("collectors") or {})
    cc.update(_check_keys("current_collectors", d.get("current_collectors", {})))
    collectors = _collectors(_check_keys("current_collectors", cc))
    interface = None
    if cell.get("interface", True) and cell.get("R0_ohm_cm2") is None and cathode.eps_se > 0:
        interface = _interface(cell, cathode, microstructure or {})
    for k in (*_RUN_KEYS, *INTERFACE_KEYS):
        cell.pop(k, None)
    for k in ("area_cm2", "sigma_se_S_per_cm", "tortuosity_cathode", "tortuosity_anode",
              "particle_diffusivity_m2_per_s", "ea_eV"):
        if cell.get(k) is not None:
            cell[k] = require_positive(f"[cell] {k}", cell[k])
    for k in ("tortuosity_cathode", "tortuosity_anode"):
        if cell.get(k) is not None and cell[k] < 1.0:
            raise InputError(f"[cell] {k} must be >= 1 (tau = eps sigma / sigma_eff, R-17), got {cell[k]}")
    if cell.get("R0_ohm_cm2") is not None and not float(cell["R0_ohm_cm2"]) >= 0:
        raise InputError(f"[cell] R0_ohm_cm2 must be >= 0, got {cell['R0_ohm_cm2']}")
    for k in ("U_c_V", "U_a_V", "cutoff_low_V", "cutoff_high_V", "temperature_c"):
        if cell.get(k) is not None:
            cell[k] = require_finite(f"[cell] {k}", cell[k])
    if cell.get("temperature_c", 25.0) <= -273.15:
        raise InputError(f"[cell] temperature_c must be above -273.15 degC, got {cell['temperature_c']}")
    design = StackDesign(cathode=cathode, separator=separator, anode=anode, collectors=collectors,
                         interface=interface, notes=tuple(notes), **cell)
    _check_potentials(design)
    return design


def _unit_warnings(d: Mapping[str, Any]) -> list[str]:
    """Unit slips by key suffix (ssbkit.unitcheck): errors raise, loud warnings are returned."""
    out: list[str] = []
    for table in TABLE_KEYS:
        for key, value in dict(d.get(table) or {}).items():
            if isinstance(value, Mapping):
                for sub, v in value.items():
                    out.extend(check_key_units(f"{table}.{key}", str(sub), v))
            else:
                out.extend(check_key_units(table, key, value))
    return out


def _cathode(cat: dict[str, Any]) -> CathodeComposite:
    if "active_material" not in cat:
        raise InputError("[cathode] needs active_material")
    return make_composite(
        cat["active_material"], mass_fractions=cat.get("mass_fractions"),
        volume_fractions=cat.get("volume_fractions"), densities_g_cm3=cat.get("densities_g_cm3") or None,
        porosity=cat.get("porosity"), thickness_um=cat.get("thickness_um"),
        loading_mg_cm2=cat.get("loading_mg_cm2"),
        active_particle_diameter_um=_opt_positive("[cathode] active_particle_diameter_um",
                                                  cat.get("active_particle_diameter_um")),
        where="cathode")


def _separator(sep: dict[str, Any], cathode: CathodeComposite) -> Separator:
    sep = {k: v for k, v in sep.items() if v is not None}
    if "thickness_um" not in sep:
        raise InputError("[separator] needs thickness_um")
    return Separator(
        thickness_um=require_positive("[separator] thickness_um", sep["thickness_um"]),
        porosity=require_fraction("[separator] porosity", sep.get("porosity", 0.1)),
        density_g_cm3=require_positive("[separator] density_g_cm3", sep.get(
            "density_g_cm3", cathode.densities_g_cm3.get("electrolyte", COMPONENT_DENSITIES_G_CM3["electrolyte"][0]))))


def _collectors(cc: dict[str, Any]) -> CurrentCollectors:
    for side in ("positive", "negative"):
        if side in cc and cc[side] not in COLLECTOR_DENSITIES_G_CM3:
            raise InputError(f"[current_collectors] unknown {side} metal {cc[side]!r}"
                             f"{did_you_mean(cc[side], COLLECTOR_DENSITIES_G_CM3)}")
        key = f"{side}_thickness_um"
        if key in cc and not float(cc[key]) >= 0:
            raise InputError(f"[current_collectors] {key} must be >= 0")
    return CurrentCollectors(**cc)


def _interface(cell: dict[str, Any], cathode: CathodeComposite, micro: Mapping[str, Any]) -> InterfaceModel:
    area, source = cell.get("contact_area_per_um"), "design"
    if area is None and micro.get("specific_area_am_se_per_um"):
        area, source = float(micro["specific_area_am_se_per_um"]), "microstructure"
    dead = cell.get("dead_fraction")
    if dead is None:
        util = micro.get("utilisation")
        dead = 1.0 - float(util) if util is not None and 0.0 < float(util) <= 1.0 else 0.0
    try:
        return resolve_interface(
            cathode.active_material, phi_active=cathode.phi("active"), phi_electrolyte=cathode.eps_se,
            diameter_um=cathode.active_particle_diameter_um, thickness_um=cathode.thickness_um,
            contact_area_per_um=area, contact_area_source=source, coating=cell.get("coating"),
            coating_thickness_nm=cell.get("coating_thickness_nm"),
            coating_sigma_S_per_cm=cell.get("coating_sigma_S_per_cm"),
            film_ohm_cm2=cell.get("interface_film_ohm_cm2"),
            i0_mA_per_cm2=cell.get("exchange_current_mA_per_cm2"),
            contact_loss_fraction=cell.get("contact_loss_fraction", 0.0), dead_fraction=dead)
    except InputError as exc:
        raise InputError(f"[cell] interface: {exc}") from None


def _opt_positive(name: str, v: Any) -> float | None:
    return None if v is None else require_positive(name, v)


def _check_potentials(design: StackDesign) -> None:
    if design.U_c_V is None and design.U_a_V is None:
        check_cutoffs(design)
        return
    u_c = design.U_c_V
    if u_c is not None:
        if design.cutoff_low_V is None:
            raise InputError("[cell] with U_c_V give cutoff_low_V (the reaction-zone margin U_c - U_a - V_cut)")
        u_a = design.U_a_V if design.U_a_V is not None else 0.0
        if not u_c - u_a > design.cutoff_low_V:
            raise InputError(f"[cell] U_c_V - U_a_V = {u_c - u_a:g} V must exceed cutoff_low_V = "
                             f"{design.cutoff_low_V:g} V")


def load_design(path: str | Path) -> StackDesign:
    """Read a design TOML file (tables ``[cathode] [separator] [anode] [current_collectors] [cell]``).

    Parameters
    ----------
    path
        Design or study TOML file.

    Returns
    -------
    StackDesign
        The validated design (errors name the file).
    """
    p = Path(path)
    d = read_toml(p, what="design file")
    try:
        return design_from_dict(d)
    except InputError as exc:
        raise InputError(f"{p}: {exc}") from None
