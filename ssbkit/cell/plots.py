"""Figures of the cell layer (matplotlib imported inside each function).

Each function returns a matplotlib ``Figure``; the caller saves it or passes
it to :func:`ssbkit.study.section.figure_to_html`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .cycling.analysis import CycleSummary
    from .energy import StackEnergy
    from .p2d import DischargeResult

__all__ = [
    "energy_breakdown_figure",
    "rate_figure",
    "rate_map_figure",
    "discharge_curves_figure",
    "cycling_figure",
    "dqdv_figure",
    "ocv_figure",
]


def _plt() -> ModuleType:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


_LAYER_COLOURS = {"cathode": "tab:blue", "separator": "tab:orange", "anode": "tab:green",
                  "positive": "tab:gray", "negative": "tab:brown"}


def energy_breakdown_figure(energy: StackEnergy) -> Figure:
    """Stack mass and thickness by component (two horizontal stacked bars) with Wh/kg, Wh/L.

    One colour per layer (cathode, separator, anode, collectors); the
    components of a composite are shades of it.

    Parameters
    ----------
    energy
        A :class:`ssbkit.cell.energy.StackEnergy`.

    Returns
    -------
    matplotlib.figure.Figure
        Mass and thickness by component.
    """
    plt = _plt()
    fig, axes = plt.subplots(2, 1, figsize=(7.0, 3.8), constrained_layout=True)
    for ax, data, unit in ((axes[0], energy.mass_breakdown_mg_cm2, "mg/cm2"),
                           (axes[1], energy.thickness_breakdown_um, "um")):
        left = 0.0
        total = sum(data.values())
        shade: dict[str, int] = {}
        for name, v in data.items():
            if v <= 0:
                continue
            layer = name.split()[0]
            k = shade[layer] = shade.get(layer, -1) + 1
            ax.barh(0, v, left=left, color=_LAYER_COLOURS.get(layer, "tab:purple"), alpha=max(1.0 - 0.25 * k, 0.3),
                    edgecolor="white", label=f"{name} ({100 * v / total:.0f} %)")
            left += v
        ax.set_yticks([])
        ax.set_xlabel(f"{'mass' if unit == 'mg/cm2' else 'thickness'} ({unit})")
        ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.45), frameon=False)
    axes[0].set_title(f"{energy.specific_energy_Wh_per_kg:.0f} Wh/kg, "
                      f"{energy.energy_density_Wh_per_L:.0f} Wh/L, "
                      f"{energy.areal_capacity_mAh_cm2:.2f} mAh/cm2", fontsize=9)
    return fig


def rate_figure(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                ylabel: str = "capacity (mAh/g)") -> Figure:
    """Capacity vs C-rate (log x) for several labelled series ``{label: (c_rates, capacity)}``.

    Parameters
    ----------
    curves
        ``{label: (c_rates, capacities)}``.
    ylabel
        Axis label.

    Returns
    -------
    matplotlib.figure.Figure
        Capacity vs C-rate.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.0, 3.6), constrained_layout=True)
    for label, (c, q) in curves.items():
        ax.plot(c, q, "o-", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("C-rate (1/h)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return fig


_LIMIT_MARK = {"transport": "T", "interface": "I", "diffusion": "D", "window": ""}


def rate_map_figure(c_rates: Sequence[float], temperatures_c: Sequence[float],
                    utilisation: Sequence[Sequence[float]] | np.ndarray,
                    limiting: Sequence[Sequence[str]] | None = None) -> Figure:
    """Utilisation (0-1) over C-rate x temperature; letters mark what limits each point.

    ``limiting`` (rows of mechanism names) prints T (ionic transport), I
    (interface) or D (solid diffusion) on each cell of the map.

    Parameters
    ----------
    c_rates, temperatures_c
        Axes of the map.
    utilisation
        Shape (n_T, n_C).
    limiting
        Optional mechanism names, same shape.

    Returns
    -------
    matplotlib.figure.Figure
        The map.
    """
    plt = _plt()
    u = np.asarray(utilisation, dtype=float)
    fig, ax = plt.subplots(figsize=(5.4, 3.8), constrained_layout=True)
    c = np.asarray(c_rates, dtype=float)
    t = np.asarray(temperatures_c, dtype=float)
    mesh = ax.pcolormesh(c, t, u, shading="nearest", vmin=0, vmax=1, cmap="viridis")
    if c.size > 1 and t.size > 1:
        cs = ax.contour(c, t, u, levels=[0.5, 0.8, 0.95], colors="w", linewidths=0.8)
        ax.clabel(cs, fmt="%.2f", fontsize=7)
    if limiting is not None:
        for ti, row in zip(t, limiting, strict=True):
            for ci, lab in zip(c, row, strict=True):
                ax.text(ci, ti, _LIMIT_MARK.get(lab, "?"), ha="center", va="center", color="w", fontsize=8)
        ax.set_title("T transport, I interface, D diffusion limit", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("C-rate (1/h)")
    ax.set_ylabel("temperature (degC)")
    fig.colorbar(mesh, ax=ax, label="utilisation")
    return fig


def discharge_curves_figure(results: Sequence[DischargeResult]) -> Figure:
    """Voltage vs capacity (mAh/g) of simulated discharges (objects with ``capacity_mAh_per_g``).

    Parameters
    ----------
    results
        DischargeResult list.

    Returns
    -------
    matplotlib.figure.Figure
        Voltage vs capacity.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.0, 3.6), constrained_layout=True)
    for r in results:
        if not r.converged:
            continue
        ax.plot(r.capacity_mAh_per_g, r.voltage_V, label=f"{r.c_rate:g}C, {r.temperature_c:g} degC")
    ax.set_xlabel("capacity (mAh/g)")
    ax.set_ylabel("voltage (V)")
    ax.legend(fontsize=7)
    return fig


def cycling_figure(summary: CycleSummary) -> Figure:
    """Discharge / charge capacity and coulombic efficiency vs cycle.

    Parameters
    ----------
    summary
        Per-cycle summary (:func:`ssbkit.cell.cycling.summarize_cycles`); capacities in
        mAh/g where the active mass is known, else in mAh.

    Returns
    -------
    matplotlib.figure.Figure
        Capacities (left axis) and coulombic efficiency in % (right axis) vs cycle number.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.4, 3.6), constrained_layout=True)
    if summary.discharge_mAh_per_g is not None:
        qd, qc, unit = summary.discharge_mAh_per_g, summary.charge_mAh_per_g, "mAh/g"
    else:
        qd, qc, unit = summary.discharge_mAh, summary.charge_mAh, "mAh"
    ax.plot(summary.cycle, qd, "o-", label="discharge")
    ax.plot(summary.cycle, qc, "s--", label="charge")
    ax.set_xlabel("cycle")
    ax.set_ylabel(f"capacity ({unit})")
    ax2 = ax.twinx()
    ax2.plot(summary.cycle, 100 * summary.coulombic_efficiency, "k.:", label="CE")
    ax2.set_ylabel("coulombic efficiency (%)")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def dqdv_figure(curves: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> Figure:
    """dQ/dV vs voltage for labelled curves ``{label: (V, dQdV)}``.

    Parameters
    ----------
    curves
        ``{label: (V, dQ/dV)}``.

    Returns
    -------
    matplotlib.figure.Figure
        dQ/dV curves.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.0, 3.6), constrained_layout=True)
    for label, (v, g) in curves.items():
        ax.plot(v, g, label=label)
    ax.set_xlabel("voltage (V)")
    ax.set_ylabel("dQ/dV (mAh/V)")
    ax.legend(fontsize=8)
    return fig


def ocv_figure(names: Sequence[str]) -> Figure:
    """Open-circuit curves of active materials over their usable window.

    Parameters
    ----------
    names
        Active-material names.

    Returns
    -------
    matplotlib.figure.Figure
        Their open-circuit curves.
    """
    from .active_materials import get_active_material

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.0, 3.6), constrained_layout=True)
    for n in names:
        m = get_active_material(n)
        s = np.linspace(*m.sto_range, 200)
        ax.plot(s, m.ocv_v(s), label=m.name)
    ax.set_xlabel("lithium fraction x")
    ax.set_ylabel("OCV vs Li/Li+ (V)")
    ax.legend(fontsize=8)
    return fig
