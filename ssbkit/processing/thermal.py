"""One workflow for DTA/DSC files: read -> analyse each -> kinetics over the heating rates.

Called by ``ssbkit dsc``, the study's ``[thermal]`` table and the web app alike.
A file that cannot be read or analysed is recorded in ``failures`` and the
rest goes on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, SsbkitError
from ..progress import Progress, report
from ..records import Record
from .dsc import DscAnalysis, analyze_dsc
from .dsc_io import DscCurve, read_dsc
from .kinetics import CrystallizationKinetics, crystallization_kinetics

__all__ = ["DscRun", "analyze_dsc_files"]


@dataclass(frozen=True)
class DscRun(Record):
    """Result of :func:`analyze_dsc_files`.

    Attributes
    ----------
    curves, analyses
        The scans read and analysed (same order as the files that succeeded).
    failures
        ``(file, message)`` for each file that failed.
    kinetics
        Kissinger/Ozawa/Matusita-Sakka when two or more scans at different rates have an exotherm.
    notes
    """

    curves: tuple[DscCurve, ...]
    analyses: tuple[DscAnalysis, ...]
    failures: tuple[tuple[str, str], ...] = ()
    kinetics: CrystallizationKinetics | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every file was analysed."""
        return not self.failures

    def summary(self) -> dict:
        """``files`` (one flat dict per scan), ``kinetics`` and ``failures`` with units in the keys.

        Returns
        -------
        dict
            JSON-ready summary.
        """
        files = [{"file": a.source, **a.summary()} for a in self.analyses]
        out: dict = {"files": files, "failures": [{"file": f, "error": m} for f, m in self.failures]}
        out["kinetics"] = self.kinetics.summary() if self.kinetics else None
        out["notes"] = list(self.notes)
        return out


def analyze_dsc_files(
    paths: Sequence[str | Path],
    *,
    heating_rates_K_per_min: Sequence[float | None] | None = None,
    fmt: str = "auto",
    exo: str | None = None,
    tg_window_C: tuple[float, float] | None = None,
    tc_window_C: tuple[float, float] | None = None,
    tm_C: float | None = None,
    overlap: str = "error",
    smooth_K: float = 2.0,
    segment: int | None = None,
    progress: Progress | None = None,
) -> DscRun:
    """Read and analyse DTA/DSC files; with several heating rates, the crystallization kinetics.

    Parameters
    ----------
    paths : sequence of path
        Instrument exports or CSV files.
    heating_rates_K_per_min : sequence of float or None, optional
        One per file (None: from the file); required for files without rate and time.
    fmt, exo
        Passed to :func:`~ssbkit.processing.dsc_io.read_dsc`.
    tg_window_C, tc_window_C, tm_C, overlap, smooth_K
        Passed to :func:`~ssbkit.processing.dsc.analyze_dsc`.
    segment : int, optional
        Programme segment to read from exports with a ``Segment`` column.
    progress : Progress, optional
        ``progress(done, total, message)`` per file.

    Returns
    -------
    DscRun
        Per-file results, failures and kinetics.
    """
    paths = list(paths)
    if not paths:
        raise InputError("no DSC/DTA files given")
    rates = list(heating_rates_K_per_min) if heating_rates_K_per_min is not None else [None] * len(paths)
    if len(rates) != len(paths):
        raise InputError(f"{len(rates)} heating rates for {len(paths)} files: give one per file")
    curves, analyses, failures = [], [], []
    for k, (p, r) in enumerate(zip(paths, rates, strict=True)):
        try:
            c = read_dsc(p, heating_rate_K_per_min=r, fmt=fmt, exo=exo, segment=segment)
            a = analyze_dsc(c, tg_window_C=tg_window_C, tc_window_C=tc_window_C, tm_C=tm_C,
                            overlap=overlap, smooth_K=smooth_K)
        except SsbkitError as exc:
            failures.append((str(p), str(exc)))
        else:
            curves.append(c)
            analyses.append(a)
        report(progress, k + 1, len(paths), str(p))
    notes: list[str] = []
    kin = None
    usable = [(c, a) for c, a in zip(curves, analyses, strict=True) if a.crystallization]
    distinct = {round(c.heating_rate_K_per_min, 6) for c, _ in usable}
    if len(distinct) >= 2:
        try:
            kin = crystallization_kinetics([c for c, _ in usable], [a for _, a in usable])
        except InputError as exc:
            notes.append(f"no kinetics: {exc}")
    elif len(curves) > 1:
        notes.append("kinetics need exotherms at two or more different heating rates")
    if curves and all(not math.isfinite(a.tg_onset_C) for a in analyses):
        notes.append("no glass transition found in any file (give tg_window_C to search a range)")
    return DscRun(curves=tuple(curves), analyses=tuple(analyses), failures=tuple(failures),
                  kinetics=kin, notes=tuple(notes))
