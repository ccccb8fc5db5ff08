"""DTA/DSC readers: instrument text exports and generic CSV -> :class:`DscCurve`.

Formats are recognised by content, not by extension:

=================  ==========================================================
Netzsch (Proteus)  ``#KEY:value`` metadata, a ``##Temp./°C;Time/min;DSC/(mW/mg)``
                   column line; ``#EXO``, ``#RANGE`` (heating rate), ``#SAMPLE MASS``,
                   ``#DECIMAL``/``#SEPARATOR`` honoured
TA Instruments     Universal Analysis text (``SigN`` channel lines, ``StartOfData``;
                   ``-1`` time rows mark programme segments, ``Exotherm Up/Down``)
                   and TRIOS text/CSV (name line + unit line)
Mettler-Toledo     STARe export (``Index t Ts Tr Value`` with a ``[s] [°C] ...`` unit line;
                   tab- or space-aligned, UTF-16 with or without BOM, ``Wg^-1`` units)
Setaram            Calisto/SetSoft export (``Sample temperature (°C)``, ``HeatFlow (mW)``);
                   the UTF-16 ``.txt`` layout ``Index Time Furnace Sample TG HeatFlow``
                   (no units; heating kept up to the maximum, the cooling dropped)
Shimadzu           TA-60 ASCII (``[Temperature Program]``, ``[Data]`` blocks)
generic CSV        a temperature column (degC unless the header says K) and a heat-flow
                   column; optional unit line (``[s],[K],[mW/mg]``)
=================  ==========================================================

Every reader ends in a :class:`DscCurve` or a :class:`~ssbkit.errors.FileFormatError`
naming the file and line. The curve is the heating segment in degC with the
heat flow **exothermic up**; what was converted or dropped is in ``notes``.
The layouts are parsed in :mod:`.dsc_formats` (text helpers: :mod:`.dsc_text`); this module
resolves the columns, units, sign and heating segment.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import FileFormatError, InputError
from ..records import Record
from .dsc_formats import _PARSERS, _detect
from .dsc_text import _read_text, _Table

__all__ = ["DscCurve", "read_dsc", "FORMATS"]

FORMATS = ("auto", "netzsch", "ta", "mettler", "setaram", "shimadzu", "csv")


@dataclass(frozen=True)
class DscCurve(Record):
    """One DTA/DSC heating scan.

    Attributes
    ----------
    temperature_C
        Sample temperature, degC, strictly increasing.
    heat_flow
        Signal, **exothermic positive**, in ``heat_flow_unit``.
    heat_flow_unit
        ``"W/g"`` (calibrated DSC), ``"mW"`` (no sample mass known) or ``"uV/mg"``/``"uV"`` (DTA).
    heating_rate_K_per_min
        Heating rate (metadata, user or the time column).
    source, instrument
        File and recognised format.
    sample_mass_mg
        From the header when given (NaN otherwise).
    time_min
        Time column when present (else empty).
    notes
        Conversions, dropped rows, assumptions.
    """

    temperature_C: np.ndarray
    heat_flow: np.ndarray
    heat_flow_unit: str
    heating_rate_K_per_min: float
    source: str = ""
    instrument: str = "csv"
    sample_mass_mg: float = math.nan
    time_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    notes: tuple[str, ...] = ()

    @property
    def calibrated(self) -> bool:
        """True when the signal is a heat flow per mass (enthalpies in J/g possible)."""
        return self.heat_flow_unit == "W/g"


# ----------------------------------------------------------------------------- column roles
_T_UNITS = re.compile(r"^(°|º|›|Â°|ø|deg|\?)?\s*C$|^degC$|^K$|^k$|^celsius$|^kelvin$", re.I)
_TIME_UNITS = {"s", "sec", "min", "h", "mins", "seconds", "minutes"}


def _is_temp_unit(u: str) -> bool:
    return bool(_T_UNITS.match(u.strip()))


def _pick(names: list[str], units: list[str], role: str) -> int | None:
    low = [n.lower().replace("_", " ") for n in names]
    units = [u or _unit_from_name(n) for u, n in zip(units, names, strict=True)]
    if role == "time":
        hits = [i for i, u in enumerate(units) if u.strip().lower() in _TIME_UNITS]
        hits += [i for i, n in enumerate(low) if n in ("time", "t") and not _is_temp_unit(units[i])]
        return hits[0] if hits else None
    if role == "temperature":
        cands = [i for i, (n, u) in enumerate(zip(low, units, strict=True))
                 if _is_temp_unit(u) or (not u and ("temp" in n or n in ("ts", "t_c", "t (c)")))]
        cands = [i for i in cands if units[i].strip().lower() not in _TIME_UNITS]
        for pref in ("sample temp", "ts"):
            best = [i for i in cands if low[i] == pref or low[i].startswith(pref)]
            if best:
                return best[0]
        cands = [i for i in cands if not any(w in low[i] for w in ("furnace", "reference", "program", "tr"))] or cands
        return cands[0] if cands else None
    exact = ("heat flow", "heatflow", "heat flow rate", "dsc", "dta", "value", "heat flow (normalized)")
    for i, n in enumerate(low):
        if n in exact:
            return i
    for i, n in enumerate(low):
        if any(w in n for w in ("heat flow", "heatflow", "dsc", "dta", "hf")) and "sensit" not in n:
            return i
    hits = [i for i, u in enumerate(units) if re.fullmatch(r"(m?W(/m?g)?|uV(/mg)?)", _slash_unit(u))]
    return hits[0] if hits else None


def _unit_from_name(name: str) -> str:
    """Units spelled in a column name: ``temperature_K``, ``heat_flow_W_per_g``, ``hf_mW``."""
    low = name.strip().lower()
    for suffix, unit in (("_w_per_g", "W/g"), ("_mw_per_mg", "mW/mg"), ("_mw", "mW"), ("_uv", "uV"),
                         ("_degc", "degC"), ("_c", "degC"), ("_k", "K"), ("_min", "min"), ("_s", "s")):
        if low.endswith(suffix):
            return unit
    return ""


def _slash_unit(unit: str) -> str:
    """``Wg^-1`` (STARe) -> ``W/g``, ``mW mg^-1`` -> ``mW/mg``; spaces and ``µ`` normalised."""
    u = unit.strip().replace("µ", "u").replace(" ", "")
    return re.sub(r"^(m?W|u?V)(m?g)\^-1$", r"\1/\2", u)


def _heat_flow_unit(unit: str, mass_mg: float, path: Path, notes: list[str]) -> tuple[float, str]:
    u = _slash_unit(unit)
    if u in ("W/g", "mW/mg", "J/(s*g)", "J/sg"):
        return 1.0, "W/g"
    if u in ("mW", "W"):
        factor = 1e-3 if u == "mW" else 1.0
        if math.isfinite(mass_mg) and mass_mg > 0:
            notes.append(f"heat flow in {u} divided by the sample mass {mass_mg:g} mg")
            return factor / (mass_mg * 1e-3), "W/g"
        notes.append(f"heat flow in {u} and no sample mass: enthalpies are given per sample, not per gram")
        return factor * 1e3, "mW"
    if u in ("uV/mg", "uV"):
        notes.append(f"DTA signal in {u}: not calibrated to a heat flow, enthalpies cannot be given in J/g")
        return 1.0, u
    if not u:
        notes.append("heat-flow unit not stated: assumed W/g")
        return 1.0, "W/g"
    raise FileFormatError(f"{path}: heat-flow unit {unit!r} not recognised (W/g, mW/mg, mW, uV/mg)")


def _meta_number(meta: dict[str, str], keys: tuple[str, ...]) -> float:
    for k in keys:
        for mk, v in meta.items():
            if mk.startswith(k):
                m = re.search(r"-?\d+(?:[.,]\d+)?", v)
                if m:
                    return float(m.group(0).replace(",", "."))
    return math.nan


def _meta_rate(meta: dict[str, str]) -> float:
    for v in meta.values():
        m = re.search(r"(\d+(?:[.,]\d+)?)\s*\(?\s*(?:K|°C|ºC|C|deg ?C|Â°C)\s*/\s*min", v)
        if m:
            return float(m.group(1).replace(",", "."))
    rate = meta.get("RATE") or meta.get("HEATING RATE")
    if rate:
        m = re.search(r"\d+(?:[.,]\d+)?", rate)
        if m:
            return float(m.group(0).replace(",", "."))
    return math.nan


# ----------------------------------------------------------------------------- assembly
def _heating_segment(path: Path, t: np.ndarray, lines: np.ndarray, notes: list[str]) -> np.ndarray:
    """Indices of the heating ramp; a temperature that falls back mid-ramp is an error."""
    if t.size < 20:
        raise FileFormatError(f"{path}: only {t.size} data rows (need >= 20 for a heating curve)")
    steps = np.diff(t)
    if not np.any(steps > 0):
        raise FileFormatError(f"{path}, line {int(lines[1])}: the temperature never rises (not a heating scan)")
    typical = float(np.median(steps[steps > 0]))
    tol = max(0.5, 5.0 * typical)
    start = 0
    while start < len(t) - 1 and t[start + 1] - t[start] <= 0.1 * typical:
        start += 1  # leading isothermal hold
    end = int(np.argmax(t))
    after = t[end:]
    if end < len(t) - 1 and (t[end] - after.min()) > tol:
        i = end + 1
        raise FileFormatError(
            f"{path}, line {int(lines[i])}: temperature falls from {t[end]:.2f} to {t[i]:.2f} degC after "
            "the maximum (a cooling segment): export the heating segment alone or pass segment limits"
        )
    running = np.maximum.accumulate(t[start:end + 1])
    drop = running - t[start:end + 1]
    if np.any(drop > tol):
        i = start + int(np.argmax(drop > tol))
        raise FileFormatError(
            f"{path}, line {int(lines[i])}: temperature is not monotonic ({t[i]:.2f} degC after "
            f"{running[i - start]:.2f} degC): give one heating segment"
        )
    keep = np.arange(start, end + 1)
    strict = np.concatenate([[True], t[keep][1:] > np.maximum.accumulate(t[keep])[:-1]])
    if start:
        notes.append(f"{start} rows of a leading isothermal hold dropped")
    if end < len(t) - 1:
        notes.append(f"{len(t) - 1 - end} rows after the maximum temperature (hold) dropped")
    if not strict.all():
        notes.append(f"{int((~strict).sum())} rows that did not raise the temperature (jitter) dropped")
    return keep[strict]


def _rate(path: Path, meta_rate: float, user_rate: float | None, time_min: np.ndarray | None,
          t: np.ndarray, notes: list[str]) -> float:
    slope = math.nan
    if time_min is not None and time_min.size > 10 and np.ptp(time_min) > 0:
        slope = float(np.polyfit(time_min, t, 1)[0])
    if user_rate is not None:
        rate = float(user_rate)
        if not math.isfinite(rate) or rate <= 0:
            raise InputError(f"heating rate must be > 0 K/min, got {user_rate!r}")
        if math.isfinite(meta_rate) and abs(meta_rate - rate) > 0.05 * rate:
            notes.append(f"heating rate {rate:g} K/min given; the file says {meta_rate:g} K/min")
        return rate
    if math.isfinite(meta_rate) and meta_rate > 0:
        if math.isfinite(slope) and abs(slope - meta_rate) > 0.1 * meta_rate:
            notes.append(f"file says {meta_rate:g} K/min, the time column gives {slope:.3g} K/min")
        return meta_rate
    if math.isfinite(slope) and slope > 0:
        notes.append(f"heating rate {slope:.3g} K/min from the time column (no rate in the metadata)")
        return slope
    raise InputError(f"{path}: no heating rate (no rate in the metadata and no time column): "
                     "give it (heating_rate_K_per_min=..., --heating-rate)")


def _sign(meta: dict[str, str], exo: str | None, notes: list[str]) -> float:
    if exo is not None:
        if exo not in ("up", "down"):
            raise InputError(f"exo must be 'up' or 'down', got {exo!r}")
        return 1.0 if exo == "up" else -1.0
    if "EXO" in meta:
        v = meta["EXO"].strip(" ,;")
        if v.lstrip("+-").isdigit():
            if int(v) < 0:
                notes.append("#EXO:-1 in the file: signal sign flipped to exothermic up")
            return 1.0 if int(v) > 0 else -1.0
    v = meta.get("EXOTHERM", "").strip().lower()
    if v in ("up", "down"):
        if v == "down":
            notes.append("'Exotherm Down' in the file: signal sign flipped to exothermic up")
        return 1.0 if v == "up" else -1.0
    notes.append("sign convention not in the file: assumed exothermic up (pass exo='down' if "
                 "endothermic events point up)")
    return 1.0


def read_dsc(path: str | Path, *, heating_rate_K_per_min: float | None = None, fmt: str = "auto",
             exo: str | None = None, sample_mass_mg: float | None = None,
             segment: int | None = None) -> DscCurve:
    """Read a DTA/DSC export (Netzsch, TA, Mettler-Toledo, Setaram, Shimadzu, generic CSV).

    Parameters
    ----------
    path : str or Path
        Text or CSV export.
    heating_rate_K_per_min : float, optional
        Overrides the file's rate; required when the file has neither a rate nor a time column.
    fmt : {"auto", "netzsch", "ta", "mettler", "setaram", "shimadzu", "csv"}
        Format; ``"auto"`` recognises it by content.
    exo : {"up", "down"}, optional
        Sign convention of the file when it does not say (default: exothermic up, with a note).
    sample_mass_mg : float, optional
        Sample mass, to turn a heat flow in mW into W/g (overrides the header).
    segment : int, optional
        For exports with a ``Segment`` column (heat-cool-heat programmes): the segment
        to read. Default: the heating segment with the largest temperature rise.

    Returns
    -------
    DscCurve
        The heating segment in degC, exothermic up.

    Raises
    ------
    FileFormatError
        Unreadable file, missing columns, non-monotonic temperature (naming file and line).
    InputError
        No heating rate, bad options.
    """
    p = Path(path)
    if fmt not in FORMATS:
        from ..errors import did_you_mean

        raise InputError(f"DSC format {fmt!r} is not known{did_you_mean(fmt, FORMATS)}")
    lines = _read_text(p)
    kind = _detect(lines) if fmt == "auto" else fmt
    tab = _PARSERS[kind](p, lines)
    return _assemble(p, tab, heating_rate_K_per_min, exo, sample_mass_mg, segment)


def _select_segment(p: Path, tab: _Table, segment: int | None, notes: list[str]) -> None:
    """Keep the rows of one programme segment (``Segment`` column), in place."""
    idx = next((k for k, n in enumerate(tab.names) if n.strip().lower() in ("segment", "seg", "step")), None)
    if idx is None:
        if segment is not None:
            raise InputError(f"{p}: segment={segment} given but the file has no Segment column")
        if tab.instrument == "setaram":
            _drop_after_maximum(p, tab, notes)
        return
    seg = np.asarray([r[idx] for r in tab.rows], float)
    labels = [int(v) for v in np.unique(seg[np.isfinite(seg)])]
    if len(labels) <= 1 and segment is None:
        return
    it = _pick(tab.names, tab.units, "temperature")
    temps = np.asarray([r[it] for r in tab.rows], float) if it is not None else np.zeros(seg.size)
    if segment is None:
        rise = {lab: float(np.nanmax(temps[seg == lab]) - temps[seg == lab][0]) for lab in labels}
        segment = max(rise, key=lambda lab: rise[lab])
        if rise[segment] <= 0:
            raise FileFormatError(f"{p}: no heating segment among segments {labels}")
        notes.append(f"segment {segment} of {labels} read (the largest heating ramp); pass segment= for another")
    elif segment not in labels:
        raise InputError(f"{p}: segment {segment} is not in the file (segments {labels})")
    keep = seg == segment
    tab.rows = [r for r, k in zip(tab.rows, keep, strict=True) if k]
    tab.lines = [n for n, k in zip(tab.lines, keep, strict=True) if k]


def _drop_after_maximum(p: Path, tab: _Table, notes: list[str]) -> None:
    """Setaram text exports hold the whole run (heating, then cooling) with no Segment column:
    keep the rows up to the maximum temperature when what follows is a cooling ramp."""
    it = _pick(tab.names, tab.units, "temperature")
    if it is None or len(tab.rows) < 3:
        return
    t = np.asarray([r[it] for r in tab.rows], float)
    if not np.isfinite(t).any():
        return
    end = int(np.nanargmax(t))
    rest = t[end:]
    if end >= len(t) - 1 or not np.isfinite(rest).all() or t[end] - rest[-1] < 5.0:
        return
    if np.any(np.diff(rest) > max(0.5, 0.05 * (t[end] - rest[-1]))):
        return  # it heats again after the maximum: leave it to the monotonicity check
    notes.append(f"{len(t) - 1 - end} rows after the maximum {t[end]:.1f} degC (line {tab.lines[end]}) dropped: "
                 f"cooling to {rest[-1]:.1f} degC")
    tab.rows = tab.rows[:end + 1]
    tab.lines = tab.lines[:end + 1]


def _assemble(p: Path, tab: _Table, user_rate: float | None, exo: str | None,
              user_mass: float | None, segment: int | None = None) -> DscCurve:
    notes: list[str] = list(tab.notes)
    _select_segment(p, tab, segment, notes)
    it, iq, itime = (_pick(tab.names, tab.units, r) for r in ("temperature", "heat", "time"))
    if it is None or iq is None:
        raise FileFormatError(f"{p}: need a temperature and a heat-flow column, found {tab.names} "
                              f"(units {tab.units})")
    data = np.asarray(tab.rows, dtype=float)
    lines = np.asarray(tab.lines)
    ok = np.isfinite(data[:, it]) & np.isfinite(data[:, iq])
    if (~ok).any():
        notes.append(f"{int((~ok).sum())} rows with empty cells dropped")
        data, lines = data[ok], lines[ok]
    t = data[:, it].copy()
    tu = tab.units[it].strip() or _unit_from_name(tab.names[it])
    if tu.lower() in ("k", "kelvin"):
        t -= 273.15
        notes.append("temperature converted from K to degC")
    elif not tu:
        notes.append("temperature unit not stated: read as degC")
    mass = float(user_mass) if user_mass is not None else _meta_number(tab.meta, ("SAMPLE MASS", "SIZE", "SAMPLE WEIGHT",
                                                                                 "INITIAL MASS"))
    if user_mass is not None and not (math.isfinite(mass) and mass > 0):
        raise InputError(f"sample mass must be > 0 mg, got {user_mass!r}")
    factor, unit = _heat_flow_unit(tab.units[iq] or _unit_from_name(tab.names[iq]), mass, p, notes)
    q = data[:, iq] * factor * _sign(tab.meta, exo, notes)
    time_min = None
    if itime is not None:
        time_min = data[:, itime] / (60.0 if tab.units[itime].strip().lower() in ("s", "sec", "seconds") else 1.0)
    keep = _heating_segment(p, t, lines, notes)
    if keep.size < 20:
        raise FileFormatError(f"{p}: only {keep.size} rows in the heating segment (need >= 20)")
    tm = time_min[keep] if time_min is not None else None
    rate = _rate(p, _meta_rate(tab.meta), user_rate, tm, t[keep], notes)
    return DscCurve(temperature_C=t[keep], heat_flow=q[keep], heat_flow_unit=unit,
                    heating_rate_K_per_min=float(rate), source=str(p), instrument=tab.instrument,
                    sample_mass_mg=mass if math.isfinite(mass) else math.nan,
                    time_min=tm if tm is not None else np.zeros(0), notes=tuple(notes))
