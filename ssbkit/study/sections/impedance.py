"""The ``[impedance]`` study table: a pellet's spectra -> sigma_bulk, sigma_gb, sigma_total, Ea.

Example::

    [impedance]
    files = ["eis/s04147-140deg.txt", "eis/s04147-150deg.txt"]   # relative to the study file
    thickness_cm = 0.21
    diameter_cm = 0.8                  # or area_cm2
    circuit = "p(R1,CPE1)-p(R2,CPE2)-CPE3"
    temperatures_c = []                # default: from file names / headers

Results (``results.json`` and for the ``[electrolyte]`` section with
``source = "impedance"``): ``temperatures_K``, ``sigma_bulk_S_per_cm``,
``sigma_gb_S_per_cm``, ``sigma_total_S_per_cm`` (each with ``_err``), and
``ea_bulk_eV``, ``ea_gb_eV``, ``ea_total_eV`` (each with ``_err``).
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from ssbkit.errors import InputError
from ssbkit.impedance.series import DEFAULT_PELLET_CIRCUIT
from ssbkit.study.section import KeySpec, Section, StudyContext, figure_to_html, fmt, table_html

__all__ = ["SCHEMA", "run_section"]

SCHEMA = {
    "files": KeySpec(list, "REQUIRED", "impedance files (paths or glob patterns relative to the study file)"),
    "thickness_cm": KeySpec(float, "REQUIRED", "pellet thickness, cm"),
    "diameter_cm": KeySpec(float, None, "pellet (electrode) diameter, cm"),
    "area_cm2": KeySpec(float, None, "electrode area, cm^2 (instead of diameter_cm)"),
    "circuit": KeySpec(str, DEFAULT_PELLET_CIRCUIT, "equivalent circuit (impedance.py style or CDC)"),
    "temperatures_c": KeySpec(list, [], "temperature of each file, degC (default: from names/headers)"),
    "shared": KeySpec(list, [], "parameters common to all spectra, e.g. ['CPE1_n', 'CPE2_n']"),
    "arrhenius_form": KeySpec(str, "sigmaT", "Arrhenius form: 'sigmaT' or 'sigma'"),
    "weighting": KeySpec(str, "modulus", "fit weighting: unit, modulus or proportional"),
    "tortuosity_file": KeySpec(str, None, "spectrum of a composite electrode (ion-conducting, "
                               "electron-blocking) for the EIS tortuosity factor, R-17"),
    "tortuosity_thickness_cm": KeySpec(float, None, "composite electrode thickness, cm"),
    "tortuosity_area_cm2": KeySpec(float, None, "composite electrode area, cm^2"),
    "tortuosity_eps": KeySpec(float, None, "volume fraction of the ion conductor in the composite"),
    "tortuosity_sigma_se_S_per_cm": KeySpec(float, None, "dense-SE conductivity at the same "
                                            "temperature, S/cm"),
    "tortuosity_circuit": KeySpec(str, "TLMQS1", "transmission-line circuit for R_ion"),
}


def _paths(cfg: dict, base: Path) -> list[Path]:
    out: list[Path] = []
    for item in cfg["files"]:
        p = Path(str(item))
        p = p if p.is_absolute() else base / p
        if any(ch in str(p) for ch in "*?["):
            hits = sorted(glob.glob(str(p)))
        else:
            hits = [str(p)] if p.exists() else []
        if not hits:
            raise InputError(f"impedance.files: {item!r} matches no file (relative to {base})")
        out += [Path(h) for h in hits]
    if not out:
        raise InputError("impedance.files is empty: list at least two spectra at different temperatures")
    return out


def run_section(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    """Fit the spectra, compute conductivities and Arrhenius fits, and show the fits.

    Parameters
    ----------
    cfg
        The validated ``[impedance]`` table (defaults filled in).
    ctx
        The run: the whole study, the results of earlier sections, the output
        folder and the progress callback.

    Returns
    -------
    Section
        Results (numbers with units in the keys), HTML, citations and warnings.
    """
    from dataclasses import replace

    from ssbkit.impedance.plots import plot_arrhenius, plot_nyquist
    from ssbkit.impedance.readers import read_spectra
    from ssbkit.impedance.series import conductivity_series

    sec = Section(key="impedance", title="Impedance: conductivity of the electrolyte pellet")
    base = Path(ctx.study.get("_base_dir", "."))
    if (cfg.get("diameter_cm") is None) == (cfg.get("area_cm2") is None):
        raise InputError("impedance: give exactly one of diameter_cm or area_cm2")
    spectra = []
    for p in _paths(cfg, base):
        try:
            spectra += read_spectra(p)
        except InputError as exc:
            sec.warnings.append(f"skipped {p.name}: {exc}")
    if not spectra:
        raise InputError("impedance: no spectrum could be read; " + "; ".join(sec.warnings))
    temps = cfg.get("temperatures_c") or []
    if temps:
        from ssbkit.transport.extrapolation import require_celsius

        require_celsius(temps, "impedance.temperatures_c")
        if len(temps) != len(spectra):
            raise InputError(f"impedance.temperatures_c has {len(temps)} values for {len(spectra)} spectra")
        spectra = [replace(s, temperature_c=float(t)) for s, t in zip(spectra, temps, strict=True)]
    missing = [Path(s.source).name for s in spectra if s.temperature_c is None]
    if missing:
        raise InputError(f"impedance: no temperature for {missing[0]}; set impedance.temperatures_c")
    if len(spectra) < 2:
        sec.warnings.append("fewer than two spectra: no activation energy")
    try:
        cs = conductivity_series(
            spectra, thickness_cm=cfg["thickness_cm"], diameter_cm=cfg.get("diameter_cm"),
            area_cm2=cfg.get("area_cm2"), circuit=cfg["circuit"], shared=cfg.get("shared") or None,
            form=cfg["arrhenius_form"], weighting=cfg["weighting"],
        )
    except InputError:
        raise
    except Exception as exc:  # numerical failure: report, do not crash the study
        sec.warnings.append(f"conductivity series failed: {exc}")
        return sec
    d = cs.to_dict()
    for s, m in cs.failures:
        sec.warnings.append(f"fit failed for {Path(s).name}: {m}")
    res = {
        "temperatures_K": d["temperatures_K"],
        "circuit": cs.fits[0].circuit if cs.fits else cfg["circuit"],
        "bulk_param": cs.bulk_param,
        "gb_param": cs.gb_param,
        "arrhenius_form": cs.form,
    }
    for k in ("bulk", "gb", "total"):
        res[f"sigma_{k}_S_per_cm"] = d[f"sigma_{k}_S_per_cm"]
        res[f"sigma_{k}_S_per_cm_err"] = d[f"sigma_{k}_S_per_cm_err"]
        res[f"ea_{k}_eV"] = d[f"ea_{k}_eV"]
        res[f"ea_{k}_eV_err"] = d[f"ea_{k}_err_eV"]
    res["fits"] = [
        {"source": f.source, "temperature_c": f.temperature_c, "success": f.success,
         "rms_relative": f.rms_relative, "parameters": f.values, "stderr": f.stderr,
         "warnings": list(f.warnings), "non_identifiable": list(f.non_identifiable),
         "arcs": [_assigned(a.to_dict(), cs.bulk_param, cs.gb_param) for a in f.arcs]}
        for f in cs.fits
    ]
    res["validity"] = _validity(spectra, sec)
    sec.results = res
    if cfg.get("tortuosity_file"):
        res["tortuosity"] = _tortuosity(cfg, base, sec)
    sec.references = list(cs.references)

    rows = [(f.temperature_c, cs.sigma_bulk_S_per_cm[i], cs.sigma_gb_S_per_cm[i],
             cs.sigma_total_S_per_cm[i], 100 * f.rms_relative if f.success else None)
            for i, f in enumerate(cs.fits)]
    parts = [
        f"<p>Circuit <code>{fmt(res['circuit'])}</code>; bulk = {fmt(cs.bulk_param)}, grain boundary = "
        f"{fmt(cs.gb_param)} (told apart by effective capacitance, Brug's formula).</p>",
        table_html(rows, ("T / °C", "σ_bulk / S cm⁻¹", "σ_gb / S cm⁻¹", "σ_total / S cm⁻¹", "fit rms / %")),
    ]
    ea_rows = [(k, a.ea_ev, a.ea_se_ev, a.ea_kj_per_mol) for k, a in cs.arrhenius.items()]
    if ea_rows:
        parts.append(table_html(ea_rows, ("conductivity", "Ea / eV", "std. error / eV", "Ea / kJ mol⁻¹")))
        parts.append(f"<p>Arrhenius form: {'σT = A exp(−Ea/kT)' if cs.form == 'sigmaT' else 'σ = A exp(−Ea/kT)'}.</p>")
    ok = [f for f in cs.fits if f.success]
    try:
        if ok:
            parts.append(figure_to_html(plot_nyquist(ok), alt="Nyquist plots with fits (equal axes)"))
        if cs.arrhenius:
            parts.append(figure_to_html(plot_arrhenius(cs), alt="Arrhenius plot of the pellet conductivities"))
        if ok:
            parts.append(figure_to_html(_fit_grid(ok[:12]), alt="each spectrum with its fit (equal axes)"))
    except Exception as exc:  # a figure must never sink the section
        sec.warnings.append(f"figure failed: {exc}")
    sec.html = "\n".join(parts)
    return sec


def _validity(spectra, sec: Section) -> list[dict]:
    """Lin-KK and Z-HIT verdict of every spectrum; a warning for each that fails."""
    from ssbkit.impedance.kk import kk_test
    from ssbkit.impedance.zhit import zhit_test

    out = []
    for s in spectra:
        kk = kk_test(s)
        zh = zhit_test(s) if len(s) >= 8 else None
        out.append({"source": s.source, "kk_valid": kk.valid, "kk_max_residual": kk.max_residual,
                    "kk_n_rc": kk.n_rc, "kk_representation": kk.representation,
                    "zhit_valid": None if zh is None else zh.valid,
                    "zhit_max_residual": None if zh is None else zh.max_residual})
        if not kk.valid or (zh is not None and not zh.valid):
            sec.warnings.append(
                f"{Path(s.source).name}: not KK-compliant (Lin-KK max residual "
                f"{100 * kk.max_residual:.2g} %, Z-HIT "
                f"{'n/a' if zh is None else f'{100 * zh.max_residual:.2g} %'}): drift or "
                "non-linearity; its fit is suspect")
    return out


def _assigned(arc: dict, bulk: str | None, gb: str | None) -> dict:
    """An arc's dict labelled by the series' bulk/grain-boundary assignment (one rule for
    per-fit and series results); Irvine's capacitance label kept as ``label_capacitance``."""
    out = dict(arc, label_capacitance=arc.get("label"))
    if arc.get("resistor") == bulk:
        out["label"] = "bulk"
    elif arc.get("resistor") == gb:
        out["label"] = "grain boundary"
    return out


def _tortuosity(cfg: dict, base: Path, sec: Section) -> dict:
    """The tortuosity key: :func:`ssbkit.impedance.tortuosity.tortuosity_from_spectrum`."""
    from ssbkit.impedance.readers import read_spectrum
    from ssbkit.impedance.tortuosity import tortuosity_from_spectrum

    need = ("tortuosity_thickness_cm", "tortuosity_area_cm2", "tortuosity_eps",
            "tortuosity_sigma_se_S_per_cm")
    missing = [k for k in need if cfg.get(k) is None]
    if missing:
        raise InputError(f"impedance.tortuosity_file needs {', '.join(missing)}")
    p = Path(cfg["tortuosity_file"])
    r = tortuosity_from_spectrum(
        read_spectrum(p if p.is_absolute() else base / p),
        thickness_cm=cfg["tortuosity_thickness_cm"], area_cm2=cfg["tortuosity_area_cm2"],
        eps=cfg["tortuosity_eps"], sigma_se_S_per_cm=cfg["tortuosity_sigma_se_S_per_cm"],
        circuit=cfg["tortuosity_circuit"])
    sec.warnings.extend(f"tortuosity: {n}" for n in r.notes)
    return {"tau": r.tau, "tau_err": r.tau_err, "r_ion_ohm": r.r_ion_ohm,
            "r_ion_err_ohm": r.r_ion_err_ohm, "sigma_eff_S_per_cm": r.sigma_eff_S_per_cm,
            "circuit": r.fit.circuit, "fit_success": r.fit.success}


def _fit_grid(fits):
    """One figure with a Nyquist panel (data, fit) per spectrum."""
    import math

    import matplotlib.pyplot as plt

    from ssbkit.impedance.plots import plot_nyquist

    cols = min(3, len(fits))
    rows = math.ceil(len(fits) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.2 * rows), squeeze=False)
    for ax, f in zip(axes.flat, fits, strict=False):
        plot_nyquist([f], ax=ax, title=f"{Path(f.source).name}: rms {100 * f.rms_relative:.2g} %")
        ax.title.set_fontsize(8)
    for ax in list(axes.flat)[len(fits):]:
        ax.axis("off")
    fig.tight_layout()
    return fig
