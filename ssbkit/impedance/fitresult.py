"""The record of a circuit fit.

:class:`FitResult` holds parameters, standard errors, confidence intervals,
the full covariance, chi-square, AIC/BIC and residuals; :class:`Arc` the
resistance, effective capacitance (Brug et al., J. Electroanal. Chem. 176
(1984) 275, parallel R–CPE form C = (Q R^(1-n))^(1/n)) and label of every
R–CPE pair, named on the scale of Irvine, Sinclair & West, Adv. Mater. 2
(1990) 132 (``science.md`` §2). :func:`build_result` turns a solution and the
covariance of the fitted variables into a :class:`FitResult`; it is shared by
single fits (:mod:`.fit`) and joint fits of a series (:mod:`.globalfit`).

The jobs around the record live beside it and are re-exported here: the fit's
inputs (:mod:`.fitinput`: spectrum arrays, weights), the checks of its numbers
(:mod:`.fitchecks`: arc labels, identifiability, degeneracy, model notes) and
the assembly (:mod:`.fitbuild`: :func:`build_result`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ssbkit.records import Record

from .circuit import parse_circuit
from .fitbuild import _arcs, _t_quantile, build_result  # noqa: F401
from .fitchecks import (  # noqa: F401
    C_EFF_BOUNDS_F,
    PARTLY_DETERMINED,
    SYMMETRIC_PAIRS,
    degeneracy,
    identifiability,
    label_capacitance,
    model_notes,
)
from .fitinput import WEIGHTINGS, spectrum_arrays, weights

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
