"""The study's cell section: stack energy, rate map and discharge curves.

Owns the tables ``[anode]``, ``[separator]`` and ``[cell]`` and reads the
shared ``[cathode]`` table (keys fixed in docs/architecture.md). The
electrolyte conductivity sigma_SE(T) comes from the electrolyte section's
Arrhenius fit (``ctx.results["electrolyte"]["arrhenius"]``) unless ``[cell]``
gives ``sigma_se_S_per_cm``; the cathode's effective ionic conductivity uses
the microstructure section's ``eps_se`` and ``tortuosity_ion`` where present,
else the design's eps with Bruggeman tau = eps^-0.5 (R-18).
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any

import numpy as np

from ssbkit.errors import InputError
from ssbkit.study.section import KeySpec, Section, StudyContext, figure_to_html, fmt, table_html

__all__ = ["SCHEMA", "run_section"]

SCHEMA: dict[str, dict[str, KeySpec]] = {
    "anode": {
        "material": KeySpec(str, "REQUIRED", "anode active material: Li, Li-In, graphite, Si, LTO ..."),
        "thickness_um": KeySpec(float, None, "anode thickness, um"),
        "loading_mg_cm2": KeySpec(float, None, "anode active loading, mg/cm2"),
        "np_ratio": KeySpec(float, None, "anode / cathode areal capacity"),
        "excess": KeySpec(float, None, "excess capacity over the cathode (N/P - 1), e.g. 1.0 for 100 % Li excess"),
        "mass_fractions": KeySpec(dict, None, "composite anode: mass fractions of active, electrolyte, carbon, binder"),
        "volume_fractions": KeySpec(dict, None, "composite anode: volume fractions (instead of mass)"),
        "densities_g_cm3": KeySpec(dict, None, "composite anode: density overrides per component, g/cm3"),
        "porosity": KeySpec(float, None, "composite anode: void fraction"),
        "enabled": KeySpec(bool, True, "read by the cell section"),
    },
    "separator": {
        "thickness_um": KeySpec(float, "REQUIRED", "solid-electrolyte separator thickness, um"),
        "porosity": KeySpec(float, 0.1, "void fraction of the pressed separator"),
        "density_g_cm3": KeySpec(float, None, "SE density, g/cm3 (default: the cathode's electrolyte density)"),
        "enabled": KeySpec(bool, True, "read by the cell section"),
    },
    "cell": {
        "area_cm2": KeySpec(float, 1.0, "electrode area, cm2"),
        "cutoff_low_V": KeySpec(float, None, "discharge cut-off voltage, V (default: bottom of the OCV window)"),
        "cutoff_high_V": KeySpec(float, None, "charge cut-off voltage, V"),
        "sigma_se_S_per_cm": KeySpec(float, None, "SE conductivity at temperature_c, S/cm (default: electrolyte section)"),
        "tortuosity_cathode": KeySpec(float, None, "tau of the cathode's SE network (default: microstructure, else Bruggeman)"),
        "tortuosity_anode": KeySpec(float, None, "tau of a composite anode (default Bruggeman)"),
        "temperature_c": KeySpec(float, 25.0, "operating temperature, degC"),
        "c_rates": KeySpec(list, [0.1, 0.2, 0.5, 1.0, 2.0, 5.0], "C-rates of the rate map, 1/h"),
        "temperatures_c": KeySpec(list, [-20.0, 0.0, 25.0, 60.0, 100.0], "temperatures of the rate map, degC"),
        "p2d": KeySpec(bool, True, "discharge curves from the PyBaMM solid-state model when PyBaMM is installed"),
        "p2d_c_rates": KeySpec(list, [0.1, 0.5, 1.0], "C-rates of the simulated discharge curves"),
        "collectors": KeySpec(dict, {}, "current collectors: positive, positive_thickness_um, negative, negative_thickness_um"),
        "enabled": KeySpec(bool, True, "run the cell section"),
    },
}

_CATHODE_KEYS = ("active_material", "mass_fractions", "volume_fractions", "densities_g_cm3", "porosity",
                 "thickness_um", "loading_mg_cm2", "active_particle_diameter_um")


def _design(cfg: dict, study: dict):
    from ssbkit.cell.design_file import design_from_dict

    if "cathode" not in study:
        raise InputError("the cell section needs a [cathode] table")
    for t in ("anode", "separator"):
        if t not in study:
            raise InputError(f"the cell section needs an [{t}] table")
    cat = {k: study["cathode"][k] for k in _CATHODE_KEYS if study["cathode"].get(k) is not None}
    if not cat.get("densities_g_cm3"):
        cat.pop("densities_g_cm3", None)
    sep = {k: v for k, v in study["separator"].items() if v is not None and k != "enabled"}
    an = {k: v for k, v in study["anode"].items() if v is not None and k != "enabled"}
    cell = {k: cfg[k] for k in ("area_cm2", "cutoff_low_V", "cutoff_high_V", "sigma_se_S_per_cm",
                                "tortuosity_cathode", "tortuosity_anode", "temperature_c") if cfg.get(k) is not None}
    return design_from_dict({"cathode": cat, "separator": sep, "anode": an,
                             "current_collectors": dict(cfg.get("collectors") or {}), "cell": cell})


def _sigma_of_t(cfg: dict, ctx: StudyContext, sec: Section):
    """Callable sigma_SE(T in degC) in S/cm, and a sentence saying where it came from."""
    from ssbkit.cell.rate import sigma_at_temperatures

    el = ctx.results.get("electrolyte", {})
    if cfg.get("sigma_se_S_per_cm") is not None:
        s0, t0 = float(cfg["sigma_se_S_per_cm"]), float(cfg["temperature_c"])
        if el.get("arrhenius"):
            from ssbkit.transport import ArrheniusFit, arrhenius_from_point

            ea = ArrheniusFit.from_dict(el["arrhenius"]).ea_ev
            fit = arrhenius_from_point(t0 + 273.15, s0, ea)
            return (lambda t: sigma_at_temperatures(fit, t)), f"[cell] sigma_se_S_per_cm with Ea = {ea:.3f} eV of the electrolyte fit"
        return (lambda t: np.full(np.shape(np.atleast_1d(t)), s0)), "[cell] sigma_se_S_per_cm (no Arrhenius fit: same at every T)"
    if el.get("arrhenius"):
        return (lambda t: sigma_at_temperatures(el["arrhenius"], t)), "Arrhenius fit of the electrolyte section"
    if el.get("sigma_25C_S_per_cm"):
        s25 = float(el["sigma_25C_S_per_cm"])
        sec.warnings.append("no Arrhenius fit of the electrolyte: sigma_SE(25 degC) used at every temperature")
        return (lambda t: np.full(np.shape(np.atleast_1d(t)), s25)), "electrolyte sigma at 25 degC"
    raise InputError("the cell section needs sigma_SE: an [electrolyte] result or [cell] sigma_se_S_per_cm")


def run_section(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    """Stack energy with breakdown, the reaction-zone rate map over C-rate x T, discharge curves."""
    from ssbkit.cell.energy import compare_to_targets, stack_energy
    from ssbkit.cell.plots import energy_breakdown_figure, rate_figure, rate_map_figure
    from ssbkit.cell.reaction_zone import REFERENCES as RZ_REFS
    from ssbkit.cell.reaction_zone import rate_capability, rate_map

    sec = Section(key="cell", title="Cell: stack energy and rate capability")
    design = _design(cfg, ctx.study)
    energy = stack_energy(design)
    sec.references.extend(energy.references)
    sec.references.extend(RZ_REFS)
    targets = compare_to_targets(energy)
    sec.references.append(next(iter(targets.values()))["reference"])
    sec.results.update(
        energy=energy.to_dict(), design=design.to_dict(),
        specific_energy_Wh_per_kg=energy.specific_energy_Wh_per_kg,
        energy_density_Wh_per_L=energy.energy_density_Wh_per_L,
        areal_capacity_mAh_cm2=energy.areal_capacity_mAh_cm2, np_ratio=energy.np_ratio,
    )
    parts = [f"<p>{html.escape(design.cathode.active_material)} | SE separator "
             f"{fmt(design.separator.thickness_um)} um | {html.escape(design.anode.material)}: "
             f"{fmt(energy.areal_capacity_mAh_cm2)} mAh/cm2 at {fmt(energy.voltage_avg_V)} V, "
             f"N/P {fmt(energy.np_ratio)}; <b>{fmt(energy.specific_energy_Wh_per_kg)} Wh/kg, "
             f"{fmt(energy.energy_density_Wh_per_L)} Wh/L</b> at stack level (SET-Plan targets "
             f"&gt; 350-400 Wh/kg, &gt; 1000-1200 Wh/L; couple of the active materials alone "
             f"{fmt(energy.couple_specific_energy_Wh_per_kg)} Wh/kg).</p>"]
    rows = [(k, v, 100 * v / energy.areal_mass_mg_cm2) for k, v in energy.mass_breakdown_mg_cm2.items()]
    parts.append(table_html(rows, ("component", "mass (mg/cm2)", "share (%)")))
    parts.append(figure_to_html(energy_breakdown_figure(energy), alt="stack mass and thickness by component"))

    # ---- rate: reaction-zone model over C-rate x temperature
    sigma_t, sigma_src = _sigma_of_t(cfg, ctx, sec)
    c_rates = np.asarray(cfg["c_rates"], dtype=float)
    temps = np.asarray(cfg["temperatures_c"], dtype=float)
    if c_rates.size == 0 or np.any(~(c_rates > 0)):
        raise InputError(f"[cell] c_rates must be positive numbers, got {cfg['c_rates']}")
    t_op = float(cfg["temperature_c"])
    s_op = float(sigma_t(t_op)[0])
    kw: dict[str, Any] = {"sigma_se_S_per_cm": s_op}
    cath = ctx.results.get("cathode", {})
    no_ion_path = bool(cath) and cath.get("percolates_ion") is False
    if cfg.get("tortuosity_cathode") is None and no_ion_path:
        # the SE network does not span the cathode: no ionic path (tau is infinite)
        kw["sigma_eff_cathode_S_per_cm"] = 1e-9 * s_op
        tau_src = "microstructure section: the SE network does not percolate (tau infinite)"
        sec.warnings.append("the cathode's SE network does not percolate in the microstructure section: "
                            "ions cannot cross the composite, so the rate figures show (almost) no capacity")
    elif cfg.get("tortuosity_cathode") is None and cath.get("tortuosity_ion") and cath.get("eps_se"):
        tau, eps = float(cath["tortuosity_ion"]), float(cath["eps_se"])
        kw["sigma_eff_cathode_S_per_cm"] = s_op * eps / tau
        tau_src = f"microstructure section: eps_SE = {eps:.3f}, tau = {tau:.2f}"
        # the p2d model takes the design's eps_SE: pick tau so that eps/tau matches the microstructure
        design = dataclasses.replace(design, tortuosity_cathode=tau * design.cathode.eps_se / eps)
    elif cfg.get("tortuosity_cathode") is not None:
        tau_src = f"[cell] tortuosity_cathode = {cfg['tortuosity_cathode']:g}"
    else:
        tau_src = f"Bruggeman tau = eps^-0.5 with eps_SE = {design.cathode.eps_se:.3f} (R-18)"
    rc = rate_capability(design, c_rates, **kw)
    sigmas = sigma_t(temps)
    util = rate_map(design, c_rates, sigmas, **kw)
    sec.results.update(
        sigma_se_S_per_cm=s_op, sigma_source=sigma_src, tortuosity_source=tau_src,
        rate_reaction_zone=rc.to_dict(),
        rate_map={"c_rates": c_rates.tolist(), "temperatures_c": temps.tolist(),
                  "sigma_se_S_per_cm": sigmas.tolist(), "utilisation": util.tolist()},
    )
    parts.append(f"<p>Rate capability, reaction-zone model (R-19): sigma_SE = {fmt(s_op)} S/cm at "
                 f"{fmt(t_op)} degC ({html.escape(sigma_src)}); cathode effective conductivity "
                 f"{fmt(rc.sigma_eff_cathode_S_per_cm)} S/cm ({html.escape(tau_src)}); series resistance "
                 f"{fmt(rc.r0_ohm_cm2)} Ohm cm2.</p>")
    parts.append(table_html(list(zip(rc.c_rates, rc.current_mA_cm2, rc.capacity_mAh_per_g, rc.utilisation,
                                     strict=True)),
                            ("C-rate", "current (mA/cm2)", "capacity (mAh/g)", "utilisation")))
    parts.append(figure_to_html(rate_map_figure(c_rates, temps, util), alt="utilisation over C-rate and temperature (reaction-zone model)"))

    # ---- discharge curves: PyBaMM solid-state model
    curves = {"reaction-zone": (rc.c_rates, rc.capacity_mAh_per_g)}
    if cfg.get("p2d", True) and not (no_ion_path and cfg.get("tortuosity_cathode") is None):
        _p2d(cfg, design, s_op, t_op, sec, parts, curves)
    parts.append(figure_to_html(rate_figure(curves), alt="capacity vs C-rate"))
    sec.html = "\n".join(parts)
    sec.references[:] = list(dict.fromkeys(sec.references))
    return sec


def _p2d(cfg, design, sigma, t_c, sec: Section, parts: list[str], curves: dict) -> None:
    try:
        import pybamm  # noqa: F401
    except ImportError:
        sec.warnings.append("PyBaMM is not installed: no simulated discharge curves (pip install 'ssbkit[cell]')")
        parts.append("<p>Discharge curves: PyBaMM is not installed, so the porous-electrode simulation was skipped.</p>")
        return
    if design.anode.material not in ("Li", "Li-In"):
        sec.warnings.append(f"discharge curves need a Li or Li-In anode, not {design.anode.material}: skipped")
        return
    from ssbkit.cell.plots import discharge_curves_figure
    from ssbkit.cell.rate import p2d_rate

    try:
        res = p2d_rate(design, cfg["p2d_c_rates"], sigma_se_S_per_cm=sigma, temperature_c=t_c)
    except InputError as exc:
        sec.warnings.append(f"p2d simulation not run: {exc}")
        return
    for r in res:
        if not r.converged:
            sec.warnings.append(r.message)
        sec.references.extend(r.references)
    sec.results["p2d"] = [{"c_rate": r.c_rate, "capacity_mAh_per_g": r.final_capacity_mAh_per_g,
                           "capacity_mAh_cm2": r.final_capacity_mAh_per_cm2, "converged": r.converged,
                           "message": r.message} for r in res]
    ok = [r for r in res if r.converged]
    if ok:
        curves["p2d (PyBaMM)"] = ([r.c_rate for r in ok], [r.final_capacity_mAh_per_g for r in ok])
        parts.append(figure_to_html(discharge_curves_figure(ok), alt="simulated discharge curves (PyBaMM, solid-state)"))
