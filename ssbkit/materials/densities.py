"""Densities of common ASSB materials, each with its reference (bundled CSV)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from ..errors import InputError, did_you_mean

__all__ = ["density_table", "density_g_cm3", "density_reference"]


@lru_cache(maxsize=1)
def density_table() -> pd.DataFrame:
    """All bundled densities (columns: name, formula, density_g_per_cm3, kind, reference).

    Returns
    -------
    pandas.DataFrame
        One row per material, density in g/cm3, each with its reference. Cached:
        do not modify it in place (copy it first).
    """
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
    """Density (g/cm3) of a material by name or formula, e.g. ``"LiCoO2"``, ``"Li6PS5Cl"``.

    Parameters
    ----------
    name
        Material name or formula (case-insensitive).

    Returns
    -------
    float
        Density, g/cm3.

    Raises
    ------
    InputError
        When no bundled row matches (with the closest names).

    Examples
    --------
    >>> density_g_cm3("LiCoO2")
    5.05
    """
    return float(_row(name)["density_g_per_cm3"])


def density_reference(name: str) -> str:
    """The reference behind :func:`density_g_cm3` for ``name``.

    Parameters
    ----------
    name
        Material name or formula (case-insensitive).

    Returns
    -------
    str
        The source of the bundled density.

    Raises
    ------
    InputError
        When no bundled row matches.

    Examples
    --------
    >>> density_reference("Li")
    'CRC Handbook of Chemistry and Physics, 97th ed. (2016)'
    """
    return str(_row(name)["reference"])
