"""Decoding text exports and finding their numeric tables.

:func:`read_text` handles encodings, empty and binary files; :func:`find_blocks`
groups numeric rows (any delimiter, decimal commas) and reports truncated or
garbled lines by number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import FileFormatError, InputError

__all__ = [
    "DataBlock",
    "find_blocks",
    "guess_delimiter",
    "looks_like_header",
    "merge_blocks",
    "skipped_lines_note",
    "normalise_sign",
    "number",
    "decode_text",
    "read_bytes",
    "read_text",
    "split_lines",
    "split_fields",
]

_SIGNS = {
    "auto": "auto",
    "+": "+", "z": "+", "as-is": "+", "stored": "+", "1": "+", "+1": "+",
    "-": "-", "-z": "-", "negated": "-", "-1": "-",
}


def normalise_sign(z_imag_sign: str | int) -> str:
    """Map the user's ``z_imag_sign`` to ``"auto"``, ``"+"`` (file holds Z'') or ``"-"`` (-Z'').

    Parameters
    ----------
    z_imag_sign : str or int
        ``"auto"``, ``"+"``/``"z"``/``1`` or ``"-"``/``"-z"``/``-1``.

    Returns
    -------
    str
        ``"auto"``, ``"+"`` or ``"-"``.
    """
    key = str(z_imag_sign).strip().lower()
    if key not in _SIGNS:
        raise InputError(
            f"z_imag_sign={z_imag_sign!r} is not understood; use 'auto', '+' (the file "
            "holds Z'') or '-' (the file holds -Z'')"
        )
    return _SIGNS[key]


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; FileFormatError for a missing file, a folder or an empty file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    bytes
        Its content.
    """
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    if path.is_dir():
        raise FileFormatError(f"{path}: is a folder, not an impedance file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip(b" \t\r\n\x00"):
        raise FileFormatError(f"{path}: file is empty")
    return raw


def _utf16_codec(raw: bytes) -> str | None:
    """'utf-16' (BOM), 'utf-16-le'/'utf-16-be' (no BOM, NULs at odd/even bytes), or None."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = raw[:4096]
    if len(head) >= 8:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def decode_text(raw: bytes, notes: list[str] | None = None) -> str:
    """Text of an export: UTF-16 (with or without BOM), UTF-8, else cp1252/latin-1.

    BOMs (also repeated ones) are removed; where the encoding had to be guessed,
    a note is appended to ``notes``.

    Parameters
    ----------
    raw : bytes
        File content.
    notes : list of str, optional
        Receives a note when the text is not UTF-8.

    Returns
    -------
    str
        The decoded text, newlines not yet normalised.
    """
    notes = [] if notes is None else notes
    codec = _utf16_codec(raw)
    if codec:
        text = raw.decode(codec, errors="replace")
        if "\ufffd" in text:
            notes.append(f"decoded as {codec.upper()}; undecodable bytes replaced")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            try:
                text = raw.decode("cp1252")
                notes.append(f"not UTF-8 (line {line}); decoded as Windows-1252")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
                notes.append(f"not UTF-8 (line {line}); decoded as Latin-1")
    n_bom = len(text) - len(text.lstrip("\ufeff"))
    if n_bom > 1:
        notes.append(f"{n_bom} byte-order marks at the start; removed")
    return text.lstrip("\ufeff").replace("\ufeff", "")


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` with CRLF, CR-CR-LF and CR newlines normalised.

    Parameters
    ----------
    text : str
        Decoded text.

    Returns
    -------
    list of str
        Its lines without newline characters.
    """
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# control characters other than tab, newline, vertical tab, form feed, carriage return
_CONTROL = {c: None for c in [*range(0, 9), *range(14, 32)]}


def read_text(path: Path, raw: bytes | None = None) -> tuple[list[str], list[str]]:
    """Decode a text export into lines and the notes on what decoding had to repair.

    Trailing NUL padding (left by an interrupted write) is removed with a note;
    NUL or control bytes inside the text mean a binary file or a damaged one.

    Parameters
    ----------
    path : Path
        The file (named in errors).
    raw : bytes, optional
        Its content, when already read.

    Returns
    -------
    lines : list of str
        The text lines, newline characters removed.
    notes : list of str
        What was repaired or assumed.

    Raises
    ------
    ssbkit.errors.FileFormatError
        If the file is missing, empty, binary, or holds NUL bytes inside its text.
    """
    raw = read_bytes(path) if raw is None else raw
    notes: list[str] = []
    text = decode_text(raw, notes)
    stripped = text.rstrip("\x00")
    if len(stripped) < len(text):
        notes.append(f"{len(text) - len(stripped)} NUL bytes at the end of the file removed")
        text = stripped
    head = text[:8192]
    n_bad = len(head) - len(head.translate(_CONTROL))
    if text and n_bad > 0.01 * len(head):
        raise FileFormatError(
            f"{path}: binary data, not a text export (a BioLogic .mpr needs the "
            "'.mpr' extension; other instruments: export as text/CSV)"
        )
    lines = split_lines(text)
    for i, line in enumerate(lines):
        if "\x00" in line:
            raise FileFormatError(
                f"{path}, line {i + 1}: NUL byte inside the text (damaged file?)"
            )
    return lines, notes


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


_EMPTY = " \t\r\n,;"
_WIDE = re.compile(r"\s{2,}|\t")


def _next_data(lines: list[str], i: int, stop: int, delimiter: str | None):
    """(index, values) of the next non-blank line after ``i``; values None for text."""
    for j in range(i + 1, stop):
        if lines[j].strip(_EMPTY):
            return j, _values(split_fields(lines[j], delimiter))
    return None, None


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
            nxt, after = _next_data(lines, i, stop, delimiter)
            damaged = vals is not None or (
                len(fields) == width and any(number(t) is not None for t in fields)
            )
            if after is not None and len(after) == width:
                why = (f"{len(vals)} columns where the table has {width}" if vals is not None
                       else "not a data row")
                skipped.append(f"line {i + 1} skipped ({why}: {_short(line)})")
                continue
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
