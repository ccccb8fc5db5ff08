"""Fit an equivalent circuit to one spectrum: bounded least squares in log space.

Positive parameters are fitted as x = ln p (so a resistance can span decades
and never turns negative), exponents linearly within [0, 1]. The residual is
(Z_model - Z_data) / sigma for the real and imaginary parts, with sigma = 1
(``"unit"``), |Z_data| (``"modulus"``, the default) or |Z'| and |Z''| separately
(``"proportional"``; Orazem & Tribollet, Electrochemical Impedance
Spectroscopy, Wiley 2008, ch. 21). The covariance is s^2 (J^T J)^-1 with
s^2 = chi^2 / (2N - k); confidence intervals of positive parameters are
exp(x +/- t se_x). Effective capacitances (Brug) and arc labels (Irvine) are
computed in :mod:`.fitresult`.

Speed: the circuit is compiled once to flat numpy code; Levenberg-Marquardt
(MINPACK) runs first with exponents as n = sin^2(u); the bounded trust-region
method takes over when LM wanders. Multi-start (other start values from the
data, the trust-region method) runs when the misfit stays above the floor
that a free Voigt description of the same data reaches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ssbkit.errors import InputError

from .circuit import Circuit, parse_circuit
from .elements import POSITIVE
from .fitproblem import FitProblem
from .fitresult import (
    SYMMETRIC_PAIRS,
    WEIGHTINGS,
    Arc,
    FitResult,
    build_result,
    label_capacitance,
    spectrum_arrays,
    weights,
)
from .startvalues import arc_pairs, start_values

__all__ = [
    "FitResult",
    "Arc",
    "fit_circuit",
    "fit_many",
    "build_result",
    "weights",
    "label_capacitance",
    "WEIGHTINGS",
]

_USE_LM = True
_STAGNANT = 3  # further starts that did not lower chi2 by 0.1 % end the multistart
_AGREE = 1e-6  # relative chi2 agreement of two starts from different points that ends it


def _as_vector(circuit: Circuit, values, what: str) -> dict[int, float]:
    if values is None:
        return {}
    if isinstance(values, Mapping):
        return {circuit.index(k): float(v) for k, v in values.items()}
    arr = np.asarray(values, dtype=float)
    if arr.shape != (circuit.n_params,):
        raise InputError(f"{what}: expected {circuit.n_params} values {list(circuit.param_names)}")
    return dict(enumerate(arr))


def _quiet(func):
    """Run ``func`` with numpy floating-point warnings silenced (trial steps overflow)."""
    import functools

    @functools.wraps(func)
    def wrapper(*a, **k):
        with np.errstate(all="ignore"):
            return func(*a, **k)

    return wrapper


@_quiet
def fit_circuit(
    spectrum,
    z_ohm=None,
    *,
    circuit: str | Circuit = "p(R1,CPE1)-p(R2,CPE2)-CPE3",
    p0: Mapping[str, float] | Sequence[float] | None = None,
    fixed: Mapping[str, float] | None = None,
    weighting: str = "modulus",
    f_min_hz: float | None = None,
    f_max_hz: float | None = None,
    mask: np.ndarray | None = None,
    multistart: bool = True,
    max_starts: int = 8,
    level: float = 0.95,
    cell_constant_per_cm: float | None = None,
    max_nfev: int = 400,
) -> FitResult:
    """Fit ``circuit`` to a spectrum.

    Parameters
    ----------
    spectrum
        A :class:`~ssbkit.impedance.spectrum.Spectrum` or the frequencies (Hz).
    z_ohm
        Complex impedances (ohm) when ``spectrum`` is an array of frequencies.
    circuit
        impedance.py-style (``R0-p(R1,CPE1)-CPE2``) or CDC (``R(RQ)Q``) string.
    p0
        Start values (all, as a sequence, or some, as ``{name: value}``); the
        rest come from :func:`~ssbkit.impedance.startvalues.start_values`.
    fixed
        ``{name: value}`` of parameters held fixed.
    weighting
        ``"unit"``, ``"modulus"`` or ``"proportional"``.
    f_min_hz, f_max_hz, mask
        Frequency window and/or boolean mask of the points to fit.
    multistart, max_starts
        Try up to ``max_starts`` starts when the first fit is poor: relative rms
        misfit above 3 % or above 1.05 x the floor that a free Voigt description
        of the same data reaches (plus 0.05 %). The best one is kept; the starts
        from the data end early once three in a row have not lowered chi2 by 0.1 %.
    level
        Confidence level of ``ci_low``/``ci_high``.
    cell_constant_per_cm
        d/A of the sample (cm^-1), to label arcs on Irvine's scale.

    Returns
    -------
    FitResult
        With ``success=False`` and the reason when the optimiser fails; bad
        input (unknown parameter, too few points) raises :class:`InputError`.
    """
    c = parse_circuit(circuit)
    f_all, z_all, src, t_c = spectrum_arrays(spectrum, z_ohm)
    m, fix = _check_inputs(c, f_all, src, fixed=fixed, weighting=weighting, f_min_hz=f_min_hz,
                           f_max_hz=f_max_hz, mask=mask)
    f, z = f_all[m], z_all[m]
    prob = FitProblem(c, f, z, *weights(z, weighting), fix, max_nfev=max_nfev, use_lm=_USE_LM)
    try:
        (sol, base), n_starts, nfev = _multistart(prob, p0, multistart=multistart,
                                                  max_starts=max_starts)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        return FitResult(str(c), False, f"optimiser failed: {exc}", names=c.param_names,
                         source=src, temperature_c=t_c, weighting=weighting)
    return _finish(prob, sol, base, f_all=f_all, z_all=z_all, mask=m, weighting=weighting,
                   level=level, cell_constant_per_cm=cell_constant_per_cm, n_starts=n_starts,
                   nfev=nfev, source=src, temperature_c=t_c)


def _check_inputs(c: Circuit, f_all, src, *, fixed, weighting, f_min_hz, f_max_hz, mask):
    """Step 1: the mask of points to fit and the fixed parameters, checked."""
    if weighting not in WEIGHTINGS:
        raise InputError(f"weighting {weighting!r} is not one of {', '.join(WEIGHTINGS)}")
    m = np.ones(f_all.size, bool) if mask is None else np.asarray(mask, bool).copy()
    if m.shape != f_all.shape:
        raise InputError(f"{src or 'spectrum'}: mask has {m.size} entries, spectrum {f_all.size}")
    if f_min_hz is not None:
        m &= f_all >= f_min_hz
    if f_max_hz is not None:
        m &= f_all <= f_max_hz
    fix = _as_vector(c, fixed, "fixed")
    k = c.n_params - len(fix)
    n = int(m.sum())
    if 2 * n <= k:
        raise InputError(
            f"{src or 'spectrum'}: {n} points ({2 * n} numbers) cannot determine {k} free "
            "parameters")
    kinds = c.param_kinds
    for i, v in fix.items():
        if kinds[i] == POSITIVE and v <= 0:
            raise InputError(f"fixed {c.param_names[i]} must be > 0, got {v}")
    return m, fix


#: further starts from the data alone (a user p0 that led astray is dropped)
_VARIANTS = (dict(extra_arc="high"), dict(extra_arc="low"), dict(n_arc=1.0), dict(n_arc=0.8),
             dict(shift=2), dict(shift=-2))


def _multistart(prob: FitProblem, p0, *, multistart: bool, max_starts: int):
    """Step 2: the automatic start, then (when poor) other starts: ((sol, base), n, nfev)."""
    c, f, z = prob.c, prob.f, prob.z
    first = _initial(c, f, z, p0, prob.info)
    best = prob.run(first)
    n_starts, nfev = 1, best[0].nfev
    if not multistart or prob.good(*best):
        return best, n_starts, nfev
    variants: list[dict] = ([{}] if p0 is not None else []) + list(_VARIANTS)
    # second: a cheap Levenberg-Marquardt run from another data-driven start;
    # then the first start with the bounded trust-region method, whose steps
    # stay closer to the start than Levenberg-Marquardt's
    todo: list[tuple[np.ndarray | dict, bool]] = [(variants[0], True), (first, False)]
    todo += [(v, True) for v in variants[1:]]
    since = 0  # starts since the best improved by more than 0.1 %
    described = prob.info if "rms" in prob.info else None
    for v, lm in todo[: max_starts - 1]:
        start = v if isinstance(v, np.ndarray) else start_values(c, f, z, described=described, **v)
        sol, b = prob.run(start, lm=lm)
        n_starts += 1
        nfev += sol.nfev
        agree = _agree(sol, best[0])
        since = 0 if sol.cost < (1 - 1e-3) * best[0].cost else since + 1
        if sol.cost < best[0].cost:
            best = (sol, b)
        if agree or prob.good(*best) or since >= _STAGNANT:
            return best, n_starts, nfev
    rng = np.random.default_rng(0)
    while n_starts < max_starts and not prob.good(*best):
        p_best = prob.to_p(best[0].x, best[1])
        jitter = np.exp(rng.normal(0, 1.5, c.n_params))
        sol, b = prob.run(np.where(prob.kinds == POSITIVE, p_best * jitter, p_best), lm=False)
        n_starts += 1
        nfev += sol.nfev
        if sol.cost < best[0].cost:
            best = (sol, b)
    return best, n_starts, nfev


def _agree(sol, best) -> bool:
    """Two converged runs from different starts that reach the same chi2 (to
    :data:`_AGREE` relative) confirm the minimum: no further start is needed."""
    return bool(sol.status > 0 and best.status > 0 and np.isfinite(sol.cost)
                and abs(sol.cost - best.cost) <= _AGREE * max(best.cost, 1e-300))


def _finish(prob: FitProblem, sol, base, *, f_all, z_all, mask, weighting, level,
            cell_constant_per_cm, n_starts, nfev, source, temperature_c) -> FitResult:
    """Step 3: canonical order of symmetric arcs, covariance, the result record."""
    c, free = prob.c, prob.free
    p = prob.to_p(sol.x, base)
    perm = _canonical_order(c, p, free)
    if np.any(perm != np.arange(p.size)):
        p = p[perm]
    r, jm = prob.fun_jac(prob.to_x(p), base)
    if not np.all(np.isfinite(r)):
        return FitResult(str(c), False, "model is not finite at the solution",
                         names=c.param_names, source=source, temperature_c=temperature_c,
                         weighting=weighting)
    chi2 = float(r @ r)
    k = int(free.sum())
    dof = max(2 * prob.n_f - k, 1)
    try:
        cov_x = (chi2 / dof) * np.linalg.pinv(jm.T @ jm, rcond=1e-15)
    except np.linalg.LinAlgError:
        cov_x = np.full((k, k), np.nan)
    ok = bool(sol.status > 0)
    msg = sol.message if ok else f"not converged: {sol.message}"
    return build_result(
        c, p, free, cov_x, chi2=chi2, dof=dof, f_all=f_all, z_all=z_all, mask=mask,
        weighting=weighting, level=level, cell_constant_per_cm=cell_constant_per_cm,
        ok=ok, message=msg, n_starts=n_starts, nfev=nfev, source=source,
        temperature_c=temperature_c,
    )


def _merge_p0(c: Circuit, p: np.ndarray, p0) -> np.ndarray:
    if p0 is None:
        return p
    for i, v in _as_vector(c, p0, "p0").items():
        p[i] = v
    return p


def _initial(c: Circuit, f, z, p0, info: dict) -> np.ndarray:
    if p0 is not None and not isinstance(p0, Mapping):
        return np.array(list(_as_vector(c, p0, "p0").values()))
    return _merge_p0(c, start_values(c, f, z, info=info), p0)


def _arc_layout(c: Circuit) -> list[tuple[str, int, int, int, int, int]]:
    """Top-level series arcs of ``c``: (structure, offset, n_params, i_R, i_Q or i_C, i_n or -1)."""
    key = (c.text, c.param_names)
    if key in _LAYOUTS:
        return _LAYOUTS[key]
    names = list(c.param_names)
    top = c.tree.children if c.tree.kind == "series" else (c.tree,)
    out = []
    off = 0
    for node in top:
        n = sum(e.elem.n_params for e in node.elements())
        pairs = arc_pairs(node) if node.kind == "parallel" else []
        if len(pairs) == 1 and len(node.children) == 2:
            rnode, cnode = pairs[0]
            if cnode.elem.name == "C":
                iq, i_n = names.index(cnode.label), -1
            else:
                iq, i_n = names.index(cnode.label + "_Q"), names.index(cnode.label + "_n")
            out.append((node.structure(), off, n, names.index(rnode.label), iq, i_n))
        off += n
    _LAYOUTS[key] = out
    return out


_LAYOUTS: dict[tuple, list] = {}


def _canonical_order(c: Circuit, p: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Permutation that puts interchangeable series arcs (same structure, e.g. two
    ``p(R,CPE)``) in order of increasing time constant, high-frequency arc first, and
    the two rails of a symmetric line (:data:`~.fitresult.SYMMETRIC_PAIRS`) larger first."""
    perm = np.arange(p.size)
    groups: dict[str, list[tuple[float, int, int]]] = {}
    for struct, off, n, ir, iq, i_n in _arc_layout(c):
        if not np.all(free[off : off + n]):
            continue
        rq = p[ir] * p[iq]
        tau = rq if i_n < 0 else rq ** (1 / max(p[i_n], 1e-3))
        groups.setdefault(struct, []).append((tau, off, n))
    names = list(c.param_names)
    for e in c.tree.elements():
        if e.elem.name in SYMMETRIC_PAIRS:
            a, b = (names.index(f"{e.label}_{s}") for s in SYMMETRIC_PAIRS[e.elem.name])
            if free[a] and free[b] and p[a] < p[b]:  # interchangeable: order a >= b
                perm[a], perm[b] = b, a
    for members in groups.values():
        if len(members) < 2:
            continue
        slots = [(o, n) for _, o, n in members]
        ordered = sorted(members, key=lambda m: m[0])
        for (o_dst, n), (_, o_src, _) in zip(slots, ordered, strict=True):
            perm[o_dst : o_dst + n] = np.arange(o_src, o_src + n)
    return perm


def fit_many(spectra, *, circuit: str | Circuit = "p(R1,CPE1)-p(R2,CPE2)-CPE3", **kw) -> list[FitResult]:
    """Fit each spectrum; a bad one gives a ``success=False`` result, the rest go on.

    Parameters
    ----------
    spectra
        Iterable of :class:`~ssbkit.impedance.spectrum.Spectrum` objects.
    circuit
        Circuit string or compiled :class:`Circuit` fitted to every spectrum.
    **kw
        Options passed to :func:`fit_circuit`.

    Returns
    -------
    list of FitResult
        One result per spectrum, in order; failures have ``success=False`` and the
        reason in ``message``.
    """
    out = []
    for s in spectra:
        try:
            out.append(fit_circuit(s, circuit=circuit, **kw))
        except InputError as exc:
            out.append(FitResult(str(circuit), False, str(exc), source=str(getattr(s, "source", ""))))
    return out
