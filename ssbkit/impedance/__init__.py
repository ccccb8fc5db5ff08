"""Impedance spectroscopy: read spectra, fit circuits, validate (KK, DRT), temperature series.

Modules (one job each): :mod:`.spectrum` (the record), :mod:`.readers`
(instrument files), :mod:`.elements` and :mod:`.circuit` (the circuit
language), :mod:`.startvalues`, :mod:`.fit`, :mod:`.fitresult` and
:mod:`.globalfit` (fitting), :mod:`.kk` and
:mod:`.drt` (validation), :mod:`.series` (temperature series ->
conductivity -> Ea), :mod:`.plots`, ``ssbkit eis`` lives in :mod:`ssbkit.cli.eis`,
the ``[impedance]`` study table in :mod:`ssbkit.study.sections.impedance`.

The names below are imported lazily on first use, so that ``import
ssbkit.impedance`` stays fast (scipy and matplotlib load only when needed).

Example
-------
>>> from ssbkit.impedance import parse_circuit, fit_circuit
>>> c = parse_circuit("R0-p(R1,CPE1)-CPE2")
"""

from __future__ import annotations

import importlib

__all__ = [
    # spectrum and readers (helper 3A)
    "Spectrum",
    "make_spectrum",
    "read_spectra",
    "read_spectrum",
    "temperature_from_name",
    "FORMATS",
    # circuit language
    "Element",
    "register_element",
    "get_element",
    "element_names",
    "evaluate_element",
    "Circuit",
    "parse_circuit",
    # fitting
    "FitResult",
    "Arc",
    "fit_circuit",
    "fit_many",
    "label_capacitance",
    "start_values",
    # validation (helper 3A)
    "KKResult",
    "kk_test",
    "DRTResult",
    "compute_drt",
    # series
    "DEFAULT_PELLET_CIRCUIT",
    "ConductivitySeries",
    "fit_series",
    "fit_global",
    "conductivity_series",
    "tortuosity_from_r_ion",
    # figures
    "plot_nyquist",
    "plot_bode",
    "plot_residuals",
    "plot_fit",
    "plot_drt",
    "plot_kk",
    "plot_arrhenius",
]

_WHERE = {
    "Spectrum": "spectrum",
    "make_spectrum": "spectrum",
    "read_spectra": "readers",
    "read_spectrum": "readers",
    "temperature_from_name": "readers",
    "FORMATS": "readers",
    "Element": "elements",
    "register_element": "elements",
    "get_element": "elements",
    "element_names": "elements",
    "evaluate_element": "elements",
    "Circuit": "circuit",
    "parse_circuit": "circuit",
    "FitResult": "fitresult",
    "Arc": "fitresult",
    "fit_circuit": "fit",
    "fit_many": "fit",
    "label_capacitance": "fitresult",
    "start_values": "startvalues",
    "KKResult": "kk",
    "kk_test": "kk",
    "DRTResult": "drt",
    "compute_drt": "drt",
    "DEFAULT_PELLET_CIRCUIT": "series",
    "ConductivitySeries": "series",
    "fit_series": "series",
    "fit_global": "globalfit",
    "conductivity_series": "series",
    "tortuosity_from_r_ion": "series",
    "plot_nyquist": "plots",
    "plot_bode": "plots",
    "plot_residuals": "plots",
    "plot_fit": "plots",
    "plot_drt": "plots",
    "plot_kk": "plots",
    "plot_arrhenius": "plots",
}


def __getattr__(name: str):
    try:
        mod = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'ssbkit.impedance' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
