"""Fit an equivalent circuit to one spectrum: bounded least squares in log space.

Positive parameters are fitted as x = ln p (so a resistance can span decades
and never turns negative), exponents linearly within [0, 1]. The residual is
(Z_model - Z_data) / sigma for the real and imaginary parts, with sigma = 1
(``"unit"``), |Z_data| (``"modulus"``, the default) or |Z'| and |Z''| separately
(``"proportional"``; Orazem & Tribollet, Electrochemical Impedance
Spectroscopy, Wiley 2008, ch. 21). The covariance is s^2 (J^T J)^-1 with
s^2 = chi^2 / (2N - k); confidence intervals of positive parameters are
exp(x +/- t se_x). For every R–CPE pair the effective capacitance follows
Brug et al., J. Electroanal. Chem. 176 (1984) 275 (parallel R–CPE form
C = (Q R^(1-n))^(1/n)), and the arc is labelled by Irvine, Sinclair & West,
Adv. Mater. 2 (1990) 132 (``science.md`` §2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from scipy.optimize import least_squares

from ssbkit.errors import InputError

from .circuit import Circuit, parse_circuit
from .elements import EXPONENT, POSITIVE
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

WEIGHTINGS = ("unit", "modulus", "proportional")
_POOR_RMS = 0.03  # relative rms misfit above which more starts are tried


@dataclass(frozen=True)
class Arc:
    """One R–CPE (or R–C) arc of a fitted circuit.

    Attributes
    ----------
    r_ohm, r_err_ohm
        Arc resistance and its standard error (ohm).
    c_eff_f, c_eff_err_f
        Effective capacitance (F), Brug's formula for a CPE.
    f_apex_hz
        Apex frequency 1 / (2 pi (R Q)^(1/n)) (Hz).
    label
        ``"bulk"``, ``"grain boundary"``, ``"surface layer"`` or ``"electrode"``.
    """

    resistor: str
    capacitor: str
    r_ohm: float
    r_err_ohm: float
    c_eff_f: float
    c_eff_err_f: float
    f_apex_hz: float
    label: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class FitResult:
    """Result of one circuit fit (``success=False`` carries the reason in ``message``).

    Attributes
    ----------
    params, errors
        Parameter values (SI, units in ``units``) and standard errors.
    ci_low, ci_high
        Confidence interval at ``level``.
    covariance
        Full covariance of the parameters (fixed ones have zero rows).
    chi2, chi2_reduced, aic, bic
        Weighted sum of squares, divided by 2N - k, and information criteria.
    rms_relative
        sqrt(mean(|Z_fit - Z| ^ 2 / |Z| ^ 2)).
    """

    circuit: str
    success: bool
    message: str
    names: tuple[str, ...] = ()
    params: tuple[float, ...] = ()
    errors: tuple[float, ...] = ()
    ci_low: tuple[float, ...] = ()
    ci_high: tuple[float, ...] = ()
    units: tuple[str, ...] = ()
    fixed: tuple[bool, ...] = ()
    covariance: np.ndarray | None = None
    chi2: float = math.nan
    chi2_reduced: float = math.nan
    aic: float = math.nan
    bic: float = math.nan
    rms_relative: float = math.nan
    n_points: int = 0
    weighting: str = "modulus"
    level: float = 0.95
    arcs: tuple[Arc, ...] = ()
    frequency_hz: np.ndarray | None = None
    z_data: np.ndarray | None = None
    z_fit: np.ndarray | None = None
    mask: np.ndarray | None = None
    n_starts: int = 0
    nfev: int = 0
    source: str = ""
    temperature_c: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def values(self) -> dict[str, float]:
        """``{name: value}``."""
        return dict(zip(self.names, self.params, strict=True))

    @property
    def stderr(self) -> dict[str, float]:
        return dict(zip(self.names, self.errors, strict=True))

    @property
    def residuals(self) -> np.ndarray | None:
        """Relative complex residuals (Z_fit - Z) / |Z| at every frequency."""
        if self.z_fit is None:
            return None
        return (self.z_fit - self.z_data) / np.abs(self.z_data)

    def predict(self, f_hz) -> np.ndarray:
        """Model impedance (ohm) at ``f_hz``."""
        return parse_circuit(self.circuit).impedance(np.array(self.params), f_hz)

    def to_dict(self) -> dict:
        def lst(a):
            return None if a is None else [float(x) for x in np.ravel(a)]

        return {
            "circuit": self.circuit,
            "success": self.success,
            "message": self.message,
            "source": self.source,
            "temperature_c": self.temperature_c,
            "parameters": {
                n: {"value": v, "stderr": e, "ci_low": lo, "ci_high": hi, "unit": u, "fixed": fx}
                for n, v, e, lo, hi, u, fx in zip(
                    self.names, self.params, self.errors, self.ci_low, self.ci_high,
                    self.units, self.fixed, strict=True,
                )
            },
            "covariance": None if self.covariance is None else self.covariance.tolist(),
            "chi2": self.chi2,
            "chi2_reduced": self.chi2_reduced,
            "aic": self.aic,
            "bic": self.bic,
            "rms_relative": self.rms_relative,
            "n_points": self.n_points,
            "weighting": self.weighting,
            "level": self.level,
            "arcs": [a.to_dict() for a in self.arcs],
            "n_starts": self.n_starts,
            "nfev": self.nfev,
        }


def label_capacitance(c_f: float, cell_constant_per_cm: float | None = None) -> str:
    """Name the process behind an arc from its capacitance (Irvine, Sinclair & West 1990).

    ``c_f`` is scaled to a cell constant d/A of 1 cm^-1 when ``cell_constant_per_cm`` is given.
    bulk < 1e-11 F < grain boundary < 1e-8 F < surface layer < 1e-7 F < electrode.
    """
    c = c_f * (cell_constant_per_cm if cell_constant_per_cm else 1.0)
    if not math.isfinite(c):
        return "unknown"
    if c < 1e-11:
        return "bulk"
    if c < 1e-8:
        return "grain boundary"
    if c < 1e-7:
        return "surface layer"
    return "electrode"


def weights(z: np.ndarray, weighting: str) -> tuple[np.ndarray, np.ndarray]:
    """Standard deviations (sigma_re, sigma_im) of the residuals under ``weighting``."""
    if weighting == "unit":
        return np.ones(z.size), np.ones(z.size)
    if weighting == "modulus":
        return np.abs(z), np.abs(z)
    floor = 1e-3 * np.abs(z)
    return np.maximum(np.abs(z.real), floor), np.maximum(np.abs(z.imag), floor)


def spectrum_arrays(spectrum, z_ohm):
    if z_ohm is None:
        try:
            f, z = spectrum.frequency_hz, spectrum.z_ohm
        except AttributeError:
            raise InputError("fit needs a Spectrum or the arrays f_hz, z_ohm") from None
        src = str(getattr(spectrum, "source", "") or "")
        t = getattr(spectrum, "temperature_c", None)
    else:
        f, z, src, t = spectrum, z_ohm, "", None
    f = np.asarray(f, dtype=float).ravel()
    z = np.asarray(z, dtype=complex).ravel()
    if f.shape != z.shape:
        raise InputError(f"{src or 'spectrum'}: {f.size} frequencies but {z.size} impedances")
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(z))):
        raise InputError(f"{src or 'spectrum'}: NaN or infinite values; drop those rows")
    if np.any(f <= 0):
        raise InputError(f"{src or 'spectrum'}: frequencies must be > 0 Hz")
    return f, z, src, t


def _arcs(circuit: Circuit, p, cov, cell_constant_per_cm) -> tuple[Arc, ...]:
    names = list(circuit.param_names)
    out = []
    for rnode, cnode in arc_pairs(circuit.tree):
        ir = names.index(rnode.label)
        r = p[ir]
        if cnode.element.name == "C":
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
    max_starts: int = 6,
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
    multistart
        Try further start values when the first fit is poor (rms misfit > 3 %).
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
    fn = c._fn
    n_f = f.size

    def to_p(x, base):
        p = base.copy()
        xf = np.where(is_log[free], np.exp(np.clip(x, -700, 700)), x)
        p[free] = xf
        return p

    def fun_jac(x, base):
        p = to_p(x, base)
        zm, jac = fn(p, w)
        zm = np.broadcast_to(zm, (n_f,))
        r = np.concatenate([(zm.real - z.real) / s_re, (zm.imag - z.imag) / s_im])
        jf = jac[free]
        jf = jf * np.where(is_log[free], p[free], 1.0)[:, None]
        jm = np.concatenate([(jf.real / s_re).T, (jf.imag / s_im).T])
        return r, jm

    lb = np.where(kinds[free] == EXPONENT, 0.0, -np.inf)
    ub = np.where(kinds[free] == EXPONENT, 1.0, np.inf)

    def run(p_start):
        base = p_start.copy()
        for i, v in fix.items():
            base[i] = v
        x0 = np.where(is_log[free], np.log(np.maximum(base[free], 1e-300)), base[free])
        x0 = np.clip(x0, lb + 1e-9, ub - 1e-9)
        cache = {}

        def fres(x):
            cache["x"] = x.copy()
            cache["rj"] = fun_jac(x, base)
            return cache["rj"][0]

        def fjac(x):
            if "x" in cache and np.array_equal(cache["x"], x):
                return cache["rj"][1]
            return fun_jac(x, base)[1]

        sol = least_squares(fres, x0, jac=fjac, bounds=(lb, ub), method="trf", x_scale=1.0,
                            max_nfev=max_nfev, xtol=1e-10, ftol=1e-10, gtol=1e-10)
        return sol, base

    def _good(sol, z_data, n_pts) -> bool:
        if sol.status <= 0 or not np.isfinite(sol.cost):
            return False
        zm = c._fz(to_p(sol.x, best[1]), w)
        return float(np.sqrt(np.mean(np.abs(zm - z_data) ** 2 / np.abs(z_data) ** 2))) < _POOR_RMS

    try:
        starts = [_initial(c, f, z, p0)]
        sol, base = run(starts[0])
        best = (sol, base)
        n_starts = 1
        nfev = sol.nfev
        if multistart and (not _good(best[0], z, n_f)):
            rng = np.random.default_rng(0)
            variants = [dict(n_arc=1.0), dict(n_arc=0.8), dict(shift=2), dict(shift=-2)]
            for v in variants[: max_starts - 1]:
                s2 = start_values(c, f, z, **v)
                s2 = _merge_p0(c, s2, p0)
                sol, b2 = run(s2)
                n_starts += 1
                nfev += sol.nfev
                if sol.cost < best[0].cost:
                    best = (sol, b2)
                if _good(best[0], z, n_f):
                    break
            while n_starts < max_starts and not _good(best[0], z, n_f):
                p_best = to_p(best[0].x, best[1])
                jitter = np.exp(rng.normal(0, 1.5, c.n_params))
                s3 = np.where(kinds == POSITIVE, p_best * jitter, p_best)
                sol, b3 = run(s3)
                n_starts += 1
                nfev += sol.nfev
                if sol.cost < best[0].cost:
                    best = (sol, b3)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        return FitResult(str(c), False, f"optimiser failed: {exc}", names=c.param_names,
                         source=src, temperature_c=t_c, weighting=weighting)
    sol, base = best
    p = to_p(sol.x, base)
    r, jm = fun_jac(sol.x, base)
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


def build_result(
    c: Circuit, p, free, cov_x, *, chi2, dof, f_all, z_all, mask, weighting, level,
    cell_constant_per_cm, ok, message, n_starts=1, nfev=0, source="", temperature_c=None,
) -> FitResult:
    """Assemble a :class:`FitResult` from a solution ``p`` and the covariance of the
    free fitted variables ``cov_x`` (ln p for positive parameters)."""
    kinds = np.array(c.param_kinds)
    free = np.asarray(free, bool)
    is_log = (kinds == POSITIVE) & free
    k = int(free.sum())
    cov = np.zeros((c.n_params, c.n_params))
    scale = np.where(is_log[free], p[free], 1.0)
    cov[np.ix_(free, free)] = cov_x * np.outer(scale, scale)
    se = np.sqrt(np.maximum(np.diag(cov), 0))
    tq = stats.t.ppf(0.5 + level / 2, dof)
    se_x = np.zeros(c.n_params)
    se_x[free] = np.sqrt(np.maximum(np.diag(cov_x), 0))
    ci_lo = np.where(is_log, p * np.exp(-tq * se_x), p - tq * se)
    ci_hi = np.where(is_log, p * np.exp(tq * se_x), p + tq * se)
    z = z_all[mask]
    zfit_all = c.impedance(p, f_all)
    rms = float(np.sqrt(np.mean(np.abs(zfit_all[mask] - z) ** 2 / np.abs(z) ** 2)))
    n2 = 2 * z.size
    ll = n2 * math.log(max(chi2, 1e-300) / n2)
    if ok and not np.all(np.isfinite(se)):
        ok, message = False, "covariance is not finite (parameters not identifiable)"
    if ok and rms > 0.2:
        ok, message = False, f"poor fit: relative rms misfit {rms:.2g} after {n_starts} starts"
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
        arcs=_arcs(c, p, cov, cell_constant_per_cm),
        frequency_hz=f_all,
        z_data=z_all,
        z_fit=zfit_all,
        mask=mask,
        n_starts=n_starts,
        nfev=nfev,
        source=source,
        temperature_c=temperature_c,
    )


def _merge_p0(c: Circuit, p: np.ndarray, p0) -> np.ndarray:
    if p0 is None:
        return p
    for i, v in _as_vector(c, p0, "p0").items():
        p[i] = v
    return p


def _initial(c: Circuit, f, z, p0) -> np.ndarray:
    if p0 is not None and not isinstance(p0, Mapping):
        return np.array(list(_as_vector(c, p0, "p0").values()))
    return _merge_p0(c, start_values(c, f, z), p0)


def fit_many(spectra, *, circuit: str | Circuit = "p(R1,CPE1)-p(R2,CPE2)-CPE3", **kw) -> list[FitResult]:
    """Fit each spectrum; a bad one gives a ``success=False`` result, the rest go on."""
    out = []
    for s in spectra:
        try:
            out.append(fit_circuit(s, circuit=circuit, **kw))
        except InputError as exc:
            out.append(FitResult(str(circuit), False, str(exc), source=str(getattr(s, "source", ""))))
    return out
