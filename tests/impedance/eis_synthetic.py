"""Synthetic spectra with known parameters (ground truth for the impedance tests).

Imported by the test modules beside it (which put this folder on ``sys.path``
themselves, so that it works in every pytest import mode)."""

from __future__ import annotations

import math

import numpy as np

from ssbkit.impedance.circuit import parse_circuit
from ssbkit.impedance.spectrum import make_spectrum

PELLET = "p(R1,CPE1)-p(R2,CPE2)-CPE3"
F_HZ = np.logspace(-2, 7, 73)


def pellet_params(rng: np.random.Generator) -> np.ndarray:
    """Two separated arcs and a blocking tail; R1 spans six decades (10 ohm .. 10 Mohm)."""
    r1 = 10 ** rng.uniform(1, 7)
    r2 = r1 * 10 ** rng.uniform(-1, 1)
    n1, n2, n3 = rng.uniform(0.8, 1.0), rng.uniform(0.7, 0.95), rng.uniform(0.6, 0.95)
    tau1 = 10 ** rng.uniform(-7.3, -5.3)
    tau2 = tau1 * 10 ** rng.uniform(1.5, 3.0)
    w_tail = 1 / (tau2 * 10 ** rng.uniform(0.5, 1.5))
    q1, q2 = tau1**n1 / r1, tau2**n2 / r2
    q3 = 1 / ((r1 + r2) * w_tail**n3)
    return np.array([r1, q1, n1, r2, q2, n2, q3, n3])


def noisy(z: np.ndarray, rng: np.random.Generator, level: float = 0.01) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``level * |Z|`` to Z' and Z''."""
    s = level * np.abs(z)
    return z + s * rng.normal(size=z.size) + 1j * s * rng.normal(size=z.size)


def pellet_spectrum(seed: int, level: float = 0.01, f_hz=F_HZ):
    rng = np.random.default_rng(seed)
    p = pellet_params(rng)
    z = parse_circuit(PELLET).impedance(p, f_hz)
    return f_hz, noisy(z, rng, level), p


K_B = 8.617333262e-5  # eV/K
D_CM, DIAM_CM = 0.1, 1.0
AREA = math.pi * DIAM_CM**2 / 4
EA_B, EA_GB = 0.35, 0.55
A_B, A_GB = 2e2, 8e4  # S K / cm: both arcs inside 10 mHz .. 10 MHz
T_C = np.array([25.0, 40.0, 55.0, 70.0, 85.0, 100.0])


def sigma_arrhenius(t_k, ea, a):
    """sigma T = A exp(-Ea / k T)  (R-1)."""
    return a / t_k * np.exp(-ea / (K_B * t_k))


def synthetic_series(seed=0, level=0.005):
    """A pellet at T_C: bulk (5 pF) and grain-boundary (2 nF) arcs with Arrhenius R, blocking tail."""
    rng = np.random.default_rng(seed)
    c = parse_circuit(PELLET)
    spectra, truth = [], []
    for t in T_C:
        tk = t + 273.15
        rb = D_CM / (sigma_arrhenius(tk, EA_B, A_B) * AREA)
        rg = D_CM / (sigma_arrhenius(tk, EA_GB, A_GB) * AREA)
        n1, n2, n3 = 0.95, 0.85, 0.8
        q1 = (5e-12) ** n1 * rb ** (n1 - 1)  # C_eff = 5 pF (bulk)
        q2 = (2e-9) ** n2 * rg ** (n2 - 1)  # C_eff = 2 nF (grain boundary)
        p = np.array([rb, q1, n1, rg, q2, n2, 1e-6, n3])
        z = noisy(c.impedance(p, F_HZ), rng, level)
        spectra.append(make_spectrum(F_HZ, z.real, z.imag, source=f"pellet_{t:g}C.csv", temperature_c=t))
        truth.append(p)
    return spectra, np.array(truth)
