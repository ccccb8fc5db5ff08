"""Jobs: analyses queued in the database and run on a worker pool.

The job's state lives in the ``web_jobs`` table, so a job survives a server
restart: on start, queued jobs are queued again and jobs left ``running`` are
resumed (their inputs are all in the database and the data folder; an
analysis is written only when it has finished) or, after three attempts,
marked ``interrupted`` with a message. Workers are a local thread or process
pool, or a Dask scheduler (``--scheduler``); a worker opens the database by
its URL, so all three report progress the same way: the workflow's
``progress(done, total, message)`` callback writes to the job's row and the
page follows it by server-sent events.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ssbkit.errors import SsbkitError

from . import analyses
from .db import ANALYSES, FILES, JOBS, MEASUREMENTS, SAMPLES, dumps, loads, new_id, now, open_engine
from .files import stored_path

__all__ = ["JobRunner", "run_job", "queue_job", "study_dir", "MAX_ATTEMPTS", "JOB_KINDS", "SAMPLE_KINDS"]

log = logging.getLogger("ssbkit.web.jobs")
MAX_ATTEMPTS = 3
JOB_KINDS = ("impedance", "cycling", "tortuosity", "dsc", "dsc_kinetics", "study")
#: kinds whose analysis belongs to the sample, not to one measurement
SAMPLE_KINDS = ("impedance", "dsc_kinetics", "study")
_ENGINES: dict[str, sa.Engine] = {}
_LOCK = threading.Lock()


def _engine(url: str) -> sa.Engine:
    with _LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = open_engine(url)
        return _ENGINES[url]


def queue_job(engine: sa.Engine, *, kind: str, sample_id: int | None, lab_id: int, user_id: int,
              params: dict[str, Any]) -> int:
    """Insert a queued job.

    Parameters
    ----------
    engine
        The web database.
    kind
        One of :data:`JOB_KINDS`.
    sample_id, lab_id, user_id
        Whose.
    params
        What the job needs besides the database (protocol, measurement ids, ...).

    Returns
    -------
    int
        The job id.
    """
    with engine.begin() as conn:
        return new_id(conn.execute(JOBS.insert().values(
            sample_id=sample_id, lab_id=lab_id, created_by=user_id, kind=kind, params=dumps(params),
            state="queued", attempts=0, done=0, total=0, message="queued", created_at=now(),
            updated_at=now())))


def study_dir(data_dir: Path, job_id: int) -> Path:
    """Folder of a study job's report and results.

    Parameters
    ----------
    data_dir
        The server's data folder.
    job_id
        The study job.

    Returns
    -------
    Path
    """
    return Path(data_dir) / "studies" / f"job-{int(job_id)}"


def _claim(engine: sa.Engine, job_id: int) -> bool:
    with engine.begin() as conn:
        r = conn.execute(JOBS.update().where(JOBS.c.id == job_id, JOBS.c.state == "queued")
                         .values(state="running", attempts=JOBS.c.attempts + 1, updated_at=now()))
    return r.rowcount == 1


def _finish(engine: sa.Engine, job_id: int, state: str, message: str) -> None:
    with engine.begin() as conn:
        conn.execute(JOBS.update().where(JOBS.c.id == job_id).values(
            state=state, message=message[:4000], updated_at=now()))


def _progress(engine: sa.Engine, job_id: int):
    last = [0.0]

    def cb(done: float, total: float, message: str = "") -> None:
        t = time.monotonic()
        if t - last[0] < 0.2 and done < total:
            return
        last[0] = t
        with engine.begin() as conn:
            conn.execute(JOBS.update().where(JOBS.c.id == job_id).values(
                done=float(done), total=float(total), message=str(message)[:500], updated_at=now()))
    return cb


def _measurement_files(conn, data_dir: Path, ids: list[int]) -> list[tuple[Path, str, float | None]]:
    q = (sa.select(MEASUREMENTS.c.id, MEASUREMENTS.c.temperature_c, FILES.c.stored_name, FILES.c.original_name)
         .join(FILES, FILES.c.id == MEASUREMENTS.c.file_id).where(MEASUREMENTS.c.id.in_(ids))
         .order_by(MEASUREMENTS.c.id))
    return [(stored_path(data_dir, r.stored_name), r.original_name, r.temperature_c) for r in conn.execute(q)]


def _execute(engine: sa.Engine, data_dir: Path, job, params: dict, progress, max_voxels: int) -> dict:
    if job.kind == "study":
        with engine.connect() as conn:
            f = conn.execute(sa.select(FILES).where(FILES.c.id == params["file_id"])).first()
        assert f is not None
        return analyses.run_study_file(stored_path(data_dir, f.stored_name), f.original_name,
                                       out_dir=study_dir(data_dir, job.id), progress=progress)
    with engine.connect() as conn:
        sample = conn.execute(sa.select(SAMPLES).where(SAMPLES.c.id == job.sample_id)).first()
        files = _measurement_files(conn, data_dir, params.get("measurement_ids", []))
    if sample is None:
        raise SsbkitError(f"the sample of job {job.id} was deleted")
    details = loads(sample.details, {})
    if job.kind == "impedance":
        return analyses.impedance_series(
            files, thickness_cm=details.get("thickness_cm"), diameter_cm=details.get("diameter_cm"),
            area_cm2=details.get("area_cm2"), protocol=params.get("protocol"), progress=progress)
    if job.kind == "dsc_kinetics":
        rates = params.get("heating_rates_K_per_min") or [None] * len(files)
        return analyses.dsc_kinetics([(path, name, r) for (path, name, _t), r in zip(files, rates, strict=True)],
                                     options=params.get("dsc_options"), progress=progress)
    (path, name, _t), = files
    if job.kind == "cycling":
        return analyses.cycling_summary(path, name, mass_mg=details.get("active_mass_mg"),
                                        area_cm2=details.get("electrode_area_cm2"), progress=progress)
    if job.kind == "tortuosity":
        return analyses.tortuosity(path, name, phase=int(params.get("phase", 1)), axis=int(params.get("axis", 0)),
                                   voxel_um=params.get("voxel_um"), max_voxels=max_voxels, progress=progress)
    if job.kind == "dsc":
        return analyses.dsc_analysis(path, name, options=params.get("dsc_options"), progress=progress)
    raise SsbkitError(f"unknown job kind {job.kind!r}")


def _summary(kind: str, result: dict | None) -> dict:
    """The numbers the sample list and the compare page read (without parsing the whole result)."""
    if kind == "dsc_kinetics" and result:
        k = result.get("kissinger") or {}
        return {"ea_kJ_per_mol": k.get("ea_kJ_per_mol"), "ea_ci_kJ_per_mol": k.get("ea_ci_kJ_per_mol"),
                "n_files": len(result.get("files") or [])}
    if kind != "impedance" or not result:
        return {}
    sig = (result.get("sigma_at") or {}).get("total") or {}
    return {"ea_eV": result.get("ea_total_eV"), "ea_err_eV": result.get("ea_total_err_eV"),
            "sigma_S_per_cm": sig.get("sigma_S_per_cm"), "sigma_T_C": sig.get("T_C")}


def _record(engine: sa.Engine, job, params: dict, result: dict | None, status: str, message: str) -> None:
    mid = None if job.kind in SAMPLE_KINDS else (params.get("measurement_ids") or [None])[0]
    protocol = (result or {}).get("protocol")
    if protocol is None:
        protocol = params.get("protocol") if job.kind == "impedance" else \
            {k: v for k, v in params.items() if k != "measurement_ids"}
    with engine.begin() as conn:
        cond = [ANALYSES.c.sample_id == job.sample_id, ANALYSES.c.kind == job.kind]
        if mid is not None:
            cond.append(ANALYSES.c.measurement_id == mid)
        if status == "ok" and job.kind != "study":
            conn.execute(ANALYSES.update().where(*cond).values(current=False))
        conn.execute(ANALYSES.insert().values(
            sample_id=job.sample_id, job_id=job.id, measurement_id=mid, kind=job.kind,
            protocol=dumps(protocol), software=dumps(analyses.software()),
            result=dumps(result) if result is not None else None, summary=dumps(_summary(job.kind, result)),
            status=status, message=message[:4000],
            current=status == "ok", created_at=now()))


def run_job(db_url: str, data_dir: str, job_id: int, max_voxels: int = 256**3) -> str:
    """Run one queued job to its end (in a worker thread, process or Dask worker).

    Parameters
    ----------
    db_url
        The web database.
    data_dir
        The server's data folder.
    job_id
        The job.
    max_voxels
        Volume size limit for tortuosity jobs.

    Returns
    -------
    str
        The job's final state (``"skipped"`` if another worker had it).
    """
    engine = _engine(db_url)
    if not _claim(engine, job_id):
        return "skipped"
    with engine.connect() as conn:
        job = conn.execute(sa.select(JOBS).where(JOBS.c.id == job_id)).first()
    assert job is not None
    params = loads(job.params, {})
    try:
        result = _execute(engine, Path(data_dir), job, params, _progress(engine, job_id), max_voxels)
    except SsbkitError as exc:
        _record(engine, job, params, None, "failed", str(exc))
        _finish(engine, job_id, "failed", str(exc))
        return "failed"
    except Exception as exc:  # a bug or a numerical failure deep down: say so, keep the server up
        log.exception("job %s failed", job_id)
        msg = f"internal error: {type(exc).__name__}: {exc}"
        _record(engine, job, params, None, "failed", msg)
        _finish(engine, job_id, "failed", msg)
        return "failed"
    _record(engine, job, params, result, "ok", "")
    n_bad = len(result.get("failures", [])) + len(result.get("skipped", []))
    _finish(engine, job_id, "done", "done" + (f"; {n_bad} spectra or files left out (see the result)" if n_bad else ""))
    return "done"


class JobRunner:
    """Runs queued jobs on a local pool or a Dask scheduler.

    Parameters
    ----------
    settings
        :class:`ssbkit.web.settings.Settings`.
    engine
        The web database.
    """

    def __init__(self, settings, engine: sa.Engine) -> None:
        self.settings, self.engine = settings, engine
        self._futures: set = set()
        self._client = None
        if settings.scheduler:
            from distributed import Client

            self._client = Client(settings.scheduler)
            self._pool: cf.Executor | None = None
        elif settings.pool == "process":
            self._pool = cf.ProcessPoolExecutor(settings.workers, mp_context=multiprocessing.get_context("spawn"))
        else:
            self._pool = cf.ThreadPoolExecutor(settings.workers, thread_name_prefix="ssbkit-job")

    def submit(self, job_id: int) -> None:
        """Hand a queued job to the workers.

        Parameters
        ----------
        job_id
            The job.
        """
        args = (self.settings.db_url, str(self.settings.data_dir), job_id, self.settings.max_volume_voxels)
        fut: Any
        if self._client is not None:
            fut = self._client.submit(run_job, *args, pure=False)
        else:
            assert self._pool is not None
            fut = self._pool.submit(run_job, *args)
        self._futures.add(fut)
        fut.add_done_callback(self._futures.discard)

    def recover(self) -> dict[str, int]:
        """Requeue what a previous run of the server left queued or running.

        Returns
        -------
        dict
            ``{"resumed": n, "interrupted": m}``.
        """
        resumed, interrupted = [], 0
        with self.engine.begin() as conn:
            for j in conn.execute(sa.select(JOBS).where(JOBS.c.state.in_(("queued", "running")))).all():
                if j.state == "running" and j.attempts >= MAX_ATTEMPTS:
                    conn.execute(JOBS.update().where(JOBS.c.id == j.id).values(
                        state="interrupted", updated_at=now(),
                        message=f"interrupted by server restarts {j.attempts} times; not retried (start it again)"))
                    interrupted += 1
                    continue
                if j.state == "running":
                    conn.execute(JOBS.update().where(JOBS.c.id == j.id).values(
                        state="queued", updated_at=now(), message="resumed after a server restart"))
                resumed.append(int(j.id))
        for jid in resumed:
            self.submit(jid)
        return {"resumed": len(resumed), "interrupted": interrupted}

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the jobs submitted so far (tests, benchmarks, shutdown).

        Parameters
        ----------
        timeout
            Seconds.
        """
        futs = list(self._futures)
        if self._client is not None:
            from distributed import wait

            wait(futs, timeout=timeout)
        else:
            cf.wait(futs, timeout=timeout)

    def shutdown(self) -> None:
        """Stop the pool (running jobs finish; queued ones stay queued in the database)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
