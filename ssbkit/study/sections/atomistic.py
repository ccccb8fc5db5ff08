"""The ``[atomistic]`` table of a study: a simulated electrolyte.

Either runs MD (CHGNet by default) on a structure at a list of temperatures,
or analyses trajectories the user already has; then D(T) -> sigma(T) by
Nernst-Einstein -> Arrhenius Ea and sigma at 300 K (science.md sections 1, 5).
A request that would take longer than ``max_minutes`` is refused with a time
estimate unless ``allow_long = true``: a converged Li-ion conductivity needs
tens of ps at each temperature, hours on a laptop CPU.

Example::

    [atomistic]
    structure = "Li3PS4.cif"
    temperatures_K = [600, 800, 1000]
    time_ps = 50
    allow_long = true
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssbkit.study.section import KeySpec, Section, StudyContext, figure_to_html, fmt, table_html

__all__ = ["SCHEMA", "run_section", "estimate_seconds"]

SCHEMA: dict[str, KeySpec] = {
    "enabled": KeySpec(bool, True, "run this section"),
    "structure": KeySpec(str, None, "structure file (CIF/POSCAR) of the electrolyte to simulate"),
    "trajectories": KeySpec(list, None, "existing MD trajectories, one per temperature (instead of running MD)"),
    "frame_interval_ps": KeySpec(float, None, "time between frames of given trajectories, ps (if not stored)"),
    "temperatures_K": KeySpec(list, [600.0, 800.0, 1000.0], "MD temperatures, K"),
    "time_ps": KeySpec(float, 50.0, "production time per temperature, ps"),
    "equilibration_ps": KeySpec(float, 2.0, "equilibration before production, ps"),
    "timestep_fs": KeySpec(float, 2.0, "MD time step, fs"),
    "frame_interval_fs": KeySpec(float, 100.0, "time between saved frames, fs"),
    "thermostat": KeySpec(str, "bussi", "bussi, langevin, nose-hoover"),
    "calculator": KeySpec(str, "chgnet", "potential: chgnet, sevennet (bundled) or BACKEND:PATH"),
    "expected_D_cm2_per_s": KeySpec(list, None, "expected D per temperature for the plan (default: a guess)"),
    "allow_short": KeySpec(bool, False, "run even when the plan says the time is too short to be diffusive"),
    "device": KeySpec(str, "auto", "auto, cpu or cuda"),
    "threads": KeySpec(int, None, "torch CPU threads (1 is often fastest on a shared CPU)"),
    "species": KeySpec(str, "Li", "mobile ion"),
    "min_length_A": KeySpec(float, 10.0, "supercell: every width at least this, Angstrom"),
    "seed": KeySpec(int, 0, "random seed"),
    "atom_steps_per_s": KeySpec(float, None, "throughput of this machine for the time estimate (default: CPU figure)"),
    "max_minutes": KeySpec(float, 30.0, "refuse runs estimated longer than this unless allow_long"),
    "allow_long": KeySpec(bool, False, "run even when the estimate exceeds max_minutes"),
}


def estimate_seconds(n_atoms: int, cfg: dict[str, Any]) -> float:
    """Estimated wall time of the MD the table asks for, s (n_atoms x steps x temperatures / throughput).

    Parameters
    ----------
    n_atoms
        Atoms in the supercell.
    cfg
        The ``[atomistic]`` table.

    Returns
    -------
    float
        Seconds.
    """
    from ssbkit.atomistic.md import CPU_ATOM_STEPS_PER_S, estimate_md_seconds

    steps = (float(cfg["time_ps"]) + float(cfg["equilibration_ps"])) * 1000.0 / float(cfg["timestep_fs"])
    rate = float(cfg.get("atom_steps_per_s") or CPU_ATOM_STEPS_PER_S)
    return estimate_md_seconds(n_atoms, int(steps), rate) * len(cfg["temperatures_K"])


def _resolve(path: str, ctx: StudyContext) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else Path(ctx.study.get("_base_dir", ".")) / p


def run_section(cfg: dict[str, Any], ctx: StudyContext) -> Section:
    """Run (or analyse) the simulated electrolyte and return its report section.

    Parameters
    ----------
    cfg
        The validated ``[atomistic]`` table (:data:`SCHEMA`).
    ctx
        The study context (base folder, output folder).

    Returns
    -------
    Section
        Results (D, sigma, Ea, the plan), warnings (each verdict, refusals) and HTML.
    """
    from ssbkit.atomistic.workflow import transport_from_trajectories
    from ssbkit.errors import InputError

    sec = Section(key="atomistic", title="Simulated electrolyte (foundation-potential MD)")
    temps = [float(t) for t in cfg["temperatures_K"]]
    if not temps or any(not (t > 0) for t in temps):
        raise InputError(f"[atomistic] temperatures_K must be positive numbers, got {cfg['temperatures_K']!r}")
    if cfg.get("trajectories"):
        paths = [[_resolve(q, ctx) for q in p] if isinstance(p, list) else _resolve(p, ctx)
                 for p in cfg["trajectories"]]
        source = "given trajectories"
    elif cfg.get("structure"):
        out = _simulate(cfg, ctx, temps, sec)
        if out is None:
            return sec
        temps, paths, source = out
    else:
        raise InputError("[atomistic] needs 'structure' (to run MD) or 'trajectories' (to analyse)")
    tr = transport_from_trajectories(paths, temps, species=cfg["species"],
                                     frame_interval_ps=cfg.get("frame_interval_ps")).as_dict()
    rows = tr["temperatures"]
    for r in rows:
        if not r["converged"]:
            sec.warnings.append(f"{r['temperature_K']:g} K: {r['verdict']}")
    sec.results |= {
        "source": source,
        "temperatures_K": [r["temperature_K"] for r in rows],
        "D_cm2_per_s": [r["D_cm2_per_s"] for r in rows],
        "sigma_S_per_cm": [r["sigma_S_per_cm"] for r in rows],
        "sigma_S_per_cm_err": [r["sigma_err_S_per_cm"] for r in rows],
        "converged": [r["converged"] for r in rows],
        "trajectories": [str(p) for p in paths],
        "ea_eV": tr.get("ea_eV"),
        "ea_eV_ci": tr.get("ea_ci_eV"),
        "sigma_300K_S_per_cm": tr.get("sigma_300K_S_per_cm"),
    }
    if tr.get("ea_eV") is None:
        sec.warnings.append("fewer than two converged temperatures: no activation energy")
    sec.references.extend(tr["references"])
    html = [f"<p>Source: {fmt(source)}; mobile ion {fmt(cfg['species'])}.</p>",
            table_html([(r["temperature_K"], r["D_cm2_per_s"], r["sigma_S_per_cm"], r["sigma_err_S_per_cm"],
                         "yes" if r["converged"] else "no") for r in rows],
                       ("T (K)", "D (cm2/s)", "sigma (S/cm)", "sigma err (S/cm)", "converged"))]
    if tr.get("ea_eV") is not None:
        y, lo, hi = tr["sigma_300K_S_per_cm"]
        html.append(f"<p>Ea = {fmt(tr['ea_eV'])} eV (95 % interval {fmt(tr['ea_ci_eV'][0])} to "
                    f"{fmt(tr['ea_ci_eV'][1])}); sigma(300 K) = {fmt(y)} S/cm ({fmt(lo)} to {fmt(hi)}), "
                    "extrapolated.</p>")
        try:
            from ssbkit.transport import ArrheniusFit
            from ssbkit.transport.plots import plot_arrhenius

            ok = [r for r in rows if r["converged"]]
            fig = plot_arrhenius({"MD": ArrheniusFit.from_dict(tr["arrhenius"])},
                                 {"MD": ([r["temperature_K"] for r in ok], [r["sigma_S_per_cm"] for r in ok],
                                         [r["sigma_err_S_per_cm"] for r in ok])},
                                 t_range_k=(280.0, max(temps) * 1.05))
            html.append(figure_to_html(fig, alt="Arrhenius plot of the MD conductivities"))
        except Exception as exc:  # a figure must not sink the numbers
            sec.warnings.append(f"Arrhenius figure not drawn: {exc}")
    sec.html = "\n".join(html)
    return sec


def _simulate(cfg: dict[str, Any], ctx: StudyContext, temps: list[float], sec: Section):
    """Run the MD through the one transport workflow; None (with the reason in ``sec``) when refused."""
    from ssbkit.atomistic.workflow import simulate_transport
    from ssbkit.errors import InputError

    common = dict(time_ps=float(cfg["time_ps"]), out_dir=Path(ctx.out_dir) / "atomistic",
                  calculator=cfg["calculator"], device=cfg["device"], threads=cfg.get("threads"),
                  species=cfg["species"], min_length_A=float(cfg["min_length_A"]),
                  expected_d_cm2_per_s=cfg.get("expected_D_cm2_per_s"), seed=int(cfg["seed"]),
                  atom_steps_per_s=cfg.get("atom_steps_per_s"), timestep_fs=float(cfg["timestep_fs"]),
                  equilibration_ps=float(cfg["equilibration_ps"]),
                  frame_interval_fs=float(cfg["frame_interval_fs"]), thermostat=cfg["thermostat"])
    structure = _resolve(cfg["structure"], ctx)
    plan = simulate_transport(structure, temps, plan_only=True, **common)["plan"]
    sec.results["plan"] = plan.as_dict()
    sec.results["estimated_hours"] = plan.estimated_s / 3600.0
    why = []
    if plan.estimated_s > 60.0 * float(cfg["max_minutes"]) and not cfg["allow_long"]:
        why.append(f"the plan estimates {plan.estimated_s / 3600.0:.1f} h here (> max_minutes = "
                   f"{cfg['max_minutes']:g}); set allow_long = true to run it, or give trajectories = [...] "
                   "from an earlier run")
    if plan.too_short_K and not cfg["allow_short"]:
        why.append(f"{cfg['time_ps']:g} ps is too short for a diffusive regime at "
                   f"{', '.join(f'{t:g}' for t in plan.too_short_K)} K; set allow_short = true to run it anyway")
    refusal = "not run: " + "; and ".join(why) if why else ""
    if refusal:
        sec.results["refused"] = True
        sec.warnings.append(refusal)
        sec.html = f"<p>{fmt(refusal)}</p><pre>{fmt(plan.summary())}</pre>"
        return None
    try:
        doc = simulate_transport(structure, temps, allow_short=True, analyse=False, **common)
    except InputError as exc:
        sec.results["error"] = str(exc)
        return None
    for x in doc["stopped"]:
        sec.warnings.append(f"{x['temperature_K']:g} K not used: {x['message']}")
    runs = doc["runs"]
    sec.references.extend(runs[0].references)
    source = f"{runs[0].calculator} MD, {doc['n_atoms']} atoms, {runs[0].thermostat} NVT"
    return [r.temperature_K for r in runs], [r.trajectory for r in runs], source
