"""Numeric fields of a text line: numbers with a decimal point or comma, field splitting,
and the delimiter that gives most numeric rows. Re-exported by :mod:`._text`.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["guess_delimiter", "number", "split_fields"]

_WIDE = re.compile(r"\s{2,}|\t")


def number(tok: str) -> float | None:
    """The value of a numeric field (decimal point or decimal comma), or None.

    Parameters
    ----------
    tok : str
        One stripped field.

    Returns
    -------
    float or None
        The number; None for text (Python-only spellings such as ``1_0`` count as text).
    """
    if "_" in tok or len(tok) > 64:
        return None
    try:
        return float(tok)
    except ValueError:
        pass
    if tok.count(",") == 1 and "." not in tok:
        try:
            return float(tok.replace(",", "."))
        except ValueError:
            return None
    return None


def split_fields(line: str, delimiter: str | None) -> list[str]:
    """Split a line on ``delimiter`` (None: whitespace), strip fields, drop trailing empties.

    Parameters
    ----------
    line : str
        One text line.
    delimiter : str or None
        Separator; None splits on runs of whitespace, ``"  "`` on runs of two or
        more blanks or a tab (header names such as ``Frequency (Hz)``).

    Returns
    -------
    list of str
        The fields, stripped of blanks and double quotes.
    """
    if delimiter == "  ":  # header names with single spaces inside, columns 2+ apart
        parts = _WIDE.split(line.strip())
    else:
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
        v = number(tok)
        if v is None:
            return None
        out.append(v)
    return out if any(tok for tok in fields) else None


def guess_delimiter(lines: list[str]) -> str | None:
    """The delimiter (tab, comma, semicolon or None = whitespace) giving most numeric rows.

    Parameters
    ----------
    lines : list of str
        Text lines (the first 400 non-blank ones are tried).

    Returns
    -------
    str or None
        The delimiter; None means whitespace.
    """
    best, best_score = None, (-1, -1)
    sample = [ln for ln in lines if ln.strip()][:400]
    for delim in ("\t", ",", ";", None):
        parsed = [_values(split_fields(ln, delim)) for ln in sample]
        rows = [r for r in parsed if r is not None]
        score = (len(rows), int(np.median([len(r) for r in rows])) if rows else 0)
        if score > best_score:
            best, best_score = delim, score
    return best
