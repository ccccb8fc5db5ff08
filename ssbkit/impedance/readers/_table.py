"""Spectra from numeric tables: units, Z'' sign, repeated sweeps, header temperature.

Format modules say where their table is and what its columns mean; the
functions here turn it into validated :class:`~ssbkit.impedance.spectrum.Spectrum`
objects whose errors name the file and line.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from ...errors import FileFormatError
from ..spectrum import Spectrum, check_rows, make_spectrum
from ._columns import Columns, identify_columns
from ._text import DataBlock, merge_blocks, number, skipped_lines_note, split_fields

__all__ = [
    "header_temperature_c",
    "spectra_from_blocks",
    "spectra_from_table",
    "split_sweeps",
]


def split_sweeps(f: np.ndarray) -> list[np.ndarray]:
    """Index arrays of the separate frequency sweeps in a column of frequencies.

    A new sweep starts where the frequency jumps back against the dominant sweep
    direction by more than half a decade (and five median steps), and only if
    the two pieces overlap in frequency: pieces that do not (a sweep measured in
    two segments, rows out of order) stay one spectrum, sorted later.

    Parameters
    ----------
    f : numpy.ndarray
        Frequencies (Hz) in file order.

    Returns
    -------
    list of numpy.ndarray
        Row indices of each sweep.
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
    skip_zero_frequency: bool = False,
) -> list[Spectrum]:
    """Spectra from a numeric table whose columns are described by ``cols``.

    Rows that are all zero in f, Z' and Z'' (placeholders that Parstat and
    BioLogic write for non-impedance steps) are dropped with a note. Repeated
    sweeps, and changes of a cycle column, split the table into spectra.
    ``z_imag_sign`` ``"+"``/``"-"`` overrides what the header says; with
    ``"auto"`` an explicit ``-`` in the header is trusted, and where the header
    says nothing and ``guess_sign`` is set, a table with most Z'' > 0 is taken
    to hold -Z'' (a note records it). A temperature column (``Temperature/°C``,
    ``Temp (K)``) gives each spectrum the mean of its rows as ``temperature_c``.

    Parameters
    ----------
    path : Path
        The file (named in errors and used as the source).
    values : numpy.ndarray
        The table, one row per line.
    line_numbers : numpy.ndarray
        1-based file line of each row.
    cols : Columns
        What each column holds.
    fmt : str
        Format name for the metadata.
    z_imag_sign : {"auto", "+", "-"}
        See :func:`ssbkit.impedance.readers.read_spectra`.
    guess_sign : bool
        Whether a header silent on the sign lets the majority sign decide.
    metadata : dict, optional
        Copied into each spectrum; its ``"notes"`` become the spectra's notes.
    temperature_c : float, optional
        Default temperature (degC).
    skip_zero_frequency : bool
        Skip (with a note) rows with frequency 0 even where Z is not 0: the rows
        of other techniques in a multi-technique file (BioLogic modulo bat).

    Returns
    -------
    list of Spectrum
        One per sweep or cycle; a split is stated in each part's notes.
    """
    meta = {"format": fmt, **(metadata or {})}
    notes: list[str] = list(meta.pop("notes", []))
    _check_width(path, values, line_numbers, cols)
    if cols.unreadable_unit:
        notes.append(f"unit of column(s) {list(cols.unreadable_unit)} unreadable (a character "
                     "lost in the export's encoding); taken as Hz / ohm / degree")
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
        if cols.real_negated and z_imag_sign == "auto":
            zr = -zr
            notes.append(f"Z' column {_name(cols, cols.real)} holds -Z' (sign from its "
                         "header); negated")
    else:
        mod = values[:, cols.modulus] * cols.z_factor
        ph = values[:, cols.phase]
        ph = ph if cols.phase_rad else np.deg2rad(ph)
        if cols.phase_negated:
            ph = -ph
            notes.append(f"phase column {_name(cols, cols.phase)} holds -phase (sign from its "
                         "header); negated")
        with np.errstate(invalid="ignore", over="ignore"):
            zr, zi = mod * np.cos(ph), mod * np.sin(ph)
        stated = cols.phase_negated or None
        notes.append("Z computed from |Z| and phase")
    placeholder = (f == 0) & (zr == 0) & (zi == 0)
    if placeholder.any():
        notes.append(f"{int(placeholder.sum())} all-zero rows skipped (lines "
                     f"{_ranges(line_numbers[placeholder])})")
    other = (f == 0) & ~placeholder if skip_zero_frequency else np.zeros(f.size, dtype=bool)
    if other.any():
        notes.append(f"{int(other.sum())} rows with frequency 0 belong to other techniques "
                     f"(cycling, OCV, ...) and were skipped (lines "
                     f"{_ranges(line_numbers[other])})")
        placeholder = placeholder | other
    if placeholder.any():
        keep = ~placeholder
        f, zr, zi = f[keep], zr[keep], zi[keep]
        values, line_numbers = values[keep], line_numbers[keep]
    zi = _apply_sign(zi, cols, stated, z_imag_sign, guess_sign, meta, notes)
    check_rows(f, zr, zi, source=str(path), line_numbers=line_numbers)
    groups, why = _groups(f, values, cols)
    temps = None
    if cols.temperature is not None:
        temps = values[:, cols.temperature] - (273.15 if cols.temperature_kelvin else 0.0)
    many = len(groups) > 1
    out = []
    for k, g in enumerate(groups):
        m = dict(meta)
        extra = []
        if many:
            m["index_in_file"] = k
            extra.append(f"table split into {len(groups)} spectra ({why}); this is "
                         f"#{k + 1}, lines {_ranges(line_numbers[g])}")
        out.append(
            make_spectrum(
                f[g], zr[g], zi[g], source=f"{path}#{k + 1}" if many else str(path),
                temperature_c=_mean_temperature(temps, g, temperature_c), metadata=m,
                line_numbers=line_numbers[g], notes=[*notes, *extra],
            )
        )
    return out


def _name(cols: Columns, j: int | None) -> str:
    if j is None or not cols.names or j >= len(cols.names):
        return ""
    return f"'{cols.names[j]}'"


def _ranges(lines: np.ndarray) -> str:
    """'3-40, 44-80' for sorted line numbers."""
    lines = np.asarray(lines, dtype=int)
    if lines.size == 0:
        return "none"
    cuts = np.flatnonzero(np.diff(lines) != 1) + 1
    parts = np.split(lines, cuts)
    text = ", ".join(f"{p[0]}-{p[-1]}" if p.size > 1 else f"{p[0]}" for p in parts[:6])
    return text + (", ..." if len(parts) > 6 else "")


def _check_width(path: Path, values: np.ndarray, line_numbers: np.ndarray, cols: Columns) -> None:
    """FileFormatError when the header names more columns than the rows hold."""
    used = [j for j in (cols.freq, cols.real, cols.imag, cols.modulus, cols.phase, cols.cycle,
                        cols.temperature) if j is not None]
    width = values.shape[1] if values.ndim == 2 else 0
    if values.ndim != 2 or max(used) >= width:
        where = f", line {int(line_numbers[0])}" if len(line_numbers) else ""
        raise FileFormatError(
            f"{path}{where}: rows have {width} columns but the header puts "
            f"{_name(cols, max(used)) or 'a column'} in column {max(used) + 1}"
        )


def _apply_sign(
    zi: np.ndarray, cols: Columns, stated: bool | None, z_imag_sign: str, guess_sign: bool,
    meta: dict, notes: list[str],
) -> np.ndarray:
    """Z'' in our convention from the stored column; records how the sign was taken."""
    if z_imag_sign == "-":
        meta["z_imag_stored_as"] = "-Z''"
        notes.append("Z'' column negated as requested (z_imag_sign='-')")
        return -zi
    if z_imag_sign == "auto" and stated and cols.imag is not None:
        meta["z_imag_stored_as"] = "-Z''"
        notes.append(f"Z'' column {_name(cols, cols.imag)} holds -Z'' (sign from its header); "
                     "negated")
        return -zi
    if z_imag_sign == "auto" and stated is None and guess_sign:
        finite = zi[np.isfinite(zi)]
        if finite.size and np.mean(finite > 0) > 0.5:
            meta["z_imag_stored_as"] = "-Z'' (guessed: most values > 0)"
            notes.append("Z'' sign not stated in the file; most values are > 0, so the "
                         "column was taken as -Z'' and negated")
            return -zi
    meta["z_imag_stored_as"] = "Z''"
    return zi


def _groups(f: np.ndarray, values: np.ndarray, cols: Columns) -> tuple[list[np.ndarray], str]:
    """Row-index groups of the separate spectra in a table, and why it was split."""
    groups: list[np.ndarray] = []
    why = "the frequency sweep restarts"
    if cols.cycle is not None:
        cyc = values[:, cols.cycle]
        edges = np.flatnonzero(np.diff(cyc) != 0) + 1
        parts = np.split(np.arange(f.size), edges)
        if len(parts) > 1:
            why = "the cycle number changes"
    else:
        parts = [np.arange(f.size)]
    for part in parts:
        groups.extend(part[g] for g in split_sweeps(f[part]))
    return [g for g in groups if g.size], why


def _mean_temperature(
    temps: np.ndarray | None, rows: np.ndarray, default: float | None
) -> float | None:
    """Mean of a temperature column over ``rows`` (degC), else ``default``."""
    if temps is None:
        return default
    t = temps[rows]
    t = t[np.isfinite(t)]
    return float(np.mean(t)) if t.size else default


_TEMP = re.compile(
    r"\btemp(?:erature)?\b\s*(?:[\[(/]\s*(°?C|deg\s*C|K)\s*[\])]?)?\s*[:=\t]\s*"
    r"(-?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|inf|nan|infinity)\b)\s*(°?C|deg\s*C|K)?",
    re.IGNORECASE,
)


def header_temperature_c(lines: list[str], notes: list[str] | None = None) -> float | None:
    """A sample temperature (degC) stated in header lines as ``Temperature [K] = 298``.

    Recognised: ``temp``/``temperature``, an optional unit in brackets or after
    the value (degC when none is given), then ``:``, ``=`` or a tab. A value
    that is not a finite temperature (``inf``, below absolute zero, above
    5000 degC) is ignored with a note.

    Parameters
    ----------
    lines : list of str
        Header lines (the first is line 1).
    notes : list of str, optional
        Receives a note for an unreadable temperature.

    Returns
    -------
    float or None
        The temperature in degC.
    """
    for i, line in enumerate(lines):
        m = _TEMP.search(line)
        if not m:
            continue
        unit = (m.group(1) or m.group(3) or "C").replace(" ", "").upper()
        try:
            value = float(m.group(2))
        except ValueError:
            value = math.nan
        value = value - 273.15 if unit == "K" else value
        if math.isfinite(value) and -273.15 <= value <= 5000:
            return value
        if notes is not None:
            notes.append(f"line {i + 1}: temperature {m.group(2)[:20]!r} not understood; "
                         "ignored")
        return None
    return None


def _columns_for(
    texts: list[tuple[int, str]], ncols: int, delimiter: str | None
) -> tuple[Columns | None, tuple[int, list[str]] | None, int]:
    """Columns named by the nearest of the last three text lines ``texts``.

    Returns (columns, None, header line), or (None, (line, names), 0) for a
    header line whose names are all unknown, or (None, None, 0) without one.
    """
    unknown: tuple[int, list[str]] | None = None
    for line_no, text in reversed(texts[-3:]):
        if len(text) > 2000:
            continue
        for delim in dict.fromkeys((delimiter, "\t", ",", ";", None, "  ")):
            names = split_fields(text, delim)
            if len(names) < 2:
                continue
            cols = identify_columns(names)
            used = [j for j in (cols.freq, cols.real, cols.imag, cols.modulus, cols.phase)
                    if j is not None] if cols else []
            if cols and max(used) < ncols:
                return cols, None, line_no
            if not unknown and len(names) == ncols and all(number(t) is None for t in names):
                unknown = (line_no, names)
    return None, unknown, 0


def _group_blocks(
    path: Path, blocks: list[DataBlock], delimiter: str | None, headerless_ok: bool
) -> tuple[list[tuple[Columns, list[DataBlock], list[str]]], list[str]]:
    """Blocks grouped into tables: a block under its own column line starts one; a block
    of the same width after mere text continues the one above (the text is noted)."""
    groups: list[tuple[Columns, list[DataBlock], list[str]]] = []
    orphans: list[str] = []
    for k, block in enumerate(blocks):
        n_rows, n_cols = block.values.shape
        cols, unknown, at = _columns_for(block.header_lines if k == 0 else block.pre_text,
                                         n_cols, delimiter)
        if cols is None and unknown:
            raise FileFormatError(
                f"{path}, line {unknown[0]}: columns {unknown[1]} not recognised; "
                "need a frequency column and Z'/Z'' (or |Z| and phase), e.g. "
                "'freq/Hz, Re(Z)/Ohm, -Im(Z)/Ohm'"
            )
        if cols is not None:
            junk = [(n, t) for n, t in block.pre_text if n > at]
            groups.append((cols, [block], skipped_lines_note(junk, "between the column line "
                                                                   "and the data")))
        elif groups and n_cols == groups[-1][1][-1].values.shape[1]:
            groups[-1][1].append(block)
        elif headerless_ok and n_cols >= 3 and n_rows >= 3:
            note = "no column header: columns read as f (Hz), Z' (ohm), Z'' (ohm)"
            if n_cols > 3:
                note += f"; {n_cols - 3} further column(s) ignored"
            before = skipped_lines_note(block.pre_text, "text before a table without column line")
            groups.append((Columns(freq=0, real=1, imag=2), [block], [note, *before]))
        elif groups or k + 1 < len(blocks):
            lines = block.line_numbers
            orphans.append(f"lines {int(lines[0])}-{int(lines[-1])} skipped (numbers without "
                           "a column line)")
    return groups, orphans


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
    skip_zero_frequency: bool = False,
) -> list[Spectrum]:
    """Spectra from numeric blocks, naming columns from the header line above each.

    A block without a recognisable header continues the table above it when it
    has the same width (the text lines between are skipped with notes), else
    it is read as f, Z', Z'' (first three columns) when ``headerless_ok``; a
    block under a header whose names are all unknown raises, since guessing
    would give a silently wrong spectrum. Short numeric blocks without a header
    before the table (stray numbers in a file header) are ignored.

    Parameters
    ----------
    path : Path
        The file.
    blocks : list of DataBlock
        From :func:`~ssbkit.impedance.readers._text.find_blocks`.
    delimiter : str or None
        The field separator of the header lines.
    fmt : str
        Format name for the metadata.
    z_imag_sign : {"auto", "+", "-"}
        See :func:`spectra_from_table`.
    guess_sign : bool
        See :func:`spectra_from_table`.
    headerless_ok : bool
        Whether a table without a column line may be read as f, Z', Z''.
    metadata : dict, optional
        Copied into every spectrum.
    temperature_c : float, optional
        Default temperature (degC).
    skip_zero_frequency : bool
        See :func:`spectra_from_table`.

    Returns
    -------
    list of Spectrum
        One per table and sweep, in file order.
    """
    groups, orphans = _group_blocks(path, blocks, delimiter, headerless_ok)
    out: list[Spectrum] = []
    for cols, members, notes in groups:
        merged = merge_blocks(path, members, leading_is_junk=False)
        assert merged is not None
        meta = dict(metadata or {})
        meta["notes"] = [*meta.get("notes", []), *notes, *merged.notes, *orphans]
        out.extend(
            spectra_from_table(
                path, merged.values, merged.line_numbers, cols, fmt=fmt,
                z_imag_sign=z_imag_sign, guess_sign=guess_sign, metadata=meta,
                temperature_c=temperature_c, skip_zero_frequency=skip_zero_frequency,
            )
        )
    if not out:
        raise FileFormatError(
            f"{path}: no impedance table found (expected rows of frequency, Z', Z'' "
            "under an optional header line)"
        )
    if len(out) > 1:
        out = [_renumber(s, k, path, len(out)) for k, s in enumerate(out)]
    return out


def _renumber(s: Spectrum, k: int, path: Path, n: int) -> Spectrum:
    meta = dict(s.metadata)
    meta["index_in_file"] = k
    note = f"file holds {n} spectra; this is #{k + 1}"
    return replace(s, source=f"{path}#{k + 1}", metadata=meta).with_notes(note)
