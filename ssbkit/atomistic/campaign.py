"""Screening campaigns: structures x substitutions x temperatures as Dask tasks.

Each candidate is one task on a Dask cluster (a ``distributed.LocalCluster``
by default, any scheduler by address). Before a task is submitted the client
*claims* it in the results store (:meth:`ssbkit.store.ResultsStore.claim`,
key = hash of the task's inputs, ``group_id`` = the campaign), and stores the
result the moment it arrives (:meth:`~ssbkit.store.ResultsStore.finish`). So:

- the same campaign started twice (even at once, on one store) never runs a
  task twice: the second start skips what the first has claimed or finished;
- a campaign killed outright (SIGKILL) leaves claims whose process is dead:
  the rerun takes them over and redoes those tasks. The MD inside resumes
  from its checkpoint; a trajectory cut short (0 bytes, or fewer frames
  than its checkpoint counted) is detected and the run restarted, never
  stored as a failure. Each task writes its outputs atomically
  (:func:`ssbkit.jsonio.write_json`), and a complete ``result.json`` with
  the task's key is reused instead of rerunning the MD;
- a failed task is stored as failed with its reason and skipped on reruns,
  unless ``retry_failed=True`` (``--retry-failed``);
- a task whose worker dies is run again (Dask ``retries``).

A bad candidate (unreadable file, impossible substitution, a melting
structure) is stored as failed and the rest go on.
The summary fits Arrhenius laws per material and places the candidates on the
sigma_RT-Ea map of the literature dataset.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, SsbkitError
from ..jsonio import input_key, write_json
from ..progress import Progress, report
from ..records import Record
from ..store import open_store

__all__ = [
    "Candidate",
    "CampaignResult",
    "build_candidates",
    "md_task",
    "run_campaign",
    "summary_table",
    "arrhenius_summary",
    "sigma_ea_map",
]


@dataclass(frozen=True)
class Candidate(Record):
    """One task: a structure file, a substitution (list of moves) and a temperature.

    ``settings`` are passed to the task (MD time, time step, supercell size, ...).
    """

    name: str
    structure: str
    substitution: str = "host"
    moves: tuple[tuple[str, str | None, int], ...] = ()
    temperature_K: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The task's inputs (no ``@class``: the dict is hashed into the task key).

        Returns
        -------
        dict
            The candidate's fields (moves as lists).
        """
        d = asdict(self)
        d["moves"] = [list(m) for m in self.moves]
        return d


def build_candidates(
    structures: Mapping[str, str | Path],
    temperatures_k: Sequence[float],
    *,
    substitutions: Mapping[str, Sequence[tuple[str, str | None, int]]] | None = None,
    include_host: bool = True,
    settings: Mapping[str, Any] | None = None,
) -> list[Candidate]:
    """The cross product structures x (host + substitutions) x temperatures.

    Parameters
    ----------
    structures
        Name -> structure file.
    temperatures_k
        Temperatures, K.
    substitutions
        Label -> moves ``(host, new or None, count)``.
    include_host
        Also the unsubstituted host.
    settings
        Task settings shared by all candidates.

    Returns
    -------
    list of Candidate
        One per structure x substitution x temperature.
    """
    if not structures:
        raise InputError("a campaign needs at least one structure")
    if not temperatures_k:
        raise InputError("a campaign needs at least one temperature")
    subs: list[tuple[str, tuple]] = [("host", ())] if include_host else []
    for label, moves in (substitutions or {}).items():
        subs.append((label, tuple((str(h), None if n in (None, "") else str(n), int(c)) for h, n, c in moves)))
    out = []
    for (sname, path), (label, moves), t in itertools.product(structures.items(), subs, temperatures_k):
        out.append(Candidate(f"{sname}/{label}/{float(t):g}K", str(path), label, moves, float(t), dict(settings or {})))
    return out


def md_task(candidate: Mapping[str, Any]) -> dict[str, Any]:
    """Default task: order, substitute (lowest energy), supercell, MD at T, diffusion analysis.

    Settings (``candidate["settings"]``): ``calculator`` ("chgnet"), ``device``,
    ``time_ps`` (50), ``timestep_fs`` (2), ``equilibration_ps`` (2), ``frame_interval_fs`` (100),
    ``thermostat`` ("bussi"), ``min_length_A`` (10), ``n_configs`` (5), ``species`` ("Li"),
    ``out_dir``, ``seed``, ``threads`` (torch CPU threads per task).

    Parameters
    ----------
    candidate
        A :class:`Candidate` dict.

    Returns
    -------
    dict
        JSON-ready outputs: formula, D, sigma, verdict, the potential's record.
    """
    from .calculators import load_calculator
    from .diffusion import analyse_diffusion
    from .md import run_md
    from .structures import make_supercell, order_structure, read_structure
    from .substitutions import enumerate_substitutions, rank_substitutions
    from .trajectory import read_trajectory

    st = dict(candidate.get("settings") or {})
    out_dir = Path(st.get("out_dir", "campaign")) / candidate["name"].replace("/", "_")
    key = input_key(dict(candidate))
    done = _complete_result(out_dir / "result.json", key)
    if done is not None:  # an earlier run finished the task but its result never reached the store
        return done
    calc = load_calculator(st.get("calculator", "chgnet"), device=st.get("device", "auto"), threads=st.get("threads"))
    s = read_structure(candidate["structure"])
    n_cfg = int(st.get("n_configs", 5))
    seed = int(st.get("seed", 0))
    s = make_supercell(s, min_length_A=float(st.get("min_length_A", 10.0)))
    if not s.is_ordered:
        s = order_structure(s, calculator=calc, n_candidates=n_cfg, seed=seed).structure
    if candidate.get("moves"):
        cands = enumerate_substitutions(s, candidate["moves"], max_candidates=n_cfg, seed=seed)
        s = rank_substitutions(cands, calc)[0].structure
    run = run_md(s, temperature_k=candidate["temperature_K"], time_ps=float(st.get("time_ps", 50.0)),
                 calculator=calc, out_dir=out_dir, timestep_fs=float(st.get("timestep_fs", 2.0)),
                 equilibration_ps=float(st.get("equilibration_ps", 2.0)), seed=seed,
                 frame_interval_fs=float(st.get("frame_interval_fs", 100.0)),
                 thermostat=str(st.get("thermostat", "bussi")), mobile_species=(str(st.get("species", "Li")),))
    species = st.get("species", "Li")
    res = analyse_diffusion(read_trajectory(run.trajectory), species, temperature_k=run.temperature_K)
    outputs = {
        "formula": s.composition.reduced_formula, "n_atoms": len(s), "temperature_K": run.temperature_K,
        "mean_temperature_K": run.mean_temperature_K, "trajectory": run.trajectory,
        "converged": bool(res.converged), "verdict": res.verdict, "reasons": list(res.reasons),
        "D_cm2_per_s": res.d_cm2_per_s, "D_err_cm2_per_s": res.d_err_cm2_per_s,
        "sigma_S_per_cm": res.sigma_S_per_cm, "sigma_err_S_per_cm": res.sigma_err_S_per_cm,
        "calculator": run.calculator_info,
    }
    write_json(out_dir / "result.json", {"key": key, "complete": True, "outputs": outputs})
    return outputs


def _complete_result(path: Path, key: str) -> dict | None:
    """The outputs of a finished task from its ``result.json`` (None if absent, partial or another task's)."""
    import json

    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if isinstance(doc, dict) and doc.get("key") == key and doc.get("complete") is True:
        return doc.get("outputs")
    return None


def _guarded(task: Callable, cand: dict) -> dict:
    """Run ``task``; a user-input problem becomes a stored failure instead of a retry."""
    try:
        return {"ok": True, "outputs": task(cand)}
    except SsbkitError as exc:
        return {"ok": False, "message": f"{type(exc).__name__}: {exc}"}


@dataclass(frozen=True)
class CampaignResult(Record):
    """Counts of one call of :func:`run_campaign` (the results are in the store)."""

    group_id: str
    n_candidates: int
    n_skipped: int
    n_ok: int
    n_failed: int
    store_url: str
    n_busy: int = 0


def run_campaign(
    candidates: Sequence[Candidate | Mapping[str, Any]],
    *,
    group_id: str,
    task: Callable[[dict], dict] = md_task,
    address: str | None = None,
    n_workers: int | None = None,
    threads_per_worker: int = 1,
    processes: bool = True,
    retries: int = 2,
    store_url: str | None = None,
    progress: Progress | None = None,
    on_result: Callable[[str, dict], None] | None = None,
    retry_failed: bool = False,
) -> CampaignResult:
    """Run the candidates as Dask tasks, storing each result as soon as it arrives.

    Parameters
    ----------
    candidates
        :class:`Candidate` objects (or their dicts).
    group_id
        Campaign name: results are stored under it and a rerun skips the keys done.
    task
        ``task(candidate_dict) -> dict`` of JSON-ready outputs (default :func:`md_task`).
    address
        Scheduler address (``tcp://host:8786``); None starts a ``LocalCluster``
        with ``n_workers`` x ``threads_per_worker`` (``processes=False``: threads).
    retries
        Times a task is run again after an unexpected error or a dead worker.
    on_result
        Called as ``on_result(key, record_dict)`` after each stored result.
    retry_failed
        Run again the candidates stored as failed (by default only those never stored run).
    progress
        ``progress(done, total, message)`` after each stored result.

    Returns
    -------
    CampaignResult
        Counts: run ok, failed, skipped (done earlier or failed), busy (claimed by another live process).
    """
    if not group_id:
        raise InputError("group_id must name the campaign")
    store = open_store(store_url)
    cands = [c.as_dict() if isinstance(c, Candidate) else dict(c) for c in candidates]
    tname = f"{getattr(task, '__module__', '')}.{getattr(task, '__qualname__', repr(task))}"
    keyed: dict[str, dict] = {}
    for c in cands:
        keyed.setdefault(input_key({"task": tname, "candidate": c}), c)
    claimed: dict[str, int] = {}
    n_busy = 0
    for k, c in keyed.items():
        row = store.claim(k, group_id=group_id, kind="campaign", name=c.get("name", k), inputs=c,
                          retry_failed=retry_failed)
        if row is None and (store.url, k) in _HELD:  # claimed earlier by this very process, then interrupted
            row = _HELD[(store.url, k)]
        if row is not None:
            _HELD[(store.url, k)] = row
            claimed[k] = row
        elif _is_running(store, k):
            n_busy += 1  # claimed by another live campaign process: it will store the result
    counts = {"ok": 0, "failed": 0}
    if claimed:
        # interrupted, the claims stay with this process: a rerun here (below) or, once this process
        # is gone, anywhere takes them over; they are never stored as failed
        _run_claimed(store, {k: keyed[k] for k in claimed}, claimed, task, address, n_workers,
                     threads_per_worker, processes, retries, progress, on_result, counts, group_id)
    return CampaignResult(group_id, len(keyed), len(keyed) - len(claimed) - n_busy, counts["ok"], counts["failed"],
                          store.url, n_busy)


#: claims this process holds and has not finished: (store url, key) -> run id
_HELD: dict[tuple[str, str], int] = {}


def _is_running(store, key: str) -> bool:
    rec = store.find(key, status=None)
    return rec is not None and rec.status == "running"


def _run_claimed(store, todo, rows, task, address, n_workers, threads_per_worker, processes, retries,
                 progress, on_result, counts, group_id) -> None:
    """Submit the claimed tasks to Dask and finish each claim as its result arrives."""
    from distributed import Client, LocalCluster, as_completed

    cluster = client = None
    try:
        if address:
            client = Client(address)
        else:
            cluster = LocalCluster(n_workers=n_workers or 1, threads_per_worker=threads_per_worker,
                                   processes=processes, dashboard_address=None)
            client = Client(cluster)
        futures = {client.submit(_guarded, task, c, key=f"ssbkit-{k}", retries=retries, pure=False): k
                   for k, c in todo.items()}
        stored: set[str] = set()

        def store_one(fut) -> dict:
            k = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # after the retries: a bug or a worker that kept dying
                res = {"ok": False, "message": f"{type(exc).__name__}: {exc}"}
            status = "ok" if res["ok"] else "failed"
            store.finish(rows[k], status=status, outputs=res.get("outputs"), message=res.get("message", ""))
            _HELD.pop((store.url, k), None)
            stored.add(k)
            counts[status] += 1
            return {"status": status, **res}

        try:
            for n, fut in enumerate(as_completed(futures), start=1):
                rec = store_one(fut)
                report(progress, n, len(futures), f"campaign {group_id}")
                if on_result is not None:
                    on_result(futures[fut], rec)
        except BaseException:  # interrupted: keep every result that already arrived
            for fut, k in futures.items():
                if k not in stored and fut.status in ("finished", "error"):
                    store_one(fut)
            raise
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def summary_table(group_id: str, *, store_url: str | None = None):
    """One row per stored task of the campaign (newest record per key), as a DataFrame.

    Parameters
    ----------
    group_id
        The campaign.
    store_url
        Results store (default: the user's).

    Returns
    -------
    pandas.DataFrame
        One row per task: status, D, sigma and errors.
    """
    import pandas as pd

    store = open_store(store_url)
    rows, seen = [], set()
    for r in store.list(kind="campaign", group_id=group_id, limit=1_000_000):
        if r.key in seen:
            continue
        seen.add(r.key)
        out = r.outputs or {}
        rows.append({
            "name": r.name, "structure": Path(r.inputs.get("structure", "")).stem,
            "substitution": r.inputs.get("substitution", ""), "temperature_K": r.inputs.get("temperature_K"),
            "status": r.status, "message": r.message, "converged": out.get("converged"),
            "D_cm2_per_s": out.get("D_cm2_per_s"), "sigma_S_per_cm": out.get("sigma_S_per_cm"),
            "sigma_err_S_per_cm": out.get("sigma_err_S_per_cm"), "key": r.key,
        })
    cols = ["name", "structure", "substitution", "temperature_K", "status", "message", "converged",
            "D_cm2_per_s", "sigma_S_per_cm", "sigma_err_S_per_cm", "key"]
    return pd.DataFrame(rows, columns=cols).sort_values(["structure", "substitution", "temperature_K"],
                                                        ignore_index=True)


def arrhenius_summary(table, *, t_room_k: float = 300.0):
    """Per (structure, substitution): Arrhenius fit (sigma T form) of the converged sigma(T).

    Returns a DataFrame with ``Ea_eV``, its 95 % interval, ``sigma_RT_S_per_cm``
    (extrapolated to ``t_room_k``) and its interval; rows with fewer than two
    converged temperatures carry NaN and a note.

    Parameters
    ----------
    table
        :func:`summary_table` output.
    t_room_k
        Temperature of the extrapolation, K.

    Returns
    -------
    pandas.DataFrame
        One row per (structure, substitution).
    """
    import numpy as np
    import pandas as pd

    from ..transport import fit_arrhenius

    rows = []
    for (st, sub), g in table.groupby(["structure", "substitution"], sort=True):
        ok = g[(g["status"] == "ok") & g["sigma_S_per_cm"].notna()]
        row = {"structure": st, "substitution": sub, "n_temperatures": len(ok), "Ea_eV": np.nan,
               "Ea_lo_eV": np.nan, "Ea_hi_eV": np.nan, "sigma_RT_S_per_cm": np.nan,
               "sigma_RT_lo_S_per_cm": np.nan, "sigma_RT_hi_S_per_cm": np.nan, "note": ""}
        if len(ok) < 2:
            row["note"] = "fewer than two converged temperatures"
        else:
            err = ok["sigma_err_S_per_cm"].astype(float).to_numpy()
            fit = fit_arrhenius(ok["temperature_K"].astype(float).to_numpy(),
                                ok["sigma_S_per_cm"].astype(float).to_numpy(),
                                y_err=err if np.all(np.isfinite(err) & (err > 0)) else None, form="sigmaT")
            y, lo, hi = fit.predict_interval(np.array([t_room_k]), 0.95)
            row.update(Ea_eV=fit.ea_ev, Ea_lo_eV=fit.ea_ci_ev[0], Ea_hi_eV=fit.ea_ci_ev[1],
                       sigma_RT_S_per_cm=float(np.ravel(y)[0]), sigma_RT_lo_S_per_cm=float(np.ravel(lo)[0]),
                       sigma_RT_hi_S_per_cm=float(np.ravel(hi)[0]))
        rows.append(row)
    return pd.DataFrame(rows)


def sigma_ea_map(summary, *, dataset=None):
    """Figure: sigma_RT against Ea of the candidates over the literature dataset (grey).

    Parameters
    ----------
    summary
        :func:`arrhenius_summary` output.
    dataset
        Literature table (default: :func:`ssbkit.materials.load_dataset`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    if dataset is None:
        from ..materials import load_dataset

        dataset = load_dataset()
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    lit = dataset[dataset["sigma_S_per_cm"].notna() & dataset["Ea_eV"].notna()]
    if "sigma_T_C" in lit:
        lit = lit[lit["sigma_T_C"].isna() | lit["sigma_T_C"].between(15, 35)]
    ax.scatter(lit["Ea_eV"], lit["sigma_S_per_cm"], s=14, c="0.7", label="literature (ssbkit dataset)")
    ok = summary[np.isfinite(summary["Ea_eV"].astype(float))]
    for _, r in ok.iterrows():
        yerr = [[r["sigma_RT_S_per_cm"] - r["sigma_RT_lo_S_per_cm"]], [r["sigma_RT_hi_S_per_cm"] - r["sigma_RT_S_per_cm"]]]
        xerr = [[r["Ea_eV"] - r["Ea_lo_eV"]], [r["Ea_hi_eV"] - r["Ea_eV"]]]
        ax.errorbar([r["Ea_eV"]], [r["sigma_RT_S_per_cm"]], xerr=xerr, yerr=yerr, fmt="o",
                    label=f"{r['structure']} {r['substitution']}")
    ax.set_yscale("log")
    ax.set_xlabel("activation energy Ea (eV)")
    ax.set_ylabel("sigma at room temperature (S/cm)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
