"""The one schema of the cell tables, shared by design files and study files.

A design file (``ssbkit cell energy|rate DESIGN.toml``) and a study file
(``ssbkit run STUDY.toml``) use the same tables and keys: a study's
``[cathode] [separator] [anode] [cell]`` work under every ``ssbkit cell``
command, and a design file's tables run as a study. Each entry is
``key: (type, default, description)``; ``REQUIRED`` marks a required key.
The study section (:mod:`ssbkit.study.sections.cell`) turns these into its
``KeySpec`` schema; :mod:`ssbkit.cell.design_file` checks design files with them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["REQUIRED", "CELL_TABLES", "CATHODE_KEYS", "STUDY_ONLY_TABLES", "table_keys"]

REQUIRED = "REQUIRED"

#: [cathode] keys (docs/architecture.md; the microstructure section owns them in a study).
CATHODE_KEYS = ("active_material", "mass_fractions", "volume_fractions", "densities_g_cm3", "porosity",
                "thickness_um", "loading_mg_cm2", "active_particle_diameter_um",
                "electrolyte_particle_diameter_um", "carbon_particle_diameter_um", "microstructure",
                "enabled")

#: Tables of a study that a design file carries along without reading them.
STUDY_ONLY_TABLES = ("study", "electrolyte", "impedance", "atomistic", "processing", "sweep")

_F, _D, _L, _B, _S = float, dict, list, bool, str
CELL_TABLES: dict[str, dict[str, tuple[Any, Any, str]]] = {
    "anode": {
        "material": (_S, REQUIRED, "anode active material: Li, Li-In, graphite, Si, LTO ..."),
        "thickness_um": (_F, None, "anode thickness, um"),
        "loading_mg_cm2": (_F, None, "anode active loading, mg/cm2"),
        "np_ratio": (_F, None, "anode / cathode areal capacity"),
        "excess": (_F, None, "excess capacity over the cathode (N/P - 1), e.g. 1.0 for 100 % Li excess"),
        "mass_fractions": (_D, None, "composite anode: mass fractions of active, electrolyte, carbon, binder"),
        "volume_fractions": (_D, None, "composite anode: volume fractions (instead of mass)"),
        "densities_g_cm3": (_D, None, "composite anode: density overrides per component, g/cm3"),
        "porosity": (_F, None, "composite anode: void fraction"),
        "active_particle_diameter_um": (_F, None, "composite anode: active particle diameter, um"),
        "enabled": (_B, True, "read by the cell section"),
    },
    "separator": {
        "thickness_um": (_F, REQUIRED, "solid-electrolyte separator thickness, um"),
        "porosity": (_F, 0.1, "void fraction of the pressed separator"),
        "density_g_cm3": (_F, None, "SE density, g/cm3 (default: the cathode's electrolyte density)"),
        "enabled": (_B, True, "read by the cell section"),
    },
    "current_collectors": {
        "positive": (_S, "Al", "positive collector metal"),
        "positive_thickness_um": (_F, 12.0, "positive collector thickness, um (0: none)"),
        "negative": (_S, "Cu", "negative collector metal"),
        "negative_thickness_um": (_F, 8.0, "negative collector thickness, um (0: none)"),
    },
    "cell": {
        "name": (_S, None, "name of the cell"),
        "area_cm2": (_F, 1.0, "electrode area, cm2"),
        "cutoff_low_V": (_F, None, "discharge cut-off voltage, V (default: bottom of the OCV window)"),
        "cutoff_high_V": (_F, None, "charge cut-off voltage, V (the charge before each discharge)"),
        "sigma_se_S_per_cm": (_F, None, "SE conductivity at temperature_c, S/cm (study default: electrolyte section)"),
        "ea_eV": (_F, None, "SE activation energy, eV (carries sigma_se to other temperatures)"),
        "tortuosity_cathode": (_F, None, "tau of the cathode's SE network (default: microstructure, else Bruggeman)"),
        "tortuosity_anode": (_F, None, "tau of a composite anode (default Bruggeman)"),
        "temperature_c": (_F, 25.0, "operating temperature, degC"),
        "U_c_V": (_F, None, "fixed cathode potential vs Li, V (Kato 2018 reaction-zone form; default: OCV curve)"),
        "U_a_V": (_F, None, "fixed anode potential vs Li, V (default: the anode's average potential)"),
        "R0_ohm_cm2": (_F, None, "whole series resistance (separator + interfaces), Ohm cm2 (Kato 2018 R_0); "
                                 "replaces the computed separator and interface terms"),
        "interface": (_B, True, "include the active/SE interface (film, coating, charge transfer)"),
        "coating": (_S, "none", "coating of the cathode particles: none, LiNbO3, Li3PO4 or a name with the two numbers"),
        "coating_thickness_nm": (_F, None, "coating thickness, nm (default: the coating's)"),
        "coating_sigma_S_per_cm": (_F, None, "coating ionic conductivity at 25 degC, S/cm"),
        "interface_film_ohm_cm2": (_F, None, "interphase film resistance per contact area at 25 degC, Ohm cm2 "
                                             "(default: bundled data of the cathode material)"),
        "exchange_current_mA_per_cm2": (_F, None, "charge-transfer exchange current per contact area, 25 degC, mA/cm2"),
        "contact_area_per_um": (_F, None, "active/SE contact area per composite volume, um^2/um^3 "
                                          "(default: microstructure, else estimated from particle size)"),
        "contact_loss_fraction": (_F, 0.0, "share of the active/SE contact area lost (R-20), 0-1"),
        "dead_fraction": (_F, None, "share of the active material without ionic or electronic path, 0-1 "
                                    "(default: 1 - utilisation of the microstructure, else 0)"),
        "particle_diffusivity_m2_per_s": (_F, None, "Li diffusivity in the cathode particles at 25 degC, m2/s"),
        "measured": (_D, {}, "a measurement to show beside the prediction: capacity_mAh_per_g, "
                              "current_mA_cm2 or c_rate, temperature_c, reference; where the source "
                              "does not state its current: current_range_mA_cm2 = [low, high] "
                              "(predicted band) and current_note"),
        "packaging": (_D, {}, "cell/pack packaging: layers, double_sided, pouch_um, pouch_density_g_cm3, "
                               "edge_fraction, tab_mg, pack_overhead_mass_fraction, pack_overhead_volume_fraction"),
        "c_rates": (_L, [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0], "C-rates of the rate map, 1/h"),
        "temperatures_c": (_L, [-20.0, 0.0, 25.0, 60.0, 100.0], "temperatures of the rate map, degC"),
        "model": (_S, "fast", "rate model of `ssbkit cell rate`: fast, p2d, spme"),
        "p2d": (_B, False, "study: also simulate discharge curves with the PyBaMM solid-state model"),
        "p2d_c_rates": (_L, [0.1, 0.5, 1.0], "C-rates of the simulated discharge curves"),
        "collectors": (_D, {}, "study form of [current_collectors]: positive, positive_thickness_um, negative, "
                                "negative_thickness_um"),
        "enabled": (_B, True, "run the cell section"),
    },
}


def table_keys(table: str) -> set[str]:
    """The keys accepted in ``table`` (``cathode`` or a key of :data:`CELL_TABLES`).

    Parameters
    ----------
    table
        Table name.

    Returns
    -------
    set of str
        The accepted keys (units spelled in the names, e.g. ``thickness_um``).

    Raises
    ------
    KeyError
        For a table name that is neither ``cathode`` nor in :data:`CELL_TABLES`.
    """
    if table == "cathode":
        return set(CATHODE_KEYS)
    return set(CELL_TABLES[table])
