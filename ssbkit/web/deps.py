"""Request dependencies: the server's context, the logged-in user, CSRF, lab access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request

from . import auth
from .db import SAMPLES, row_dict

__all__ = ["page", "Context", "ctx", "principal", "optional_principal", "csrf", "NotLoggedIn", "readable_sample",
           "lab_ids"]


@dataclass
class Context:
    """What every request may use: settings, database, job runner, templates."""

    settings: Any
    engine: sa.Engine
    runner: Any
    templates: Any


class NotLoggedIn(Exception):
    """No valid session or token (pages redirect to the login, the API answers 401)."""


def ctx(request: Request) -> Context:
    """The server's :class:`Context`.

    Parameters
    ----------
    request
        The request.

    Returns
    -------
    Context
    """
    return request.app.state.ctx


def optional_principal(request: Request) -> auth.Principal | None:
    """The user of the request's bearer token or session cookie, None when neither is valid.

    Parameters
    ----------
    request
        The request.

    Returns
    -------
    Principal or None
    """
    c = ctx(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth.principal_from_token(c.engine, header[7:].strip())
    return auth.principal_from_cookie(c.engine, c.settings.secret_key, request.cookies.get(auth.SESSION_COOKIE))


def principal(p: auth.Principal | None = Depends(optional_principal)) -> auth.Principal:
    """The logged-in user (raises :class:`NotLoggedIn`).

    Parameters
    ----------
    p
        From :func:`optional_principal`.

    Returns
    -------
    Principal
    """
    if p is None:
        raise NotLoggedIn()
    return p


async def csrf(request: Request, p: auth.Principal = Depends(principal)) -> auth.Principal:
    """The logged-in user of a state-changing request, its CSRF token checked for cookie sessions.

    Parameters
    ----------
    request
        The request.
    p
        From :func:`principal`.

    Returns
    -------
    Principal
    """
    if p.via == "session":
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            field = (await request.form()).get("csrf_token")
            sent = field if isinstance(field, str) else None
        if not auth.check_csrf(p.csrf, sent):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return p


def lab_ids(p: auth.Principal) -> list[int]:
    """Labs whose data ``p`` may see.

    Parameters
    ----------
    p
        The user.

    Returns
    -------
    list of int
    """
    return list(p.labs)


def readable_sample(c: Context, p: auth.Principal, sample_id: int) -> dict[str, Any]:
    """The sample if ``p`` is a member of its lab; 404 otherwise (no hint that it exists).

    Parameters
    ----------
    c
        Server context.
    p
        The user.
    sample_id
        The sample.

    Returns
    -------
    dict
    """
    with c.engine.connect() as conn:
        row = conn.execute(sa.select(SAMPLES).where(SAMPLES.c.id == sample_id)).first()
    if row is None or not p.can_read(row.lab_id):
        raise HTTPException(404, f"no sample {sample_id}")
    return row_dict(row)


def page(c: Context, request: Request, name: str, p: auth.Principal | None, **kw: Any):
    """Render a page template with the user, their labs and the CSRF token.

    Parameters
    ----------
    c
        Server context.
    request
        The request.
    name
        Template file.
    p
        The user (None on the login page).
    **kw
        Template variables.

    Returns
    -------
    starlette.templating._TemplateResponse
    """
    status = kw.pop("status_code", 200)
    return c.templates.TemplateResponse(request, name, {"user": p, "csrf_token": p.csrf if p else "", **kw},
                                        status_code=status)
