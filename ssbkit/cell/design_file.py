"""Design files: the TOML tables of a stack and their validation.

A design file has the tables ``[cathode]`` (the keys of docs/architecture.md),
``[separator]``, ``[anode]``, ``[current_collectors]`` and ``[cell]``::

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
    [current_collectors]
    positive = "Al"
    positive_thickness_um = 12.0
    [cell]
    sigma_se_S_per_cm = 3e-3     # at temperature_c
    ea_eV = 0.3                  # carries sigma to other temperatures
    cutoff_low_V = 3.0

Unknown tables and keys raise :class:`~ssbkit.errors.InputError` with the
closest valid name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import FileFormatError, InputError, did_you_mean, require_fraction, require_positive
from .design import (
    COLLECTOR_DENSITIES_G_CM3,
    COMPONENT_DENSITIES_G_CM3,
    CurrentCollectors,
    Separator,
    StackDesign,
    check_cutoffs,
    make_anode,
    make_composite,
)

__all__ = ["design_from_dict", "load_design", "TABLE_KEYS"]

TABLE_KEYS = {
    "cathode": {"active_material", "mass_fractions", "volume_fractions", "densities_g_cm3", "porosity",
                "thickness_um", "loading_mg_cm2", "active_particle_diameter_um",
                "electrolyte_particle_diameter_um", "carbon_particle_diameter_um", "microstructure",
                "enabled"},
    "separator": {"thickness_um", "porosity", "density_g_cm3", "enabled"},
    "anode": {"material", "thickness_um", "loading_mg_cm2", "np_ratio", "excess", "mass_fractions",
              "volume_fractions", "densities_g_cm3", "porosity", "enabled"},
    "current_collectors": {"positive", "positive_thickness_um", "negative", "negative_thickness_um"},
    "cell": {"name", "area_cm2", "cutoff_low_V", "cutoff_high_V", "sigma_se_S_per_cm", "tortuosity_cathode",
             "tortuosity_anode", "temperature_c", "ea_eV", "c_rates", "temperatures_c", "model", "enabled"},
}


def _check_keys(table: str, d: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(d, Mapping):
        raise InputError(f"[{table}] must be a table")
    for k in d:
        if k not in TABLE_KEYS[table]:
            raise InputError(f"[{table}] unknown key {k!r}{did_you_mean(k, TABLE_KEYS[table])}")
    return dict(d)


def design_from_dict(d: Mapping[str, Any]) -> StackDesign:
    """Build and validate a :class:`StackDesign` from the tables of a design file."""
    for t in d:
        if t not in TABLE_KEYS and not t.startswith("_") and t not in ("study", "electrolyte"):
            raise InputError(f"unknown table [{t}]{did_you_mean(t, TABLE_KEYS)}")
    for t in ("cathode", "separator", "anode"):
        if t not in d:
            raise InputError(f"design needs a [{t}] table")
    cat = _check_keys("cathode", d["cathode"])
    if "active_material" not in cat:
        raise InputError("[cathode] needs active_material")
    cathode = make_composite(
        cat["active_material"], mass_fractions=cat.get("mass_fractions"),
        volume_fractions=cat.get("volume_fractions"), densities_g_cm3=cat.get("densities_g_cm3"),
        porosity=cat.get("porosity"), thickness_um=cat.get("thickness_um"),
        loading_mg_cm2=cat.get("loading_mg_cm2"),
        active_particle_diameter_um=cat.get("active_particle_diameter_um"), where="cathode")
    sep = _check_keys("separator", d["separator"])
    sep.pop("enabled", None)
    if "thickness_um" not in sep:
        raise InputError("[separator] needs thickness_um")
    separator = Separator(
        thickness_um=require_positive("[separator] thickness_um", sep["thickness_um"]),
        porosity=require_fraction("[separator] porosity", sep.get("porosity", 0.1)),
        density_g_cm3=require_positive("[separator] density_g_cm3", sep.get(
            "density_g_cm3", cathode.densities_g_cm3.get("electrolyte", COMPONENT_DENSITIES_G_CM3["electrolyte"][0]))))
    an = _check_keys("anode", d["anode"])
    an.pop("enabled", None)
    if "material" not in an:
        raise InputError("[anode] needs material (e.g. 'Li', 'Li-In', 'graphite')")
    anode = make_anode(an.pop("material"), cathode, **an)
    cc = _check_keys("current_collectors", d.get("current_collectors", {}))
    for side in ("positive", "negative"):
        if side in cc and cc[side] not in COLLECTOR_DENSITIES_G_CM3:
            raise InputError(f"[current_collectors] unknown {side} metal {cc[side]!r}"
                             f"{did_you_mean(cc[side], COLLECTOR_DENSITIES_G_CM3)}")
        key = f"{side}_thickness_um"
        if key in cc and float(cc[key]) < 0:
            raise InputError(f"[current_collectors] {key} must be >= 0")
    collectors = CurrentCollectors(**cc)
    cell = _check_keys("cell", d.get("cell", {}))
    for k in ("c_rates", "temperatures_c", "model", "enabled"):
        cell.pop(k, None)
    for k in ("area_cm2", "sigma_se_S_per_cm", "tortuosity_cathode", "tortuosity_anode"):
        if cell.get(k) is not None:
            cell[k] = require_positive(f"[cell] {k}", cell[k])
    design = StackDesign(cathode=cathode, separator=separator, anode=anode, collectors=collectors, **cell)
    check_cutoffs(design)
    return design


def load_design(path: str | Path) -> StackDesign:
    """Read a design TOML file (tables ``[cathode] [separator] [anode] [current_collectors] [cell]``)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"design file {str(p)!r} does not exist")
    try:
        d = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{p}: not valid TOML ({exc})") from None
    try:
        return design_from_dict(d)
    except InputError as exc:
        raise InputError(f"{p}: {exc}") from None
