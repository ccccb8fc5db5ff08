"""Parameters of the solid-state P2D model: material kinetics and the PyBaMM parameter set.

The open-circuit curves, capacities and densities come from
:mod:`ssbkit.cell.active_materials`; this module holds what only the porous-electrode
simulation needs: the solid diffusivity of lithium in the active particles and the
exchange-current density of the active material | electrolyte interface, each with
its Arrhenius activation energy and its source. The values are PyBaMM's published
parameter sets (liquid-electrolyte cells: the interface to a solid electrolyte may be
slower; override them per simulation through :class:`ssbkit.cell.p2d.P2DParams`).

The exchange-current density follows the symmetric Butler-Volmer form of those sets,
written with its value at half lithiation so the number reads directly in A/m2:

    j0(x, T) = j0_ref * 2 sqrt(x (1 - x)) * exp(E_r / R (1/T_ref - 1/T))

(the electrolyte concentration of a single-ion conductor does not change, so the
c_e^0.5 factor of the liquid sets is a constant folded into ``j0_ref``).

:func:`solid_state_parameter_dict` turns a :class:`ssbkit.cell.p2d.P2DParams` into
PyBaMM parameter values for the half-cell DFN (see :mod:`ssbkit.cell.p2d`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..constants import FARADAY

if TYPE_CHECKING:
    from .active_materials import ActiveMaterial
    from .p2d import P2DParams

__all__ = [
    "KineticData",
    "KINETICS",
    "DEFAULT_KINETICS",
    "LITHIUM_EXCHANGE_CURRENT_A_PER_M2",
    "T_REF_K",
    "kinetics_for",
    "solid_state_parameter_dict",
]

#: Reference temperature of the Arrhenius laws below, K.
T_REF_K = 298.15


@dataclass(frozen=True)
class KineticData:
    """Solid diffusivity and interface kinetics of one active material.

    Attributes
    ----------
    name
        Active-material name (as in :mod:`ssbkit.cell.active_materials`).
    diffusivity_m2_per_s
        Lithium diffusivity in the particles at 25 degC, m2/s.
    diffusivity_ea_J_per_mol
        Its Arrhenius activation energy, J/mol.
    j0_A_per_m2
        Exchange-current density at half lithiation, 25 degC, 1 M-equivalent
        electrolyte, A per m2 of particle surface.
    j0_ea_J_per_mol
        Its Arrhenius activation energy, J/mol.
    references
        Where the numbers come from.
    """

    name: str
    diffusivity_m2_per_s: float
    diffusivity_ea_J_per_mol: float
    j0_A_per_m2: float
    j0_ea_J_per_mol: float
    references: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)


_RAMADASS = "Ramadass et al., J. Electrochem. Soc. 151 (2004) A196 (PyBaMM set Ramadass2004)"
_CHEN = "Chen et al., J. Electrochem. Soc. 167 (2020) 080534 (PyBaMM set Chen2020)"
_PRADA = "Prada et al., J. Electrochem. Soc. 160 (2013) A616 (PyBaMM set Prada2013)"
_KIM = "Kim et al., J. Electrochem. Soc. 158 (2011) A955 (PyBaMM set NCA_Kim2011)"
_MOHTAT = "Mohtat et al., J. Electrochem. Soc. 167 (2020) 110561 (PyBaMM set Mohtat2020)"

# Activation energy 0 where the set's value is constant in T.
# j0_ref = m_ref * sqrt(1000 mol/m3) * c_max / 2 from each set's exchange-current function.
KINETICS: dict[str, KineticData] = {
    "LiCoO2": KineticData("LiCoO2", 1.0e-14, 18550.0, 1.836, 39570.0, (_RAMADASS,)),
    "NCM811": KineticData("NCM811", 4.0e-15, 0.0, 3.41, 17800.0, (_CHEN,)),
    "NCM622": KineticData("NCM622", 4.0e-15, 0.0, 3.41, 17800.0, (_CHEN,)),
    "NCM111": KineticData("NCM111", 8.0e-15, 18550.0, 2.70, 39570.0, (_MOHTAT,)),
    "NCA": KineticData("NCA", 3.0e-15, 20000.0, 4.0, 30000.0, (_KIM,)),
    "LFP": KineticData("LFP", 5.9e-18, 0.0, 0.216, 39570.0, (_PRADA,)),
}

#: Used for materials without their own row (a mid-range layered oxide, Ramadass2004 LCO).
DEFAULT_KINETICS = KineticData(
    "default", 1.0e-14, 18550.0, 1.836, 39570.0,
    (_RAMADASS + "; generic value, no material-specific data",),
)

#: Exchange-current density of the lithium-metal counter electrode, A/m2: Xu2019's
#: 3.5e-8 F c_Li^0.7 c_e^0.3 at c_Li = 76,900 mol/m3 and c_e = 1000 mol/m3
#: (Xu et al., J. Electrochem. Soc. 166 (2019) A3456), i.e. ~3.7 Ohm cm2 charge transfer.
LITHIUM_EXCHANGE_CURRENT_A_PER_M2 = 70.0

def kinetics_for(name: str) -> KineticData:
    """Kinetic data of active material ``name`` (case-insensitive), or the generic default.

    Parameters
    ----------
    name
        Active-material name, e.g. ``"LiCoO2"``, ``"NCM811"``.

    Returns
    -------
    KineticData
        The material's row, or :data:`DEFAULT_KINETICS` (its references say so) when the
        material has none.
    """
    lower = {k.lower().replace(" ", ""): v for k, v in KINETICS.items()}
    return lower.get(name.lower().replace(" ", ""), DEFAULT_KINETICS)


def solid_state_parameter_dict(p: P2DParams, m: ActiveMaterial, pybamm) -> dict[str, Any]:
    """PyBaMM parameter values of the solid-state half cell described in :mod:`ssbkit.cell.p2d`.

    Parameters
    ----------
    p
        The cell (:class:`ssbkit.cell.p2d.P2DParams`).
    m
        Its cathode active material (capacity, density, open-circuit table).
    pybamm
        The imported ``pybamm`` module (imported by the caller, lazily).

    Returns
    -------
    dict
        For ``pybamm.ParameterValues``; input parameters ``I`` (current, A, > 0 on
        discharge), ``kappa`` (SE conductivity, S/m), ``T`` (K), ``sto0`` (initial
        lithium fraction) and ``V_lo``/``V_hi`` (cut-offs vs Li, V).
    """
    kin = kinetics_for(m.name)
    d_s = p.particle_diffusivity_m2_per_s or kin.diffusivity_m2_per_s
    j0_ref = p.exchange_current_A_per_m2 or kin.j0_A_per_m2
    r_gas = pybamm.constants.R
    c_max = m.capacity_theoretical_mAh_per_g * 3.6 * m.density_g_per_cm3 * 1e6 / FARADAY
    x_tab, v_tab = m.ocv_table()
    interp = "cubic" if m.ocv_source.startswith("pybamm") else "linear"
    x_lo, x_hi = float(x_tab[0]), float(x_tab[-1])

    def ocp(sto):
        s = pybamm.maximum(pybamm.minimum(sto, x_hi), x_lo)
        return pybamm.Interpolant(x_tab, v_tab, s, interpolator=interp)

    def diffusivity(sto, temp):
        return d_s * pybamm.exp(kin.diffusivity_ea_J_per_mol / r_gas * (1 / T_REF_K - 1 / temp))

    def j0(c_e, c_s_surf, c_s_max, temp):
        x = c_s_surf / c_s_max
        arr = pybamm.exp(kin.j0_ea_J_per_mol / r_gas * (1 / T_REF_K - 1 / temp))
        return j0_ref * arr * 2.0 * pybamm.sqrt(pybamm.maximum(x * (1 - x), 1e-12))

    def j0_li(c_e, c_li, temp):
        return LITHIUM_EXCHANGE_CURRENT_A_PER_M2 + 0.0 * c_e

    side = math.sqrt(p.area_cm2) * 1e-2
    t_in = pybamm.InputParameter("T")
    eps_e = p.electrolyte_volume_fraction
    l_li = 100e-6
    return {
        "chemistry": "lithium_ion",
        "Negative electrode thickness [m]": l_li,
        "Lithium counter electrode thickness [m]": l_li,
        "Separator thickness [m]": p.separator_thickness_um * 1e-6,
        "Positive electrode thickness [m]": p.cathode_thickness_um * 1e-6,
        "Electrode height [m]": side,
        "Electrode width [m]": side,
        "Nominal cell capacity [A.h]": 1e-3,
        "Current function [A]": pybamm.InputParameter("I"),
        "Contact resistance [Ohm]": 0.0,
        "Negative electrode OCP [V]": 0.0,
        "Negative electrode conductivity [S.m-1]": 1.08e7,
        "Negative electrode OCP entropic change [V.K-1]": 0.0,
        "Lithium metal partial molar volume [m3.mol-1]": 1.3e-05,
        "Exchange-current density for lithium metal electrode [A.m-2]": j0_li,
        "Negative electrode charge transfer coefficient": 0.5,
        "Negative electrode double-layer capacity [F.m-2]": 0.2,
        "Positive electrode conductivity [S.m-1]": p.electronic_conductivity_S_per_cm * 100.0,
        "Maximum concentration in positive electrode [mol.m-3]": c_max,
        "Positive particle diffusivity [m2.s-1]": diffusivity,
        "Positive electrode OCP [V]": ocp,
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
        "Electrolyte conductivity [S.m-1]": pybamm.InputParameter("kappa"),
        "Ambient temperature [K]": t_in,
        "Initial temperature [K]": t_in,
        "Reference temperature [K]": T_REF_K,
        "Heat transfer coefficient [W.m-2.K-1]": 10.0,
        "Number of electrodes connected in parallel to make a cell": 1.0,
        "Number of cells connected in series to make a battery": 1.0,
        "Lower voltage cut-off [V]": pybamm.InputParameter("V_lo"),
        "Upper voltage cut-off [V]": pybamm.InputParameter("V_hi"),
        "Open-circuit voltage at 0% SOC [V]": float(m.ocv_v(m.sto_range[1])),
        "Open-circuit voltage at 100% SOC [V]": float(m.ocv_v(m.sto_range[0])),
        "Initial concentration in positive electrode [mol.m-3]":
            pybamm.InputParameter("sto0") * c_max,
    }

