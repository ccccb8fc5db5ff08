"""Users, labs, sessions and API tokens: login page, admin page, JSON API."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ... import errors
from .. import auth, repo
from ..db import LABS, MEMBERSHIPS, TOKENS, USERS
from ..deps import Context, csrf, ctx, page, principal
from ..models import LabIn, MemberIn, ProtocolIn, TokenIn, UserIn

router = APIRouter(tags=["users"])
_PRE = "ssbkit_login_csrf"


def _no_users(c: Context) -> bool:
    with c.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(USERS)).scalar() == 0


def _login_page(c, request, error: str = "", status: int = 200):
    token = secrets.token_urlsafe(24)
    resp = page(c, request, "login.html", None, error=error, login_csrf=token, setup=_no_users(c),
                status_code=status)
    resp.set_cookie(_PRE, token, httponly=True, samesite="strict", secure=c.settings.secure_cookies)
    return resp


def _check_pre(request: Request, sent: str) -> None:
    if not auth.check_csrf(request.cookies.get(_PRE, ""), sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the login page")


def _start_session(c: Context, user_id: int, to: str = "/samples"):
    cookie, _ = auth.create_session(c.engine, c.settings.secret_key, user_id)
    resp = RedirectResponse(to, status_code=303)
    resp.set_cookie(auth.SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=c.settings.secure_cookies,
                    max_age=auth.SESSION_DAYS * 86400)
    resp.delete_cookie(_PRE)
    return resp


@router.get("/login", include_in_schema=False)
def login_page(request: Request, c: Context = Depends(ctx)):
    """Page: login page.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    c
        Server context (database, settings, workers).

    Returns
    -------
    HTML page (or a redirect)
    """
    return _login_page(c, request)


@router.post("/login", include_in_schema=False)
def login(request: Request, username: str = Form(...), password: str = Form(...), csrf_token: str = Form(""),
          c: Context = Depends(ctx)):
    """Page: login.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    username
        Login name.
    password
        Password (never logged).
    csrf_token
        The form's CSRF token.
    c
        Server context (database, settings, workers).

    Returns
    -------
    HTML page (or a redirect)
    """
    _check_pre(request, csrf_token)
    uid = auth.authenticate(c.engine, username, password)
    if uid is None:
        return _login_page(c, request, "wrong username or password", status=401)
    return _start_session(c, uid)


@router.post("/setup", include_in_schema=False)
def setup(request: Request, username: str = Form(...), password: str = Form(...), lab: str = Form(...),
          csrf_token: str = Form(""), c: Context = Depends(ctx)):
    """The first user of a new server: site admin and admin of the first lab.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    username
        Login name.
    password
        Password (never logged).
    lab
        Name of the first lab.
    csrf_token
        The form's CSRF token.
    c
        Server context (database, settings, workers).

    Returns
    -------
    HTML page (or a redirect)
    """
    _check_pre(request, csrf_token)
    if not _no_users(c):
        raise HTTPException(403, "this server has users already: ask an admin for an account")
    try:
        lab_id = repo.create_lab(c.engine, lab.strip())
        uid = auth.create_user(c.engine, username, password, lab_id=lab_id, role="admin", is_site_admin=True)
    except errors.InputError as exc:
        return _login_page(c, request, str(exc), status=422)
    return _start_session(c, uid)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, c: Context = Depends(ctx), p: auth.Principal = Depends(csrf)):
    """Page: logout.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    HTML page (or a redirect)
    """
    auth.end_session(c.engine, c.settings.secret_key, request.cookies.get(auth.SESSION_COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(auth.SESSION_COOKIE)
    return resp


@router.get("/admin", include_in_schema=False)
def admin_page(request: Request, c: Context = Depends(ctx), p: auth.Principal = Depends(principal)):
    """Page: admin page.

    \f
    Parameters
    ----------
    request
        The HTTP request.
    c
        Server context (database, settings, workers).
    p
        The logged-in user (CSRF checked for state-changing requests).

    Returns
    -------
    HTML page (or a redirect)
    """
    labs = repo.lab_names(c.engine, list(p.labs))
    protocols = {lid: repo.lab_protocol(c.engine, lid) for lid in labs}
    from ..sharing import is_shared

    return page(c, request, "admin.html", p, labs=labs, protocols=protocols,
                members=_members(c, list(labs)), shared={lid: is_shared(c.engine, lid) for lid in labs})


def _members(c: Context, lab_ids: list[int]) -> list[dict]:
    with c.engine.connect() as conn:
        q = (sa.select(MEMBERSHIPS.c.lab_id, MEMBERSHIPS.c.role, USERS.c.username)
             .join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id).where(MEMBERSHIPS.c.lab_id.in_(lab_ids))
             .order_by(USERS.c.username))
        return [dict(r._mapping) for r in conn.execute(q)]


@router.get("/api/me")
def me(p: auth.Principal = Depends(principal), c: Context = Depends(ctx)):
    """Who you are and your labs.

    \f
    Parameters
    ----------
    p
        The logged-in user (CSRF checked for state-changing requests).
    c
        Server context (database, settings, workers).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    names = repo.lab_names(c.engine, list(p.labs))
    return {"id": p.user_id, "username": p.username, "is_site_admin": p.is_site_admin,
            "labs": [{"id": k, "name": names.get(k), "role": v} for k, v in p.labs.items()]}


@router.post("/api/tokens", status_code=201)
def new_token(body: TokenIn, p: auth.Principal = Depends(csrf), c: Context = Depends(ctx)):
    """A new API token for you (shown once).

    \f
    Parameters
    ----------
    body
        The JSON body (validated by its pydantic model).
    p
        The logged-in user (CSRF checked for state-changing requests).
    c
        Server context (database, settings, workers).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    return {"token": auth.create_token(c.engine, p.user_id, body.name), "name": body.name}


@router.get("/api/tokens")
def list_tokens(p: auth.Principal = Depends(principal), c: Context = Depends(ctx)):
    """Your API tokens (names and dates; the tokens themselves are not kept).

    \f
    Parameters
    ----------
    p
        The logged-in user.
    c
        Server context (database, settings, workers).

    Returns
    -------
    list of dict
    """
    with c.engine.connect() as conn:
        q = sa.select(TOKENS.c.id, TOKENS.c.name, TOKENS.c.created_at, TOKENS.c.revoked).where(
            TOKENS.c.user_id == p.user_id).order_by(TOKENS.c.id)
        return [dict(r._mapping) for r in conn.execute(q)]


@router.delete("/api/tokens/{token_id}")
def revoke_token(token_id: int, p: auth.Principal = Depends(csrf), c: Context = Depends(ctx)):
    """Revoke one of your API tokens (it stops working at once).

    \f
    Parameters
    ----------
    token_id
        From ``GET /api/tokens``.
    p
        The logged-in user (CSRF checked).
    c
        Server context (database, settings, workers).

    Returns
    -------
    dict
    """
    with c.engine.begin() as conn:
        r = conn.execute(TOKENS.update().where(TOKENS.c.id == token_id, TOKENS.c.user_id == p.user_id)
                         .values(revoked=True))
    if r.rowcount != 1:
        raise HTTPException(404, f"no token {token_id}")
    return {"id": token_id, "revoked": True}


@router.post("/api/labs", status_code=201)
def new_lab(body: LabIn, p: auth.Principal = Depends(csrf), c: Context = Depends(ctx)):
    """A new lab (site admins); you become its admin.

    \f
    Parameters
    ----------
    body
        The JSON body (validated by its pydantic model).
    p
        The logged-in user (CSRF checked for state-changing requests).
    c
        Server context (database, settings, workers).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    if not p.is_site_admin:
        raise HTTPException(403, "only a site admin can create labs")
    lab_id = repo.create_lab(c.engine, body.name.strip())
    with c.engine.begin() as conn:
        conn.execute(MEMBERSHIPS.insert().values(user_id=p.user_id, lab_id=lab_id, role="admin"))
    return {"id": lab_id, "name": body.name}


@router.post("/api/users", status_code=201)
def new_user(body: UserIn, p: auth.Principal = Depends(csrf), c: Context = Depends(ctx)):
    """A new user in a lab you administer.

    \f
    Parameters
    ----------
    body
        The JSON body (validated by its pydantic model).
    p
        The logged-in user (CSRF checked for state-changing requests).
    c
        Server context (database, settings, workers).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    if not p.is_lab_admin(body.lab_id):
        raise HTTPException(403, "only an admin of that lab can add users to it")
    uid = auth.create_user(c.engine, body.username, body.password, lab_id=body.lab_id, role=body.role)
    return {"id": uid, "username": body.username, "lab_id": body.lab_id, "role": body.role}


@router.post("/api/labs/{lab_id}/members", status_code=201)
def add_member(lab_id: int, body: MemberIn, p: auth.Principal = Depends(csrf), c: Context = Depends(ctx)):
    """Add an existing user to a lab you administer.

    \f
    Parameters
    ----------
    lab_id
        The lab.
    body
        The JSON body (validated by its pydantic model).
    p
        The logged-in user (CSRF checked for state-changing requests).
    c
        Server context (database, settings, workers).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    if not p.is_lab_admin(lab_id):
        raise HTTPException(403, "only an admin of that lab can add members")
    with c.engine.begin() as conn:
        uid = conn.execute(sa.select(USERS.c.id).where(USERS.c.username == body.username)).scalar()
        if uid is None or not conn.execute(sa.select(LABS.c.id).where(LABS.c.id == lab_id)).first():
            raise HTTPException(404, "no such user or lab")
        conn.execute(MEMBERSHIPS.delete().where(MEMBERSHIPS.c.user_id == uid, MEMBERSHIPS.c.lab_id == lab_id))
        conn.execute(MEMBERSHIPS.insert().values(user_id=uid, lab_id=lab_id, role=body.role))
    return {"lab_id": lab_id, "username": body.username, "role": body.role}


@router.get("/api/labs/{lab_id}/protocol")
def get_protocol(lab_id: int, p: auth.Principal = Depends(principal), c: Context = Depends(ctx)):
    """The lab's analysis protocol.

    \f
    Parameters
    ----------
    lab_id
        The lab.
    p
        The logged-in user (CSRF checked for state-changing requests).
    c
        Server context (database, settings, workers).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    if not p.can_read(lab_id):
        raise HTTPException(404, f"no lab {lab_id}")
    return repo.lab_protocol(c.engine, lab_id)


@router.put("/api/labs/{lab_id}/protocol")
def put_protocol(lab_id: int, body: ProtocolIn, p: auth.Principal = Depends(csrf), c: Context = Depends(ctx)):
    """Change the lab's protocol (lab admins). Existing results keep theirs until re-analysed on request.

    \f
    Parameters
    ----------
    lab_id
        The lab.
    body
        The JSON body (validated by its pydantic model).
    p
        The logged-in user (CSRF checked for state-changing requests).
    c
        Server context (database, settings, workers).

    Returns
    -------
    JSON (see the OpenAPI schema)
    """
    if not p.is_lab_admin(lab_id):
        raise HTTPException(403, "only an admin of the lab can change its protocol")
    return repo.set_lab_protocol(c.engine, lab_id, body.given())


