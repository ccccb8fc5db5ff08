"""Spread of sigma(25 degC) and Ea across batches, operators and labs, and outliers.

The spread is reported the way the interlaboratory study of Ohno et al.
(ACS Energy Lett. 5 (2020) 910) did: for each group the number of samples,
median, min-max and the max/min ratio of the conductivity (a factor, since
conductivities spread over decades), the standard deviation of Ea. Outliers
are flagged by the modified z-score of Iglewicz & Hoaglin (1993),
``M = 0.6745 (x - median) / MAD`` with ``|M| > 3.5`` (on log10 sigma for
conductivities), robust to the outliers themselves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["modified_z", "spread", "group_spread", "flag_outliers", "comparison", "OUTLIER_Z", "MIN_FOR_OUTLIERS"]

#: Iglewicz & Hoaglin's threshold on the modified z-score
OUTLIER_Z = 3.5
#: fewer samples than this: no outlier test (the MAD of 3-4 values says little)
MIN_FOR_OUTLIERS = 5


def modified_z(values: Sequence[float]) -> np.ndarray:
    """Modified z-scores 0.6745 (x - median) / MAD (0 where MAD is 0 and x is the median).

    Parameters
    ----------
    values
        Finite numbers.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> [round(float(z), 2) for z in modified_z([1.0, 1.1, 0.9, 1.0, 5.0])]
    [0.0, 0.67, -0.67, 0.0, 26.98]
    """
    x = np.asarray(values, float)
    if x.size == 0:
        return x
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    if mad == 0:
        return np.where(x == med, 0.0, np.inf * np.sign(x - med))
    return 0.6745 * (x - med) / mad


def spread(values: Sequence[float | None], *, log: bool = False) -> dict[str, Any]:
    """n, median, mean, standard deviation, min, max (and max/min for ``log``) of finite values.

    Parameters
    ----------
    values
        Numbers (None / NaN are left out).
    log
        Statistics of log10 values (for conductivities), returned back in linear units.

    Returns
    -------
    dict
    """
    x = np.array([v for v in values if v is not None and math.isfinite(v)], float)
    if log:
        x = x[x > 0]
    out: dict[str, Any] = {"n": int(x.size)}
    if x.size == 0:
        return out
    y = np.log10(x) if log else x
    back = (lambda v: float(10**v)) if log else float
    out.update(median=back(np.median(y)), min=float(x.min()), max=float(x.max()),
               std=float(np.std(y, ddof=1)) if x.size > 1 else None)
    if log:
        out["max_over_min"] = float(x.max() / x.min())
        out["std_log10"] = out.pop("std")
    return out


def group_spread(rows: Sequence[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Spread of ``sigma_S_per_cm`` and ``ea_eV`` per value of ``rows[i][by]``, outliers flagged.

    Parameters
    ----------
    rows
        One dict per sample: ``sigma_S_per_cm``, ``ea_eV`` and the grouping keys.
    by
        ``"batch"``, ``"operator"`` or ``"lab"``.

    Returns
    -------
    list of dict
        Per group: ``group``, ``sigma`` (spread, log), ``ea`` (spread), ``samples``.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(str(r.get(by) or "(none)"), []).append(r)
    return [{"group": g, "sigma": spread([r.get("sigma_S_per_cm") for r in rs], log=True),
             "ea": spread([r.get("ea_eV") for r in rs]), "samples": [r.get("sample") for r in rs]}
            for g, rs in sorted(groups.items())]


def flag_outliers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``z_sigma``, ``z_ea`` and ``outlier`` to each row (over all rows given).

    Parameters
    ----------
    rows
        As for :func:`group_spread`.

    Returns
    -------
    list of dict
        The same rows, new dicts.
    """
    out = [dict(r) for r in rows]
    for key, log, zkey in (("sigma_S_per_cm", True, "z_sigma"), ("ea_eV", False, "z_ea")):
        idx = [i for i, r in enumerate(out) if r.get(key) is not None and math.isfinite(r[key])
               and (r[key] > 0 or not log)]
        vals = [math.log10(out[i][key]) if log else out[i][key] for i in idx]
        z = modified_z(vals) if len(vals) >= MIN_FOR_OUTLIERS else np.zeros(len(vals))
        for i, zi in zip(idx, z, strict=True):
            out[i][zkey] = float(zi) if math.isfinite(zi) else None
            out[i]["outlier"] = out[i].get("outlier", False) or not abs(zi) <= OUTLIER_Z
    for r in out:
        r.setdefault("outlier", False)
    return out


def comparison(rows: list[dict[str, Any]], literature: list[dict[str, Any]], composition: str) -> dict[str, Any]:
    """Everything the compare page shows: samples with outlier flags, spread per batch, operator, lab.

    Parameters
    ----------
    rows
        From :func:`ssbkit.web.repo.compare_rows`.
    literature
        From :func:`ssbkit.web.literature.literature_rows`.
    composition
        The nominal composition compared.

    Returns
    -------
    dict
        ``composition``, ``samples``, ``overall``, ``by_batch``, ``by_operator``, ``by_lab``,
        ``literature``, ``notes``.
    """
    flagged = flag_outliers(list(rows))
    notes = [f"outliers: modified z-score |M| > {OUTLIER_Z} (Iglewicz & Hoaglin 1993) over all samples shown, "
             f"tested from {MIN_FOR_OUTLIERS} samples on"]
    temps: set[float] = {float(r["sigma_T_C"]) for r in flagged if r.get("sigma_T_C") is not None}
    if temps:
        notes.append("sample conductivities are at " + ", ".join(f"{t:g} degC" for t in sorted(temps)) +
                     " from each sample's Arrhenius fit (extrapolated where outside the measured range)")
    if literature:
        notes.append("literature rows: conductivity at the temperature given in the row (sigma_T_C)")
    return {"composition": composition, "samples": flagged,
            "overall": {"sigma": spread([r.get("sigma_S_per_cm") for r in flagged], log=True),
                        "ea": spread([r.get("ea_eV") for r in flagged])},
            "by_batch": group_spread(flagged, "batch"), "by_operator": group_spread(flagged, "operator"),
            "by_lab": group_spread(flagged, "lab"), "literature": literature, "notes": notes}
