"""Run a study: its sections in order, then the report, results.json and a store record."""

from __future__ import annotations

import importlib
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..citations import collect_citations
from ..errors import InputError, SsbkitError
from ..jsonio import to_jsonable, write_json, write_text_atomic
from ..progress import Progress, report
from ..provenance import software_versions
from .config import SECTION_MODULES
from .report import render_report
from .section import Section, StudyContext

__all__ = ["StudyResult", "run_study", "RUN_TABLES", "to_jsonable"]

#: tables that trigger a section (anode/separator are read by the cell section)
RUN_TABLES = ("impedance", "atomistic", "electrolyte", "cathode", "cell")


@dataclass
class StudyResult:
    """What :func:`run_study` produced."""

    out_dir: Path
    report_path: Path
    results_path: Path
    results: dict[str, Any]
    status: dict[str, str] = field(default_factory=dict)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.status.values())


def _run_one(table: str, ctx: StudyContext, log) -> tuple[Section, str]:
    cfg = ctx.study[table]
    with collect_citations() as used:
        sec, status = _run_section(table, cfg, ctx, log)
    sec.citations = list(dict.fromkeys([*sec.citations, *used]))
    return sec, status


def _run_section(table: str, cfg: dict, ctx: StudyContext, log) -> tuple[Section, str]:
    try:
        mod = importlib.import_module(SECTION_MODULES[table])
        sec = mod.run_section(cfg, ctx)
        return sec, "ok"
    except SsbkitError as exc:
        msg = str(exc)
    except Exception as exc:  # a bug or a library failure: keep the other sections
        msg = f"internal error: {type(exc).__name__}: {exc} (details in errors.log)"
        log.write(f"[{table}]\n{traceback.format_exc()}\n")
    sec = Section(key=table, title=f"{table.capitalize()} (failed)", warnings=[msg])
    sec.results = {"error": msg}
    return sec, "failed"


def _within(progress: Progress | None, i: int, n: int, table: str) -> Progress | None:
    """Map a section's own ``(done, total)`` onto the study's bar (section ``i`` of ``n``)."""
    if progress is None:
        return None

    def sub(done: float, total: float, message: str = "") -> None:
        frac = min(max(done / total, 0.0), 1.0) if total else 0.0
        progress(i + frac, n, f"[{table}] {message}")

    return sub


def _results_doc(study: dict, sections: list[Section], status: dict[str, str], *, started: str,
                 elapsed: float) -> dict[str, Any]:
    """The ``results.json`` document: inputs, provenance, status, citations and each section's record."""
    return to_jsonable({
        "study": {k: v for k, v in study.items() if not k.startswith("_")},
        "ssbkit_version": __version__,
        "software": software_versions(),
        "started_at": started,
        "elapsed_s": elapsed,
        "status": status,
        "warnings": list(study.get("_warnings", [])),
        "citations": list(dict.fromkeys(k for s in sections for k in s.citations)),
        "sections": {s.key: s.to_dict() for s in sections},
    })


def _record(study: dict, results: dict, out: Path, *, db_url: str | None, started: str) -> int:
    """Store the run (kind ``run``) and return its id."""
    from ..store import input_key, open_store

    status = results["status"]
    inputs = results["study"]
    return open_store(db_url).record(
        kind="run",
        name=str(study.get("study", {}).get("name", "study")),
        inputs=inputs,
        outputs={"status": status, "out_dir": str(out.resolve()), "citations": results["citations"],
                 "sections": results["sections"]},
        status="ok" if all(v == "ok" for v in status.values()) else "failed",
        message="; ".join(f"{k}: {v}" for k, v in status.items() if v != "ok"),
        key=input_key(inputs),
        started_at=started,
    )


def run_study(
    study: dict[str, Any],
    out_dir: str | Path,
    *,
    db_url: str | None = None,
    record: bool = True,
    progress: Progress | None = None,
) -> StudyResult:
    """Run every section the study asks for and write ``report.html`` and ``results.json``.

    Parameters
    ----------
    study
        A validated study (:func:`ssbkit.study.config.load_study`).
    out_dir
        Folder for the report, results and section files (created).
    db_url
        Results store URL (default: the user's SQLite store, or ``$SSBKIT_DB``).
    record
        Store the run in the results database.
    progress
        ``progress(done, total, message)`` (:mod:`ssbkit.progress`): ``done`` counts
        sections, with fractions while a section reports its own progress.

    Returns
    -------
    StudyResult
        Paths of the report and results, the results dict and each section's status.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder {str(out)!r}: {exc.strerror}") from None
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    ctx = StudyContext(study=study, out_dir=out)
    sections: list[Section] = []
    status: dict[str, str] = {}
    tables = [t for t in RUN_TABLES if t in study
              and not (isinstance(study[t], dict) and study[t].get("enabled") is False)]
    with open(out / "errors.log", "w", encoding="utf-8") as log:
        for i, table in enumerate(tables):
            report(progress, i, len(tables), f"[{table}]")
            ctx.progress = _within(progress, i, len(tables), table)
            sec, st = _run_one(table, ctx, log)
            sections.append(sec)
            status[sec.key] = st
            ctx.results[sec.key] = sec.results
    report(progress, len(tables), len(tables), "report")
    if (out / "errors.log").stat().st_size == 0:
        (out / "errors.log").unlink()
    elapsed = time.perf_counter() - t0
    results = _results_doc(study, sections, status, started=started, elapsed=elapsed)
    results_path = write_json(out / "results.json", results)
    report_path = write_text_atomic(
        out / "report.html",
        render_report(study, sections, status=status, elapsed_s=elapsed, warnings=study.get("_warnings", [])))
    run_id = _record(study, results, out, db_url=db_url, started=started) if record else None
    return StudyResult(out, report_path, results_path, results, status, run_id)
