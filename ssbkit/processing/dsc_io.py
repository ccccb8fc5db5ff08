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
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import FileFormatError, InputError
from ..records import Record

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


@dataclass
class _Table:
    """What a format parser hands to the common column resolver."""

    names: list[str]
    units: list[str]
    rows: list[list[float]]
    lines: list[int]
    meta: dict[str, str] = field(default_factory=dict)
    instrument: str = "csv"
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- text helpers
def _read_text(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"{path}: no such DSC/DTA file")
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:  # UTF-16 with a byte-order mark (Setaram Calisto text export)
            return raw.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        except UnicodeDecodeError:
            raise FileFormatError(f"{path}: starts with a UTF-16 byte-order mark but is not UTF-16 text") from None
    enc16 = _utf16_without_bom(raw)
    if enc16:
        try:  # UTF-16 without a byte-order mark (STARe "Unicode" text export)
            return raw.decode(enc16).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        except UnicodeDecodeError:
            raise FileFormatError(f"{path}: looks like UTF-16 text without a byte-order mark but does not decode") from None
    if b"\x00" in raw[:4096]:
        raise FileFormatError(f"{path}: binary file (export the curve as text/CSV from the instrument software)")
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _utf16_without_bom(raw: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ASCII text is interleaved with NUL bytes, else None."""
    head = raw[: min(len(raw), 4096) // 2 * 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _split(line: str, sep: str | None) -> list[str]:
    if sep is None:
        return line.split()
    return [c.strip() for c in line.split(sep)]


def _guess_sep(lines: list[str]) -> str | None:
    sample = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")][:20]
    for sep in ("\t", ";", ","):
        if sample and sum(sep in ln for ln in sample) >= 0.8 * len(sample):
            return sep
    return None


def _number(cell: str, decimal_comma: bool) -> float:
    c = cell.strip().strip('"')
    if decimal_comma:
        c = c.replace(".", "").replace(",", ".") if c.count(",") == 1 and "." in c and c.index(".") < c.index(",") else c.replace(",", ".")
    return float(c)


def _numeric_rows(path: Path, lines: list[str], start: int, sep: str | None, decimal_comma: bool,
                  ncols: int, stop_at: str | None = None) -> tuple[list[list[float]], list[int]]:
    rows, nums = [], []
    for i in range(start, len(lines)):
        ln = lines[i]
        if not ln.strip():
            continue
        if stop_at and ln.strip().startswith(stop_at):
            break
        cells = _split(ln, sep)
        cells = [c for c in cells if c != ""] if sep is None else cells
        try:
            vals = [_number(c, decimal_comma) if c.strip() else math.nan for c in cells[:ncols]]
        except ValueError:
            raise FileFormatError(f"{path}, line {i + 1}: not a number in {ln.strip()[:60]!r}") from None
        if len(vals) < ncols:
            raise FileFormatError(f"{path}, line {i + 1}: {len(vals)} columns, the header has {ncols}")
        rows.append(vals)
        nums.append(i + 1)
    if not rows:
        raise FileFormatError(f"{path}: no data rows after line {start}")
    return rows, nums


def _is_number(cell: str) -> bool:
    try:
        float(cell.strip().replace(",", "."))
        return True
    except ValueError:
        return False


# ----------------------------------------------------------------------------- format parsers
def _netzsch(path: Path, lines: list[str]) -> _Table:
    meta: dict[str, str] = {}
    head = None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith("##"):
            head = i
            break
        if s.startswith("#") and ":" in s:
            key, val = s[1:].split(":", 1)
            meta[key.strip().upper()] = val.strip(" ,;\t")
    if head is None:
        raise FileFormatError(f"{path}: Netzsch export without a '##' column line")
    sep_word = meta.get("SEPARATOR", "").upper()
    sep = {"SEMICOLON": ";", "COMMA": ",", "TAB": "\t"}.get(sep_word) or _guess_sep(lines[head:head + 5])
    dec_comma = meta.get("DECIMAL", "").upper().startswith("COMMA")
    pairs = [_name_unit_slash(n) for n in _split(lines[head].strip()[2:], sep)]
    names, units = [n for n, _ in pairs], [u for _, u in pairs]
    rows, nums = _numeric_rows(path, lines, head + 1, sep, dec_comma, len(names))
    return _Table(names, units, rows, nums, meta, "netzsch")


def _name_unit_slash(label: str) -> tuple[str, str]:
    """Netzsch labels: ``Temp./°C``, ``DSC/(mW/mg)``, ``Time/min``."""
    m = re.match(r"^(.*?)/\(?([^()]*)\)?$", label.strip())
    if m and m.group(1):
        return m.group(1).strip(), m.group(2).strip()
    return label.strip(), ""


def _ta(path: Path, lines: list[str]) -> _Table:
    meta: dict[str, str] = {}
    sigs: list[str] = []
    start = None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s == "StartOfData":
            start = i + 1
            break
        parts = [p.strip() for p in s.split("\t")]
        if re.fullmatch(r"Sig\d+", parts[0]) and len(parts) > 1:
            sigs.append(parts[1])
        elif parts[0] and len(parts) > 1:
            meta[parts[0].upper()] = " ".join(parts[1:])
        if re.search(r"Ramp\s+[\d.]+", s):
            meta.setdefault("RAMP", s)
    if start is None or not sigs:
        raise FileFormatError(f"{path}: TA Universal Analysis export without Sig lines and StartOfData")
    names, units = zip(*[_name_unit_paren(n) for n in sigs], strict=True)
    size = meta.get("SIZE", "")
    if size:
        meta["SAMPLE MASS /MG"] = size.split()[0]
    rows, nums = _numeric_rows(path, lines, start, "\t" if "\t" in lines[start] else None, False, len(names))
    tab = _Table(list(names), list(units), rows, nums, meta, "ta")
    it = next((k for k, u in enumerate(units) if u.strip().lower() in ("min", "s")), None)
    if it is not None:
        _ta_segments(tab, it)
    return tab


def _ta_segments(tab: _Table, it: int) -> None:
    """Universal Analysis marks each programme segment with a row of time -1: turn the markers
    into a ``Segment`` column (so the heating ramp is picked) and drop them, with a note."""
    marks = [k for k, r in enumerate(tab.rows) if r[it] < 0]
    if not marks:
        return
    shown = ", ".join(str(tab.lines[k]) for k in marks[:4]) + ("..." if len(marks) > 4 else "")
    tab.notes.append(f"{len(marks)} segment-marker rows (time < 0, lines {shown}) dropped")
    seg, rows, nums = 0, [], []
    for k, (r, n) in enumerate(zip(tab.rows, tab.lines, strict=True)):
        if k in marks:
            seg += 1
            continue
        rows.append([*r, float(seg)])
        nums.append(n)
    tab.rows, tab.lines = rows, nums
    tab.names.append("Segment")
    tab.units.append("")


def _name_unit_paren(label: str) -> tuple[str, str]:
    """Labels like ``Heat Flow (W/g)``, ``Temperature (°C)``, ``Temperature [K]``."""
    m = re.match(r"^(.*?)\s*[\(\[]([^()\[\]]*)[\)\]]\s*$", label.strip())
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return label.strip(), ""


def _header_table(path: Path, lines: list[str], instrument: str) -> _Table:
    """A name line (with units in brackets or on the next line) followed by numbers.

    Used for generic CSV, TRIOS, Mettler STARe, Setaram and the Shimadzu ``[Data]`` block.
    """
    meta = _key_values(lines)
    sep = _guess_sep(lines)
    first_num = next((i for i, ln in enumerate(lines)
                      if ln.strip() and all(_is_number(c) for c in _split(ln.strip(), sep) if c)), None)
    if first_num is None or first_num == 0:
        raise FileFormatError(f"{path}: no header line with column names before the numbers")
    k = first_num - 1
    unit_line = None
    if all(_is_unit_cell(c) for c in _split(lines[k].strip(), sep) if c):
        unit_line = _split(lines[k].strip(), sep)
        k -= 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        raise FileFormatError(f"{path}: no header line with column names before the numbers")
    names = [c for c in _split(lines[k].strip(), sep)] if sep else lines[k].split()
    names = [n.strip().strip('"').lstrip("\ufeff") for n in names]
    if unit_line is not None:
        units = [u.strip().strip("[]()") for u in unit_line]
        pad = [""] * (len(names) - len(units))
        # a whitespace-separated unit line loses the blank cell of an unnamed index column
        units = pad + units if names and names[0].lower() in ("index", "#", "no.", "nr") else units + pad
    else:
        names, units = map(list, zip(*[_name_unit_paren(n) for n in names], strict=True))
    rows, nums = _numeric_rows(path, lines, first_num, sep, _decimal_comma(lines, first_num, sep), len(names))
    return _Table(list(names), list(units), rows, nums, meta, instrument)


_UNITS = {"s", "sec", "min", "h", "°c", "c", "k", "degc", "mw", "w", "w/g", "mw/mg", "uv", "µv", "uv/mg",
          "µv/mg", "%", "mg", "%/min", "ml/min", "uv/mw", "j/g", "1/s"}


def _is_unit_cell(cell: str) -> bool:
    """A cell of a unit line: bracketed (``[s]``, ``(mW)``) or a bare unit symbol."""
    c = cell.strip()
    return bool(re.fullmatch(r"[\[\(][^\[\]()]*[\]\)]", c)) or c.lower() in _UNITS


def _decimal_comma(lines: list[str], start: int, sep: str | None) -> bool:
    return sep in (";", "\t", None) and bool(re.search(r"\d,\d", lines[start]))


def _key_values(lines: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for ln in lines[:200]:
        m = re.match(r"^\s*([A-Za-z][A-Za-z .#/]*?)\s*[:=\t]\s*(.+)$", ln)
        if m and not _is_number(m.group(1)):
            meta.setdefault(m.group(1).strip().upper(), m.group(2).strip())
    return meta


_SETARAM_COLS = re.compile(r"^\s*Index\s+Time\s+Furnace\s+Sample\b", re.M)


def _detect(lines: list[str]) -> str:
    head = "\n".join(lines[:120])
    if re.search(r"^##", head, re.M) or "#EXPORTTYPE" in head.upper():
        return "netzsch"
    if "StartOfData" in head and re.search(r"^Sig\d+", head, re.M):
        return "ta"
    if "[Data]" in head or "[Temperature Program]" in head or "TA-60" in head:
        return "shimadzu"
    if "STARe" in head or "Curve Name" in head or re.search(r"^\s*Index\s+t\s+Ts", head, re.M):
        return "mettler"
    if re.search(r"setaram|calisto|setsoft|furnace temperature", head, re.I) or _SETARAM_COLS.search(head):
        return "setaram"
    return "csv"


def _shimadzu(path: Path, lines: list[str]) -> _Table:
    start = next((i for i, ln in enumerate(lines) if ln.strip() == "[Data]"), None)
    meta = _key_values(lines[: start or len(lines)])
    for ln in lines[: start or len(lines)]:
        parts = [p.strip() for p in ln.split("\t") if p.strip()]
        if len(parts) >= 2 and parts[0].upper() in ("RATE", "SAMPLE WEIGHT"):
            meta[parts[0].upper()] = " ".join(parts[1:])
    if start is None:
        raise FileFormatError(f"{path}: Shimadzu export without a [Data] block")
    tab = _header_table(path, lines[start + 1:], "shimadzu")
    tab.lines = [n + start + 1 for n in tab.lines]
    tab.meta = {**meta, **tab.meta}
    return tab


_SETARAM_UNITS = {"time": "s", "furnace": "°C", "sample": "°C", "tg": "mg", "heatflow": "mW"}


def _setaram(path: Path, lines: list[str]) -> _Table:
    """Setaram exports; the Calisto ``.txt`` layout (UTF-16, ``Index Time Furnace Sample TG HeatFlow``)
    names no units: those of the same software's CSV export (``Time (s)``, ``Sample Temperature (°C)``,
    ``HeatFlow (mW)``) are used, with a note."""
    tab = _header_table(path, lines, "setaram")
    low = [n.strip().lower() for n in tab.names]
    if all(not u for u in tab.units) and {"furnace", "sample"} <= set(low):
        tab.units = [_SETARAM_UNITS.get(n, "") for n in low]
        tab.names = [f"{n} temperature" if n.lower() in ("furnace", "sample") else n for n in tab.names]
        tab.notes.append("Setaram text export without units: Time read in s, Furnace/Sample in degC, "
                         "HeatFlow in mW (the units of Calisto's CSV export)")
    return tab


_PARSERS = {
    "netzsch": _netzsch,
    "ta": _ta,
    "shimadzu": _shimadzu,
    "mettler": lambda p, ls: _header_table(p, ls, "mettler"),
    "setaram": _setaram,
    "csv": lambda p, ls: _header_table(p, ls, "csv"),
}


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
