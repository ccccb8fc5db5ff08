"""``ssbkit md diffusion`` and ``ssbkit md arrhenius``: analysis of MD trajectories from the command line.

``diffusion TRAJECTORY --species Li --temperature-k 600 [--frame-interval-ps 0.1] [--json]``
reads an ASE ``.traj``, extended XYZ or VASP XDATCAR file and reports D, its
interval, the Haven ratio and the Nernst–Einstein conductivity, or why there is
no diffusive regime. ``arrhenius D_T.csv --structure FILE --species Li [--json]``
fits D(T) and extrapolates D and sigma to 300 K. Bad input raises
:class:`~ssbkit.errors.InputError` (the ``ssbkit`` entry point prints
``error: ...`` and exits with code 2). ASE loads inside the commands only.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ssbkit.cli.util import echo_json

__all__ = ["app"]

app = typer.Typer(
    name="md-analysis",
    help="Diffusion analysis of MD trajectories and Arrhenius extrapolation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fmt(x, err=None, unit="") -> str:
    if x is None:
        return "-"
    return f"{x:.3g} ± {err:.2g} {unit}".rstrip() if err is not None else f"{x:.3g} {unit}".rstrip()


@app.command()
def diffusion(
    trajectory: list[Path] = typer.Argument(..., help="ASE .traj, extended XYZ or VASP XDATCAR file; several: restart segments of one run, in order."),
    species: str = typer.Option("Li", "--species", help="Mobile ion (element symbol)."),
    temperature_k: float = typer.Option(..., "--temperature-k", help="Temperature of the run, K."),
    frame_interval_ps: float = typer.Option(None, "--frame-interval-ps", help="Time between frames, ps (else from the file)."),
    t_start_ps: float = typer.Option(None, "--t-start-ps", help="Start of the fit window, ps (default 10 % of the run)."),
    t_end_ps: float = typer.Option(None, "--t-end-ps", help="End of the fit window, ps (default 50 % of the run)."),
    hop_length_a: float = typer.Option(None, "--hop-length-A", help="Hop length, Å (default: nearest-neighbour distance)."),
    level: float = typer.Option(0.95, "--level", help="Confidence level of the interval on D."),
    curves: bool = typer.Option(False, "--curves", help="Include the MSD curves in the JSON."),
    report_unconverged: bool = typer.Option(False, "--report-unconverged", help="Give D with its caveat even when the run is not diffusive."),
    append_csv: Path = typer.Option(None, "--append-csv", help="Append T, D, error to this D_T.csv (for arrhenius)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Tracer and collective D with honest intervals, Haven ratio and sigma, or why there is no D."""
    from ssbkit.atomistic.diffusion import analyse_diffusion
    from ssbkit.atomistic.segments import read_trajectories

    traj = read_trajectories(trajectory, frame_interval_ps=frame_interval_ps)
    name = " + ".join(map(str, trajectory))
    res = analyse_diffusion(traj, species, temperature_k=temperature_k, t_start_ps=t_start_ps,
                            t_end_ps=t_end_ps, hop_length=hop_length_a, level=level,
                            report_unconverged=report_unconverged)
    if append_csv is not None:
        from ssbkit.atomistic.arrhenius_md import append_d_t_row

        append_d_t_row(append_csv, temperature_k, res.d_cm2_per_s, res.d_err_cm2_per_s, name)
    if as_json:
        echo_json(res.to_dict(curves=curves) | {"trajectory": name})
        return
    typer.echo(f"{name}: {res.n_atoms} {species}, {traj.n_frames} frames, {res.duration_ps:g} ps, "
               f"fit {res.checks['fit_window_ps'][0]:g}-{res.checks['fit_window_ps'][1]:g} ps")
    typer.echo(res.verdict)
    if res.d_cm2_per_s is not None:
        ci = res.d_ci_cm2_per_s  # set with d_cm2_per_s
        ci_txt = f"  ({res.level:.0%}: {ci[0]:.3g} to {ci[1]:.3g})" if ci is not None else ""
        typer.echo(f"D*       {_fmt(res.d_cm2_per_s, res.d_err_cm2_per_s, 'cm2/s')}{ci_txt}")
        typer.echo(f"D_sigma  {_fmt(res.d_sigma_cm2_per_s, res.d_sigma_err_cm2_per_s, 'cm2/s')}")
        typer.echo(f"H_R      {_fmt(res.haven_ratio, res.haven_ratio_err)}")
        typer.echo(f"sigma    {_fmt(res.sigma_S_per_cm, res.sigma_err_S_per_cm, 'S/cm')} (Nernst–Einstein, H_R = 1)")
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)


@app.command()
def arrhenius(
    d_t_csv: Path = typer.Argument(..., help="CSV with temperature_K, D_cm2_per_s[, D_err_cm2_per_s]."),
    structure: Path = typer.Option(..., "--structure", help="Structure file (CIF/POSCAR) for the ion density."),
    species: str = typer.Option("Li", "--species", help="Mobile ion (element symbol)."),
    haven_ratio: float = typer.Option(1.0, "--haven-ratio", help="Haven ratio for Nernst–Einstein."),
    target_t_k: float = typer.Option(300.0, "--target-t-k", help="Temperature of the extrapolation, K."),
    level: float = typer.Option(0.95, "--level", help="Confidence level of the intervals."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Ea, D and sigma at 300 K (with intervals) from diffusivities at several temperatures."""
    from ssbkit.atomistic.arrhenius_md import (
        arrhenius_from_diffusivities,
        number_density_per_cm3,
        read_d_t_csv,
    )

    t, d, err, warnings = read_d_t_csv(d_t_csv)
    n = number_density_per_cm3(structure, species)
    res = arrhenius_from_diffusivities(t, d, d_err_cm2_per_s=err, n_per_cm3=n, species=species,
                                       haven_ratio=haven_ratio, target_t_k=target_t_k, level=level)
    doc = res.to_dict()
    doc["warnings"] = warnings + doc["warnings"]
    if as_json:
        echo_json(doc)
        return
    typer.echo(f"Ea = {res.ea_eV:.3f} eV ({res.level:.0%}: {res.ea_ci_eV[0]:.3f} to {res.ea_ci_eV[1]:.3f})")
    typer.echo(f"D({res.target_T_K:g} K) = {res.d_target_cm2_per_s:.3g} cm2/s "
               f"({res.d_target_ci_cm2_per_s[0]:.3g} to {res.d_target_ci_cm2_per_s[1]:.3g})")
    typer.echo(f"sigma({res.target_T_K:g} K) = {res.sigma_target_S_per_cm:.3g} S/cm "
               f"({res.sigma_target_ci_S_per_cm[0]:.3g} to {res.sigma_target_ci_S_per_cm[1]:.3g})")
    for w in doc["warnings"]:
        typer.echo(f"warning: {w}", err=True)
