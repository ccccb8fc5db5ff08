"""Exports: a sample's record as JSON (enough to redo the analysis elsewhere) and CSV tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import Response

from ssbkit import __version__

from . import analyses

__all__ = ["sample_export", "conductivity_rows", "csv_response", "CONDUCTIVITY_COLUMNS", "KINETICS_COLUMNS"]

CONDUCTIVITY_COLUMNS = ("source", "T_C", "T_K", "sigma_bulk_S_per_cm", "sigma_bulk_err_S_per_cm",
                        "sigma_gb_S_per_cm", "sigma_gb_err_S_per_cm", "sigma_total_S_per_cm",
                        "sigma_total_err_S_per_cm", "fit_success", "fit_rms_relative", "kk_valid",
                        "kk_max_residual")

#: the per-scan table of a DSC kinetics analysis (the library's per-file summary keys)
KINETICS_COLUMNS = ("file", "heating_rate_K_per_min", "tg_onset_C", "tg_midpoint_C", "tg_end_C", "delta_cp_J_per_gK",
                    "tc_onset_C", "tc_peak_C", "crystallization_enthalpy_J_per_g", "n_exotherms")


def _safe_cell(v: Any) -> Any:
    """CSV cells that a spreadsheet would run as formulas get a leading quote (CSV injection)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return "" if v is None else v


def csv_response(columns: Sequence[str], rows: Iterable[dict[str, Any]], filename: str) -> Response:
    """A CSV download.

    Parameters
    ----------
    columns
        Column names (keys of the rows).
    rows
        Dicts.
    filename
        Download name (ASCII).

    Returns
    -------
    fastapi.responses.Response
    """
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([_safe_cell(r.get(c)) for c in columns])
    return Response(buf.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def conductivity_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per spectrum of an impedance analysis.

    Parameters
    ----------
    result
        From :func:`ssbkit.web.analyses.impedance_series`.

    Returns
    -------
    list of dict
    """
    rows = []
    spectra = result.get("spectra", [])
    for i, f in enumerate(result.get("fits", [])):
        kk = (spectra[i].get("kk") if i < len(spectra) else None) or {}
        rows.append({
            "source": f.get("source"), "T_C": result["temperatures_C"][i], "T_K": result["temperatures_K"][i],
            **{f"sigma_{k}_S_per_cm": result[f"sigma_{k}_S_per_cm"][i] for k in ("bulk", "gb", "total")},
            **{f"sigma_{k}_err_S_per_cm": result[f"sigma_{k}_S_per_cm_err"][i] for k in ("bulk", "gb", "total")},
            "fit_success": f.get("success"), "fit_rms_relative": f.get("rms_relative"),
            "kk_valid": kk.get("valid"), "kk_max_residual": kk.get("max_residual")})
    return rows


def sample_export(view: dict[str, Any]) -> dict[str, Any]:
    """A sample's full record: fields, pellet, measurements (names, hashes), every current analysis with
    its protocol, software and data, and how to redo it with the library.

    Parameters
    ----------
    view
        From :func:`ssbkit.web.repo.sample_view`.

    Returns
    -------
    dict
    """
    s = view["sample"]
    return {
        "format": "ssbkit-sample-export/1", "ssbkit_version": __version__,
        "sample": {k: s[k] for k in ("id", "name", "composition", "batch", "operator", "created_at")} | {
            "details": s["details"], "reduced_formula": analyses.reduced_formula(s["composition"])},
        "measurements": [{k: m.get(k) for k in ("id", "kind", "original_name", "size_bytes", "sha256",
                                                "temperature_c", "status", "message", "info", "file_id")}
                         | {"download": f"/api/files/{m['file_id']}"} for m in view["measurements"]],
        "analyses": [{k: a.get(k) for k in ("id", "kind", "measurement_id", "status", "message", "protocol",
                                            "software", "result", "created_at", "current")}
                     for a in view["analyses"]],
        "lab_protocol": view["lab_protocol"],
        "redo": ("from ssbkit.impedance.readers import read_spectra; "
                 "from ssbkit.impedance.series import conductivity_series; "
                 "spectra = [s for p in files for s in read_spectra(p)]; "
                 "cs = conductivity_series(spectra, thickness_cm=..., diameter_cm=..., "
                 "circuit=protocol['circuit'], weighting=protocol['weighting'], "
                 "form=protocol['arrhenius_form'], shared=protocol['shared'] or None)"),
        "redo_dsc_kinetics": ("from ssbkit.processing.thermal import analyze_dsc_files; "
                              "run = analyze_dsc_files(files, heating_rates_K_per_min=protocol['heating_rates_K_per_min'], "
                              "exo=protocol['exo'], tg_window_C=protocol['tg_window_C'], "
                              "tc_window_C=protocol['tc_window_C'], overlap=protocol['overlap'], "
                              "smooth_K=protocol['smooth_K']); run.kinetics.kissinger"),
    }
