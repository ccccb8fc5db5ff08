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


R_GAS = 8.314462618  # J/(mol K) (CODATA 2018)
KIN_EA_J_PER_MOL = 250e3
KIN_A_PER_S = 9.1e20  # puts the 10 K/min peak near 300 degC
KIN_RATES = (2.0, 5.0, 10.0, 20.0)


def first_order_peak_c(beta_K_per_min: float, ea: float = KIN_EA_J_PER_MOL, a: float = KIN_A_PER_S) -> float:
    """Peak temperature of a first-order reaction at a constant heating rate, degC: the root of
    beta Ea / (R Tp^2) = A exp(-Ea / R Tp), exactly the Kissinger relation (Kissinger 1957, eq. 7)."""
    from scipy.optimize import brentq

    b = beta_K_per_min / 60.0
    return brentq(lambda t: b * ea / (R_GAS * t**2) - a * math.exp(-ea / (R_GAS * t)), 400.0, 900.0) - 273.15


def write_kinetics_set(folder: Path, rates=KIN_RATES, *, noise_W_per_g: float = 5e-4, seed: int = 0,
                       prefix: str = "glass") -> list[Path]:
    """DSC scans of one glass at ``rates`` (K/min): a glass step (Tg 210 degC, delta cp 0.3 J/(g K)) and a
    first-order crystallization exotherm (Ea 250 kJ/mol, A 9.1e20 1/s, 60 J/g) integrated on a 0.01 K grid,
    written every 0.2 K with Gaussian noise (0.5 mW/g); no rate column, the rate is in the file name."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    t = np.arange(150.0, 420.0, 0.01)
    paths = []
    for beta in rates:
        b = beta / 60.0
        k = KIN_A_PER_S * np.exp(-KIN_EA_J_PER_MOL / (R_GAS * (t + 273.15))) / b  # d(ln(1-x))/dT, 1/K
        x = 1.0 - np.exp(-np.concatenate([[0.0], np.cumsum(0.5 * (k[1:] + k[:-1]) * np.diff(t))]))
        y = 0.1 + 1e-4 * t - 0.3 * b / (1 + np.exp(-(t - 210.0) / 3.0)) + 60.0 * b * k * (1.0 - x)
        tt, yy = t[::20], y[::20] + noise_W_per_g * rng.normal(size=t[::20].size)
        p = folder / f"{prefix}_{beta:g}Kmin.csv"
        p.write_text("Temperature (°C),Heat Flow (W/g)\n" +
                     "\n".join(f"{a:.3f},{v:.6e}" for a, v in zip(tt, yy, strict=True)), encoding="utf-8")
        paths.append(p)
    return paths
