"""Shared machinery for text exports: decode, find numeric tables, name their columns.

Every text reader in this package goes through :func:`read_lines` (encoding,
empty and binary files) and builds spectra with :func:`spectra_from_table`
(column roles, units, Z'' sign, splitting repeated sweeps, line numbers in
errors). Format modules only say where their table is and what its columns mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import FileFormatError
from ..spectrum import Spectrum, check_rows, make_spectrum

__all__ = [
    "Columns",
    "DataBlock",
    "find_blocks",
    "guess_delimiter",
    "header_temperature_c",
    "identify_columns",
    "normalise_sign",
    "read_lines",
    "spectra_from_blocks",
    "spectra_from_table",
    "split_fields",
    "split_sweeps",
]

_SIGNS = {
    "auto": "auto",
    "+": "+", "z": "+", "as-is": "+", "stored": "+", "1": "+", "+1": "+",
    "-": "-", "-z": "-", "negated": "-", "-1": "-",
}


def normalise_sign(z_imag_sign: str | int) -> str:
    """Map the user's ``z_imag_sign`` to ``"auto"``, ``"+"`` (file holds Z'') or ``"-"`` (-Z'')."""
    key = str(z_imag_sign).strip().lower()
    if key not in _SIGNS:
        raise FileFormatError(
            f"z_imag_sign={z_imag_sign!r} is not understood; use 'auto', '+' (the file "
            "holds Z'') or '-' (the file holds -Z'')"
        )
    return _SIGNS[key]


def read_lines(path: Path) -> list[str]:
    """Decode a text export into lines (newlines normalised, BOM removed).

    Raises
    ------
    ssbkit.errors.FileFormatError
        If the file is missing, empty, or binary rather than text.
    """
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    if path.is_dir():
        raise FileFormatError(f"{path}: is a folder, not an impedance file")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(f"{path}: file is empty")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16", errors="replace")
    else:
        head = raw[:8192]
        control = sum(1 for b in head if b < 9 or 13 < b < 32)
        if b"\x00" in head or control > 0.01 * len(head):
            raise FileFormatError(
                f"{path}: binary data, not a text export (a BioLogic .mpr needs the "
                "'.mpr' extension; other instruments: export as text/CSV)"
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# ----------------------------------------------------------------------------- tables


def _num(tok: str) -> float | None:
    try:
        return float(tok)
    except ValueError:
        pass
    if "," in tok and "." not in tok:
        try:
            return float(tok.replace(",", "."))
        except ValueError:
            return None
    return None


def split_fields(line: str, delimiter: str | None) -> list[str]:
    """Split a line on ``delimiter`` (None: whitespace), strip fields, drop trailing empties."""
    parts = line.strip().split(delimiter)
    parts = [p.strip().strip('"') for p in parts]
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _values(fields: list[str]) -> list[float] | None:
    if len(fields) < 2:
        return None
    out = []
    for tok in fields:
        if tok == "":
            out.append(np.nan)
            continue
        v = _num(tok)
        if v is None:
            return None
        out.append(v)
    return out if any(tok for tok in fields) else None


def guess_delimiter(lines: list[str]) -> str | None:
    """The delimiter (tab, comma, semicolon or None = whitespace) giving most numeric rows."""
    best, best_score = None, (-1, -1)
    sample = [ln for ln in lines if ln.strip()][:400]
    for delim in ("\t", ",", ";", None):
        rows = [_values(split_fields(ln, delim)) for ln in sample]
        rows = [r for r in rows if r is not None]
        score = (len(rows), int(np.median([len(r) for r in rows])) if rows else 0)
        if score > best_score:
            best, best_score = delim, score
    return best


@dataclass
class DataBlock:
    """Consecutive numeric rows of a text file and the text line(s) above them."""

    values: np.ndarray  # (n_rows, n_cols)
    line_numbers: np.ndarray  # 1-based
    header_lines: list[str]


def find_blocks(
    path: Path, lines: list[str], delimiter: str | None, start: int = 0, stop: int | None = None
) -> list[DataBlock]:
    """Group the numeric rows of ``lines[start:stop]`` into blocks split by text lines.

    Raises
    ------
    ssbkit.errors.FileFormatError
        For a row with a different number of columns than the rows above it
        (a truncated or garbled line), or a non-number inside a numeric table.
    """
    stop = len(lines) if stop is None else stop
    blocks: list[DataBlock] = []
    cur: list[tuple[int, list[float]]] = []
    texts: list[str] = []

    def close() -> None:
        if cur:
            blocks.append(
                DataBlock(
                    values=np.array([v for _, v in cur], dtype=float),
                    line_numbers=np.array([i for i, _ in cur], dtype=int),
                    header_lines=list(texts[-4:]),
                )
            )

    for i in range(start, stop):
        line = lines[i]
        if not line.strip():
            continue
        fields = split_fields(line, delimiter)
        vals = _values(fields)
        if vals is None:
            if cur and len(fields) == len(cur[0][1]) and any(_num(t) is not None for t in fields):
                _check_garbled(path, lines, i, stop, fields, delimiter)
            close()
            cur = []
            texts.append(line)
            continue
        if cur and len(vals) != len(cur[0][1]):
            tail = " (the file looks truncated)" if _is_last_data(lines, i, stop) else ""
            raise FileFormatError(
                f"{path}, line {i + 1}: {len(vals)} columns where the rows above have "
                f"{len(cur[0][1])}{tail}"
            )
        cur.append((i + 1, vals))
    close()
    return blocks


def _check_garbled(
    path: Path, lines: list[str], i: int, stop: int, fields: list[str], delimiter: str | None
) -> None:
    """Raise for a non-number inside a table (next data row alike) or at its truncated end."""
    nxt = next((j for j in range(i + 1, stop) if lines[j].strip()), None)
    if nxt is not None:
        after = _values(split_fields(lines[nxt], delimiter))
        if after is None or len(after) != len(fields):
            return
    tok = next((t for t in fields if t and _num(t) is None), fields[0])
    tail = " (the file looks truncated)" if nxt is None else ""
    raise FileFormatError(f"{path}, line {i + 1}: {tok!r} is not a number{tail}")


def _is_last_data(lines: list[str], i: int, stop: int) -> bool:
    return all(not ln.strip() for ln in lines[i + 1 : stop])


# ----------------------------------------------------------------------------- columns


@dataclass
class Columns:
    """Which column holds what, with unit factors and stated signs."""

    freq: int
    real: int | None = None
    imag: int | None = None
    modulus: int | None = None
    phase: int | None = None
    cycle: int | None = None
    freq_factor: float = 1.0
    z_factor: float = 1.0
    imag_negated: bool | None = None  # None: the header does not say
    phase_negated: bool = False
    phase_rad: bool = False
    angular: bool = False
    names: tuple[str, ...] = ()


_UNIT_RE = re.compile(
    r"\s*(?:/|\[|\()\s*([kmM]?(?:[Oo]hms?|\u03a9|\u2126)|[kmM]?Hz|rad/s|rad|deg|\u00b0|degrees?)"
    r"\s*[\])]?\s*$"
)
_FREQ = {"freq", "frequency", "f", "fhz", "freq.", "frequency."}
_REAL = {"z'", "zre", "rez", "re(z)", "zreal", "realz", "real(z)", "zs'", "re", "real", "z'real",
         "zr", "z'(a)", "z1"}
_IMAG = {"z''", "zim", "zimg", "zimag", "imz", "im(z)", "imag(z)", "imagz", "zs''", "im", "imag",
         "z''imag", "zi", "z''(b)", "z2"}
_MOD = {"|z|", "zmod", "mod(z)", "modz", "z", "abs(z)", "absz", "|zs|", "impedance", "zabs"}
_PHASE = {"phase", "phase(z)", "zphz", "phz", "theta", "phi", "phasez", "phaseangle", "zphase",
          "phase(°)", "phaseangle(z)"}


def _clean(name: str) -> tuple[str, str]:
    """(role key, unit text) of a column header."""
    raw = name.strip().strip('"').replace("\u2033", "''").replace('"', "''")
    raw = raw.replace("\u2032", "'").replace("\u2019", "'").replace("`", "'")
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
    """Roles of the columns named ``names``, or None if frequency and Z are not all there."""
    roles: dict[str, int] = {}
    info: dict[str, object] = {}
    for j, name in enumerate(names):
        key, unit = _clean(name)
        neg = key.startswith("-")
        bare = key.lstrip("-+")
        if re.search(r"(^|[(|])y", bare):  # admittance columns: Re(Y), |Y|, Y'
            continue
        if bare in _FREQ or bare.startswith("freq"):
            role = "freq"
            info["freq_factor"] = {"k": 1e3, "M": 1e6, "m": 1e-3}.get(unit[:1], 1.0) if "Hz" in unit else 1.0
        elif bare in {"omega", "w", "ω", "angularfrequency"}:
            role = "freq"
            info["angular"] = True
        elif bare in _REAL:
            role = "real"
            info["z_factor"] = _ohm_factor(unit)
        elif bare in _IMAG:
            role = "imag"
            info["imag_negated"] = neg
        elif bare in _MOD:
            role = "modulus"
            info.setdefault("z_factor", _ohm_factor(unit))
        elif bare in _PHASE:
            role = "phase"
            info["phase_negated"] = neg
            info["phase_rad"] = unit == "rad"
        elif "cycle" in bare:
            role = "cycle"
        else:
            continue
        roles.setdefault(role, j)
    if "freq" not in roles:
        return None
    if not ({"real", "imag"} <= roles.keys() or {"modulus", "phase"} <= roles.keys()):
        return None
    return Columns(
        freq=roles["freq"], real=roles.get("real"), imag=roles.get("imag"),
        modulus=roles.get("modulus"), phase=roles.get("phase"), cycle=roles.get("cycle"),
        names=tuple(names), **info,  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------------------- spectra


def split_sweeps(f: np.ndarray) -> list[np.ndarray]:
    """Index arrays of the separate frequency sweeps in a column of frequencies.

    A new sweep starts where the frequency jumps back against the dominant sweep
    direction by more than half a decade (and five median steps), and only if
    the two pieces overlap in frequency: pieces that do not (a sweep measured in
    two segments, rows out of order) stay one spectrum, sorted later.
    """
    n = f.size
    if n < 3:
        return [np.arange(n)]
    with np.errstate(divide="ignore", invalid="ignore"):
        lf = np.log10(np.where(f > 0, f, np.nan))
    d = np.diff(lf)
    if not np.isfinite(d).any():
        return [np.arange(n)]
    direction = np.sign(np.nanmedian(d))
    if direction == 0:
        return [np.arange(n)]
    step = np.nanmedian(np.abs(d))
    cut = np.flatnonzero((np.sign(d) == -direction) & (np.abs(d) > max(0.5, 5 * step)))
    pieces = np.split(np.arange(n), cut + 1)
    merged = [pieces[0]]
    for piece in pieces[1:]:
        prev = f[merged[-1]]
        cur = f[piece]
        if cur.min() > prev.max() or cur.max() < prev.min():
            merged[-1] = np.concatenate([merged[-1], piece])
        else:
            merged.append(piece)
    return merged


def spectra_from_table(
    path: Path,
    values: np.ndarray,
    line_numbers: np.ndarray,
    cols: Columns,
    *,
    fmt: str,
    z_imag_sign: str,
    guess_sign: bool,
    metadata: dict | None = None,
    temperature_c: float | None = None,
) -> list[Spectrum]:
    """Spectra from a numeric table whose columns are described by ``cols``.

    Rows that are all zero in f, Z' and Z'' (placeholders that Parstat and
    BioLogic write for non-impedance steps) are dropped with a note. Repeated
    sweeps, and changes of a cycle column, split the table into spectra.
    ``z_imag_sign`` ``"+"``/``"-"`` overrides what the header says; with
    ``"auto"`` an explicit ``-`` in the header is trusted, and where the header
    says nothing and ``guess_sign`` is set, a table with most Z'' > 0 is taken
    to hold -Z'' (a note records it).
    """
    meta = {"format": fmt, **(metadata or {})}
    meta["notes"] = list(meta.get("notes", []))
    if cols.names:
        meta["columns"] = [cols.names[j] for j in (cols.freq, cols.real, cols.imag,
                                                   cols.modulus, cols.phase) if j is not None]
    f = values[:, cols.freq] * cols.freq_factor
    if cols.angular:
        f = f / (2.0 * np.pi)
    if cols.real is not None and cols.imag is not None:
        zr = values[:, cols.real] * cols.z_factor
        zi = values[:, cols.imag] * cols.z_factor
        stated = cols.imag_negated
    else:
        mod = values[:, cols.modulus] * cols.z_factor
        ph = values[:, cols.phase]
        ph = ph if cols.phase_rad else np.deg2rad(ph)
        ph = -ph if cols.phase_negated else ph
        zr, zi = mod * np.cos(ph), mod * np.sin(ph)
        stated = cols.phase_negated or None
        meta["notes"].append("Z computed from |Z| and phase")
    placeholder = (f == 0) & (zr == 0) & (zi == 0)
    if placeholder.any():
        meta["notes"].append(f"{int(placeholder.sum())} all-zero rows skipped")
        keep = ~placeholder
        f, zr, zi, values, line_numbers = f[keep], zr[keep], zi[keep], values[keep], line_numbers[keep]
    if z_imag_sign == "-" or (z_imag_sign == "auto" and stated and cols.imag is not None):
        zi = -zi
        meta["z_imag_stored_as"] = "-Z''"
    elif z_imag_sign == "auto" and stated is None and guess_sign:
        finite = zi[np.isfinite(zi)]
        if finite.size and np.mean(finite > 0) > 0.5:
            zi = -zi
            meta["z_imag_stored_as"] = "-Z'' (guessed: most values > 0)"
        else:
            meta["z_imag_stored_as"] = "Z''"
    else:
        meta["z_imag_stored_as"] = "Z''"
    check_rows(f, zr, zi, source=str(path), line_numbers=line_numbers)
    groups: list[np.ndarray] = []
    if cols.cycle is not None:
        cyc = values[:, cols.cycle]
        edges = np.flatnonzero(np.diff(cyc) != 0) + 1
        parts = np.split(np.arange(f.size), edges)
    else:
        parts = [np.arange(f.size)]
    for part in parts:
        groups.extend(part[g] for g in split_sweeps(f[part]))
    groups = [g for g in groups if g.size]
    many = len(groups) > 1
    out = []
    for k, g in enumerate(groups):
        m = dict(meta)
        if many:
            m["index_in_file"] = k
        out.append(
            make_spectrum(
                f[g], zr[g], zi[g], source=f"{path}#{k + 1}" if many else str(path),
                temperature_c=temperature_c, metadata=m, line_numbers=line_numbers[g],
            )
        )
    return out


_TEMP = re.compile(
    r"\btemp(?:erature)?\b\s*(?:[\[(/]\s*(°?C|deg\s*C|K)\s*[\])]?)?\s*[:=\t]\s*"
    r"(-?\d+(?:\.\d+)?)\s*(°?C|deg\s*C|K)?",
    re.IGNORECASE,
)


def header_temperature_c(lines: list[str]) -> float | None:
    """A sample temperature (degC) stated in header lines as ``Temperature [K] = 298``.

    Recognised: ``temp``/``temperature``, an optional unit in brackets or after
    the value (degC when none is given), then ``:``, ``=`` or a tab.
    """
    for line in lines:
        m = _TEMP.search(line)
        if m:
            unit = (m.group(1) or m.group(3) or "C").replace(" ", "").upper()
            value = float(m.group(2))
            return value - 273.15 if unit == "K" else value
    return None


def _columns_for(block: DataBlock, delimiter: str | None) -> tuple[Columns | None, list[str]]:
    """Columns named by the nearest header line above ``block`` (None if none is usable)."""
    ncols = block.values.shape[1]
    unknown: list[str] = []
    for text in reversed(block.header_lines[-3:]):
        for delim in dict.fromkeys((delimiter, "\t", ",", ";", None)):
            names = split_fields(text, delim)
            if len(names) < 2:
                continue
            cols = identify_columns(names)
            used = [j for j in (cols.freq, cols.real, cols.imag, cols.modulus, cols.phase)
                    if j is not None] if cols else []
            if cols and max(used) < ncols:
                return cols, []
            if not unknown and len(names) == ncols and all(_num(t) is None for t in names):
                unknown = names
    return None, unknown


def spectra_from_blocks(
    path: Path,
    blocks: list[DataBlock],
    delimiter: str | None,
    *,
    fmt: str,
    z_imag_sign: str,
    guess_sign: bool,
    headerless_ok: bool = True,
    metadata: dict | None = None,
    temperature_c: float | None = None,
) -> list[Spectrum]:
    """Spectra from numeric blocks, naming columns from the header line above each.

    A block without a recognisable header is read as f, Z', Z'' (first three
    columns) when ``headerless_ok``; a block under a header whose names are
    all unknown raises, since guessing would give a silently wrong spectrum.
    Blocks with fewer than three rows and no header (stray numeric lines in a
    file header) are skipped.
    """
    out: list[Spectrum] = []
    for block in blocks:
        n_rows, n_cols = block.values.shape
        cols, unknown = _columns_for(block, delimiter)
        meta = dict(metadata or {})
        if cols is None:
            if unknown:
                raise FileFormatError(
                    f"{path}, line {block.line_numbers[0] - 1}: columns {unknown} not recognised; "
                    "need a frequency column and Z'/Z'' (or |Z| and phase), e.g. "
                    "'freq/Hz, Re(Z)/Ohm, -Im(Z)/Ohm'"
                )
            if not headerless_ok or n_cols < 3 or n_rows < 3:
                continue
            cols = Columns(freq=0, real=1, imag=2)
            note = "no column header: columns read as f (Hz), Z' (ohm), Z'' (ohm)"
            if n_cols > 3:
                note += f"; {n_cols - 3} further column(s) ignored"
            meta["notes"] = [note]
        out.extend(
            spectra_from_table(
                path, block.values, block.line_numbers, cols, fmt=fmt,
                z_imag_sign=z_imag_sign, guess_sign=guess_sign, metadata=meta,
                temperature_c=temperature_c,
            )
        )
    if not out:
        raise FileFormatError(
            f"{path}: no impedance table found (expected rows of frequency, Z', Z'' "
            "under an optional header line)"
        )
    if len(out) > 1:
        out = [_renumber(s, k, path) for k, s in enumerate(out)]
    return out


def _renumber(s: Spectrum, k: int, path: Path) -> Spectrum:
    from dataclasses import replace

    meta = dict(s.metadata)
    meta["index_in_file"] = k
    return replace(s, source=f"{path}#{k + 1}", metadata=meta)
