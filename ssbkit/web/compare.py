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

__all__ = ["modified_z", "spread", "group_spread", "flag_outliers", "comparison", "anonymised_groups",
           "round_sig", "OUTLIER_Z", "MIN_FOR_OUTLIERS"]

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


def round_sig(x: float | None, digits: int = 2) -> float | None:
    """``x`` rounded to ``digits`` significant digits (None stays None).

    Parameters
    ----------
    x
        A number.
    digits
        Significant digits.

    Returns
    -------
    float or None

    Examples
    --------
    >>> round_sig(0.0012345), round_sig(0.4567), round_sig(None)
    (0.0012, 0.46, None)
    """
    if x is None or not math.isfinite(x) or x == 0:
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def anonymised_groups(values: Sequence[dict[str, Any]], *, min_samples: int = 3) -> list[dict[str, Any]]:
    """Aggregates of other labs' samples, one per lab and reporting temperature, without who or which.

    Each statistic is given only over ``min_samples`` or more values (over two, a mean and a standard
    deviation would give both values back), rounded to two significant digits; the lab is labelled
    ``other lab k`` (k in the order of the rows, not of the lab's id or name).

    Parameters
    ----------
    values
        One dict per sample: ``lab_id``, ``sigma_S_per_cm``, ``sigma_T_C``, ``ea_eV``.
    min_samples
        Groups with fewer samples are left out.

    Returns
    -------
    list of dict
        ``label``, ``n_samples``, ``sigma_T_C``, ``sigma_geometric_mean_S_per_cm``,
        ``sigma_std_log10`` (s.d. of log10 sigma), ``n_sigma``, ``ea_mean_eV``, ``ea_std_eV``, ``n_ea``.

    Examples
    --------
    >>> rows = [{"lab_id": 7, "sigma_S_per_cm": s, "sigma_T_C": 25.0, "ea_eV": 0.4} for s in (1e-4, 1e-3, 1e-2)]
    >>> g, = anonymised_groups(rows)
    >>> g["label"], g["n_samples"], g["sigma_geometric_mean_S_per_cm"], g["sigma_std_log10"]
    ('other lab 1', 3, 0.001, 1.0)
    """
    groups: dict[tuple[int, Any], list[dict[str, Any]]] = {}
    for v in values:
        groups.setdefault((int(v["lab_id"]), v.get("sigma_T_C")), []).append(v)
    rows = []
    for (lab, t), vs in groups.items():
        if len(vs) < min_samples:
            continue
        sig = [float(v["sigma_S_per_cm"]) for v in vs if v.get("sigma_S_per_cm") is not None
               and math.isfinite(v["sigma_S_per_cm"]) and v["sigma_S_per_cm"] > 0]
        ea = [float(v["ea_eV"]) for v in vs if v.get("ea_eV") is not None and math.isfinite(v["ea_eV"])]
        ls = np.log10(sig)
        enough_s, enough_e = len(sig) >= min_samples, len(ea) >= min_samples
        rows.append((lab, {
            "n_samples": len(vs), "sigma_T_C": t, "n_sigma": len(sig), "n_ea": len(ea),
            "sigma_geometric_mean_S_per_cm": round_sig(float(10 ** ls.mean())) if enough_s else None,
            "sigma_std_log10": round_sig(float(ls.std(ddof=1))) if enough_s else None,
            "ea_mean_eV": round_sig(float(np.mean(ea))) if enough_e else None,
            "ea_std_eV": round_sig(float(np.std(ea, ddof=1))) if enough_e else None}))
    rows.sort(key=lambda r: (r[1]["sigma_T_C"] is None, r[1]["sigma_T_C"] or 0.0,
                             -(r[1]["sigma_geometric_mean_S_per_cm"] or 0.0), r[1]["ea_mean_eV"] or 0.0))
    labels: dict[int, int] = {}
    return [{"label": f"other lab {labels.setdefault(lab, len(labels) + 1)}", **row} for lab, row in rows]


def comparison(rows: list[dict[str, Any]], literature: list[dict[str, Any]], composition: str,
               other_labs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything the compare page shows: samples with outlier flags, spread per batch, operator, lab.

    Parameters
    ----------
    rows
        From :func:`ssbkit.web.repo.compare_rows`.
    literature
        From :func:`ssbkit.web.literature.literature_rows`.
    composition
        The nominal composition compared.
    other_labs
        From :func:`ssbkit.web.sharing.other_labs` (aggregates only).

    Returns
    -------
    dict
        ``composition``, ``samples``, ``overall``, ``by_batch``, ``by_operator``, ``by_lab``,
        ``literature``, ``other_labs``, ``notes``.
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
    if other_labs:
        notes.append("other labs: anonymised aggregates of labs that opted in to share (geometric mean and s.d. "
                     "of log10 sigma, mean and s.d. of Ea, two significant digits); no sample, operator or file")
    return {"composition": composition, "samples": flagged,
            "overall": {"sigma": spread([r.get("sigma_S_per_cm") for r in flagged], log=True),
                        "ea": spread([r.get("ea_eV") for r in flagged])},
            "by_batch": group_spread(flagged, "batch"), "by_operator": group_spread(flagged, "operator"),
            "by_lab": group_spread(flagged, "lab"), "literature": literature, "other_labs": list(other_labs or []),
            "notes": notes}
