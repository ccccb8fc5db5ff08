"""Security: CSRF, XSS through user-supplied fields and file names, upload limits and types,
path traversal, cross-lab access, passwords never logged, sessions and tokens."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from web_helpers import (
    PASSWORD,
    create_sample,
    form_csrf,
    login,
    meta_csrf,
    setup_admin,
    upload,
    wait_job,
    write_series,
)

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_state_changing_requests_without_the_csrf_token_are_refused(client):
    csrf = setup_admin(client)
    body = {"name": "S", "composition": "Li3PS4"}
    assert client.post("/api/samples", json=body).status_code == 403
    assert client.post("/api/samples", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/api/samples", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    # the login form needs its own token too (login CSRF)
    client.cookies.clear()
    r = client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": "x"})
    assert r.status_code == 403
    # logging out is a POST with the token, a bare one does nothing
    csrf = login(client, "ada")
    assert client.post("/logout").status_code == 403
    assert client.get("/api/me").status_code == 200


def test_user_text_and_file_names_are_escaped_in_every_page(client, tmp_path):
    csrf = setup_admin(client, lab=XSS[:100])
    fields = {k: XSS for k in ("batch", "operator", "synthesis_route", "precursors", "heat_treatment", "electrode",
                               "instrument", "notes")}
    sid = create_sample(client, csrf, name=XSS, **fields)
    (p,) = write_series(tmp_path, prefix="x")[:1]
    bad = tmp_path / 'a<script>alert(1)<\\script>_25C.csv'
    bad.write_bytes(p.read_bytes())
    assert upload(client, csrf, sid, [bad]).status_code == 201
    client.app.state.ctx.runner.wait(60)
    for url in ("/samples", f"/samples/{sid}", "/compare?composition=Li3PS4", "/jobs", "/admin", "/studies"):
        html = client.get(url).text
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), url
        assert "<img src=x" not in html, url
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in client.get(f"/samples/{sid}").text
    # the page's JSON for the plots cannot close its <script> element
    assert "</script><img" not in client.get(f"/samples/{sid}").text
    assert "script-src 'self'" in client.get("/samples").headers["content-security-policy"]


def test_file_names_cannot_traverse_and_stored_names_are_generated(client, tmp_path, settings):
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    data = write_series(tmp_path)[0].read_bytes()
    r = client.post(f"/api/samples/{sid}/measurements", data={"kind": "eis"}, headers={"X-CSRF-Token": csrf},
                    files=[("files", ("../../../../tmp/evil_25C.csv", data, "text/csv"))])
    (m,) = r.json()["measurements"]
    assert m["original_name"] == "evil_25C.csv" and m["status"] == "ok"
    stored = list((settings.data_dir / "files").iterdir())
    assert len(stored) == 1 and len(stored[0].stem) == 32 and stored[0].suffix == ".csv"
    assert not (tmp_path.parent / "evil_25C.csv").exists()
    assert client.get("/static/../db.py").status_code == 404
    assert client.get("/static/%2e%2e/db.py").status_code == 404
    d = client.get(f"/api/files/{m['file_id']}")
    assert d.content == data and "evil_25C.csv" in d.headers["content-disposition"]


def test_uploads_over_the_limit_or_of_the_wrong_type_are_refused_and_the_rest_kept(client, tmp_path):
    """Limit 1 MB (conftest): a 1.5 MB file is not stored, an .exe is not, a binary .csv is not;
    the good spectra of the same upload are stored and analysed."""
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    good = [(p.name, p.read_bytes(), "text/csv") for p in write_series(tmp_path)]
    files = [*good, ("big_30C.csv", b"1,2,3\n" * 260_000, "text/csv"), ("tool.exe", b"MZ\x90\x00", "x"),
             ("bin_30C.csv", b"\x00\x01\x02" * 10, "text/csv"), ("junk_30C.txt", b"hello\nworld\n", "text/plain")]
    r = client.post(f"/api/samples/{sid}/measurements", data={"kind": "eis"}, headers={"X-CSRF-Token": csrf},
                    files=[("files", f) for f in files])
    body = r.json()
    rejected = {x["original_name"]: x["message"] for x in body["rejected"]}
    assert "upload limit" in rejected["big_30C.csv"] and "not accepted" in rejected["tool.exe"]
    assert "binary" in rejected["bin_30C.csv"]
    by = {m["original_name"]: m for m in body["measurements"]}
    assert by["junk_30C.txt"]["status"] == "unreadable" and "junk_30C.txt" in by["junk_30C.txt"]["message"]
    assert sum(m["status"] == "ok" for m in body["measurements"]) == 6
    assert wait_job(client, body["jobs"][0])["state"] == "done"
    page = client.get(f"/samples/{sid}").text
    assert "unreadable" in page and "junk_30C.txt" in page and "ea-table" in page


def test_a_member_of_one_lab_cannot_see_another_labs_data(client, tmp_path):
    csrf = setup_admin(client)  # ada: Lab A
    sid = create_sample(client, csrf)
    r = upload(client, csrf, sid, write_series(tmp_path)[:2])
    fid = r.json()["measurements"][0]["file_id"]
    jid = r.json()["jobs"][0]
    wait_job(client, jid)
    lab_b = client.post("/api/labs", json={"name": "Lab B"}, headers={"X-CSRF-Token": csrf}).json()["id"]
    r = client.post("/api/users", json={"username": "bob", "password": "bob-password-1", "lab_id": lab_b},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    client.cookies.clear()
    csrf_b = login(client, "bob", "bob-password-1")
    for url in (f"/api/samples/{sid}", f"/samples/{sid}", f"/api/files/{fid}", f"/api/jobs/{jid}",
                f"/api/samples/{sid}/export.json", f"/api/samples/{sid}/conductivity.csv",
                f"/api/jobs/{jid}/events", "/api/labs/1/protocol"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/samples").json() == []
    assert client.get("/api/compare", params={"composition": "Li3PS4"}).json()["samples"] == []
    h = {"X-CSRF-Token": csrf_b}
    assert client.post(f"/api/samples/{sid}/analyse", headers=h).status_code == 404
    assert client.post("/api/samples", json={"name": "x", "composition": "Li3PS4", "lab_id": 1},
                       headers=h).status_code == 403
    assert client.post("/api/users", json={"username": "eve", "password": "12345678", "lab_id": 1},
                       headers=h).status_code == 403
    assert client.put("/api/labs/1/protocol", json={"weighting": "unit"}, headers=h).status_code == 403


def test_members_cannot_change_protocols_or_add_users(client):
    csrf = setup_admin(client)
    client.post("/api/users", json={"username": "mia", "password": "mia-password", "lab_id": 1, "role": "member"},
                headers={"X-CSRF-Token": csrf})
    client.cookies.clear()
    h = {"X-CSRF-Token": login(client, "mia", "mia-password")}
    assert client.put("/api/labs/1/protocol", json={"weighting": "unit"}, headers=h).status_code == 403
    assert client.post("/api/users", json={"username": "x", "password": "12345678", "lab_id": 1},
                       headers=h).status_code == 403
    assert client.get("/api/labs/1/protocol").status_code == 200


def test_passwords_are_never_logged_or_stored_in_clear(client, caplog, settings):
    import sqlalchemy as sa

    secret = "s3cret-Pa55word-xyz"
    with caplog.at_level(logging.DEBUG):
        r = client.get("/login")
        client.post("/setup", data={"username": "ada", "password": secret, "lab": "L", "csrf_token": form_csrf(r.text)})
        csrf = meta_csrf(client.get("/samples").text)
        client.post("/api/users", json={"username": "u2", "password": secret + "2", "lab_id": 1},
                    headers={"X-CSRF-Token": csrf})
        client.cookies.clear()
        r = client.get("/login")
        client.post("/login", data={"username": "ada", "password": "wrong-" + secret, "csrf_token": form_csrf(r.text)})
        client.post("/api/users", json={"username": "u3", "password": "short"})  # 401, validation error text
    assert secret not in caplog.text
    eng = client.app.state.ctx.engine
    with eng.connect() as conn:
        dump = "\n".join(str(tuple(r)) for t in ("web_users", "web_sessions") for r in conn.execute(sa.text(f"select * from {t}")))
    assert secret not in dump and "$argon2id$" in dump
    r = client.post("/api/users", json={"username": "u4", "password": "short", "lab_id": 1})
    assert "short" not in r.text


def test_wrong_password_and_forged_cookie_do_not_log_in(client):
    setup_admin(client)
    client.cookies.clear()
    r = client.get("/login")
    r = client.post("/login", data={"username": "ada", "password": "nope-nope", "csrf_token": form_csrf(r.text)})
    assert r.status_code == 401 and "wrong username or password" in r.text
    client.cookies.set("ssbkit_session", "forged.value.sig")
    assert client.get("/api/me").status_code == 401
    assert client.get("/samples", headers={"accept": "text/html"}, follow_redirects=False).status_code == 303


def test_a_too_large_volume_fails_with_a_clear_message_and_is_kept(client, tmp_path):
    """Server limit 32^3 voxels (conftest); a 40^3 .npy volume: job failed, message names the size."""
    import io

    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    buf = io.BytesIO()
    np.save(buf, (np.random.default_rng(0).random((40, 40, 40)) > 0.5).astype(np.uint8))
    r = client.post(f"/api/samples/{sid}/measurements", data={"kind": "volume", "phase": "1"},
                    headers={"X-CSRF-Token": csrf}, files=[("files", ("big.npy", buf.getvalue(), "x"))])
    body = r.json()
    assert body["measurements"][0]["status"] == "ok"
    j = wait_job(client, body["jobs"][0])
    assert j["state"] == "failed" and "too large" in j["message"] and "big.npy" in j["message"], j
    assert "32768 voxels" in j["message"] and "/data/files/" not in j["message"]
    page = client.get(f"/samples/{sid}").text
    assert "big.npy" in page and "volume too large for this server" in page


@pytest.mark.external
def test_every_instrument_format_the_readers_know_is_accepted_and_read(client, reference_dir):
    """The impedance.py format fixtures (MIT): each upload is stored and read by ssbkit's readers with the
    format they detect on the original file (the stored name keeps the extension), their notes kept."""
    from ssbkit.impedance.readers import detect_format

    csrf = setup_admin(client)
    sid = create_sample(client, csrf, thickness_cm=None, diameter_cm=None)
    files = sorted((reference_dir / "eis" / "formats").iterdir())
    r = client.post(f"/api/samples/{sid}/measurements", data={"kind": "eis", "temperatures_c": "25"},
                    headers={"X-CSRF-Token": csrf},
                    files=[("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in files])
    body = r.json()
    assert not body["rejected"], body["rejected"]
    by = {m["original_name"]: m for m in body["measurements"]}
    for p in files:
        assert by[p.name]["status"] == "ok", (p.name, by[p.name]["message"])
        assert by[p.name]["info"]["format"] == detect_format(p), p.name
    assert any("aborted" in n for n in by["exampleDataGamryABORT.DTA"]["info"]["notes"])  # the reader's note kept
