"""Numeric tables of a text export: rows grouped into :class:`DataBlock` s split by text
lines, damaged rows skipped with notes or refused by line number, and blocks of one
fixed-layout table merged. Re-exported by :mod:`._text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import FileFormatError
from ._fields import _values, number, split_fields

__all__ = ["DataBlock", "find_blocks", "looks_like_header", "merge_blocks", "skipped_lines_note"]

_EMPTY = " \t\r\n,;"


@dataclass
class DataBlock:
    """Consecutive numeric rows of a text file and the text line(s) above them."""

    values: np.ndarray  # (n_rows, n_cols)
    line_numbers: np.ndarray  # 1-based
    header_lines: list[tuple[int, str]]  # (1-based line number, text), nearest last
    notes: list[str] = field(default_factory=list)  # rows skipped inside the block
    pre_text: list[tuple[int, str]] = field(default_factory=list)  # text since previous block


def _short(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 40 else text[:37] + "...")


def looks_like_header(line: str) -> bool:
    """True for a line naming a frequency column and Z columns (any common delimiter).

    Parameters
    ----------
    line : str
        One text line.

    Returns
    -------
    bool
        Whether :func:`identify_columns` recognises it.
    """
    from ._columns import identify_columns

    if len(line) > 2000:
        return False
    return any(
        identify_columns(split_fields(line, d)) is not None
        for d in ("\t", ",", ";", None, "  ")
    )


def _next_data(lines: list[str], i: int, stop: int, delimiter: str | None):
    """(index, values) of the next non-blank line after ``i``; values None for text."""
    for j in range(i + 1, stop):
        if lines[j].strip(_EMPTY):
            return j, _values(split_fields(lines[j], delimiter))
    return None, None


def _damaged_row(path: Path, lines: list[str], i: int, stop: int, delimiter: str | None,
                 fields: list[str], vals: list[float] | None, width: int) -> str | None:
    """A line inside a table that is not one of its rows: the note when the next line
    continues the table (the line is skipped), None when it is text that ends the table.

    Raises FileFormatError for a damaged row at the end of the file or followed by text,
    and for a numeric row of another width followed by rows of yet another shape.
    """
    line = lines[i]
    nxt, after = _next_data(lines, i, stop, delimiter)
    damaged = vals is not None or (
        len(fields) == width and any(number(t) is not None for t in fields)
    )
    if after is not None and len(after) == width:
        why = (f"{len(vals)} columns where the table has {width}" if vals is not None
               else "not a data row")
        return f"line {i + 1} skipped ({why}: {_short(line)})"
    if damaged and (nxt is None or after is None):
        what = (f"{len(vals)} columns where the rows above have {width}"
                if vals is not None else
                f"{next((t for t in fields if t and number(t) is None), fields[0])!r} "
                "is not a number")
        tail = " (the file looks truncated)" if nxt is None else ""
        raise FileFormatError(f"{path}, line {i + 1}: {what}{tail}")
    if vals is not None:
        raise FileFormatError(
            f"{path}, line {i + 1}: {len(vals)} columns where the rows above have "
            f"{width}"
        )
    return None


def find_blocks(
    path: Path,
    lines: list[str],
    delimiter: str | None,
    start: int = 0,
    stop: int | None = None,
    *,
    is_header: Callable[[str], bool] | None = None,
) -> list[DataBlock]:
    """Group the numeric rows of ``lines[start:stop]`` into blocks split by text lines.

    A damaged line inside a table (text, a huge field, a row with the wrong
    number of columns) whose next line continues the table is skipped, and the
    block's ``notes`` name it. A text line that ``is_header`` accepts (a column
    line) always starts a new block. Blank lines are ignored.

    Parameters
    ----------
    path : Path
        The file, named in errors.
    lines : list of str
        Its text lines.
    delimiter : str or None
        Field separator (None: whitespace).
    start, stop : int
        The line range to scan (0-based, ``stop`` exclusive).
    is_header : callable, optional
        True for a line that names columns.

    Returns
    -------
    list of DataBlock
        The numeric blocks in file order.

    Raises
    ------
    ssbkit.errors.FileFormatError
        For a damaged last row (the file looks truncated), or a damaged row that
        is followed by rows of yet another shape.
    """
    stop = len(lines) if stop is None else stop
    is_header = looks_like_header if is_header is None else is_header
    blocks: list[DataBlock] = []
    cur: list[tuple[int, list[float]]] = []
    texts: list[tuple[int, str]] = []
    skipped: list[str] = []
    since: list[tuple[int, str]] = []

    def close() -> None:
        if cur:
            blocks.append(
                DataBlock(
                    values=np.array([v for _, v in cur], dtype=float),
                    line_numbers=np.array([i for i, _ in cur], dtype=int),
                    header_lines=list(texts[-4:]),
                    notes=list(skipped),
                    pre_text=list(since),
                )
            )
            since.clear()

    for i in range(start, stop):
        line = lines[i]
        if not line.strip(_EMPTY):  # blank, or only separators (an empty spreadsheet row)
            continue
        fields = split_fields(line, delimiter)
        vals = _values(fields)
        width = len(cur[0][1]) if cur else 0
        if vals is not None and (not cur or len(vals) == width):
            cur.append((i + 1, vals))
            continue
        if cur and not (vals is None and is_header is not None and is_header(line)):
            note = _damaged_row(path, lines, i, stop, delimiter, fields, vals, width)
            if note is not None:
                skipped.append(note)
                continue
        close()
        cur, skipped = [], []
        if vals is None:
            texts.append((i + 1, line))
            since.append((i + 1, line))
        else:
            cur.append((i + 1, vals))
    close()
    if blocks and since:
        blocks[-1].notes.extend(skipped_lines_note(since, "text after the table, ignored"))
    return blocks


def skipped_lines_note(lines: list[tuple[int, str]], why: str) -> list[str]:
    """One note per skipped text line (at most 5, then a count).

    Parameters
    ----------
    lines : list of (int, str)
        1-based line numbers and texts.
    why : str
        Why they were skipped.

    Returns
    -------
    list of str
        Notes naming each line.
    """
    out = [f"line {n} skipped ({why}: {_short(t)})" for n, t in lines[:5]]
    if len(lines) > 5:
        out.append(f"{len(lines) - 5} more such lines skipped (lines {lines[5][0]}-{lines[-1][0]})")
    return out


def merge_blocks(path: Path, blocks: list[DataBlock], *, leading_is_junk: bool) -> DataBlock | None:
    """One block from blocks of equal width that text lines split (fixed-layout tables).

    The text lines between them (and, with ``leading_is_junk``, those before the
    first block, where a fixed-layout format expects its first row) become notes.

    Parameters
    ----------
    path : Path
        The file, named in errors.
    blocks : list of DataBlock
        Blocks of one table, in file order.
    leading_is_junk : bool
        Whether text before the first block is skipped data (else a header).

    Returns
    -------
    DataBlock or None
        The merged block; None when there are no blocks.

    Raises
    ------
    ssbkit.errors.FileFormatError
        When the blocks differ in width (a damaged table).
    """
    if not blocks:
        return None
    first = blocks[0]
    width = first.values.shape[1]
    notes = list(first.notes)
    if leading_is_junk:
        notes = skipped_lines_note(first.pre_text, "not a data row") + notes
    for b in blocks[1:]:
        if b.values.shape[1] != width:
            raise FileFormatError(
                f"{path}, line {int(b.line_numbers[0])}: {b.values.shape[1]} columns where "
                f"the rows above have {width}"
            )
        notes += skipped_lines_note(b.pre_text, "not a data row") + b.notes
    return DataBlock(
        values=np.vstack([b.values for b in blocks]),
        line_numbers=np.concatenate([b.line_numbers for b in blocks]),
        header_lines=first.header_lines,
        notes=notes,
        pre_text=first.pre_text,
    )
