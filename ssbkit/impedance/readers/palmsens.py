"""PalmSens ``.pssession`` files (PSTrace): UTF-16 JSON with one entry per measurement.

Every measurement whose data set type names EIS gives one spectrum: the arrays
whose unit types are Hertz, ZRe and ZIm. The sign of the imaginary array is
the one its quantity label states (``"-Z''"`` in PSTrace 5). Measurements of
other techniques are skipped with a note.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from ...errors import FileFormatError
from ..spectrum import Spectrum, make_spectrum
from ._format import Format
from ._text import decode_text

__all__ = ["EXTENSIONS", "FORMAT", "NAME", "read", "sniff"]

NAME = "palmsens"
EXTENSIONS = (".pssession",)


def sniff(head: str) -> bool:
    """True for a PSTrace session (JSON naming PalmSens data types).

    Parameters
    ----------
    head : str
        The first 8 KiB of the file, decoded.

    Returns
    -------
    bool
        Whether the content is this format.
    """
    return head.lstrip().startswith("{") and "PalmSens." in head


def _load(path: Path, raw: bytes) -> dict:
    text = decode_text(raw)
    i, j = text.find("{"), text.rfind("}")
    if i < 0 or j < i:
        raise FileFormatError(f"{path}: no JSON object; not a PalmSens .pssession file")
    try:
        doc = json.loads(text[i : j + 1])
    except (json.JSONDecodeError, RecursionError) as exc:
        line = text[:i].count("\n") + getattr(exc, "lineno", 1)
        raise FileFormatError(f"{path}, line {line}: damaged JSON ({getattr(exc, 'msg', exc)})"
                              ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Measurements"), list):
        raise FileFormatError(f"{path}: no 'Measurements' list; not a PalmSens session")
    return doc


def _array(path: Path, title: str, entry: dict) -> np.ndarray:
    values = entry.get("DataValues")
    if not isinstance(values, list):
        raise FileFormatError(f"{path}: measurement {title!r}: array without 'DataValues'")
    try:
        return np.array([float(v["V"]) for v in values], dtype=float)
    except (TypeError, KeyError, ValueError) as exc:
        raise FileFormatError(f"{path}: measurement {title!r}: a value is not a number "
                              f"({exc})") from None


def _spectrum(path: Path, k: int, m: dict, z_imag_sign: str) -> Spectrum:
    title = str(m.get("Title", f"measurement {k + 1}"))
    arrays: dict[str, np.ndarray] = {}
    labels: dict[str, str] = {}
    entries = m["DataSet"].get("Values")
    if not isinstance(entries, list):
        raise FileFormatError(f"{path}: EIS measurement {title!r} has no 'Values' list")
    for entry in entries:
        unit = entry.get("Unit") if isinstance(entry, dict) else None
        if not isinstance(unit, dict):
            continue
        kind = str(unit.get("Type", ""))
        for key in ("Hertz", "ZRe", "ZIm"):
            if kind.endswith("." + key) and key not in arrays:
                arrays[key] = _array(path, title, entry)
                labels[key] = str(unit.get("Q") or "")
    missing = [k for k in ("Hertz", "ZRe", "ZIm") if k not in arrays]
    if missing:
        raise FileFormatError(f"{path}: EIS measurement {title!r} lacks the {missing} arrays")
    stored_negated = labels["ZIm"].replace("\u2212", "-").startswith("-")
    notes = []
    zi = arrays["ZIm"]
    if z_imag_sign == "-" or (z_imag_sign == "auto" and stored_negated):
        zi = -zi
        notes.append(f"imaginary array labelled {labels['ZIm']!r} holds -Z''; negated")
    meta = {"format": NAME, "title": title,
            "z_imag_stored_as": "-Z''" if zi is not arrays["ZIm"] else "Z''"}
    return make_spectrum(arrays["Hertz"], arrays["ZRe"], zi, source=f"{path}#{k + 1}",
                         metadata=meta, notes=notes)


def read(path: Path, raw: bytes, *, z_imag_sign: str) -> list[Spectrum]:
    """Spectra of the EIS measurements in a ``.pssession`` file.

    Parameters
    ----------
    path : Path
        The file.
    raw : bytes
        Its content (UTF-16 or UTF-8 JSON).
    z_imag_sign : {"auto", "+", "-"}
        See :func:`ssbkit.impedance.readers.read_spectra`.

    Returns
    -------
    list of Spectrum
        One per EIS measurement, in file order.
    """
    doc = _load(path, raw)
    out: list[Spectrum] = []
    skipped = []
    for k, m in enumerate(doc["Measurements"]):
        ds = m.get("DataSet") if isinstance(m, dict) else None
        if not isinstance(ds, dict) or "EIS" not in str(ds.get("Type", "")):
            skipped.append(str(m.get("Title", k + 1)) if isinstance(m, dict) else str(k + 1))
            continue
        out.append(_spectrum(path, k, m, z_imag_sign))
    if not out:
        raise FileFormatError(f"{path}: no EIS measurement among {len(doc['Measurements'])}")
    notes = [f"{len(skipped)} non-EIS measurement(s) skipped: {skipped[:5]}"] if skipped else []
    if len(out) > 1:
        notes.append(f"file holds {len(out)} EIS measurements")
    if len(out) == 1:
        out = [replace(out[0], source=str(path))]
    return [s.with_notes(*notes) for s in out]


FORMAT = Format(NAME, read, "PalmSens PSTrace .pssession (UTF-16 JSON)", EXTENSIONS,
                sniff=sniff, binary=True, aliases=("pssession", "pstrace"))
