"""Claims: concurrent sweeps and campaigns on one store never run a task twice.

A claim is a unique row in the ``claims`` table; a claim whose process died
(same host) is taken over and its run row reused. :class:`ClaimsMixin` holds
these methods of :class:`ssbkit.store.db.ResultsStore`.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from ..provenance import software_versions
from .schema import CLAIMS, RUNS, _dumps, _now

__all__ = ["ClaimsMixin"]


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str) -> bool:
    """False only when the owner ran on this host and its process is gone."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class ClaimsMixin:
    """``claim`` / ``finish`` / ``release`` / ``failed_keys`` of the results store."""

    engine: sa.Engine

    def claim(
        self,
        key: str,
        *,
        group_id: str | None,
        kind: str,
        name: str,
        inputs: dict[str, Any],
        retry_failed: bool = False,
    ) -> int | None:
        """Take ownership of task ``key`` unless it is done or owned; return its run id.

        Concurrent sweeps and campaigns on one store call this before each
        task, so that no task runs twice and nothing finished is redone. The
        claim is atomic (a unique row in the ``claims`` table).

        Parameters
        ----------
        key
            The task's input key (:func:`input_key`).
        group_id
            The sweep or campaign the task belongs to.
        kind, name, inputs
            Stored on the task's run row (status ``"running"`` until :meth:`finish`).
        retry_failed
            Claim a task whose last run failed (its row is reused) instead of
            skipping it.

        Returns
        -------
        int or None
            The run id to pass to :meth:`finish`, or None when the task is done
            (status ok), failed and ``retry_failed`` is False, or claimed by a
            live process. A claim whose process died (same host) is taken over
            and its run row reused.
        """
        me = _owner()
        if self._finished(key, retry_failed) is True:
            return None
        if not self._take_claim(key, group_id, me):
            return None
        # look again now that we hold the claim: a worker that finished between our first
        # look and our claim has written its status before releasing the claim
        last = self._finished(key, retry_failed)
        if last is True:
            with self.engine.begin() as conn:
                conn.execute(CLAIMS.delete().where(CLAIMS.c.key == key, CLAIMS.c.owner == me))
            return None
        reuse = None if last is False else last.id
        row = dict(kind=kind, name=name, group_id=group_id, key=key, status="running", message="",
                   inputs=_dumps(inputs), outputs=None, versions=_dumps(software_versions()),
                   started_at=_now(), finished_at=None)
        with self.engine.begin() as conn:
            if reuse is None:
                run_id = int(conn.execute(RUNS.insert().values(**row)).inserted_primary_key[0])  # type: ignore[index]
            else:
                conn.execute(RUNS.update().where(RUNS.c.id == reuse).values(**row))
                run_id = reuse
            conn.execute(CLAIMS.update().where(CLAIMS.c.key == key).values(run_id=run_id))
        return run_id

    def _finished(self, key: str, retry_failed: bool):
        """True if ``key`` needs no run; else the latest row (or False when there is none)."""
        with self.engine.connect() as conn:
            last = conn.execute(
                sa.select(RUNS.c.id, RUNS.c.status).where(RUNS.c.key == key).order_by(RUNS.c.id.desc())
            ).first()
        if last is None:
            return False
        if last.status == "ok" or (last.status == "failed" and not retry_failed):
            return True
        return last

    def _take_claim(self, key: str, group_id: str | None, me: str) -> bool:
        from sqlalchemy.exc import IntegrityError

        try:
            with self.engine.begin() as conn:
                conn.execute(CLAIMS.insert().values(key=key, group_id=group_id, owner=me, claimed_at=_now()))
            return True
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            held = conn.execute(sa.select(CLAIMS.c.owner).where(CLAIMS.c.key == key)).first()
            if held is None or _owner_alive(held.owner):
                return False
            # the owner died: take the claim over, atomically (compare and swap on the owner)
            res = conn.execute(
                CLAIMS.update().where(CLAIMS.c.key == key, CLAIMS.c.owner == held.owner)
                .values(owner=me, claimed_at=_now())
            )
            return bool(res.rowcount == 1)

    def finish(self, run_id: int, *, status: str, outputs: dict[str, Any] | None = None,
               message: str = "") -> None:
        """Store the outcome of a claimed task and release its claim.

        Parameters
        ----------
        run_id
            What :meth:`claim` returned.
        status
            ``"ok"`` or ``"failed"``.
        outputs, message
            The results (JSON-serialisable) and, for a failure, why.
        """
        if status not in ("ok", "failed"):
            raise InputError(f"status must be 'ok' or 'failed', got {status!r}")
        with self.engine.begin() as conn:
            conn.execute(RUNS.update().where(RUNS.c.id == int(run_id)).values(
                status=status, outputs=_dumps(outputs) if outputs is not None else None,
                message=message, finished_at=_now()))
            conn.execute(CLAIMS.delete().where(CLAIMS.c.run_id == int(run_id)))

    def release(self, run_id: int) -> None:
        """Give up a claim without a result; the task stays to do (its row says ``running``).

        Parameters
        ----------
        run_id
            What :meth:`claim` returned.

        Returns
        -------
        None
        """
        with self.engine.begin() as conn:
            conn.execute(CLAIMS.delete().where(CLAIMS.c.run_id == int(run_id)))

    def failed_keys(self, group_id: str) -> set[str]:
        """Keys of the runs in ``group_id`` whose last status is failed.

        Parameters
        ----------
        group_id
            The sweep or campaign.

        Returns
        -------
        set of str
        """
        q = sa.select(RUNS.c.key).where(RUNS.c.group_id == group_id, RUNS.c.status == "failed")
        with self.engine.connect() as conn:
            return {k for (k,) in conn.execute(q) if k}
