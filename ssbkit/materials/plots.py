"""Figures of the literature dataset: sigma_RT vs Ea map."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_sigma_ea_map"]

_MARKERS = {"glass": "o", "glass-ceramic": "s", "crystal": "^", "ceramic": "D"}


def plot_sigma_ea_map(df, *, highlight: dict[str, tuple[float, float]] | None = None, ax=None):
    """Scatter of room-temperature conductivity (S/cm, log) against Ea (eV), by family and form.

    ``highlight`` maps labels to (Ea_eV, sigma_S_per_cm) points drawn on top (e.g. this study).

    Parameters
    ----------
    df
        Rows of the dataset (:func:`ssbkit.materials.load_dataset` columns ``family, form,
        Ea_eV, sigma_S_per_cm``); rows without Ea or sigma are left out.
    highlight
        ``{label: (Ea_eV, sigma_S_per_cm)}`` drawn as stars; non-finite points are skipped.
    ax
        Matplotlib axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the map (``ax.figure`` when ``ax`` is given).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4.2))
    else:
        fig = ax.figure
    sub = df[df["Ea_eV"].notna() & df["sigma_S_per_cm"].notna()]
    for i, (fam, g) in enumerate(sub.groupby("family")):
        for form, gg in g.groupby("form"):
            ax.scatter(gg["Ea_eV"], gg["sigma_S_per_cm"], c=f"C{i}", marker=_MARKERS.get(form, "x"),
                       s=22, alpha=0.8, label=f"{fam}, {form}")
    for label, (ea, s) in (highlight or {}).items():
        if np.isfinite(ea) and np.isfinite(s):
            ax.scatter([ea], [s], marker="*", s=180, c="k", zorder=5, label=label)
    ax.axhline(1e-3, c="0.5", ls="--", lw=0.8)
    ax.text(ax.get_xlim()[0], 1.1e-3, " 1 mS/cm practical goal", fontsize=7, color="0.4")
    ax.set_yscale("log")
    ax.set_xlabel("Ea (eV)")
    ax.set_ylabel("σ near room temperature (S/cm)")
    ax.legend(fontsize=6, ncol=2)
    ax.grid(alpha=0.3, which="both")
    return fig
