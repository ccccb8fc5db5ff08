"""Solid diffusivity and exchange current of the active materials (with Arrhenius energies).

The values are PyBaMM's published parameter sets (liquid-electrolyte cells);
against a solid electrolyte the interface is described per contact area in
:mod:`ssbkit.cell.interfaces`, and the solid diffusivity is the material's own.

The exchange-current density follows the symmetric Butler-Volmer form of those sets,
written with its value at half lithiation so the number reads directly in A/m2:

    j0(x, T) = j0_ref * 2 sqrt(x (1 - x)) * exp(E_r / R (1/T_ref - 1/T))
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Record

__all__ = ["KineticData", "KINETICS", "DEFAULT_KINETICS", "T_REF_K", "kinetics_for"]

#: Reference temperature of the Arrhenius laws below, K.
T_REF_K = 298.15


@dataclass(frozen=True)
class KineticData(Record):
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
        Exchange-current density at half lithiation, 25 degC, A per m2 of particle surface.
    j0_ea_J_per_mol
        Its Arrhenius activation energy, J/mol.
    references
        Citation keys (ssbkit/citations/data/cell.bib).
    """

    name: str
    diffusivity_m2_per_s: float
    diffusivity_ea_J_per_mol: float
    j0_A_per_m2: float
    j0_ea_J_per_mol: float
    references: tuple[str, ...]


# Activation energy 0 where the set's value is constant in T.
# j0_ref = m_ref * sqrt(1000 mol/m3) * c_max / 2 from each set's exchange-current function.
KINETICS: dict[str, KineticData] = {
    "LiCoO2": KineticData("LiCoO2", 1.0e-14, 18550.0, 1.836, 39570.0, ("Ramadass2004",)),
    "NCM811": KineticData("NCM811", 4.0e-15, 0.0, 3.41, 17800.0, ("Chen2020",)),
    "NCM622": KineticData("NCM622", 4.0e-15, 0.0, 3.41, 17800.0, ("Chen2020",)),
    "NCM111": KineticData("NCM111", 8.0e-15, 18550.0, 2.70, 39570.0, ("Mohtat2020",)),
    "NCA": KineticData("NCA", 3.0e-15, 20000.0, 4.0, 30000.0, ("Kim2011",)),
    "LFP": KineticData("LFP", 5.9e-18, 0.0, 0.216, 39570.0, ("Prada2013",)),
    "graphite": KineticData("graphite", 3.3e-14, 0.0, 0.34, 35000.0, ("Chen2020",)),
}

#: Used for materials without their own row (a mid-range layered oxide, Ramadass 2004 LiCoO2).
DEFAULT_KINETICS = KineticData("default", 1.0e-14, 18550.0, 1.836, 39570.0, ("Ramadass2004",))


def kinetics_for(name: str) -> KineticData:
    """Kinetic data of active material ``name`` (case-insensitive), or the generic default.

    Parameters
    ----------
    name
        Active-material name, e.g. ``"LiCoO2"``, ``"NCM811"``.

    Returns
    -------
    KineticData
        The material's row, or :data:`DEFAULT_KINETICS` (named ``"default"``) when it has none.

    Examples
    --------
    >>> kinetics_for("lico2").diffusivity_m2_per_s
    1e-14
    """
    lower = {k.lower().replace(" ", ""): v for k, v in KINETICS.items()}
    return lower.get(name.lower().replace(" ", ""), DEFAULT_KINETICS)
