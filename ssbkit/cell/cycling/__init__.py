"""Cycling data: cycler-export readers and per-cycle analysis (CE, retention, dQ/dV).

Readers are registered in :mod:`ssbkit.cell.cycling.registry`;
:func:`cycling_summary` is the one workflow the CLI, the study and the web app call.
"""

from __future__ import annotations

from .data import CyclerData, InstrumentCycles
from .registry import FORMAT_NAMES, FORMATS, detect_format, read_cycler_file
from .summary import CycleSummary, cycles_to_fraction, dqdv, segments, summarize_cycles
from .workflow import CyclingBatch, CyclingFailure, cycling_summary

__all__ = [
    "CyclerData",
    "InstrumentCycles",
    "read_cycler_file",
    "detect_format",
    "FORMATS",
    "FORMAT_NAMES",
    "CycleSummary",
    "summarize_cycles",
    "cycles_to_fraction",
    "dqdv",
    "segments",
    "cycling_summary",
    "CyclingBatch",
    "CyclingFailure",
]
