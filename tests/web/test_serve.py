"""``ssbkit serve``: registered on the CLI, starts a real server on 127.0.0.1, masks passwords."""

from __future__ import annotations

from ssbkit.web.db import _masked


def test_serve_is_a_top_level_command():
    from typer.testing import CliRunner

    from ssbkit.cli import app

    r = CliRunner().invoke(app, ["serve", "--help"])
    assert r.exit_code == 0 and "--scheduler" in r.output and "--db" in r.output


def test_database_passwords_are_masked_in_messages():
    assert _masked("postgresql+psycopg://lab:hunter2@db.example/ssbkit") == "postgresql+psycopg://lab:***@db.example/ssbkit"


def test_serve_builds_the_app_from_its_options_and_serves_plotly_locally(tmp_path, monkeypatch):
    """The command's options reach the app (uvicorn.run captured: the browser test runs a real server)."""
    import uvicorn
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from ssbkit.cli import app

    got = {}
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: got.update(app=web_app, **kw))
    r = CliRunner().invoke(app, ["serve", "--port", "8123", "--db", f"sqlite:///{tmp_path / 'w.db'}",
                                 "--data-dir", str(tmp_path / "d"), "--workers", "3", "--max-upload-mb", "7"])
    assert r.exit_code == 0, r.output
    assert got["host"] == "127.0.0.1" and got["port"] == 8123
    st = got["app"].state.ctx.settings
    assert st.workers == 3 and st.max_upload_bytes == 7 * 1024 * 1024 and st.data_dir == (tmp_path / "d").resolve()
    with TestClient(got["app"]) as c:
        assert c.get("/openapi.json").json()["info"]["title"] == "ssbkit lab"
        js = c.get("/vendor/plotly.min.js")
        assert js.status_code == 200 and len(js.content) > 1_000_000 and b"plotly" in js.content[:2000].lower()
