"""Load test of the lab web app on 127.0.0.1: concurrent clients uploading and fitting spectra.

Run: ``.venv/bin/python benchmarks/bench_web.py [--clients 20] [--workers 2] [--spectra 6]``

Starts ``ssbkit serve`` (uvicorn, SQLite, local thread pool) in a subprocess on a
free port of 127.0.0.1 only, creates an admin and an API token, then runs
``--clients`` clients at once; each creates a sample, uploads ``--spectra``
synthetic pellet spectra (two arcs and a blocking tail, Arrhenius resistances,
0.5 % noise) in one request, and follows its fit job to the end. Reported: errors
(any non-2xx answer, a failed job, or an Ea more than 3 standard errors + 0.01 eV
from the true 0.35 eV), p50/p95 latency of the upload request, of a page view
during the load, and of upload -> fitted, and throughput (series fitted per
minute). No peer tool has a multi-user server (DearEIS is a desktop GUI), so
there is no side-by-side figure; the library's own fit time of one series is
printed beside for scale.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

K_B = 8.617333262e-5
EA_B, A_B, EA_GB, A_GB = 0.35, 2e2, 0.55, 8e4
D_CM, DIAM_CM = 0.1, 1.0
T_C = (25.0, 40.0, 55.0, 70.0, 85.0, 100.0, 115.0, 130.0)


def _series(n: int, seed: int) -> list[tuple[str, bytes]]:
    from ssbkit.impedance.circuit import parse_circuit

    c, f, rng = parse_circuit("p(R1,CPE1)-p(R2,CPE2)-CPE3"), np.logspace(-2, 7, 73), np.random.default_rng(seed)
    area = math.pi * DIAM_CM**2 / 4
    out = []
    for t in T_C[:n]:
        tk = t + 273.15
        rb = D_CM / (A_B / tk * math.exp(-EA_B / (K_B * tk)) * area)
        rg = D_CM / (A_GB / tk * math.exp(-EA_GB / (K_B * tk)) * area)
        z = c.impedance(np.array([rb, 5e-12**0.95 * rb**-0.05, 0.95, rg, 2e-9**0.85 * rg**-0.15, 0.85, 1e-6, 0.8]), f)
        s = 0.005 * np.abs(z)
        z = z + s * rng.normal(size=z.size) + 1j * s * rng.normal(size=z.size)
        out.append((f"s{seed}_{t:g}C.csv", "\n".join(f"{a:.6e},{b.real:.6e},{b.imag:.6e}" for a, b in zip(f, z, strict=True)).encode()))
    return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp: Path, workers: int, pool: str) -> tuple[subprocess.Popen, str]:
    port = _port()
    env = {**os.environ, "SSBKIT_SECRET": "bench-secret-" + "x" * 40}
    proc = subprocess.Popen([sys.executable, "-m", "ssbkit.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--db", f"sqlite:///{tmp / 'web.db'}", "--data-dir", str(tmp / "data"),
                             "--workers", str(workers), "--pool", pool], env=env, stdout=subprocess.DEVNULL,
                            stderr=open(tmp / "server.log", "w"))
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start: " + (tmp / "server.log").read_text()[-2000:])


def _token(base: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as c:
        page = c.get("/login").text
        tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        c.post("/setup", data={"username": "bench", "password": "bench-password", "lab": "Bench lab", "csrf_token": tok})
        csrf = re.search(r'<meta name="csrf-token" content="([^"]*)"', c.get("/samples").text).group(1)
        return c.post("/api/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf}).json()["token"]


def _client(base: str, token: str, i: int, n_spectra: int, files, results: list, lock) -> None:
    h = {"Authorization": f"Bearer {token}"}
    rec: dict = {"errors": []}
    with httpx.Client(base_url=base, headers=h, timeout=300) as c:
        t0 = time.perf_counter()
        r = c.post("/api/samples", json={"name": f"bench {i}", "composition": "Li3PS4", "batch": f"B{i % 4}",
                                         "thickness_cm": D_CM, "diameter_cm": DIAM_CM})
        if r.status_code != 201:
            rec["errors"].append(f"create {r.status_code}")
        sid = r.json().get("id")
        t1 = time.perf_counter()
        r = c.post(f"/api/samples/{sid}/measurements", data={"kind": "eis"},
                   files=[("files", (n, b, "text/csv")) for n, b in files])
        rec["upload_s"] = time.perf_counter() - t1
        if r.status_code != 201 or not r.json().get("jobs"):
            rec["errors"].append(f"upload {r.status_code} {r.text[:200]}")
        else:
            jid = r.json()["jobs"][0]
            while True:
                t2 = time.perf_counter()
                j = c.get(f"/api/jobs/{jid}").json()
                rec.setdefault("poll_s", []).append(time.perf_counter() - t2)
                if j["state"] in ("done", "failed", "interrupted"):
                    break
                time.sleep(0.2)
            rec["fitted_s"] = time.perf_counter() - t1
            if j["state"] != "done":
                rec["errors"].append(f"job {j['state']}: {j['message']}")
            else:
                res = c.get(f"/api/samples/{sid}").json()["analyses"][0]["result"]
                if not abs(res["ea_bulk_eV"] - EA_B) < 3 * (res["ea_bulk_err_eV"] or 0) + 0.01:
                    rec["errors"].append(f"Ea_bulk {res['ea_bulk_eV']:.3f} eV")
        rec["total_s"] = time.perf_counter() - t0
    with lock:
        results.append(rec)


def _pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--spectra", type=int, default=6)
    ap.add_argument("--pool", choices=("thread", "process"), default="thread")
    ap.add_argument("--out", type=Path, default=None, help="default: benchmarks/results/web.md (web-process.md)")
    a = ap.parse_args(argv)
    if a.out is None:
        a.out = Path(__file__).with_name("results") / ("web.md" if a.pool == "thread" else "web-process.md")

    from ssbkit.web.analyses import impedance_series

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        files = {i: _series(a.spectra, i) for i in range(a.clients)}
        # the library alone, one series, for scale (warm: second call)
        paths = []
        for n, b in files[0]:
            (tmp / n).write_bytes(b)
            paths.append((tmp / n, n, None))
        impedance_series(paths, thickness_cm=D_CM, diameter_cm=DIAM_CM)
        t = time.perf_counter()
        impedance_series(paths, thickness_cm=D_CM, diameter_cm=DIAM_CM)
        lib_s = time.perf_counter() - t

        proc, base = _start(tmp, a.workers, a.pool)
        try:
            token = _token(base)
            results: list = []
            lock = threading.Lock()
            t0 = time.perf_counter()
            with ThreadPoolExecutor(a.clients) as ex:
                for i in range(a.clients):
                    ex.submit(_client, base, token, i, a.spectra, files[i], results, lock)
            wall = time.perf_counter() - t0
            page_s = []
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
                for _ in range(20):
                    t = time.perf_counter()
                    c.get("/api/samples")
                    page_s.append(time.perf_counter() - t)
        finally:
            proc.terminate()
            proc.wait(10)
    errors = [e for r in results for e in r["errors"]] + [] if len(results) == a.clients else ["client crashed"]
    up = [r["upload_s"] for r in results if "upload_s" in r]
    fit = [r["fitted_s"] for r in results if "fitted_s" in r]
    poll = [x for r in results for x in r.get("poll_s", [])]
    rows = [
        ("clients at once / spectra each / workers", f"{a.clients} / {a.spectra} / {a.workers} ({a.pool} pool)"),
        ("errors", str(len(errors))),
        ("upload request (store + read + queue) p50 / p95", f"{statistics.median(up):.2f} s / {_pct(up, 0.95):.2f} s"),
        ("job-status request during load p50 / p95", f"{1e3 * statistics.median(poll):.0f} ms / {1e3 * _pct(poll, 0.95):.0f} ms"),
        ("upload -> fitted (queue + fit + KK + DRT) p50 / p95", f"{statistics.median(fit):.1f} s / {_pct(fit, 0.95):.1f} s"),
        ("throughput", f"{60 * len(fit) / wall:.1f} series/min ({60 * len(fit) * a.spectra / wall:.0f} spectra/min), wall {wall:.1f} s"),
        ("sample list after the load p50", f"{1e3 * statistics.median(page_s):.0f} ms"),
        ("library alone, one series (same workflow, no server)", f"{lib_s:.2f} s"),
    ]
    text = ["# Web app load test (benchmarks/bench_web.py)", "",
            f"127.0.0.1 only; SQLite; {os.cpu_count()} CPU cores (shared with the other jobs on the machine); "
            f"`ssbkit serve --workers {a.workers} --pool {a.pool}`.", "",
            "| measure | value |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows], "",
            "No peer has a multi-user server to compare with (DearEIS: single-user desktop GUI).", ""]
    if errors:
        text += ["Errors:", *[f"- {e}" for e in errors[:20]], ""]
    print("\n".join(text))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(text))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
