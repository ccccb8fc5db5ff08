"""Plotly figure specifications (plain dicts) for the pages; drawn in the browser by plotly.js.

Nothing here computes physics: the curves are the analysis results (data,
fitted model, Arrhenius fit and its prediction interval) as the workflows
returned them. User-supplied text (file names, sample names) is escaped,
because plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

__all__ = ["nyquist", "bode", "drt", "arrhenius", "cycling", "compare", "kissinger"]

def _t(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _layout(title: str, x: str, y: str, **kw) -> dict[str, Any]:
    lay: dict[str, Any] = {"title": {"text": title}, "xaxis": {"title": {"text": x}},
                           "yaxis": {"title": {"text": y}}, "hovermode": "closest",
                           "legend": {"orientation": "h", "y": -0.3}, "margin": {"t": 40}}
    for k, v in kw.items():
        if isinstance(v, dict) and isinstance(lay.get(k), dict):
            lay[k] = {**lay[k], **v}
        else:
            lay[k] = v
    return lay


def nyquist(result: dict[str, Any]) -> dict[str, Any]:
    """Nyquist plot of every spectrum with its fit (equal axes; click the legend to toggle).

    Parameters
    ----------
    result
        From :func:`ssbkit.web.analyses.impedance_series`.

    Returns
    -------
    dict
        ``{"data": [...], "layout": {...}}``.
    """
    data = []
    for s in result.get("spectra", []):
        if "z_ohm" not in s:
            continue
        name = f"{s.get('temperature_c'):g} °C" if s.get("temperature_c") is not None else _t(s["source"])
        z = s["z_ohm"]
        data.append({"type": "scatter", "mode": "markers", "name": name, "legendgroup": name,
                     "x": z["real"], "y": [-v for v in z["imag"]], "text": s["frequency_hz"],
                     "hovertemplate": "Z' %{x:.4g} Ω<br>−Z'' %{y:.4g} Ω<br>f %{text:.4g} Hz<extra>" +
                     _t(s["source"]) + "</extra>"})
        if s.get("fit"):
            zf = s["fit"]["z_ohm"]
            data.append({"type": "scatter", "mode": "lines", "name": f"fit {name}", "legendgroup": name,
                         "x": zf["real"], "y": [-v for v in zf["imag"]], "hoverinfo": "skip"})
    return {"data": data, "layout": _layout("Nyquist", "Z' / Ω", "−Z'' / Ω",
                                            yaxis={"scaleanchor": "x", "scaleratio": 1})}


def bode(result: dict[str, Any]) -> dict[str, Any]:
    """|Z| and phase against frequency for every spectrum.

    Parameters
    ----------
    result
        From :func:`ssbkit.web.analyses.impedance_series`.

    Returns
    -------
    dict
    """
    data = []
    for s in result.get("spectra", []):
        if "z_ohm" not in s:
            continue
        z = np.array(s["z_ohm"]["real"]) + 1j * np.array(s["z_ohm"]["imag"])
        name = f"{s.get('temperature_c'):g} °C" if s.get("temperature_c") is not None else _t(s["source"])
        data.append({"type": "scatter", "mode": "lines+markers", "name": f"|Z| {name}", "legendgroup": name,
                     "x": s["frequency_hz"], "y": np.abs(z).tolist()})
        data.append({"type": "scatter", "mode": "lines", "name": f"phase {name}", "legendgroup": name,
                     "x": s["frequency_hz"], "y": (-np.degrees(np.angle(z))).tolist(), "yaxis": "y2",
                     "line": {"dash": "dot"}})
    lay = _layout("Bode", "f / Hz", "|Z| / Ω", xaxis={"type": "log"}, yaxis={"type": "log"})
    lay["yaxis2"] = {"title": {"text": "−phase / °"}, "overlaying": "y", "side": "right"}
    return {"data": data, "layout": lay}


def drt(result: dict[str, Any]) -> dict[str, Any]:
    """Distribution of relaxation times of every spectrum.

    Parameters
    ----------
    result
        From :func:`ssbkit.web.analyses.impedance_series`.

    Returns
    -------
    dict
    """
    data = []
    for s in result.get("spectra", []):
        d = s.get("drt") or {}
        if "tau_s" not in d:
            continue
        name = f"{s.get('temperature_c'):g} °C" if s.get("temperature_c") is not None else _t(s["source"])
        data.append({"type": "scatter", "mode": "lines", "name": name, "x": d["tau_s"], "y": d["gamma_ohm"]})
    return {"data": data, "layout": _layout("DRT", "τ / s", "γ / Ω", xaxis={"type": "log"})}


def arrhenius(result: dict[str, Any]) -> dict[str, Any]:
    """log10 sigma against 1000/T with error bars and the fitted Arrhenius lines.

    Parameters
    ----------
    result
        From :func:`ssbkit.web.analyses.impedance_series`.

    Returns
    -------
    dict
    """
    tk = [t for t in result.get("temperatures_K", [])]
    data = []
    for key, label in (("bulk", "bulk"), ("gb", "grain boundary"), ("total", "total")):
        s, e = result.get(f"sigma_{key}_S_per_cm") or [], result.get(f"sigma_{key}_S_per_cm_err") or []
        pts = [(1000 / t, v, er) for t, v, er in zip(tk, s, e, strict=False) if t and v is not None and v > 0]
        if not pts:
            continue
        data.append({"type": "scatter", "mode": "markers", "name": f"σ {label}", "legendgroup": key,
                     "x": [p[0] for p in pts], "y": [p[1] for p in pts],
                     "error_y": {"type": "data", "array": [p[2] or 0 for p in pts]},
                     "hovertemplate": "1000/T %{x:.4f} K⁻¹<br>σ %{y:.4g} S/cm<extra>" + label + "</extra>"})
        fit, curve = result.get(f"arrhenius_{key}"), (result.get("arrhenius_curves") or {}).get(key)
        if fit and curve:
            ea = fit["ea_ev"]
            x = [1000 / t for t in curve["T_K"]]
            data.append({"type": "scatter", "mode": "lines", "legendgroup": key,
                         "name": f"fit {label}: Ea = {ea:.3f} ± {fit.get('ea_se_ev') or math.nan:.3f} eV",
                         "x": x, "y": curve["sigma_S_per_cm"]})
    return {"data": data, "layout": _layout("Arrhenius", "1000/T / K⁻¹", "σ / S cm⁻¹", yaxis={"type": "log"})}


def cycling(result: dict[str, Any]) -> dict[str, Any]:
    """Discharge capacity and coulombic efficiency per cycle.

    Parameters
    ----------
    result
        From :func:`ssbkit.web.analyses.cycling_summary`.

    Returns
    -------
    dict
    """
    spec = result.get("discharge_mAh_per_g") is not None
    cap = result.get("discharge_mAh_per_g") if spec else result.get("discharge_mAh")
    data = [{"type": "scatter", "mode": "markers+lines", "name": "discharge", "x": result.get("cycle", []),
             "y": cap},
            {"type": "scatter", "mode": "markers", "name": "CE", "x": result.get("cycle", []),
             "y": result.get("coulombic_efficiency"), "yaxis": "y2"}]
    lay = _layout(f"Cycling: {_t(result.get('source', ''))}", "cycle", "capacity / " + ("mAh g⁻¹" if spec else "mAh"))
    lay["yaxis2"] = {"title": {"text": "coulombic efficiency"}, "overlaying": "y", "side": "right"}
    return {"data": data, "layout": lay}


def kissinger(result: dict[str, Any]) -> dict[str, Any]:
    """Kissinger plot: ln(beta / Tp^2) against 1000/Tp, one point per scan, and the library's fitted line.

    The axes are the processing layer's (``ssbkit.processing.kinetics``): beta in K/s, Tp in K,
    ``y = intercept + slope / Tp``; the line is its regression, not a new fit.

    Parameters
    ----------
    result
        From :func:`ssbkit.web.analyses.dsc_kinetics`.

    Returns
    -------
    dict
    """
    k = result.get("kissinger") or {}
    beta, tp = k.get("heating_rates_K_per_min") or [], k.get("peak_temperatures_C") or []
    names = {f.get("heating_rate_K_per_min"): f.get("file") for f in result.get("files", [])}
    tk = [t + 273.15 for t in tp]
    x = [1000.0 / t for t in tk]
    y = [math.log((b / 60.0) / t**2) for b, t in zip(beta, tk, strict=True)]
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "markers", "name": "scans", "x": x, "y": y,
        "text": [_t(f"{names.get(b, '')} ({b:g} K/min, Tp {t:.1f} °C)") for b, t in zip(beta, tp, strict=True)],
        "hovertemplate": "%{text}<br>1000/Tp %{x:.4f} K⁻¹<br>ln(β/Tp²) %{y:.3f}<extra></extra>"}]
    if x and k.get("slope") is not None and k.get("intercept") is not None:
        xs = np.linspace(min(x), max(x), 20)
        lo, hi = (k.get("ea_ci_kJ_per_mol") or [math.nan, math.nan])[:2]
        data.append({"type": "scatter", "mode": "lines", "x": xs.tolist(),
                     "y": (k["intercept"] + k["slope"] * xs / 1000.0).tolist(),
                     "name": f"Kissinger: Ea = {k['ea_kJ_per_mol']:.1f} kJ/mol "
                             f"[{lo if lo is not None else math.nan:.1f}, {hi if hi is not None else math.nan:.1f}] "
                             f"({100 * (k.get('level') or 0.95):g} %)"})
    return {"data": data, "layout": _layout("Kissinger", "1000/Tp / K⁻¹", "ln(β / Tp²), β in K s⁻¹, Tp in K")}


def compare(rows: list[dict[str, Any]], literature: list[dict[str, Any]], by: str,
            other_labs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """sigma (log) against Ea of every sample, coloured by group, outliers ringed, literature beside.

    Parameters
    ----------
    rows
        From :func:`ssbkit.web.compare.flag_outliers`.
    literature
        From :func:`ssbkit.web.literature.literature_rows`.
    by
        Grouping key.
    other_labs
        From :func:`ssbkit.web.compare.anonymised_groups`: drawn as mean Ea and geometric-mean sigma
        with one-s.d. bars.

    Returns
    -------
    dict
    """
    data = []
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(str(r.get(by) or "(none)"), []).append(r)
    for g, rs in sorted(groups.items()):
        data.append({"type": "scatter", "mode": "markers", "name": _t(g), "x": [r.get("ea_eV") for r in rs],
                     "y": [r.get("sigma_S_per_cm") for r in rs], "text": [_t(r["sample"]) for r in rs],
                     "marker": {"size": 10, "line": {"width": [3 if r["outlier"] else 0 for r in rs],
                                                     "color": "red"}},
                     "hovertemplate": "%{text}<br>Ea %{x:.3f} eV<br>σ %{y:.3g} S/cm<extra>" + _t(g) + "</extra>"})
    lit = [r for r in literature if r.get("Ea_eV") is not None]
    if lit:
        data.append({"type": "scatter", "mode": "markers", "name": "literature", "marker": {"symbol": "x", "size": 10},
                     "x": [r["Ea_eV"] for r in lit], "y": [r["sigma_S_per_cm"] for r in lit],
                     "text": [_t(r["reference"]) for r in lit],
                     "hovertemplate": "%{text}<br>Ea %{x:.3f} eV<br>σ %{y:.3g} S/cm<extra>literature</extra>"})
    for og in other_labs or []:
        m, sl = og.get("sigma_geometric_mean_S_per_cm"), og.get("sigma_std_log10")
        if m is None or og.get("ea_mean_eV") is None:
            continue
        up = [m * (10 ** sl - 1)] if sl is not None else [0]
        down = [m * (1 - 10 ** -sl)] if sl is not None else [0]
        data.append({"type": "scatter", "mode": "markers", "name": _t(f"{og['label']} (n = {og['n_samples']})"),
                     "x": [og["ea_mean_eV"]], "y": [m], "marker": {"symbol": "diamond-open", "size": 12},
                     "error_x": {"type": "data", "array": [og.get("ea_std_eV") or 0]},
                     "error_y": {"type": "data", "symmetric": False, "array": up, "arrayminus": down},
                     "hovertemplate": "Ea %{x:.2f} eV<br>σ %{y:.2g} S/cm<extra>" + _t(og["label"]) + "</extra>"})
    return {"data": data, "layout": _layout("σ and Ea", "Ea / eV", "σ / S cm⁻¹", yaxis={"type": "log"})}
