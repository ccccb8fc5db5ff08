"""Run a study: its sections in order, then the report, results.json and a store record."""

from __future__ import annotations

import importlib
import json
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, SsbkitError
from ..jsonio import to_jsonable
from .config import SECTION_MODULES
from .report import render_report
from .section import Section, StudyContext

__all__ = ["StudyResult", "run_study", "RUN_TABLES", "to_jsonable"]

#: tables that trigger a section (anode/separator are read by the cell section)
RUN_TABLES = ("impedance", "atomistic", "synthesis", "thermal", "heat_treatment", "electrolyte", "cathode", "cell")


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


def run_study(
    study: dict[str, Any],
    out_dir: str | Path,
    *,
    db_url: str | None = None,
    record: bool = True,
    progress=None,
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
        Optional callable ``progress(table)`` called before each section.
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
    with open(out / "errors.log", "w", encoding="utf-8") as log:
        for table in RUN_TABLES:
            if table not in study:
                continue
            cfg = study[table]
            if isinstance(cfg, dict) and cfg.get("enabled") is False:
                continue
            if progress:
                progress(table)
            sec, st = _run_one(table, ctx, log)
            sections.append(sec)
            status[sec.key] = st
            ctx.results[sec.key] = sec.results
    if (out / "errors.log").stat().st_size == 0:
        (out / "errors.log").unlink()
    elapsed = time.perf_counter() - t0
    results = to_jsonable({
        "study": {k: v for k, v in study.items() if not k.startswith("_")},
        "ssbkit_version": __version__,
        "started_at": started,
        "elapsed_s": elapsed,
        "status": status,
        "sections": {s.key: s.to_dict() for s in sections},
    })
    results_path = out / "results.json"
    results_path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    report_path = out / "report.html"
    report_path.write_text(render_report(study, sections, status=status, elapsed_s=elapsed), encoding="utf-8")
    run_id = None
    if record:
        from ..store import input_key, open_store

        inputs = results["study"]
        store = open_store(db_url)
        run_id = store.record(
            kind="run",
            name=str(study.get("study", {}).get("name", "study")),
            inputs=inputs,
            outputs={"status": status, "out_dir": str(out.resolve()), "sections": results["sections"]},
            status="ok" if all(v == "ok" for v in status.values()) else "failed",
            message="; ".join(f"{k}: {v}" for k, v in status.items() if v != "ok"),
            key=input_key(inputs),
            started_at=started,
        )
    return StudyResult(out, report_path, results_path, results, status, run_id)
