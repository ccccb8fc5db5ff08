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

import math
from collections.abc import Mapping, Sequence
from types import SimpleNamespace

import numpy as np
from scipy.optimize import least_squares, leastsq

from ssbkit.errors import InputError

from .circuit import Circuit, parse_circuit
from .elements import EXPONENT, POSITIVE
from .fitresult import (
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

_POOR_RMS = 0.03  # relative rms misfit above which more starts are tried
_USE_LM = True
_LOG_SPAN = 25.0  # ln-space room of a positive parameter around its start value
_TOL = 1.49e-8  # relative tolerances on the parameters and the cost
_LM_SPAN = 7.0  # ln-space move beyond which an unbounded LM answer is not trusted


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
        of the same data reaches (plus 0.05 %). The best one is kept.
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
    if weighting not in WEIGHTINGS:
        raise InputError(f"weighting {weighting!r} is not one of {', '.join(WEIGHTINGS)}")
    m = np.ones(f_all.size, bool) if mask is None else np.asarray(mask, bool).copy()
    if m.shape != f_all.shape:
        raise InputError(f"{src or 'spectrum'}: mask has {m.size} entries, spectrum {f_all.size}")
    if f_min_hz is not None:
        m &= f_all >= f_min_hz
    if f_max_hz is not None:
        m &= f_all <= f_max_hz
    f, z = f_all[m], z_all[m]
    fix = _as_vector(c, fixed, "fixed")
    free = np.array([i not in fix for i in range(c.n_params)])
    k = int(free.sum())
    if 2 * f.size <= k:
        raise InputError(
            f"{src or 'spectrum'}: {f.size} points ({2 * f.size} numbers) cannot determine {k} free parameters"
        )
    kinds = np.array(c.param_kinds)
    is_log = (kinds == POSITIVE) & free
    for i, v in fix.items():
        if kinds[i] == POSITIVE and v <= 0:
            raise InputError(f"fixed {c.param_names[i]} must be > 0, got {v}")

    s_re, s_im = weights(z, weighting)
    w = 2 * np.pi * f
    fn, fz = c._fn, c._fz
    n_f = f.size

    # residuals interleaved (Re, Im) per frequency: complex arrays viewed as float
    inv_s = np.empty(2 * n_f)
    inv_s[0::2], inv_s[1::2] = 1.0 / s_re, 1.0 / s_im
    z_c = np.ascontiguousarray(z)
    log_free = is_log[free]
    free_idx = np.flatnonzero(free)

    all_free = bool(free.all())
    log_pos = np.flatnonzero(log_free)  # positions in x of the log-space variables

    def to_p(x, base):
        if all_free:
            p = x.copy()
            p[log_pos] = np.exp(p[log_pos])  # overflow -> inf -> residuals flagged below
            return p
        p = base.copy()
        p[free] = np.where(log_free, np.exp(x), x)
        return p

    def jac_rows(x, base):
        """Jacobian of the residuals, one row per fitted variable: shape (k, 2N)."""
        p = to_p(x, base)
        jac = fn(p, w)[1]
        jf = jac[free_idx] if free_idx.size < jac.shape[0] else jac
        jf *= np.where(log_free, p[free_idx], 1.0)[:, None]
        jr = jf.view(float)
        jr *= inv_s
        if not np.isfinite(jr.sum()):  # an element overflowed far from the data
            jr = np.nan_to_num(jr, nan=0.0, posinf=1e300, neginf=-1e300)
        return jr

    def fun_jac(x, base):
        r = np.subtract(fz(to_p(x, base), w), z_c).view(float) * inv_s
        return r, jac_rows(x, base).T

    lb = np.where(kinds[free] == EXPONENT, 0.0, -np.inf)
    ub = np.where(kinds[free] == EXPONENT, 1.0, np.inf)

    def run(p_start, lm: bool = True):
        base = p_start.copy()
        for i, v in fix.items():
            base[i] = v
        x0 = np.where(is_log[free], np.log(np.maximum(base[free], 1e-300)), base[free])
        # positive parameters may move 11 decades from their start, no further
        lo = np.where(is_log[free], x0 - _LOG_SPAN, lb)
        hi = np.where(is_log[free], x0 + _LOG_SPAN, ub)
        x0 = np.clip(x0, lb + 1e-9, ub - 1e-9)

        def fres(x):  # residuals only (the Jacobian is asked for less often)
            r = np.subtract(fz(to_p(x, base), w), z_c).view(float)
            r *= inv_s
            return r if np.isfinite(r.sum()) else np.nan_to_num(r, nan=1e150, posinf=1e150, neginf=-1e150)

        def fjac(x):
            return fun_jac(x, base)[1]

        tol = dict(xtol=_TOL, ftol=_TOL, gtol=_TOL, max_nfev=max_nfev)
        # Levenberg-Marquardt (MINPACK) first, fast; exponents ride on n = sin^2(u),
        # which keeps them in [0, 1] without bounds. Its answer stands unless a
        # parameter wandered more than three decades from its start (the sign of a
        # poor start or a far local minimum); then the bounded trust-region method
        # starts again from the same point.
        is_exp = kinds[free] == EXPONENT
        if lm and _USE_LM and x0.size <= 2 * n_f:
            exp_idx = np.flatnonzero(is_exp)

            def y_to_x(y):
                x = y.copy()
                for i in exp_idx:
                    x[i] = math.sin(y[i]) ** 2
                return x

            def jac_y(y):  # rows = variables (col_deriv): MINPACK's own layout, no copy
                jr = jac_rows(y_to_x(y), base)
                for i in exp_idx:
                    jr[i] *= math.sin(2 * y[i])
                return jr

            y0 = x0.copy()
            y0[is_exp] = np.arcsin(np.sqrt(np.clip(x0[is_exp], 1e-6, 1 - 1e-6)))
            try:
                # MINPACK lmder through leastsq: least_squares(method="lm") without its
                # per-call wrapper overhead
                y, _, info_lm, mesg, ier = leastsq(
                    lambda y: fres(y_to_x(y)), y0, Dfun=jac_y, col_deriv=True, full_output=True,
                    xtol=_TOL, ftol=_TOL, maxfev=min(max_nfev, 150))
                fv = info_lm["fvec"]
                sol = SimpleNamespace(x=y_to_x(y), cost=0.5 * float(fv @ fv),
                                      status=ier if ier in (1, 2, 3, 4) else 0,
                                      nfev=info_lm["nfev"], message=mesg)
                moved = np.abs(sol.x - x0)[~is_exp]
                if sol.status > 0 and np.isfinite(sol.cost) and np.all(moved <= _LM_SPAN):
                    return sol, base
            except (ValueError, np.linalg.LinAlgError):
                pass
        sol = least_squares(fres, x0, jac=fjac, bounds=(lo, hi), method="trf", x_scale=1.0, **tol)
        return sol, base

    def _good(sol, base) -> bool:
        """Good: converged, and the misfit near the floor that a free Voigt description
        of the same data reaches (so a poor local minimum is not taken for the answer)."""
        if sol.status <= 0 or not np.isfinite(sol.cost):
            return False
        zm = fz(to_p(sol.x, base), w)
        rms = float(np.sqrt(np.mean(np.abs(zm - z) ** 2 / np.abs(z) ** 2)))
        if "rms" not in info:
            from .startvalues import describe_arcs

            info.update(describe_arcs(f, z))
        floor = info["rms"]
        return rms < min(_POOR_RMS, 1.05 * floor + 0.0005)

    try:
        info: dict = {}
        starts = [_initial(c, f, z, p0, info)]
        sol, base = run(starts[0])
        best = (sol, base)
        n_starts = 1
        nfev = sol.nfev
        if multistart and (not _good(*best)):
            rng = np.random.default_rng(0)
            # further starts come from the data alone (a user p0 that led astray is dropped)
            variants = [dict(extra_arc="low"), dict(extra_arc="high"), dict(n_arc=1.0),
                        dict(n_arc=0.8), dict(shift=2), dict(shift=-2)]
            if p0 is not None:
                variants.insert(0, {})
            # first: the same start with the bounded trust-region method, whose
            # steps stay closer to the start than Levenberg-Marquardt's
            todo = [(starts[0], False)] + [(v, True) for v in variants]
            for v, lm in todo[: max_starts - 1]:
                s2 = v if isinstance(v, np.ndarray) else start_values(c, f, z, **v)
                sol, b2 = run(s2, lm=lm)
                n_starts += 1
                nfev += sol.nfev
                if sol.cost < best[0].cost:
                    best = (sol, b2)
                if _good(*best):
                    break
            while n_starts < max_starts and not _good(*best):
                p_best = to_p(best[0].x, best[1])
                jitter = np.exp(rng.normal(0, 1.5, c.n_params))
                s3 = np.where(kinds == POSITIVE, p_best * jitter, p_best)
                sol, b3 = run(s3, lm=False)
                n_starts += 1
                nfev += sol.nfev
                if sol.cost < best[0].cost:
                    best = (sol, b3)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        return FitResult(str(c), False, f"optimiser failed: {exc}", names=c.param_names,
                         source=src, temperature_c=t_c, weighting=weighting)
    sol, base = best
    p = to_p(sol.x, base)
    perm = _canonical_order(c, p, free)
    if np.any(perm != np.arange(p.size)):
        p = p[perm]
    x_fin = np.where(log_free, np.log(np.maximum(p[free], 1e-300)), p[free])
    r, jm = fun_jac(x_fin, base)
    if not np.all(np.isfinite(r)):
        return FitResult(str(c), False, "model is not finite at the solution", names=c.param_names,
                         source=src, temperature_c=t_c, weighting=weighting)
    chi2 = float(r @ r)
    dof = max(2 * n_f - k, 1)
    try:
        cov_x = (chi2 / dof) * np.linalg.pinv(jm.T @ jm, rcond=1e-15)
    except np.linalg.LinAlgError:
        cov_x = np.full((k, k), np.nan)
    ok = bool(sol.status > 0)
    msg = sol.message if ok else f"not converged: {sol.message}"
    return build_result(
        c, p, free, cov_x, chi2=chi2, dof=dof, f_all=f_all, z_all=z_all, mask=m,
        weighting=weighting, level=level, cell_constant_per_cm=cell_constant_per_cm,
        ok=ok, message=msg, n_starts=n_starts, nfev=nfev, source=src, temperature_c=t_c,
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
        n = sum(e.element.n_params for e in node.elements())
        pairs = arc_pairs(node) if node.kind == "parallel" else []
        if len(pairs) == 1 and len(node.children) == 2:
            rnode, cnode = pairs[0]
            if cnode.element.name == "C":
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
    ``p(R,CPE)``) in order of increasing time constant, high-frequency arc first."""
    perm = np.arange(p.size)
    groups: dict[str, list[tuple[float, int, int]]] = {}
    for struct, off, n, ir, iq, i_n in _arc_layout(c):
        if not np.all(free[off : off + n]):
            continue
        rq = p[ir] * p[iq]
        tau = rq if i_n < 0 else rq ** (1 / max(p[i_n], 1e-3))
        groups.setdefault(struct, []).append((tau, off, n))
    for members in groups.values():
        if len(members) < 2:
            continue
        slots = [(o, n) for _, o, n in members]
        ordered = sorted(members, key=lambda m: m[0])
        for (o_dst, n), (_, o_src, _) in zip(slots, ordered, strict=True):
            perm[o_dst : o_dst + n] = np.arange(o_src, o_src + n)
    return perm


def fit_many(spectra, *, circuit: str | Circuit = "p(R1,CPE1)-p(R2,CPE2)-CPE3", **kw) -> list[FitResult]:
    """Fit each spectrum; a bad one gives a ``success=False`` result, the rest go on."""
    out = []
    for s in spectra:
        try:
            out.append(fit_circuit(s, circuit=circuit, **kw))
        except InputError as exc:
            out.append(FitResult(str(circuit), False, str(exc), source=str(getattr(s, "source", ""))))
    return out
