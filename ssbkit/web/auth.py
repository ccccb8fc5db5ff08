"""Accounts: hashed passwords, sessions, API tokens, CSRF, and who may see which lab.

Passwords are hashed with Argon2id (argon2-cffi); they are never stored,
logged or echoed. A session is a random key: the browser holds it signed
(itsdangerous) in an HttpOnly, SameSite=Lax cookie, the database its SHA-256
with a per-session CSRF token that every state-changing request made with the
cookie must send back (``X-CSRF-Token`` header or ``csrf_token`` form field).
Scripts use API tokens (``Authorization: Bearer ...``), stored hashed, which
need no CSRF token because browsers never send them by themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, TimestampSigner

from ssbkit.errors import InputError

from .db import LABS, MEMBERSHIPS, SESSIONS, TOKENS, USERS, new_id, now

__all__ = ["Principal", "hash_password", "verify_password", "create_user", "authenticate", "create_session",
           "end_session", "principal_from_cookie", "principal_from_token", "create_token", "check_csrf",
           "SESSION_COOKIE", "SESSION_DAYS", "ROLES"]

SESSION_COOKIE = "ssbkit_session"
SESSION_DAYS = 7
ROLES = ("member", "admin")
_HASHER = PasswordHasher()  # argon2-cffi's default: RFC 9106 low-memory profile (t=3, 64 MiB, p=4)
_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("not a password"))
    return _DUMMY[0]


@dataclass(frozen=True)
class Principal:
    """The user behind a request.

    Attributes
    ----------
    user_id, username
        Who.
    is_site_admin
        May create labs and users in any lab.
    labs
        ``{lab_id: role}`` of the user's memberships.
    via
        ``"session"`` or ``"token"``.
    csrf
        The session's CSRF token (``""`` for tokens).
    """

    user_id: int
    username: str
    is_site_admin: bool
    labs: dict[int, str] = field(default_factory=dict)
    via: str = "session"
    csrf: str = ""

    def can_read(self, lab_id: int | None) -> bool:
        """Whether the user is a member of ``lab_id``.

        Parameters
        ----------
        lab_id
            The lab (None: no lab).

        Returns
        -------
        bool
        """
        return lab_id in self.labs

    def is_lab_admin(self, lab_id: int) -> bool:
        """Whether the user administers ``lab_id`` (site admins administer every lab).

        Parameters
        ----------
        lab_id
            The lab.

        Returns
        -------
        bool
        """
        return self.is_site_admin or self.labs.get(lab_id) == "admin"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def hash_password(password: str) -> str:
    """Argon2id hash of a password (at least 8 characters).

    Parameters
    ----------
    password
        The password.

    Returns
    -------
    str
    """
    if len(password) < 8:
        raise InputError("a password needs at least 8 characters")
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``.

    Parameters
    ----------
    stored_hash
        From :func:`hash_password`.
    password
        As typed.

    Returns
    -------
    bool
    """
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(engine: sa.Engine, username: str, password: str, *, lab_id: int | None = None,
                role: str = "member", is_site_admin: bool = False) -> int:
    """Add a user (and their membership of ``lab_id``).

    Parameters
    ----------
    engine
        The web database.
    username, password
        Credentials (username: 1-64 letters, digits, ``.-_@``).
    lab_id, role
        Membership to create (role ``member`` or ``admin``).
    is_site_admin
        Site administrator.

    Returns
    -------
    int
        The new user's id.
    """
    username = username.strip()
    if not (0 < len(username) <= 64) or not all(c.isalnum() or c in ".-_@" for c in username):
        raise InputError("a username is 1-64 letters, digits or . - _ @")
    if role not in ROLES:
        raise InputError(f"role must be one of {ROLES}, got {role!r}")
    h = hash_password(password)
    with engine.begin() as conn:
        if conn.execute(sa.select(USERS.c.id).where(USERS.c.username == username)).first():
            raise InputError(f"user {username!r} exists already")
        uid = new_id(conn.execute(USERS.insert().values(username=username, password_hash=h,
                                                 is_site_admin=is_site_admin, created_at=now())))
        if lab_id is not None:
            if not conn.execute(sa.select(LABS.c.id).where(LABS.c.id == lab_id)).first():
                raise InputError(f"no lab {lab_id}")
            conn.execute(MEMBERSHIPS.insert().values(user_id=uid, lab_id=lab_id, role=role))
    return int(uid)


def authenticate(engine: sa.Engine, username: str, password: str) -> int | None:
    """The user id for correct credentials, else None (same work either way).

    Parameters
    ----------
    engine
        The web database.
    username, password
        As typed.

    Returns
    -------
    int or None
    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(USERS.c.id, USERS.c.password_hash).where(USERS.c.username == username)).first()
    if row is None:
        verify_password(_dummy_hash(), password)  # no timing difference for unknown names
        return None
    return int(row.id) if verify_password(row.password_hash, password) else None


def create_session(engine: sa.Engine, secret: str, user_id: int) -> tuple[str, str]:
    """Start a session.

    Parameters
    ----------
    engine
        The web database.
    secret
        Key that signs the cookie.
    user_id
        Who logged in.

    Returns
    -------
    tuple
        ``(cookie value, csrf token)``.
    """
    key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    exp = (datetime.now(UTC) + timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds")
    with engine.begin() as conn:
        conn.execute(SESSIONS.insert().values(user_id=user_id, key_hash=_sha(key), csrf=csrf,
                                              created_at=now(), expires_at=exp))
    return TimestampSigner(secret).sign(key).decode(), csrf


def _unsign(secret: str, cookie: str) -> str | None:
    try:
        return TimestampSigner(secret).unsign(cookie, max_age=SESSION_DAYS * 86400).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def end_session(engine: sa.Engine, secret: str, cookie: str | None) -> None:
    """Delete the session behind a cookie (no-op for a bad cookie).

    Parameters
    ----------
    engine
        The web database.
    secret
        Cookie signing key.
    cookie
        The cookie value.
    """
    key = _unsign(secret, cookie) if cookie else None
    if key:
        with engine.begin() as conn:
            conn.execute(SESSIONS.delete().where(SESSIONS.c.key_hash == _sha(key)))


def _principal(conn, user_id: int, via: str, csrf: str) -> Principal | None:
    u = conn.execute(sa.select(USERS).where(USERS.c.id == user_id)).first()
    if u is None:
        return None
    labs = {int(m.lab_id): m.role for m in conn.execute(
        sa.select(MEMBERSHIPS.c.lab_id, MEMBERSHIPS.c.role).where(MEMBERSHIPS.c.user_id == user_id))}
    return Principal(int(u.id), u.username, bool(u.is_site_admin), labs, via, csrf)


def principal_from_cookie(engine: sa.Engine, secret: str, cookie: str | None) -> Principal | None:
    """The user of a session cookie, None for a missing, forged or expired one.

    Parameters
    ----------
    engine
        The web database.
    secret
        Cookie signing key.
    cookie
        The cookie value.

    Returns
    -------
    Principal or None
    """
    key = _unsign(secret, cookie) if cookie else None
    if not key:
        return None
    with engine.connect() as conn:
        s = conn.execute(sa.select(SESSIONS).where(SESSIONS.c.key_hash == _sha(key))).first()
        if s is None or s.expires_at < now():
            return None
        return _principal(conn, int(s.user_id), "session", s.csrf)


def create_token(engine: sa.Engine, user_id: int, name: str = "script") -> str:
    """A new API token for ``user_id`` (shown once; only its hash is kept).

    Parameters
    ----------
    engine
        The web database.
    user_id
        Owner.
    name
        What it is for.

    Returns
    -------
    str
    """
    token = "ssbk_" + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(TOKENS.insert().values(user_id=user_id, name=name[:120], token_hash=_sha(token),
                                            created_at=now(), revoked=False))
    return token


def principal_from_token(engine: sa.Engine, token: str) -> Principal | None:
    """The user of an API token, None for an unknown or revoked one.

    Parameters
    ----------
    engine
        The web database.
    token
        From :func:`create_token`.

    Returns
    -------
    Principal or None
    """
    with engine.connect() as conn:
        t = conn.execute(sa.select(TOKENS).where(TOKENS.c.token_hash == _sha(token))).first()
        if t is None or t.revoked:
            return None
        return _principal(conn, int(t.user_id), "token", "")


def check_csrf(expected: str, sent: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one sent.

    Parameters
    ----------
    expected
        The session's token.
    sent
        The request's header or form field.

    Returns
    -------
    bool
    """
    return bool(expected) and bool(sent) and hmac.compare_digest(expected, str(sent))
