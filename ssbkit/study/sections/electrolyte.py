"""The ``[electrolyte]`` section: sigma(T) and Ea of the study's solid electrolyte.

Sources, chosen with ``source``:

``dataset``    a row of the bundled literature dataset (``name``): sigma at its stated
               temperature and, where reported, Ea -> an Arrhenius line through the point.
``data``       conductivities measured at several temperatures -> weighted Arrhenius fit.
``impedance``  the conductivities of the ``[impedance]`` section (fitted spectra).
``atomistic``  the conductivities of the ``[atomistic]`` section (simulated).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ssbkit.constants import ZERO_C
from ssbkit.errors import InputError
from ssbkit.materials import find_electrolyte, load_dataset, matching_electrolytes, parse_mixture
from ssbkit.study.section import KeySpec, Section, StudyContext, figure_to_html, fmt, table_html
from ssbkit.transport import ArrheniusFit, arrhenius_from_point, fit_arrhenius
from ssbkit.transport.plots import plot_arrhenius

__all__ = ["SCHEMA", "run_section"]

SOURCES = ("auto", "dataset", "data", "impedance", "atomistic", "heat_treatment")

SCHEMA = {
    "name": KeySpec(str, "REQUIRED", "electrolyte name (a dataset name for source = 'dataset')"),
    "composition": KeySpec(str, "", "formula or mole-ratio mixture, e.g. '80Li2S-20P2S5'"),
    "source": KeySpec(str, "auto", "where sigma(T) comes from: auto, dataset, data, impedance, atomistic, heat_treatment"),
    "temperatures_c": KeySpec(list, [], "measurement temperatures, degC (source = 'data')"),
    "temperatures_k": KeySpec(list, [], "measurement temperatures, K (alternative to temperatures_c)"),
    "conductivities_S_per_cm": KeySpec(list, [], "measured conductivities, S/cm (source = 'data')"),
    "conductivity_errors_S_per_cm": KeySpec(list, [], "their standard errors, S/cm (optional)"),
    "conductivity": KeySpec(str, "total", "which impedance conductivity to use: bulk, gb or total"),
    "dataset_id": KeySpec(int, None, "dataset row id to use when several rows match the name (source = 'dataset')"),
    "ea_eV": KeySpec(float, None, "activation energy to use when the dataset row has none, eV"),
    "arrhenius_form": KeySpec(str, "sigmaT", "Arrhenius form: 'sigmaT' or 'sigma'"),
    "report_temperatures_c": KeySpec(list, [-20.0, 0.0, 25.0, 60.0, 100.0], "temperatures for the sigma(T) table, degC"),
    "reference": KeySpec(str, "", "reference for given data"),
}

_LIT_REF = "ssbkit literature dataset (see each row's reference)"


def _fit_from_data(cfg: dict) -> tuple[ArrheniusFit, np.ndarray, np.ndarray, np.ndarray | None]:
    tc, tk, s = cfg["temperatures_c"], cfg["temperatures_k"], cfg["conductivities_S_per_cm"]
    if tc and tk:
        raise InputError("electrolyte: give temperatures_c or temperatures_k, not both")
    if tc:
        from ssbkit.transport.extrapolation import require_celsius

        require_celsius(tc, "electrolyte.temperatures_c")
    t = np.asarray(tk, float) if tk else np.asarray(tc, float) + ZERO_C
    sig = np.asarray(s, float)
    if t.size == 0 or sig.size == 0:
        raise InputError("electrolyte: source = 'data' needs temperatures_c and conductivities_S_per_cm")
    if t.size != sig.size:
        raise InputError(f"electrolyte: {t.size} temperatures but {sig.size} conductivities")
    err = np.asarray(cfg["conductivity_errors_S_per_cm"], float) if cfg["conductivity_errors_S_per_cm"] else None
    if err is not None and err.size != sig.size:
        raise InputError("electrolyte: conductivity_errors_S_per_cm needs one error per conductivity")
    fit = fit_arrhenius(t, sig, y_err=err, form=cfg["arrhenius_form"])
    return fit, t, sig, err


def _median_ea(family: str, form: str) -> tuple[float, int, str]:
    """Median Ea of comparable dataset rows: same family and form, else family, else all."""
    rows = load_dataset()
    rows = rows[rows["Ea_eV"].notna()]
    fam = rows[rows["family"] == family]
    same = fam[fam["form"] == form]
    for use, label in ((same, f"{family} {form}"), (fam, family), (rows, "all")):
        if len(use) >= 3:
            return float(np.median(use["Ea_eV"])), len(use), label
    raise InputError("the dataset holds too few activation energies to assume one; set electrolyte.ea_eV")


def _dataset_row(cfg: dict, sec: Section) -> Any:
    """The dataset row for ``cfg['name']``, with a warning naming the others when several match."""
    row = find_electrolyte(cfg["name"], row_id=cfg.get("dataset_id"))
    others = matching_electrolytes(cfg["name"])
    others = others[others["id"] != row["id"]]
    if len(others) and cfg.get("dataset_id") is None:
        alt = "; ".join(f"id {int(r['id'])}: {fmt(r['sigma_S_per_cm'])} S/cm ({r['reference']})"
                        for _, r in others.iterrows())
        sec.warnings.append(
            f"{len(others) + 1} dataset rows match {cfg['name']!r}; used id {int(row['id'])} "
            f"({fmt(row['sigma_S_per_cm'])} S/cm, {row['reference']}): rows with an Ea first, then the lowest Ea. "
            f"Others: {alt}. Set electrolyte.dataset_id to choose")
    return row


def _from_dataset(cfg: dict, sec: Section) -> ArrheniusFit:
    row = _dataset_row(cfg, sec)
    sec.references.append(str(row["reference"]))
    sigma, t_c, ea = float(row["sigma_S_per_cm"]), float(row["sigma_T_C"]), row["Ea_eV"]
    if not math.isfinite(sigma):
        raise InputError(f"electrolyte: dataset row {row['name']!r} reports no conductivity value")
    sec.results["dataset_row"] = {k: (None if (isinstance(v, float) and math.isnan(v)) else v)
                                  for k, v in row.to_dict().items()}
    if cfg["ea_eV"] is not None:
        ea = float(cfg["ea_eV"])
        sec.warnings.append(f"Ea = {ea:.3f} eV taken from the study file, not from the dataset row")
    elif not (isinstance(ea, float) and math.isfinite(ea)):
        ea, n, label = _median_ea(str(row["family"]), str(row["form"]))
        sec.warnings.append(
            f"the dataset row reports no Ea: sigma(T) away from {t_c:g} degC uses the median Ea "
            f"of {n} dataset rows ({label}: {ea:.3f} eV); set electrolyte.ea_eV to override"
        )
        sec.results["ea_source"] = f"median of {n} dataset rows ({label})"
    return arrhenius_from_point(t_c + ZERO_C, sigma, float(ea), form=cfg["arrhenius_form"])


def _from_heat_treatment(cfg: dict, ctx: StudyContext, sec: Section) -> ArrheniusFit:
    """sigma(25 degC) predicted by the ``[heat_treatment]`` section, carried to other T by an Ea.

    The Ea is the study's ``ea_eV``, else the dataset row's, else the median of
    the sulfide glass-ceramic rows (said in a warning).
    """
    res = ctx.results.get("heat_treatment") or {}
    s25 = res.get("sigma_25C_S_per_cm")
    if not isinstance(s25, int | float) or not s25 > 0:
        raise InputError("electrolyte: source = 'heat_treatment' needs a [heat_treatment] table that "
                         "predicted sigma_25C_S_per_cm")
    ea = cfg["ea_eV"]
    if ea is None:
        try:
            row = find_electrolyte(cfg["name"])
            ea = row["Ea_eV"] if isinstance(row["Ea_eV"], float) and math.isfinite(row["Ea_eV"]) else None
        except InputError:
            ea = None
    if ea is None:
        ea, n, label = _median_ea("sulfide", "glass-ceramic")
        sec.warnings.append(f"Ea for sigma(T) away from 25 degC: median of {n} dataset rows ({label}: "
                            f"{ea:.3f} eV); set electrolyte.ea_eV to override")
    sec.results["heat_treatment"] = {k: res.get(k) for k in
                                     ("recommended_T_C", "sigma_recommended_95_S_per_cm", "milling_dose_J_per_g")}
    return arrhenius_from_point(25.0 + ZERO_C, float(s25), float(ea), form=cfg["arrhenius_form"])


def _from_section(cfg: dict, ctx: StudyContext, key: str, sec: Section):
    res = ctx.results.get(key)
    if not res:
        raise InputError(f"electrolyte: source = '{key}' needs a [{key}] table that ran successfully")
    t = np.asarray(res.get("temperatures_K", []), float)
    which = {"impedance": f"sigma_{cfg['conductivity']}_S_per_cm", "atomistic": "sigma_S_per_cm"}[key]
    if which not in res:
        raise InputError(f"electrolyte: [{key}] gave no '{which}' (valid: {sorted(res)})")
    s = np.asarray(res[which], float)
    e = res.get(which.replace("_S_per_cm", "_err_S_per_cm")) or res.get(which + "_err")
    err = np.asarray(e, float) if e is not None else None
    ok = np.isfinite(t) & np.isfinite(s) & (s > 0)
    if err is not None:
        ok &= np.isfinite(err) & (err > 0)
    if ok.sum() < 2:
        raise InputError(f"electrolyte: [{key}] gave fewer than 2 usable conductivities")
    fit = fit_arrhenius(t[ok], s[ok], y_err=None if err is None else err[ok], form=cfg["arrhenius_form"])
    return fit, t[ok], s[ok], None if err is None else err[ok]


def run_section(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    """sigma(T), Ea and the Arrhenius plot against the literature (science.md section 1).

    Parameters
    ----------
    cfg
        The validated ``[electrolyte]`` table (defaults filled in).
    ctx
        The run: the whole study, the results of earlier sections, the output
        folder and the progress callback.

    Returns
    -------
    Section
        Results (numbers with units in the keys), HTML, citations and warnings.
    """
    sec = Section(key="electrolyte", title=f"Solid electrolyte: {cfg['name']}")
    source = _choose_source(cfg, ctx)
    if cfg["composition"]:
        mix = parse_mixture(cfg["composition"])
        sec.results["composition"] = mix.to_dict()
    fit, data = _fit(cfg, ctx, source, sec)
    s25 = _headline_results(fit, source, sec)
    if data is not None and len(data[0]) >= 3:
        _extrapolation(fit, data, sec)
    rows = _sigma_table(cfg, fit, sec)
    _render(cfg, fit, data, rows, s25, source, sec)
    return sec


def _choose_source(cfg: dict[str, Any], ctx: StudyContext) -> str:
    """The source of sigma(T): the study's, or in ``auto`` mode data > impedance > heat treatment > dataset."""
    source = cfg["source"]
    if source not in SOURCES:
        from ssbkit.errors import did_you_mean

        raise InputError(f"electrolyte.source {source!r} is not valid{did_you_mean(source, SOURCES)}")
    if source == "auto":
        if cfg["conductivities_S_per_cm"]:
            source = "data"
        elif "impedance" in ctx.results:
            source = "impedance"
        elif "sigma_25C_S_per_cm" in (ctx.results.get("heat_treatment") or {}):
            source = "heat_treatment"
        else:
            source = "dataset"
    return source


def _fit(cfg: dict[str, Any], ctx: StudyContext, source: str, sec: Section):
    """The Arrhenius fit from the chosen source, and the measured points when there are some."""
    data = None
    if source == "dataset":
        fit = _from_dataset(cfg, sec)
    elif source == "heat_treatment":
        fit = _from_heat_treatment(cfg, ctx, sec)
    elif source == "data":
        fit, t, s, e = _fit_from_data(cfg)
        data = (t, s, e)
        if cfg["reference"]:
            sec.references.append(cfg["reference"])
    else:
        fit, t, s, e = _from_section(cfg, ctx, source, sec)
        data = (t, s, e)
    return fit, data


def _headline_results(fit: ArrheniusFit, source: str, sec: Section) -> float:
    """Ea and sigma(25 degC) with their statistical intervals into the results; returns sigma(25 degC)."""
    sec.results["source"] = source
    sec.results["arrhenius"] = fit.to_dict()
    sec.results["ea_eV"] = fit.ea_ev
    sec.results["ea_se_eV"] = fit.ea_se_ev
    sec.results["ea_kJ_per_mol"] = fit.ea_kj_per_mol
    s25, lo25, hi25 = fit.predict_interval(25.0 + ZERO_C)
    sec.results["sigma_25C_S_per_cm"] = s25
    sec.results["sigma_25C_interval_S_per_cm"] = [lo25, hi25]
    return s25


def _extrapolation(fit: ArrheniusFit, data, sec: Section) -> None:
    """sigma(25 degC) interval with the model spread (Arrhenius forms, weightings) and how far it reaches."""
    from ssbkit.transport.extrapolation import extrapolate_sigma

    t_d, s_d, e_d = data
    ex = extrapolate_sigma(t_d, s_d, 25.0 + ZERO_C, sigma_err=e_d, form=fit.form)
    sec.results["sigma_25C_interval_statistical_S_per_cm"] = sec.results["sigma_25C_interval_S_per_cm"]
    sec.results["sigma_25C_interval_S_per_cm"] = [ex.lower, ex.upper]
    sec.results["sigma_25C_extrapolated_K"] = ex.extrapolated_k
    sec.results["ea_interval_model_eV"] = [ex.ea_lower_ev, ex.ea_upper_ev]
    if ex.extrapolated_k > 20:
        sec.warnings.append(
            f"sigma(25 degC) is extrapolated {ex.extrapolated_k:.0f} K outside the data; its "
            "interval spans the Arrhenius forms and weightings (model uncertainty)")


def _sigma_table(cfg: dict[str, Any], fit: ArrheniusFit, sec: Section) -> list[tuple]:
    """sigma at the report temperatures with 95 % prediction intervals (extrapolated rows marked)."""
    rows = []
    table = {}
    for tc in cfg["report_temperatures_c"]:
        y, lo, hi = fit.predict_interval(float(tc) + ZERO_C)
        extrap = not (fit.t_range_k[0] - 1 <= tc + ZERO_C <= fit.t_range_k[1] + 1)
        rows.append((tc, y, lo, hi, "yes" if extrap else "no"))
        table[f"{tc:g}"] = y
    sec.results["sigma_T_S_per_cm"] = table
    sec.references.extend(fit.references)
    if sec.results.get("sigma_25C_S_per_cm", 0) < 1e-4:
        sec.warnings.append("sigma(25 degC) is below the 1e-4 S/cm separator target of science.md section 1")
    return rows


def _render(cfg: dict[str, Any], fit: ArrheniusFit, data, rows: list[tuple], s25: float, source: str,
            sec: Section) -> None:
    """The section's HTML: summary table, sigma(T) table, Arrhenius plot and the literature map."""
    lit = load_dataset()
    sec.references.append(_LIT_REF)
    fig = plot_arrhenius({cfg["name"]: fit}, {cfg["name"]: data} if data is not None else None,
                         literature=lit, title="Arrhenius plot against the literature dataset")
    from ssbkit.materials.plots import plot_sigma_ea_map

    fig2 = plot_sigma_ea_map(lit, highlight={cfg["name"]: (fit.ea_ev, s25)})
    summary = [
        ("source", source, ""),
        ("Arrhenius form", "σT = A exp(-Ea/kT)" if fit.form == "sigmaT" else "σ = A exp(-Ea/kT)", ""),
        ("Ea", fit.ea_ev, "eV"),
        ("Ea standard error", fit.ea_se_ev, "eV"),
        ("Ea", fit.ea_kj_per_mol, "kJ/mol"),
        ("σ(25 °C)", s25, "S/cm"),
        ("points fitted", fit.n_points, ""),
    ]
    sec.html = (
        table_html(summary, ("quantity", "value", "unit"))
        + "<h3>σ(T) with 95 % prediction interval</h3>"
        + table_html(rows, ("T (°C)", "σ (S/cm)", "lower (S/cm)", "upper (S/cm)", "extrapolated"))
        + figure_to_html(fig, alt="Arrhenius plot: this electrolyte against the literature dataset")
        + figure_to_html(fig2, alt="σ near room temperature against Ea: literature dataset and this electrolyte")
        + f"<p>Literature dataset: {len(lit)} rows, version {lit.attrs.get('version')}; "
        f"σ(25 °C) = {fmt(s25)} S/cm.</p>"
    )
