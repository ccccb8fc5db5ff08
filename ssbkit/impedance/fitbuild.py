"""A solution and the covariance of the fitted variables -> a :class:`~.fitresult.FitResult`.

:func:`build_result` is shared by single fits (:mod:`.fit`) and joint fits of a series
(:mod:`.globalfit`); arcs carry Brug's effective capacitance (Brug et al., J. Electroanal.
Chem. 176 (1984) 275, parallel R–CPE form C = (Q R^(1-n))^(1/n)). Re-exported by
:mod:`.fitresult`, which defines the records (they are imported inside the functions:
:mod:`.fitresult` imports this module).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from .circuit import Circuit
from .elements import POSITIVE
from .fitchecks import degeneracy, identifiability, label_capacitance, model_notes
from .startvalues import arc_pairs

if TYPE_CHECKING:
    from .fitresult import Arc, FitResult

__all__ = ["build_result"]


def _arcs(circuit: Circuit, p, cov, cell_constant_per_cm) -> tuple[Arc, ...]:
    from .fitresult import Arc

    names = list(circuit.param_names)
    out = []
    for rnode, cnode in arc_pairs(circuit.tree):
        ir = names.index(rnode.label)
        r = p[ir]
        if cnode.elem.name == "C":
            ic = names.index(cnode.label)
            c = p[ic]
            c_err = math.sqrt(max(cov[ic, ic], 0))
            f_apex = 1 / (2 * math.pi * r * c)
        else:
            iq, i_n = names.index(cnode.label + "_Q"), names.index(cnode.label + "_n")
            q, n = p[iq], p[i_n]
            c = (q * r ** (1 - n)) ** (1 / n)
            # delta method on ln C = (ln Q + ln R) / n - ln R
            g = np.zeros(len(p))
            g[iq] = 1 / (n * q)
            g[ir] = (1 / n - 1) / r
            g[i_n] = -(math.log(q) + math.log(r)) / n**2
            c_err = c * math.sqrt(max(g @ cov @ g, 0))
            f_apex = 1 / (2 * math.pi * (r * q) ** (1 / n))
        out.append(
            Arc(rnode.label, cnode.label, float(r), math.sqrt(max(cov[ir, ir], 0)), float(c),
                float(c_err), float(f_apex), label_capacitance(c, cell_constant_per_cm))
        )
    return tuple(out)


@lru_cache(maxsize=512)
def _t_quantile(level: float, dof: int) -> float:
    return float(stats.t.ppf(0.5 + level / 2, dof))


def _covariance_and_intervals(c: Circuit, p, free: np.ndarray, cov_x, level, dof):
    """Covariance of ``p`` from that of the fitted variables (ln p for positive ones),
    standard errors, and the t intervals at ``level`` (in ln p for positive parameters).

    Returns (cov, se, ci_lo, ci_hi)."""
    kinds = np.array(c.param_kinds)
    is_log = (kinds == POSITIVE) & free
    cov = np.zeros((c.n_params, c.n_params))
    scale = np.where(is_log[free], p[free], 1.0)
    cov[np.ix_(free, free)] = cov_x * np.outer(scale, scale)
    se = np.sqrt(np.maximum(np.diag(cov), 0))
    tq = _t_quantile(level, dof)
    se_x = np.zeros(c.n_params)
    se_x[free] = np.sqrt(np.maximum(np.diag(cov_x), 0))
    ci_lo = np.where(is_log, p * np.exp(-tq * se_x), p - tq * se)
    ci_hi = np.where(is_log, p * np.exp(tq * se_x), p + tq * se)
    return cov, se, ci_lo, ci_hi


def build_result(
    c: Circuit, p, free, cov_x, *, chi2, dof, f_all, z_all, mask, weighting, level,
    cell_constant_per_cm, ok, message, n_starts=1, nfev=0, source="", temperature_c=None,
) -> FitResult:
    """Assemble a :class:`FitResult` from a solution ``p`` and the covariance of the
    free fitted variables ``cov_x`` (ln p for positive parameters).

    Parameters
    ----------
    c
        The fitted circuit.
    p
        Solution parameter vector, SI units.
    free
        Boolean mask of the parameters that were fitted (False: fixed).
    cov_x
        Covariance of the free fitted variables (ln p for positive parameters).
    chi2, dof
        Weighted sum of squared residuals and its degrees of freedom.
    f_all, z_all
        All frequencies (Hz) and measured impedances (ohm) of the spectrum.
    mask
        Boolean mask of the points that were fitted.
    weighting, level
        The weighting used and the confidence level of the intervals (e.g. 0.95).
    cell_constant_per_cm
        d/A in 1/cm for the arc labels, or None.
    ok, message
        Optimiser outcome; downgraded here for a poor, non-identifiable or degenerate fit.
    n_starts, nfev
        Number of starts and of function evaluations used.
    source, temperature_c
        Provenance of the spectrum (temperature in degC).

    Returns
    -------
    FitResult
        Parameters with standard errors and intervals, covariance (in p), chi2,
        AIC/BIC, arcs and notes.
    """
    from .fitresult import FitResult

    free = np.asarray(free, bool)
    k = int(free.sum())
    cov, se, ci_lo, ci_hi = _covariance_and_intervals(c, p, free, cov_x, level, dof)
    z = z_all[mask]
    zfit_all = c.impedance(p, f_all)
    rms = float(np.sqrt(np.mean(np.abs(zfit_all[mask] - z) ** 2 / np.abs(z) ** 2)))
    n2 = 2 * z.size
    ll = n2 * math.log(max(chi2, 1e-300) / n2)
    if ok and not np.all(np.isfinite(se)):
        ok, message = False, "covariance is not finite (parameters not identifiable)"
    if ok and rms > 0.2:
        ok, message = False, f"poor fit: relative rms misfit {rms:.2g} after {n_starts} starts"
    free_names = tuple(n for n, fr in zip(c.param_names, free, strict=True) if fr)
    corr, cond, nonid = identifiability(cov_x, free_names)
    if nonid:
        bad = np.isin(np.array(c.param_names), nonid)
        se = np.where(bad, np.nan, se)
        ci_lo, ci_hi = np.where(bad, np.nan, ci_lo), np.where(bad, np.nan, ci_hi)
    arcs = _arcs(c, p, cov, cell_constant_per_cm)
    reasons = degeneracy(c, p, se, free, arcs, nonid)
    if ok and reasons:
        ok, message = False, "degenerate fit: " + "; ".join(reasons)
    reasons += model_notes(c)
    if nonid:
        reasons.append(f"not identifiable from these data: {', '.join(nonid)} (only a "
                       f"combination is determined, or a value collapsed to 0; Jacobian "
                       f"condition {cond:.2g}); their errors are not given")
    return FitResult(
        circuit=str(c),
        success=bool(ok),
        message=message,
        names=c.param_names,
        params=tuple(float(v) for v in p),
        errors=tuple(float(v) for v in se),
        ci_low=tuple(float(v) for v in ci_lo),
        ci_high=tuple(float(v) for v in ci_hi),
        units=c.param_units,
        fixed=tuple(bool(not fr) for fr in free),
        covariance=cov,
        chi2=chi2,
        chi2_reduced=chi2 / dof,
        aic=ll + 2 * k,
        bic=ll + k * math.log(n2),
        rms_relative=rms,
        n_points=int(z.size),
        weighting=weighting,
        level=level,
        arcs=arcs,
        frequency_hz=f_all,
        z_data=z_all,
        z_fit=zfit_all,
        mask=mask,
        n_starts=n_starts,
        nfev=nfev,
        source=source,
        temperature_c=temperature_c,
        correlation=corr,
        free_names=free_names,
        jacobian_condition=cond,
        non_identifiable=nonid,
        warnings=tuple(reasons),
    )
