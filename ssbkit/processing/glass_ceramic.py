"""Glass-ceramic conductivity from the crystallized fraction by effective-medium theory (the
symmetric Bruggeman or Maxwell-Garnett of :mod:`ssbkit.microstructure.effective_medium`; three
phases when an unwanted phase forms), the unwanted-phase window from a heat-treatment series,
and the literature's treatment notation (``"950 C/70 h"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, require_positive
from ..microstructure.effective_medium import glass_ceramic_conductivity, symmetric_bruggeman
from ..records import Record

__all__ = ["UnwantedPhase", "unwanted_phase_from_series", "parse_treatment", "glass_ceramic_sigma"]



@dataclass(frozen=True)
class UnwantedPhase(Record):
    """A phase that forms above a temperature and spoils the conductivity.

    Attributes
    ----------
    name
        E.g. ``"thio-LISICON + Li4P2S6"``.
    onset_C, onset_high_C
        Highest treatment without it and lowest with it (the boundary lies between).
    sigma_S_per_cm
        Its conductivity at 25 degC.
    source
        Where the window and sigma come from.
    """

    __module__ = "ssbkit.processing.heat_treatment"  # public home; keeps the JSON "@class"

    name: str
    onset_C: float
    onset_high_C: float
    sigma_S_per_cm: float
    source: str = ""

    def share(self, temperature_C: float | np.ndarray, onset_C: float | None = None) -> np.ndarray:
        """Share of the crystal converted to this phase (0 below the window, 1 above it).

        Parameters
        ----------
        temperature_C : float or ndarray
            Holding temperature, degC.
        onset_C : float, optional
            A sharp boundary instead of the linear rise across the window (Monte Carlo draws).

        Returns
        -------
        ndarray
            Share in [0, 1].
        """
        t = np.asarray(temperature_C, float)
        if onset_C is not None:
            return (t >= onset_C).astype(float)
        if self.onset_high_C <= self.onset_C:
            return (t >= self.onset_C).astype(float)
        return np.clip((t - self.onset_C) / (self.onset_high_C - self.onset_C), 0.0, 1.0)


def unwanted_phase_from_series(rows: Sequence[dict], *, wanted: str, sigma_S_per_cm: float,
                               source: str = "") -> UnwantedPhase:
    """The window of an unwanted phase from a heat-treatment series.

    Parameters
    ----------
    rows : sequence of dict
        Rows with ``treatment_C`` (number or text; non-numbers skipped) and ``phase``.
    wanted : str
        Substring naming the wanted phase (``"Li7P3S11"``); other phases are unwanted.
    sigma_S_per_cm : float
        Conductivity of the unwanted phase (measured separately).
    source : str
        Provenance.

    Returns
    -------
    UnwantedPhase
        ``onset_C`` = highest treatment with the wanted phase, ``onset_high_C`` = lowest with another.
    """
    good: list[float] = []
    bad: list[float] = []
    names: list[str] = []
    for r in rows:
        try:
            t = float(r["treatment_C"])
        except (TypeError, ValueError, KeyError):
            continue
        (good if wanted in str(r.get("phase", "")) else bad).append(t)
        if wanted not in str(r.get("phase", "")):
            names.append(str(r.get("phase", "")))
    if not good or not bad:
        raise InputError(f"the series needs treatments with and without {wanted!r} to bound the window")
    lo, hi = max(good), min(t for t in bad if t > max(good)) if any(t > max(good) for t in bad) else (math.nan)
    if not math.isfinite(hi):
        raise InputError(f"no treatment above {lo:g} degC without {wanted!r}: the window is not bounded")
    return UnwantedPhase(name=names[0], onset_C=lo, onset_high_C=hi,
                         sigma_S_per_cm=require_positive("sigma of the unwanted phase", sigma_S_per_cm),
                         source=source)


def parse_treatment(text: str | float) -> tuple[float, float]:
    """Holding temperature and time from the literature's notation (``"950 C/70 h"``).

    Parameters
    ----------
    text : str or float
        ``"T C/t h"`` (also ``°C``, ``min``), or a bare temperature.

    Returns
    -------
    (float, float)
        ``(T_C, time_h)``; ``time_h`` is NaN when the text gives none.

    Raises
    ------
    InputError
        For text that names no temperature.

    Examples
    --------
    >>> parse_treatment("1000 C/0.33 h")
    (1000.0, 0.33)
    """
    import re

    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text), math.nan
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:°\s*C|C|degC)?\s*(?:/\s*(\d+(?:\.\d+)?)\s*(h|min))?\s*", str(text))
    if not m:
        raise InputError(f"heat treatment {text!r} is not 'T C/t h' (e.g. '950 C/70 h')")
    t_h = math.nan if m.group(2) is None else float(m.group(2)) / (60.0 if m.group(3) == "min" else 1.0)
    return float(m.group(1)), t_h


def glass_ceramic_sigma(x: float, *, sigma_glass: float, sigma_crystal: float, model: str = "bruggeman",
                        unwanted_share: float = 0.0, sigma_unwanted: float = math.nan) -> float:
    """Conductivity of glass (1 - x) + crystal x, part of which (``unwanted_share``) is an unwanted phase.

    Parameters
    ----------
    x : float
        Crystallized fraction.
    sigma_glass, sigma_crystal : float
        Conductivities of the residual glass and the wanted crystal (one unit).
    model : {"bruggeman", "maxwell_garnett"}
        Effective-medium model (three phases always use the symmetric Bruggeman).
    unwanted_share : float
        Share of the crystal that is the unwanted phase (0..1).
    sigma_unwanted : float
        Its conductivity (needed when ``unwanted_share > 0``).

    Returns
    -------
    float
        Effective conductivity, unit of the inputs.

    Examples
    --------
    >>> glass_ceramic_sigma(0.0, sigma_glass=5.4e-5, sigma_crystal=3.2e-3)
    5.4e-05
    """
    if unwanted_share <= 0.0:
        return glass_ceramic_conductivity(x, sigma_crystal, sigma_glass, model=model)
    if not (math.isfinite(sigma_unwanted) and sigma_unwanted >= 0):
        raise InputError("an unwanted phase needs its conductivity (sigma_unwanted)")
    y = min(max(float(unwanted_share), 0.0), 1.0)
    return symmetric_bruggeman([1.0 - x, x * (1.0 - y), x * y], [sigma_glass, sigma_crystal, sigma_unwanted])
