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

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ssbkit.errors import InputError
from ssbkit.study.section import KeySpec, Section, StudyContext, figure_to_html, fmt, table_html

if TYPE_CHECKING:
    from ssbkit.cell.design import StackDesign
    from ssbkit.cell.energy import StackEnergy

__all__ = ["SCHEMA", "run_section"]

from ssbkit.cell.schema import CELL_TABLES

#: sigma_SE (S/cm) at temperatures in degC
SigmaOfT = Callable[[Any], np.ndarray]

#: The cell tables of a study: the same schema as design files (ssbkit.cell.schema).
SCHEMA: dict[str, dict[str, KeySpec]] = {
    t: {k: KeySpec(typ, default, doc) for k, (typ, default, doc) in CELL_TABLES[t].items()}
    for t in ("anode", "separator", "cell")
}


def _design(cfg: dict, study: dict, micro: dict) -> StackDesign:
    from ssbkit.cell.design_file import design_from_dict
    from ssbkit.cell.schema import CATHODE_KEYS

    if "cathode" not in study:
        raise InputError("the cell section needs a [cathode] table")
    for t in ("anode", "separator"):
        if t not in study:
            raise InputError(f"the cell section needs an [{t}] table")
    cat = {k: v for k, v in study["cathode"].items() if k in CATHODE_KEYS and v is not None}
    cell = {k: v for k, v in cfg.items() if v is not None}
    return design_from_dict({"cathode": cat, "separator": dict(study["separator"]),
                             "anode": dict(study["anode"]), "cell": cell}, microstructure=micro)


def _sigma_of_t(cfg: dict, ctx: StudyContext, sec: Section) -> tuple[SigmaOfT, str]:
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
        if cfg.get("ea_eV") is not None:
            from ssbkit.transport import arrhenius_from_point

            fit = arrhenius_from_point(t0 + 273.15, s0, float(cfg["ea_eV"]))
            return (lambda t: sigma_at_temperatures(fit, t)), f"[cell] sigma_se_S_per_cm with ea_eV = {cfg['ea_eV']:g} eV"
        return (lambda t: np.full(np.shape(np.atleast_1d(t)), s0)), "[cell] sigma_se_S_per_cm (no Arrhenius fit: same at every T)"
    if el.get("arrhenius"):
        return (lambda t: sigma_at_temperatures(el["arrhenius"], t)), "Arrhenius fit of the electrolyte section"
    if el.get("sigma_25C_S_per_cm"):
        s25 = float(el["sigma_25C_S_per_cm"])
        sec.warnings.append("no Arrhenius fit of the electrolyte: sigma_SE(25 degC) used at every temperature")
        return (lambda t: np.full(np.shape(np.atleast_1d(t)), s25)), "electrolyte sigma at 25 degC"
    raise InputError("the cell section needs sigma_SE: an [electrolyte] result or [cell] sigma_se_S_per_cm")


def run_section(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    """Stack energy with breakdown, the rate map over C-rate x T with its limits, the measurement.

    Parameters
    ----------
    cfg
        The validated ``[cell]`` table.
    ctx
        The study context (earlier sections' results).

    Returns
    -------
    Section
        Results, HTML and references of the cell section.
    """
    from ssbkit.cell.energy import compare_to_targets, stack_energy

    sec = Section(key="cell", title="Cell: stack energy and rate capability")
    cath = ctx.results.get("cathode", {})
    design = _design(cfg, ctx.study, cath)
    energy = stack_energy(design)
    sec.references.extend(energy.references)
    targets = compare_to_targets(energy)
    sec.references.append(next(iter(targets.values()))["reference"])
    sec.results.update(
        energy=energy.to_dict(), design=design.to_dict(),
        specific_energy_Wh_per_kg=energy.specific_energy_Wh_per_kg,
        energy_density_Wh_per_L=energy.energy_density_Wh_per_L,
        areal_capacity_mAh_cm2=energy.areal_capacity_mAh_cm2, np_ratio=energy.np_ratio,
    )
    parts = [_energy_html(design, energy)]
    sigma_t, sigma_src = _sigma_of_t(cfg, ctx, sec)
    ratio, tau_src = _transport_ratio(cfg, cath, design, sec)
    if ratio is not None:
        # the P2D takes the design's eps_SE: a tau such that eps/tau is the microstructure's ratio
        import dataclasses

        design = dataclasses.replace(design, tortuosity_cathode=max(design.cathode.eps_se / ratio, 1.0))
    _rate(cfg, design, sigma_t, sigma_src, ratio, tau_src, sec, parts)
    sec.html = "\n".join(parts)
    sec.references[:] = list(dict.fromkeys(sec.references))
    return sec


def _energy_html(design: StackDesign, energy: StackEnergy) -> str:
    from ssbkit.cell.plots import energy_breakdown_figure

    head = (f"<p>{html.escape(design.cathode.active_material)} | SE separator "
            f"{fmt(design.separator.thickness_um)} um | {html.escape(design.anode.material)}: "
            f"{fmt(energy.areal_capacity_mAh_cm2)} mAh/cm2 at {fmt(energy.voltage_avg_V)} V, "
            f"N/P {fmt(energy.np_ratio)}; <b>{fmt(energy.specific_energy_Wh_per_kg)} Wh/kg, "
            f"{fmt(energy.energy_density_Wh_per_L)} Wh/L</b> at stack level (SET-Plan targets "
            f"&gt; 350-400 Wh/kg, &gt; 1000-1200 Wh/L; couple of the active materials alone "
            f"{fmt(energy.couple_specific_energy_Wh_per_kg)} Wh/kg).</p>")
    rows = [(k, v, 100 * v / energy.areal_mass_mg_cm2) for k, v in energy.mass_breakdown_mg_cm2.items()]
    return "\n".join([head, table_html(rows, ("component", "mass (mg/cm2)", "share (%)")),
                      figure_to_html(energy_breakdown_figure(energy), alt="stack mass and thickness by component")])


def _transport_ratio(cfg: dict, cath: dict, design: StackDesign, sec: Section) -> tuple[float | None, str]:
    """sigma_eff/sigma_SE of the cathode and where it came from (None: the design's tau / Bruggeman)."""
    if cfg.get("tortuosity_cathode") is not None:
        return None, f"[cell] tortuosity_cathode = {cfg['tortuosity_cathode']:g}"
    if cath and cath.get("percolates_ion") is False:
        sec.warnings.append("the cathode's SE network does not percolate in the microstructure section: "
                            "ions cannot cross the composite, so the rate figures show (almost) no capacity")
        return 1e-9, "microstructure section: the SE network does not percolate (tau infinite)"
    if cath.get("tortuosity_ion") and cath.get("eps_se"):
        tau, eps = float(cath["tortuosity_ion"]), float(cath["eps_se"])
        return eps / tau, f"microstructure section: eps_SE = {eps:.3f}, tau = {tau:.2f}"
    return None, f"Bruggeman tau = eps^-0.5 with eps_SE = {design.cathode.eps_se:.3f} (R-18)"


def _rate(cfg: dict, design: StackDesign, sigma_t: SigmaOfT, sigma_src: str, ratio: float | None,
          tau_src: str, sec: Section, parts: list[str]) -> None:
    from ssbkit.cell.plots import rate_figure, rate_map_figure
    from ssbkit.cell.rate import rate_study

    c_rates = [float(c) for c in cfg["c_rates"]]
    if not c_rates or any(not c > 0 for c in c_rates):
        raise InputError(f"[cell] c_rates must be positive numbers, got {cfg['c_rates']}")
    rs = rate_study(design, c_rates, cfg["temperatures_c"], sigma_of_t=sigma_t, sigma_eff_ratio=ratio,
                    measured=cfg.get("measured") or None)
    op = rs.operating
    sec.references.extend(rs.references)
    temps = [c.temperature_c for c in rs.curves]
    sec.results.update(
        sigma_se_S_per_cm=op.sigma_se_S_per_cm, sigma_source=sigma_src, tortuosity_source=tau_src,
        rate=op.as_dict(),
        rate_map={"c_rates": c_rates, "temperatures_c": temps,
                  "sigma_se_S_per_cm": [c.sigma_se_S_per_cm for c in rs.curves],
                  "utilisation": rs.utilisation_map().tolist(), "limiting": rs.limiting_map()},
        measured=rs.measured, predicted_at_measured_mAh_per_g=rs.predicted_at_measured_mAh_per_g,
        predicted_band_mAh_per_g=list(rs.predicted_band_mAh_per_g), limiting_at_measured=rs.limiting_at_measured,
    )
    inter = design.interface
    it = ("no interface term" if inter is None else
          f"interface over {fmt(inter.contact_area_cm2_per_cm2)} cm2 of active/SE contact per cm2 "
          f"({html.escape(inter.contact_area_source)}): film + coating {fmt(inter.series_ohm_cm2(op.temperature_c))} "
          f"Ohm cm2, charge transfer {fmt(inter.rct_electrode_ohm_cm2(op.temperature_c))} Ohm cm2"
          + (f", coating {html.escape(inter.coating.name)} {fmt(inter.coating.thickness_nm)} nm"
             if inter.coating is not None else ", uncoated"))
    parts.append(f"<p>Rate capability, fast model (reaction zone R-19 with interface, solid diffusion and "
                 f"the OCV curve): sigma_SE = {fmt(op.sigma_se_S_per_cm)} S/cm at {fmt(op.temperature_c)} degC "
                 f"({html.escape(sigma_src)}); cathode effective conductivity {fmt(op.sigma_eff_cathode_S_per_cm)} "
                 f"S/cm ({html.escape(tau_src)}); separator {fmt(op.r_series_ohm_cm2)} Ohm cm2; {it}.</p>")
    if inter is not None:
        for note in inter.notes:
            parts.append(f"<p class='note'>{html.escape(note)}</p>")
    if rs.measured:
        m = rs.measured
        where = (f"{fmt(m['current_mA_cm2'])} mA/cm2" if m.get("current_mA_cm2") is not None
                 else f"{fmt(m.get('c_rate'))}C")
        pred = float(rs.predicted_at_measured_mAh_per_g or 0.0)
        band = ""
        if rs.predicted_band_mAh_per_g:
            lo_i, hi_i = m["current_range_mA_cm2"]
            band = (f"; over {fmt(lo_i)}-{fmt(hi_i)} mA/cm2 predicted "
                    f"{fmt(rs.predicted_band_mAh_per_g[0])}-{fmt(rs.predicted_band_mAh_per_g[-1])} mAh/g")
        note = f" {html.escape(str(m['current_note']))}" if m.get("current_note") else ""
        parts.append(f"<p><b>Measured {fmt(m['capacity_mAh_per_g'])} mAh/g</b> at {where} "
                     f"({html.escape(str(m.get('reference', '')))}); <b>predicted {fmt(pred)} mAh/g</b> "
                     f"({100 * (pred / float(m['capacity_mAh_per_g']) - 1):+.0f} %, limited by "
                     f"{html.escape(rs.limiting_at_measured)}){band}.{note}</p>")
        _implied(design, rs.measured, pred, sigma_t, ratio, sec, parts)
    rows = [(c, i, q, u, lim) for c, i, q, u, lim in zip(op.c_rates, op.current_mA_cm2, op.capacity_mAh_per_g,
                                                          op.utilisation, op.limiting, strict=True)]
    parts.append(table_html(rows, ("C-rate", "current (mA/cm2)", "capacity (mAh/g)", "utilisation",
                                   "limited by")))
    parts.append(figure_to_html(rate_map_figure(c_rates, temps, rs.utilisation_map(), rs.limiting_map()),
                                alt="utilisation over C-rate and temperature with the limiting mechanism"))
    if inter is not None and inter.coating is None and inter.film_ohm_cm2 > 0:
        _coated_map(design, c_rates, cfg["temperatures_c"], sigma_t, ratio, sec, parts)
    curves: dict[str, Any] = {"fast model": (op.c_rates, op.capacity_mAh_per_g)}
    if cfg.get("p2d", False):
        _p2d(cfg, design, op.sigma_se_S_per_cm, op.temperature_c, sec, parts, curves)
    if len(curves) > 1:  # the fast model alone is the table above
        parts.append(figure_to_html(rate_figure(curves), alt="capacity vs C-rate"))


def _implied(design: StackDesign, measured: dict, pred: float, sigma_t: SigmaOfT, ratio: float | None,
             sec: Section, parts: list[str]) -> None:
    """What the measurement implies for the film resistance and the solid diffusivity (ssbkit.cell.inverse)."""
    from ssbkit.cell.inverse import implied_by_measurement

    found = implied_by_measurement(design, measured, pred, sigma_of_t=sigma_t, sigma_eff_ratio=ratio)
    if not found:
        return
    sec.results["implied_by_measurement"] = [f.as_dict() for f in found]
    items = "".join(f"<li>{html.escape(f.note)}</li>" for f in found)
    parts.append("<p>What the measurement implies, one uncertain input at a time (a diagnostic to set "
                 f"beside the cited values and the cell's impedance, not used in the prediction):</p><ul>{items}</ul>")


def _coated_map(design: StackDesign, c_rates: list[float], temps: list[float], sigma_t: SigmaOfT,
                ratio: float | None, sec: Section, parts: list[str]) -> None:
    """The same cell with a LiNbO3 coating (Ohta 2007): what limits once the interphase film is gone."""
    import dataclasses

    from ssbkit.cell.interfaces import COATINGS
    from ssbkit.cell.plots import rate_map_figure
    from ssbkit.cell.rate import rate_study

    if design.interface is None:
        return
    coated = dataclasses.replace(design, interface=dataclasses.replace(
        design.interface, film_ohm_cm2=0.0, coating=COATINGS["LiNbO3"]))
    rs = rate_study(coated, c_rates, temps, sigma_of_t=sigma_t, sigma_eff_ratio=ratio)
    sec.references.extend([*rs.references, *COATINGS["LiNbO3"].references])
    sec.results["rate_map_LiNbO3_coated"] = {"utilisation": rs.utilisation_map().tolist(),
                                             "limiting": rs.limiting_map()}
    parts.append("<p>The same cell with its LiCoO2 coated by LiNbO3 (7 nm, Ohta 2007; no interphase "
                 "film): what limits once the interface is gone.</p>")
    parts.append(figure_to_html(rate_map_figure(c_rates, [c.temperature_c for c in rs.curves],
                                                rs.utilisation_map(), rs.limiting_map()),
                                alt="utilisation of the LiNbO3-coated cell over C-rate and temperature"))


def _p2d(cfg: dict, design: StackDesign, sigma: float, t_c: float, sec: Section, parts: list[str],
         curves: dict) -> None:
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
