"""The solid-state cell of the P2D model and its PyBaMM parameter set (and an export of it).

:class:`~ssbkit.cell.p2d_cell.P2DParams` (re-exported here) describes a solid-state
cell: composite cathode | SE separator | Li or Li-In foil (PyBaMM's half-cell form) or
a composite anode (graphite, Si, LTO, ...: the full DFN).
:func:`solid_state_parameter_dict` turns it into PyBaMM parameter values:

* single-ion solid electrolyte: transference number 1, thermodynamic factor 1, so
  the electrolyte concentration stays uniform and the ionic current obeys Ohm's law;
* the SE conductivity is a *plain number* (S/m), not a solver input: with it as an
  input PyBaMM keeps the conductivity symbolic and the discretised ohmic term
  converges slowly with the mesh (issue 12: -2.8 % at 5C, +5.8 % in the ohmic regime);
* per-region transport efficiency eps / tau (``"transport efficiency": "tortuosity factor"``);
* the active/SE interface per *contact* area (:mod:`ssbkit.cell.interfaces`) mapped
  onto PyBaMM's particle surface a = 3 eps_AM / R: j0_PyBaMM = j0_contact a_c / a,
  r_film,PyBaMM = r_film,contact a / a_c (PyBaMM's distributed film resistance on the
  working electrode, option ``"SEI": ("none", "constant")``);
* temperature through Arrhenius laws of j0 and the solid diffusivity (T is an input).

:func:`export_parameter_values` writes the set as PyBaMM's own JSON, loadable with
``pybamm.ParameterValues.from_json(path)``.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import require_positive
from .active_materials import ActiveMaterial, get_active_material
from .kinetics import DEFAULT_KINETICS, KINETICS, T_REF_K, KineticData, kinetics_for
from .p2d_cell import (
    FOIL_ANODES,
    LITHIUM_EXCHANGE_CURRENT_A_PER_M2,
    P2DParams,
    _num,
    active_volume_m3,
    anode_shift_V,
    anode_start_sto,
    c_max_mol_m3,
    check_anode,
    cutoff_V,
    initial_state,
    loaded_active_mass_g,
    nominal_current_A,
    open_circuit_V,
)

__all__ = [
    "P2DParams",
    "FOIL_ANODES",
    "KineticData",
    "KINETICS",
    "DEFAULT_KINETICS",
    "LITHIUM_EXCHANGE_CURRENT_A_PER_M2",
    "T_REF_K",
    "kinetics_for",
    "c_max_mol_m3",
    "solid_state_parameter_dict",
    "model_options",
    "export_parameter_values",
    "check_anode",
    "anode_shift_V",
    "active_volume_m3",
    "nominal_current_A",
    "loaded_active_mass_g",
    "anode_start_sto",
    "cutoff_V",
    "initial_state",
]


def model_options(p: P2DParams) -> dict[str, Any]:
    """PyBaMM model options of the cell (half-cell form with a foil, film resistance when set).

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    dict
    """
    opts: dict[str, Any] = {"transport efficiency": "tortuosity factor"}
    if not p.full_cell:
        opts["working electrode"] = "positive"
    if p.film_resistance_ohm_m2 > 0:
        opts["SEI"] = ("none", "constant")
        opts["SEI film resistance"] = "distributed"
    return opts


def _ocp(m: ActiveMaterial, pybamm: ModuleType) -> Any:
    x_tab, v_tab = m.ocv_table()
    interp = "cubic" if m.ocv_source.startswith("pybamm") else "linear"
    x_lo, x_hi = float(x_tab[0]), float(x_tab[-1])

    def ocp(sto):
        s = pybamm.maximum(pybamm.minimum(sto, x_hi), x_lo)
        return pybamm.Interpolant(x_tab, v_tab, s, interpolator=interp)

    return ocp


def _kinetics(kin: KineticData, d_s: float, j0_ref: float, pybamm: ModuleType) -> tuple[Any, Any]:
    r_gas = pybamm.constants.R

    def diffusivity(sto, temp):
        return d_s * pybamm.exp(kin.diffusivity_ea_J_per_mol / r_gas * (1 / T_REF_K - 1 / temp))

    def j0(c_e, c_s_surf, c_s_max, temp):
        x = c_s_surf / c_s_max
        arr = pybamm.exp(kin.j0_ea_J_per_mol / r_gas * (1 / T_REF_K - 1 / temp))
        return j0_ref * arr * 2.0 * pybamm.sqrt(pybamm.maximum(x * (1 - x), 1e-12))

    return diffusivity, j0


def solid_state_parameter_dict(p: P2DParams, m: ActiveMaterial, pybamm: ModuleType) -> dict[str, Any]:
    """PyBaMM parameter values of the solid-state cell (see the module docstring).

    Parameters
    ----------
    p
        The cell.
    m
        Its cathode active material.
    pybamm
        The imported ``pybamm`` module (imported by the caller, lazily).

    Returns
    -------
    dict
        For ``pybamm.ParameterValues``; input parameters ``I`` (current, A, > 0 on
        discharge), ``T`` (K), ``sto0`` (initial cathode lithium fraction), ``sto0_n``
        (initial anode fraction, full cells) and ``V_lo``/``V_hi`` (cut-offs, V).
    """
    d: dict[str, Any] = {"chemistry": "lithium_ion"}
    d.update(_cell_geometry(p, pybamm))
    d.update(_positive_parameters(p, m, pybamm))
    d.update(_separator_electrolyte_parameters(p))
    d.update(_operating_parameters(p, m, pybamm))
    if p.film_resistance_ohm_m2 > 0:
        # PyBaMM's film: resistivity x thickness = area-specific resistance per particle surface
        d.update({"Initial SEI thickness [m]": 1e-9, "SEI resistivity [Ohm.m]": p.film_resistance_ohm_m2 / 1e-9,
                  "SEI partial molar volume [m3.mol-1]": 1e-5})
    d.update(_anode_parameters(p, pybamm))
    return d


def _cell_geometry(p: P2DParams, pybamm: ModuleType) -> dict[str, Any]:
    """Thicknesses, a square electrode of ``area_cm2``, the applied current (input ``I``)."""
    side = math.sqrt(p.area_cm2) * 1e-2
    return {
        "Separator thickness [m]": p.separator_thickness_um * 1e-6,
        "Positive electrode thickness [m]": p.cathode_thickness_um * 1e-6,
        "Electrode height [m]": side,
        "Electrode width [m]": side,
        "Nominal cell capacity [A.h]": 1e-3,
        "Current function [A]": pybamm.InputParameter("I"),
        "Contact resistance [Ohm]": 0.0,
    }


def _positive_parameters(p: P2DParams, m: ActiveMaterial, pybamm: ModuleType) -> dict[str, Any]:
    """The composite cathode: conduction, particles, OCP and kinetics of ``m``."""
    kin = kinetics_for(m.name)
    diffusivity, j0 = _kinetics(kin, p.particle_diffusivity_m2_per_s or kin.diffusivity_m2_per_s,
                                p.exchange_current_A_per_m2 or kin.j0_A_per_m2, pybamm)
    eps_e = p.electrolyte_volume_fraction
    return {
        "Positive electrode conductivity [S.m-1]": p.electronic_conductivity_S_per_cm * 100.0,
        "Maximum concentration in positive electrode [mol.m-3]": c_max_mol_m3(m),
        "Positive particle diffusivity [m2.s-1]": diffusivity,
        "Positive electrode OCP [V]": _ocp(m, pybamm),
        "Positive electrode porosity": eps_e,
        "Positive electrode active material volume fraction": p.active_volume_fraction,
        "Positive particle radius [m]": p.particle_radius_um * 1e-6,
        "Positive electrode tortuosity factor (electrolyte)": p.cathode_tortuosity,
        # (1 - eps_e) / tau_s = 1: the electronic conductivity given is already effective.
        "Positive electrode tortuosity factor (electrode)": 1.0 - eps_e,
        "Positive electrode OCP entropic change [V.K-1]": 0.0,
        "Positive electrode charge transfer coefficient": 0.5,
        "Positive electrode exchange-current density [A.m-2]": j0,
        "Positive electrode double-layer capacity [F.m-2]": 0.2,
    }


def _separator_electrolyte_parameters(p: P2DParams) -> dict[str, Any]:
    """The SE separator and the single-ion electrolyte (conductivity as a plain number)."""
    return {
        "Separator porosity": 1.0,
        "Separator tortuosity factor (electrolyte)": p.separator_tortuosity,
        "Separator tortuosity factor (electrode)": 1.0,
        # Single-ion conductor: t+ = 1, thermodynamic factor 1 -> uniform concentration.
        "Initial concentration in electrolyte [mol.m-3]": 1000.0,
        "Cation transference number": 1.0,
        "Thermodynamic factor": 1.0,
        "Electrolyte diffusivity [m2.s-1]": 1e-10,
        "Electrolyte conductivity [S.m-1]": p.sigma_se_S_per_cm * 100.0,
    }


def _operating_parameters(p: P2DParams, m: ActiveMaterial, pybamm: ModuleType) -> dict[str, Any]:
    """Temperature (input ``T``), cut-offs (``V_lo``, ``V_hi``) and the initial state (``sto0``)."""
    t_in = pybamm.InputParameter("T")
    return {
        "Ambient temperature [K]": t_in,
        "Initial temperature [K]": t_in,
        "Reference temperature [K]": T_REF_K,
        "Heat transfer coefficient [W.m-2.K-1]": 10.0,
        "Number of electrodes connected in parallel to make a cell": 1.0,
        "Number of cells connected in series to make a battery": 1.0,
        "Lower voltage cut-off [V]": pybamm.InputParameter("V_lo"),
        "Upper voltage cut-off [V]": pybamm.InputParameter("V_hi"),
        "Open-circuit voltage at 0% SOC [V]": open_circuit_V(p, False)[1] + anode_shift_V(p),
        "Open-circuit voltage at 100% SOC [V]": open_circuit_V(p, False)[0] + anode_shift_V(p),
        "Initial concentration in positive electrode [mol.m-3]": pybamm.InputParameter("sto0") * c_max_mol_m3(m),
    }


def _anode_parameters(p: P2DParams, pybamm: ModuleType) -> dict[str, Any]:
    if not p.full_cell:
        l_li = 100e-6

        def j0_li(c_e, c_li, temp):
            return LITHIUM_EXCHANGE_CURRENT_A_PER_M2 + 0.0 * c_e

        return {
            "Negative electrode thickness [m]": l_li,
            "Lithium counter electrode thickness [m]": l_li,
            "Negative electrode OCP [V]": 0.0,
            "Negative electrode conductivity [S.m-1]": 1.08e7,
            "Negative electrode OCP entropic change [V.K-1]": 0.0,
            "Lithium metal partial molar volume [m3.mol-1]": 1.3e-05,
            "Exchange-current density for lithium metal electrode [A.m-2]": j0_li,
            "Negative electrode charge transfer coefficient": 0.5,
            "Negative electrode double-layer capacity [F.m-2]": 0.2,
        }
    ma = get_active_material(p.anode)
    kin = kinetics_for(ma.name)
    diffusivity, j0 = _kinetics(kin, kin.diffusivity_m2_per_s, kin.j0_A_per_m2, pybamm)
    c_max = c_max_mol_m3(ma)
    eps = _num(p.anode_electrolyte_volume_fraction)
    return {
        "Negative electrode thickness [m]": _num(p.anode_thickness_um) * 1e-6,
        "Negative electrode conductivity [S.m-1]": p.electronic_conductivity_S_per_cm * 100.0,
        "Maximum concentration in negative electrode [mol.m-3]": c_max,
        "Negative particle diffusivity [m2.s-1]": diffusivity,
        "Negative electrode OCP [V]": _ocp(ma, pybamm),
        "Negative electrode porosity": eps,
        "Negative electrode active material volume fraction": _num(p.anode_active_volume_fraction),
        "Negative particle radius [m]": _num(p.anode_particle_radius_um) * 1e-6,
        "Negative electrode tortuosity factor (electrolyte)": _num(p.anode_tortuosity),
        "Negative electrode tortuosity factor (electrode)": 1.0 - eps,
        "Negative electrode OCP entropic change [V.K-1]": 0.0,
        "Negative electrode charge transfer coefficient": 0.5,
        "Negative electrode exchange-current density [A.m-2]": j0,
        "Negative electrode double-layer capacity [F.m-2]": 0.2,
        "Initial concentration in negative electrode [mol.m-3]": pybamm.InputParameter("sto0_n") * c_max,
    }


def export_parameter_values(p: P2DParams, path: str | Path | None = None, *, c_rate: float = 1.0) -> dict:
    """The cell as PyBaMM's own parameter JSON (``pybamm.ParameterValues.from_json`` loads it).

    The inputs of ssbkit's runs become numbers: the current of ``c_rate`` (1C = the
    cathode's practical capacity in 1 h), the temperature, the initial
    stoichiometries of a discharge and the cut-offs. Use it with
    ``pybamm.lithium_ion.DFN(options)``, ``options`` from :func:`model_options`.

    Parameters
    ----------
    p
        The cell.
    path
        JSON file to write (optional).
    c_rate
        Current of the exported set, C-rate.

    Returns
    -------
    dict
        ``{"options": ..., "parameters": <PyBaMM JSON dict>}``; the file holds the parameters only.
    """
    import pybamm

    from .p2d import _validate  # the checks of every run (imported here: p2d imports this module)

    c_rate = require_positive("c_rate", c_rate)
    _validate(p)
    m = get_active_material(p.active_material)
    d = solid_state_parameter_dict(p, m, pybamm)
    inputs = initial_state(p, charge=False)
    inputs.update(I=nominal_current_A(p) * c_rate, T=p.temperature_c + 273.15)
    for k, v in list(d.items()):
        if isinstance(v, pybamm.InputParameter):
            d[k] = inputs[v.name]
        elif isinstance(v, pybamm.Multiplication) and any(isinstance(c, pybamm.InputParameter) for c in v.children):
            ip = next(c for c in v.children if isinstance(c, pybamm.InputParameter))
            other = next(c for c in v.children if c is not ip)
            d[k] = inputs[ip.name] * float(other.evaluate())
    pv = pybamm.ParameterValues(d)
    js = pv.to_json(str(path) if path is not None else None)
    return {"options": model_options(p), "parameters": js}


