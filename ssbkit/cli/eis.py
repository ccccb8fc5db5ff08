"""``ssbkit eis``: fit spectra, test them (Kramers–Kronig), and turn a pellet's
temperature series into conductivities and activation energies.

Commands
--------
``fit FILE... --circuit C [--temperature-c T ...]``
``conductivity FILE... --thickness-cm L (--diameter-cm D | --area-cm2 A) [--circuit C]``
``kk FILE``
``read FILE... [--format F]``  (show spectra and the reader's notes)
``formats``  (the file formats read)
``drt FILE [--lambda L]``
``tortuosity FILE --thickness-cm L --area-cm2 A --eps E --sigma-se S [--circuit C]``

All take ``--json`` (one JSON document on stdout) and ``--figures DIR``. A
batch goes on past a file that cannot be read or fitted and reports it; bad
arguments end with ``error: ...`` and exit code 2.
"""

from __future__ import annotations

import math
from pathlib import Path

import typer

from ssbkit.cli.util import echo_json as _emit_json
from ssbkit.cli.util import save_figure as _save
from ssbkit.errors import EXIT_BAD_INPUT, EXIT_PARTIAL, InputError

__all__ = ["app"]

app = typer.Typer(
    name="eis",
    help="Impedance spectra: fit circuits, Kramers-Kronig test, conductivity series.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_CIRCUIT_HELP = "Circuit, impedance.py style 'R0-p(R1,CPE1)-CPE2' or Boukamp CDC 'R(RQ)Q'."


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


_FORMAT_HELP = "File format (default: detected); 'ssbkit eis formats' lists them."


def _read_all(files: list[Path], fmt: str | None = None):
    """Read every file; returns (spectra, failures) and never raises for one bad file."""
    from ssbkit.errors import SsbkitError
    from ssbkit.impedance.readers import read_spectra

    if fmt is not None:
        from ssbkit.impedance.readers import _resolve

        _resolve(fmt)  # an unknown --format is a usage error, not a per-file failure
    spectra, failures = [], []
    for p in files:
        try:
            spectra.extend(read_spectra(p, format=fmt))
        except SsbkitError as exc:
            failures.append({"source": str(p), "message": str(exc)})
    if failures and not spectra:  # nothing to work on: bad input, exit code 2, message on stderr
        raise InputError("; ".join(f["message"] for f in failures))
    return spectra, failures


def _reading_notes(spectra) -> list[dict]:
    """What the readers skipped, repaired or assumed, per spectrum (for --json)."""
    return [{"source": s.source, "notes": list(s.notes)} for s in spectra if s.notes]


def _print_notes(spectra) -> None:
    """Reader notes on stderr, so that nothing is skipped or repaired without a word."""
    for s in spectra:
        for n in s.notes:
            typer.echo(f"note: {s.source}: {n}", err=True)


@app.command()
def read(
    files: list[Path] = typer.Argument(..., help="Impedance files (any supported format)."),
    fmt: str = typer.Option(None, "--format", help=_FORMAT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the spectra as one JSON document."),
) -> None:
    """Read impedance files and show each spectrum, with what the reader had to assume.

    Exit code 1 when a file could not be read (the others are still shown).
    """
    try:
        spectra, failures = _read_all(files, fmt)
    except InputError as exc:
        _fail(exc)
    if as_json:
        _emit_json({"spectra": [s.as_dict() for s in spectra], "failures": failures})
    else:
        for s in spectra:
            t = "" if s.temperature_c is None else f", {s.temperature_c:g} degC"
            typer.echo(f"{s.source}: {s.metadata.get('format', '?')}, {len(s)} points, "
                       f"{s.frequency_hz.max():.4g}-{s.frequency_hz.min():.4g} Hz{t}")
            for n in s.notes:
                typer.echo(f"  note: {n}")
        for f in failures:
            typer.echo(f"failed {f['source']}: {f['message']}", err=True)
    if failures:
        raise typer.Exit(EXIT_PARTIAL if spectra else EXIT_BAD_INPUT)


@app.command()
def formats() -> None:
    """List the impedance file formats ssbkit reads (name, extensions, instrument)."""
    from ssbkit.impedance.readers import known_formats

    typer.echo(known_formats())


def _with_temperatures(spectra, temperatures: list[float] | None):
    from dataclasses import replace

    if not temperatures:
        return spectra
    if len(temperatures) != len(spectra):
        raise InputError(
            f"--temperature-c given {len(temperatures)} times for {len(spectra)} spectra read"
        )
    return [replace(s, temperature_c=float(t)) for s, t in zip(spectra, temperatures, strict=True)]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in Path(text).name) or "spectrum"


@app.command()
def fit(
    files: list[Path] = typer.Argument(..., help="Impedance files (any supported format)."),
    circuit: str = typer.Option("p(R1,CPE1)-p(R2,CPE2)-CPE3", "--circuit", "-c", help=_CIRCUIT_HELP),
    temperature_c: list[float] = typer.Option(None, "--temperature-c", help="Temperature (degC) of each spectrum, in order."),
    weighting: str = typer.Option("modulus", "--weighting", help="unit | modulus | proportional."),
    f_min_hz: float = typer.Option(None, "--f-min-hz", help="Ignore points below this frequency (Hz)."),
    f_max_hz: float = typer.Option(None, "--f-max-hz", help="Ignore points above this frequency (Hz)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for Nyquist/residual figures."),
    fmt: str = typer.Option(None, "--format", help=_FORMAT_HELP),
) -> None:
    """Fit a circuit to every spectrum in FILES (start values read from the data)."""
    from ssbkit.impedance.circuit import parse_circuit
    from ssbkit.impedance.fit import fit_many

    try:
        c = parse_circuit(circuit)
        spectra, failures = _read_all(files, fmt)
        spectra = _with_temperatures(spectra, temperature_c)
        results = fit_many(spectra, circuit=c, weighting=weighting, f_min_hz=f_min_hz, f_max_hz=f_max_hz)
    except InputError as exc:
        _fail(exc)
    out = {"circuit": str(c), "fits": [], "failures": failures,
           "reading_notes": _reading_notes(spectra)}
    for r in results:
        d = r.to_dict()
        if figures is not None and r.success:
            from ssbkit.impedance.plots import plot_fit

            d["figure"] = _save(plot_fit(r), figures, _slug(r.source) + "_fit.png")
        out["fits"].append(d)
        if not r.success:
            out["failures"].append({"source": r.source, "message": r.message})
    if as_json:
        _emit_json(out)
    else:
        _print_notes(spectra)
        _print_fits(results, failures)
    if failures or not all(r.success for r in results):
        raise typer.Exit(EXIT_PARTIAL)


def _print_fits(results, failures) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    for r in results:
        if not r.success:
            continue
        t = Table(title=f"{r.source}  {r.circuit}  (rms {100 * r.rms_relative:.2g} %, chi2_red {r.chi2_reduced:.3g})")
        for col in ("parameter", "value", "std. error", "unit"):
            t.add_column(col)
        for n, v, e, u in zip(r.names, r.params, r.errors, r.units, strict=True):
            t.add_row(n, f"{v:.4g}", f"{e:.2g}", u)
        con.print(t)
        for a in r.arcs:
            con.print(f"  arc {a.resistor}/{a.capacitor}: R = {a.r_ohm:.4g} ohm, C_eff = {a.c_eff_f:.3g} F, "
                      f"f_apex = {a.f_apex_hz:.3g} Hz -> {a.label}")
    bad = list(failures) + [{"source": r.source, "message": r.message} for r in results if not r.success]
    err = Console(stderr=True)
    for b in bad:
        err.print(f"[red]failed[/red] {b['source']}: {b['message']}")


@app.command()
def conductivity(
    files: list[Path] = typer.Argument(..., help="One impedance file per temperature."),
    thickness_cm: float = typer.Option(..., "--thickness-cm", help="Pellet thickness (cm)."),
    diameter_cm: float = typer.Option(None, "--diameter-cm", help="Pellet diameter (cm)."),
    area_cm2: float = typer.Option(None, "--area-cm2", help="Electrode area (cm^2), instead of the diameter."),
    circuit: str = typer.Option("p(R1,CPE1)-p(R2,CPE2)-CPE3", "--circuit", "-c", help=_CIRCUIT_HELP),
    temperature_c: list[float] = typer.Option(None, "--temperature-c", help="Temperature (degC) of each spectrum (default: from file names/metadata)."),
    shared: list[str] = typer.Option(None, "--shared", help="Parameter common to all spectra (repeatable), e.g. CPE1_n."),
    form: str = typer.Option("sigmaT", "--form", help="Arrhenius form: sigmaT (sigma T = A exp(-Ea/kT)) or sigma."),
    weighting: str = typer.Option("modulus", "--weighting", help="unit | modulus | proportional."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for Nyquist, residual and Arrhenius figures."),
    fmt: str = typer.Option(None, "--format", help=_FORMAT_HELP),
) -> None:
    """Bulk, grain-boundary and total conductivity of a pellet over temperature, and Ea."""
    from ssbkit.impedance.series import conductivity_series

    try:
        if (diameter_cm is None) == (area_cm2 is None):
            raise InputError("give exactly one of --diameter-cm or --area-cm2")
        spectra, failures = _read_all(files, fmt)
        spectra = _with_temperatures(spectra, temperature_c)
        if not spectra:
            raise InputError("no spectrum could be read: " + "; ".join(f["message"] for f in failures))
        missing = [s.source for s in spectra if s.temperature_c is None]
        if missing:
            raise InputError(
                f"no temperature for {missing[0]} (not in its name or header); give --temperature-c for every file"
            )
        cs = conductivity_series(
            spectra, thickness_cm=thickness_cm, diameter_cm=diameter_cm, area_cm2=area_cm2,
            circuit=circuit, shared=shared or None, form=form, weighting=weighting,
        )
    except InputError as exc:
        _fail(exc)
    d = cs.to_dict()
    d["failures"] = failures + d["failures"]
    d["reading_notes"] = _reading_notes(spectra)
    if figures is not None:
        from ssbkit.impedance.plots import plot_arrhenius, plot_fit, plot_nyquist

        ok = [f for f in cs.fits if f.success]
        figs = {"arrhenius": _save(plot_arrhenius(cs), figures, "arrhenius.png"),
                "nyquist": _save(plot_nyquist(ok), figures, "nyquist_all.png")}
        for f in ok:
            figs[f.source] = _save(plot_fit(f), figures, _slug(f.source) + "_fit.png")
        d["figures"] = figs
    if as_json:
        _emit_json(d)
    else:
        _print_notes(spectra)
        _print_series(cs, d["failures"])
    if d["failures"] or not all(f.success for f in cs.fits):
        raise typer.Exit(EXIT_PARTIAL)


def _print_series(cs, failures) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=f"bulk = {cs.bulk_param}, grain boundary = {cs.gb_param} (by effective capacitance)")
    for col in ("T / degC", "sigma_bulk / S cm-1", "sigma_gb / S cm-1", "sigma_total / S cm-1", "fit rms / %"):
        t.add_column(col)
    for i, f in enumerate(cs.fits):
        def pm(key, i=i):
            v = getattr(cs, f"sigma_{key}_S_per_cm")[i]
            e = getattr(cs, f"sigma_{key}_err_S_per_cm")[i]
            return "–" if not math.isfinite(v) else f"{v:.3e} ± {e:.1e}"

        t.add_row(f"{cs.temperatures_c[i]:g}", pm("bulk"), pm("gb"), pm("total"),
                  f"{100 * f.rms_relative:.2g}" if f.success else "failed")
    con.print(t)
    for key in ("bulk", "gb", "total"):
        a = cs.arrhenius.get(key)
        if a:
            lo, hi = a.ea_ci_ev
            con.print(f"Ea({key}) = {a.ea_ev:.3f} ± {a.ea_se_ev:.3f} eV (95 % CI {lo:.3f}–{hi:.3f}; {cs.form} form)")
    for b in failures:
        con.print(f"[red]failed[/red] {b['source']}: {b['message']}")


@app.command()
def kk(
    file: Path = typer.Argument(..., help="Impedance file."),
    threshold: float = typer.Option(0.02, "--threshold", help="Largest residual (fraction of |Z|) of a valid spectrum."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for the residual figure."),
    fmt: str = typer.Option(None, "--format", help=_FORMAT_HELP),
) -> None:
    """Lin-KK test (mu criterion with the Yrjänä-Bobacka refinements) and Z-HIT of every spectrum."""
    from ssbkit.impedance.kk import kk_test
    from ssbkit.impedance.readers import read_spectra
    from ssbkit.impedance.zhit import zhit_test

    try:
        spectra = read_spectra(file, format=fmt)
        results = [kk_test(s, threshold=threshold) for s in spectra]
        zhits = [zhit_test(s) if len(s) >= 8 else None for s in spectra]
    except InputError as exc:
        _fail(exc)
    out = []
    for s, r, zh in zip(spectra, results, zhits, strict=True):
        d = r.to_dict()
        d.update(source=s.source, valid=bool(r.valid), n_rc=int(r.n_rc), mu=float(r.mu),
                 max_residual=float(r.max_residual), rms_residual=float(r.rms_residual))
        d["zhit"] = zh.to_dict() if zh is not None else None
        if figures is not None:
            from ssbkit.impedance.plots import plot_kk

            d["figure"] = _save(plot_kk(r), figures, _slug(s.source) + "_kk.png")
        out.append(d)
    if as_json:
        _emit_json({"kk": out, "reading_notes": _reading_notes(spectra)})
    else:
        _print_notes(spectra)
        for d in out:
            verdict = "valid" if d["valid"] else "NOT valid"
            zh = d["zhit"]
            ztxt = "" if zh is None else (f"; Z-HIT {'valid' if zh['valid'] else 'NOT valid'}, "
                                          f"max {100 * zh['max_residual']:.2g} %")
            typer.echo(f"{d['source']}: {verdict} (M = {d['n_rc']}, {d['representation']}, "
                       f"mu = {d['mu']:.3f}, max residual {100 * d['max_residual']:.2g} %, "
                       f"rms {100 * d['rms_residual']:.2g} %{ztxt})")


@app.command()
def tortuosity(
    file: Path = typer.Argument(..., help="Spectrum of the composite electrode (blocking contacts)."),
    thickness_cm: float = typer.Option(..., "--thickness-cm", help="Electrode thickness, cm."),
    area_cm2: float = typer.Option(..., "--area-cm2", help="Electrode area, cm^2."),
    eps: float = typer.Option(..., "--eps", help="Volume fraction of the ion conductor (0-1]."),
    sigma_se: float = typer.Option(..., "--sigma-se", help="Dense-SE conductivity at this T, S/cm."),
    circuit: str = typer.Option("TLMQS1", "--circuit", "-c", help="Transmission-line circuit."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Tortuosity factor tau = eps sigma_SE d / (R_ion A) from a transmission-line fit (R-17)."""
    from ssbkit.impedance.readers import read_spectrum
    from ssbkit.impedance.tortuosity import tortuosity_from_spectrum

    try:
        r = tortuosity_from_spectrum(read_spectrum(file), thickness_cm=thickness_cm,
                                     area_cm2=area_cm2, eps=eps, sigma_se_S_per_cm=sigma_se,
                                     circuit=circuit)
    except InputError as exc:
        _fail(exc)
    if as_json:
        _emit_json({"tortuosity": r.to_dict()})
    else:
        typer.echo(f"{r.source}: tau = {r.tau:.3g} ± {r.tau_err:.2g} (R_ion = {r.r_ion_ohm:.4g} "
                   f"± {r.r_ion_err_ohm:.2g} ohm, sigma_eff = {r.sigma_eff_S_per_cm:.3g} S/cm)")
        for n in r.notes:
            typer.echo(f"note: {n}")
    if not math.isfinite(r.tau):
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def drt(
    file: Path = typer.Argument(..., help="Impedance file."),
    lam: float = typer.Option(None, "--lambda", help="Regularisation parameter (default: GCV)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    figures: Path = typer.Option(None, "--figures", help="Folder for the DRT figure."),
) -> None:
    """Distribution of relaxation times of every spectrum in FILE: peaks with errors."""
    from ssbkit.impedance.drt import compute_drt
    from ssbkit.impedance.readers import read_spectra

    try:
        spectra = read_spectra(file)
        results = [compute_drt(s, lam=lam) for s in spectra]
    except InputError as exc:
        _fail(exc)
    out = []
    for s, r in zip(spectra, results, strict=True):
        d = r.to_dict()
        if figures is not None:
            from ssbkit.impedance.plots import plot_drt

            d["figure"] = _save(plot_drt(r), figures, _slug(s.source) + "_drt.png")
        out.append(d)
    if as_json:
        _emit_json({"drt": out})
        return
    for r in results:
        typer.echo(f"{r.source}: lambda = {r.lam:.2g} ({r.lam_method}), R_inf = {r.r_inf_ohm:.4g} "
                   f"ohm, rms residual {100 * r.rms_residual:.2g} %")
        for k, (t, rr) in enumerate(r.peaks):
            e = r.peak_r_err_ohm[k] if k < r.peak_r_err_ohm.size else math.nan
            typer.echo(f"  peak {k}: tau = {t:.3g} s (f = {1 / (2 * math.pi * t):.3g} Hz), "
                       f"R = {rr:.4g} ± {e:.2g} ohm")
        for n in r.notes:
            typer.echo(f"  note: {n}")
