"""Kinetic and transport data of cathode active materials for the solid-state P2D model.

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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = [
    "KineticData",
    "KINETICS",
    "DEFAULT_KINETICS",
    "LITHIUM_EXCHANGE_CURRENT_A_PER_M2",
    "T_REF_K",
    "kinetics_for",
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
