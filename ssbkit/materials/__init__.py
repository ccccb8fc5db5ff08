"""Compositions, theoretical capacity, densities and the literature dataset."""

from .capacity import capacity_from_molar_mass, theoretical_capacity_mah_per_g
from .composition import (
    Mixture,
    mass_fractions,
    molar_mass_g_per_mol,
    parse_composition,
    parse_mixture,
)
from .dataset import (
    DATASET_VERSION,
    filter_dataset,
    find_electrolyte,
    load_dataset,
    matching_electrolytes,
)
from .densities import density_g_cm3, density_reference, density_table

__all__ = [
    "capacity_from_molar_mass",
    "theoretical_capacity_mah_per_g",
    "Mixture",
    "mass_fractions",
    "molar_mass_g_per_mol",
    "parse_composition",
    "parse_mixture",
    "DATASET_VERSION",
    "filter_dataset",
    "find_electrolyte",
    "matching_electrolytes",
    "load_dataset",
    "density_g_cm3",
    "density_reference",
    "density_table",
]
