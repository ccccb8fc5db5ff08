"""The ``ssbkit`` command. Thin: parses arguments and calls the layers.

Every command that computes has ``--json``. Bad input ends with a one-line
``error: ...`` and exit code 2 (see :mod:`ssbkit.errors`).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from ssbkit import __version__
from ssbkit.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_PARTIAL, InputError, SsbkitError

#: shown under ``ssbkit --help``; the same codes for every command
EXIT_CODES_HELP = (
    "Exit codes: 0 everything succeeded; 1 internal error (a bug: please report it); "
    "2 bad input (nothing was computed; the message names the input); "
    "3 partial success (some sections, files or batch members failed; the rest was written)."
)

__all__ = ["app", "main"]

app = typer.Typer(
    name="ssbkit",
    help="All-solid-state battery toolkit: electrolyte -> microstructure -> cell -> report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


def _echo_json(obj) -> None:
    from ssbkit.cli.util import echo_json

    echo_json(obj)


@app.callback(invoke_without_command=True, epilog=EXIT_CODES_HELP)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(f"ssbkit {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


# --------------------------------------------------------------------------- run
@app.command()
def run(
    study: Path = typer.Argument(None, help="Study TOML file (default: the bundled example study)."),
    out: Path = typer.Option(Path("ssbkit-out"), "--out", "-o", help="Output folder for report.html and results.json."),
    db: str = typer.Option(None, "--db", help="Results store: SQLAlchemy URL or SQLite path (default: user data dir)."),
    no_record: bool = typer.Option(False, "--no-record", help="Do not store the run in the results database."),
    as_json: bool = typer.Option(False, "--json", help="Print results.json to stdout."),
) -> None:
    """Run a study (or the bundled example) and write its report."""
    from ssbkit.study.config import load_study
    from ssbkit.study.pipeline import run_study

    st = load_study(study)
    for w in st.get("_warnings", []):
        console.print(f"[bold yellow]warning:[/] {escape(w)}")
    if not no_record:  # fail early on an unreachable database, before the work
        from ssbkit.store import open_store

        open_store(db)
    from ssbkit.cli.util import rich_progress

    with rich_progress(console, "study") as progress:
        res = run_study(st, out, db_url=db, record=not no_record, progress=progress)
    if as_json:
        _echo_json(res.results)
    else:
        for k, v in res.status.items():
            console.print(f"  {k:12s} {'[green]ok[/]' if v == 'ok' else '[red]failed[/]'}")
            for w in res.results["sections"][k]["warnings"]:
                console.print(f"      [yellow]{escape(w)}[/]")
        console.print(f"report: {res.report_path}")
        console.print(f"results: {res.results_path}" + (f"  (run id {res.run_id})" if res.run_id else ""))
    if not res.ok:
        failed = ", ".join(k for k, v in res.status.items() if v != "ok")
        console.print(f"[red]failed sections:[/] {escape(failed)} (exit code {EXIT_PARTIAL})")
        raise typer.Exit(EXIT_PARTIAL)


# ------------------------------------------------------------------------- sweep
@app.command()
def sweep(
    study: Path = typer.Argument(..., help="Study TOML file."),
    vary: list[str] = typer.Option(..., "--vary", help="KEY=v1,v2,... (repeat for a grid), e.g. cathode.porosity=0.1,0.2"),
    out: Path = typer.Option(Path("ssbkit-out/sweep"), "--out", "-o", help="Folder for the variants' reports."),
    scheduler: str = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler."),
    workers: int = typer.Option(2, "--workers", help="Workers of the local cluster."),
    db: str = typer.Option(None, "--db", help="Results store URL or SQLite path."),
    as_json: bool = typer.Option(False, "--json", help="Print the sweep table as JSON."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Run again the variants that failed before."),
) -> None:
    """Run the variants of a study as Dask tasks; started again, runs only what is missing.

    Each variant is claimed in the results store before it runs: two sweeps started
    on one store share the work and never run or record a variant twice.
    """
    from ssbkit.cli.util import rich_progress
    from ssbkit.study.sweep import expand_grid, parse_vary, run_sweep

    total = len(expand_grid(parse_vary(vary)))
    with rich_progress(console, "sweep") as progress:
        done = [0]

        def _advance(row) -> None:
            done[0] += 1
            progress(done[0], total, f"{row['assignments']} {row['status']}")

        res = run_sweep(study, vary, out_dir=out, scheduler=scheduler, n_workers=workers, db_url=db,
                        on_done=_advance, retry_failed=retry_failed)
    n_failed = sum(1 for r in res.rows if str(r["status"]).startswith("failed"))
    if as_json:
        _echo_json(res.to_dict())
    else:
        console.print(f"sweep {res.group_id}: {res.ran} ran now, {res.skipped} already stored or claimed, "
                      f"{n_failed} failed")
        for row in res.rows:
            console.print(escape(f"  {row['assignments']}  {row['status']}  {row.get('message', '')}"))
    if n_failed:
        raise typer.Exit(EXIT_PARTIAL)


# ---------------------------------------------------------------------- arrhenius
@app.command()
def arrhenius(
    data: Path = typer.Argument(..., help="CSV with a temperature column and a conductivity column."),
    temperature_unit: str = typer.Option(None, "--temperature-unit", "-u", help="'K' or 'degC' (read from the header when it says)."),
    t_col: str = typer.Option(None, "--t-col", help="Temperature column (default: first column with T/temp in its name)."),
    sigma_col: str = typer.Option(None, "--sigma-col", help="Conductivity column, S/cm."),
    err_col: str = typer.Option(None, "--err-col", help="Optional column of conductivity errors, S/cm."),
    form: str = typer.Option("sigmaT", "--form", help="'sigmaT' (sigma T = A exp(-Ea/kT)) or 'sigma'."),
    at_c: float = typer.Option(25.0, "--at-c", help="Also give sigma at this temperature, degC."),
    plot: Path = typer.Option(None, "--plot", help="Write an Arrhenius figure (PNG/SVG/PDF)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Arrhenius fit of conductivities: Ea (eV, kJ/mol) with its error and sigma at 25 degC."""
    from ssbkit.transport.table import fit_arrhenius_table

    res = fit_arrhenius_table(data, temperature_unit=temperature_unit, t_col=t_col, sigma_col=sigma_col,
                              err_col=err_col, form=form, at_c=at_c, plot=plot)
    if as_json:
        _echo_json(res)
        return
    f = res["fit"]
    typer.echo(f"Ea = {f['ea_ev']:.4f} ± {f['ea_se_ev']:.4f} eV  ({f['ea_kJ_per_mol']:.2f} ± "
               f"{f['ea_se_kJ_per_mol']:.2f} kJ/mol), form {f['form']}, {f['n_points']} points")
    s = res["sigma_at"]
    typer.echo(f"sigma({s['T_C']:g} degC) = {s['sigma_S_per_cm']:.3e} S/cm "
               f"(95 % prediction interval {s['lower']:.3e} .. {s['upper']:.3e})")


# ---------------------------------------------------------------------- materials
materials_app = typer.Typer(help="The literature dataset of solid electrolytes, compositions, capacities.",
                            no_args_is_help=True)
app.add_typer(materials_app, name="materials")


@materials_app.command("list")
def materials_list(
    family: str = typer.Option(None, "--family", help="sulfide, oxide, halide, polymer"),
    form: str = typer.Option(None, "--form", help="glass, glass-ceramic, crystal, ceramic"),
    contains: str = typer.Option(None, "--contains", help="Substring of name or composition."),
    min_sigma: float = typer.Option(None, "--min-sigma", help="Minimum conductivity, S/cm."),
    with_ea: bool = typer.Option(False, "--with-ea", help="Only rows that report Ea."),
    as_json: bool = typer.Option(False, "--json"),
    csv: Path = typer.Option(None, "--csv", help="Write the selection to a CSV file."),
) -> None:
    """List (and filter) the bundled literature dataset."""
    from rich.table import Table

    from ssbkit.materials import filter_dataset

    df = filter_dataset(family=family, form=form, contains=contains, min_sigma_S_per_cm=min_sigma, with_ea=with_ea)
    if csv:
        df.to_csv(csv, index=False)
    if as_json:
        _echo_json(json.loads(df.to_json(orient="records")))
        return
    t = Table(title=f"{len(df)} electrolytes")
    for c in ("id", "name", "family", "form", "sigma (S/cm)", "T (°C)", "Ea (eV)", "reference"):
        t.add_column(c, overflow="fold")
    for r in df.itertuples():
        t.add_row(str(r.id), r.name, r.family, r.form, f"{r.sigma_S_per_cm:.2e}", f"{r.sigma_T_C:g}",
                  "" if r.Ea_eV != r.Ea_eV else f"{r.Ea_eV:.3f}", r.reference)
    Console().print(t)


@materials_app.command("plot")
def materials_plot(
    out: Path = typer.Argument(Path("materials.png"), help="Figure file (PNG/SVG/PDF)."),
    kind: str = typer.Option("map", "--kind", help="'map' (sigma_RT vs Ea) or 'arrhenius' (Arrhenius lines)."),
    family: str = typer.Option(None, "--family"),
    form: str = typer.Option(None, "--form"),
) -> None:
    """Plot the dataset: sigma_RT vs Ea map, or Arrhenius lines of the rows with Ea."""
    from ssbkit.materials import filter_dataset
    from ssbkit.materials.plots import plot_sigma_ea_map
    from ssbkit.transport.plots import plot_arrhenius

    df = filter_dataset(family=family, form=form)
    if kind == "map":
        fig = plot_sigma_ea_map(df)
    elif kind == "arrhenius":
        fig = plot_arrhenius(literature=df, title="literature dataset")
    else:
        raise InputError(f"--kind must be 'map' or 'arrhenius', got {kind!r}")
    fig.savefig(out, dpi=130, bbox_inches="tight")
    console.print(f"wrote {out}")


@materials_app.command("composition")
def materials_composition(
    text: str = typer.Argument(..., help="Formula or mixture, e.g. 99(70Li2S-30P2S5)-1Li2ZrO3"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Parse a composition in the field's notation (mole-ratio mixtures too)."""
    from ssbkit.materials import mass_fractions, parse_mixture

    mix = parse_mixture(text)
    d = mix.to_dict()
    d["molar_mass_g_per_mol"] = float(mix.composition.weight)
    d["mass_fractions"] = mass_fractions(text)
    if as_json:
        _echo_json(d)
    else:
        typer.echo(f"{text}: {d['formula']} (reduced {d['reduced_formula']}), M = {d['molar_mass_g_per_mol']:.3f} g/mol")


@materials_app.command("capacity")
def materials_capacity(
    formula: str = typer.Argument(..., help="Electrode formula, e.g. LiCoO2, C6, Si"),
    electrons: float = typer.Option(1.0, "--electrons", "-x", help="Electrons per formula unit."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Theoretical capacity C = F x / (3.6 M), mAh/g."""
    from ssbkit.materials import theoretical_capacity_mah_per_g

    c = theoretical_capacity_mah_per_g(formula, electrons)
    if as_json:
        _echo_json({"formula": formula, "electrons": electrons, "capacity_mAh_per_g": c})
    else:
        typer.echo(f"{formula} ({electrons:g} e-): {c:.1f} mAh/g")


# ------------------------------------------------------------------------ results
results_app = typer.Typer(help="Read back the runs stored in the results database.", no_args_is_help=True)
app.add_typer(results_app, name="results")


@results_app.command("list")
def results_list(
    kind: str = typer.Option(None, "--kind", help="run, sweep-variant, campaign, ..."),
    limit: int = typer.Option(20, "--limit"),
    db: str = typer.Option(None, "--db"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The newest stored runs."""
    from rich.table import Table

    from ssbkit.store import open_store

    store = open_store(db)
    runs = store.list(kind=kind, limit=limit)
    if as_json:
        _echo_json([{k: v for k, v in r.to_dict().items() if k not in ("inputs", "outputs")} for r in runs])
        return
    t = Table(title=f"results in {store.url}")
    for c in ("id", "kind", "name", "status", "finished", "message"):
        t.add_column(c, overflow="fold")
    for r in runs:
        t.add_row(str(r.id), r.kind, r.name, r.status, r.finished_at or "", r.message[:80])
    Console().print(t)


@results_app.command("show")
def results_show(
    run_id: int = typer.Argument(..., help="Run id from `ssbkit results list`."),
    db: str = typer.Option(None, "--db"),
) -> None:
    """One stored run with its inputs, outputs and software versions (JSON)."""
    from ssbkit.store import open_store

    _echo_json(open_store(db).get(run_id).to_dict())


# ------------------------------------------------------------- layers' sub-apps
_SUBAPPS = (
    ("eis", "ssbkit.cli.eis", "Impedance spectra: read, fit, Kramers-Kronig, conductivity series."),
    ("micro", "ssbkit.cli.micro", "Composite microstructures: generate, analyse, tortuosity."),
    ("cell", "ssbkit.cli.cell", "Cells: stack energy, rate capability, cycling data."),
    ("md", "ssbkit.cli.md", "Foundation-potential MD, diffusion, stability, glasses, campaigns."),
)


def _register_subapps() -> None:
    for name, modname, help_text in _SUBAPPS:
        try:
            mod = importlib.import_module(modname)
        except ImportError as exc:
            missing = typer.Typer(help=f"{help_text} (unavailable: {exc})")

            @missing.callback(invoke_without_command=True)
            def _unavailable(_exc=str(exc), _name=name) -> None:
                raise InputError(f"'ssbkit {_name}' is unavailable: {_exc}")

            app.add_typer(missing, name=name)
            continue
        sub = mod.app
        if name == "md":
            try:
                extra = importlib.import_module("ssbkit.cli.md_analysis").app
                have = {c.name or (c.callback.__name__ if c.callback else None) for c in sub.registered_commands}
                for cmd in extra.registered_commands:
                    cname = cmd.name or (cmd.callback.__name__ if cmd.callback else None)
                    if cname not in have:
                        sub.registered_commands.append(cmd)
            except ImportError:
                pass
        app.add_typer(sub, name=name, help=help_text)


#: modules that add top-level commands: each defines ``register(app)`` (skipped when absent)
_TOP_LEVEL = ("ssbkit.cli.cite", "ssbkit.cli.processing", "ssbkit.cli.serve")


def _register_top_level() -> None:
    for modname in _TOP_LEVEL:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name == modname:
                continue
            raise
        mod.register(app)


_register_subapps()
_register_top_level()


def main() -> None:
    """Entry point: run the app; user errors -> one line on stderr and exit code 2."""
    try:
        app()
    except SsbkitError as exc:
        Console(stderr=True).print(f"[red]error:[/] {escape(_masked(str(exc)))}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: say so briefly; full traceback with SSBKIT_DEBUG=1
        if os.environ.get("SSBKIT_DEBUG"):
            raise
        Console(stderr=True).print(
            f"[red]internal error:[/] {type(exc).__name__}: {escape(_masked(str(exc)))} "
            "(set SSBKIT_DEBUG=1 for the traceback)",
            highlight=False,
        )
        sys.exit(EXIT_INTERNAL)


def _masked(text: str) -> str:
    """Hide passwords of database URLs that a message may quote."""
    import re

    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


if __name__ == "__main__":  # pragma: no cover
    main()
