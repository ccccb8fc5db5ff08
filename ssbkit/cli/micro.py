"""``ssbkit micro``: generate composite-electrode volumes and analyse volumes.

Commands
--------
``ssbkit micro generate RECIPE.toml --out VOL.tif [--json] [--figures DIR]``
``ssbkit micro analyze VOL.tif [--labels 0=pore,85=active,170=carbon] [--voxel-um 0.4] [--json] [--figures DIR]``
``ssbkit micro tortuosity VOL.tif --phase pore [--labels ...] [--axis 0|1|2|all] [--json]``
``ssbkit micro tortuosity VOL.tif --conductivities pore=0,active=1e-4,carbon=1 [--spacing 0.4,0.4,1.2] [--periodic] [--electrode]``

A recipe file holds the keys of the study file's ``[cathode]`` table (at top
level or under ``[cathode]``), with ``[cathode.microstructure]`` for the box.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import typer

from ssbkit.cli.util import echo_json
from ssbkit.errors import InputError

__all__ = ["app", "load_recipe"]

app = typer.Typer(
    help="Composite-electrode microstructures: generate from a recipe, analyse a volume.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


def load_recipe(path: Path):
    """Read a recipe TOML file (``[cathode]`` keys) into a :class:`~.recipe.Recipe`."""
    from ssbkit.microstructure.recipe import recipe_from_cathode_table
    from ssbkit.tomlio import read_toml

    path = Path(path)
    doc = read_toml(path, what="recipe file")
    table = doc.get("cathode", doc)
    return recipe_from_cathode_table(table, source=f"{path}" + (" [cathode]" if "cathode" in doc else ""))


def _status(message: str, quiet: bool):
    from contextlib import nullcontext

    if quiet:
        return nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _figures_dir(folder: Path | None) -> Path | None:
    """Make the figure folder before any work, so that a bad one fails first (exit 2)."""
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--figures {folder}: cannot make the folder ({exc.strerror or exc})") from None
    return folder


def _write_figures(folder: Path, volume, analysis=None) -> list[str]:
    try:
        return _draw_figures(folder, volume, analysis)
    except OSError as exc:
        raise InputError(f"--figures {folder}: cannot write the figures ({exc.strerror or exc})") from None


def _draw_figures(folder: Path, volume, analysis=None) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    from ssbkit.microstructure.plots import plot_dead_active, plot_slices, plot_utilisation

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    fig = plot_slices(volume, title=Path(volume.source).name if volume.source else None)
    fig.savefig(folder / "slices.png", dpi=120)
    written.append(str(folder / "slices.png"))
    if analysis is not None:
        for name, fig in (("utilisation.png", plot_utilisation(analysis.utilisation)),
                          ("dead_active.png", plot_dead_active(volume))):
            fig.savefig(folder / name, dpi=120)
            written.append(str(folder / name))
    import matplotlib.pyplot as plt

    plt.close("all")
    return written


@app.command()
def generate(
    recipe: Path = typer.Argument(..., help="Recipe TOML ([cathode] keys)."),
    out: Path = typer.Option(..., "--out", "-o", help="Volume to write (.tif, .npy or .raw)."),
    seed: int | None = typer.Option(None, help="Override the recipe's seed."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
    figures: Path | None = typer.Option(None, "--figures", help="Folder for slice figures."),
) -> None:
    """Generate a labelled volume from RECIPE and write it to --out."""
    from ssbkit.microstructure.generate import generate_microstructure
    from ssbkit.microstructure.io import write_volume

    try:
        figures = _figures_dir(figures)
        rec = load_recipe(recipe)
        if seed is not None:
            rec = rec.replace(seed=seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with _status(f"generating {rec.shape} voxels", json_out):
                vol = generate_microstructure(rec)
        write_volume(out, vol)
        figs = _write_figures(figures, vol) if figures else []
    except InputError as exc:
        _fail(exc)
    doc = {
        "volume": str(out),
        "shape": list(vol.shape),
        "voxel_um": vol.voxel_um,
        "target_fractions": rec.composite_fractions,
        "fractions": vol.fractions(),
        "n_active_particles": vol.info["n_active_particles"],
        "max_overlap_used": vol.info["max_overlap_used"],
        "carbon_form": vol.info["carbon_form"],
        "warnings": sorted({str(w.message) for w in caught}),
        "figures": figs,
    }
    if json_out:
        echo_json(doc)
        return
    for w in doc["warnings"]:
        typer.echo(f"warning: {w}", err=True)
    typer.echo(f"wrote {out}: {vol.shape[0]}x{vol.shape[1]}x{vol.shape[2]} voxels of {vol.voxel_um:g} um")
    typer.echo(f"{'phase':<12}{'target':>9}{'got':>9}")
    for k, v in doc["fractions"].items():
        typer.echo(f"{k:<12}{doc['target_fractions'][k]:>9.4f}{v:>9.4f}")
    typer.echo(f"{doc['n_active_particles']} active particles; carbon as {doc['carbon_form']}")


def _parse_shape(text: str | None) -> tuple[int, int, int] | None:
    if text is None:
        return None
    try:
        shape = tuple(int(s) for s in text.replace("x", ",").split(","))
    except ValueError:
        raise InputError(f"--shape '{text}' must read like 100,100,100") from None
    if len(shape) != 3 or min(shape) <= 0:
        raise InputError(f"--shape '{text}' must give three positive sizes")
    return shape  # type: ignore[return-value]


@app.command()
def analyze(
    volume: Path = typer.Argument(..., help="Volume file (.tif/.tiff, .npy, .raw)."),
    labels: str | None = typer.Option(None, "--labels", help="Image value to phase, e.g. 0=pore,85=active,170=carbon."),
    voxel_um: float | None = typer.Option(None, "--voxel-um", help="Voxel edge in um (overrides the file)."),
    axis: int = typer.Option(0, help="Through-thickness axis (index 0 = separator side)."),
    ion_phase: str = typer.Option("electrolyte", "--ion-phase", help="Ion-carrying phase(s): electrolyte, or pore for a liquid-filled electrode (comma list)."),
    sigma_se: float | None = typer.Option(None, "--sigma-se", help="Ionic conductivity of the ion phase, S/cm (default 1e-3)."),
    sigma_active_ion: float | None = typer.Option(None, "--sigma-active-ion", help="Active material ionic conductivity, S/cm (default 0)."),
    sigma_active_e: float | None = typer.Option(None, "--sigma-active-e", help="Active material electronic conductivity, S/cm (default 1e-4)."),
    sigma_carbon: float | None = typer.Option(None, "--sigma-carbon", help="Carbon electronic conductivity, S/cm (default 1)."),
    shape: str | None = typer.Option(None, help="Raw files: shape, e.g. 100,100,100."),
    dtype: str | None = typer.Option(None, help="Raw files: dtype, e.g. uint8."),
    no_solve: bool = typer.Option(False, "--no-solve", help="Geometric measures only (no conduction solve)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
    figures: Path | None = typer.Option(None, "--figures", help="Folder for slice and utilisation figures."),
) -> None:
    """Measure fractions, interface areas, percolation, utilisation and effective conductivities."""
    from ssbkit.microstructure.io import read_volume
    from ssbkit.microstructure.workflow import analyze_composite

    try:
        figures = _figures_dir(figures)
        vol = read_volume(volume, labels=labels, voxel_um=voxel_um, shape=_parse_shape(shape), dtype=dtype)
        with _status(f"analysing {vol.shape} voxels", json_out):
            res = analyze_composite(
                vol, axis=axis, ion_phases=tuple(p.strip() for p in ion_phase.split(",") if p.strip()),
                sigma_se_S_per_cm=sigma_se, sigma_active_ion_S_per_cm=sigma_active_ion,
                sigma_active_e_S_per_cm=sigma_active_e, sigma_carbon_S_per_cm=sigma_carbon, solve=not no_solve,
            )
        figs = _write_figures(figures, vol, res) if figures else []
    except InputError as exc:
        _fail(exc)
    doc = res.to_dict()
    doc["figures"] = figs
    if json_out:
        from ssbkit.jsonio import dumps

        typer.echo(dumps(doc))
        return
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)
    _print_summary(res)


def _parse_conductivities(text: str) -> dict[int, float]:
    """``"0=0,1=1e-3,2=0.5"`` or with phase names ``"pore=0,electrolyte=1e-3"`` -> {label: S/cm}."""
    from ssbkit.microstructure.phases import phase_id

    out: dict[int, float] = {}
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise InputError(f"--conductivities entry '{part}' must read LABEL=SIGMA, e.g. 2=1e-3")
        k, v = (x.strip() for x in part.split("=", 1))
        try:
            sigma = float(v)
        except ValueError:
            raise InputError(f"--conductivities: '{v}' is not a number (S/cm) in '{part}'") from None
        if not sigma >= 0 or sigma == float("inf"):
            raise InputError(f"--conductivities: conductivity must be finite and >= 0, got '{v}'")
        out[phase_id(k)] = sigma
    if not out:
        raise InputError("--conductivities is empty; give e.g. pore=0,active=0,electrolyte=1e-3,carbon=0")
    return out


def _parse_spacing(text: str | None) -> tuple[float, float, float] | None:
    if text is None:
        return None
    try:
        h = tuple(float(s) for s in text.replace("x", ",").split(","))
    except ValueError:
        raise InputError(f"--spacing '{text}' must read like 0.4,0.4,1.2 (um per voxel along axes 0,1,2)") from None
    if len(h) != 3 or min(h) <= 0:
        raise InputError(f"--spacing '{text}' must give three positive voxel edges")
    return h  # type: ignore[return-value]


def _fmt(v) -> str:
    return "inf" if v is None or (isinstance(v, float) and v != v) else f"{v:.4f}"


@app.command()
def tortuosity(
    volume: Path = typer.Argument(..., help="Volume file (.tif/.tiff, .npy, .raw)."),
    phase: str = typer.Option("electrolyte", "--phase", help="Conducting phase: pore, active, electrolyte or carbon."),
    labels: str | None = typer.Option(None, "--labels", help="Image value to phase, e.g. 0=pore,85=active,170=carbon."),
    conductivities: str | None = typer.Option(
        None, "--conductivities",
        help="Several conducting phases: PHASE=S/cm for every phase, e.g. pore=0,active=1e-4,carbon=1 "
             "(then tau uses the volume-weighted mean conductivity; --phase is ignored)."),
    axis: str = typer.Option("0", "--axis", help="0, 1, 2 or all."),
    spacing: str | None = typer.Option(None, "--spacing", help="Anisotropic voxels: edges along axes 0,1,2, e.g. 0.4,0.4,1.2 (default: those the TIFF states, else cubic)."),
    periodic: bool = typer.Option(False, "--periodic", help="Periodic lateral faces (as TauFactor's PeriodicSolver)."),
    electrode: bool = typer.Option(False, "--electrode", help="Also the electrode tortuosity tau_e (Nguyen et al. 2020)."),
    tol: float = typer.Option(1e-5, help="Solver tolerance (relative residual and current mismatch)."),
    shape: str | None = typer.Option(None, help="Raw files: shape, e.g. 100,100,100."),
    dtype: str | None = typer.Option(None, help="Raw files: dtype, e.g. uint8."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Tortuosity factor tau = eps / sigma_eff of one phase (R-17), like TauFactor."""
    from ssbkit.jsonio import dumps
    from ssbkit.microstructure._electrode import electrode_tortuosity
    from ssbkit.microstructure.io import read_volume
    from ssbkit.microstructure.phases import PHASE_NAMES, phase_id
    from ssbkit.microstructure.solver import effective_conductivity, tortuosity_factor

    try:
        axes = [0, 1, 2] if axis.strip().lower() == "all" else [int(axis)] if axis.strip() in ("0", "1", "2") else None
        if axes is None:
            raise InputError(f"--axis '{axis}' must be 0, 1, 2 or all")
        pid = phase_id(phase)
        sig = _parse_conductivities(conductivities) if conductivities else None
        h = _parse_spacing(spacing)
        vol = read_volume(volume, labels=labels, shape=_parse_shape(shape), dtype=dtype)
        if h is None and vol.info.get("spacing_um"):  # anisotropic voxels stated in the file
            z, y, x = (float(v) for v in vol.info["spacing_um"])
            h = (z, y, x)
        out = []
        with _status(f"solving {vol.shape} voxels", json_out):
            for ax in axes:
                if sig is not None:
                    r = effective_conductivity(vol.labels, sig, axis=ax, tol=tol, spacing=h, periodic=periodic)
                else:
                    r = tortuosity_factor(vol.labels, pid, axis=ax, tol=tol, spacing=h, periodic=periodic)
                d = r.as_dict()
                if electrode:
                    ion = [k for k, v in sig.items() if v > 0] if sig is not None else [pid]
                    te = electrode_tortuosity(np.isin(vol.labels, ion), axis=ax, spacing=h, periodic=periodic)
                    d["tau_e"] = te.tau_e
                out.append(d)
    except InputError as exc:
        _fail(exc)
    what = ",".join(f"{PHASE_NAMES[k]}={v:g}" for k, v in sig.items()) if sig is not None else PHASE_NAMES[pid]
    notes = list(vol.info.get("notes", []))  # what reading repaired or assumed (header bytes, spacing)
    doc = {"volume": str(volume), "phase": what, "shape": list(vol.shape), "results": out, "notes": notes}
    if json_out:
        typer.echo(dumps(doc))
        return
    for note in notes:
        typer.echo(f"warning: {volume}: {note}", err=True)
    typer.echo(f"{'axis':>4} {'eps':>8} {'tau':>10} {'sigma_eff/sigma':>16} {'converged':>10}"
               + (f" {'tau_e':>10}" if electrode else ""))
    for row in out:
        typer.echo(f"{row['axis']:>4} {row['volume_fraction']:>8.4f} {_fmt(row['tortuosity']):>10} "
                   f"{row['sigma_eff']:>16.5g} {row['converged']!s:>10}"
                   + (f" {_fmt(row['tau_e']):>10}" if electrode else ""))


def _print_summary(res) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"{res.source}: {res.shape} voxels of {res.voxel_um:g} um, axis {res.axis}")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    for k, v in res.fractions.items():
        t.add_row(f"volume fraction {k}", f"{v:.4f}")
    for k, v in res.interfaces.specific_area_per_um.items():
        t.add_row(f"interface {k} (um^2/um^3)", f"{v:.4g}")
    t.add_row("ion path percolates (axes 0,1,2)", str(res.ion_percolation.percolates))
    t.add_row("electron path percolates (axes 0,1,2)", str(res.electron_percolation.percolates))
    t.add_row("utilisation of active material", f"{res.utilisation.utilisation:.4f}")
    if res.sigma_eff_ion_S_per_cm is not None:
        t.add_row("sigma_eff,ion (S/cm)", f"{res.sigma_eff_ion_S_per_cm:.4g}")
        t.add_row("tortuosity factor, ion (R-17)", _fmt(res.tortuosity_ion))
        t.add_row("Bruggeman eps^-0.5 (R-18)", f"{res.tortuosity_ion_bruggeman:.4g}")
        t.add_row("sigma_eff,e (S/cm)", f"{res.sigma_eff_e_S_per_cm:.4g}")
    Console(file=sys.stdout, width=100).print(t)
