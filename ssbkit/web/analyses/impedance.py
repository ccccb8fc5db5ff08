"""Impedance: reading uploaded spectra and the temperature series of a pellet (fits, KK, DRT, Arrhenius)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ssbkit.errors import InputError, SsbkitError
from ssbkit.progress import Progress, report

from .common import _named, _offset, _takes, software

__all__ = ["DEFAULT_PROTOCOL", "PROTOCOL_KEYS", "check_protocol", "read_impedance", "impedance_series"]

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

