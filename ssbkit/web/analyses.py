"""The one place where the web app calls the library's workflows.

Every analysis the web app offers is a call to the same library function the
CLI and the study use (no third copy of any step): reading spectra
(:func:`ssbkit.impedance.readers.read_spectra`), the temperature series
(:func:`ssbkit.impedance.series.conductivity_series`, which fits, tells bulk
from grain boundary and fits Arrhenius laws with
:func:`ssbkit.transport.fit_arrhenius`), the Kramers-Kronig test
(:func:`ssbkit.impedance.kk.kk_test`), the DRT
(:func:`ssbkit.impedance.drt.compute_drt`), cycling
(:func:`ssbkit.cell.cycling.read_cycler_file` + ``summarize_cycles``),
tortuosity (:func:`ssbkit.microstructure.io.read_volume` +
:func:`ssbkit.microstructure.solver.tortuosity_factor`) and, where the
processing layer is installed, its DSC analysis. When a library API is
renamed, only this module changes.

Every result carries the protocol it was computed with and the software
versions (``protocol``, ``software``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ssbkit import __version__
from ssbkit.errors import InputError, SsbkitError
from ssbkit.progress import Progress, report

from .files import paths_outside

__all__ = ["DEFAULT_PROTOCOL", "PROTOCOL_KEYS", "KINDS", "check_protocol", "read_impedance",
           "impedance_series", "cycling_summary", "tortuosity", "dsc_analysis", "dsc_available",
           "dataset_rows", "run_study_file", "DSC_OPTIONS", "check_dsc_options",
           "read_dsc_info", "software", "same_composition", "reduced_formula"]

#: the protocol every lab starts with (the CLI's and the study's defaults)
DEFAULT_PROTOCOL: dict[str, Any] = {
    "circuit": "p(R1,CPE1)-p(R2,CPE2)-CPE3",
    "weighting": "modulus",
    "arrhenius_form": "sigmaT",
    "shared": [],
    "kk_c": 0.85,
    "kk_threshold": 0.02,
    "report_T_C": 25.0,
}
PROTOCOL_KEYS = tuple(DEFAULT_PROTOCOL)
#: the solver's memory per voxel as ``read_volume``'s ``limit_bytes`` counts it
_SOLVER_BYTES_PER_VOXEL = 16
#: measurement kinds and the file extensions accepted for each
KINDS: dict[str, tuple[str, ...]] = {
    "eis": (".txt", ".csv", ".dat", ".tsv", ".mpt", ".mpr", ".dta", ".par", ".z"),
    "cycling": (".csv", ".txt", ".mpt", ".mpr", ".tsv"),
    "dsc": (".csv", ".txt", ".tsv", ".dat"),
    "volume": (".tif", ".tiff", ".npy", ".raw"),
    "study": (".toml",),
}


def software() -> dict[str, str]:
    """ssbkit's version and the versions of the packages behind the numbers.

    Returns
    -------
    dict
    """
    from ssbkit.store.db import software_versions

    return {**software_versions(), "ssbkit": __version__}


def check_protocol(protocol: dict[str, Any] | None) -> dict[str, Any]:
    """A complete, validated protocol (defaults filled in).

    Parameters
    ----------
    protocol
        Some or all of :data:`DEFAULT_PROTOCOL`'s keys.

    Returns
    -------
    dict

    Raises
    ------
    InputError
        Unknown keys, an unparsable circuit, a bad weighting or threshold.
    """
    from ssbkit.errors import did_you_mean
    from ssbkit.impedance.circuit import parse_circuit

    p = dict(DEFAULT_PROTOCOL)
    for k, v in (protocol or {}).items():
        if k not in DEFAULT_PROTOCOL:
            raise InputError(f"protocol: unknown key {k!r}{did_you_mean(k, PROTOCOL_KEYS)}")
        p[k] = v
    parse_circuit(str(p["circuit"]))
    if p["weighting"] not in ("unit", "modulus", "proportional"):
        raise InputError(f"protocol.weighting must be unit, modulus or proportional, got {p['weighting']!r}")
    if p["arrhenius_form"] not in ("sigmaT", "sigma"):
        raise InputError(f"protocol.arrhenius_form must be sigmaT or sigma, got {p['arrhenius_form']!r}")
    for k, lo, hi in (("kk_c", 0.0, 1.0), ("kk_threshold", 0.0, 1.0)):
        if not (lo < float(p[k]) < hi):
            raise InputError(f"protocol.{k} must lie in ({lo}, {hi}), got {p[k]!r}")
    p["kk_c"], p["kk_threshold"], p["report_T_C"] = float(p["kk_c"]), float(p["kk_threshold"]), float(p["report_T_C"])
    p["shared"] = [str(s) for s in (p["shared"] or [])]
    return p


@contextmanager
def _named(path: Path, original_name: str) -> Iterator[None]:
    """Re-raise the library's errors with the uploaded name in place of the stored file's path."""
    try:
        yield
    except SsbkitError as exc:
        msg = str(exc).replace(str(path), original_name).replace(Path(path).name, original_name)
        raise type(exc)(msg) from None


# ------------------------------------------------------------------ impedance
def _spectra(path: Path, original_name: str, temperature_c: float | None):
    from ssbkit.impedance.readers import read_spectra, temperature_from_name

    with _named(path, original_name):
        spectra = read_spectra(path)
    t_name = temperature_from_name(original_name)
    out = []
    for i, s in enumerate(spectra):
        src = original_name + (f"#{i + 1}" if len(spectra) > 1 else "")
        t = temperature_c if temperature_c is not None else (s.temperature_c if s.temperature_c is not None else t_name)
        out.append(replace(s, source=src, temperature_c=t))
    return out


def read_impedance(path: Path, original_name: str, *, temperature_c: float | None = None) -> dict[str, Any]:
    """What the readers find in one uploaded impedance file.

    Parameters
    ----------
    path
        The stored file.
    original_name
        The name it was uploaded under (for the format and the temperature in the name).
    temperature_c
        Temperature entered by the user, degC (overrides the file's).

    Returns
    -------
    dict
        ``n_spectra``, ``temperatures_c``, ``n_points``, ``f_min_hz``, ``f_max_hz``, ``notes``.

    Raises
    ------
    SsbkitError
        The file cannot be read (the reader's message, naming the file).
    """
    spectra = _spectra(path, original_name, temperature_c)
    return {
        "n_spectra": len(spectra),
        "temperatures_c": [s.temperature_c for s in spectra],
        "n_points": [len(s) for s in spectra],
        "f_min_hz": min(float(s.frequency_hz.min()) for s in spectra),
        "f_max_hz": max(float(s.frequency_hz.max()) for s in spectra),
        "format": spectra[0].metadata.get("format"),
        "notes": [n for s in spectra for n in s.notes],
    }


def _z(z) -> dict[str, list]:
    return {"real": [float(v) for v in z.real], "imag": [float(v) for v in z.imag]}


def _spectrum_extras(s, protocol: dict[str, Any]) -> dict[str, Any]:
    from ssbkit.impedance.drt import compute_drt
    from ssbkit.impedance.kk import kk_test

    out: dict[str, Any] = {"source": s.source, "temperature_c": s.temperature_c,
                           "frequency_hz": [float(f) for f in s.frequency_hz], "z_ohm": _z(s.z_ohm)}
    try:
        k = kk_test(s, c=protocol["kk_c"], threshold=protocol["kk_threshold"])
        out["kk"] = {"valid": bool(k.valid), "max_residual": float(k.max_residual),
                     "rms_residual": float(k.rms_residual), "n_rc": int(k.n_rc), "mu": float(k.mu)}
    except SsbkitError as exc:
        out["kk"] = {"valid": None, "message": str(exc)}
    try:
        d = compute_drt(s)
        out["drt"] = {"tau_s": [float(t) for t in d.tau_s], "gamma_ohm": [float(g) for g in d.gamma_ohm],
                      "peaks": [list(map(float, p)) for p in d.peaks]}
    except (SsbkitError, ValueError, ArithmeticError) as exc:
        out["drt"] = {"message": f"DRT failed: {exc}"}
    return out


def _takes(fn: Callable, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _offset(progress: Progress | None, start: float, total: float) -> Progress | None:
    """A workflow's own ``progress(done, n)`` mapped onto one step [start, start + 1] of ``total``."""
    if progress is None:
        return None
    outer: Progress = progress

    def inner(done: float, n: float, message: str = "") -> None:
        outer(start + (done / n if n else 0.0), total, message)

    return inner


def _sigma_at(fit, t_c: float) -> dict[str, Any]:
    """sigma at ``t_c`` from the Arrhenius fit: the line's confidence interval and the prediction interval."""
    y, lo, hi = fit.confidence_interval(t_c + 273.15)
    _, plo, phi = fit.predict_interval(t_c + 273.15)
    return {"T_C": t_c, "sigma_S_per_cm": float(y), "lower": float(lo), "upper": float(hi),
            "prediction_lower": float(plo), "prediction_upper": float(phi), "level": float(fit.level)}


def impedance_series(files: Sequence[tuple[Path, str, float | None]], *, thickness_cm: float,
                     diameter_cm: float | None = None, area_cm2: float | None = None,
                     protocol: dict[str, Any] | None = None,
                     progress: Progress | None = None) -> dict[str, Any]:
    """A pellet's spectra -> fits, KK, DRT, sigma(T) with errors, Arrhenius, sigma at ``report_T_C``.

    Parameters
    ----------
    files
        ``(stored path, original name, temperature degC or None)`` per file.
    thickness_cm, diameter_cm, area_cm2
        Pellet geometry (the diameter or the area).
    protocol
        See :data:`DEFAULT_PROTOCOL`.
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    dict
        The series (:meth:`ConductivitySeries.to_dict`) plus ``spectra`` (data,
        KK verdict, DRT), ``sigma_at`` per conductivity, ``skipped`` (files or
        spectra left out, with why), ``protocol`` and ``software``.

    Raises
    ------
    InputError
        No readable spectrum with a temperature, or bad geometry.
    """
    from ssbkit.impedance.series import conductivity_series

    p = check_protocol(protocol)
    total = len(files) + 3
    spectra, skipped = [], []
    for i, (path, name, t) in enumerate(files):
        report(progress, i, total, f"reading {name}")
        try:
            got = _spectra(Path(path), name, t)
        except SsbkitError as exc:
            skipped.append({"source": name, "message": str(exc)})
            continue
        for s in got:
            if s.temperature_c is None:
                skipped.append({"source": s.source, "message": "no temperature (enter it on the upload)"})
            else:
                spectra.append(s)
    if not spectra:
        raise InputError("no readable spectrum with a temperature: " +
                         "; ".join(f"{s['source']}: {s['message']}" for s in skipped))
    report(progress, len(files), total, f"fitting {len(spectra)} spectra")
    kw: dict[str, Any] = {}
    if _takes(conductivity_series, "progress"):  # per-spectrum progress where the workflow reports it
        kw["progress"] = _offset(progress, len(files), total)
    cs = conductivity_series(spectra, thickness_cm=thickness_cm, diameter_cm=diameter_cm, area_cm2=area_cm2,
                             circuit=p["circuit"], shared=p["shared"] or None, form=p["arrhenius_form"],
                             weighting=p["weighting"], **kw)
    report(progress, len(files) + 1, total, "Kramers-Kronig tests and DRT")
    out = cs.to_dict()
    by_src = {s.source: s for s in spectra}
    out["spectra"] = [_spectrum_extras(by_src[f.source], p) if f.source in by_src else {"source": f.source}
                      for f in cs.fits]
    for entry, f in zip(out["spectra"], cs.fits, strict=True):
        if f.success and "frequency_hz" in entry:
            fs = np.logspace(np.log10(min(entry["frequency_hz"])), np.log10(max(entry["frequency_hz"])), 200)
            entry["fit"] = {"frequency_hz": fs.tolist(), "z_ohm": _z(f.predict(fs))}
    out["arrhenius_curves"] = {}
    for k, a in cs.arrhenius.items():
        tk = np.linspace(a.t_range_k[0], a.t_range_k[1], 40)
        y, lo, hi = a.predict_interval(tk)
        out["arrhenius_curves"][k] = {"T_K": tk.tolist(), "sigma_S_per_cm": np.asarray(y).tolist(),
                                      "lower": np.asarray(lo).tolist(), "upper": np.asarray(hi).tolist()}
    out["sigma_at"] = {k: _sigma_at(a, p["report_T_C"]) for k, a in cs.arrhenius.items()}
    lo_hi = [min(s.temperature_c for s in spectra), max(s.temperature_c for s in spectra)]
    if cs.arrhenius and not (lo_hi[0] <= p["report_T_C"] <= lo_hi[1]):
        out.setdefault("notes", []).append(
            f"sigma({p['report_T_C']:g} degC) is extrapolated from {lo_hi[0]:g}-{lo_hi[1]:g} degC")
    out["skipped"] = skipped
    out["geometry"] = {"thickness_cm": thickness_cm, "diameter_cm": diameter_cm, "area_cm2": area_cm2}
    out["protocol"], out["software"] = p, software()
    report(progress, total, total, "done")
    return out


# -------------------------------------------------------------------- cycling
def cycling_summary(path: Path, original_name: str, *, mass_mg: float | None = None,
                    area_cm2: float | None = None, nominal_mAh: float | None = None,
                    progress: Progress | None = None) -> dict[str, Any]:
    """A cycler export -> per-cycle capacities, coulombic efficiency, retention.

    Parameters
    ----------
    path, original_name
        The stored file and its uploaded name.
    mass_mg, area_cm2, nominal_mAh
        As in :func:`ssbkit.cell.cycling.summarize_cycles`.
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    dict
        The :class:`CycleSummary` as a dict, with ``protocol`` and ``software``.
    """
    from ssbkit.cell.cycling import read_cycler_file, summarize_cycles

    report(progress, 0, 2, f"reading {original_name}")
    with _named(path, original_name):
        data = read_cycler_file(path)
        report(progress, 1, 2, "summarising cycles")
        s = summarize_cycles(data, mass_mg=mass_mg, area_cm2=area_cm2, nominal_mAh=nominal_mAh)
    out = s.to_dict()
    out["source"] = original_name
    out["protocol"] = {"ce_convention": s.ce_convention, "mass_mg": mass_mg, "area_cm2": area_cm2,
                       "nominal_mAh": nominal_mAh}
    out["software"] = software()
    report(progress, 2, 2, "done")
    return out


# ------------------------------------------------------------- microstructure
def tortuosity(path: Path, original_name: str, *, phase: int, axis: int = 0,
               voxel_um: float | None = None, max_voxels: int = 256**3,
               progress: Progress | None = None) -> dict[str, Any]:
    """A segmented volume -> tortuosity factor of one phase along one axis.

    Parameters
    ----------
    path, original_name
        The stored file and its uploaded name.
    phase
        Label of the conducting phase.
    axis
        Transport axis.
    voxel_um
        Voxel edge, um (else from the file).
    max_voxels
        Larger volumes are refused (with the size in the message).
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    dict
        ``tortuosity``, ``volume_fraction``, ``sigma_eff``, ``percolates``, shape, protocol, software.

    Raises
    ------
    InputError
        The volume is larger than ``max_voxels``.
    """
    from ssbkit.microstructure.io import read_volume
    from ssbkit.microstructure.solver import tortuosity_factor

    report(progress, 0, 2, f"reading {original_name}")
    from ssbkit.microstructure import io as micro_io

    per_voxel = getattr(micro_io, "READ_BYTES_PER_VOXEL", _SOLVER_BYTES_PER_VOXEL)
    try:
        with _named(path, original_name):
            vol = read_volume(path, voxel_um=voxel_um, limit_bytes=per_voxel * max_voxels)
    except InputError as exc:
        if "voxels" in str(exc) and "allowed" in str(exc):
            raise InputError(f"{original_name}: volume too large for this server (limit {max_voxels} voxels; "
                             f"crop or downsample it): {exc}") from None
        raise
    n = int(vol.labels.size)
    if n > max_voxels:
        raise InputError(f"{original_name}: {vol.labels.shape} = {n} voxels, more than this server's "
                         f"limit of {max_voxels}; crop or downsample it")
    report(progress, 1, 2, f"solving {vol.labels.shape}")
    with _named(path, original_name):
        r = tortuosity_factor(vol.labels, phase, axis=axis)
    out = {"source": original_name, "shape": list(vol.labels.shape), "voxel_um": vol.voxel_um,
           "tortuosity": r.tortuosity, "volume_fraction": r.volume_fraction, "sigma_eff": r.sigma_eff,
           "percolates": bool(r.percolates),
           "protocol": {"phase": phase, "axis": axis, "solver": "tortuosity_factor"}, "software": software()}
    report(progress, 2, 2, "done")
    return out


# ------------------------------------------------------------------ processing
#: the DSC options of an upload (those of ``ssbkit dsc`` and the study's ``[thermal]`` table)
DSC_OPTIONS = ("heating_rate_K_per_min", "exo", "tg_window_C", "tc_window_C", "overlap", "smooth_K")


def _dsc_function() -> Callable | None:
    """The processing layer's one DSC workflow (``analyze_dsc_files``), None where absent."""
    import importlib

    try:
        thermal = importlib.import_module("ssbkit.processing.thermal")  # another layer; may be absent
    except ImportError:
        return None
    return getattr(thermal, "analyze_dsc_files", None)


def dsc_available() -> bool:
    """Whether the processing layer's DSC analysis is installed.

    Returns
    -------
    bool
    """
    return _dsc_function() is not None


def _window_option(v: Any, name: str) -> tuple[float, float] | None:
    if v is None or v == "" or v == []:
        return None
    parts = v.replace(";", ",").split(",") if isinstance(v, str) else list(v)
    try:
        lo, hi = (float(x) for x in parts)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be two temperatures 'LOW, HIGH' in degC, got {v!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"{name} must be 'LOW, HIGH' degC with LOW < HIGH, got {v!r}")
    return lo, hi


def check_dsc_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """The DSC options of an upload, validated (None or blank: the library's default).

    Parameters
    ----------
    options
        Some of :data:`DSC_OPTIONS`: ``heating_rate_K_per_min`` (else from the file), ``exo``
        (``up``/``down`` where the file does not say), ``tg_window_C`` / ``tc_window_C``
        (``"LOW, HIGH"`` degC), ``overlap`` (``error`` or ``merge``), ``smooth_K``.

    Returns
    -------
    dict
        All of :data:`DSC_OPTIONS`, JSON-ready.

    Raises
    ------
    InputError
        Unknown keys or values that cannot be right.
    """
    o: dict[str, Any] = {k: None for k in DSC_OPTIONS}
    o.update(overlap="error", smooth_K=2.0)
    for k, v in (options or {}).items():
        if k not in o:
            raise InputError(f"DSC option {k!r} is unknown (known: {', '.join(DSC_OPTIONS)})")
        if v is not None and v != "":
            o[k] = v
    if o["exo"] is not None and o["exo"] not in ("up", "down"):
        raise InputError(f"exo must be 'up' or 'down', got {o['exo']!r}")
    if o["overlap"] not in ("error", "merge"):
        raise InputError(f"overlap must be 'error' or 'merge', got {o['overlap']!r}")
    for k in ("heating_rate_K_per_min", "smooth_K"):
        if o[k] is not None:
            v = finite(o[k])
            if v is None or v <= 0:
                raise InputError(f"{k} must be a number > 0, got {o[k]!r}")
            o[k] = v
    for k in ("tg_window_C", "tc_window_C"):
        w = _window_option(o[k], k)
        o[k] = list(w) if w else None
    return o


def dsc_analysis(path: Path, original_name: str, *, options: dict[str, Any] | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """A DTA/DSC file -> the processing layer's workflow (``analyze_dsc_files``): Tg, Tc, enthalpy, ...

    Parameters
    ----------
    path, original_name
        The stored file and its uploaded name.
    options
        See :func:`check_dsc_options`.
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    dict
        The :class:`~ssbkit.processing.dsc.DscAnalysis` as a dict (``summary``, ``glass_transition``,
        ``crystallization``, ``melting``, ``notes``), with ``source``, ``protocol`` and ``software``.

    Raises
    ------
    InputError
        The processing layer is not installed, or the file cannot be read or analysed (the
        library's message, naming the uploaded file).
    """
    fn = _dsc_function()
    if fn is None:
        raise InputError("DSC analysis needs ssbkit.processing, which this installation does not have; "
                         "the file is kept and can be analysed once it is installed")
    o = check_dsc_options(options)
    report(progress, 0, 1, f"analysing {original_name}")
    tw = {k: tuple(o[k]) if o[k] else None for k in ("tg_window_C", "tc_window_C")}
    with _named(path, original_name):
        run = fn([path], heating_rates_K_per_min=[o["heating_rate_K_per_min"]], exo=o["exo"],
                 overlap=o["overlap"], smooth_K=o["smooth_K"], **tw)
    if run.failures:
        msg = "; ".join(m for _, m in run.failures)
        raise InputError(msg.replace(str(path), original_name).replace(Path(path).name, original_name))
    (res,) = run.analyses
    d = res.as_dict()
    d.update(source=original_name, protocol=o, software=software())
    d["notes"] = list(d.get("notes") or []) + list(run.notes)
    report(progress, 1, 1, "done")
    return d


def read_dsc_info(path: Path, original_name: str, *, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the DSC reader finds in one uploaded file (checked at upload, before any analysis).

    Parameters
    ----------
    path, original_name
        The stored file and its uploaded name.
    options
        See :func:`check_dsc_options` (``heating_rate_K_per_min`` and ``exo`` are used).

    Returns
    -------
    dict
        ``instrument``, ``n_points``, ``T_min_C``, ``T_max_C``, ``heating_rate_K_per_min``,
        ``heat_flow_unit``, ``notes``; empty where the processing layer is absent.

    Raises
    ------
    SsbkitError
        The file cannot be read (the reader's message, naming the uploaded file).
    """
    import importlib

    if _dsc_function() is None:
        return {}
    dsc_io = importlib.import_module("ssbkit.processing.dsc_io")
    o = check_dsc_options(options)
    with _named(path, original_name):
        c = dsc_io.read_dsc(path, heating_rate_K_per_min=o["heating_rate_K_per_min"], exo=o["exo"])
    t = np.asarray(c.temperature_C, float)
    return {"instrument": c.instrument, "n_points": int(t.size), "T_min_C": float(t.min()),
            "T_max_C": float(t.max()), "heating_rate_K_per_min": finite(c.heating_rate_K_per_min),
            "heat_flow_unit": c.heat_flow_unit, "notes": list(c.notes)}


# ----------------------------------------------------------------------- study
def run_study_file(path: Path, original_name: str, *, out_dir: Path,
                   progress: Progress | None = None) -> dict[str, Any]:
    """A study file -> its report and results (:func:`ssbkit.study.pipeline.run_study`), not recorded.

    The study runs in ``out_dir`` (its base folder too): a study uploaded to a
    server must not read the server's files, so paths that leave that folder
    are refused.

    Parameters
    ----------
    path, original_name
        The stored TOML file and its uploaded name.
    out_dir
        Folder for ``report.html`` and ``results.json``.
    progress
        ``progress(done, total, message)``: one step per section.

    Returns
    -------
    dict
        ``status`` per section, ``report`` (file name in ``out_dir``), ``elapsed_s``, ``software``.

    Raises
    ------
    InputError
        An invalid study, or one with paths outside its folder.
    """
    from ssbkit.study.config import load_study
    from ssbkit.study.pipeline import run_study

    with _named(path, original_name):
        study = load_study(path)
    bad = paths_outside({k: v for k, v in study.items() if not k.startswith("_")})
    if bad:
        raise InputError(f"{original_name}: paths outside the study's folder are not allowed on a server: "
                         + "; ".join(bad[:5]))
    out_dir.mkdir(parents=True, exist_ok=True)
    study["_base_dir"] = str(out_dir)
    with _named(path, original_name):
        res = run_study(study, out_dir, record=False, progress=progress)
    return {"source": original_name, "status": res.status, "report": res.report_path.name,
            "elapsed_s": res.results.get("elapsed_s"), "software": software(),
            "protocol": {"study": study.get("study", {})}}


# -------------------------------------------------------------------- materials
@cache
def reduced_formula(composition: str) -> str | None:
    """Reduced formula of a composition in the field's notation, None where it does not parse.

    Parameters
    ----------
    composition
        e.g. ``75Li2S-25P2S5`` or ``Li3PS4``.

    Returns
    -------
    str or None
    """
    from ssbkit.materials import parse_composition

    try:
        return parse_composition(composition).reduced_formula
    except (SsbkitError, ValueError, KeyError):
        return None


def same_composition(a: str, b: str) -> bool:
    """Whether two compositions are the same nominal material (same reduced formula).

    Parameters
    ----------
    a, b
        Compositions in the field's notation.

    Returns
    -------
    bool
    """
    ra, rb = reduced_formula(a), reduced_formula(b)
    return (ra is not None and ra == rb) or a.strip() == b.strip()


def dataset_rows(composition: str) -> list[dict[str, Any]]:
    """Rows of the bundled literature dataset with the same nominal composition, each with its reference.

    Parameters
    ----------
    composition
        In the field's notation.

    Returns
    -------
    list of dict
        ``name, composition, form, sigma_S_per_cm, sigma_T_C, Ea_eV, reference, dataset``.
    """
    from ssbkit.materials import load_dataset

    df = load_dataset()
    out = []
    for r in df.itertuples():
        if same_composition(str(r.composition), composition):
            ea = None if r.Ea_eV != r.Ea_eV else float(r.Ea_eV)
            out.append({"name": r.name, "composition": r.composition, "form": r.form,
                        "sigma_S_per_cm": float(r.sigma_S_per_cm), "sigma_T_C": float(r.sigma_T_C),
                        "Ea_eV": ea, "reference": r.reference, "dataset": "ssbkit", "upper_bound": False})
    return out


def finite(x: Any) -> float | None:
    """``x`` as a float, None where missing or not finite.

    Parameters
    ----------
    x
        Anything.

    Returns
    -------
    float or None
    """
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
