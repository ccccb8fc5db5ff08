"""Top-level commands of the processing layer: ``ssbkit batch``, ``ssbkit dsc``, ``ssbkit anneal``.

``ssbkit batch 70Li2S-30P2S5 --mass-g 2 [--precursors Li2S,P2S5] [--purity Li2S=0.999] [--excess S=0.01]``
    precursor masses (weighing sheet), optional milling dose (``--milling run.toml``).
``ssbkit dsc FILE... [--heating-rate 5,10,20] [--exo down] [--figures DIR]``
    Tg onset/midpoint/end, Tc onset/peak, enthalpy per file; kinetics over several rates.
``ssbkit anneal --sigma-glass 5.4e-5 --sigma-crystal 3.2e-3 (--dsc FILES... | --ea 250 --tc-peak 240 --heating-rate 10 --n 3)``
    heat-treatment map with the unwanted-phase window and the recommendation.

Every command has ``--json`` (keys name quantity and unit). Bad input: ``error: ...``
on stderr, exit code 2; ``ssbkit dsc`` exits 3 when some files failed and others were analysed.
"""

from __future__ import annotations

import math
from pathlib import Path

import typer

from ssbkit.errors import EXIT_PARTIAL, InputError

__all__ = ["register", "PARTIAL_FAILURE_EXIT"]

#: exit code of ``ssbkit dsc`` when at least one file failed and at least one succeeded
PARTIAL_FAILURE_EXIT = EXIT_PARTIAL


def _pairs(items: list[str] | None, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items or []:
        for part in item.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise InputError(f"{what} must be NAME=VALUE, got {part!r}")
            k, v = part.split("=", 1)
            try:
                out[k.strip()] = float(v)
            except ValueError:
                raise InputError(f"{what} {k.strip()}: {v!r} is not a number") from None
    return out


def _echo(obj) -> None:
    from ssbkit.cli.util import echo_json

    echo_json(obj)


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _window(text: str | None, what: str) -> tuple[float, float] | None:
    if text is None:
        return None
    from ssbkit.cli.util import parse_floats

    vals = parse_floats(text, what)
    if len(vals) != 2:
        raise InputError(f"{what} must be LOW,HIGH in degC, got {text!r}")
    return vals[0], vals[1]


def _milling(path: Path):
    from ssbkit.processing.milling import MillingRun, milling_dose
    from ssbkit.tomlio import read_toml

    doc = read_toml(path, what="milling file")
    table = doc.get("milling", doc)
    try:
        run = MillingRun(**table)
    except TypeError as exc:
        raise InputError(f"{path}: {exc} (keys: mill, jar_material, ball_material, ball_diameter_mm, "
                         "n_balls, powder_mass_g, rpm, time_h, disc_radius_mm, vial_radius_mm, "
                         "speed_ratio, filling_factor)") from None
    return milling_dose(run)


def batch(
    composition: str = typer.Argument(..., help="Target, e.g. 70Li2S-30P2S5, Li6PS5Cl, 99(70Li2S-30P2S5)-1Li2ZrO3"),
    mass_g: float = typer.Option(..., "--mass-g", help="Batch mass of the target, g."),
    precursors: str = typer.Option(None, "--precursors", help="Precursor formulas, comma-separated."),
    purity: list[str] = typer.Option(None, "--purity", help="NAME=FRACTION, e.g. Li2S=0.999 (repeatable)."),
    excess: list[str] = typer.Option(None, "--excess", help="NAME=MASS_FRACTION, e.g. S=0.01 (repeatable)."),
    milling: Path = typer.Option(None, "--milling", help="TOML file with the milling run (its dose is added)."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Precursor masses for a target composition, with purity, excess and the mass balance checked."""
    from ssbkit.processing.batch import plan_batch

    pre = [p.strip() for p in precursors.split(",") if p.strip()] if precursors else None
    plan = plan_batch(composition, mass_g=mass_g, precursors=pre, purity=_pairs(purity, "--purity"),
                      excess=_pairs(excess, "--excess"))
    dose = _milling(milling) if milling else None
    if as_json:
        out = plan.as_dict()
        if dose is not None:
            out["milling"] = dose.as_dict()
        _echo(out)
        return
    typer.echo(f"{plan.target} ({plan.target_formula}), {plan.batch_mass_g:g} g")
    typer.echo(f"  {'#':>2} {'precursor':<12} {'mol/f.u.':>9} {'purity':>7} {'weigh (g)':>10}")
    for line in plan.lines:
        typer.echo(f"  {line.order:>2} {line.formula:<12} {line.moles_per_formula_unit:>9.4g} "
                   f"{line.purity:>7.4g} {line.weigh_g:>10.4f}")
    typer.echo(f"  total to weigh {plan.total_weigh_g:.4f} g; element balance residual {plan.balance_residual:.1e}")
    for n in plan.notes:
        _err(f"  note: {n}")
    if dose is not None:
        typer.echo(f"milling: {dose.energy_per_hit_J:.3g} J/hit x {dose.hit_frequency_Hz:.3g} Hz = "
                   f"{dose.power_W:.3g} W; dose {dose.dose_J_per_g / 1e3:.3g} kJ/g "
                   f"({dose.dose_kWh_per_kg:.3g} kWh/kg), BPR {dose.ball_to_powder_ratio:.3g}")
        for n in dose.notes:
            _err(f"  note: {n}")


def dsc(
    files: list[Path] = typer.Argument(..., help="DTA/DSC exports (Netzsch, TA, Mettler, Setaram, Shimadzu, CSV)."),
    heating_rate: str = typer.Option(None, "--heating-rate", "-b",
                                     help="K/min, one value for all files or one per file (comma-separated)."),
    fmt: str = typer.Option("auto", "--format", help="auto, netzsch, ta, mettler, setaram, shimadzu, csv."),
    exo: str = typer.Option(None, "--exo", help="'up' or 'down': sign convention when the file does not say."),
    tg_window: str = typer.Option(None, "--tg-window", help="LOW,HIGH degC to search Tg."),
    tc_window: str = typer.Option(None, "--tc-window", help="LOW,HIGH degC to search exotherms."),
    tm: float = typer.Option(None, "--tm", help="Melting temperature, degC, for Hruby's parameter."),
    merge: bool = typer.Option(False, "--merge-overlapping", help="Integrate overlapping exotherms as one."),
    smooth: float = typer.Option(2.0, "--smooth", help="Smoothing window, K."),
    segment: int = typer.Option(None, "--segment", help="Programme segment (exports with a Segment column)."),
    figures: Path = typer.Option(None, "--figures", help="Folder for figures with the constructions drawn."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Tg (onset, midpoint, end), Tc (onset, peak), enthalpy, stability; kinetics over heating rates."""
    from ssbkit.cli.util import parse_floats
    from ssbkit.processing.thermal import analyze_dsc_files

    rates = None
    if heating_rate:
        vals = parse_floats(heating_rate, "--heating-rate")
        if len(vals) not in (1, len(files)):
            raise InputError(f"--heating-rate: {len(vals)} values for {len(files)} files (give 1 or {len(files)})")
        rates = vals * len(files) if len(vals) == 1 else vals
    run = analyze_dsc_files(files, heating_rates_K_per_min=rates, fmt=fmt, exo=exo,
                            tg_window_C=_window(tg_window, "--tg-window"),
                            tc_window_C=_window(tc_window, "--tc-window"), tm_C=tm,
                            overlap="merge" if merge else "error", smooth_K=smooth, segment=segment)
    written = _dsc_figures(run, figures) if figures else []
    if as_json:
        out = run.summary()
        out["figures"] = written
        _echo(out)
    else:
        _print_dsc(run, written)
    if run.failures:
        if not run.analyses:
            raise InputError("; ".join(m for _, m in run.failures))
        raise typer.Exit(code=PARTIAL_FAILURE_EXIT)


def _fmt(v: float, unit: str = "") -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.1f}{unit}"


def _print_dsc(run, written: list[str]) -> None:
    for a in run.analyses:
        s = a.summary()
        typer.echo(f"{a.source} ({s['heating_rate_K_per_min']:g} K/min)")
        typer.echo(f"  Tg onset/mid/end {_fmt(s['tg_onset_C'])} / {_fmt(s['tg_midpoint_C'])} / "
                   f"{_fmt(s['tg_end_C'])} degC;  Tc onset/peak {_fmt(s['tc_onset_C'])} / {_fmt(s['tc_peak_C'])} degC")
        typer.echo(f"  crystallization enthalpy {_fmt(s['crystallization_enthalpy_J_per_g'])} J/g; "
                   f"Tx - Tg {_fmt(s['stability_K'])} K; Hruby {s['hruby']:.3g}")
        for n in a.notes:
            _err(f"  note: {n}")
    if run.kinetics:
        k = run.kinetics.summary()
        typer.echo(f"Kissinger Ea {k['ea_kissinger_kJ_per_mol']:.1f} ± {k['ea_kissinger_se_kJ_per_mol']:.1f} kJ/mol, "
                   f"Ozawa {k['ea_ozawa_kJ_per_mol']:.1f} ± {k['ea_ozawa_se_kJ_per_mol']:.1f} kJ/mol, "
                   f"Avrami n {k['avrami_n']:.2f} ± {k['avrami_n_se']:.2f}")
    for n in run.notes:
        _err(f"note: {n}")
    for f, m in run.failures:
        _err(f"failed: {f}: {m}")
    for w in written:
        _err(f"wrote {w}")


def _dsc_figures(run, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    from ssbkit.cli.util import save_figure
    from ssbkit.processing.plots import plot_dsc, plot_dsc_overlay, plot_kissinger

    out = []
    for c, a in zip(run.curves, run.analyses, strict=True):
        out.append(save_figure(plot_dsc(c, a), folder, f"{Path(c.source).stem}_dsc.png"))
    if run.kinetics:
        out.append(save_figure(plot_kissinger(run.kinetics.kissinger), folder, "kissinger.png"))
        out.append(save_figure(plot_dsc_overlay(run.curves), folder, "heating_rates.png"))
    return [p for p in out if p]


def _kinetics(dsc_files, heating_rate, exo, ea, ln_k0, tc_peak, n):
    from ssbkit.cli.util import parse_floats
    from ssbkit.processing.heat_treatment import JmakKinetics, kinetics_from_single_scan
    from ssbkit.processing.thermal import analyze_dsc_files

    if dsc_files:
        rates = parse_floats(heating_rate, "--heating-rate") if heating_rate else None
        if rates is not None and len(rates) == 1:
            rates = rates * len(dsc_files)
        run = analyze_dsc_files(dsc_files, heating_rates_K_per_min=rates, exo=exo)
        if run.failures:
            raise InputError("; ".join(m for _, m in run.failures))
        if run.kinetics is None:
            raise InputError("--dsc needs scans with exotherms at two or more heating rates "
                             f"({'; '.join(run.notes)})")
        avr = run.kinetics.avrami
        n_use = n if n is not None else (avr.n if avr else None)
        if n_use is None:
            raise InputError("no Avrami exponent from the scans: give --n")
        return JmakKinetics.from_kissinger(run.kinetics.kissinger, n_use,
                                           n_se=avr.n_se if (avr and n is None) else 0.0)
    if n is None or ea is None:
        raise InputError("give --dsc FILES, or --ea (kJ/mol) and --n with --ln-k0 or --tc-peak/--heating-rate")
    if ln_k0 is not None:
        return JmakKinetics(ea, ln_k0, n, source="given")
    if tc_peak is None or not heating_rate:
        raise InputError("with --ea give --ln-k0, or --tc-peak and --heating-rate (one scan)")
    return kinetics_from_single_scan(tc_peak, parse_floats(heating_rate, "--heating-rate")[0],
                                     ea_kJ_per_mol=ea, n=n)


def _unwanted(window, sigma_u, name, series, wanted):
    from ssbkit.processing.heat_treatment import UnwantedPhase, unwanted_phase_from_series

    if series is not None:
        import csv

        if not series.is_file():
            raise InputError(f"{series}: no such series file")
        with series.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if sigma_u is None or wanted is None:
            raise InputError("--series needs --wanted (phase name) and --sigma-unwanted (S/cm)")
        return unwanted_phase_from_series(rows, wanted=wanted, sigma_S_per_cm=sigma_u, source=str(series))
    if window is None:
        return None
    lo, hi = _window(window, "--unwanted-window")
    if sigma_u is None:
        raise InputError("--unwanted-window needs --sigma-unwanted (S/cm)")
    return UnwantedPhase(name=name, onset_C=lo, onset_high_C=hi, sigma_S_per_cm=sigma_u, source="command line")


def anneal(
    sigma_glass: float = typer.Option(..., "--sigma-glass", help="Parent glass conductivity at 25 degC, S/cm."),
    sigma_crystal: float = typer.Option(..., "--sigma-crystal", help="Fully crystallized phase, S/cm."),
    sigma_crystal_err: float = typer.Option(0.0, "--sigma-crystal-err", help="Its relative uncertainty."),
    dsc_files: list[Path] = typer.Option(None, "--dsc", help="Scans at several rates (repeat --dsc) for the kinetics."),
    heating_rate: str = typer.Option(None, "--heating-rate", "-b", help="K/min (per --dsc file, or of --tc-peak)."),
    exo: str = typer.Option(None, "--exo", help="Sign convention of the --dsc files."),
    ea: float = typer.Option(None, "--ea", help="Crystallization activation energy, kJ/mol."),
    ln_k0: float = typer.Option(None, "--ln-k0", help="ln of the JMAK pre-exponential (1/s)."),
    tc_peak: float = typer.Option(None, "--tc-peak", help="Crystallization peak at --heating-rate, degC."),
    n: float = typer.Option(None, "--n", help="Avrami exponent (default: Matusita-Sakka from --dsc)."),
    tg: float = typer.Option(None, "--tg", help="Glass transition, degC: no treatment below it is recommended."),
    model: str = typer.Option("bruggeman", "--model", help="bruggeman or maxwell_garnett."),
    unwanted_window: str = typer.Option(None, "--unwanted-window", help="LOW,HIGH degC where the unwanted phase forms."),
    sigma_unwanted: float = typer.Option(None, "--sigma-unwanted", help="Its conductivity, S/cm."),
    unwanted_name: str = typer.Option("unwanted phase", "--unwanted-name"),
    series: Path = typer.Option(None, "--series", help="CSV with treatment_C and phase columns (window from data)."),
    wanted: str = typer.Option(None, "--wanted", help="Name of the wanted phase in --series (e.g. Li7P3S11)."),
    temperatures: str = typer.Option("150,600,10", "--temperatures", help="LOW,HIGH,STEP degC."),
    times: str = typer.Option("0.25,0.5,1,2,4,8,16", "--times", help="Holding times, h (0 allowed with --ramp)."),
    ramp: float = typer.Option(None, "--ramp", help="Furnace heating rate to the holding temperature, K/min "
                               "(crystallization during the ramp counted; default: reached at once)."),
    at: str = typer.Option(None, "--at", help="T,t: predict one treatment (degC, h)."),
    figure: Path = typer.Option(None, "--figure", help="Write the map (PNG/SVG/PDF)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Heat-treatment map (T, t) -> sigma by JMAK + effective-medium theory, with the recommendation."""
    import numpy as np

    from ssbkit.cli.util import parse_floats
    from ssbkit.processing.heat_treatment import heat_treatment_map

    kin = _kinetics(dsc_files, heating_rate, exo, ea, ln_k0, tc_peak, n)
    grid = parse_floats(temperatures, "--temperatures")
    if len(grid) != 3 or grid[2] <= 0 or grid[1] <= grid[0]:
        raise InputError(f"--temperatures must be LOW,HIGH,STEP with LOW < HIGH and STEP > 0, got {temperatures!r}")
    t_c = np.arange(grid[0], grid[1] + 0.5 * grid[2], grid[2])
    hmap = heat_treatment_map(kin, sigma_glass_S_per_cm=sigma_glass, sigma_crystal_S_per_cm=sigma_crystal,
                              temperatures_C=t_c, times_h=parse_floats(times, "--times"),
                              unwanted=_unwanted(unwanted_window, sigma_unwanted, unwanted_name, series, wanted),
                              model=model, sigma_crystal_rel_err=sigma_crystal_err, tg_C=tg,
                              heating_rate_K_per_min=ramp)
    point = None
    if at:
        tt = parse_floats(at, "--at")
        if len(tt) != 2:
            raise InputError(f"--at must be T,t (degC, h), got {at!r}")
        point = hmap.predict(tt[0], tt[1])
    written = None
    if figure:
        import matplotlib

        matplotlib.use("Agg")
        from ssbkit.cli.util import save_figure
        from ssbkit.processing.plots import plot_heat_treatment_map

        written = save_figure(plot_heat_treatment_map(hmap), figure.parent, figure.name)
    rec = {"recommended_T_C": hmap.recommended_T_C, "recommended_time_h": hmap.recommended_time_h,
           "sigma_25C_S_per_cm": hmap.sigma_recommended_S_per_cm,
           "sigma_95_interval_S_per_cm": list(hmap.sigma_interval_S_per_cm),
           "recommended_T_95_interval_C": list(hmap.recommended_T_interval_C),
           "ea_kJ_per_mol": kin.ea_kJ_per_mol, "ln_k0_per_s": kin.ln_k0_per_s, "avrami_n": kin.n}
    if as_json:
        _echo({"recommendation": rec, "at": point, "figure": written, "map": hmap.as_dict()})
        return
    typer.echo(f"kinetics: Ea {kin.ea_kJ_per_mol:.1f} kJ/mol, ln k0 {kin.ln_k0_per_s:.2f}, n {kin.n:.2f} ({kin.source})")
    lo, hi = hmap.sigma_interval_S_per_cm
    tlo, thi = hmap.recommended_T_interval_C
    typer.echo(f"recommended: {hmap.recommended_T_C:g} degC for {hmap.recommended_time_h:g} h -> sigma "
               f"{hmap.sigma_recommended_S_per_cm:.3e} S/cm (95 %: {lo:.2e} .. {hi:.2e}); "
               f"T 95 %: {tlo:g} .. {thi:g} degC")
    if point:
        typer.echo(f"at {point['temperature_C']:g} degC / {point['time_h']:g} h: x = {point['crystallized_fraction']:.3f}, "
                   f"unwanted share {point['unwanted_share']:.2f}, sigma {point['sigma_25C_S_per_cm']:.3e} S/cm")
    for note in hmap.notes:
        _err(f"note: {note}")
    if written:
        _err(f"wrote {written}")


def register(app: typer.Typer) -> None:
    """Add ``batch``, ``dsc`` and ``anneal`` to the main ``ssbkit`` app.

    Parameters
    ----------
    app : typer.Typer
        The main application.

    Returns
    -------
    None
    """
    app.command("batch")(batch)
    app.command("dsc")(dsc)
    app.command("anneal")(anneal)
