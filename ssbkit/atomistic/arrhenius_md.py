"""Diffusivities from MD at several temperatures -> activation energy, D and sigma at 300 K with intervals.

D(T) = D0 exp(-Ea / k_B T) is fitted by :func:`ssbkit.transport.fit_arrhenius`
(``form="sigma"``, weighted by the errors of D when given; when the points
scatter more than their errors allow, the covariance is scaled by the reduced
chi^2 and Student's t is used). D at the target temperature comes with the
confidence interval of the fitted line, and the conductivity follows from the
Nernst–Einstein relation sigma = n q^2 D / (k_B T H_R) (science.md sections 1
and 5) with the number density of the ion from a structure file.

The ``D_T.csv`` file has one row per temperature and the columns
``temperature_K`` and ``D_cm2_per_s`` (or ``D_m2_per_s``), optionally
``D_err_cm2_per_s`` (one standard deviation). Rows with an empty D (a
trajectory without a diffusive regime) are skipped with a warning.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from ..errors import FileFormatError, InputError, did_you_mean, require_positive
from ..records import Record
from .diffusion import ION_CHARGE

__all__ = [
    "ArrheniusMDResult",
    "read_d_t_csv",
    "append_d_t_row",
    "number_density_per_cm3",
    "arrhenius_from_diffusivities",
]

REFERENCES = (
    "science.md section 5: D(T) -> Arrhenius -> Ea and sigma(300 K) via Nernst–Einstein",
    "science.md section 1: sigma = n q^2 D / (k_B T H_R)",
)
_T_COLS = ("temperature_K", "T_K", "temperature")
_D_COLS = {"D_cm2_per_s": 1.0, "D_cm2_s": 1.0, "D_m2_per_s": 1e4}
_E_COLS = {"D_err_cm2_per_s": 1.0, "D_err_cm2_s": 1.0, "D_err_m2_per_s": 1e4}


@dataclass(frozen=True)
class ArrheniusMDResult(Record):
    """Arrhenius fit of MD diffusivities and the extrapolation to ``target_T_K``.

    Intervals are (low, high) at ``level``; ``fit`` is the
    :class:`ssbkit.transport.ArrheniusFit` as a dict (form "sigma": D = A exp(-Ea/kT), D in cm^2/s).
    """

    species: str
    temperatures_K: tuple[float, ...]
    d_cm2_per_s: tuple[float, ...]
    d_err_cm2_per_s: tuple[float, ...] | None
    ea_eV: float
    ea_err_eV: float
    ea_ci_eV: tuple[float, float]
    target_T_K: float
    d_target_cm2_per_s: float
    d_target_ci_cm2_per_s: tuple[float, float]
    number_density_per_cm3: float
    charge: int
    haven_ratio: float
    sigma_target_S_per_cm: float
    sigma_target_ci_S_per_cm: tuple[float, float]
    level: float
    reduced_chi2: float | None
    fit: dict
    warnings: tuple[str, ...] = ()
    references: tuple[str, ...] = REFERENCES


def _pick(header: list[str], names, path: Path, what: str, required: bool = True):
    lower = {h.strip().lower(): h for h in header}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()], n
    if required:
        raise FileFormatError(
            f"{path}: no {what} column (valid: {', '.join(names)})" + did_you_mean(what, header)
        )
    return None, None


def read_d_t_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, list[str]]:
    """Read ``D_T.csv``: temperatures (K), D (cm^2/s), errors (cm^2/s or None) and warnings.

    Parameters
    ----------
    path
        CSV file with temperature_K, D_cm2_per_s and optionally D_err_cm2_per_s.

    Returns
    -------
    tuple
        Temperatures (K), D (cm^2/s), errors (cm^2/s, or None) and warnings.
    """
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"diffusivity file {path} does not exist")
    with path.open(newline="") as fh:
        rows = list(csv.reader(line for line in fh if line.strip() and not line.lstrip().startswith("#")))
    if len(rows) < 2:
        raise FileFormatError(f"{path}: needs a header and at least two rows")
    header = [h.strip() for h in rows[0]]
    t_col, _ = _pick(header, _T_COLS, path, "temperature_K")
    d_col, d_name = _pick(header, list(_D_COLS), path, "D_cm2_per_s")
    e_col, e_name = _pick(header, list(_E_COLS), path, "D_err_cm2_per_s", required=False)
    ti, di = header.index(t_col), header.index(d_col)
    ei = header.index(e_col) if e_col else None
    t, d, e, warnings = [], [], [], []
    for line_no, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row] + [""] * len(header)
        if cells[di] in ("", "None", "nan", "NaN", "null"):
            warnings.append(f"{path}:{line_no}: no D (not converged), row skipped")
            continue
        try:
            t.append(float(cells[ti]))
            d.append(float(cells[di]) * _D_COLS[d_name])
            if ei is not None:
                e.append(float(cells[ei]) * _E_COLS[e_name] if cells[ei] not in ("", "None", "nan") else math.nan)
        except ValueError:
            raise FileFormatError(f"{path}:{line_no}: not a number in {row}") from None
    err = np.array(e) if ei is not None else None
    if err is not None and not np.all(np.isfinite(err) & (err > 0)):
        warnings.append(f"{path}: some D errors are missing or <= 0; fitting without errors")
        err = None
    return np.array(t), np.array(d), err, warnings


def append_d_t_row(path: str | Path, temperature_k: float, d_cm2_per_s: float | None,
                   d_err_cm2_per_s: float | None, source: str = "") -> None:
    """Append one row to a ``D_T.csv`` (header written when the file is new); None D = not converged.

    Parameters
    ----------
    path
        CSV to append to (created with a header).
    temperature_k
        Temperature, K.
    d_cm2_per_s, d_err_cm2_per_s
        D and its error, cm^2/s (None: no D, the row says why).
    source
        Trajectory the row came from.
    """
    path = Path(path)
    new = not path.is_file() or path.stat().st_size == 0
    with path.open("a", newline="") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(["temperature_K", "D_cm2_per_s", "D_err_cm2_per_s", "source"])
        w.writerow([f"{temperature_k:g}", "" if d_cm2_per_s is None else f"{d_cm2_per_s:.6e}",
                    "" if d_err_cm2_per_s is None else f"{d_err_cm2_per_s:.6e}", source])


def number_density_per_cm3(structure: str | Path, species: str) -> float:
    """Number density of ``species`` (atoms per cm^3) in a structure file (CIF, POSCAR, or any ASE format).

    Partial occupancies count by their occupancy.

    Parameters
    ----------
    structure
        Structure file.
    species
        Element symbol.

    Returns
    -------
    float
        Atoms of ``species`` per cm^3.
    """
    path = Path(structure)
    if not path.is_file():
        raise FileFormatError(f"structure file {path} does not exist")
    try:
        from pymatgen.core import Structure

        s = Structure.from_file(str(path))
        count, volume = float(s.composition[species]), float(s.volume)
        present = [str(e) for e in s.composition.elements]
    except Exception:
        try:
            from .structures import read_atoms

            atoms = read_atoms(path)
            symbols = atoms.get_chemical_symbols()
            count, volume, present = float(symbols.count(species)), float(atoms.get_volume()), sorted(set(symbols))
        except Exception:
            raise FileFormatError(f"cannot read structure {path} (valid: CIF, POSCAR, ASE formats)") from None
    if count == 0:
        raise InputError(f"species '{species}' is not in {path}" + did_you_mean(species, present))
    if not volume > 0:
        raise InputError(f"{path}: the structure has no cell volume")
    return count / (volume * 1e-24)


def arrhenius_from_diffusivities(
    t_k: ArrayLike,
    d_cm2_per_s: ArrayLike,
    *,
    n_per_cm3: float,
    d_err_cm2_per_s: ArrayLike | None = None,
    species: str = "Li",
    charge: int | None = None,
    haven_ratio: float = 1.0,
    target_t_k: float = 300.0,
    level: float = 0.95,
) -> ArrheniusMDResult:
    """Fit D(T) = D0 exp(-Ea/k_B T) and extrapolate D and sigma to ``target_t_k``.

    Parameters
    ----------
    t_k, d_cm2_per_s, d_err_cm2_per_s
        Temperatures (K), tracer diffusivities and their standard errors (cm^2/s).
    n_per_cm3
        Number density of the mobile ion, cm^-3.
    charge
        Charge number of the ion (default from the species).
    haven_ratio
        H_R in sigma = n q^2 D / (k_B T H_R) (1: uncorrelated hops).
    target_t_k
        Temperature of the extrapolation, K.
    level
        Confidence level of the intervals.

    Returns
    -------
    ArrheniusMDResult
        Ea, D and sigma at the target temperature with their intervals.
    """
    from ..transport import fit_arrhenius, nernst_einstein_conductivity

    t = np.asarray(t_k, dtype=float)
    d = np.asarray(d_cm2_per_s, dtype=float)
    err = None if d_err_cm2_per_s is None else np.asarray(d_err_cm2_per_s, dtype=float)
    n = require_positive("number density (cm^-3)", n_per_cm3)
    target = require_positive("target temperature (K)", target_t_k)
    q = charge if charge is not None else ION_CHARGE.get(species)
    if q is None:
        raise InputError(f"no default charge for '{species}': give the charge" + did_you_mean(species, ION_CHARGE))
    warnings: list[str] = []
    fit = fit_arrhenius(t, d, y_err=err, form="sigma", level=level)
    chi2 = None
    if err is not None and t.size > 2:
        resid = (np.log(d) - np.log(fit.predict(t))) * d / err
        chi2 = float(np.sum(resid**2) / (t.size - 2))
        if chi2 > 1.0:
            fit = fit_arrhenius(t, d, y_err=err, form="sigma", level=level, absolute_sigma=False)
            warnings.append(f"points scatter more than their errors (reduced chi2 {chi2:.2g}): intervals widened")
    if t.size == 2 and err is None:
        warnings.append("two temperatures without errors: no interval (give D errors or more temperatures)")
    if target < t.min():
        warnings.append(f"{target:g} K is an extrapolation below the fitted {t.min():g}-{t.max():g} K")
    dt, lo, hi = fit.confidence_interval(target, level)
    unit = float(nernst_einstein_conductivity(1e-4, n * 1e6, target, charge=q, haven_ratio=haven_ratio)) / 100.0
    return ArrheniusMDResult(
        species=species,
        temperatures_K=tuple(float(x) for x in t),
        d_cm2_per_s=tuple(float(x) for x in d),
        d_err_cm2_per_s=None if err is None else tuple(float(x) for x in err),
        ea_eV=fit.ea_ev,
        ea_err_eV=fit.ea_se_ev,
        ea_ci_eV=fit.ea_ci_ev,
        target_T_K=target,
        d_target_cm2_per_s=dt,
        d_target_ci_cm2_per_s=(lo, hi),
        number_density_per_cm3=n,
        charge=int(q),
        haven_ratio=float(haven_ratio),
        sigma_target_S_per_cm=unit * dt,
        sigma_target_ci_S_per_cm=(unit * lo, unit * hi),
        level=level,
        reduced_chi2=chi2,
        fit=fit.to_dict(),
        warnings=tuple(warnings),
    )
