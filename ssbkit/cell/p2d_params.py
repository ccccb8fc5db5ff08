"""The solid-state cell of the P2D model and its PyBaMM parameter set (and an export of it).

:class:`P2DParams` describes a solid-state cell: composite cathode | SE separator |
Li or Li-In foil (PyBaMM's half-cell form) or a composite anode (graphite, Si,
LTO, ...: the full DFN). :func:`solid_state_parameter_dict` turns it into PyBaMM
parameter values:

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..constants import FARADAY
from ..errors import InputError
from ..records import Record
from .active_materials import ActiveMaterial, get_active_material
from .kinetics import DEFAULT_KINETICS, KINETICS, T_REF_K, KineticData, kinetics_for

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
    "anode_start_sto",
    "cutoff_V",
    "initial_state",
]

#: Foil counter electrodes (PyBaMM's half-cell form; their potential comes from active_materials).
FOIL_ANODES = ("Li", "Li-In")

#: Exchange-current density of the lithium-metal counter electrode, A/m2: Xu2019's
#: 3.5e-8 F c_Li^0.7 c_e^0.3 at c_Li = 76,900 mol/m3 and c_e = 1000 mol/m3, ~3.7 Ohm cm2.
LITHIUM_EXCHANGE_CURRENT_A_PER_M2 = 70.0


@dataclass(frozen=True)
class P2DParams(Record):
    """A solid-state cell: composite cathode | SE separator | foil or composite anode.

    Attributes
    ----------
    active_material
        Cathode active material (:func:`ssbkit.cell.active_materials.get_active_material`).
    cathode_thickness_um, separator_thickness_um
        Layer thicknesses, um.
    active_volume_fraction, electrolyte_volume_fraction
        Volume fractions of active material and SE in the composite cathode.
    cathode_tortuosity, separator_tortuosity
        Tortuosity factors tau of the SE network (sigma_eff = sigma eps / tau, R-17).
    particle_radius_um
        Cathode active-particle radius, um.
    sigma_se_S_per_cm
        SE conductivity at ``temperature_c``, S/cm.
    electronic_conductivity_S_per_cm
        Effective electronic conductivity of the composites, S/cm.
    anode
        ``"Li"`` or ``"Li-In"`` (foil) or a composite anode material (graphite, Si, LTO ...).
    anode_thickness_um, anode_active_volume_fraction, anode_electrolyte_volume_fraction,
    anode_tortuosity, anode_particle_radius_um
        The composite anode (only with a composite ``anode``).
    anode_initial_sto
        Lithium fraction of the anode at the start of a discharge (default: it holds the
        cathode's window above the bottom of its own).
    temperature_c, area_cm2
        Cell temperature (degC) and electrode area (cm2).
    cutoff_V
        Cut-off voltage of the cell; ``None``: the OCV at the end of the windows.
    cutoff_high_V
        If set, each discharge follows a charge at the same rate to this voltage and
        starts from the charged (relaxed) state, as in the fast model.
    particle_diffusivity_m2_per_s, exchange_current_A_per_m2
        Cathode overrides at 25 degC (per PyBaMM particle surface); ``None`` uses the table.
    film_resistance_ohm_m2
        Interface film + coating resistance per PyBaMM particle surface at ``temperature_c``.
    references
        Citation keys of the numbers above.
    """

    active_material: str
    cathode_thickness_um: float
    separator_thickness_um: float
    active_volume_fraction: float
    electrolyte_volume_fraction: float
    cathode_tortuosity: float
    particle_radius_um: float
    sigma_se_S_per_cm: float
    separator_tortuosity: float = 1.0
    electronic_conductivity_S_per_cm: float = 1.0
    anode: str = "Li"
    temperature_c: float = 25.0
    area_cm2: float = 1.0
    cutoff_V: float | None = None
    cutoff_high_V: float | None = None
    particle_diffusivity_m2_per_s: float | None = None
    exchange_current_A_per_m2: float | None = None
    film_resistance_ohm_m2: float = 0.0
    anode_thickness_um: float | None = None
    anode_active_volume_fraction: float | None = None
    anode_electrolyte_volume_fraction: float | None = None
    anode_tortuosity: float | None = None
    anode_particle_radius_um: float | None = None
    anode_initial_sto: float | None = None
    references: tuple[str, ...] = ()

    @property
    def full_cell(self) -> bool:
        """True with a composite anode (full DFN), False with a foil (half-cell form)."""
        return self.anode not in FOIL_ANODES


_ANODE_FIELDS = ("anode_thickness_um", "anode_active_volume_fraction", "anode_electrolyte_volume_fraction",
                 "anode_tortuosity", "anode_particle_radius_um")


def c_max_mol_m3(m: ActiveMaterial) -> float:
    """Maximum lithium concentration of an active material from its capacity and density, mol/m3.

    Parameters
    ----------
    m
        The material.

    Returns
    -------
    float
    """
    return m.capacity_theoretical_mAh_per_g * 3.6 * m.density_g_per_cm3 * 1e6 / FARADAY


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


def _ocp(m: ActiveMaterial, pybamm):
    x_tab, v_tab = m.ocv_table()
    interp = "cubic" if m.ocv_source.startswith("pybamm") else "linear"
    x_lo, x_hi = float(x_tab[0]), float(x_tab[-1])

    def ocp(sto):
        s = pybamm.maximum(pybamm.minimum(sto, x_hi), x_lo)
        return pybamm.Interpolant(x_tab, v_tab, s, interpolator=interp)

    return ocp


def _kinetics(kin: KineticData, d_s: float, j0_ref: float, pybamm):
    r_gas = pybamm.constants.R

    def diffusivity(sto, temp):
        return d_s * pybamm.exp(kin.diffusivity_ea_J_per_mol / r_gas * (1 / T_REF_K - 1 / temp))

    def j0(c_e, c_s_surf, c_s_max, temp):
        x = c_s_surf / c_s_max
        arr = pybamm.exp(kin.j0_ea_J_per_mol / r_gas * (1 / T_REF_K - 1 / temp))
        return j0_ref * arr * 2.0 * pybamm.sqrt(pybamm.maximum(x * (1 - x), 1e-12))

    return diffusivity, j0


def solid_state_parameter_dict(p: P2DParams, m: ActiveMaterial, pybamm) -> dict[str, Any]:
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
    kin = kinetics_for(m.name)
    diffusivity, j0 = _kinetics(kin, p.particle_diffusivity_m2_per_s or kin.diffusivity_m2_per_s,
                                p.exchange_current_A_per_m2 or kin.j0_A_per_m2, pybamm)
    c_max = c_max_mol_m3(m)
    side = math.sqrt(p.area_cm2) * 1e-2
    t_in = pybamm.InputParameter("T")
    eps_e = p.electrolyte_volume_fraction
    d: dict[str, Any] = {
        "chemistry": "lithium_ion",
        "Separator thickness [m]": p.separator_thickness_um * 1e-6,
        "Positive electrode thickness [m]": p.cathode_thickness_um * 1e-6,
        "Electrode height [m]": side,
        "Electrode width [m]": side,
        "Nominal cell capacity [A.h]": 1e-3,
        "Current function [A]": pybamm.InputParameter("I"),
        "Contact resistance [Ohm]": 0.0,
        "Positive electrode conductivity [S.m-1]": p.electronic_conductivity_S_per_cm * 100.0,
        "Maximum concentration in positive electrode [mol.m-3]": c_max,
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
        "Separator porosity": 1.0,
        "Separator tortuosity factor (electrolyte)": p.separator_tortuosity,
        "Separator tortuosity factor (electrode)": 1.0,
        # Single-ion conductor: t+ = 1, thermodynamic factor 1 -> uniform concentration.
        "Initial concentration in electrolyte [mol.m-3]": 1000.0,
        "Cation transference number": 1.0,
        "Thermodynamic factor": 1.0,
        "Electrolyte diffusivity [m2.s-1]": 1e-10,
        "Electrolyte conductivity [S.m-1]": p.sigma_se_S_per_cm * 100.0,
        "Ambient temperature [K]": t_in,
        "Initial temperature [K]": t_in,
        "Reference temperature [K]": T_REF_K,
        "Heat transfer coefficient [W.m-2.K-1]": 10.0,
        "Number of electrodes connected in parallel to make a cell": 1.0,
        "Number of cells connected in series to make a battery": 1.0,
        "Lower voltage cut-off [V]": pybamm.InputParameter("V_lo"),
        "Upper voltage cut-off [V]": pybamm.InputParameter("V_hi"),
        "Open-circuit voltage at 0% SOC [V]": _open_circuit(p, False)[1] + anode_shift_V(p),
        "Open-circuit voltage at 100% SOC [V]": _open_circuit(p, False)[0] + anode_shift_V(p),
        "Initial concentration in positive electrode [mol.m-3]": pybamm.InputParameter("sto0") * c_max,
    }
    if p.film_resistance_ohm_m2 > 0:
        # PyBaMM's film: resistivity x thickness = area-specific resistance per particle surface
        d.update({"Initial SEI thickness [m]": 1e-9, "SEI resistivity [Ohm.m]": p.film_resistance_ohm_m2 / 1e-9,
                  "SEI partial molar volume [m3.mol-1]": 1e-5})
    d.update(_anode_parameters(p, pybamm))
    return d


def _num(v: float | None) -> float:
    """A set number (the composite-anode fields are checked by :func:`check_anode` first)."""
    if v is None:
        raise InputError("a composite anode field is missing")
    return float(v)


def _anode_parameters(p: P2DParams, pybamm) -> dict[str, Any]:
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


def check_anode(p: P2DParams) -> None:
    """Raise :class:`InputError` unless a composite anode has all its fields (and a foil none).

    Parameters
    ----------
    p
        The cell.
    """
    if not p.full_cell:
        return
    ma = get_active_material(p.anode)
    if ma.role != "negative":
        raise InputError(f"anode {p.anode!r} is not a negative-electrode material")
    missing = [f for f in _ANODE_FIELDS if getattr(p, f) is None]
    if missing:
        raise InputError(f"a composite {p.anode} anode needs {', '.join(missing)}")
    for f in _ANODE_FIELDS:
        if not float(getattr(p, f)) > 0:
            raise InputError(f"{f} must be > 0, got {getattr(p, f)!r}")
    if _num(p.anode_active_volume_fraction) + _num(p.anode_electrolyte_volume_fraction) > 1.0 + 1e-9:
        raise InputError("anode_active_volume_fraction + anode_electrolyte_volume_fraction must be <= 1")
    if _num(p.anode_tortuosity) < 1.0:
        raise InputError(f"anode_tortuosity must be >= 1, got {p.anode_tortuosity!r}")


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


def anode_shift_V(p: P2DParams) -> float:
    """Potential of a foil counter electrode vs Li (PyBaMM's half cell puts it at 0 V); 0 for full cells.

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    float
        V.
    """
    return 0.0 if p.full_cell else get_active_material(p.anode).voltage_avg_V


def active_volume_m3(p: P2DParams) -> float:
    """Cathode active-material volume, m3.

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    float
        m3.
    """
    return p.active_volume_fraction * p.cathode_thickness_um * 1e-6 * p.area_cm2 * 1e-4


def nominal_current_A(p: P2DParams) -> float:
    """The 1C current: the cathode's practical capacity (loading x practical mAh/g) in one hour, A.

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    float
        A.
    """
    m = get_active_material(p.active_material)
    mass_g = active_volume_m3(p) * 1e6 * m.density_g_per_cm3
    return m.capacity_practical_mAh_per_g * mass_g * 3.6 / 3600.0


def anode_start_sto(p: P2DParams) -> float:
    """Anode lithium fraction at the start of a discharge (it holds the cathode's window).

    Parameters
    ----------
    p
        The cell (full cell).

    Returns
    -------
    float
        Lithium fraction.
    """
    if p.anode_initial_sto is not None:
        return float(p.anode_initial_sto)
    m, ma = get_active_material(p.active_material), get_active_material(p.anode)
    lo, hi = m.sto_range
    q_c = c_max_mol_m3(m) * active_volume_m3(p) * (hi - lo)
    v_a = _num(p.anode_active_volume_fraction) * _num(p.anode_thickness_um) * 1e-6 * p.area_cm2 * 1e-4
    return min(ma.sto_range[0] + q_c / (c_max_mol_m3(ma) * v_a), ma.sto_range[1])


def _open_circuit(p: P2DParams, charge: bool) -> tuple[float, float]:
    """(OCV at the start, OCV at the end of the windows) of a (dis)charge, cell voltage."""
    m = get_active_material(p.active_material)
    lo, hi = m.sto_range
    shift = anode_shift_V(p)
    if not p.full_cell:
        v_lo_end, v_hi_end = float(m.ocv_v(hi)) - shift, float(m.ocv_v(lo)) - shift
        return (v_lo_end, v_hi_end) if charge else (v_hi_end, v_lo_end)
    ma = get_active_material(p.anode)
    a_full, a_empty = anode_start_sto(p), ma.sto_range[0]
    charged = float(m.ocv_v(lo)) - float(ma.ocv_v(a_full))
    discharged = float(m.ocv_v(hi)) - float(ma.ocv_v(a_empty))
    return (discharged, charged) if charge else (charged, discharged)


def cutoff_V(p: P2DParams, charge: bool) -> float:
    """Cut-off of the cell (vs a foil counter electrode); checked against the open-circuit window.

    Parameters
    ----------
    p
        The cell.
    charge
        True for a charge.

    Returns
    -------
    float
        Cut-off, V.
    """
    v_start, v_end = _open_circuit(p, charge)
    if p.cutoff_V is None:
        return v_end
    c = float(p.cutoff_V)
    if not math.isfinite(c):
        raise InputError(f"cutoff_V must be a finite voltage, got {p.cutoff_V!r}")
    shift = anode_shift_V(p)
    if charge and not (v_start < c < 6.0 - shift):
        raise InputError(f"cutoff_V {c:g} V for a charge must lie above the open-circuit voltage at "
                         f"the start ({v_start:.3f} V vs {p.anode}) and below {6.0 - shift:.2f} V")
    if not charge and not (-shift < c < v_start):
        raise InputError(f"cutoff_V {c:g} V for a discharge must lie below the open-circuit voltage "
                         f"at the start ({v_start:.3f} V vs {p.anode}) and above {-shift:.2f} V (0 V vs Li)")
    return c


def initial_state(p: P2DParams, *, charge: bool) -> dict[str, float]:
    """PyBaMM inputs of a (dis)charge: initial stoichiometries and the cut-offs (PyBaMM's voltage).

    Parameters
    ----------
    p
        The cell.
    charge
        True for a charge.

    Returns
    -------
    dict
        ``sto0`` (``sto0_n``), ``V_lo``, ``V_hi``.
    """
    m = get_active_material(p.active_material)
    lo, hi = m.sto_range
    cut = cutoff_V(p, charge) + anode_shift_V(p)
    out = {"sto0": hi if charge else lo, "V_lo": 0.0 if charge else cut, "V_hi": cut if charge else 10.0}
    if p.full_cell:
        ma = get_active_material(p.anode)
        out["sto0_n"] = ma.sto_range[0] if charge else anode_start_sto(p)
    return out
