"""The study file's ``[cathode]`` section: recipe -> microstructure -> effective transport.

Keys are fixed in docs/architecture.md. With ``[cathode.microstructure]
enabled = true`` (the default) a volume is generated and analysed
(:func:`~.workflow.analyze_composite`); otherwise the section falls back to
Bruggeman's tau = eps^-1/2 (R-18) and reports no utilisation.
"""

from __future__ import annotations

import html
import math
import warnings
from typing import Any

from ssbkit.errors import InputError
from ssbkit.microstructure.recipe import Recipe, recipe_from_cathode_table
from ssbkit.microstructure.workflow import (
    DEFAULT_SIGMA_S_PER_CM,
    REFERENCES,
    CompositeAnalysis,
    analyze_composite,
)
from ssbkit.study.section import KeySpec, Section, StudyContext, figure_to_html, fmt, table_html

__all__ = ["SCHEMA", "MICROSTRUCTURE_SCHEMA", "run_section"]

SCHEMA: dict[str, KeySpec] = {
    "active_material": KeySpec(str, "LiCoO2", "active material name (ssbkit.cell active materials)"),
    "mass_fractions": KeySpec(dict, None, "mass fractions {active, electrolyte, carbon, binder}, sum 1"),
    "volume_fractions": KeySpec(dict, None, "solid volume fractions {active, electrolyte, carbon, binder}, sum 1"),
    "densities_g_cm3": KeySpec(dict, {}, "density overrides per component, g/cm3"),
    "porosity": KeySpec(float, 0.15, "void volume fraction of the composite"),
    "thickness_um": KeySpec(float, 60.0, "composite thickness, um"),
    "loading_mg_cm2": KeySpec(float, None, "active-material loading, mg/cm2 (instead of thickness_um)"),
    "active_particle_diameter_um": KeySpec(float, 5.0, "mean active particle diameter, um"),
    "electrolyte_particle_diameter_um": KeySpec(float, 1.0, "mean SE particle diameter, um"),
    "carbon_particle_diameter_um": KeySpec(float, 0.1, "mean carbon particle diameter, um"),
    "microstructure": KeySpec(dict, {}, "sub-table: enabled, box_um, voxel_um, seed"),
}

#: Keys of the ``[cathode.microstructure]`` sub-table.
MICROSTRUCTURE_SCHEMA: dict[str, KeySpec] = {
    "enabled": KeySpec(bool, True, "generate and analyse a volume"),
    "box_um": KeySpec(float, 40.0, "edge of the cubic box, um"),
    "voxel_um": KeySpec(float, 0.4, "voxel edge, um"),
    "seed": KeySpec(int, 0, "random seed"),
    "converge": KeySpec(bool, False, "also generate at half the voxel size and extrapolate tau_ion to zero "
                                     "voxel size (Richardson, Roache GCI); the cell then uses that tau"),
}

_SECTION_REFS = list(REFERENCES) + [
    "Published trends (Hlushkou et al. 2018, Zhang et al. 2017, Strauss et al. 2018) as collected "
    "in Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850",
]


def _recipe(cfg: dict[str, Any]) -> tuple[Recipe, bool]:
    table = {k: v for k, v in cfg.items() if v is not None and k not in ("thickness_um", "loading_mg_cm2")}
    micro = dict(table.get("microstructure") or {})
    enabled = bool(micro.pop("enabled", True))
    micro.pop("converge", None)
    table["microstructure"] = micro
    if not table.get("densities_g_cm3"):
        table.pop("densities_g_cm3", None)
    return recipe_from_cathode_table(table, source="[cathode]"), enabled


def _finite(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


def run_section(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    """Run the ``[cathode]`` section.

    Results keys: ``eps_se``, ``tortuosity_ion`` (None when the SE does not
    percolate), ``sigma_eff_ion_S_per_cm``, ``sigma_eff_e_S_per_cm``,
    ``utilisation``, ``specific_area_am_se_per_um`` (AM/SE contact area per
    volume), ``contact_area_am_se_cm2_per_cm2`` (per electrode area, over
    ``thickness_um``), plus fractions, percolation flags and the Bruggeman
    tortuosity. Uses ``ctx.results["electrolyte"]["sigma_25C_S_per_cm"]`` as the
    SE conductivity when present.

    Parameters
    ----------
    cfg
        The validated ``[cathode]`` table (defaults filled in).
    ctx
        The run: the whole study, the results of earlier sections, the output
        folder and the progress callback.

    Returns
    -------
    Section
        Results (numbers with units in the keys), HTML, citations and warnings.
    """
    sec = Section(key="cathode", title="Composite cathode microstructure", references=list(_SECTION_REFS))
    recipe, enabled = _recipe(cfg)
    sigma_se = (ctx.results.get("electrolyte") or {}).get("sigma_25C_S_per_cm")
    if sigma_se is None or not (isinstance(sigma_se, int | float) and sigma_se > 0):
        sigma_se = DEFAULT_SIGMA_S_PER_CM["electrolyte_ion"]
        sec.warnings.append(f"no electrolyte conductivity from [electrolyte]; {sigma_se:g} S/cm assumed for the SE")
    target = recipe.composite_fractions
    eps_se = target["electrolyte"]
    brug = eps_se**-0.5 if eps_se > 0 else math.inf
    res: dict[str, Any] = {
        "eps_se": eps_se,
        "eps_active": target["active"],
        "eps_carbon": target["carbon"],
        "porosity": target["pore"],
        "sigma_se_S_per_cm": float(sigma_se),
        "tortuosity_ion_bruggeman": _finite(brug),
        "method": "bruggeman",
    }
    analysis: CompositeAnalysis | None = None
    volume = None
    if enabled:
        from ssbkit.microstructure.generate import generate_microstructure

        try:
            with warnings.catch_warnings():  # resolution warnings reach the report via volume.info
                warnings.simplefilter("ignore")
                volume = generate_microstructure(recipe)
            analysis = analyze_composite(recipe, volume=volume, sigma_se_S_per_cm=sigma_se)
        except InputError as exc:  # a recipe that cannot be packed: report, fall back
            sec.warnings.append(f"microstructure not built: {exc}; Bruggeman estimate used")
    if analysis is not None:
        thickness = cfg.get("thickness_um") or recipe.box_um[0]
        res.update({
            "method": "voxel solver",
            "eps_se": analysis.eps_se,
            "eps_active": analysis.fractions["active"],
            "eps_carbon": analysis.fractions["carbon"],
            "porosity": analysis.fractions["pore"],
            "tortuosity_ion": _finite(analysis.tortuosity_ion),
            "sigma_eff_ion_S_per_cm": analysis.sigma_eff_ion_S_per_cm,
            "sigma_eff_e_S_per_cm": analysis.sigma_eff_e_S_per_cm,
            "utilisation": analysis.utilisation.utilisation,
            "ion_connected_fraction": analysis.utilisation.ion_connected_fraction,
            "electron_connected_fraction": analysis.utilisation.electron_connected_fraction,
            "specific_area_am_se_per_um": analysis.specific_area_am_se_per_um,
            "contact_area_am_se_cm2_per_cm2": analysis.specific_area_am_se_per_um * float(thickness),
            "percolates_ion": bool(analysis.ion_percolation.percolates[0]),
            "percolates_e": bool(analysis.electron_percolation.percolates[0]),
            "box_um": list(analysis.box_um),
            "voxel_um": analysis.voxel_um,
            "seed": int(recipe.seed),
        })
        sec.warnings.extend(analysis.warnings)
        if ((cfg.get("microstructure") or {}).get("converge") and res["tortuosity_ion"] is not None):
            _converge(recipe, res, sec)
    else:
        res.update({
            "tortuosity_ion": _finite(brug),
            "sigma_eff_ion_S_per_cm": eps_se**1.5 * float(sigma_se),
            "sigma_eff_e_S_per_cm": None,
            "utilisation": None,
        })
    sec.results = res
    sec.html = _html(res, recipe, analysis, volume, ctx)
    return sec


def _converge(recipe: Recipe, res: dict[str, Any], sec: Section) -> None:
    """Replace tau_ion by its zero-voxel-size extrapolation (two levels), keeping the voxel value."""
    from ssbkit.microstructure.convergence import converged_tortuosity

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            conv = converged_tortuosity(recipe, recipe.voxel_um, levels=2)
    except InputError as exc:
        sec.warnings.append(f"tortuosity not extrapolated to zero voxel size: {exc}")
        return
    res["tortuosity_ion_voxel"] = res["tortuosity_ion"]
    res["tortuosity_ion"] = conv.extrapolated
    res["tortuosity_ion_gci"] = conv.gci
    res["tortuosity_convergence"] = conv.as_dict()
    res["sigma_eff_ion_S_per_cm"] = res["eps_se"] * res["sigma_se_S_per_cm"] / conv.extrapolated
    res["method"] = "voxel solver, tau extrapolated to zero voxel size"
    sec.references.append("Roache1994")


def _html(res, recipe: Recipe, analysis, volume, ctx) -> str:
    parts = []
    rows = [
        ("active material", recipe.active_material, ""),
        ("SE volume fraction eps_SE", res["eps_se"], "–"),
        ("active-material volume fraction", res["eps_active"], "–"),
        ("carbon volume fraction", res["eps_carbon"], "–"),
        ("porosity", res["porosity"], "–"),
        ("SE conductivity used", res["sigma_se_S_per_cm"], "S/cm"),
        ("tortuosity factor tau_ion (R-17)", res.get("tortuosity_ion"), "–"),
        ("Bruggeman eps^-0.5 (R-18)", res["tortuosity_ion_bruggeman"], "–"),
        ("effective ionic conductivity", res.get("sigma_eff_ion_S_per_cm"), "S/cm"),
        ("effective electronic conductivity", res.get("sigma_eff_e_S_per_cm"), "S/cm"),
        ("utilisation of active material", res.get("utilisation"), "–"),
        ("AM/SE contact area per volume", res.get("specific_area_am_se_per_um"), "um^2/um^3"),
        ("AM/SE contact area per electrode area", res.get("contact_area_am_se_cm2_per_cm2"), "cm^2/cm^2"),
    ]
    if res.get("tortuosity_ion_voxel") is not None:
        rows[7:7] = [("tau_ion at the voxel size (before extrapolation)", res["tortuosity_ion_voxel"], "–"),
                     ("its grid convergence index (Roache 1994)", res["tortuosity_ion_gci"], "–")]
    parts.append(f"<p>Method: {html.escape(res['method'])}.</p>")
    parts.append(table_html(rows, header=("quantity", "value", "unit")))
    from ssbkit.microstructure.plots import plot_slices, plot_tortuosity_context, plot_utilisation

    if analysis is not None:
        parts.append(figure_to_html(plot_slices(volume), alt="orthogonal slices of the generated cathode (separator at top)"))
        parts.append(figure_to_html(plot_utilisation(analysis.utilisation), alt="usable active material against depth"))
        parts.append("<p>" + _percolation_text(res, analysis) + "</p>")
        parts.append(
            f"<p>The volume is a {fmt(analysis.box_um[0])} um box (voxel {fmt(analysis.voxel_um)} um, seed "
            f"{recipe.seed}); axis 0 runs from the separator side to the current-collector side, and the "
            "utilisation refers to that depth, not to the full electrode thickness.</p>"
        )
    parts.append(figure_to_html(plot_tortuosity_context(res["eps_se"], res.get("tortuosity_ion")),
                                alt="tortuosity factor against SE fraction: this recipe, Bruggeman, Hlushkou 2018"))
    return "\n".join(parts)


def _percolation_text(res, analysis: CompositeAnalysis) -> str:
    ion, el = analysis.ion_percolation, analysis.electron_percolation
    tau, brug = res.get("tortuosity_ion"), res["tortuosity_ion_bruggeman"]
    out = []
    if ion.percolates[0]:
        out.append(
            f"The SE network ({fmt(ion.fraction)} by volume) spans the thickness with "
            f"{fmt(100 * ion.spanning_fraction[0])} % of the SE in the spanning cluster; "
            f"tau = {fmt(tau)} against Bruggeman's {fmt(brug)}"
            + (" — well above it, so the recipe sits near the ionic percolation threshold (about "
               "0.16-0.3 SE by volume for random packings); more SE or smaller voids would help."
               if tau is not None and brug and tau > 1.5 * brug else ".")
        )
    else:
        out.append(f"The SE ({fmt(ion.fraction)} by volume) does not percolate: no ionic path, tau is infinite. Add SE.")
    if el.percolates[0]:
        out.append(
            f"Electrons: {' + '.join(el.phases)} ({fmt(el.fraction)} by volume) percolate, "
            f"{fmt(100 * el.spanning_fraction[0])} % in the spanning cluster."
        )
    else:
        out.append(
            f"Electrons: {' + '.join(el.phases)} ({fmt(el.fraction)} by volume) do not percolate; "
            "only active material touching the current collector through a connected cluster is used "
            "(Zhang et al. 2017: no electronic percolation below ~50 wt% LiCoO2 without carbon)."
        )
    u = analysis.utilisation
    out.append(f"Utilisation {fmt(u.utilisation)}: {fmt(100 * (1 - u.utilisation))} % of the active material is dead.")
    return " ".join(html.escape(s) for s in out)
