"""Figures of a labelled volume: orthogonal slices in phase colours, utilisation profile."""

from __future__ import annotations

import numpy as np

from .measures import Utilisation, classify_active
from .phases import PHASE_COLOURS, PHASE_NAMES, PHASES, LabelVolume

__all__ = ["plot_slices", "plot_utilisation", "plot_dead_active", "plot_tortuosity_context"]


def _cmap():
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap([PHASE_COLOURS[p] for p in PHASES])
    norm = BoundaryNorm(np.arange(len(PHASES) + 1) - 0.5, len(PHASES))
    return cmap, norm


def plot_slices(volume: LabelVolume, *, index: tuple[int, int, int] | None = None, title: str | None = None):
    """Three orthogonal mid-slices of ``volume`` in phase colours (um axes).

    The first panel cuts across axis 2 and shows the through-thickness axis 0
    vertically (separator at the top).

    Returns
    -------
    matplotlib.figure.Figure

    Parameters
    ----------
    volume : LabelVolume
        Volume to show.
    title : str, optional
        Figure title.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    lab = volume.labels
    h = volume.voxel_um
    idx = index or tuple(s // 2 for s in lab.shape)
    cmap, norm = _cmap()
    fig, axes = plt.subplots(1, 3, figsize=(11, 4), constrained_layout=True)
    views = [
        (lab[:, :, idx[2]], (0, lab.shape[1] * h, lab.shape[0] * h, 0), f"axis-2 slice {idx[2]}", "axis 1 (um)", "depth, axis 0 (um)"),
        (lab[:, idx[1], :], (0, lab.shape[2] * h, lab.shape[0] * h, 0), f"axis-1 slice {idx[1]}", "axis 2 (um)", "depth, axis 0 (um)"),
        (lab[idx[0], :, :], (0, lab.shape[2] * h, lab.shape[1] * h, 0), f"axis-0 slice {idx[0]}", "axis 2 (um)", "axis 1 (um)"),
    ]
    for ax, (img, extent, name, xl, yl) in zip(axes, views, strict=True):
        ax.imshow(img, cmap=cmap, norm=norm, extent=extent, interpolation="nearest")
        ax.set_title(name)
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
    present = [p for p in PHASES if np.any(lab == p)]
    handles = [Patch(facecolor=PHASE_COLOURS[p], edgecolor="k", label=PHASE_NAMES[p]) for p in present]
    fig.legend(handles=handles, loc="outside right center")
    if title:
        fig.suptitle(title)
    return fig


def plot_dead_active(volume: LabelVolume, *, axis: int = 0, index: int | None = None, **kwargs):
    """A slice through the thickness with active material coloured by connection.

    Green usable, orange ion path only, purple electron path only, red neither;
    other phases grey. ``kwargs`` go to :func:`~.measures.classify_active`.

    Parameters
    ----------
    volume : LabelVolume
        Volume to classify and show.
    **kwargs
        Passed to :func:`~.measures.classify_active`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    classes, _ = classify_active(volume.labels, axis=axis, particle_ids=volume.particle_ids, **kwargs)
    i = volume.shape[2] // 2 if index is None else index
    img = np.moveaxis(classes, axis, 0)[:, :, i]
    colours = ["#dddddd", "#2ca02c", "#ff7f0e", "#9467bd", "#d62728"]
    names = ["other phases", "usable", "ion path only", "electron path only", "no path"]
    h = volume.voxel_um
    fig, ax = plt.subplots(figsize=(5, 4.5), constrained_layout=True)
    ax.imshow(img, cmap=ListedColormap(colours), vmin=-0.5, vmax=4.5, interpolation="nearest",
              extent=(0, img.shape[1] * h, img.shape[0] * h, 0))
    ax.set_xlabel("lateral (um)")
    ax.set_ylabel("depth from separator (um)")
    ax.legend(handles=[Patch(facecolor=c, edgecolor="k", label=n) for c, n in zip(colours, names, strict=True)],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def plot_utilisation(util: Utilisation):
    """Usable share of the active material against depth from the separator.

    Parameters
    ----------
    util : Utilisation
        Result of :func:`~.measures.active_utilisation`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5), constrained_layout=True)
    ax.plot(util.depth_um, util.active_fraction_by_depth, "o-", label="usable share in slab")
    ax.plot(util.depth_um, util.dead_fraction_by_depth, "s--", label="share of dead material")
    ax.set_xlabel("depth from separator (um)")
    ax.set_ylabel("fraction")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"utilisation {util.utilisation:.3f}")
    ax.legend(fontsize=8)
    return fig


def plot_tortuosity_context(eps_se: float, tau: float | None, *, label: str = "this recipe"):
    """Where a recipe sits: tau against eps_SE beside Bruggeman tau = eps^-alpha (R-18, alpha 0.5
    and 0.9) and Hlushkou et al. 2018's composite (tau 1.27 voids filled, 1.74 with ~13 % voids;
    via Falco et al. 2019). The shaded band marks eps_SE below ~0.16 (Scher-Zallen continuum
    percolation), where random SE networks stop spanning.

    Parameters
    ----------
    eps : float
        SE volume fraction of this recipe.
    tau : float or None
        Its tortuosity factor.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    eps = np.linspace(0.1, 1.0, 200)
    fig, ax = plt.subplots(figsize=(5, 3.6), constrained_layout=True)
    ax.axvspan(0.1, 0.16, color="0.85", label="below continuum percolation")
    ax.plot(eps, eps**-0.5, "-", color="C0", label="Bruggeman alpha = 0.5")
    ax.plot(eps, eps**-0.9, "--", color="C0", label="Bruggeman alpha = 0.9")
    ax.plot([0.62, 0.62 * 0.87], [1.27, 1.74], "s", color="C2", label="Hlushkou 2018 (LCO/LPSI)")
    if tau is not None and np.isfinite(tau):
        ax.plot([eps_se], [tau], "o", color="C3", ms=9, label=label)
    else:
        ax.axvline(eps_se, color="C3", ls=":", label=f"{label}: no ionic path")
    ax.set_xlabel("SE volume fraction eps_SE")
    ax.set_ylabel("tortuosity factor tau")
    ax.set_xlim(0.1, 1.0)
    ax.set_ylim(1.0, max(4.0, (tau or 0) * 1.1 if tau and np.isfinite(tau) else 4.0))
    ax.legend(fontsize=7)
    return fig
