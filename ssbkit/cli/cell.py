"""``ssbkit cell``: stack energy, rate capability and cycling data from the command line.

Commands: ``energy DESIGN.toml``, ``rate DESIGN.toml``, ``export-pybamm DESIGN.toml``,
``cycling FILE``, ``materials``; each has ``--json`` (one JSON document on stdout) and, where it
draws, ``--figures DIR``. Bad input raises :class:`~ssbkit.errors.InputError`
(the ``ssbkit`` entry point prints ``error: ...`` and exits with code 2).
PyBaMM is imported only by ``rate --model p2d``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ssbkit.cli.util import echo_json as _echo_json
from ssbkit.cli.util import parse_floats as _floats
from ssbkit.cli.util import save_figure as _save
from ssbkit.errors import EXIT_BAD_INPUT, EXIT_PARTIAL, InputError

if TYPE_CHECKING:
    from ssbkit.cell.design import StackDesign

__all__ = ["app"]

app = typer.Typer(name="cell", help="Cells: stack energy, rate capability, cycling data.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _load(design: Path) -> tuple[StackDesign, dict[str, Any]]:
    """The design and its raw tables (a design file or a study file: one schema)."""
    from ssbkit.cell.design_file import load_design
    from ssbkit.tomlio import read_toml

    d = load_design(design)
    for note in d.notes:
        typer.echo(f"warning: {note}", err=True)
    return d, read_toml(design, what="design file").get("cell", {})


def _celsius(values: list[float]) -> list[float]:
    """``--temperature-c`` values, with the unit checks of a design file's ``_c`` keys (kelvin slips)."""
    from ssbkit.unitcheck import check_key_units

    vals = [float(v) for v in values]
    try:
        check_key_units("cell", "temperature_c", vals)
    except InputError as exc:
        raise InputError(str(exc).replace("cell.temperature_c", "--temperature-c", 1)) from None
    return vals


@app.command()
def energy(
    design: Path = typer.Argument(..., help="Design or study TOML ([cathode] [separator] [anode] [cell])."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for the breakdown figure."),
) -> None:
    """Areal capacity, N/P ratio, Wh/kg and Wh/L of a stack, a packaged cell and a pack."""
    from ssbkit.cell.energy import cell_energy, compare_to_targets, packaging_from_dict

    d, cell = _load(design)
    ce = cell_energy(d, packaging_from_dict(cell.get("packaging")))
    e = ce.stack
    out: dict[str, Any] = {"design": d.to_dict(), "energy": e.to_dict(), "cell": ce.to_dict(),
                           "targets": compare_to_targets(e)}
    if figures is not None:
        from ssbkit.cell.plots import energy_breakdown_figure

        out["figures"] = [_save(energy_breakdown_figure(e), figures, "energy_breakdown.png")]
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"{d.cathode.active_material} | separator {d.separator.thickness_um:g} um | {d.anode.material}")
    typer.echo(f"  areal capacity {e.areal_capacity_mAh_cm2:.3f} mAh/cm2 (N/P {e.np_ratio:.2f}), "
               f"{e.voltage_avg_V:.2f} V average")
    typer.echo(f"  stack {e.specific_energy_Wh_per_kg:.0f} Wh/kg, {e.energy_density_Wh_per_L:.0f} Wh/L "
               f"({e.areal_mass_mg_cm2:.1f} mg/cm2, {e.thickness_um:.0f} um); couple "
               f"{e.couple_specific_energy_Wh_per_kg:.0f} Wh/kg")
    typer.echo(f"  cell ({ce.packaging.layers} layer(s)) {ce.specific_energy_Wh_per_kg:.0f} Wh/kg, "
               f"{ce.energy_density_Wh_per_L:.0f} Wh/L; pack {ce.pack_specific_energy_Wh_per_kg:.0f} Wh/kg, "
               f"{ce.pack_energy_density_Wh_per_L:.0f} Wh/L")
    for k, v in e.mass_breakdown_mg_cm2.items():
        typer.echo(f"    {k:24s} {v:8.2f} mg/cm2  {100 * v / e.areal_mass_mg_cm2:5.1f} %")


@app.command()
def rate(
    design: Path = typer.Argument(..., help="Design or study TOML; [cell] needs sigma_se_S_per_cm."),
    model: str = typer.Option(None, "--model", help="'fast' (reaction zone + interface + diffusion), 'p2d' "
                                                    "(PyBaMM DFN) or 'spme'; default: [cell] model, else fast."),
    c_rates: str = typer.Option(None, "--c-rates", help="Comma-separated C-rates (default: [cell] c_rates)."),
    temperature_c: list[float] = typer.Option(None, "--temperature-c",
                                              help="Temperature(s), degC (repeat); needs ea_eV in [cell] away from the design's own."),
    sigma_se: float = typer.Option(None, "--sigma-se-S-per-cm", help="Override the electrolyte conductivity, S/cm."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for the figures."),
) -> None:
    """Capacity vs C-rate with what limits it (fast model) or discharge curves (PyBaMM P2D).

    Exit code 3 when a P2D/SPMe C-rate failed (the others are reported).
    """
    from ssbkit.cell.rate import design_sigma_at, p2d_rate, rate_study
    from ssbkit.cell.schema import CELL_TABLES

    d, cell = _load(design)
    model = model or cell.get("model", "fast")
    if model == "reaction-zone":
        model = "fast"
    if model not in ("fast", "p2d", "spme"):
        raise InputError(f"--model must be 'fast', 'p2d' or 'spme', got {model!r}")
    rates = _floats(c_rates, "--c-rates") if c_rates else list(cell.get("c_rates", CELL_TABLES["cell"]["c_rates"][1]))
    temps = _celsius(temperature_c) if temperature_c else [d.temperature_c]
    if sigma_se is not None:
        if not sigma_se > 0:
            raise InputError(f"--sigma-se-S-per-cm must be > 0, got {sigma_se}")
        if len(temps) > 1:
            raise InputError("--sigma-se-S-per-cm fixes sigma at one temperature; give one --temperature-c")
        # the override is the design's point: its operating curve is at that temperature, and ea_eV
        # carries sigma to any other (a measurement's)
        d = dataclasses.replace(d, sigma_se_S_per_cm=float(sigma_se), temperature_c=temps[0])
    sig = dict(zip(temps, design_sigma_at(d, temps), strict=True))
    curves: dict[str, Any] = {}
    out: dict[str, Any]
    if model == "fast":
        rs = rate_study(d, rates, temps, measured=cell.get("measured") or None)
        out = {"model": model, "design": str(design), "rate": rs.as_dict()}
        if rs.measured:
            from ssbkit.cell.inverse import implied_by_measurement

            out["implied_by_measurement"] = [f.as_dict() for f in implied_by_measurement(
                d, rs.measured, float(rs.predicted_at_measured_mAh_per_g or 0.0))]
        for c in rs.curves:
            curves[f"{c.temperature_c:g} degC"] = (c.c_rates, c.capacity_mAh_per_g)
    else:
        runs = []
        for t, s in sig.items():
            res = p2d_rate(d, rates, sigma_se_S_per_cm=float(s), temperature_c=t,
                           model="SPMe" if model == "spme" else "DFN")
            runs.append({"temperature_c": t, "sigma_se_S_per_cm": float(s), "results": [x.to_dict() for x in res]})
            curves[f"{t:g} degC"] = ([x.c_rate for x in res], [x.final_capacity_mAh_per_g for x in res])
            if figures is not None:
                from ssbkit.cell.plots import discharge_curves_figure

                _save(discharge_curves_figure(res), figures, f"discharge_{t:g}C.png")
        out = {"model": model, "design": str(design), "runs": runs}
    if figures is not None:
        from ssbkit.cell.plots import rate_figure

        out["figures"] = [str(_save(rate_figure(curves), figures, f"rate_{model}.png"))]
    if as_json:
        _echo_json(out)
    else:
        _print_rate(model, curves, out)
    if any(not x["converged"] for run in out.get("runs", []) for x in run["results"]):
        raise typer.Exit(EXIT_PARTIAL)  # some C-rates failed (each result's message says why)


def _print_rate(model: str, curves: dict, out: dict) -> None:
    if model == "fast":
        rs = out["rate"]
        for c in rs["curves"]:
            typer.echo(f"fast model, {c['temperature_c']:g} degC (sigma_SE {c['sigma_se_S_per_cm']:.3g} S/cm):")
            for ci, qi, lim in zip(c["c_rates"], c["capacity_mAh_per_g"], c["limiting"], strict=True):
                typer.echo(f"  {ci:6g}C  {qi:8.1f} mAh/g  limited by {lim}")
        if rs.get("measured"):
            m = rs["measured"]
            typer.echo(f"measured {m['capacity_mAh_per_g']:g} mAh/g ({m.get('reference', '')}); predicted "
                       f"{rs['predicted_at_measured_mAh_per_g']:.1f} mAh/g")
        for f in out.get("implied_by_measurement", []):
            typer.echo(f"  {f['note']}")
        return
    for (label, (c, q)), run in zip(curves.items(), out["runs"], strict=True):
        typer.echo(f"{model}, {label}:")
        for ci, qi in zip(c, q, strict=True):
            typer.echo(f"  {ci:6g}C  {qi:8.1f} mAh/g")
        for x in run.get("results", []):
            if not x["converged"]:
                typer.echo(f"  warning: {x['message']}")


@app.command("export-pybamm")
def export_pybamm(
    design: Path = typer.Argument(..., help="Design or study TOML; [cell] needs sigma_se_S_per_cm."),
    out: Path = typer.Option(..., "--out", "-o", help="JSON file for pybamm.ParameterValues.from_json."),
    c_rate: float = typer.Option(1.0, "--c-rate", help="Current of the exported set, C-rate."),
    temperature_c: float = typer.Option(None, "--temperature-c", help="Temperature, degC (default: the design's)."),
) -> None:
    """Write the design's solid-state parameter set as PyBaMM JSON (and print the model options)."""
    import json as _json

    from ssbkit.cell.p2d_params import export_parameter_values
    from ssbkit.cell.rate import design_to_p2d_params

    if not c_rate > 0:
        raise InputError(f"--c-rate must be > 0, got {c_rate}")
    d, _ = _load(design)
    p = design_to_p2d_params(d, temperature_c=None if temperature_c is None else _celsius([temperature_c])[0])
    res = export_parameter_values(p, out, c_rate=c_rate)
    typer.echo(f"wrote {out}: load with pybamm.ParameterValues.from_json({str(out)!r}) and "
               f"pybamm.lithium_ion.DFN({_json.dumps(res['options'])})")


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
