"""``ssbkit md``: molecular dynamics, stability, glasses and campaigns from the command line.

Commands: ``run STRUCTURE --temperatures 600,800 --time-ps 20``, ``stability
TARGET``, ``glass --composition 75Li2S-25P2S5``, ``units STRUCTURE`` and
``campaign CAMPAIGN.toml``; each has ``--json`` (one JSON document on stdout).
Bad input raises :class:`~ssbkit.errors.InputError` (the ``ssbkit`` entry point
prints ``error: ...`` and exits with code 2). torch, ASE and CHGNet load inside
the commands only.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import typer

from ssbkit.cli.util import echo_json as _echo_json
from ssbkit.cli.util import parse_floats as _floats
from ssbkit.errors import InputError

__all__ = ["app"]

app = typer.Typer(name="md", help="Atomistic: MD for transport, stability, glasses, campaigns.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@contextlib.contextmanager
def _progress_bar(enabled: bool):
    """A rich progress bar as a ``progress(done, total, message)`` callable (None when disabled)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeRemainingColumn(), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(done: float, total: float, message: str) -> None:
            if not total:  # a message without a count (the plan): print it above the bar
                bar.console.print(message)
                return
            if message not in tasks:
                tasks[message] = bar.add_task(message, total=total)
            bar.update(tasks[message], completed=done, total=total)

        yield update


@app.command("run")
def run_cmd(
    structure: Path = typer.Argument(..., help="Structure file (CIF, POSCAR, ...)."),
    temperatures: str = typer.Option(..., "--temperatures", "-T", help="Temperatures in K, comma-separated: 600,800,1000."),
    time_ps: float = typer.Option(..., "--time-ps", help="Production time per temperature, ps."),
    calculator: str = typer.Option("chgnet", "--calculator", help="Potential: chgnet, sevennet, sevennet-l3i5, emt, or BACKEND:PATH (mace, mattersim, orb, m3gnet)."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    threads: int = typer.Option(None, "--threads", help="torch CPU threads (1 is fastest on a busy CPU)."),
    timestep_fs: float = typer.Option(2.0, "--timestep-fs", help="MD time step, fs."),
    equilibration_ps: float = typer.Option(1.0, "--equilibration-ps", help="Equilibration before production, ps."),
    frame_interval_fs: float = typer.Option(100.0, "--frame-interval-fs", help="Time between saved frames, fs."),
    thermostat: str = typer.Option("bussi", "--thermostat", help="bussi, langevin, nose-hoover or nve."),
    min_length_A: float = typer.Option(10.0, "--min-length-A", help="Supercell: every width >= this, Angstrom."),
    species: str = typer.Option("Li", "--species", help="Mobile ion for the diffusion analysis."),
    expected_d: str = typer.Option(None, "--expected-d", help="Expected D per temperature, cm2/s (comma-separated, or one value), for the plan."),
    allow_short: bool = typer.Option(False, "--allow-short", help="Run even when the plan says it is too short to be diffusive."),
    max_hours: float = typer.Option(None, "--max-hours", help="Refuse a run the plan estimates longer than this."),
    plan_only: bool = typer.Option(False, "--plan", help="Print the plan (run length and time estimate) and stop."),
    analyse: bool = typer.Option(True, "--analyse/--no-analyse", help="Run the diffusion analysis after MD."),
    seed: int = typer.Option(0, "--seed"),
    out: Path = typer.Option(Path("md-out"), "--out", "-o", help="Folder of trajectories and checkpoints."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Plan, then order partial occupancies, make a supercell and run NVT MD at each temperature.

    The plan (run length needed for a diffusive regime, time on this device) is printed first; a run
    too short to be diffusive is refused before it starts. Running the same command again resumes.
    """
    from ssbkit.atomistic.workflow import simulate_transport

    temps = _floats(temperatures, "--temperatures")
    exp_list = None if expected_d is None else _floats(expected_d, "--expected-d")
    exp_d: Any = exp_list[0] if exp_list is not None and len(exp_list) == 1 else exp_list
    with _progress_bar(not as_json) as bar:
        doc = simulate_transport(
            structure, temps, time_ps=time_ps, out_dir=out, calculator=calculator, device=device,
            threads=threads, species=species, min_length_A=min_length_A, expected_d_cm2_per_s=exp_d,
            allow_short=allow_short, max_hours=max_hours, analyse=analyse, seed=seed, plan_only=plan_only,
            progress=bar, timestep_fs=timestep_fs, equilibration_ps=equilibration_ps,
            frame_interval_fs=frame_interval_fs, thermostat=thermostat)
    if plan_only:
        if as_json:
            _echo_json(doc["plan"].as_dict())
        else:
            typer.echo(doc["plan"].summary())
        return
    doc = {"structure": str(structure), **doc, "plan": doc["plan"].as_dict(),
           "runs": [r.as_dict() for r in doc["runs"]]}
    if "transport" in doc:
        doc["transport"] = doc["transport"].as_dict()
    if as_json:
        _echo_json(doc)
        return
    for x in doc["stopped"]:
        typer.echo(f"{x['temperature_K']:7.1f} K  stopped: {x['message']}")
    for r in doc["runs"]:
        typer.echo(f"{r['temperature_K']:7.1f} K  {r['n_frames']} frames  <T> = {r['mean_temperature_K']:.0f} K  "
                   f"{r['atom_steps_per_s']:.0f} atom-steps/s  {r['trajectory']}")
    for row in doc.get("transport", {}).get("temperatures", []):
        s_ = row.get("sigma_S_per_cm")
        typer.echo(f"{row['temperature_K']:7.1f} K  sigma = {s_:.3g} S/cm" if s_ and row["converged"] else
                   f"{row['temperature_K']:7.1f} K  {row['verdict']}")


@app.command("stability")
def stability_cmd(
    target: str = typer.Argument(..., help="Candidate: a structure file, or a name/formula in --energies."),
    competing: list[Path] = typer.Option(None, "--competing", "-c", help="Structure file of a competing phase (repeat)."),
    energies: Path = typer.Option(None, "--energies", help="CSV of name,formula,energy_eV (total energies) instead of structures."),
    open_element: str = typer.Option("Li", "--open-element", help="Mobile ion open to the electrode."),
    calculator: str = typer.Option("chgnet", "--calculator"),
    relax: bool = typer.Option(True, "--relax/--no-relax", help="Relax every structure with the potential first."),
    uncorrected_sulfides: bool = typer.Option(
        False, "--uncorrected-sulfides",
        help="Bundled phases only, for CHGNet (fitted to MP2020-corrected energies): take the MP2020 sulfide "
             "correction (-0.503 eV/S) out, the uncorrected-GGA scale of Zhu 2015's windows."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Energy above the hull and electrochemical window (Zhu, He, Mo 2015) with one potential.

    With neither --competing nor --energies, TARGET is a bundled phase (Li3PS4, Li6PS5Cl, Li10GeP2S12,
    Li7P3S11, Na3PS4, Li3YCl6, ...) or a structure file, checked against the bundled competing phases
    with their cached energies under --calculator.
    """
    from ssbkit.atomistic.stability import (
        compute_entries,
        electrochemical_window,
        energy_above_hull,
        make_entry,
    )

    if energies is not None:
        import pandas as pd

        if not energies.is_file():
            raise InputError(f"{energies}: no such file")
        df = pd.read_csv(energies)
        need = {"formula", "energy_eV"}
        if need - set(df.columns):
            raise InputError(f"{energies}: needs columns formula, energy_eV (and name); has {list(df.columns)}")
        names = df["name"].astype(str) if "name" in df else df["formula"].astype(str)
        entries = [make_entry(f, e, name=n) for n, f, e in zip(names, df["formula"], df["energy_eV"], strict=True)]
        hit = [e for e in entries if e.name == target or e.composition.reduced_formula == target]
        if not hit:
            from ssbkit.errors import did_you_mean

            raise InputError(f"{target!r} is not a row of {energies}" + did_you_mean(target, [e.name for e in entries]))
        tgt = hit[0]
        others = [e for e in entries if e is not tgt]
    elif not competing:
        _bundled_stability(target, calculator, open_element if open_element != "Li" else None, as_json,
                           uncorrected_sulfides)
        return
    else:
        tgt = compute_entries({Path(target).stem: target}, calculator=calculator, relax=relax)[0]
        others = compute_entries({p.stem: p for p in competing}, calculator=calculator, relax=relax)
    hull = energy_above_hull(tgt, others)
    win = electrochemical_window(tgt, others, open_element=open_element)
    doc = {"hull": hull.to_dict(), "window": win.to_dict()}
    if as_json:
        _echo_json(doc)
        return
    typer.echo(f"{tgt.name}: E above hull = {1000 * hull.e_above_hull_eV_per_atom:.1f} meV/atom "
               f"({'stable' if hull.stable else 'decomposes to ' + ', '.join(hull.decomposition)})")
    ox = "none found" if win.oxidation_V is None else f"{win.oxidation_V:.2f} V"
    red = "n/a" if win.reduction_V is None else f"{win.reduction_V:.2f} V"
    typer.echo(f"window vs {open_element}/{open_element}+: {red} to {ox}")
    typer.echo(f"  reduced to: {', '.join(win.products_reduction) or '-'}; oxidised to: {', '.join(win.products_oxidation) or '-'}")


def _bundled_stability(target: str, model: str, open_element: str | None, as_json: bool,
                       uncorrected_sulfides: bool) -> None:
    """E above hull and window of a bundled phase (or a structure) against the bundled competing phases."""
    from ssbkit.atomistic.windows import MP2020_SULFIDE_EV_PER_S, stability_window

    shift = -MP2020_SULFIDE_EV_PER_S if uncorrected_sulfides else 0.0
    rep = stability_window(target, model=model, open_element=open_element, sulfide_shift_eV_per_S=shift)
    if as_json:
        _echo_json(rep.to_dict())
        return
    ion = rep.open_element
    m = rep.model
    typer.echo(f"{rep.name} ({rep.formula}) with {m.get('name', model)} {m.get('version', '')}; "
               f"competing phases: {', '.join(rep.competing)}")
    if shift:
        typer.echo(f"  (MP2020 sulfide correction taken out: {shift:+.3f} eV per S in S compounds)")
    typer.echo(f"E above hull = {1000 * rep.e_above_hull_eV_per_atom:.1f} meV/atom"
               + ("" if rep.e_above_hull_eV_per_atom <= 1e-6 else f" (decomposes to {', '.join(rep.decomposition)})"))
    red = "n/a" if rep.reduction_V is None else f"{rep.reduction_V:.2f} V"
    ox = "none found" if rep.oxidation_V is None else f"{rep.oxidation_V:.2f} V"
    typer.echo(f"window vs {ion}/{ion}+: {red} to {ox}")
    typer.echo(f"  reduced to: {', '.join(rep.products_reduction) or '-'}; "
               f"oxidised to: {', '.join(rep.products_oxidation) or '-'}")
    if rep.published:
        p = rep.published
        typer.echo(f"  published ({p['source']}, GGA/MP): {p['reduction_V']:.2f} V to {p['oxidation_V']:.2f} V")


@app.command("glass")
def glass_cmd(
    composition: str = typer.Option(..., "--composition", help="75Li2S-25P2S5, a formula, or a structure file."),
    atoms: int = typer.Option(96, "--atoms", help="Approximate number of atoms (whole formula units)."),
    density: float = typer.Option(1.9, "--density-g-cm3", help="Density of the random packing, g/cm3."),
    t_melt: float = typer.Option(1500.0, "--t-melt-k", help="Melt temperature, K."),
    melt_ps: float = typer.Option(5.0, "--melt-ps"),
    quench_rate: float = typer.Option(100.0, "--quench-rate-K-per-ps"),
    anneal_ps: float = typer.Option(2.0, "--anneal-ps"),
    budget_hours: float = typer.Option(None, "--budget-hours", help="Fit melt, quench and anneal into this wall time (overrides the three)."),
    start: str = typer.Option("auto", "--start", help="auto, thiophosphate (PS4/P2S7 units placed) or random."),
    calculator: str = typer.Option("chgnet", "--calculator"),
    device: str = typer.Option("auto", "--device"),
    seed: int = typer.Option(0, "--seed"),
    out: Path = typer.Option(Path("glass-out"), "--out", "-o"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Melt-quench MD to an amorphous structure, then count its thiophosphate units."""
    from ssbkit.atomistic.glass import melt_quench

    src: object = composition
    if not Path(composition).is_file():
        from ssbkit.materials import parse_composition

        red = parse_composition(composition).reduced_composition
        if any(abs(a - round(a)) > 1e-6 for a in red.values()):
            raise InputError(f"--composition {composition!r} does not reduce to whole atoms ({red.formula})")
        src = red * max(1, round(atoms / red.num_atoms))
    if budget_hours is not None:
        from ssbkit.atomistic.glass import budget_schedule

        n_at = int(getattr(src, "num_atoms", atoms))
        sched = budget_schedule(n_at, budget_hours, t_melt_k=t_melt)
        melt_ps, quench_rate, anneal_ps = sched["melt_ps"], sched["quench_rate_K_per_ps"], sched["anneal_ps"]
        if not as_json:
            typer.echo(sched["message"])
    with _progress_bar(not as_json) as bar:
        res = melt_quench(src, start=start, density_g_cm3=density, calculator=calculator, device=device, out_dir=out,
                      t_melt_k=t_melt, melt_ps=melt_ps, quench_rate_K_per_ps=quench_rate, anneal_ps=anneal_ps,
                      seed=seed, progress=bar)
    if as_json:
        _echo_json(res.to_dict())
        return
    typer.echo(f"{res.formula}: {res.n_atoms} atoms, {res.density_g_cm3:.2f} g/cm3 -> {res.final_structure}")
    if res.units:
        u = res.units
        typer.echo(f"P in PS4 {u['fraction_ortho']:.2f}, P2S7 {u['fraction_pyro']:.2f}, "
                   f"P2S6 {u['fraction_hypo']:.2f}, other {u['fraction_other']:.2f}; bridging S {u['bridging_S']}")


@app.command("units")
def units_cmd(
    structure: Path = typer.Argument(..., help="Structure or trajectory file (last frame is used)."),
    p_s_cutoff: float = typer.Option(2.5, "--p-s-cutoff-A", help="P-S bond cutoff, Angstrom."),
    p_p_cutoff: float = typer.Option(2.5, "--p-p-cutoff-A", help="P-P bond cutoff, Angstrom."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Thiophosphate units (ortho PS4, pyro P2S7, hypo P2S6) and bridging S of a structure."""
    from ssbkit.atomistic.glass import structural_units

    if not structure.is_file():
        raise InputError(f"{structure}: no such file")
    try:
        from ase.io import read

        obj = read(str(structure), index=-1)
    except Exception:
        from ssbkit.atomistic.structures import read_structure

        obj = read_structure(structure)
    u = structural_units(obj, p_s_cutoff_A=p_s_cutoff, p_p_cutoff_A=p_p_cutoff)
    if as_json:
        _echo_json(u.to_dict())
        return
    for k, v in u.to_dict().items():
        if k.startswith("@"):
            continue
        typer.echo(f"{k:16s} {v}")


@app.command("campaign")
def campaign_cmd(
    config: Path = typer.Argument(..., help="Campaign TOML: group, structures, temperatures_K, [substitutions], [settings]."),
    address: str = typer.Option(None, "--address", help="Dask scheduler address (default: a local cluster)."),
    workers: int = typer.Option(1, "--workers", help="Workers of the local cluster."),
    processes: bool = typer.Option(True, "--processes/--no-processes", help="Local workers as processes (default) or threads of this process."),
    retries: int = typer.Option(2, "--retries", help="Reruns of a task whose worker died."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Run again the tasks stored as failed."),
    db: str = typer.Option(None, "--db", help="Results store URL or SQLite path."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Screen structures x substitutions x temperatures on Dask; resumable; stores every result."""

    from ssbkit.atomistic.campaign import (
        arrhenius_summary,
        build_candidates,
        run_campaign,
        summary_table,
    )
    from ssbkit.tomlio import read_toml

    cfg = read_toml(config, what="campaign file")
    for k in ("group", "structures", "temperatures_K"):
        if k not in cfg:
            raise InputError(f"{config}: missing key {k!r} (needs group, structures, temperatures_K)")
    base = config.parent
    structs = {n: str((base / p) if not Path(p).is_absolute() else p) for n, p in cfg["structures"].items()}
    settings = dict(cfg.get("settings", {}))
    settings.setdefault("out_dir", str(base / f"campaign-{cfg['group']}"))
    cands = build_candidates(structs, cfg["temperatures_K"], substitutions=cfg.get("substitutions"),
                             include_host=cfg.get("include_host", True), settings=settings)
    with _progress_bar(not as_json) as bar:
        res = run_campaign(cands, group_id=str(cfg["group"]), address=address, n_workers=workers,
                           retries=retries, processes=processes, store_url=db, progress=bar,
                           retry_failed=retry_failed)
    table = summary_table(str(cfg["group"]), store_url=db)
    summ = arrhenius_summary(table)
    doc = {"campaign": res.to_dict(), "tasks": table.to_dict(orient="records"),
           "summary": summ.to_dict(orient="records")}
    if as_json:
        _echo_json(doc)
        return
    typer.echo(f"{res.n_ok} ok, {res.n_failed} failed, {res.n_skipped} already done or failed before, "
               f"{res.n_busy} being run by another process (store {res.store_url})")
    typer.echo(summ.to_string(index=False))
