"""BioLogic EC-Lab cycling data: ``.mpt`` text and ``.mpr`` binary (through galvani).

A file that holds galvanostatic cycling (GCPL) beside impedance (PEIS/GEIS)
keeps its cycling points; the impedance points (``freq/Hz > 0``) are skipped
with a note that says how many, so that they can be read with ``ssbkit eis``.
Only a file with no cycling point at all is refused as an impedance file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import FileFormatError, InputError
from ._text import Table, header_index
from .data import CyclerData

__all__ = ["read_mpt", "read_mpr", "sniff_mpt", "sniff_mpr"]

_CURRENT = ("<I>/mA", "I/mA", "control/V/mA")
_CHARGE = ("Q charge/discharge/mA.h", "(Q-Qo)/mA.h")


def sniff_mpt(path: Path, head: str) -> bool:
    """True for EC-Lab text exports.

    Parameters
    ----------
    path
        The file.
    head
        Its first 64 kB as text.

    Returns
    -------
    bool
        Whether this format reads the file.
    """
    return path.suffix.lower() == ".mpt" or bool(re.search(r"(EC|BT)-Lab ASCII FILE", head))


def sniff_mpr(path: Path, head: str) -> bool:
    """True for EC-Lab binary files.

    Parameters
    ----------
    path
        The file.
    head
        Its first 64 kB as text.

    Returns
    -------
    bool
        Whether this format reads the file.
    """
    return path.suffix.lower() == ".mpr"


def _header_mass_mg(lines: list[str]) -> dict[str, Any]:
    for line in lines:
        m = re.match(r"\s*(Characteristic mass|Mass of active material)\s*:\s*([\d.,eE+-]+)\s*(\w+)", line)
        if m:
            try:
                val = float(m.group(2).replace(",", "."))
            except ValueError:
                continue
            unit = {"mg": 1.0, "g": 1e3, "ug": 1e-3, "µg": 1e-3}.get(m.group(3))
            if unit is not None and val > 0:
                return {"mass_mg": val * unit}
    return {}


def _impedance_mask(path: Path, freq: np.ndarray | None, notes: list[str]) -> np.ndarray:
    """Points to keep: those without an impedance frequency."""
    if freq is None:
        return np.ones(0, bool)
    eis = freq > 0
    if eis.all():
        raise FileFormatError(f"{path}: an impedance file (every point has freq/Hz > 0), not cycling data; "
                              "use 'ssbkit eis'")
    if eis.any():
        notes.append(f"{int(eis.sum())} impedance points (freq/Hz > 0, PEIS/GEIS technique) skipped; "
                     "read them with 'ssbkit eis'")
    return ~eis


def read_mpt(path: Path, lines: list[str], notes: list[str]) -> CyclerData:
    """EC-Lab ``.mpt`` text export (GCPL, or GCPL mixed with PEIS).

    Parameters
    ----------
    path
        The file.
    lines
        Its decoded lines.
    notes
        Notes gathered so far (decoding).

    Returns
    -------
    CyclerData
        The cycling points.
    """
    n_head = None
    for line in lines[:5]:
        m = re.match(r"\s*Nb header lines\s*:\s*(\d+)", line)
        if m:
            n_head = int(m.group(1))
    if n_head is not None and not 1 <= n_head <= len(lines):
        raise FileFormatError(f"{path}: line 2 promises {n_head} header lines; the file has {len(lines)}")
    meta = _header_mass_mg(lines[: n_head or 100])
    idx = (n_head - 1) if n_head else header_index(path, lines, (("time/s",), ("Ewe/V", "Ecell/V")))
    t = Table.from_lines(path, lines, idx, notes, "\t")
    fcol = t.find_opt("freq/Hz")
    keep = _impedance_mask(path, None if fcol is None else t.numbers(fcol), notes)
    if keep.size:
        t.rows = [r for r, k in zip(t.rows, keep, strict=True) if k]
        t.lineno = [n for n, k in zip(t.lineno, keep, strict=True) if k]
    time = t.numbers(t.find("time/s"))
    volt = t.numbers(t.find("Ewe/V", "Ecell/V"))
    cur = t.numbers(t.find(*_CURRENT)) * 1e-3
    ci, hi = t.find_opt("cycle number"), t.find_opt("half cycle")
    cycle = t.integers(ci) if ci is not None else \
        _cycles_from_half(t.integers(hi), notes) if hi is not None else np.zeros(time.size, np.int64)
    si = t.find_opt("half cycle", "Ns")
    step = t.integers(si) if si is not None else _steps_from_sign(cur)
    qi = t.find_opt(*_CHARGE)
    cap = np.abs(t.numbers(qi)) * 1e-3 if qi is not None else np.full(time.size, np.nan)
    return CyclerData(str(path), "biologic", time, volt, cur, cycle, step, cap, meta, notes=tuple(notes))


def _cycles_from_half(half: np.ndarray, notes: list[str]) -> np.ndarray:
    """EC-Lab's cycle number from its half-cycle counter (two half cycles a cycle, both from 0)."""
    notes.append("no cycle number column: cycles from EC-Lab's half-cycle counter (cycle = half cycle // 2)")
    return np.asarray(half, dtype=np.int64) // 2


def _steps_from_sign(current: np.ndarray) -> np.ndarray:
    imax = max(float(np.max(np.abs(current))) if current.size else 0.0, 1e-300)
    sign = np.sign(np.where(np.abs(current) > 1e-3 * imax, current, 0.0))
    return np.concatenate([[0], np.cumsum(sign[1:] != sign[:-1])]).astype(np.int64)


def read_mpr(path: Path, lines: list[str] | None, notes: list[str]) -> CyclerData:
    """EC-Lab ``.mpr`` binary through galvani's ``MPRfile`` (the ``cycling`` extra).

    Parameters
    ----------
    path
        The file.
    lines
        Unused (binary format).
    notes
        Notes list.

    Returns
    -------
    CyclerData
        The cycling points (impedance points skipped with a note).
    """
    try:
        from galvani.BioLogic import MPRfile
    except ImportError:
        raise InputError(f"{path}: reading .mpr needs galvani (pip install 'ssbkit[cycling]'); "
                         "or export the file as .mpt text from EC-Lab") from None
    try:
        d = MPRfile(str(path)).data
    except Exception as exc:  # galvani raises ValueError, struct.error, KeyError, NotImplementedError...
        raise FileFormatError(f"{path}: not a readable BioLogic .mpr file "
                              f"(galvani: {type(exc).__name__}: {str(exc)[:200]}); if EC-Lab opens it, "
                              "export it as text (.mpt) and read that") from None
    names = set(d.dtype.names or ())

    def col(*cands: str, required: bool = True) -> np.ndarray | None:
        for c in cands:
            if c in names:
                return np.asarray(d[c], dtype=float)
        if required:
            raise FileFormatError(f"{path}: no column {cands[0]!r} (columns: {', '.join(sorted(names))})")
        return None

    keep = _impedance_mask(path, col("freq/Hz", required=False), notes)
    sel = keep if keep.size else np.ones(len(d), bool)

    def kept(*cands: str, required: bool = True) -> np.ndarray | None:
        v = col(*cands, required=required)
        if v is None:
            return None
        return _finite(v[sel], cands[0])

    def need(*cands: str) -> np.ndarray:
        v = kept(*cands)
        assert v is not None  # col() raised otherwise
        return v

    def _finite(v: np.ndarray, name: str) -> np.ndarray:
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            raise FileFormatError(f"{path}: record {int(np.flatnonzero(sel)[bad[0]]) + 1}: "
                                  f"{name} is NaN or infinite")
        return v

    time = need("time/s")
    volt = need("Ewe/V", "Ecell/V")
    cur = need("I/mA", "<I>/mA", "control/V/mA") * 1e-3
    cyc = kept("cycle number", required=False)
    half = kept("half cycle", "Ns", required=False)
    if cyc is None and "half cycle" in names and half is not None:
        cyc = _cycles_from_half(half.astype(np.int64), notes)
    q = kept(*_CHARGE, required=False)
    n = time.size
    return CyclerData(str(path), "biologic-mpr", time, volt, cur,
                      np.zeros(n, np.int64) if cyc is None else cyc.astype(np.int64),
                      _steps_from_sign(cur) if half is None else half.astype(np.int64),
                      np.full(n, np.nan) if q is None else np.abs(q) * 1e-3, notes=tuple(notes))
