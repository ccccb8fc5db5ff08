"""``ssbkit cell``: stack energy, rate capability and cycling data from the command line.

Commands: ``energy DESIGN.toml``, ``rate DESIGN.toml``, ``cycling FILE``,
``materials``; each has ``--json`` (one JSON document on stdout) and, where it
draws, ``--figures DIR``. Bad input raises :class:`~ssbkit.errors.InputError`
(the ``ssbkit`` entry point prints ``error: ...`` and exits with code 2).
PyBaMM is imported only by ``rate --model p2d``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ssbkit.cli.util import echo_json as _echo_json
from ssbkit.cli.util import parse_floats as _floats
from ssbkit.cli.util import save_figure as _save
from ssbkit.errors import EXIT_BAD_INPUT, EXIT_PARTIAL, InputError

__all__ = ["app"]

app = typer.Typer(name="cell", help="Cells: stack energy, rate capability, cycling data.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.command()
def energy(
    design: Path = typer.Argument(..., help="Design TOML ([cathode] [separator] [anode] [current_collectors] [cell])."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for the breakdown figure."),
) -> None:
    """Areal capacity, N/P ratio, Wh/kg and Wh/L of a stack with a breakdown by component."""
    from ssbkit.cell.design_file import load_design
    from ssbkit.cell.energy import compare_to_targets, stack_energy

    d = load_design(design)
    e = stack_energy(d)
    out = {"design": d.to_dict(), "energy": e.to_dict(), "targets": compare_to_targets(e)}
    if figures is not None:
        from ssbkit.cell.plots import energy_breakdown_figure

        out["figures"] = [_save(energy_breakdown_figure(e), figures, "energy_breakdown.png")]
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"{d.cathode.active_material} | separator {d.separator.thickness_um:g} um | {d.anode.material}")
    typer.echo(f"  areal capacity {e.areal_capacity_mAh_cm2:.3f} mAh/cm2 (N/P {e.np_ratio:.2f}), "
               f"{e.voltage_avg_V:.2f} V average")
    typer.echo(f"  {e.specific_energy_Wh_per_kg:.0f} Wh/kg, {e.energy_density_Wh_per_L:.0f} Wh/L "
               f"(stack {e.areal_mass_mg_cm2:.1f} mg/cm2, {e.thickness_um:.0f} um); couple "
               f"{e.couple_specific_energy_Wh_per_kg:.0f} Wh/kg")
    for k, v in e.mass_breakdown_mg_cm2.items():
        typer.echo(f"    {k:24s} {v:8.2f} mg/cm2  {100 * v / e.areal_mass_mg_cm2:5.1f} %")


@app.command()
def rate(
    design: Path = typer.Argument(..., help="Design TOML; [cell] needs sigma_se_S_per_cm."),
    model: str = typer.Option("reaction-zone", "--model", help="'reaction-zone' (fast) or 'p2d' (PyBaMM)."),
    c_rates: str = typer.Option("0.1,0.2,0.5,1,2,5", "--c-rates", help="Comma-separated C-rates."),
    temperature_c: list[float] = typer.Option(None, "--temperature-c",
                                              help="Temperature(s), degC (repeat); needs ea_eV in [cell] away from the design's own."),
    sigma_se: float = typer.Option(None, "--sigma-se-S-per-cm", help="Override the electrolyte conductivity, S/cm."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for the figures."),
) -> None:
    """Capacity vs C-rate from the reaction-zone model (R-19) or the PyBaMM solid-state model."""
    import numpy as np

    from ssbkit.cell.design_file import load_design
    from ssbkit.cell.rate import design_sigma_at, p2d_rate
    from ssbkit.cell.reaction_zone import rate_capability

    if model not in ("reaction-zone", "p2d"):
        raise InputError(f"--model must be 'reaction-zone' or 'p2d', got {model!r}")
    rates = _floats(c_rates, "--c-rates")
    d = load_design(design)
    temps = list(temperature_c) if temperature_c else [d.temperature_c]
    if sigma_se is not None:
        if not sigma_se > 0:
            raise InputError(f"--sigma-se-S-per-cm must be > 0, got {sigma_se}")
        if len(temps) > 1:
            raise InputError("--sigma-se-S-per-cm fixes sigma at one temperature; give one --temperature-c")
        sigmas = np.array([sigma_se])
    else:
        sigmas = design_sigma_at(d, temps)
    runs = []
    curves = {}
    for t, s in zip(temps, sigmas, strict=True):
        if model == "reaction-zone":
            r = rate_capability(d, rates, sigma_se_S_per_cm=float(s))
            runs.append({"temperature_c": t, **r.to_dict()})
            curves[f"{t:g} degC"] = (r.c_rates, r.capacity_mAh_per_g)
        else:
            res = p2d_rate(d, rates, sigma_se_S_per_cm=float(s), temperature_c=t)
            runs.append({"temperature_c": t, "sigma_se_S_per_cm": float(s),
                         "results": [x.to_dict() for x in res]})
            curves[f"{t:g} degC"] = ([x.c_rate for x in res], [x.final_capacity_mAh_per_g for x in res])
            if figures is not None:
                from ssbkit.cell.plots import discharge_curves_figure

                _save(discharge_curves_figure(res), figures, f"discharge_{t:g}C.png")
    out = {"model": model, "design": str(design), "runs": runs}
    if figures is not None:
        from ssbkit.cell.plots import rate_figure

        out["figures"] = [_save(rate_figure(curves), figures, f"rate_{model}.png")]
    if as_json:
        _echo_json(out)
        return
    for (label, (c, q)), run in zip(curves.items(), runs, strict=True):
        typer.echo(f"{model}, {label}:")
        for ci, qi in zip(c, q, strict=True):
            typer.echo(f"  {ci:6g}C  {qi:8.1f} mAh/g")
        for x in run.get("results", []):
            if not x["converged"]:
                typer.echo(f"  warning: {x['message']}")


@app.command()
def cycling(
    files: list[Path] = typer.Argument(..., help="Cycler exports: BioLogic .mpt/.mpr, Neware CSV/XLSX/.ndax, "
                                                 "Arbin CSV/XLSX/.res, Maccor text, or CSV."),
    fmt: str = typer.Option("auto", "--format", help="auto (sniff each file) or a format name: "
                            "biologic, biologic-mpr, neware, neware-regular, neware-ndax, arbin, arbin-res, "
                            "xlsx, maccor, csv"),
    column: list[str] = typer.Option(None, "--column", help="Column map for a generic CSV, KEY=NAME (repeat), "
                                     "e.g. --column time_s=Zeit --column voltage_V=U --column current_mA=I"),
    mass_mg: float = typer.Option(None, "--mass-mg", help="Active-material mass, mg (for mAh/g)."),
    area_cm2: float = typer.Option(None, "--area-cm2", help="Electrode area, cm2 (for mAh/cm2)."),
    nominal_mah: float = typer.Option(None, "--nominal-mah", help="Nominal capacity, mAh (for C-rates)."),
    design: Path = typer.Option(None, "--design", help="Design TOML: gives mass, area and nominal capacity."),
    ce_convention: str = typer.Option("discharge/charge", "--ce-convention",
                                      help="'discharge/charge' or 'charge/discharge' (anode half-cells)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for the figures (first file)."),
) -> None:
    """Per-cycle capacities, coulombic efficiency, retention, cycles to 80 % and dQ/dV.

    Reads every file it can and reports the others; exit code 0 when all were
    read, 3 when some failed, 2 when none could be read.
    """
    from ssbkit.cell.cycling import cycling_summary

    columns = _column_map(column) if column else None
    batch = cycling_summary(files, format=fmt, columns=columns, mass_mg=mass_mg, area_cm2=area_cm2,
                            nominal_mAh=nominal_mah, design=design, ce_convention=ce_convention)
    out = batch.as_dict()
    if figures is not None and batch.summaries:
        out["figures"] = _cycling_figures(batch, fmt, columns, figures)
    if as_json:
        _echo_json(out)
    else:
        for s, n in zip(batch.summaries, batch.points, strict=True):
            _print_summary(s, n)
    for f in batch.failures:
        typer.echo(f"error: {f.error}", err=True)
    if batch.status != "ok":
        if not as_json:
            typer.echo(f"{len(batch.summaries)} of {len(files)} file(s) read, {len(batch.failures)} failed",
                       err=True)
        raise typer.Exit(EXIT_BAD_INPUT if batch.status == "failed" else EXIT_PARTIAL)


def _column_map(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, name = item.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise InputError(f"--column must be KEY=NAME (e.g. time_s=Zeit), got {item!r}")
        out[key.strip()] = name.strip()
    return out


def _cycling_figures(batch, fmt, columns, figures: Path) -> list[str | None]:
    from ssbkit.cell.cycling import dqdv, read_cycler_file
    from ssbkit.cell.plots import cycling_figure, dqdv_figure

    s = batch.summaries[0]
    paths = [_save(cycling_figure(s), figures, "cycling.png")]
    data = read_cycler_file(s.source, format=fmt, columns=columns)
    curves = {}
    for c in s.cycle[:3]:
        try:
            curves[f"cycle {int(c)} discharge"] = dqdv(data, int(c), "discharge")
        except InputError:
            continue
    if curves:
        paths.append(_save(dqdv_figure(curves), figures, "dqdv.png"))
    return paths


def _print_summary(s, points: int) -> None:
    unit = "mAh/g" if s.discharge_mAh_per_g is not None else "mAh"
    qd = s.discharge_mAh_per_g if s.discharge_mAh_per_g is not None else s.discharge_mAh
    qc = s.charge_mAh_per_g if s.charge_mAh_per_g is not None else s.charge_mAh
    typer.echo(f"{s.source} ({s.format}, {points} points)")
    typer.echo(f"  cycle  charge ({unit})  discharge ({unit})  CE (%)  retention (%)")
    for k, c in enumerate(s.cycle):
        typer.echo(f"  {int(c):5d}  {qc[k]:14.4g}  {qd[k]:17.4g}  {100 * s.coulombic_efficiency[k]:6.2f}"
                   f"  {100 * s.retention[k]:8.1f}")
    typer.echo(f"  cycles to 80 %: {s.cycles_to_80pct if s.cycles_to_80pct is not None else 'not reached'}")
    if s.instrument_max_rel_diff is not None:
        typer.echo(f"  vs the instrument's own summary ({s.instrument_source}): "
                   f"largest difference {100 * s.instrument_max_rel_diff:.3f} %")
    for note in s.notes:
        typer.echo(f"  note: {note}")


@app.command()
def materials(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """The bundled active materials with capacities, densities, voltages and references."""
    from ssbkit.cell.active_materials import get_active_material, list_active_materials

    mats = [get_active_material(n) for n in list_active_materials()]
    if as_json:
        _echo_json([m.to_dict() for m in mats])
        return
    for m in mats:
        typer.echo(f"{m.name:8s} {m.capacity_theoretical_mAh_per_g:7.1f} / {m.capacity_practical_mAh_per_g:6.0f} mAh/g"
                   f"  {m.density_g_per_cm3:5.2f} g/cm3  {m.voltage_avg_V:4.2f} V vs Li")
