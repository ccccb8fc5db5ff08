"""Synthetic spectra with known parameters (ground truth for the fitting tests)."""

from __future__ import annotations

import numpy as np

from ssbkit.impedance.circuit import parse_circuit

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
