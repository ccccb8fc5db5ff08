"""DTA/DSC uploads run the processing layer's one workflow (``analyze_dsc_files``): the numbers
returned and shown are the library's on the same file with the same options, a synthetic scan gives
its analytic constructions, and a broken file is reported while the rest of the upload is kept."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from web_helpers import create_sample, setup_admin, wait_job

pytest.importorskip("ssbkit.processing.thermal", reason="DSC uploads need the processing layer")

from ssbkit.processing.thermal import analyze_dsc_files  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "processing" / "fixtures"
KEYS = ("tg_onset_C", "tg_midpoint_C", "tg_end_C", "tc_onset_C", "tc_peak_C",
        "crystallization_enthalpy_J_per_g", "delta_cp_J_per_gK", "heating_rate_K_per_min")


def _post(client, csrf, sid, files, **form):
    return client.post(f"/api/samples/{sid}/measurements", data={"kind": "dsc", **form},
                       headers={"X-CSRF-Token": csrf},
                       files=[("files", (name, data, "text/csv")) for name, data in files])


def _analysed(client, sid) -> dict:
    """Current DSC analyses of the sample by uploaded name."""
    view = client.get(f"/api/samples/{sid}").json()
    return {a["result"]["source"] if a["result"] else a["message"]: a for a in view["analyses"] if a["kind"] == "dsc"}


def _shown(html: str, mid: int) -> dict[str, str]:
    """The numbers of the DSC table of measurement ``mid`` as the page shows them."""
    m = re.search(rf'<table class="data kv dsc" id="dsc-{mid}">(.*?)</table>', html, re.S)
    assert m, f"no DSC table for measurement {mid}"
    return dict(re.findall(r'<tr data-key="([^"]+)"><th>[^<]*</th><td>([^<]*)</td>', m.group(1)))


def _assert_same_as_library(result: dict, lib_summary: dict, html: str, mid: int) -> None:
    shown = _shown(html, mid)
    for k in KEYS:
        want = lib_summary[k]
        if math.isfinite(want):
            assert result["summary"][k] == want, k  # the same workflow: identical, not close
            assert shown[k] == f"{want:.4g}", k
        else:
            assert result["summary"][k] is None and k not in shown, k  # NaN -> null, not shown


def _logistic_step_and_gaussian(t):
    """Glass step 0.05 W/g (logistic, Tg 210 degC, width s = 3 K) + exotherm 0.8 W/g (Gaussian,
    Tp 270 degC, sigma 5 K) on a sloped baseline, at 10 K/min.

    Analytic ASTM E1356 constructions: the tangent at a logistic's inflection meets the baselines at
    Tg -/+ 2 s (onset 204, end 216 degC); the tangent at the Gaussian's inflection meets the baseline at
    Tp - 2 sigma (260 degC); enthalpy = 0.8 * 5 * sqrt(2 pi) / (10/60 K/s) = 60.16 J/g; delta cp =
    0.05 / (10/60) = 0.30 J/(g K)."""
    return 0.1 + 1e-4 * t - 0.05 / (1 + np.exp(-(t - 210.0) / 3.0)) + 0.8 * np.exp(-(t - 270.0) ** 2 / 50.0)


def test_synthetic_scan_gives_the_analytic_tg_tc_and_enthalpy_and_the_library_numbers(client, tmp_path):
    """Accuracy of the construction on a 0.2 K grid (as tests/processing/test_dsc.py states it):
    Tg onset/end +-0.3 K, midpoint +-0.2 K, Tc onset +-0.1 K, peak +-0.05 K, enthalpy 1.5 %, delta cp 3 %.
    The file has neither a rate nor a time column: the heating rate comes from the upload form."""
    t = np.arange(100.0, 400.0, 0.2)
    path = tmp_path / "glass_10K.csv"
    path.write_text("Temperature (°C),Heat Flow (W/g)\n" +
                    "\n".join(f"{a:.3f},{b:.6e}" for a, b in zip(t, _logistic_step_and_gaussian(t), strict=True)),
                    encoding="utf-8")
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    body = _post(client, csrf, sid, [(path.name, path.read_bytes())], heating_rate_K_per_min="10", exo="up").json()
    (m,) = body["measurements"]
    assert m["status"] == "ok" and m["info"]["heating_rate_K_per_min"] == 10.0, m
    assert wait_job(client, body["jobs"][0])["state"] == "done"
    (a,) = _analysed(client, sid).values()
    r = a["result"]
    s = r["summary"]
    assert s["tg_onset_C"] == pytest.approx(204.0, abs=0.3)
    assert s["tg_midpoint_C"] == pytest.approx(210.0, abs=0.2)
    assert s["tg_end_C"] == pytest.approx(216.0, abs=0.3)
    assert s["tc_onset_C"] == pytest.approx(260.0, abs=0.1)
    assert s["tc_peak_C"] == pytest.approx(270.0, abs=0.05)
    assert s["crystallization_enthalpy_J_per_g"] == pytest.approx(0.8 * 5 * math.sqrt(2 * math.pi) / (10 / 60),
                                                                  rel=0.015)
    assert s["delta_cp_J_per_gK"] == pytest.approx(0.30, rel=0.03)
    lib = analyze_dsc_files([path], heating_rates_K_per_min=[10.0], exo="up").analyses[0].summary()
    _assert_same_as_library(r, lib, client.get(f"/samples/{sid}").text, m["id"])
    assert a["protocol"]["heating_rate_K_per_min"] == 10.0 and a["protocol"]["exo"] == "up"
    assert r["software"]["ssbkit"] and "ASTME1356" in r["references"]


def test_real_pmma_scans_give_the_library_numbers_and_a_broken_file_keeps_the_rest(client):
    """MaCFP PMMA DSC at 10 K/min, FSRI and NIST exports (files endothermic up: exo=down), one upload with
    a file that is no DSC export. FSRI Tg in 100-135 degC: atactic PMMA, Tg ~ 105-125 degC (Wunderlich,
    ATHAS data bank), the range tests/processing/test_dsc.py checks with the same Tg window."""
    files = [FIXTURES / "fsri_pmma_dsc_n2_10K_1.csv", FIXTURES / "nist_pmma_dsc_n2_10K_1.csv"]
    upload = [(files[0].name, files[0].read_bytes()), ("notes.csv", b"sample,operator\nPMMA,ada\n"),
              (files[1].name, files[1].read_bytes())]
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    body = _post(client, csrf, sid, upload, exo="down", tg_window_C="60, 200").json()
    by_name = {m["original_name"]: m for m in body["measurements"]}
    assert [by_name[n]["status"] for n in (files[0].name, "notes.csv", files[1].name)] == ["ok", "unreadable", "ok"]
    bad = by_name["notes.csv"]["message"]
    assert bad.startswith("notes.csv") and "/data/" not in bad, bad  # names the upload, not the stored path
    assert len(body["jobs"]) == 2  # the broken file is kept (downloadable) but not analysed
    assert all(wait_job(client, j)["state"] == "done" for j in body["jobs"])
    got = _analysed(client, sid)
    run = analyze_dsc_files(files, exo="down", tg_window_C=(60.0, 200.0))
    assert run.ok
    html = client.get(f"/samples/{sid}").text
    assert "notes.csv" in html and "unreadable" in html
    for f, lib in zip(files, run.analyses, strict=True):
        _assert_same_as_library(got[f.name]["result"], lib.summary(), html, by_name[f.name]["id"])
    g = got[files[0].name]["result"]["summary"]
    assert 100.0 <= g["tg_onset_C"] < g["tg_midpoint_C"] < g["tg_end_C"] <= 135.0
    assert client.get(f"/api/files/{by_name['notes.csv']['file_id']}").content == upload[1][1]


def test_overlapping_exotherms_fail_with_the_librarys_message_until_merged(client):
    """Aalto NETZSCH ExpDat export of wood (MaCFP): two decomposition exotherms overlap, which the
    library refuses to split; the page says so naming the upload, and the merge option integrates them."""
    path = FIXTURES / "aalto_netzsch_expdat_wood_10K.csv"
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    body = _post(client, csrf, sid, [(path.name, path.read_bytes())]).json()
    assert body["measurements"][0]["status"] == "ok"
    assert wait_job(client, body["jobs"][0])["state"] == "failed"
    (a,) = client.get(f"/api/samples/{sid}").json()["analyses"]
    assert a["status"] == "failed" and a["message"].startswith(f"{path.name}: overlapping exothermic peaks")
    assert f"dsc analysis failed: {path.name}: overlapping" in client.get(f"/samples/{sid}").text
    body = _post(client, csrf, sid, [(path.name, path.read_bytes())], merge_overlapping="true").json()
    assert wait_job(client, body["jobs"][0])["state"] == "done"
    lib = analyze_dsc_files([path], overlap="merge").analyses[0]
    r = _analysed(client, sid)[path.name]["result"]
    assert r["summary"]["n_exotherms"] == len(lib.crystallization) == 1
    assert r["summary"]["crystallization_enthalpy_J_per_g"] is None  # uV/mg: an uncalibrated DTA signal
    assert r["crystallization"][0]["peak_C"] == lib.crystallization[0].peak_C


def test_bad_dsc_options_are_refused_before_anything_is_stored(client):
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    data = (FIXTURES / "nist_pmma_dsc_n2_10K_1.csv").read_bytes()
    for form, word in (({"exo": "sideways"}, "exo"), ({"tg_window_C": "60"}, "tg_window_C"),
                       ({"tc_window_C": "300, 200"}, "LOW < HIGH"),
                       ({"heating_rate_K_per_min": "-5"}, "heating_rate")):
        r = _post(client, csrf, sid, [("a.csv", data)], **form)
        assert r.status_code in (400, 422) and word in r.text, (form, r.status_code, r.text[:200])
    assert client.get(f"/api/samples/{sid}").json()["measurements"] == []
