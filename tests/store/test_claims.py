"""Store-level claims: concurrent workers never run a task twice; dead owners are taken over."""

from __future__ import annotations

import multiprocessing as mp
import socket
import subprocess
import sys

import sqlalchemy as sa

from ssbkit.store import mask_url, open_store
from ssbkit.store.db import CLAIMS, RUNS


def _worker(url: str, keys: list[str], out) -> None:
    store = open_store(url)
    mine = []
    for k in keys:
        rid = store.claim(k, group_id="g", kind="test", name=k, inputs={"k": k})
        if rid is not None:
            mine.append(k)
            store.finish(rid, status="ok", outputs={"k": k})
    out.put(mine)


def test_two_processes_on_one_store_run_each_task_exactly_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    open_store(url)
    keys = [f"k{i:02d}" for i in range(24)]
    q: mp.Queue = mp.get_context("spawn").Queue()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(url, keys, q)) for _ in range(2)]
    for p in procs:
        p.start()
    done = [q.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sorted(done[0] + done[1]) == keys  # every task once, none twice
    store = open_store(url)
    with store.engine.connect() as conn:
        n_rows = conn.execute(sa.select(sa.func.count()).select_from(RUNS)).scalar()
        n_claims = conn.execute(sa.select(sa.func.count()).select_from(CLAIMS)).scalar()
    assert n_rows == len(keys) and n_claims == 0
    # started again: nothing left to do
    assert all(store.claim(k, group_id="g", kind="test", name=k, inputs={}) is None for k in keys)


def test_a_claim_whose_process_died_is_taken_over_and_its_row_reused(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    rid = store.claim("task", group_id="g", kind="test", name="t", inputs={})
    assert rid is not None
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    with store.engine.begin() as conn:  # pretend a killed process holds it
        conn.execute(CLAIMS.update().values(owner=f"{socket.gethostname()}:{dead}"))
    again = store.claim("task", group_id="g", kind="test", name="t", inputs={})
    assert again == rid
    assert [r.status for r in store.list(group_id="g")] == ["running"]


def test_a_live_claim_is_not_taken_and_failed_tasks_wait_for_retry_failed(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    rid = store.claim("a", group_id="g", kind="test", name="a", inputs={})
    assert store.claim("a", group_id="g", kind="test", name="a", inputs={}) is None  # we are alive
    store.finish(rid, status="failed", message="boom")
    assert store.claim("a", group_id="g", kind="test", name="a", inputs={}) is None
    retry = store.claim("a", group_id="g", kind="test", name="a", inputs={}, retry_failed=True)
    assert retry == rid  # the failed row is reused, not duplicated
    store.finish(retry, status="ok")
    assert [(r.status, r.message) for r in store.list(group_id="g")] == [("ok", "")]


def test_passwords_are_masked_in_urls_and_in_connection_errors(tmp_path):
    assert "s3cret" not in mask_url("postgresql+psycopg://lab:s3cret@127.0.0.1:1/x")
    import pytest

    from ssbkit.errors import InputError

    with pytest.raises(InputError) as exc:
        open_store("postgresql+psycopg://lab:s3cret@127.0.0.1:1/x")
    assert "s3cret" not in str(exc.value) and "***" in str(exc.value)
