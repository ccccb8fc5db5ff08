"""The study's ``[synthesis]``, ``[thermal]`` and ``[heat_treatment]`` tables: precursors -> sigma.

``[synthesis]`` plans the batch (:func:`~ssbkit.processing.batch.plan_batch`) and
the milling dose (:func:`~ssbkit.processing.milling.milling_dose`); ``[thermal]``
reads DTA/DSC files (:func:`~ssbkit.processing.thermal.analyze_dsc_files`) or
takes Tg/Tc values; ``[heat_treatment]`` predicts the glass-ceramic conductivity
(:func:`~ssbkit.processing.heat_treatment.heat_treatment_map`) and exposes it as
``results["heat_treatment"]["sigma_25C_S_per_cm"]`` for the electrolyte section.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ssbkit.citations import format_reference
from ssbkit.errors import InputError
from ssbkit.study.section import KeySpec, Section, StudyContext, figure_to_html, fmt, table_html

__all__ = ["SCHEMAS", "run_section"]

SYNTHESIS_SCHEMA: dict[str, KeySpec] = {
    "target": KeySpec(str, "REQUIRED", "target composition, e.g. '70Li2S-30P2S5' or 'Li6PS5Cl'"),
    "mass_g": KeySpec(float, 1.0, "batch mass, g"),
    "precursors": KeySpec(list, [], "precursor formulas (default: the mixture's components)"),
    "purity": KeySpec(dict, {}, "mass fraction of each precursor, e.g. {Li2S = 0.999}"),
    "excess": KeySpec(dict, {}, "extra mass fraction, e.g. {S = 0.01}"),
    "milling": KeySpec(dict, {}, "milling run: mill, jar_material, ball_material, ball_diameter_mm, n_balls, "
                       "powder_mass_g, rpm, time_h, disc_radius_mm, vial_radius_mm, speed_ratio, filling_factor"),
}

THERMAL_SCHEMA: dict[str, KeySpec] = {
    "files": KeySpec(list, [], "DTA/DSC exports (paths relative to the study file)"),
    "heating_rates_K_per_min": KeySpec(list, [], "one heating rate per file (empty: from the files)"),
    "format": KeySpec(str, "auto", "auto, netzsch, ta, mettler, setaram, shimadzu, csv"),
    "exo": KeySpec(str, "", "'up' or 'down' when the files do not say"),
    "tg_window_C": KeySpec(list, [], "[low, high] degC to search Tg"),
    "tc_window_C": KeySpec(list, [], "[low, high] degC to search exotherms"),
    "tm_C": KeySpec(float, None, "melting temperature for Hruby's parameter, degC"),
    "merge_overlapping": KeySpec(bool, False, "integrate overlapping exotherms as one"),
    "smooth_K": KeySpec(float, 2.0, "smoothing window, K"),
    "segment": KeySpec(int, None, "programme segment to read (exports with a Segment column)"),
    "tg_C": KeySpec(float, None, "Tg onset when no file is given, degC"),
    "tc_peak_C": KeySpec(float, None, "crystallization peak when no file is given, degC"),
    "heating_rate_K_per_min": KeySpec(float, None, "heating rate of tc_peak_C, K/min"),
}

HEAT_TREATMENT_SCHEMA: dict[str, KeySpec] = {
    "sigma_glass_S_per_cm": KeySpec(float, "REQUIRED", "parent glass conductivity at 25 degC, S/cm"),
    "sigma_crystal_S_per_cm": KeySpec(float, "REQUIRED", "fully crystallized phase at 25 degC, S/cm"),
    "sigma_crystal_rel_err": KeySpec(float, 0.0, "relative uncertainty of sigma_crystal"),
    "temperature_C": KeySpec(float, None, "treatment to evaluate, degC (default: the recommendation)"),
    "time_h": KeySpec(float, 2.0, "holding time of temperature_C, h"),
    "model": KeySpec(str, "bruggeman", "effective medium: bruggeman or maxwell_garnett"),
    "ea_kJ_per_mol": KeySpec(float, None, "crystallization Ea, kJ/mol (default: from [thermal])"),
    "ea_se_kJ_per_mol": KeySpec(float, 0.0, "its standard error"),
    "avrami_n": KeySpec(float, None, "Avrami exponent (default: Matusita-Sakka from [thermal])"),
    "avrami_n_se": KeySpec(float, 0.0, "its standard error"),
    "tc_peak_C": KeySpec(float, None, "crystallization peak for single-scan kinetics, degC"),
    "heating_rate_K_per_min": KeySpec(float, None, "heating rate of tc_peak_C, K/min"),
    "unwanted": KeySpec(dict, {}, "unwanted phase: name, onset_C, onset_high_C, sigma_S_per_cm, source"),
    "temperatures_C": KeySpec(list, [150.0, 600.0, 10.0], "[low, high, step] of the map, degC"),
    "times_h": KeySpec(list, [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0], "holding times of the map, h"),
}

#: one schema per table this module owns
SCHEMAS: dict[str, dict[str, KeySpec]] = {
    "synthesis": SYNTHESIS_SCHEMA,
    "thermal": THERMAL_SCHEMA,
    "heat_treatment": HEAT_TREATMENT_SCHEMA,
}


def _table_of(cfg: dict[str, Any], ctx: StudyContext) -> str:
    for name in SCHEMAS:
        if ctx.study.get(name) is cfg:
            return name
    if "target" in cfg:
        return "synthesis"
    return "heat_treatment" if "sigma_glass_S_per_cm" in cfg else "thermal"


def run_section(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    """Run the ``[synthesis]``, ``[thermal]`` or ``[heat_treatment]`` table ``cfg``.

    Parameters
    ----------
    cfg : dict
        The validated table.
    ctx : StudyContext
        The run (earlier results, output folder, study base folder).

    Returns
    -------
    Section
        Keyed by the table name; ``heat_treatment`` results hold ``sigma_25C_S_per_cm``.
    """
    table = _table_of(cfg, ctx)
    return {"synthesis": _synthesis, "thermal": _thermal, "heat_treatment": _heat_treatment}[table](cfg, ctx)


def _refs(keys: list[str]) -> list[str]:
    return [format_reference(k) for k in dict.fromkeys(keys)]


# ----------------------------------------------------------------------------- [synthesis]
def _synthesis(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    from ssbkit.processing.batch import plan_batch
    from ssbkit.processing.milling import MillingRun, milling_dose

    sec = Section(key="synthesis", title=f"Synthesis: {cfg['target']}")
    plan = plan_batch(cfg["target"], mass_g=cfg["mass_g"], precursors=cfg["precursors"] or None,
                      purity=cfg["purity"], excess=cfg["excess"])
    sec.results.update({"target": plan.target, "target_formula": plan.target_formula,
                        "batch_mass_g": plan.batch_mass_g, "total_weigh_g": plan.total_weigh_g,
                        "precursors": [line.as_dict() for line in plan.lines]})
    sec.warnings += [f"note: {n}" for n in plan.notes if not n.startswith("weighing order")]
    rows = [(ln.order, ln.formula, ln.moles_per_formula_unit, ln.purity, ln.weigh_g) for ln in plan.lines]
    sec.html = table_html(rows, ("#", "precursor", "mol per formula unit", "purity", "weigh (g)"))
    refs: list[str] = []
    if cfg["milling"]:
        try:
            dose = milling_dose(MillingRun(**cfg["milling"]))
        except TypeError as exc:
            raise InputError(f"[synthesis.milling]: {exc}") from None
        sec.results["milling"] = dose.as_dict()
        sec.results["milling_dose_J_per_g"] = dose.dose_J_per_g
        sec.html += table_html([("energy per hit (J)", dose.energy_per_hit_J), ("hit frequency (Hz)", dose.hit_frequency_Hz),
                                ("power (W)", dose.power_W), ("ball-to-powder ratio", dose.ball_to_powder_ratio),
                                ("dose (kJ/g)", dose.dose_J_per_g / 1e3)], ("milling", "value"))
        refs += list(dose.references)
    sec.references = _refs(refs)
    return sec


# ----------------------------------------------------------------------------- [thermal]
def _thermal(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    sec = Section(key="thermal", title="Thermal analysis (DTA/DSC)")
    if not cfg["files"]:
        vals = {k: cfg[k] for k in ("tg_C", "tc_peak_C", "heating_rate_K_per_min")}
        sec.results.update({"tg_onset_C": vals["tg_C"], "tc_peak_C": vals["tc_peak_C"],
                            "heating_rate_K_per_min": vals["heating_rate_K_per_min"], "source": "given"})
        sec.html = table_html([(k, v) for k, v in vals.items()], ("quantity", "value"))
        if all(v is None for v in vals.values()):
            sec.warnings.append("[thermal] has neither files nor values")
        return sec
    from ssbkit.processing.thermal import analyze_dsc_files

    base = Path(ctx.study.get("_base_dir", "."))
    paths = [p if Path(p).is_absolute() else str(base / p) for p in cfg["files"]]
    rates = cfg["heating_rates_K_per_min"] or None
    run = analyze_dsc_files(paths, heating_rates_K_per_min=rates, fmt=cfg["format"], exo=cfg["exo"] or None,
                            tg_window_C=tuple(cfg["tg_window_C"]) or None,  # type: ignore[arg-type]
                            tc_window_C=tuple(cfg["tc_window_C"]) or None,  # type: ignore[arg-type]
                            tm_C=cfg["tm_C"], overlap="merge" if cfg["merge_overlapping"] else "error",
                            smooth_K=cfg["smooth_K"], segment=cfg["segment"])
    summary = run.summary()
    sec.results.update(summary)
    first = summary["files"][0] if summary["files"] else {}
    for key in ("tg_onset_C", "tc_onset_C", "tc_peak_C", "heating_rate_K_per_min"):
        sec.results[key] = first.get(key)
    if run.kinetics:
        sec.results["kissinger_fit"] = run.kinetics.kissinger.as_dict()
        sec.results["avrami"] = run.kinetics.avrami.as_dict() if run.kinetics.avrami else None
    sec.warnings += [f"{f}: {m}" for f, m in run.failures] + list(run.notes)
    sec.html = _thermal_html(run)
    keys = [k for a in run.analyses for k in a.references] + (list(run.kinetics.references) if run.kinetics else [])
    sec.references = _refs(keys)
    return sec


def _thermal_html(run) -> str:
    from ssbkit.processing.plots import plot_dsc, plot_kissinger

    rows = [(Path(a.source).name, a.heating_rate_K_per_min, s["tg_onset_C"], s["tg_midpoint_C"], s["tc_onset_C"],
             s["tc_peak_C"], s["crystallization_enthalpy_J_per_g"], s["stability_K"])
            for a in run.analyses for s in [a.summary()]]
    out = table_html(rows, ("file", "beta (K/min)", "Tg onset (°C)", "Tg mid (°C)", "Tc onset (°C)",
                            "Tc peak (°C)", "ΔHc (J/g)", "Tx−Tg (K)"))
    for c, a in zip(run.curves, run.analyses, strict=True):
        out += figure_to_html(plot_dsc(c, a), alt=f"DSC construction: {Path(c.source).name}")
    if run.kinetics:
        k = run.kinetics.summary()
        out += table_html([("Kissinger Ea (kJ/mol)", k["ea_kissinger_kJ_per_mol"]),
                           ("  standard error", k["ea_kissinger_se_kJ_per_mol"]),
                           ("Ozawa Ea (kJ/mol)", k["ea_ozawa_kJ_per_mol"]),
                           ("Avrami n (Matusita-Sakka)", k["avrami_n"])], ("kinetics", "value"))
        out += figure_to_html(plot_kissinger(run.kinetics.kissinger), alt="Kissinger plot")
    return out


# ----------------------------------------------------------------------------- [heat_treatment]
def _kinetics(cfg: dict[str, Any], ctx: StudyContext, sec: Section):
    from ssbkit.processing.heat_treatment import JmakKinetics, kinetics_from_single_scan
    from ssbkit.processing.kinetics import KineticsFit

    th = ctx.results.get("thermal") or {}
    n = cfg["avrami_n"]
    if cfg["ea_kJ_per_mol"] is None and th.get("kissinger_fit"):
        fit = KineticsFit.from_dict(th["kissinger_fit"])
        avr = th.get("avrami") or {}
        if n is None:
            n = avr.get("n")
        if n is None or not math.isfinite(n):
            raise InputError("[heat_treatment]: no Avrami exponent from [thermal]; give avrami_n")
        n_se = cfg["avrami_n_se"] or (avr.get("n_se") or 0.0 if cfg["avrami_n"] is None else 0.0)
        return JmakKinetics.from_kissinger(fit, n, n_se=float(n_se) if math.isfinite(n_se) else 0.0)
    if cfg["ea_kJ_per_mol"] is None or n is None:
        raise InputError("[heat_treatment]: give ea_kJ_per_mol and avrami_n, or a [thermal] table with "
                         "files at two or more heating rates")
    tp = cfg["tc_peak_C"] if cfg["tc_peak_C"] is not None else th.get("tc_peak_C")
    beta = cfg["heating_rate_K_per_min"] if cfg["heating_rate_K_per_min"] is not None else th.get("heating_rate_K_per_min")
    if tp is None or beta is None:
        raise InputError("[heat_treatment]: single-scan kinetics need tc_peak_C and heating_rate_K_per_min "
                         "(here or in [thermal])")
    sec.warnings.append(f"kinetics anchored on one scan (Tc peak {tp:g} degC at {beta:g} K/min) with the given Ea")
    return kinetics_from_single_scan(tp, beta, ea_kJ_per_mol=cfg["ea_kJ_per_mol"], n=n,
                                     ea_se_kJ_per_mol=cfg["ea_se_kJ_per_mol"], n_se=cfg["avrami_n_se"])


def _unwanted(cfg: dict[str, Any]):
    from ssbkit.processing.heat_treatment import UnwantedPhase

    u = cfg["unwanted"]
    if not u:
        return None
    missing = [k for k in ("onset_C", "sigma_S_per_cm") if k not in u]
    if missing:
        raise InputError(f"[heat_treatment.unwanted] needs {', '.join(missing)}")
    return UnwantedPhase(name=str(u.get("name", "unwanted phase")), onset_C=float(u["onset_C"]),
                         onset_high_C=float(u.get("onset_high_C", u["onset_C"])),
                         sigma_S_per_cm=float(u["sigma_S_per_cm"]), source=str(u.get("source", "")))


def _finite(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and math.isfinite(v) else None


def _heat_treatment(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    from ssbkit.processing.heat_treatment import heat_treatment_map
    from ssbkit.processing.plots import plot_heat_treatment_map

    sec = Section(key="heat_treatment", title="Heat treatment -> glass-ceramic conductivity")
    kin = _kinetics(cfg, ctx, sec)
    grid = [float(v) for v in cfg["temperatures_C"]]
    if len(grid) != 3 or grid[2] <= 0 or grid[1] <= grid[0]:
        raise InputError(f"[heat_treatment] temperatures_C must be [low, high, step], got {cfg['temperatures_C']}")
    hmap = heat_treatment_map(kin, sigma_glass_S_per_cm=cfg["sigma_glass_S_per_cm"],
                              sigma_crystal_S_per_cm=cfg["sigma_crystal_S_per_cm"],
                              temperatures_C=np.arange(grid[0], grid[1] + 0.5 * grid[2], grid[2]),
                              times_h=cfg["times_h"], unwanted=_unwanted(cfg), model=cfg["model"],
                              sigma_crystal_rel_err=cfg["sigma_crystal_rel_err"],
                              tg_C=_finite((ctx.results.get("thermal") or {}).get("tg_onset_C")))
    t_c = cfg["temperature_C"] if cfg["temperature_C"] is not None else hmap.recommended_T_C
    t_h = cfg["time_h"] if cfg["temperature_C"] is not None else hmap.recommended_time_h
    point = hmap.predict(t_c, t_h)
    res = sec.results
    res.update({"treatment_T_C": t_c, "treatment_time_h": t_h,
                "treatment_source": "given" if cfg["temperature_C"] is not None else "recommended",
                "crystallized_fraction": point["crystallized_fraction"],
                "unwanted_share": point["unwanted_share"],
                "sigma_25C_S_per_cm": point["sigma_25C_S_per_cm"],
                "recommended_T_C": hmap.recommended_T_C, "recommended_time_h": hmap.recommended_time_h,
                "sigma_recommended_S_per_cm": hmap.sigma_recommended_S_per_cm,
                "sigma_recommended_95_S_per_cm": list(hmap.sigma_interval_S_per_cm),
                "recommended_T_95_C": list(hmap.recommended_T_interval_C),
                "ea_kJ_per_mol": kin.ea_kJ_per_mol, "ln_k0_per_s": kin.ln_k0_per_s, "avrami_n": kin.n,
                "kinetics_source": kin.source})
    synth = ctx.results.get("synthesis") or {}
    if synth.get("milling_dose_J_per_g") is not None:
        res["milling_dose_J_per_g"] = synth["milling_dose_J_per_g"]
    sec.warnings += list(hmap.notes)
    sec.html = _chain_html(ctx, res) + figure_to_html(plot_heat_treatment_map(hmap), alt="heat-treatment map")
    sec.references = _refs(list(hmap.references) + ["Avrami1939"])
    return sec


def _chain_html(ctx: StudyContext, res: dict[str, Any]) -> str:
    synth = ctx.results.get("synthesis") or {}
    th = ctx.results.get("thermal") or {}
    rows = [
        ("target", synth.get("target", "–")),
        ("milling dose (kJ/g)", (synth.get("milling_dose_J_per_g") or math.nan) / 1e3),
        ("Tg onset (°C)", th.get("tg_onset_C")),
        ("Tc peak (°C)", th.get("tc_peak_C")),
        ("Ea (kJ/mol)", res["ea_kJ_per_mol"]),
        ("Avrami n", res["avrami_n"]),
        (f"treatment ({res['treatment_source']})", f"{fmt(res['treatment_T_C'])} °C / {fmt(res['treatment_time_h'])} h"),
        ("crystallized fraction", res["crystallized_fraction"]),
        ("σ(25 °C) (S/cm)", res["sigma_25C_S_per_cm"]),
        ("recommended", f"{fmt(res['recommended_T_C'])} °C / {fmt(res['recommended_time_h'])} h: "
                        f"{fmt(res['sigma_recommended_S_per_cm'])} S/cm (95 %: "
                        f"{fmt(res['sigma_recommended_95_S_per_cm'][0])}–{fmt(res['sigma_recommended_95_S_per_cm'][1])})"),
    ]
    return "<h3>From precursors to σ</h3>" + table_html(rows, ("step", "value"))
