"""Figures with the constructions drawn (returned as matplotlib Figures; callers save them)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .dsc import DscAnalysis
from .dsc_io import DscCurve
from .heat_treatment import HeatTreatmentMap
from .kinetics import KineticsFit

__all__ = ["plot_dsc", "plot_kissinger", "plot_heat_treatment_map", "plot_dsc_overlay"]


def _figure(**kw):
    from matplotlib.figure import Figure

    return Figure(**kw)


def plot_dsc(curve: DscCurve, analysis: DscAnalysis, *, title: str | None = None):
    """Heat-flow curve with the ASTM E1356 Tg construction and the peak baselines, tangents and areas.

    Parameters
    ----------
    curve : DscCurve
        The heating curve (exothermic up).
    analysis : DscAnalysis
        Its analysis (:func:`~ssbkit.processing.dsc.analyze_dsc`).
    title : str, optional
        Figure title (default: the file name).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(figsize=(7.5, 4.5))
    ax = fig.add_subplot(111)
    t, q = curve.temperature_C, curve.heat_flow
    ax.plot(t, q, color="k", lw=1.0, label="heat flow (exo up)")
    span = float(np.ptp(q)) or 1.0
    g = analysis.glass_transition
    if g is not None:
        w = g.end_C - g.onset_C
        for line, lo, hi, style in ((g.glass_line, g.fit_range_C[0], g.end_C + w, "--"),
                                    (g.liquid_line, g.onset_C - w, g.fit_range_C[3], "--"),
                                    (g.tangent, g.onset_C - 0.5 * w, g.end_C + 0.5 * w, ":")):
            tt = np.linspace(lo, hi, 50)
            ax.plot(tt, line.at(tt), style, color="tab:blue", lw=0.9)
        for name, tv in (("onset", g.onset_C), ("mid", g.midpoint_C), ("end", g.end_C)):
            ax.plot([tv], [np.interp(tv, t, q)], "o", color="tab:blue", ms=4)
            off = {"onset": (-34, -26), "mid": (0, 14), "end": (34, -26)}[name]
            ax.annotate(f"Tg {name}\n{tv:.1f} °C", (tv, np.interp(tv, t, q)), textcoords="offset points",
                        xytext=off, ha="center", fontsize=7, color="tab:blue")
    for pk, color in [(p, "tab:red") for p in analysis.crystallization] + [(p, "tab:green") for p in analysis.melting]:
        tt = np.linspace(pk.start_C, pk.end_C, 200)
        base = pk.baseline.at(tt)
        ax.fill_between(tt, base, np.interp(tt, t, q), color=color, alpha=0.2, lw=0)
        ax.plot(tt, base, "--", color=color, lw=0.9)
        if math.isfinite(pk.onset_C):
            top = float(np.interp(pk.peak_C, t, q))
            t_end = (top - pk.tangent.intercept) / pk.tangent.slope if pk.tangent.slope else pk.peak_C
            t_end = min(max(t_end, pk.onset_C), pk.peak_C) if pk.kind == "exo" else pk.peak_C
            tan_t = np.linspace(pk.onset_C - 2.0, t_end, 30)
            ax.plot(tan_t, pk.tangent.at(tan_t), ":", color=color, lw=0.9)
            ax.plot([pk.onset_C], [pk.baseline.at(pk.onset_C)], "o", color=color, ms=4)
        label = ("Tc" if pk.kind == "exo" else "Tm") + f" onset {pk.onset_C:.1f}, peak {pk.peak_C:.1f} °C"
        if math.isfinite(pk.enthalpy_J_per_g):
            label += f"\nΔH = {pk.enthalpy_J_per_g:.1f} J/g"
        y = np.interp(pk.peak_C, t, q)
        ax.annotate(label, (pk.peak_C, y), textcoords="offset points",
                    xytext=(8, 8 if pk.kind == "exo" else -24), fontsize=7, color=color)
    ax.set_xlabel("temperature (°C)")
    ax.set_ylabel(f"heat flow ({curve.heat_flow_unit}), exo up")
    ax.set_ylim(q.min() - 0.08 * span, q.max() + 0.15 * span)
    from pathlib import Path

    ax.set_title(title or f"{Path(curve.source).name}  ({curve.heating_rate_K_per_min:g} K/min)", fontsize=9)
    fig.tight_layout()
    return fig


def plot_dsc_overlay(curves: Sequence[DscCurve], *, title: str = "heating rates"):
    """Curves at several heating rates on one axis.

    Parameters
    ----------
    curves : sequence of DscCurve
        The scans.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(figsize=(7, 4))
    ax = fig.add_subplot(111)
    for c in sorted(curves, key=lambda c: c.heating_rate_K_per_min):
        ax.plot(c.temperature_C, c.heat_flow, lw=1, label=f"{c.heating_rate_K_per_min:g} K/min")
    ax.set_xlabel("temperature (°C)")
    ax.set_ylabel("heat flow, exo up")
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_kissinger(fit: KineticsFit):
    """Kissinger (ln(beta/Tp^2)) or Ozawa (ln beta) plot against 1000/Tp with the fitted line.

    Parameters
    ----------
    fit : KineticsFit
        From :func:`~ssbkit.processing.kinetics.kissinger` or :func:`~ssbkit.processing.kinetics.ozawa`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(figsize=(5, 4))
    ax = fig.add_subplot(111)
    tk = np.asarray(fit.peak_temperatures_C) + 273.15
    b = np.asarray(fit.heating_rates_K_per_min)
    y = np.log(b / 60.0 / tk ** 2) if fit.method == "kissinger" else np.log(b)
    x = 1.0 / tk
    ax.plot(1e3 * x, y, "o", color="k")
    xx = np.linspace(x.min(), x.max(), 20)
    ax.plot(1e3 * xx, fit.intercept + fit.slope * xx, "-", color="tab:red",
            label=f"Ea = {fit.ea_kJ_per_mol:.1f} ± {fit.ea_se_kJ_per_mol:.1f} kJ/mol")
    ax.set_xlabel("1000 / Tp (1/K)")
    ax.set_ylabel("ln(β / Tp²)  [β in K/s]" if fit.method == "kissinger" else "ln β  [β in K/min]")
    ax.set_title(fit.method.capitalize(), fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_heat_treatment_map(hmap: HeatTreatmentMap):
    """log10 sigma over (T, t), the unwanted-phase window hatched, the recommendation starred.

    Parameters
    ----------
    hmap : HeatTreatmentMap
        From :func:`~ssbkit.processing.heat_treatment.heat_treatment_map`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(figsize=(7, 4.5))
    ax = fig.add_subplot(111)
    t_c, t_h = hmap.temperatures_C, hmap.times_h
    mesh = ax.pcolormesh(t_h, t_c, np.log10(hmap.sigma_S_per_cm), shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label="log10 σ(25 °C) / (S/cm)")
    if hmap.unwanted is not None:
        u = hmap.unwanted
        ax.axhspan(u.onset_C, max(u.onset_high_C, t_c.max()), facecolor="none", edgecolor="w", hatch="//", lw=0)
        ax.axhline(u.onset_C, color="w", lw=0.8, ls="--")
        ax.text(t_h.min(), u.onset_C, f" {u.name} forms above {u.onset_C:g}–{u.onset_high_C:g} °C",
                color="w", fontsize=7, va="bottom")
    if math.isfinite(hmap.tg_C):
        ax.axhline(hmap.tg_C, color="w", lw=0.8, ls=":")
        ax.text(t_h.min(), hmap.tg_C, f" Tg {hmap.tg_C:g} °C", color="w", fontsize=7, va="top")
    ax.plot([hmap.recommended_time_h], [hmap.recommended_T_C], "*", ms=14, color="tab:red", mec="w")
    lo, hi = hmap.sigma_interval_S_per_cm
    ax.set_title(f"recommended {hmap.recommended_T_C:g} °C / {hmap.recommended_time_h:g} h: "
                 f"σ = {hmap.sigma_recommended_S_per_cm:.2e} S/cm (95 %: {lo:.1e}–{hi:.1e})", fontsize=8)
    if t_h.size > 1 and t_h.max() / t_h.min() > 20:
        ax.set_xscale("log")
    ax.set_xlabel("holding time (h)")
    ax.set_ylabel("holding temperature (°C)")
    fig.tight_layout()
    return fig
