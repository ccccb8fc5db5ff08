"""Helpers of the web tests: synthetic spectra with known Ea, logging in, uploading (imported by the tests,
which put this folder on sys.path, so that it works in every pytest import mode)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

PELLET = "p(R1,CPE1)-p(R2,CPE2)-CPE3"
K_B = 8.617333262e-5  # eV/K (CODATA 2018)
D_CM, DIAM_CM = 0.1, 1.0
AREA_CM2 = math.pi * DIAM_CM**2 / 4
EA_B, EA_GB = 0.35, 0.55
A_B, A_GB = 2e2, 8e4  # S K / cm
T_C = (25.0, 40.0, 55.0, 70.0, 85.0, 100.0)
PASSWORD = "correct horse battery"


def sigma_arrhenius(t_k, ea, a):
    """sigma T = A exp(-Ea / k T) (R-1 of Falco et al. 2019)."""
    return a / t_k * np.exp(-ea / (K_B * t_k))


def write_series(folder: Path, *, seed: int = 0, a_b: float = A_B, a_gb: float = A_GB, level: float = 0.005,
                 prefix: str = "pellet") -> list[Path]:
    """Synthetic pellet spectra at T_C (bulk 5 pF, grain boundary 2 nF, blocking tail), one CSV each,
    the temperature in the file name; known Arrhenius ground truth."""
    from ssbkit.impedance.circuit import parse_circuit

    rng = np.random.default_rng(seed)
    c = parse_circuit(PELLET)
    f = np.logspace(-2, 7, 73)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in T_C:
        tk = t + 273.15
        rb = D_CM / (sigma_arrhenius(tk, EA_B, a_b) * AREA_CM2)
        rg = D_CM / (sigma_arrhenius(tk, EA_GB, a_gb) * AREA_CM2)
        q1 = (5e-12) ** 0.95 * rb ** (0.95 - 1)
        q2 = (2e-9) ** 0.85 * rg ** (0.85 - 1)
        z = c.impedance(np.array([rb, q1, 0.95, rg, q2, 0.85, 1e-6, 0.8]), f)
        s = level * np.abs(z)
        z = z + s * rng.normal(size=z.size) + 1j * s * rng.normal(size=z.size)
        p = folder / f"{prefix}_{t:g}C.csv"
        p.write_text("\n".join(f"{fi:.6e},{zi.real:.6e},{zi.imag:.6e}" for fi, zi in zip(f, z, strict=True)))
        paths.append(p)
    return paths


def form_csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf_token field in the page"
    return m.group(1)


def meta_csrf(html: str) -> str:
    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert m
    return m.group(1)


def setup_admin(client, username="ada", lab="Lab A") -> str:
    """First user of a fresh server (site admin); returns the session's CSRF token."""
    r = client.get("/login")
    r = client.post("/setup", data={"username": username, "password": PASSWORD, "lab": lab,
                                    "csrf_token": form_csrf(r.text)})
    assert r.status_code == 200 and "/samples" in str(r.url), r.text[:300]
    return meta_csrf(client.get("/samples").text)


def login(client, username: str, password: str = PASSWORD) -> str:
    r = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": form_csrf(r.text)})
    assert r.status_code == 200, r.text[:300]
    return meta_csrf(client.get("/samples").text)


def create_sample(client, csrf: str, **kw) -> int:
    body = {"name": "S1", "composition": "75Li2S-25P2S5", "batch": "B1", "operator": "ada",
            "thickness_cm": D_CM, "diameter_cm": DIAM_CM, **kw}
    r = client.post("/api/samples", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(client, csrf: str, sample_id: int, paths, **form):
    files = [("files", (Path(p).name, Path(p).read_bytes(), "text/plain")) for p in paths]
    return client.post(f"/api/samples/{sample_id}/measurements", files=files, data={"kind": "eis", **form},
                       headers={"X-CSRF-Token": csrf})


def wait_job(client, job_id: int, timeout: float = 60.0) -> dict:
    client.app.state.ctx.runner.wait(timeout)
    j = client.get(f"/api/jobs/{job_id}").json()
    assert j["state"] in ("done", "failed", "interrupted"), j
    return j
