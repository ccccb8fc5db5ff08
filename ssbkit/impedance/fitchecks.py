"""What a fit's numbers mean and whether they are a result.

:func:`label_capacitance` names an arc on the capacitance scale of Irvine, Sinclair &
West, Adv. Mater. 2 (1990) 132 (``science.md`` §2); :func:`identifiability` finds the
parameters the data do not determine, :func:`degeneracy` the reasons a converged fit
is not a result, :func:`model_notes` what a circuit cannot tell. Re-exported by
:mod:`.fitresult`.
"""

from __future__ import annotations

import math

import numpy as np

from .circuit import Circuit
from .elements import EXPONENT

__all__ = [
    "C_EFF_BOUNDS_F",
    "PARTLY_DETERMINED",
    "SYMMETRIC_PAIRS",
    "degeneracy",
    "identifiability",
    "label_capacitance",
    "model_notes",
]


def label_capacitance(c_f: float, cell_constant_per_cm: float | None = None) -> str:
    """Name the process behind an arc from its capacitance (Irvine, Sinclair & West 1990).

    ``c_f`` is scaled to a cell constant d/A of 1 cm^-1 when ``cell_constant_per_cm`` is given.
    bulk < 1e-11 F < grain boundary < 1e-8 F < surface layer < 1e-7 F < electrode.

    Parameters
    ----------
    c_f
        Capacitance of the arc, F (effective capacitance for a CPE).
    cell_constant_per_cm
        Cell constant d/A of the sample, 1/cm; None uses ``c_f`` as it is.

    Returns
    -------
    str
        ``"bulk"``, ``"grain boundary"``, ``"surface layer"``, ``"electrode"``, or
        ``"unknown"`` for a non-finite capacitance.

    Examples
    --------
    >>> label_capacitance(5e-12)
    'bulk'
    >>> label_capacitance(1e-9)
    'grain boundary'
    """
    c = c_f * (cell_constant_per_cm if cell_constant_per_cm else 1.0)
    if not math.isfinite(c):
        return "unknown"
    if c < 1e-11:
        return "bulk"
    if c < 1e-8:
        return "grain boundary"
    if c < 1e-7:
        return "surface layer"
    return "electrode"


#: Elements whose impedance is unchanged when two parameters swap: the two-rail line
#: (Bisquert 2000) is symmetric in R_ion <-> R_e. Fits order them (first >= second).
SYMMETRIC_PAIRS = {"TLMR": ("Rion", "Re")}

#: What the data determine of elements with partly undetermined parameters
PARTLY_DETERMINED = {
    "EB": "only 2 Rbulk + Rion Re/(Rion + Re) (high-frequency intercept, R-4) and Rion "
          "(R-6, R-7) are fixed by the data; Rbulk and Re separately are not",
}


def model_notes(c: Circuit) -> list[str]:
    """What a fit of ``c`` cannot tell (symmetric or partly determined elements).

    Parameters
    ----------
    c : Circuit
        The circuit.

    Returns
    -------
    list of str
        One note per such element.
    """
    out = []
    for e in c.tree.elements():
        name = e.elem.name
        if name in SYMMETRIC_PAIRS:
            a, b = SYMMETRIC_PAIRS[name]
            out.append(f"{e.label}: {a} and {b} are interchangeable (same impedance when "
                       f"swapped); ordered {e.label}_{a} >= {e.label}_{b}: which rail is "
                       "ionic must come from elsewhere")
        if name in PARTLY_DETERMINED:
            out.append(f"{e.label}: {PARTLY_DETERMINED[name]}")
    return out


#: Effective capacitances outside this range (F) are not physical for a cell
C_EFF_BOUNDS_F = (1e-16, 1e3)


def identifiability(cov_x: np.ndarray, names: tuple[str, ...]):
    """Correlation matrix, Jacobian condition number and non-identifiable parameters.

    Parameters
    ----------
    cov_x : numpy.ndarray
        Covariance of the free fitted variables.
    names : tuple of str
        Their names.

    Returns
    -------
    tuple
        (correlation matrix or None, condition number, tuple of names loading
        (|component| > 0.3) on eigenvectors of the correlation matrix whose
        eigenvalue is below 1e-4).
    """
    cov_x = np.asarray(cov_x, dtype=float)
    cov_x = 0.5 * (cov_x + cov_x.T)
    if cov_x.size == 0 or not np.all(np.isfinite(cov_x)):
        return None, math.nan, ()
    sd = np.sqrt(np.maximum(np.diag(cov_x), 0.0))
    if np.any(sd == 0):
        return None, math.inf, ()
    corr = cov_x / np.outer(sd, sd)
    ev = np.abs(np.linalg.eigvalsh(cov_x))
    cond = float(np.sqrt(ev.max() / ev.min())) if ev.min() > 0 else math.inf
    ce, cv = np.linalg.eigh(corr)
    flagged = set()
    for lam, vec in zip(ce, cv.T, strict=True):
        if lam < 1e-4:
            flagged.update(np.flatnonzero(np.abs(vec) > 0.3).tolist())
    return corr, cond, tuple(names[i] for i in sorted(flagged))


def degeneracy(c: Circuit, p, se, free, arcs, nonid=()) -> list[str]:
    """Reasons a converged fit is still not a result (empty list: none).

    Parameters
    ----------
    c : Circuit
        The circuit.
    p, se : numpy.ndarray
        Parameter values and standard errors.
    free : numpy.ndarray of bool
        Which parameters were fitted.
    arcs : tuple of Arc
        The fit's arcs.
    nonid : tuple of str
        Names already flagged as not identifiable (not repeated here).

    Returns
    -------
    list of str
        Effective capacitance outside :data:`C_EFF_BOUNDS_F`, a CPE exponent at
        or below 0 or above 1, a free parameter whose standard error exceeds
        its value.
    """
    out = []
    lo, hi = C_EFF_BOUNDS_F
    for a in arcs:
        if not (lo <= a.c_eff_f <= hi):
            out.append(f"C_eff of {a.capacitor} = {a.c_eff_f:.2g} F is outside "
                       f"{lo:g}..{hi:g} F")
    kinds = c.param_kinds
    for i, name in enumerate(c.param_names):
        if not free[i] or name in nonid:
            continue
        if kinds[i] == EXPONENT and not (1e-6 < p[i] <= 1.0):
            out.append(f"{name} = {p[i]:.3g} is outside (0, 1]")
        elif math.isfinite(se[i]) and se[i] > abs(p[i]):
            out.append(f"{name} = {p[i]:.3g} +- {se[i]:.2g}: the error exceeds the value")
    return out
