"""Active materials: capacities, densities, voltages and open-circuit curves.

Every row of ``data/active_materials.csv`` carries its references. The
theoretical capacity is computed from the formula, C = F x / (3.6 M) mAh/g
(science.md section 4), never typed in. Open-circuit curves come from the
published fits that PyBaMM ships (evaluated once to a table on first use,
PyBaMM imported lazily) or, for materials PyBaMM has no curve for, from a
piecewise-linear table of plateau values with its reference
(``data/ocv_points.csv``).

Stoichiometry convention (as in PyBaMM): ``sto`` is the lithium fraction of the
host, 0 = delithiated, 1 = fully lithiated. A cathode discharges from
``sto_range[0]`` to ``sto_range[1]``; an anode from ``sto_range[1]`` to
``sto_range[0]``.

Example
-------
>>> from ssbkit.cell import get_active_material
>>> lco = get_active_material("LiCoO2")
>>> round(lco.capacity_theoretical_mAh_per_g)
274
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from ..constants import FARADAY
from ..errors import InputError, did_you_mean
from ..records import Record

__all__ = [
    "ActiveMaterial",
    "get_active_material",
    "list_active_materials",
    "capacity_from_formula_mah_per_g",
    "pybamm_ocv_table",
]

_DATA = Path(__file__).with_name("data")
_N_TABLE = 201


@dataclass(frozen=True)
class ActiveMaterial(Record):
    """One active material with its reference data.

    Attributes
    ----------
    name, formula
        Display name and the formula unit the capacity refers to (``C6`` for graphite).
    electrons
        Li exchanged per formula unit (x in C = F x / (3.6 M)).
    role
        ``"positive"`` or ``"negative"`` (where it is usually used; not enforced).
    capacity_theoretical_mAh_per_g, capacity_practical_mAh_per_g
        Per gram of the formula unit.
    density_g_per_cm3
        Density of the (delithiated or host) active material.
    voltage_avg_V
        Average potential vs Li/Li+.
    sto_range
        (x_min, x_max) usable lithium fraction; its width times the theoretical
        capacity is about the practical capacity.
    ocv_source, ocv_domain
        Where the open-circuit curve comes from and the stoichiometries where it holds.
    references
        Sources of every number above.
    """

    name: str
    formula: str
    electrons: float
    role: str
    capacity_theoretical_mAh_per_g: float
    capacity_practical_mAh_per_g: float
    density_g_per_cm3: float
    voltage_avg_V: float
    sto_range: tuple[float, float]
    ocv_source: str
    ocv_domain: tuple[float, float]
    references: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def volumetric_capacity_mAh_per_cm3(self) -> float:
        """Practical capacity per cm3 of dense active material."""
        return self.capacity_practical_mAh_per_g * self.density_g_per_cm3

    def ocv_v(self, sto: ArrayLike) -> float | np.ndarray:
        """Open-circuit potential vs Li/Li+ (V) at lithium fraction ``sto``.

        Values outside ``ocv_domain`` are clamped to its ends (the published
        fits diverge there). Accepts scalars or arrays.

        Parameters
        ----------
        sto
            Lithium fraction(s), 0-1.

        Returns
        -------
        numpy.ndarray or float
            Potential vs Li/Li+, V.
        """
        x, v = _ocv_table(self.name)
        s = np.asarray(sto, dtype=float)
        if np.any(~np.isfinite(s)):
            raise InputError(f"stoichiometry for {self.name} OCV must be finite")
        out = np.interp(s, x, v)
        return float(out) if out.ndim == 0 else out

    def ocv_table(self) -> tuple[np.ndarray, np.ndarray]:
        """The tabulated open-circuit curve (sto, V) over ``ocv_domain`` (copies).

        Returns
        -------
        tuple of numpy.ndarray
            (sto, V) of the tabulated curve.
        """
        x, v = _ocv_table(self.name)
        return x.copy(), v.copy()

    def ocv_window_V(self) -> tuple[float, float]:
        """(min, max) open-circuit potential over ``sto_range``.

        Returns
        -------
        tuple of float
            (min, max) potential over the window, V.
        """
        s = np.linspace(*self.sto_range, 101)
        v = self.ocv_v(s)
        return float(np.min(v)), float(np.max(v))


def capacity_from_formula_mah_per_g(formula: str, electrons: float) -> float:
    """Theoretical specific capacity C = F x / (3.6 M) in mAh/g (science.md section 4).

    Uses :func:`ssbkit.materials.theoretical_capacity_mah_per_g` where the
    materials layer provides it, else pymatgen's molar mass directly.

    Parameters
    ----------
    formula
        Formula unit (pymatgen syntax), e.g. ``"LiCoO2"``, ``"C6"``.
    electrons
        Electrons (Li) exchanged per formula unit.

    Returns
    -------
    float
        Theoretical capacity, mAh/g.
    """
    try:
        from ..materials import theoretical_capacity_mah_per_g
    except ImportError:
        pass
    else:
        return float(theoretical_capacity_mah_per_g(formula, electrons))
    from pymatgen.core import Composition

    try:
        molar_mass = float(Composition(formula).weight)
    except Exception as exc:  # pymatgen raises several types for bad formulas
        raise InputError(f"cannot parse formula {formula!r}: {exc}") from None
    return FARADAY * float(electrons) / (3.6 * molar_mass)


def _split(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


@functools.lru_cache(maxsize=1)
def _rows() -> dict[str, dict[str, str]]:
    with open(_DATA / "active_materials.csv", newline="", encoding="utf-8") as fh:
        return {row["name"]: row for row in csv.DictReader(fh)}


@functools.lru_cache(maxsize=1)
def _alias_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for name, row in _rows().items():
        for key in (name, *_split(row["aliases"])):
            out[key.lower().replace("–", "-")] = name
    return out


@functools.cache
def _material(name: str) -> ActiveMaterial:
    row = _rows()[name]
    electrons = float(row["electrons"])
    return ActiveMaterial(
        name=name,
        formula=row["formula"],
        electrons=electrons,
        role=row["role"],
        capacity_theoretical_mAh_per_g=capacity_from_formula_mah_per_g(row["formula"], electrons),
        capacity_practical_mAh_per_g=float(row["capacity_practical_mAh_per_g"]),
        density_g_per_cm3=float(row["density_g_per_cm3"]),
        voltage_avg_V=float(row["voltage_avg_V"]),
        sto_range=(float(row["sto_min"]), float(row["sto_max"])),
        ocv_source=row["ocv_source"],
        ocv_domain=(float(row["ocv_domain_min"]), float(row["ocv_domain_max"])),
        references=tuple(r.strip() for r in row["references"].split(";") if r.strip()),
        aliases=_split(row["aliases"]),
    )


def list_active_materials() -> list[str]:
    """Names of the bundled active materials.

    Returns
    -------
    list of str
        Names of the bundled materials.

    Examples
    --------
    >>> "NCM811" in list_active_materials()
    True
    """
    return list(_rows())


def get_active_material(name: str) -> ActiveMaterial:
    """Look up an active material by name or alias (case-insensitive).

    Raises
    ------
    InputError
        For an unknown name, suggesting the closest one.

    Parameters
    ----------
    name
        Name or alias (case-insensitive).

    Returns
    -------
    ActiveMaterial
        The material; unknown names raise InputError with a suggestion.
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"active material must be a name, got {name!r}")
    key = name.strip().lower().replace("–", "-")
    aliases = _alias_map()
    if key not in aliases:
        raise InputError(
            f"unknown active material {name!r}" + did_you_mean(name, list(_rows()) + [
                a for r in _rows().values() for a in _split(r["aliases"])
            ])
        )
    return _material(aliases[key])


def pybamm_ocv_table(name: str, n: int = _N_TABLE) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the PyBaMM OCP function of ``name`` on ``n`` points of its domain.

    Imports PyBaMM (raises ``ImportError`` where it is not installed).

    Parameters
    ----------
    name
        Material with a PyBaMM OCP source.
    n
        Number of points.

    Returns
    -------
    tuple of numpy.ndarray
        (sto, V).
    """
    row = _rows()[get_active_material(name).name]
    _, module, func = row["ocv_source"].split(":")
    import importlib
    import warnings

    mod = importlib.import_module(f"pybamm.input.parameters.lithium_ion.{module}")
    x = np.linspace(float(row["ocv_domain_min"]), float(row["ocv_domain_max"]), n)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        v = np.asarray(getattr(mod, func)(x), dtype=float)
    return x, v


@functools.cache
def _ocv_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    # The PyBaMM curves ship tabulated (ocv_pybamm_tables.csv, made by pybamm_ocv_table), so
    # that no run imports PyBaMM (seconds) just to read an open-circuit voltage.
    row = _rows()[name]
    if row["ocv_source"].startswith("pybamm:"):
        return _bundled_table(name, "ocv_pybamm_tables.csv")
    return _bundled_table(name, "ocv_points.csv")


def _bundled_table(name: str, file: str) -> tuple[np.ndarray, np.ndarray]:
    xs, vs = [], []
    with open(_DATA / file, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["name"] == name:
                xs.append(float(row["sto"]))
                vs.append(float(row["ocv_V"]))
    if len(xs) < 2:
        raise InputError(f"no open-circuit table for {name!r} in {file}")
    order = np.argsort(xs)
    return np.asarray(xs)[order], np.asarray(vs)[order]
