"""Conductivity of a pellet from its resistance and geometry, with propagated uncertainty."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..citations import cite
from ..errors import InputError, require_finite, require_positive
from ..records import Record

__all__ = ["Measurement", "conductivity_from_resistance", "pellet_area_cm2"]


@dataclass(frozen=True)
class Measurement(Record):
    """A value with its one-standard-deviation uncertainty and unit."""

    value: float
    error: float
    unit: str

    @property
    def relative_error(self) -> float:
        return self.error / abs(self.value) if self.value else math.inf

    def as_dict(self) -> dict:
        """The fields as a plain dict (value, error, unit).

        Returns
        -------
        dict
            ``{"value", "error", "unit"}``.
        """
        return asdict(self)


def pellet_area_cm2(diameter_cm: float) -> float:
    """Face area of a cylindrical pellet, pi d^2 / 4 (cm2).

    Parameters
    ----------
    diameter_cm
        Pellet diameter, cm (> 0).

    Returns
    -------
    float
        Face area, cm2.

    Examples
    --------
    >>> round(pellet_area_cm2(1.0), 6)
    0.785398
    """
    d = require_positive("diameter_cm", diameter_cm)
    return math.pi * d * d / 4.0


def _nonneg(name: str, value: float) -> float:
    v = require_finite(name, value)
    if v < 0:
        raise InputError(f"{name} must be >= 0, got {value!r}")
    return v


def conductivity_from_resistance(
    r_ohm: float,
    thickness_cm: float,
    *,
    area_cm2: float | None = None,
    diameter_cm: float | None = None,
    r_err_ohm: float = 0.0,
    thickness_err_cm: float = 0.0,
    diameter_err_cm: float = 0.0,
    area_err_cm2: float = 0.0,
) -> Measurement:
    """Ionic conductivity sigma = d / (R A) of a pellet (R-3, Falco et al. 2019).

    Uncertainties (one standard deviation, independent) are propagated to first
    order: (s_sigma/sigma)^2 = (s_d/d)^2 + (s_R/R)^2 + (s_A/A)^2, with
    s_A/A = 2 s_D/D when the area comes from the diameter.

    Parameters
    ----------
    r_ohm
        Resistance of the pellet (bulk, grain boundary or total), ohm.
    thickness_cm
        Pellet thickness d, cm.
    area_cm2, diameter_cm
        Electrode area A (cm2), or the pellet diameter (cm): give exactly one.
    r_err_ohm, thickness_err_cm, diameter_err_cm, area_err_cm2
        Standard uncertainties of the inputs.

    Returns
    -------
    Measurement
        Conductivity and its uncertainty in S/cm.

    Examples
    --------
    >>> m = conductivity_from_resistance(1000.0, 0.1, area_cm2=1.0)
    >>> round(m.value, 8)
    0.0001
    """
    cite("Falco2019", "eq. R-3")
    r = require_positive("resistance R (ohm)", r_ohm)
    d = require_positive("thickness_cm", thickness_cm)
    if (area_cm2 is None) == (diameter_cm is None):
        raise InputError("give exactly one of area_cm2 or diameter_cm")
    rel2 = (_nonneg("r_err_ohm", r_err_ohm) / r) ** 2 + (_nonneg("thickness_err_cm", thickness_err_cm) / d) ** 2
    if diameter_cm is not None:
        area = pellet_area_cm2(diameter_cm)
        rel2 += (2.0 * _nonneg("diameter_err_cm", diameter_err_cm) / float(diameter_cm)) ** 2
    else:
        assert area_cm2 is not None  # exactly one of area/diameter was checked above
        area = require_positive("area_cm2", area_cm2)
        rel2 += (_nonneg("area_err_cm2", area_err_cm2) / area) ** 2
    sigma = d / (r * area)
    return Measurement(value=sigma, error=sigma * math.sqrt(rel2), unit="S/cm")
