"""Theoretical specific capacity of electrode materials (science.md section 4)."""

from __future__ import annotations

from ..constants import FARADAY
from ..errors import InputError, require_positive
from .composition import parse_composition

__all__ = ["theoretical_capacity_mah_per_g", "capacity_from_molar_mass"]

REFERENCE = "lecture (glass for batteries, 2024): C = F x / (3.6 M); science.md section 4"


def capacity_from_molar_mass(electrons: float, molar_mass_g_per_mol: float) -> float:
    """C = F x / (3.6 M) in mAh/g, x electrons per formula unit of molar mass M (g/mol).

    The factor 3.6 converts C/g to mAh/g (1 mAh = 3.6 C). Science.md section 4
    (lecture): C6 372, LiCoO2 274, Li 3860 mAh/g.

    Parameters
    ----------
    electrons
        Electrons (Li+ ions) exchanged per formula unit, x (> 0).
    molar_mass_g_per_mol
        Molar mass of the formula unit, g/mol (> 0).

    Returns
    -------
    float
        Theoretical specific capacity, mAh/g.

    Raises
    ------
    InputError
        When either argument is not a positive number.

    Examples
    --------
    Graphite, one Li per C6 (M = 72.06 g/mol):

    >>> round(capacity_from_molar_mass(1, 72.06))
    372
    """
    x = require_positive("electrons per formula unit", electrons)
    m = require_positive("molar mass (g/mol)", molar_mass_g_per_mol)
    return FARADAY * x / (3.6 * m)


def theoretical_capacity_mah_per_g(formula: str, electrons: float = 1.0) -> float:
    """Theoretical capacity of an intercalation, alloy or conversion electrode, mAh/g.

    C = F x / (3.6 M) (science.md section 4), with M the molar mass of the
    formula unit *as given* (the reference state the capacity is quoted per):

    * intercalation: ``"C6"`` with 1 e- (LiC6, 372), ``"LiCoO2"`` with 1 e- (274),
      ``"Li4Ti5O12"`` with 3 e- (175);
    * alloy: ``"Si"`` with 3.75 e- (Li15Si4, 3579), ``"In"`` with 1 e- (LiIn);
    * conversion: ``"FeS2"`` with 4 e- (894), ``"S"`` with 2 e- (1672);
    * metal: ``"Li"`` with 1 e- (3860).

    Parameters
    ----------
    formula
        Formula or mixture understood by :func:`ssbkit.materials.parse_composition`.
    electrons
        Electrons (Li+ ions) exchanged per formula unit, x (> 0).

    Returns
    -------
    float
        Theoretical specific capacity per g of the formula as given, mAh/g.

    Raises
    ------
    InputError
        For a formula that does not parse or has no mass, or ``electrons <= 0``.

    Examples
    --------
    >>> round(theoretical_capacity_mah_per_g("LiCoO2"))
    274
    >>> round(theoretical_capacity_mah_per_g("Si", 3.75))
    3579
    """
    comp = parse_composition(formula)
    if comp.weight <= 0:
        raise InputError(f"formula {formula!r} has no mass")
    return capacity_from_molar_mass(electrons, float(comp.weight))
