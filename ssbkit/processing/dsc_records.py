"""Records of a DTA/DSC analysis: construction lines, the glass transition, thermal peaks and the
per-curve :class:`DscAnalysis` (constructions in :mod:`.dsc`, peaks in :mod:`.dsc_peaks`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..records import Record

__all__ = ["Line", "GlassTransition", "ThermalPeak", "DscAnalysis"]

# The classes say ``__module__ = "ssbkit.processing.dsc"``: they were defined there, saved JSON
# names them by that path (``@class``), and :mod:`.dsc` re-exports them.


@dataclass(frozen=True)
class Line(Record):
    """A straight construction line ``q = slope * T + intercept`` (T in degC)."""

    __module__ = "ssbkit.processing.dsc"  # public home; keeps the JSON "@class" of saved analyses

    slope: float
    intercept: float

    def at(self, t: float | np.ndarray) -> float | np.ndarray:
        """Value of the line at temperature ``t``.

        Parameters
        ----------
        t : float or ndarray
            Temperature, degC.

        Returns
        -------
        float or ndarray
            ``slope * t + intercept``.
        """
        return self.slope * t + self.intercept


@dataclass(frozen=True)
class GlassTransition(Record):
    """ASTM E1356 glass transition.

    Attributes
    ----------
    onset_C, midpoint_C, end_C, inflection_C
        Temperatures of the construction, degC.
    step
        Signal step (glass baseline minus liquid baseline at the midpoint), unit of the curve.
    delta_cp_J_per_gK
        Heat-capacity step (NaN for an uncalibrated DTA signal).
    glass_line, tangent, liquid_line
        The three construction lines.
    fit_range_C
        Temperature ranges of the two baseline fits.
    """

    __module__ = "ssbkit.processing.dsc"  # public home; keeps the JSON "@class" of saved analyses

    onset_C: float
    midpoint_C: float
    end_C: float
    inflection_C: float
    step: float
    delta_cp_J_per_gK: float
    glass_line: Line
    tangent: Line
    liquid_line: Line
    fit_range_C: tuple[float, float, float, float]


@dataclass(frozen=True)
class ThermalPeak(Record):
    """An exothermic or endothermic peak with its construction.

    Attributes
    ----------
    kind
        ``"exo"`` (crystallization) or ``"endo"`` (melting, decomposition).
    onset_C, peak_C
        Tangent onset and extremum, degC.
    start_C, end_C
        Integration limits, degC.
    height
        Peak height above the baseline (unit of the curve, positive).
    enthalpy_J_per_g
        Area / heating rate, J/g, positive for both kinds (NaN for an uncalibrated signal).
    baseline, tangent
        Construction lines.
    """

    __module__ = "ssbkit.processing.dsc"  # public home; keeps the JSON "@class" of saved analyses

    kind: str
    onset_C: float
    peak_C: float
    start_C: float
    end_C: float
    height: float
    enthalpy_J_per_g: float
    baseline: Line
    tangent: Line


@dataclass(frozen=True)
class DscAnalysis(Record):
    """Everything read off one heating curve (see :func:`analyze_dsc`).

    Attributes
    ----------
    source, heating_rate_K_per_min, heat_flow_unit
        From the curve.
    glass_transition
        :class:`GlassTransition` or None when no step was found.
    crystallization
        Exothermic peaks, in temperature order.
    melting
        Endothermic peaks above the first crystallization (or all, without one).
    tm_C
        Melting temperature used for Hruby's parameter (first melting peak or user value).
    notes, references
    """

    __module__ = "ssbkit.processing.dsc"  # public home; keeps the JSON "@class" of saved analyses

    source: str
    heating_rate_K_per_min: float
    heat_flow_unit: str
    glass_transition: GlassTransition | None
    crystallization: tuple[ThermalPeak, ...]
    melting: tuple[ThermalPeak, ...]
    tm_C: float = math.nan
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ("ASTME1356", "Hruby1972")

    @property
    def tg_onset_C(self) -> float:
        """Tg onset (NaN without a glass transition)."""
        return self.glass_transition.onset_C if self.glass_transition else math.nan

    @property
    def tx_C(self) -> float:
        """Onset of the first crystallization exotherm."""
        return self.crystallization[0].onset_C if self.crystallization else math.nan

    @property
    def stability_K(self) -> float:
        """Glass stability ``Tx - Tg`` (onsets), K."""
        return self.tx_C - self.tg_onset_C

    @property
    def hruby(self) -> float:
        """Hruby parameter ``(Tx - Tg) / (Tm - Tx)``."""
        return self.stability_K / (self.tm_C - self.tx_C) if math.isfinite(self.tm_C) else math.nan

    def summary(self) -> dict[str, float]:
        """Flat numbers with units in the keys (for ``--json`` and the study).

        Returns
        -------
        dict of str to float
            ``tg_onset_C``, ``tg_midpoint_C``, ``tg_end_C``, ``tc_onset_C``, ``tc_peak_C``,
            ``crystallization_enthalpy_J_per_g``, ``stability_K``, ``hruby``, ...
        """
        g = self.glass_transition
        c = self.crystallization[0] if self.crystallization else None
        nan = math.nan
        return {
            "heating_rate_K_per_min": self.heating_rate_K_per_min,
            "tg_onset_C": g.onset_C if g else nan,
            "tg_midpoint_C": g.midpoint_C if g else nan,
            "tg_end_C": g.end_C if g else nan,
            "delta_cp_J_per_gK": g.delta_cp_J_per_gK if g else nan,
            "tc_onset_C": c.onset_C if c else nan,
            "tc_peak_C": c.peak_C if c else nan,
            "crystallization_enthalpy_J_per_g": c.enthalpy_J_per_g if c else nan,
            "n_exotherms": len(self.crystallization),
            "tm_C": self.tm_C,
            "stability_K": self.stability_K,
            "hruby": self.hruby,
        }

    def as_dict(self) -> dict:
        """Fields plus :meth:`summary` under ``"summary"``.

        Returns
        -------
        dict
            JSON-ready record.
        """
        d = super().as_dict()
        d["summary"] = self.summary()
        return d
