"""Arrhenius figures (matplotlib, Agg-safe)."""

from __future__ import annotations

import numpy as np

from ..constants import ZERO_C
from .arrhenius import ArrheniusFit

__all__ = ["plot_arrhenius"]


def plot_arrhenius(
    fits: dict[str, ArrheniusFit] | None = None,
    data: dict[str, tuple] | None = None,
    *,
    literature=None,
    t_range_k: tuple[float, float] | None = None,
    ax=None,
    title: str = "",
):
    """log10(sigma) against 1000/T with fitted lines, prediction bands and literature points.

    Parameters
    ----------
    fits
        Label -> fit; drawn over ``t_range_k`` with a 95 % prediction band.
    data
        Label -> (T_K, sigma_S_per_cm[, sigma_err]) measured points.
    literature
        DataFrame with ``sigma_S_per_cm``, ``sigma_T_C`` (and ``Ea_eV``): grey points,
        and thin grey Arrhenius lines for rows with Ea.
    t_range_k
        ``(T_min, T_max)`` in K over which fitted lines are drawn (None: 253.15..393.15 K).
    ax
        Matplotlib axes to draw into (None: a new figure).
    title
        Figure title (empty: none).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .arrhenius import arrhenius_from_point

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4.2))
    else:
        fig = ax.figure
    lo, hi = t_range_k or (253.15, 393.15)
    tt = np.linspace(lo, hi, 100)
    if literature is not None and len(literature):
        lit = literature[literature["sigma_S_per_cm"].notna()]
        ax.scatter(1000 / (lit["sigma_T_C"] + ZERO_C), lit["sigma_S_per_cm"], s=10, c="0.7",
                   label=f"literature ({len(lit)} rows)", zorder=1)
        for r in lit[lit["Ea_eV"].notna()].itertuples():
            f = arrhenius_from_point(r.sigma_T_C + ZERO_C, r.sigma_S_per_cm, r.Ea_eV)
            ax.plot(1000 / tt, f.predict(tt), c="0.85", lw=0.6, zorder=0)
    for i, (label, fit) in enumerate((fits or {}).items()):
        y, ylo, yhi = fit.predict_interval(tt)
        color = f"C{i}"
        ax.plot(1000 / tt, y, c=color, lw=1.6,
                label=f"{label}: Ea = {fit.ea_ev:.3f} eV ({fit.form})")
        if np.all(np.isfinite(ylo)) and fit.n_points > 2:
            ax.fill_between(1000 / tt, ylo, yhi, color=color, alpha=0.15, lw=0)
    for i, (label, pts) in enumerate((data or {}).items()):
        t, s = np.asarray(pts[0], float), np.asarray(pts[1], float)
        err = np.asarray(pts[2], float) if len(pts) > 2 and pts[2] is not None else None
        ax.errorbar(1000 / t, s, yerr=err, fmt="o", c=f"C{i}", ms=5, label=f"{label} (data)")
    ax.set_yscale("log")
    ax.set_xlabel("1000 / T (1/K)")
    ax.set_ylabel("σ (S/cm)")
    sec = ax.secondary_xaxis("top", functions=(lambda x: 1000 / np.maximum(x, 1e-9) - ZERO_C,
                                               lambda c: 1000 / (np.asarray(c) + ZERO_C)))
    sec.set_xlabel("T (°C)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3, which="both")
    return fig
