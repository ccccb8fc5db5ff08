"""Densities of common ASSB materials, each with its reference (bundled CSV)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from ..errors import InputError, did_you_mean

__all__ = ["density_table", "density_g_cm3", "density_reference"]


@lru_cache(maxsize=1)
def density_table() -> pd.DataFrame:
    """All bundled densities (columns: name, formula, density_g_per_cm3, kind, reference)."""
    with resources.files("ssbkit.materials.data").joinpath("densities.csv").open() as fh:
        return pd.read_csv(fh)


def _row(name: str) -> pd.Series:
    tab = density_table()
    key = name.strip().lower()
    hit = tab[(tab["name"].str.lower() == key) | (tab["formula"].str.lower() == key)]
    if hit.empty:
        names = list(tab["name"]) + list(tab["formula"])
        raise InputError(f"no bundled density for {name!r}{did_you_mean(name, names)}; give it explicitly")
    return hit.iloc[0]


def density_g_cm3(name: str) -> float:
    """Density (g/cm3) of a material by name or formula, e.g. ``"LiCoO2"``, ``"Li6PS5Cl"``."""
    return float(_row(name)["density_g_per_cm3"])


def density_reference(name: str) -> str:
    """The reference behind :func:`density_g_cm3` for ``name``."""
    return str(_row(name)["reference"])
