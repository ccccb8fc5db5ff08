"""The ``measured`` table of a design or study file: one check for every entry that reads it.

``measured = { capacity_mAh_per_g = ..., current_mA_cm2 = ... or c_rate = ...,
temperature_c = ..., reference = "...", current_range_mA_cm2 = [low, high],
current_note = "..." }`` (:mod:`ssbkit.cell.schema`). The rate workflow
(:func:`ssbkit.cell.rate.rate_study`) and the inverse model
(:func:`ssbkit.cell.inverse.implied_parameter`) check it here, so a bad table
raises :class:`~ssbkit.errors.InputError` naming the key instead of failing
inside the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError, did_you_mean, require_finite, require_positive

__all__ = ["MEASURED_KEYS", "check_measured"]

#: Keys of the ``measured`` table.
MEASURED_KEYS = ("capacity_mAh_per_g", "current_mA_cm2", "c_rate", "temperature_c", "reference",
                 "current_range_mA_cm2", "current_note")


def check_measured(measured: Any) -> dict[str, Any]:
    """Validate a ``measured`` table and return it with its numbers as floats.

    Parameters
    ----------
    measured
        The table: ``capacity_mAh_per_g`` (> 0) and ``current_mA_cm2`` or
        ``c_rate`` (> 0); optional ``temperature_c`` (above -273.15 degC),
        ``reference``, ``current_range_mA_cm2`` and ``current_note``.

    Returns
    -------
    dict
        A copy of the table, numbers as floats.

    Raises
    ------
    InputError
        Not a table, an unknown key, a missing capacity or current, a capacity,
        current or C-rate that is not a finite number above zero.
    """
    if not isinstance(measured, Mapping):
        raise InputError("[cell] measured must be a table, e.g. { capacity_mAh_per_g = 180, c_rate = 0.1 }, "
                         f"got {measured!r}")
    out = dict(measured)
    for k in out:
        if k not in MEASURED_KEYS:
            raise InputError(f"[cell] measured: unknown key {k!r}{did_you_mean(str(k), MEASURED_KEYS)}")
    if out.get("capacity_mAh_per_g") is None:
        raise InputError("[cell] measured needs capacity_mAh_per_g")
    out["capacity_mAh_per_g"] = require_positive("[cell] measured.capacity_mAh_per_g", out["capacity_mAh_per_g"])
    given = [k for k in ("current_mA_cm2", "c_rate") if out.get(k) is not None]
    if not given:
        raise InputError("[cell] measured needs current_mA_cm2 or c_rate (the current of the measurement; "
                         "current_range_mA_cm2 adds a band around it)")
    for k in given:
        out[k] = require_positive(f"[cell] measured.{k}", out[k])
    if out.get("temperature_c") is not None:
        t = require_finite("[cell] measured.temperature_c", out["temperature_c"])
        if not t > -273.15:
            raise InputError(f"[cell] measured.temperature_c must be above -273.15 degC, got {t:g}")
        out["temperature_c"] = t
    return out
