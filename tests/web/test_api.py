"""The JSON API through the ASGI test client: sample -> upload -> job -> Ea, export, protocol, compare.

Ground truth: synthetic pellets with Ea_bulk = 0.35 eV, Ea_gb = 0.55 eV (sigma T form) whose spectra
are made from the circuit with known resistances (conftest.write_series)."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
from web_helpers import (
    A_B,
    A_GB,
    AREA_CM2,
    D_CM,
    EA_B,
    EA_GB,
    K_B,
    create_sample,
    login,
    setup_admin,
    sigma_arrhenius,
    upload,
    wait_job,
    write_series,
)


def _analysed(client, tmp_path, **kw):
    csrf = setup_admin(client)
    sid = create_sample(client, csrf, **kw.pop("sample", {}))
    r = upload(client, csrf, sid, write_series(tmp_path / "eis", **kw))
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["jobs"]) == 1 and all(m["status"] == "ok" for m in body["measurements"])
    assert wait_job(client, body["jobs"][0])["state"] == "done"
    return csrf, sid, client.get(f"/api/samples/{sid}").json()


def test_uploaded_series_recovers_the_activation_energies_of_the_synthetic_pellet(client, tmp_path):
    """Ea_bulk = 0.35 eV, Ea_gb = 0.55 eV recovered within 3 standard errors; sigma_total = d/(R A)."""
    _, _, view = _analysed(client, tmp_path)
    (an,) = [a for a in view["analyses"] if a["kind"] == "impedance"]
    r = an["result"]
    assert abs(r["ea_bulk_eV"] - EA_B) < 3 * r["ea_bulk_err_eV"] + 0.005
    assert abs(r["ea_gb_eV"] - EA_GB) < 3 * r["ea_gb_err_eV"] + 0.005
    tk = np.array(r["temperatures_K"])
    truth_total = 1 / (1 / sigma_arrhenius(tk, EA_B, A_B) + 1 / sigma_arrhenius(tk, EA_GB, A_GB))
    np.testing.assert_allclose(r["sigma_total_S_per_cm"], truth_total, rtol=0.03)
    # sigma at 25 degC: the measured point is inside the interval of the fit
    s25 = r["sigma_at"]["total"]
    assert s25["lower"] < truth_total[0] < s25["upper"] or math.isclose(s25["sigma_S_per_cm"], truth_total[0], rel_tol=0.03)
    assert an["protocol"]["circuit"] == "p(R1,CPE1)-p(R2,CPE2)-CPE3" and an["software"]["ssbkit"]
    assert all(s["kk"]["valid"] for s in r["spectra"])  # spectra made from a circuit obey KK


def test_export_json_carries_protocol_version_and_data_to_redo_the_fit(client, tmp_path):
    """The exported spectra refitted by the library give the exported Ea (the record is complete)."""
    from ssbkit.impedance.series import conductivity_series
    from ssbkit.impedance.spectrum import make_spectrum

    _, sid, _ = _analysed(client, tmp_path)
    r = client.get(f"/api/samples/{sid}/export.json")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    ex = json.loads(r.text)
    assert ex["sample"]["details"]["thickness_cm"] == D_CM and ex["ssbkit_version"]
    (an,) = ex["analyses"]
    p, res = an["protocol"], an["result"]
    spectra = [make_spectrum(np.array(s["frequency_hz"]), np.array(s["z_ohm"]["real"]),
                             np.array(s["z_ohm"]["imag"]), source=s["source"], temperature_c=s["temperature_c"])
               for s in res["spectra"]]
    g = res["geometry"]
    cs = conductivity_series(spectra, thickness_cm=g["thickness_cm"], diameter_cm=g["diameter_cm"],
                             circuit=p["circuit"], weighting=p["weighting"], form=p["arrhenius_form"])
    assert cs.arrhenius["total"].ea_ev == pytest.approx(res["ea_total_eV"], rel=1e-6)
    assert len(ex["measurements"]) == 6 and all(len(m["sha256"]) == 64 for m in ex["measurements"])


def test_conductivity_csv_has_one_row_per_spectrum_with_d_over_ra(client, tmp_path):
    _, sid, view = _analysed(client, tmp_path)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/samples/{sid}/conductivity.csv").text)))
    assert [float(r["T_C"]) for r in rows] == [25, 40, 55, 70, 85, 100]
    tk = np.array([float(r["T_K"]) for r in rows])
    np.testing.assert_allclose([float(r["sigma_bulk_S_per_cm"]) for r in rows], sigma_arrhenius(tk, EA_B, A_B),
                               rtol=0.05)


def test_protocol_change_marks_results_stale_and_reanalyses_only_on_request(client, tmp_path):
    csrf, sid, view = _analysed(client, tmp_path)
    assert not view["stale"]
    lab = view["sample"]["lab_id"]
    r = client.put(f"/api/labs/{lab}/protocol", json={"weighting": "proportional"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["weighting"] == "proportional"
    view2 = client.get(f"/api/samples/{sid}").json()
    assert view2["stale"]  # flagged ...
    (an,) = [a for a in view2["analyses"] if a["kind"] == "impedance"]
    assert an["protocol"]["weighting"] == "modulus" and an["id"] == view["analyses"][0]["id"]  # ... not redone
    jid = client.post(f"/api/samples/{sid}/analyse", headers={"X-CSRF-Token": csrf}).json()["job_id"]
    assert wait_job(client, jid)["state"] == "done"
    view3 = client.get(f"/api/samples/{sid}").json()
    (an3,) = [a for a in view3["analyses"] if a["kind"] == "impedance"]
    assert not view3["stale"] and an3["protocol"]["weighting"] == "proportional"
    assert abs(an3["result"]["ea_bulk_eV"] - EA_B) < 3 * an3["result"]["ea_bulk_err_eV"] + 0.005


def test_compare_two_batches_gives_the_known_conductivity_ratio(client, tmp_path):
    """Batch B2's prefactors are 3x batch B1's at the same Ea: sigma(25 degC) differs by 3x, Ea not."""
    csrf = setup_admin(client)
    for name, batch, scale, seed in (("a", "B1", 1.0, 1), ("b", "B1", 1.0, 2), ("c", "B2", 3.0, 3)):
        sid = create_sample(client, csrf, name=name, batch=batch)
        r = upload(client, csrf, sid, write_series(tmp_path / name, seed=seed, a_b=A_B * scale,
                                                   a_gb=A_GB * scale))
        wait_job(client, r.json()["jobs"][0])
    d = client.get("/api/compare", params={"composition": "Li3PS4"}).json()  # 75Li2S-25P2S5 = Li3PS4
    assert len(d["samples"]) == 3
    by = {g["group"]: g for g in d["by_batch"]}
    ratio = by["B2"]["sigma"]["median"] / by["B1"]["sigma"]["median"]
    assert ratio == pytest.approx(3.0, rel=0.06)
    assert d["overall"]["sigma"]["max_over_min"] == pytest.approx(3.0, rel=0.08)
    assert abs(by["B2"]["ea"]["median"] - by["B1"]["ea"]["median"]) < 0.02
    assert not any(s["outlier"] for s in d["samples"])  # three samples: below the outlier test's minimum
    lit = client.get("/api/compare.csv", params={"composition": "75Li2S-25P2S5"})
    assert lit.status_code == 200 and lit.text.count("\n") == 4


def test_openapi_lists_the_resources_and_the_api_page_needs_no_cdn(client):
    page = client.get("/api").text
    assert "/api/samples/{sample_id}/measurements" in page and "cdn" not in page.lower()
    assert client.get("/docs").status_code == 404  # FastAPI's Swagger page would load a CDN's scripts
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/samples", "/api/samples/{sample_id}/measurements", "/api/jobs/{job_id}", "/api/compare",
              "/api/samples/{sample_id}/export.json", "/api/users", "/api/tokens"):
        assert p in paths, p


def test_api_token_works_without_csrf_for_scripts(client, tmp_path):
    csrf = setup_admin(client)
    tok = client.post("/api/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    client.cookies.clear()
    h = {"Authorization": f"Bearer {tok}"}
    r = client.post("/api/samples", json={"name": "T", "composition": "Li6PS5Cl"}, headers=h)
    assert r.status_code == 201
    assert client.get("/api/samples", headers={"Authorization": "Bearer nope"}).status_code == 401
    csrf = login(client, "ada")  # revoked from the browser session, the token stops working at once
    (t,) = client.get("/api/tokens").json()
    assert "token" not in t and t["name"] == "bench"
    assert client.delete(f"/api/tokens/{t['id']}").status_code == 403  # CSRF
    assert client.delete(f"/api/tokens/{t['id']}", headers={"X-CSRF-Token": csrf}).json()["revoked"]
    client.cookies.clear()
    assert client.get("/api/samples", headers=h).status_code == 401


def test_geometry_typed_in_mm_is_refused_with_a_hint(client):
    csrf = setup_admin(client)
    r = client.post("/api/samples", json={"name": "x", "composition": "Li3PS4", "thickness_cm": 2.1,
                                          "diameter_cm": 0.8}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "mm" in r.json()["detail"]
    r = client.post("/api/samples", json={"name": "x", "composition": "Xx9Qq"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "composition" in r.json()["detail"]


def test_sigma_at_25_from_the_arrhenius_fit_matches_the_ground_truth(client, tmp_path):
    """sigma_total(25 degC) from the fit within 3 % of the series combination of the two Arrhenius laws."""
    _, _, view = _analysed(client, tmp_path)
    r = view["analyses"][0]["result"]
    t = 298.15
    truth = 1 / (1 / (A_B / t * math.exp(-EA_B / (K_B * t))) + 1 / (A_GB / t * math.exp(-EA_GB / (K_B * t))))
    assert r["sigma_at"]["total"]["sigma_S_per_cm"] == pytest.approx(truth, rel=0.05)
    assert AREA_CM2 > 0


def test_geometry_added_after_the_upload_then_analysed_on_request(client, tmp_path):
    """Spectra uploaded before the pellet was measured: kept, not analysed; PATCH the geometry, analyse."""
    csrf = setup_admin(client)
    sid = create_sample(client, csrf, thickness_cm=None, diameter_cm=None)
    r = upload(client, csrf, sid, write_series(tmp_path)).json()
    assert not r["jobs"] and "geometry" in r["notes"][0]
    h = {"X-CSRF-Token": csrf}
    assert client.patch(f"/api/samples/{sid}", json={"diameter_cm": 1.0, "area_cm2": 0.7}, headers=h).status_code == 422
    s = client.patch(f"/api/samples/{sid}", json={"thickness_cm": D_CM, "diameter_cm": 1.0}, headers=h).json()
    assert s["details"]["thickness_cm"] == D_CM
    jid = client.post(f"/api/samples/{sid}/analyse", headers=h).json()["job_id"]
    assert wait_job(client, jid)["state"] == "done"
    res = client.get(f"/api/samples/{sid}").json()["analyses"][0]["result"]
    assert abs(res["ea_bulk_eV"] - EA_B) < 3 * res["ea_bulk_err_eV"] + 0.005
