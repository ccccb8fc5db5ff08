"""The cycling workflow: files in, per-cycle summaries out; a bad file is reported, not fatal.

:func:`cycling_summary` is what ``ssbkit cell cycling``, the study and the web
app call. Mass, area and nominal capacity come from the arguments or from a
stack design (active loading x area; practical areal capacity x area).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError, SsbkitError
from ...progress import Progress, report
from ...records import Record
from .registry import read_cycler_file
from .summary import CycleSummary, summarize_cycles

__all__ = ["CyclingFailure", "CyclingBatch", "cycling_summary", "design_quantities"]


@dataclass(frozen=True)
class CyclingFailure(Record):
    """A file that could not be read or summarised, and why."""

    path: str
    error: str
    kind: str = "FileFormatError"


@dataclass(frozen=True)
class CyclingBatch(Record):
    """Summaries of the files that were read and the failures of those that were not.

    Attributes
    ----------
    summaries
        One :class:`CycleSummary` per file read (``source`` names the file).
    failures
        One :class:`CyclingFailure` per file that failed.
    points
        Number of data points read from each file, aligned with ``summaries``.
    """

    summaries: tuple[CycleSummary, ...]
    failures: tuple[CyclingFailure, ...]
    points: tuple[int, ...] = ()
    mass_mg: float | None = None
    area_cm2: float | None = None
    nominal_mAh: float | None = None

    @property
    def status(self) -> str:
        """``"ok"``, ``"partial"`` (some files failed) or ``"failed"`` (all did)."""
        if not self.failures:
            return "ok"
        return "partial" if self.summaries else "failed"


def design_quantities(design: Any) -> dict[str, float]:
    """Active mass (mg), area (cm2) and nominal capacity (mAh) of a stack design.

    Parameters
    ----------
    design
        A :class:`~ssbkit.cell.design.StackDesign` or the path of a design TOML.

    Returns
    -------
    dict
        ``mass_mg`` (cathode active loading x area), ``area_cm2`` and
        ``nominal_mAh`` (practical areal capacity x area).
    """
    if isinstance(design, str | Path):
        from ..design_file import load_design

        design = load_design(design)
    area = float(design.area_cm2)
    return {"mass_mg": float(design.cathode.loading_mg_cm2) * area, "area_cm2": area,
            "nominal_mAh": float(design.cathode.areal_capacity_mAh_cm2()) * area}


def cycling_summary(
    paths: Sequence[str | Path] | str | Path,
    *,
    format: str = "auto",
    columns: Mapping[str, str] | None = None,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    nominal_mAh: float | None = None,
    design: Any = None,
    ce_convention: str = "discharge/charge",
    progress: Progress | None = None,
) -> CyclingBatch:
    """Read and summarise every file; keep going past a bad one.

    Parameters
    ----------
    paths
        One or more cycler exports (any registered format).
    format
        Format name, or ``auto`` to sniff each file.
    columns
        Column map for generic files (see :func:`~ssbkit.cell.cycling.read_cycler_file`).
    mass_mg, area_cm2, nominal_mAh
        Active mass, electrode area, nominal capacity; each overrides the design.
        Without mass, capacities are plain mAh.
    design
        A stack design (record or TOML path) giving the three quantities.
    ce_convention
        ``"discharge/charge"`` or ``"charge/discharge"``.
    progress
        ``progress(done, total, message)`` after each file.

    Returns
    -------
    CyclingBatch
        Summaries of the files read, failures of the others.
    """
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    if not files:
        raise InputError("no cycling files given")
    q: dict[str, float | None] = {"mass_mg": None, "area_cm2": None, "nominal_mAh": None}
    if design is not None:
        q.update(design_quantities(design))
    for key, v in (("mass_mg", mass_mg), ("area_cm2", area_cm2), ("nominal_mAh", nominal_mAh)):
        if v is not None:
            q[key] = v
    if ce_convention not in ("discharge/charge", "charge/discharge"):
        raise InputError(f"ce_convention must be 'discharge/charge' or 'charge/discharge', got {ce_convention!r}")
    for name, v in q.items():
        if v is not None and not (v == v and 0 < v < float("inf")):
            raise InputError(f"{name} must be > 0, got {v!r}")
    summaries: list[CycleSummary] = []
    failures: list[CyclingFailure] = []
    points: list[int] = []
    for k, f in enumerate(files):
        try:
            data = read_cycler_file(f, format=format, columns=columns)
            summaries.append(summarize_cycles(data, ce_convention=ce_convention, mass_mg=q["mass_mg"],
                                              area_cm2=q["area_cm2"], nominal_mAh=q["nominal_mAh"]))
            points.append(len(data))
        except SsbkitError as exc:
            failures.append(CyclingFailure(str(f), str(exc), type(exc).__name__))
        report(progress, k + 1, len(files), str(f))
    return CyclingBatch(tuple(summaries), tuple(failures), tuple(points), **q)
