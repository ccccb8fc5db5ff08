"""Naming the columns of an impedance table from its header line."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Columns", "identify_columns"]


@dataclass
class Columns:
    """Which column holds what, with unit factors and stated signs."""

    freq: int
    real: int | None = None
    imag: int | None = None
    modulus: int | None = None
    phase: int | None = None
    cycle: int | None = None
    temperature: int | None = None
    temperature_kelvin: bool = False
    freq_factor: float = 1.0
    z_factor: float = 1.0
    imag_negated: bool | None = None  # None: the header does not say
    real_negated: bool = False
    unreadable_unit: tuple[str, ...] = ()  # columns whose unit was lost ('?'), taken as SI
    phase_negated: bool = False
    phase_rad: bool = False
    angular: bool = False
    names: tuple[str, ...] = ()


_UNIT_RE = re.compile(
    r"\s*(?:/|\[|\()\s*"
    r"([kmM]?(?:[Oo]hms?|\u03a9|\u2126)|[kmM]?Hz|rad/s|rad|\u00b0C|degC|deg|\u00b0|degrees?|K"
    r"|\?|\ufffd)"
    r"\s*[\])]?\s*$"
)
_FREQ = {"freq", "frequency", "f", "fhz", "freq.", "frequency."}
_REAL = {"z'", "zre", "rez", "re(z)", "zreal", "realz", "real(z)", "zs'", "re", "real", "z'real",
         "zr", "z'(a)"}
_IMAG = {"z''", "zim", "zimg", "zimag", "imz", "im(z)", "imag(z)", "imagz", "zs''", "im", "imag",
         "z''imag", "zi", "z''(b)", "imaginary", "zimaginary", "imaginary(z)"}
_MOD = {"|z|", "zmod", "mod(z)", "modz", "z", "abs(z)", "absz", "|zs|", "impedance", "zabs"}
_PHASE = {"phase", "phase(z)", "zphz", "phz", "theta", "phi", "phasez", "phaseangle", "zphase",
          "phase(°)", "phaseangle(z)"}


def _clean(name: str) -> tuple[str, str]:
    """(role key, unit text) of a column header."""
    raw = name.strip().strip('"').replace("\u2033", "''").replace('"', "''")
    raw = raw.replace("\u2212", "-").replace("\u2013", "-")
    raw = raw.replace("\u2032", "'").replace("\u2019", "'").replace("`", "'")
    raw = raw.replace("\u00b4", "'")
    raw = re.sub(r"^data\s*:\s*", "", raw, flags=re.IGNORECASE)  # RelaxIS: "Data: Z'" (not "Fit: Z'")
    unit = ""
    m = _UNIT_RE.search(raw)
    if m:
        unit = m.group(1)
        raw = raw[: m.start()]
    key = re.sub(r"[\s_.]+", "", raw.lower())
    return key, unit


def _ohm_factor(unit: str) -> float:
    if unit[:1] == "k":
        return 1e3
    if unit[:1] == "M":
        return 1e6
    if unit[:1] == "m":
        return 1e-3
    return 1.0


def identify_columns(names: list[str]) -> Columns | None:
    """Roles of the columns named ``names``, or None if frequency and Z are not all there.

    Parameters
    ----------
    names : list of str
        Column names of a header line, in order.

    Returns
    -------
    Columns or None
        Column indices, unit factors and the signs the header states.

    Examples
    --------
    >>> c = identify_columns(["freq/Hz", "-Z' (Ohm)", "-Z'' (Ohm)"])
    >>> c.freq, c.real, c.imag, c.real_negated, c.imag_negated
    (0, 1, 2, True, True)
    """
    roles: dict[str, int] = {}
    info: dict[str, object] = {}
    for j, name in enumerate(names):
        key, unit = _clean(name)
        pending: dict[str, object] = {}
        lost = unit in ("?", "\ufffd")
        neg = key.startswith("-")
        bare = key.lstrip("-+")
        if re.search(r"(^|[(|])y", bare):  # admittance columns: Re(Y), |Y|, Y'
            continue
        if bare in _FREQ or bare.startswith("freq"):
            role = "freq"
            prefix = {"k": 1e3, "M": 1e6, "m": 1e-3}
            pending["freq_factor"] = prefix.get(unit[:1], 1.0) if "Hz" in unit else 1.0
        elif bare in {"omega", "w", "ω", "angularfrequency"}:
            role = "freq"
            pending["angular"] = True
        elif bare in _REAL:
            role = "real"
            pending["z_factor"] = _ohm_factor(unit)
            pending["real_negated"] = neg
        elif bare in _IMAG:
            role = "imag"
            pending["imag_negated"] = neg
        elif bare in _MOD:
            role = "modulus"
            if "real" not in roles:
                pending["z_factor"] = _ohm_factor(unit)
        elif bare in _PHASE:
            role = "phase"
            pending["phase_negated"] = neg
            pending["phase_rad"] = unit == "rad"
        elif "cycle" in bare:
            role = "cycle"
        elif bare.startswith("temp"):
            role = "temperature"
            pending["temperature_kelvin"] = unit == "K"
        else:
            continue
        if role in roles:
            continue
        roles[role] = j
        info.update(pending)
        if lost:
            info["unreadable_unit"] = (*info.get("unreadable_unit", ()), name)  # type: ignore[misc]
    if "freq" not in roles:
        return None
    if not ({"real", "imag"} <= roles.keys() or {"modulus", "phase"} <= roles.keys()):
        return None
    return Columns(
        freq=roles["freq"], real=roles.get("real"), imag=roles.get("imag"),
        modulus=roles.get("modulus"), phase=roles.get("phase"), cycle=roles.get("cycle"),
        temperature=roles.get("temperature"),
        names=tuple(names), **info,  # type: ignore[arg-type]
    )
