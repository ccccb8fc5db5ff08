"""Catch the unit slips people make in study and design files, by the unit in the key name.

ssbkit spells units in key names (``temperatures_c``, ``thickness_um``,
``sigma_S_per_cm``, ``loading_mg_cm2``). :func:`check_key_units` looks at a
key's suffix and value and

* raises :class:`~ssbkit.errors.InputError` for what cannot be meant (a
  negative thickness or mass, a temperature below absolute zero, kelvin values
  under a degC key in a measurement table, an ionic conductivity above 1 S/cm);
* returns loud warnings for what is possible but unlikely (a composite or
  separator thinner than 1 um: mm typed as um?).

Examples
--------
>>> check_key_units("electrolyte", "temperatures_c", [25, 50, 75])
[]
>>> check_key_units("electrolyte", "temperatures_c", [298.15, 323.15])
Traceback (most recent call last):
...
ssbkit.errors.InputError: electrolyte.temperatures_c = [298.15, 323.15] look like kelvin (298.15 K = 25 degC): give degC, or subtract 273.15
"""

from __future__ import annotations

import math
from typing import Any

from .errors import InputError

__all__ = ["check_key_units", "PROCESSING_TABLES"]

#: tables whose degC values are furnace temperatures (hundreds of degC are normal there)
PROCESSING_TABLES = frozenset({"synthesis", "thermal", "heat_treatment", "processing"})

_POSITIVE_SUFFIXES = ("_um", "_mm", "_cm", "_nm", "_cm2", "_m2", "_g", "_mg", "_mg_cm2", "_g_cm3",
                      "_mah", "_mah_cm2", "_ohm", "_ohm_cm2", "_s", "_h", "_min")


def _numbers(value: Any) -> list[float] | None:
    vals = value if isinstance(value, list | tuple) else [value]
    out = []
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return None
        out.append(float(v))
    return out


def check_key_units(table: str, key: str, value: Any) -> list[str]:
    """Check one key's value against the unit its name carries.

    Parameters
    ----------
    table
        The TOML table (``electrolyte``, ``cathode``, ...); decides what is plausible.
    key
        The key, with its unit suffix (``temperatures_c``, ``thickness_um``).
    value
        A number or a list of numbers (other values are not checked).

    Returns
    -------
    list of str
        Loud warnings for unlikely but possible values (empty when all is plausible).

    Raises
    ------
    InputError
        For values that cannot be meant, naming ``table.key`` and the likely slip.
    """
    nums = _numbers(value)
    if not nums:
        return []
    name = f"{table}.{key}"
    shown = value if isinstance(value, list | tuple) else nums[0]
    k = key.lower()
    if any(math.isnan(v) or math.isinf(v) for v in nums):
        raise InputError(f"{name} = {shown} must be finite")
    if k.endswith("_c") and ("temperature" in k or k in ("t_c", "ts_c")):
        _check_celsius(table, name, shown, nums)
    elif k.endswith("_k") and "temperature" in k:
        if min(nums) <= 0:
            raise InputError(f"{name} = {shown}: kelvin temperatures must be > 0 K")
    if k.endswith(_POSITIVE_SUFFIXES) and min(nums) < 0:
        raise InputError(f"{name} = {shown} must not be negative")
    if k.endswith("_s_per_cm") and not any(w in k for w in ("_e_", "electron", "carbon", "_e")):
        if min(nums) < 0:
            raise InputError(f"{name} = {shown}: a conductivity must not be negative")
        if max(nums) > 1.0:
            raise InputError(f"{name} = {shown}: above 1 S/cm no solid electrolyte conducts ions; "
                             "was it given in S/m (1 S/m = 0.01 S/cm)?")
    if k.startswith("thickness") and k.endswith("_um") and 0 < min(nums) < 1.0 and table in ("cathode", "separator", "anode"):
        return [f"{name} = {shown} um is thinner than 1 um for a bulk-type electrode or separator: "
                "was it given in mm (1 mm = 1000 um)?"]
    if ("diameter" in k or "radius" in k) and k.endswith("_um") and 0 < min(nums) < 1e-3:
        return [f"{name} = {shown} um is below 1 nm, smaller than a unit cell: was it given in m or mm "
                "(5 um = 5e-6 m = 5e-3 mm)?"]
    return []


def _check_celsius(table: str, name: str, shown: Any, nums: list[float]) -> None:
    if min(nums) < -273.15:
        raise InputError(f"{name} = {shown} is below absolute zero (-273.15 degC)")
    if table in PROCESSING_TABLES:
        return
    if min(nums) >= 250.0:
        example = f"{nums[0]:g} K = {nums[0] - 273.15:g} degC"
        raise InputError(f"{name} = {shown} look like kelvin ({example}): give degC, or subtract 273.15")
