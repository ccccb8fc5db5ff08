"""Literature rows to compare with: the bundled dataset (through :mod:`ssbkit.web.analyses`) and OBELiX.

OBELiX (Therrien et al., arXiv:2502.14234, 2025; CC BY 4.0; ``data/obelix.csv``,
see ``data/obelix_ATTRIBUTION.txt``) adds 599 room-temperature conductivities,
each shown with the DOI of its source paper.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from .analyses import dataset_rows, finite, reduced_formula

__all__ = ["literature_rows", "obelix_rows", "OBELIX_REFERENCE"]

_OBELIX = Path(__file__).with_name("data") / "obelix.csv"
OBELIX_REFERENCE = ("OBELiX: Therrien et al., arXiv:2502.14234 (2025), github.com/NRC-Mila/OBELiX, CC BY 4.0")


@cache
def _obelix_table() -> tuple[tuple[str, str, str, str, str, str | None], ...]:
    import csv

    with open(_OBELIX, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        out.append((r["obelix_id"], r["reduced_composition"], r["composition"], r["sigma_S_per_cm"], r["family"],
                    reduced_formula(r["reduced_composition"])))
    return tuple(out)


def obelix_rows(composition: str) -> list[dict[str, Any]]:
    """Rows of OBELiX (599 room-temperature conductivities, CC BY 4.0) with the same reduced formula.

    Parameters
    ----------
    composition
        In the field's notation.

    Returns
    -------
    list of dict
        As :func:`literature_rows`; ``sigma_T_C`` is None (room temperature), ``upper_bound`` True for
        values given as ``<x``; ``reference`` is the row's DOI and OBELiX.
    """
    target = reduced_formula(composition)
    if target is None or not _OBELIX.is_file():
        return []
    out = []
    for oid, red, comp, sig, fam, red_parsed in _obelix_table():
        if red_parsed != target:
            continue
        text = sig.strip()
        bound = text.startswith("<")
        val = finite(text.lstrip("<").strip())
        if val is None:
            continue
        out.append({"name": f"{red} (OBELiX {oid})", "composition": comp, "form": fam, "sigma_S_per_cm": val,
                    "sigma_T_C": None, "Ea_eV": None, "upper_bound": bound, "dataset": "OBELiX",
                    "reference": f"doi:{_doi(oid)}; via {OBELIX_REFERENCE}"})
    return out


@cache
def _dois() -> dict[str, str]:
    import csv

    with open(_OBELIX, newline="", encoding="utf-8") as fh:
        return {r["obelix_id"]: r["doi"] for r in csv.DictReader(fh)}


def _doi(oid: str) -> str:
    return _dois().get(oid, "")



def literature_rows(composition: str) -> list[dict[str, Any]]:
    """The bundled dataset's rows, then OBELiX's, with the same nominal composition.

    Parameters
    ----------
    composition
        In the field's notation.

    Returns
    -------
    list of dict
        ``name, composition, form, sigma_S_per_cm, sigma_T_C, Ea_eV, reference, dataset, upper_bound``.
    """
    return dataset_rows(composition) + obelix_rows(composition)
