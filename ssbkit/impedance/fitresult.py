"""The record of a circuit fit, and how it is assembled.

:class:`FitResult` holds parameters, standard errors, confidence intervals,
the full covariance, chi-square, AIC/BIC and residuals; :class:`Arc` the
resistance, effective capacitance (Brug et al., J. Electroanal. Chem. 176
(1984) 275, parallel R–CPE form C = (Q R^(1-n))^(1/n)) and label of every
R–CPE pair, named on the scale of Irvine, Sinclair & West, Adv. Mater. 2
(1990) 132 (``science.md`` §2). :func:`build_result` turns a solution and the
covariance of the fitted variables into a :class:`FitResult`; it is shared by
single fits (:mod:`.fit`) and joint fits of a series (:mod:`.globalfit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import stats

from ssbkit.errors import InputError
from ssbkit.records import Record

from .circuit import Circuit, parse_circuit
from .elements import EXPONENT, POSITIVE
from .startvalues import arc_pairs

__all__ = [
    "Arc",
    "FitResult",
    "WEIGHTINGS",
    "build_result",
    "degeneracy",
    "model_notes",
    "identifiability",
    "label_capacitance",
    "spectrum_arrays",
    "weights",
]

WEIGHTINGS = ("unit", "modulus", "proportional")


@dataclass(frozen=True)
class Arc(Record):
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
        ``"bulk"``, ``"grain boundary"``, ``"surface layer"``, ``"electrode"``, or
        ``"unknown"`` for a non-finite capacitance.
    """

    resistor: str
    capacitor: str
    r_ohm: float
    r_err_ohm: float
    c_eff_f: float
    c_eff_err_f: float
    f_apex_hz: float
    label: str

    def as_dict(self) -> dict:
        """The fields as a plain dict (no ``@class``: the arc list of a fit's JSON).

        Returns
        -------
        dict
            Field name -> value (R in ohm, capacitances in F, tau in s, f in Hz).
        """
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class FitResult(Record):
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
    correlation
        Correlation matrix of the free fitted variables (ln p for positive
        parameters), in the order of ``free_names``.
    free_names
        Names of the free parameters.
    jacobian_condition
        Condition number of the weighted Jacobian in the fitted variables
        (sqrt of that of the covariance).
    non_identifiable
        Parameters the data do not determine: they load on a direction of the
        parameter space along which chi2 is flat (smallest eigenvalue of the
        correlation matrix below 1e-4, i.e. |correlation| > 0.9999 for a pair).
        Their errors and intervals are NaN: a small standard error there would be
        a statement the data do not support.
    warnings
        Why the fit is marked failed (degenerate: C_eff outside physical bounds,
        a CPE n outside (0, 1], an error larger than its value) and which
        parameters are not identifiable (those do not fail the fit).
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
    correlation: np.ndarray | None = None
    free_names: tuple[str, ...] = ()
    jacobian_condition: float = math.nan
    non_identifiable: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

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
        if self.z_fit is None or self.z_data is None:
            return None
        return (self.z_fit - self.z_data) / np.abs(self.z_data)

    def predict(self, f_hz) -> np.ndarray:
        """Model impedance (ohm) at ``f_hz``.

        Parameters
        ----------
        f_hz
            Frequency or frequencies, Hz.

        Returns
        -------
        numpy.ndarray
            Complex model impedance, ohm, at the fitted parameters.
        """
        return parse_circuit(self.circuit).impedance(np.array(self.params), f_hz)

    def as_dict(self) -> dict:
        """Every field (round trip through :meth:`from_dict`) plus the readable
        ``parameters`` table and the arcs as plain dicts.

        Returns
        -------
        dict
            JSON-ready dict (arrays as lists, complex arrays as ``{"real", "imag"}``)
            with ``parameters`` and ``arcs`` added.
        """
        d = super().as_dict()
        d.update(self._legacy())
        return d

    def _legacy(self) -> dict:
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
            "correlation": None if self.correlation is None else self.correlation.tolist(),
            "free_names": list(self.free_names),
            "jacobian_condition": self.jacobian_condition,
            "non_identifiable": list(self.non_identifiable),
            "warnings": list(self.warnings),
        }


def label_capacitance(c_f: float, cell_constant_per_cm: float | None = None) -> str:
    """Name the process behind an arc from its capacitance (Irvine, Sinclair & West 1990).

    ``c_f`` is scaled to a cell constant d/A of 1 cm^-1 when ``cell_constant_per_cm`` is given.
    bulk < 1e-11 F < grain boundary < 1e-8 F < surface layer < 1e-7 F < electrode.

    Parameters
    ----------
    c_f
        Capacitance of the arc, F (effective capacitance for a CPE).
    cell_constant_per_cm
        Cell constant d/A of the sample, 1/cm; None uses ``c_f`` as it is.

    Returns
    -------
    str
        ``"bulk"``, ``"grain boundary"``, ``"surface layer"``, ``"electrode"``, or
        ``"unknown"`` for a non-finite capacitance.

    Examples
    --------
    >>> label_capacitance(5e-12)
    'bulk'
    >>> label_capacitance(1e-9)
    'grain boundary'
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
    """Standard deviations (sigma_re, sigma_im) of the residuals under ``weighting``.

    Parameters
    ----------
    z
        Measured complex impedance, ohm.
    weighting
        ``"unit"`` (sigma = 1), ``"modulus"`` (sigma = abs(Z), both parts) or
        ``"proportional"`` (sigma = abs(Z') and abs(Z''), each floored at 1e-3 abs(Z)).

    Returns
    -------
    sigma_re, sigma_im : numpy.ndarray
        Standard deviations of the real and imaginary residuals, ohm (``"unit"``: 1).

    Examples
    --------
    >>> import numpy as np
    >>> s_re, s_im = weights(np.array([3 + 4j]), "modulus")
    >>> float(s_re[0]), float(s_im[0])
    (5.0, 5.0)
    """
    if weighting == "unit":
        return np.ones(z.size), np.ones(z.size)
    if weighting == "modulus":
        return np.abs(z), np.abs(z)
    floor = 1e-3 * np.abs(z)
    return np.maximum(np.abs(z.real), floor), np.maximum(np.abs(z.imag), floor)


def spectrum_arrays(spectrum, z_ohm):
    """Checked ``(f_hz, z_ohm, source, temperature_c)`` from a Spectrum or from two arrays.

    Parameters
    ----------
    spectrum
        A :class:`~ssbkit.impedance.spectrum.Spectrum` (when ``z_ohm`` is None) or
        the frequencies, Hz.
    z_ohm
        Complex impedances, ohm, matching ``spectrum`` as frequencies; None to
        read both from the Spectrum.

    Returns
    -------
    f_hz : numpy.ndarray
        Frequencies, Hz (finite, > 0).
    z_ohm : numpy.ndarray
        Complex impedance, ohm (finite).
    source : str
        The spectrum's source ("" for arrays).
    temperature_c : float or None
        The spectrum's temperature, degC (None for arrays).

    Raises
    ------
    InputError
        Mismatched lengths, non-finite values or frequencies <= 0 Hz.

    Examples
    --------
    >>> f, z, src, t = spectrum_arrays([1.0, 10.0], [1 - 1j, 1 - 0.1j])
    >>> f.tolist(), src, t
    ([1.0, 10.0], '', None)
    """
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
    kinds = np.array(c.param_kinds)
    free = np.asarray(free, bool)
    is_log = (kinds == POSITIVE) & free
    k = int(free.sum())
    cov = np.zeros((c.n_params, c.n_params))
    scale = np.where(is_log[free], p[free], 1.0)
    cov[np.ix_(free, free)] = cov_x * np.outer(scale, scale)
    se = np.sqrt(np.maximum(np.diag(cov), 0))
    tq = _t_quantile(level, dof)
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


#: Elements whose impedance is unchanged when two parameters swap: the two-rail line
#: (Bisquert 2000) is symmetric in R_ion <-> R_e. Fits order them (first >= second).
SYMMETRIC_PAIRS = {"TLMR": ("Rion", "Re")}

#: What the data determine of elements with partly undetermined parameters
PARTLY_DETERMINED = {
    "EB": "only 2 Rbulk + Rion Re/(Rion + Re) (high-frequency intercept, R-4) and Rion "
          "(R-6, R-7) are fixed by the data; Rbulk and Re separately are not",
}


def model_notes(c: Circuit) -> list[str]:
    """What a fit of ``c`` cannot tell (symmetric or partly determined elements).

    Parameters
    ----------
    c : Circuit
        The circuit.

    Returns
    -------
    list of str
        One note per such element.
    """
    out = []
    for e in c.tree.elements():
        name = e.elem.name
        if name in SYMMETRIC_PAIRS:
            a, b = SYMMETRIC_PAIRS[name]
            out.append(f"{e.label}: {a} and {b} are interchangeable (same impedance when "
                       f"swapped); ordered {e.label}_{a} >= {e.label}_{b}: which rail is "
                       "ionic must come from elsewhere")
        if name in PARTLY_DETERMINED:
            out.append(f"{e.label}: {PARTLY_DETERMINED[name]}")
    return out


#: Effective capacitances outside this range (F) are not physical for a cell
C_EFF_BOUNDS_F = (1e-16, 1e3)


def identifiability(cov_x: np.ndarray, names: tuple[str, ...]):
    """Correlation matrix, Jacobian condition number and non-identifiable parameters.

    Parameters
    ----------
    cov_x : numpy.ndarray
        Covariance of the free fitted variables.
    names : tuple of str
        Their names.

    Returns
    -------
    tuple
        (correlation matrix or None, condition number, tuple of names loading
        (|component| > 0.3) on eigenvectors of the correlation matrix whose
        eigenvalue is below 1e-4).
    """
    cov_x = np.asarray(cov_x, dtype=float)
    cov_x = 0.5 * (cov_x + cov_x.T)
    if cov_x.size == 0 or not np.all(np.isfinite(cov_x)):
        return None, math.nan, ()
    sd = np.sqrt(np.maximum(np.diag(cov_x), 0.0))
    if np.any(sd == 0):
        return None, math.inf, ()
    corr = cov_x / np.outer(sd, sd)
    ev = np.abs(np.linalg.eigvalsh(cov_x))
    cond = float(np.sqrt(ev.max() / ev.min())) if ev.min() > 0 else math.inf
    ce, cv = np.linalg.eigh(corr)
    flagged = set()
    for lam, vec in zip(ce, cv.T, strict=True):
        if lam < 1e-4:
            flagged.update(np.flatnonzero(np.abs(vec) > 0.3).tolist())
    return corr, cond, tuple(names[i] for i in sorted(flagged))


def degeneracy(c: Circuit, p, se, free, arcs, nonid=()) -> list[str]:
    """Reasons a converged fit is still not a result (empty list: none).

    Parameters
    ----------
    c : Circuit
        The circuit.
    p, se : numpy.ndarray
        Parameter values and standard errors.
    free : numpy.ndarray of bool
        Which parameters were fitted.
    arcs : tuple of Arc
        The fit's arcs.
    nonid : tuple of str
        Names already flagged as not identifiable (not repeated here).

    Returns
    -------
    list of str
        Effective capacitance outside :data:`C_EFF_BOUNDS_F`, a CPE exponent at
        or below 0 or above 1, a free parameter whose standard error exceeds
        its value.
    """
    out = []
    lo, hi = C_EFF_BOUNDS_F
    for a in arcs:
        if not (lo <= a.c_eff_f <= hi):
            out.append(f"C_eff of {a.capacitor} = {a.c_eff_f:.2g} F is outside "
                       f"{lo:g}..{hi:g} F")
    kinds = c.param_kinds
    for i, name in enumerate(c.param_names):
        if not free[i] or name in nonid:
            continue
        if kinds[i] == EXPONENT and not (1e-6 < p[i] <= 1.0):
            out.append(f"{name} = {p[i]:.3g} is outside (0, 1]")
        elif math.isfinite(se[i]) and se[i] > abs(p[i]):
            out.append(f"{name} = {p[i]:.3g} +- {se[i]:.2g}: the error exceeds the value")
    return out
