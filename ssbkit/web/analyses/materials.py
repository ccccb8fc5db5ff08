"""Materials: nominal compositions (same reduced formula) and the bundled literature dataset."""

from __future__ import annotations

from functools import cache
from typing import Any

from ssbkit.errors import SsbkitError

__all__ = ["reduced_formula", "same_composition", "dataset_rows"]


@cache
def reduced_formula(composition: str) -> str | None:
    """Reduced formula of a composition in the field's notation, None where it does not parse.

    Parameters
    ----------
    composition
        e.g. ``75Li2S-25P2S5`` or ``Li3PS4``.

    Returns
    -------
    str or None
    """
    from ssbkit.materials import parse_composition

    try:
        return parse_composition(composition).reduced_formula
    except (SsbkitError, ValueError, KeyError):
        return None


def same_composition(a: str, b: str) -> bool:
    """Whether two compositions are the same nominal material (same reduced formula).

    Parameters
    ----------
    a, b
        Compositions in the field's notation.

    Returns
    -------
    bool
    """
    ra, rb = reduced_formula(a), reduced_formula(b)
    return (ra is not None and ra == rb) or a.strip() == b.strip()


def dataset_rows(composition: str) -> list[dict[str, Any]]:
    """Rows of the bundled literature dataset with the same nominal composition, each with its reference.

    Parameters
    ----------
    composition
        In the field's notation.

    Returns
    -------
    list of dict
        ``name, composition, form, sigma_S_per_cm, sigma_T_C, Ea_eV, reference, dataset``.
    """
    from ssbkit.materials import load_dataset

    df = load_dataset()
    out = []
    for r in df.itertuples():
        if same_composition(str(r.composition), composition):
            ea = None if r.Ea_eV != r.Ea_eV else float(r.Ea_eV)
            out.append({"name": r.name, "composition": r.composition, "form": r.form,
                        "sigma_S_per_cm": float(r.sigma_S_per_cm), "sigma_T_C": float(r.sigma_T_C),
                        "Ea_eV": ea, "reference": r.reference, "dataset": "ssbkit", "upper_bound": False})
    return out

