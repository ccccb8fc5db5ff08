"""Cycling data: cycler-export readers and per-cycle analysis (CE, retention, dQ/dV)."""

from __future__ import annotations

from .analysis import CycleSummary, cycles_to_fraction, dqdv, segments, summarize_cycles
from .readers import FORMATS, CyclerData, read_cycler_file

__all__ = [
    "CyclerData",
    "read_cycler_file",
    "FORMATS",
    "CycleSummary",
    "summarize_cycles",
    "cycles_to_fraction",
    "dqdv",
    "segments",
]
