"""The FastAPI application: routers by resource, pages and JSON API, local assets, job recovery."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ssbkit import __version__
from ssbkit.errors import SsbkitError

from .db import open_engine
from .deps import Context, NotLoggedIn
from .jobs import JobRunner
from .settings import Settings

__all__ = ["create_app", "plotly_js_path"]

log = logging.getLogger("ssbkit.web")
_HERE = Path(__file__).parent
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the installed ``plotly`` package (served locally, no CDN).

    Returns
    -------
    Path
    """
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise SsbkitError("the web app needs plotly (pip install 'ssbkit[web]')")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise SsbkitError(f"plotly.min.js not found at {path}")
    return path


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotLoggedIn)
    async def _login(request: Request, _exc: NotLoggedIn):
        if _wants_html(request):
            return RedirectResponse("/login", status_code=303)
        return JSONResponse({"detail": "log in or send an API token (Authorization: Bearer ...)"}, status_code=401)

    @app.exception_handler(SsbkitError)
    async def _bad_input(request: Request, exc: SsbkitError):
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        msgs = [f"{'.'.join(str(x) for x in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors()]
        return JSONResponse({"detail": "; ".join(msgs)}, status_code=422)

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        limit = request.app.state.ctx.settings.max_upload_bytes * 50
        if int(request.headers.get("content-length") or 0) > limit:
            return JSONResponse({"detail": f"request larger than {limit / 1048576:g} MB"}, status_code=413)
        resp: Response = await call_next(request)
        resp.headers.setdefault("Content-Security-Policy", _CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        return resp


def create_app(settings: Settings, *, start_workers: bool = True) -> FastAPI:
    """The web app for ``settings``.

    Parameters
    ----------
    settings
        Database, data folder, limits, workers.
    start_workers
        Requeue jobs left by a previous run when the app starts.

    Returns
    -------
    fastapi.FastAPI
    """
    from .routers import compare, export, jobs, measurements, samples, studies, users

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(settings.db_url)
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.globals["version"] = __version__
    runner = JobRunner(settings, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if start_workers:
            got = runner.recover()
            if any(got.values()):
                log.info("jobs from the previous run: %(resumed)d resumed, %(interrupted)d interrupted", got)
        yield
        runner.shutdown()

    # FastAPI's /docs and /redoc load their scripts from a CDN: replaced by a local page (/api)
    app = FastAPI(title="ssbkit lab", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Samples, measurements and their analysis by one protocol (ssbkit). "
                              "Scripts authenticate with `Authorization: Bearer <token>` (create one on /admin).")
    app.state.ctx = Context(settings, engine, runner, templates)
    _install_handlers(app)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    plotly = plotly_js_path()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def _plotly():
        from fastapi.responses import FileResponse

        return FileResponse(plotly, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon():
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/", include_in_schema=False)
    def _root():
        return RedirectResponse("/samples", status_code=303)

    for r in (users, samples, measurements, jobs, compare, export, studies):
        app.include_router(r.router)

    @app.get("/api", include_in_schema=False)
    def _api_page(request: Request):
        from .deps import optional_principal, page

        spec = app.openapi()
        ops = [(m.upper(), path, op.get("summary", ""), (op.get("description") or "").split("\n\n")[0])
               for path, item in spec["paths"].items() for m, op in item.items()]
        return page(app.state.ctx, request, "api.html", optional_principal(request), ops=ops, spec=spec)

    @app.get("/api/health", tags=["server"])
    def health():
        """Liveness and version."""
        return {"ok": True, "version": __version__}

    return app
