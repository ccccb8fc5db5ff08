"""Parameter sweeps over a study on Dask, stored variant by variant and resumable.

``ssbkit sweep STUDY.toml --vary cathode.porosity=0.1,0.2 --vary cathode.thickness_um=50,100``
runs the grid of variants as Dask tasks (a local cluster by default, an existing
one by scheduler address). Each finished variant is written to the results
store at once, keyed by a hash of the study and its assignments; started again,
the sweep runs only the variants that have no successful record yet. A variant
that fails is stored as failed with its message and the sweep goes on.
"""

from __future__ import annotations

import copy
import itertools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..store import input_key, open_store
from ..tomlio import read_toml

__all__ = ["parse_vary", "expand_grid", "SweepResult", "run_sweep", "run_variant"]


def _literal(text: str) -> Any:
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text  # a bare word is a string


def parse_vary(specs: list[str]) -> dict[str, list[Any]]:
    """Parse ``KEY=v1,v2,...`` specs (values as TOML literals; bare words are strings).

    Parameters
    ----------
    specs
        ``["cathode.porosity=0.1,0.2", ...]``.

    Returns
    -------
    dict of str to list
        Dotted key -> values.

    Raises
    ------
    InputError
        A malformed spec, a key given twice, no values.
    """
    out: dict[str, list[Any]] = {}
    for spec in specs:
        if "=" not in spec:
            raise InputError(f"--vary {spec!r}: expected KEY=v1,v2,... (e.g. cathode.porosity=0.1,0.2)")
        key, vals = spec.split("=", 1)
        key = key.strip()
        if not key or "." not in key:
            raise InputError(f"--vary {spec!r}: KEY must be table.key (e.g. cathode.porosity)")
        values = [_literal(v) for v in vals.split(",") if v.strip()]
        if not values:
            raise InputError(f"--vary {spec!r}: no values given")
        if key in out:
            raise InputError(f"--vary {key} given twice")
        out[key] = values
    if not out:
        raise InputError("a sweep needs at least one --vary KEY=v1,v2")
    return out


def expand_grid(vary: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """All combinations of the varied values (several keys make a grid).

    Parameters
    ----------
    vary
        What :func:`parse_vary` returns.

    Returns
    -------
    list of dict
        One ``{dotted key: value}`` per variant.

    Examples
    --------
    >>> len(expand_grid({"a.x": [1, 2], "a.y": [3, 4, 5]}))
    6
    """
    keys = list(vary)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(vary[k] for k in keys))]


def _summary(results: dict) -> dict:
    """The numbers of each section (no HTML) for the store and the sweep table."""
    return {k: v.get("results", {}) for k, v in results.get("sections", {}).items()}


def run_variant(raw: dict, base_dir: str, assignments: dict[str, Any], out_dir: str) -> dict:
    """Validate and run one variant; never raises for a bad variant (returns its message).

    Parameters
    ----------
    raw
        The parsed base study.
    base_dir
        Folder of the study file.
    assignments
        ``{dotted key: value}`` of this variant.
    out_dir
        Where the variant's report goes.

    Returns
    -------
    dict
        ``status`` (ok/failed), ``message``, ``results`` (numbers per section), ``out_dir``.
    """
    from .config import set_dotted, validate_study
    from .pipeline import run_study

    study = copy.deepcopy(raw)
    try:
        for k, v in assignments.items():
            study = set_dotted(study, k, v)
        study = validate_study(study, source="sweep variant", base_dir=Path(base_dir))
        res = run_study(study, out_dir, record=False)
    except InputError as exc:
        return {"status": "failed", "message": str(exc), "results": {}}
    except Exception as exc:  # keep the sweep going
        return {"status": "failed", "message": f"{type(exc).__name__}: {exc}", "results": {}}
    failed = [k for k, v in res.status.items() if v != "ok"]
    msg = "; ".join(f"{k}: {res.results['sections'][k]['warnings'][:1]}" for k in failed)
    return {"status": "failed" if failed else "ok", "message": msg, "results": _summary(res.results),
            "out_dir": str(res.out_dir)}


@dataclass
class SweepResult:
    """Outcome of :func:`run_sweep`: per-variant rows and what ran now vs earlier."""

    group_id: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    ran: int = 0
    skipped: int = 0
    failed: int = 0

    def to_dict(self) -> dict:
        """The sweep table for ``--json`` and the store.

        Returns
        -------
        dict
            ``group_id``, counts ``ran``/``skipped``/``failed`` and one row per variant.
        """
        return {"group_id": self.group_id, "ran": self.ran, "skipped": self.skipped, "failed": self.failed,
                "variants": self.rows}


def _stored_row(store, key: str, assign: dict[str, Any]) -> dict[str, Any]:
    prev = store.find(key, status=None)
    if prev is None or prev.status == "running":
        return {"assignments": assign, "status": "running elsewhere", "key": key,
                "message": "claimed by another sweep on this store", "results": {}}
    status = "ok (stored)" if prev.status == "ok" else "failed (stored; --retry-failed runs it again)"
    return {"assignments": assign, "status": status, "key": key, "message": prev.message,
            "results": (prev.outputs or {}).get("results", {})}


def _client(scheduler: str | None, n_workers: int | None, processes: bool):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        return None, None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except Exception as exc:
            raise InputError(f"cannot reach Dask scheduler {scheduler!r}: {exc}") from None
    cluster = LocalCluster(n_workers=n_workers or 2, threads_per_worker=1, processes=processes,
                           dashboard_address=None)
    return Client(cluster), cluster


def _execute(jobs, raw, base_dir, record, *, scheduler, n_workers, processes, stop_after) -> None:
    """Run ``jobs`` ``[(key, assignments, out_dir)]`` on Dask (or a process pool) and record each."""
    client, cluster = _client(scheduler, n_workers, processes)
    try:
        if client is None:  # no distributed installed: a local process pool does the same job
            _execute_pool(jobs, raw, base_dir, record, n_workers=n_workers, stop_after=stop_after)
        else:
            _execute_dask(client, jobs, raw, base_dir, record, stop_after=stop_after)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _execute_pool(jobs, raw, base_dir, record, *, n_workers, stop_after) -> None:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=n_workers or 2) as ex:
        futs = {ex.submit(run_variant, raw, base_dir, a, o): (k, a) for k, a, o in jobs}
        for n, f in enumerate(as_completed(futs), 1):
            k, a = futs[f]
            record(k, a, f.result())
            if stop_after and n >= stop_after:
                for other in futs:
                    other.cancel()
                break


def _execute_dask(client, jobs, raw, base_dir, record, *, stop_after) -> None:
    from distributed import as_completed as dask_as_completed

    futs = {client.submit(run_variant, raw, base_dir, a, o, key=f"variant-{k}", retries=2, pure=False): (k, a)
            for k, a, o in jobs}
    for n, fut in enumerate(dask_as_completed(list(futs)), 1):
        k, a = futs[fut]
        try:
            res = fut.result()
        except Exception as exc:  # a worker that died beyond its retries
            res = {"status": "failed", "message": f"task failed: {exc}", "results": {}}
        record(k, a, res)
        if stop_after and n >= stop_after:
            for other in futs:
                other.cancel()
            break


def run_sweep(
    study_path: str | Path,
    vary_specs: list[str],
    *,
    out_dir: str | Path = "ssbkit-out/sweep",
    scheduler: str | None = None,
    n_workers: int | None = None,
    processes: bool = True,
    db_url: str | None = None,
    stop_after: int | None = None,
    on_done: Callable[[dict], None] | None = None,
    retry_failed: bool = False,
) -> SweepResult:
    """Run the grid of variants of a study on Dask; resume where an earlier run stopped.

    Parameters
    ----------
    study_path
        Study TOML file.
    vary_specs
        ``["table.key=v1,v2", ...]``; several make a grid.
    out_dir
        Each variant writes its report to ``out_dir/variant-<key>``.
    scheduler
        Address of a running Dask scheduler; default a LocalCluster.
    n_workers, processes
        Size and kind of the local cluster (processes=False uses threads).
    db_url
        Results store (default the user's SQLite store).
    stop_after
        Stop after this many variants finished (the others stay missing, as after
        an interruption).
    on_done
        Called with each finished row (e.g. to advance a progress bar).
    retry_failed
        Run again the variants whose stored run failed (default: report them as
        failed without re-running or re-recording them).

    Returns
    -------
    SweepResult
        One row per variant; ``ran``/``skipped``/``failed`` counts. Each variant
        is claimed in the store before it runs, so two sweeps started on one
        store never run (or record) a variant twice.
    """
    from .config import load_study

    p = Path(study_path)
    load_study(p)  # validate the base study first: a clear error before any task runs
    raw = read_toml(p, what="study file")
    vary = parse_vary(vary_specs)
    grid = expand_grid(vary)
    group = input_key({"study": raw, "vary": vary})
    store = open_store(db_url)
    result = SweepResult(group_id=group)
    name = raw.get("study", {}).get("name", p.stem)
    todo = []
    for assign in grid:
        key = input_key({"group": group, "assign": assign})
        rid = store.claim(key, group_id=group, kind="sweep-variant", name=f"{name} {assign}",
                          inputs={"study": str(p), "assignments": assign}, retry_failed=retry_failed)
        if rid is None:
            result.skipped += 1
            result.rows.append(_stored_row(store, key, assign))
        else:
            todo.append((key, assign, rid))
    out = Path(out_dir)
    base_dir = str(p.resolve().parent)
    claimed = {k: rid for k, _, rid in todo}

    def record(key, assign, res):
        store.finish(claimed.pop(key), status=res["status"], message=res.get("message", ""),
                     outputs={"results": res.get("results", {}), "out_dir": res.get("out_dir")})
        row = {"assignments": assign, "status": res["status"], "key": key, "message": res.get("message", ""),
               "results": res.get("results", {})}
        result.rows.append(row)
        result.ran += 1
        result.failed += res["status"] != "ok"
        if on_done:
            on_done(row)

    if not todo:
        return result
    jobs = [(k, a, str(out / f"variant-{k[:10]}")) for k, a, _ in todo]
    try:
        _execute(jobs, raw, base_dir, record, scheduler=scheduler, n_workers=n_workers,
                 processes=processes, stop_after=stop_after)
    finally:
        for rid in claimed.values():  # stopped early or interrupted: the next run redoes these
            store.release(rid)
    return result
