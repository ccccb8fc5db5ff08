"""Studies in the page: the same pipeline as ``ssbkit run``, its report sandboxed, server paths refused."""

from __future__ import annotations

import json

import pytest
from web_helpers import setup_admin, wait_job

STUDY = b'''[study]
name = "glass-ceramic electrolyte from the dataset"

[electrolyte]
name = "80Li2S-20P2S5 glass-ceramic"
composition = "80Li2S-20P2S5"
source = "dataset"
'''


def _run(client, csrf, text, name="s.toml"):
    return client.post("/api/studies", files={"file": (name, text, "application/toml")},
                       headers={"X-CSRF-Token": csrf})


def test_a_study_runs_as_a_job_and_its_report_is_sandboxed(client):
    """The report's electrolyte section gives the dataset's row, like ``ssbkit run`` on the same file."""
    from ssbkit.materials import find_electrolyte

    csrf = setup_admin(client)
    r = _run(client, csrf, STUDY)
    assert r.status_code == 202, r.text
    jid = r.json()["job_id"]
    assert wait_job(client, jid, 120)["state"] == "done"
    rep = client.get(f"/api/studies/{jid}/report.html")
    assert rep.status_code == 200 and "sandbox" in rep.headers["content-security-policy"]
    res = json.loads(client.get(f"/api/studies/{jid}/results.json").text)
    assert res["status"] == {"electrolyte": "ok"}
    row = find_electrolyte("80Li2S-20P2S5 glass-ceramic")
    sec = res["sections"]["electrolyte"]["results"]
    assert sec["sigma_25C_S_per_cm"] == pytest.approx(row["sigma_S_per_cm"], rel=1e-9)  # the row is at 25 degC
    page = client.get(f"/studies/{jid}").text
    assert 'iframe class="report"' in page and "sandbox" in page


def test_a_study_that_reads_server_files_is_refused(client):
    csrf = setup_admin(client)
    bad = STUDY + b'\n[impedance]\nfiles = ["/etc/passwd"]\nthickness_cm = 0.1\ndiameter_cm = 1.0\n'
    jid = _run(client, csrf, bad).json()["job_id"]
    j = wait_job(client, jid, 60)
    assert j["state"] == "failed" and "/etc/passwd" in j["message"] and "not allowed" in j["message"]
    assert client.get(f"/api/studies/{jid}/report.html").status_code == 404
    assert _run(client, csrf, STUDY, name="s.py").status_code == 422  # only .toml
