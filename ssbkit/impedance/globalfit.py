"""Joint fit of several spectra with some parameters shared (e.g. CPE exponents).

All spectra's residuals are stacked into one least-squares problem whose
variables are the shared parameters once and the others per spectrum
(positive ones in log space, exponents as n = sin^2(u) as in
:func:`~ssbkit.impedance.fit.fit_circuit`). Each spectrum's covariance is its
block of the joint covariance. This is the "unified" fit of a temperature
series that keeps parameter trends consistent (the idea of EISFitpython,
Adediwura et al., J. Mater. Chem. A 12 (2024) 15847).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy.optimize import least_squares

from .circuit import Circuit, parse_circuit
from .elements import EXPONENT, POSITIVE
from .fitresult import FitResult, build_result, spectrum_arrays, weights

__all__ = ["fit_global"]


def fit_global(
    spectra: Sequence,
    *,
    circuit: str | Circuit,
    shared: Sequence[str],
    p0s: Sequence[np.ndarray],
    temperatures_c: Sequence[float | None] | None = None,
    weighting: str = "modulus",
    level: float = 0.95,
    cell_constant_per_cm: float | None = None,
) -> list[FitResult]:
    """Fit all spectra at once with the parameters ``shared`` common to all.

    ``p0s`` are start vectors (one per spectrum, e.g. from individual fits);
    the shared parameters start at their median. Residuals and Jacobians of
    all spectra are stacked; the covariance of each spectrum's parameters is
    the matching block of the joint covariance.

    Parameters
    ----------
    spectra
        Spectra (:class:`~ssbkit.impedance.spectrum.Spectrum`) fitted together.
    circuit
        Circuit string or compiled :class:`Circuit` common to all spectra.
    shared
        Names of the parameters that take one common value (e.g. ``["CPE3_n"]``).
    p0s
        One start parameter vector (SI) per spectrum.
    temperatures_c
        Temperature of each spectrum, degC (None, or a None entry: the spectrum's own).
    weighting
        Residual weighting, as in :func:`~ssbkit.impedance.fit.fit_circuit`.
    level
        Confidence level of the reported intervals.
    cell_constant_per_cm
        d/A in 1/cm for the arc labels, or None.

    Returns
    -------
    list of FitResult
        One result per spectrum (empty for no spectra); the shared parameters are
        equal in all of them.
    """
    c = parse_circuit(circuit)
    sh = [c.index(s) for s in shared]
    n_s = len(spectra)
    if n_s == 0:
        return []
    kinds = np.array(c.param_kinds)
    local = [i for i in range(c.n_params) if i not in sh]
    data = [spectrum_arrays(s, None) for s in spectra]
    w = [2 * np.pi * d[0] for d in data]
    sig = [weights(d[1], weighting) for d in data]
    p0_all = np.array(p0s, float)

    def enc(i, v):
        return math.log(v) if kinds[i] == POSITIVE else v

    x0_list = [enc(i, float(np.median(p0_all[:, i]))) for i in sh]
    for p in p0_all:
        x0_list += [enc(i, p[i]) for i in local]
    x0 = np.array(x0_list)
    layout = [sh + local] * n_s
    nl = len(local)

    def unpack(x, j):
        p = np.empty(c.n_params)
        vals = np.concatenate([x[: len(sh)], x[len(sh) + j * nl : len(sh) + (j + 1) * nl]])
        for i, v in zip(layout[j], vals, strict=True):
            p[i] = math.exp(min(v, 700)) if kinds[i] == POSITIVE else v
        return p

    def fun_jac(x):
        rs, rows = [], []
        for j in range(n_s):
            p = unpack(x, j)
            zm, jac = c._fn(p, w[j])
            z = data[j][1]
            s_re, s_im = sig[j]
            rs.append(np.concatenate([(zm.real - z.real) / s_re, (zm.imag - z.imag) / s_im]))
            jac = jac * np.where(kinds == POSITIVE, p, 1.0)[:, None]
            jm = np.concatenate([(jac.real / s_re).T, (jac.imag / s_im).T])
            block = np.zeros((jm.shape[0], x.size))
            block[:, : len(sh)] = jm[:, sh]
            block[:, len(sh) + j * nl : len(sh) + (j + 1) * nl] = jm[:, local]
            rows.append(block)
        return np.concatenate(rs), np.vstack(rows)

    lb = np.array([0.0 if kinds[i] == EXPONENT else -np.inf for i in sh + local * n_s])
    ub = np.array([1.0 if kinds[i] == EXPONENT else np.inf for i in sh + local * n_s])
    x0 = np.clip(x0, lb + 1e-9, ub - 1e-9)
    is_exp = np.isfinite(ub)
    # Levenberg-Marquardt with n = sin^2(u) keeps exponents in [0, 1] (as in fit_circuit)

    def y_to_x(y):
        x = y.copy()
        x[is_exp] = np.sin(y[is_exp]) ** 2
        return x

    def jac_y(y):
        jm = fun_jac(y_to_x(y))[1]
        jm[:, is_exp] *= np.sin(2 * y[is_exp])
        return jm

    y0 = x0.copy()
    y0[is_exp] = np.arcsin(np.sqrt(x0[is_exp]))
    with np.errstate(all="ignore"):
        sol = least_squares(lambda y: fun_jac(y_to_x(y))[0], y0, jac=jac_y, method="lm", max_nfev=500)
        sol.x = y_to_x(sol.x)
        if sol.status <= 0 or not np.isfinite(sol.cost):
            sol = least_squares(lambda x: fun_jac(x)[0], x0, jac=lambda x: fun_jac(x)[1],
                                bounds=(lb, ub), method="trf", max_nfev=500)
        r, jm = fun_jac(sol.x)
    n_pts = sum(d[0].size for d in data)
    dof = max(2 * n_pts - x0.size, 1)
    chi2_all = float(r @ r)
    cov_all = (chi2_all / dof) * np.linalg.pinv(jm.T @ jm, rcond=1e-15)
    temps = list(temperatures_c) if temperatures_c is not None else [None] * n_s
    out = []
    off = 0
    for j in range(n_s):
        p = unpack(sol.x, j)
        cols = list(range(len(sh))) + list(range(len(sh) + j * nl, len(sh) + (j + 1) * nl))
        cov_x = np.zeros((c.n_params, c.n_params))
        order = sh + local
        sub = cov_all[np.ix_(cols, cols)]
        perm = np.argsort(order)
        cov_x = sub[np.ix_(perm, perm)]
        n_j = data[j][0].size
        rj = r[off : off + 2 * n_j]
        off += 2 * n_j
        res = build_result(
            c, p, np.ones(c.n_params, bool), cov_x, chi2=float(rj @ rj), dof=dof, f_all=data[j][0],
            z_all=data[j][1], mask=np.ones(n_j, bool), weighting=weighting, level=level,
            cell_constant_per_cm=cell_constant_per_cm, ok=bool(sol.status > 0),
            message=f"global fit, shared {', '.join(shared)}: {sol.message}", nfev=sol.nfev,
            source=data[j][2], temperature_c=temps[j] if temps[j] is not None else data[j][3],
        )
        out.append(replace(res, extra={"shared": list(shared), "chi2_total": chi2_all}))
    return out
