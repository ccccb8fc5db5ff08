"""The pipeline: report.html, results.json and the store record."""

from __future__ import annotations

import json

from ssbkit.store import open_store
from ssbkit.study.config import validate_study
from ssbkit.study.pipeline import run_study


def test_run_writes_report_results_and_record(tmp_path):
    st = validate_study({"study": {"name": "pipe"}, "electrolyte": {"name": "LGPS"}})
    db = f"sqlite:///{tmp_path / 'r.db'}"
    res = run_study(st, tmp_path / "out", db_url=db)
    assert res.ok
    data = json.loads(res.results_path.read_text())
    assert data["sections"]["electrolyte"]["results"]["sigma_25C_S_per_cm"] > 1e-3
    html = res.report_path.read_text()
    assert "Kamaya" in html and "S/cm" in html and "<img" in html
    rec = open_store(db).get(res.run_id)
    assert rec.status == "ok" and rec.versions["numpy"]


def test_a_failing_section_is_reported_and_the_rest_runs(tmp_path):
    st = validate_study({"electrolyte": {"name": "x", "source": "impedance"}})
    res = run_study(st, tmp_path / "o", record=False)
    assert res.status == {"electrolyte": "failed"}
    assert "impedance" in res.results["sections"]["electrolyte"]["warnings"][0]
    assert "failed" in res.report_path.read_text()
