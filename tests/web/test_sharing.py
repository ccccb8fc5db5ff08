"""Comparison across labs: a lab opts in to share anonymised aggregates; every other lab sees only those
(count, geometric mean and s.d. of log10 sigma, mean and s.d. of Ea), never a sample name, batch,
operator, file, the lab's name or an individual value, through any endpoint; a lab with fewer than three
analysed samples of the composition is not shown."""

from __future__ import annotations

import math

import numpy as np
import pytest
from web_helpers import PASSWORD, create_sample, login, setup_admin, write_series

from ssbkit.web.compare import anonymised_groups

SECRET = "Qx7secret"
LAB_A = f"{SECRET}-Lab"
COMPOSITION = "75Li2S-25P2S5"
SIGMA = (1.23e-3, 2.71e-3, 4.56e-3)  # S/cm at 25 degC
EA = (0.312, 0.347, 0.389)  # eV


def _add_analysed(client, csrf, lab_id, tmp_path, values, *, tag=SECRET, composition=COMPOSITION) -> list[int]:
    """Samples with secret names and an uploaded file each, and a current impedance analysis holding
    ``(sigma, Ea)`` (written as the job writes it: the summary is the job's own ``_summary`` of the result)."""
    from ssbkit.web.db import ANALYSES, dumps, now
    from ssbkit.web.jobs import _summary

    spectrum = write_series(tmp_path / tag)[0].read_bytes()
    eng = client.app.state.ctx.engine
    ids = []
    for i, (sigma, ea) in enumerate(values):
        sid = create_sample(client, csrf, lab_id=lab_id, name=f"{tag}-sample-{i}", batch=f"{tag}-batch-{i}",
                            operator=f"{tag}-operator-{i}", composition=composition, thickness_cm=None,
                            diameter_cm=None)  # no geometry: the upload queues no analysis of its own
        r = client.post(f"/api/samples/{sid}/measurements", data={"kind": "eis"}, headers={"X-CSRF-Token": csrf},
                        files=[("files", (f"{tag}-file-{i}_25C.csv", spectrum, "text/csv"))])
        assert r.status_code == 201 and not r.json()["jobs"]
        result = {"ea_total_eV": ea, "ea_total_err_eV": 0.01, "sigma_at": {"total": {"sigma_S_per_cm": sigma, "T_C": 25.0}}}
        with eng.begin() as conn:
            conn.execute(ANALYSES.insert().values(
                sample_id=sid, kind="impedance", protocol=dumps({"report_T_C": 25.0}), software=dumps({}),
                result=dumps(result), summary=dumps(_summary("impedance", result)), status="ok", message="",
                current=True, created_at=now()))
        ids.append(sid)
    return ids


def _labs(client):
    """ada (site admin) runs lab A (1) and creates lab B, with bob in it; mia is a plain member of lab A."""
    csrf = setup_admin(client, lab=LAB_A)
    lab_b = client.post("/api/labs", json={"name": "Lab B"}, headers={"X-CSRF-Token": csrf}).json()["id"]
    for user, lab, role in (("bob", lab_b, "admin"), ("mia", 1, "member")):
        r = client.post("/api/users", json={"username": user, "password": f"{user}-password-1", "lab_id": lab,
                                            "role": role}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201, r.text
    return csrf, lab_b


def _as(client, user) -> str:
    client.cookies.clear()
    return login(client, user, PASSWORD if user == "ada" else f"{user}-password-1")


def _share(client, csrf, lab_id, on=True):
    return client.put(f"/api/labs/{lab_id}/sharing", json={"share_anonymised": on}, headers={"X-CSRF-Token": csrf})


def test_other_labs_appear_only_after_opting_in_and_only_as_aggregates(client, tmp_path):
    """Three samples: geometric mean of sigma 10^mean(log10 sigma), s.d. of log10 sigma, mean and s.d. of Ea,
    each computed here by hand and rounded to two significant digits as documented."""
    csrf, _ = _labs(client)
    _add_analysed(client, csrf, 1, tmp_path, list(zip(SIGMA, EA, strict=True)))
    _as(client, "bob")
    assert client.get("/api/compare", params={"composition": COMPOSITION}).json()["other_labs"] == []
    csrf = _as(client, "ada")
    assert client.get("/api/labs/1/sharing").json()["share_anonymised"] is False  # off until an admin opts in
    assert _share(client, csrf, 1).json()["share_anonymised"] is True
    # ada is in lab A herself: her own lab is compared in full, never as "other lab"
    assert client.get("/api/compare", params={"composition": "Li3PS4"}).json()["other_labs"] == []
    _as(client, "bob")
    d = client.get("/api/compare", params={"composition": "Li3PS4"}).json()  # same reduced formula
    assert d["samples"] == []
    (g,) = d["other_labs"]
    ls = np.log10(SIGMA)
    assert g["label"] == "other lab 1" and g["n_samples"] == 3 and g["sigma_T_C"] == 25.0
    assert g["sigma_geometric_mean_S_per_cm"] == pytest.approx(float(f"{10 ** ls.mean():.2g}"), rel=1e-12)
    assert g["sigma_std_log10"] == pytest.approx(float(f"{ls.std(ddof=1):.2g}"), rel=1e-12)
    assert g["ea_mean_eV"] == pytest.approx(float(f"{np.mean(EA):.2g}"), rel=1e-12)
    assert g["ea_std_eV"] == pytest.approx(float(f"{np.std(EA, ddof=1):.2g}"), rel=1e-12)
    assert set(g) == {"label", "n_samples", "sigma_T_C", "n_sigma", "n_ea", "sigma_geometric_mean_S_per_cm",
                      "sigma_std_log10", "ea_mean_eV", "ea_std_eV"}  # nothing else about the lab
    html = client.get("/compare", params={"composition": COMPOSITION}).text
    assert 'id="other-labs"' in html and f"{g['sigma_geometric_mean_S_per_cm']:.2g}" in html
    csrf = _as(client, "ada")
    _share(client, csrf, 1, on=False)
    _as(client, "bob")
    assert client.get("/api/compare", params={"composition": COMPOSITION}).json()["other_labs"] == []


def test_a_lab_with_fewer_than_three_samples_of_the_material_is_not_shown(client, tmp_path):
    csrf, _ = _labs(client)
    _add_analysed(client, csrf, 1, tmp_path, list(zip(SIGMA[:2], EA[:2], strict=True)))
    _add_analysed(client, csrf, 1, tmp_path, [(1e-4, 0.5)], tag="other", composition="Li6PS5Cl")
    _share(client, csrf, 1)
    _as(client, "bob")
    for comp in (COMPOSITION, "Li6PS5Cl"):
        assert client.get("/api/compare", params={"composition": comp}).json()["other_labs"] == []


def test_each_statistic_needs_three_values_so_that_no_value_can_be_solved_back():
    """Mean and s.d. of two values give both back (m -+ s / sqrt 2): with two sigmas among three samples
    the sigma statistics are withheld, the Ea ones (three values) are given."""
    rows = [{"lab_id": 4, "sigma_S_per_cm": s, "sigma_T_C": 25.0, "ea_eV": e}
            for s, e in ((1e-3, 0.30), (2e-3, 0.33), (None, 0.36))]
    (g,) = anonymised_groups(rows)
    assert g["n_sigma"] == 2 and g["sigma_geometric_mean_S_per_cm"] is None and g["sigma_std_log10"] is None
    assert g["ea_mean_eV"] == 0.33 and g["ea_std_eV"] == 0.03
    two = anonymised_groups(rows[:2] + [{"lab_id": 5, "sigma_S_per_cm": 1e-3, "sigma_T_C": 25.0, "ea_eV": 0.3}])
    assert two == []


def test_only_an_admin_of_the_lab_changes_what_it_shares(client):
    _, lab_b = _labs(client)
    csrf = _as(client, "mia")  # member of lab A, not admin
    assert _share(client, csrf, 1).status_code == 403
    assert client.get("/api/labs/1/sharing").status_code == 200
    csrf = _as(client, "bob")  # admin of lab B only: lab A does not exist for him
    assert _share(client, csrf, 1).status_code == 404 and client.get("/api/labs/1/sharing").status_code == 404
    assert _share(client, csrf, lab_b).status_code == 200
    assert client.put("/api/labs/1/sharing", json={"share_anonymised": True}).status_code == 403  # no CSRF token
    client.cookies.clear()
    assert client.get("/api/labs/1/sharing").status_code == 401


def _get_routes(app) -> list[str]:
    """Every GET path of the app (static files, the plotly bundle and the API docs aside)."""
    skip = ("/static", "/vendor", "/openapi", "/docs", "/redoc", "/favicon")
    out = []

    def walk(routes, prefix=""):
        for r in routes:
            inner = getattr(r, "original_router", None)  # an included router (newer FastAPI wraps them)
            if inner is not None:
                walk(inner.routes, prefix + getattr(inner, "prefix", ""))
            elif "GET" in (getattr(r, "methods", None) or set()) and not (prefix + r.path).startswith(skip):
                out.append(prefix + r.path)

    walk(app.routes)
    return out


def test_no_endpoint_shows_another_labs_names_files_or_individual_values(client, tmp_path):
    """Lab A shares three samples; bob (lab B) requests every GET route with every id 1..4 in each path
    parameter and the compared composition: no sample name, batch, operator, file name, lab name or
    individual sigma / Ea of lab A appears in any answer (the aggregates do, for the compare routes)."""
    csrf, _ = _labs(client)
    _add_analysed(client, csrf, 1, tmp_path, list(zip(SIGMA, EA, strict=True)))
    _share(client, csrf, 1)
    # control: a member of lab A gets these very strings (the walk below looks for the right text)
    assert SECRET in client.get("/api/samples/1").text and repr(SIGMA[0]) in client.get(
        "/api/compare", params={"composition": COMPOSITION}).text and f"{SIGMA[0]:.3g}" in client.get(
        "/compare", params={"composition": COMPOSITION}).text
    _as(client, "bob")
    secrets = [SECRET] + [repr(v) for v in (*SIGMA, *EA)] + [f"{v:.3g}" for v in SIGMA] + [f"{v:.3f}" for v in EA]
    secrets += [f"{v:.3e}" for v in SIGMA] + [f"{v:.4g}" for v in SIGMA]
    routes = _get_routes(client.app)
    assert {"/api/compare", "/compare", "/api/compare.csv", "/api/samples/{sample_id}", "/api/files/{file_id}",
            "/api/samples/{sample_id}/dsc-kinetics.csv", "/api/labs/{lab_id}/sharing"} <= set(routes)
    seen = 0
    for path in routes:
        names = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
        for i in (range(1, 5) if names else [0]):  # lab A's samples and files are 1-3, the labs 1-2
            url = path
            for n in names:
                url = url.replace("{" + n + "}", str(i))
            r = client.get(url, params={"composition": COMPOSITION}, headers={"accept": "text/html"})
            body = r.text
            for s in secrets:
                assert s not in body, (url, s)
            seen += r.status_code == 200
    assert seen > 10  # the walk did read pages, not only 404s
    # lab A's measurement ids in a request about bob's own sample: refused without naming A's files
    csrf_b = _as(client, "bob")
    own = create_sample(client, csrf_b, name="bob's", lab_id=2)
    r = client.post(f"/api/samples/{own}/dsc-kinetics", json={"measurement_ids": [1, 2, 3]},
                    headers={"X-CSRF-Token": csrf_b})
    assert r.status_code == 422 and "not DSC measurements of sample" in r.text and SECRET not in r.text
    agg = client.get("/api/compare", params={"composition": COMPOSITION}).json()["other_labs"]
    assert len(agg) == 1 and not math.isnan(agg[0]["sigma_geometric_mean_S_per_cm"])
