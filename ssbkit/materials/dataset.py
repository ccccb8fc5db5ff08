"""The bundled, versioned literature dataset of solid electrolytes.

Every row carries its reference. Sources: the tables of the seeds (Lin et al.,
Materials 16 (2023) 2655; the 2024 lecture on glass for batteries; the 2019
transport review) as collected in ``shared/reference/*.csv``, plus curated
rows for the common electrolytes (LGPS, Li6PS5Cl, beta-Li3PS4, Li7P3S11, LLZO,
LATP, Li3YCl6, Li3InCl6, Na3SbS4, LiPON), each from its original paper.
``scripts/build_dataset.py`` rebuilds the CSV.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..errors import InputError, did_you_mean

__all__ = ["DATASET_VERSION", "load_dataset", "filter_dataset", "find_electrolyte", "matching_electrolytes", "FAMILIES", "FORMS"]

DATASET_VERSION = "2026.11.0"
FAMILIES = ("sulfide", "oxide", "halide", "polymer", "other")
FORMS = ("glass", "glass-ceramic", "crystal", "ceramic")


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    with resources.files("ssbkit.materials.data").joinpath("electrolytes.csv").open() as fh:
        df = pd.read_csv(fh)
    df.insert(0, "id", np.arange(len(df)))
    return df


def load_dataset() -> pd.DataFrame:
    """All rows of the dataset as a new DataFrame.

    Columns: ``id, name, composition, family, form, synthesis, heat_treatment,
    sigma_S_per_cm, sigma_T_C, Ea_eV, Tg_C, Tc_C, window_V, cell, cell_capacity,
    reference, note``. ``df.attrs["version"]`` holds :data:`DATASET_VERSION`.

    Returns
    -------
    pandas.DataFrame
        A copy (safe to modify); conductivity in S/cm at ``sigma_T_C`` (degC),
        activation energy in eV, temperatures in degC.

    Examples
    --------
    >>> df = load_dataset()
    >>> df.attrs["version"] == DATASET_VERSION, bool(df["reference"].notna().all())
    (True, True)
    """
    df = _load().copy()
    df.attrs["version"] = DATASET_VERSION
    return df


def filter_dataset(
    *,
    family: str | None = None,
    form: str | None = None,
    contains: str | None = None,
    min_sigma_S_per_cm: float | None = None,
    with_ea: bool = False,
) -> pd.DataFrame:
    """Rows matching all given filters.

    Parameters
    ----------
    family, form
        Exact family (``sulfide``, ``oxide``, ``halide``, ``polymer``) or form.
    contains
        Case-insensitive substring of the name or composition.
    min_sigma_S_per_cm
        Keep rows with sigma at their stated temperature >= this value (S/cm).
    with_ea
        Keep only rows that report an activation energy.

    Returns
    -------
    pandas.DataFrame
        The matching rows (possibly none), columns as for :func:`load_dataset`.

    Raises
    ------
    InputError
        For an unknown family or form (with the closest name).

    Examples
    --------
    >>> rows = filter_dataset(family="sulfide", min_sigma_S_per_cm=1e-3)
    >>> bool((rows["sigma_S_per_cm"] >= 1e-3).all()), set(rows["family"])
    (True, {'sulfide'})
    """
    df = load_dataset()
    if family is not None:
        if family not in FAMILIES:
            raise InputError(f"unknown family {family!r}{did_you_mean(family, FAMILIES)}")
        df = df[df["family"] == family]
    if form is not None:
        if form not in FORMS:
            raise InputError(f"unknown form {form!r}{did_you_mean(form, FORMS)}")
        df = df[df["form"] == form]
    if contains:
        key = contains.lower()
        df = df[df["name"].str.lower().str.contains(key, regex=False)
                | df["composition"].str.lower().str.contains(key, regex=False)]
    if min_sigma_S_per_cm is not None:
        df = df[df["sigma_S_per_cm"] >= float(min_sigma_S_per_cm)]
    if with_ea:
        df = df[df["Ea_eV"].notna()]
    return df


def matching_electrolytes(name: str) -> pd.DataFrame:
    """Every row whose name (or else composition) matches ``name``, in preference order.

    Exact name first, then exact composition. Rows with both a conductivity and
    an activation energy come before incomplete ones; among those, the row with
    the lowest activation energy, then the lowest dataset ``id`` (a stable rule,
    not a judgement of which paper is right: name the row by ``id`` to choose).

    Parameters
    ----------
    name
        Electrolyte name or composition (case-insensitive, surrounding blanks ignored).

    Returns
    -------
    pandas.DataFrame
        The matching rows, best first (empty when nothing matches).

    Examples
    --------
    >>> rows = matching_electrolytes("Li7P3S11")
    >>> len(rows) > 1
    True
    """
    df = load_dataset()
    key = name.strip().lower()
    hit = df[df["name"].str.lower() == key]
    if hit.empty:
        hit = df[df["composition"].str.lower() == key]
    complete = hit["sigma_S_per_cm"].notna() & hit["Ea_eV"].notna()
    return (hit.assign(_incomplete=~complete)
               .sort_values(["_incomplete", "Ea_eV", "id"], na_position="last", kind="stable")
               .drop(columns="_incomplete"))


def find_electrolyte(name: str, *, row_id: int | None = None) -> pd.Series:
    """The row whose name (or else composition) matches ``name`` best.

    The first row of :func:`matching_electrolytes`; with ``row_id``, exactly that
    dataset row (which must match ``name``). Callers that show a result should
    say when :func:`matching_electrolytes` holds more than one row.

    Parameters
    ----------
    name
        Electrolyte name or composition (case-insensitive, surrounding blanks ignored).
    row_id
        Dataset ``id`` of the row to use among several matches (optional).

    Returns
    -------
    pandas.Series
        The row, fields as the columns of :func:`load_dataset`.

    Raises
    ------
    InputError
        When neither a name nor a composition matches, or ``row_id`` is not among the matches.

    Examples
    --------
    >>> str(find_electrolyte("LGPS")["composition"])
    'Li10GeP2S12'
    """
    hit = matching_electrolytes(name)
    if hit.empty:
        df = load_dataset()
        raise InputError(
            f"electrolyte {name!r} is not in the dataset{did_you_mean(name, list(df['name']) + list(df['composition']))}"
        )
    if row_id is None:
        return hit.iloc[0]
    chosen = hit[hit["id"] == row_id]
    if chosen.empty:
        raise InputError(f"dataset row id {row_id} does not match electrolyte {name!r}; "
                         f"matching ids: {', '.join(str(i) for i in hit['id'])}")
    return chosen.iloc[0]
