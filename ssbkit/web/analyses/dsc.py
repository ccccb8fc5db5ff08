"""DTA/DSC: the processing layer's one workflow (``analyze_dsc_files``) on one upload or on a heating-rate set."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ssbkit.errors import InputError
from ssbkit.progress import Progress, report

from .common import _named, _offset, finite, software

__all__ = ["DSC_OPTIONS", "KINETICS_MIN_FILES", "dsc_available", "check_dsc_options", "dsc_analysis",
           "read_dsc_info", "check_kinetics_set", "dsc_kinetics"]

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



# ------------------------------------------------------------ kinetics (several heating rates)
#: fewer files than this: no kinetics job (two rates give a line but no interval on Ea)
KINETICS_MIN_FILES = 3


def _renamed(msg: str, names: dict[str, str]) -> str:
    """``msg`` with each stored path (and its file name) replaced by the uploaded name."""
    for stored, original in names.items():
        msg = msg.replace(stored, original).replace(Path(stored).name, original)
    return msg


def check_kinetics_set(names: Sequence[str], rates: Sequence[float | None]) -> list[float]:
    """The heating rates of a kinetics set, refused when too few, missing or repeated.

    Parameters
    ----------
    names
        Uploaded file names, one per scan.
    rates
        Their heating rates, K/min (None: unknown).

    Returns
    -------
    list of float
        The rates, K/min.

    Raises
    ------
    InputError
        Fewer than :data:`KINETICS_MIN_FILES` files, a file without a heating rate, or two files at
        the same rate; the message names the files.

    Examples
    --------
    >>> check_kinetics_set(["a.csv", "b.csv", "c.csv"], [5, 10, 20])
    [5.0, 10.0, 20.0]
    """
    if len(names) != len(rates):
        raise InputError(f"{len(rates)} heating rates for {len(names)} files: give one per file")
    if len(names) < KINETICS_MIN_FILES:
        raise InputError(f"DSC kinetics need scans at {KINETICS_MIN_FILES} or more heating rates, got "
                         f"{len(names)}: {', '.join(names) or 'no file'}")
    vals = [finite(r) for r in rates]
    missing = [n for n, v in zip(names, vals, strict=True) if v is None or v <= 0]
    if missing:
        raise InputError("no heating rate for " + ", ".join(missing) +
                         ": give it on the upload or with the kinetics (K/min)")
    out = [v for v in vals if v is not None]
    by_rate: dict[float, list[str]] = {}
    for n, r in zip(names, out, strict=True):
        by_rate.setdefault(round(r, 6), []).append(n)
    dup = [f"{', '.join(ns)} ({r:g} K/min)" for r, ns in by_rate.items() if len(ns) > 1]
    if dup:
        raise InputError("the same heating rate for " + "; ".join(dup) +
                         ": kinetics need one scan per rate (leave repeats out)")
    return out


def dsc_kinetics(files: Sequence[tuple[Path, str, float | None]], *, options: dict[str, Any] | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Scans of one sample at several heating rates -> the processing layer's workflow with kinetics.

    One call of ``analyze_dsc_files`` on all the files: Tg/Tc of each scan, Kissinger and Ozawa
    activation energies with their intervals, the Matusita-Sakka Avrami exponent.

    Parameters
    ----------
    files
        ``(stored path, uploaded name, heating rate K/min or None)`` per scan.
    options
        See :func:`check_dsc_options` (``heating_rate_K_per_min`` is per file here, not an option).
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    dict
        ``files`` (one row per scan: uploaded name and the library's per-scan summary), ``kinetics``
        (the library's flat summary), ``kissinger``, ``ozawa``, ``avrami`` (its fit records), ``notes``,
        ``references``, ``source`` (the uploaded names), ``protocol`` and ``software``.

    Raises
    ------
    InputError
        The processing layer is absent; too few files, missing or repeated rates (see
        :func:`check_kinetics_set`); a file that cannot be read or analysed, or has no crystallization
        exotherm; no kinetics from the set (the library's message, naming the uploaded files).
    """
    fn = _dsc_function()
    if fn is None:
        raise InputError("DSC kinetics need ssbkit.processing, which this installation does not have")
    names = [n for _, n, _ in files]
    rates = check_kinetics_set(names, [r for _, _, r in files])
    o = check_dsc_options({**(options or {}), "heating_rate_K_per_min": None})
    o.pop("heating_rate_K_per_min")
    stored = {str(p): n for p, n, _ in files}
    tw = {k: tuple(o[k]) if o[k] else None for k in ("tg_window_C", "tc_window_C")}
    report(progress, 0, 2, f"analysing {len(files)} scans")
    run = fn([p for p, _, _ in files], heating_rates_K_per_min=rates, exo=o["exo"], overlap=o["overlap"],
             smooth_K=o["smooth_K"], progress=_offset(progress, 0, 2), **tw)
    if run.failures:
        raise InputError("kinetics need every scan of the set: " +
                         "; ".join(_renamed(m, stored) for _, m in run.failures))
    no_exo = [n for n, a in zip(names, run.analyses, strict=True) if not a.crystallization]
    if no_exo:
        raise InputError("no crystallization exotherm in " + ", ".join(no_exo) +
                         ": leave it out or give tc_window_C")
    if run.kinetics is None:
        raise InputError("no kinetics from " + ", ".join(names) + ": " +
                         _renamed("; ".join(run.notes) or "the library gave none", stored))
    report(progress, 1, 2, "kinetics")
    kin = run.kinetics
    summ = run.summary()
    rows = [{**row, "file": n} for row, n in zip(summ["files"], names, strict=True)]
    out: dict[str, Any] = {
        "source": names, "files": rows, "kinetics": summ["kinetics"],
        "kissinger": kin.kissinger.as_dict(), "ozawa": kin.ozawa.as_dict(),
        "avrami": kin.avrami.as_dict() if kin.avrami is not None else None,
        "notes": [_renamed(n, stored) for n in (*run.notes, *kin.notes)], "references": list(kin.references),
        "protocol": {**o, "heating_rates_K_per_min": rates, "files": names, "workflow": "analyze_dsc_files"},
        "software": software()}
    report(progress, 2, 2, "done")
    return out
