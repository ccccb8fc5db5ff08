"""Text plumbing shared by the cycler readers: decoding, delimiters, tables with line numbers.

Every problem is a :class:`~ssbkit.errors.FileFormatError` naming the file and
the line; every repair (a BOM removed, a decimal comma read, a blank line
skipped) is a note the reader passes on to the returned record.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ...errors import FileFormatError, InputError, did_you_mean

__all__ = ["norm", "read_lines", "Table", "header_index", "parse_duration_s"]

#: Longest line we accept: a cycler export line is well under 10 kB.
MAX_LINE_CHARS = 1_000_000
_BOMS = ("\ufeff", "\ufffe")


def norm(name: str) -> str:
    """Column name reduced to lower-case letters and digits (``'Cycle Index' -> 'cycleindex'``).

    Parameters
    ----------
    name
        Column header as written in the file.

    Returns
    -------
    str
        The comparable key.

    Examples
    --------
    >>> norm(" Chg. Cap.(Ah)")
    'chgcapah'
    """
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _decode(path: Path, raw: bytes, notes: list[str]) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{path}: not valid UTF-16 text ({exc.reason} at byte {exc.start})") from None
        notes.append("decoded as UTF-16")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
            notes.append("not UTF-8: decoded as latin-1")
    n_bom = 0
    while text.startswith(_BOMS):
        text = text[1:]
        n_bom += 1
    if n_bom > 1:
        notes.append(f"{n_bom} byte-order marks at the start of the file removed")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FileFormatError(f"{path}: line {line}: NUL byte in a text file (damaged or binary file)")
    return text


def read_lines(path: Path, notes: list[str]) -> list[str]:
    """The file's lines, decoded (UTF-8 with or without BOMs, UTF-16, else latin-1).

    Parameters
    ----------
    path
        The text file.
    notes
        List the repairs are appended to.

    Returns
    -------
    list of str
        Lines without their end-of-line characters.
    """
    if not path.is_file():
        raise InputError(f"cycling file {str(path)!r} does not exist")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(f"{path}: file is empty")
    lines = _decode(path, raw, notes).splitlines()
    for k, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise FileFormatError(f"{path}: line {k} is {len(line)} characters long (damaged file)")
    return lines


def sniff_delimiter(line: str) -> str:
    """Tab, semicolon or comma: whichever the header line holds most of.

    Parameters
    ----------
    line
        The header line.

    Returns
    -------
    str
        The delimiter.
    """
    counts = {d: line.count(d) for d in ("\t", ";", ",")}
    return max(counts, key=lambda d: counts[d])


def split(line: str, delim: str) -> list[str]:
    """Fields of one delimited line (quotes honoured).

    Parameters
    ----------
    line
        The line.
    delim
        The delimiter.

    Returns
    -------
    list of str
        The fields.
    """
    try:
        return next(csv.reader([line], delimiter=delim))
    except (csv.Error, StopIteration):
        return line.split(delim)


def header_index(path: Path, lines: Sequence[str], must: tuple[tuple[str, ...], ...],
                 limit: int = 200) -> int:
    """Index of the first line holding one column of each group in ``must``.

    Parameters
    ----------
    path
        For the message.
    lines
        The file's lines.
    must
        Groups of alternative column names.
    limit
        How many lines to search.

    Returns
    -------
    int
        0-based index of the header line.
    """
    for i, line in enumerate(lines[:limit]):
        names = {norm(c) for c in re.split(r"[\t;,]", line)}
        if all(any(norm(m) in names for m in group) for group in must):
            return i
    raise FileFormatError(f"{path}: no header line with {' / '.join(g[0] for g in must)} columns "
                          f"in the first {limit} lines")


def parse_duration_s(text: str) -> float:
    """Seconds from ``'12.5'``, ``'01:02:03.5'``, ``'0d 00:00:05.05'`` or ``'1-02:03:04'``.

    Parameters
    ----------
    text
        A number of seconds or a clock-style duration with optional days.

    Returns
    -------
    float
        Seconds.

    Examples
    --------
    >>> parse_duration_s("0d 00:00:05.05"), parse_duration_s("1d 01:00:00"), parse_duration_s("00:41:50")
    (5.05, 90000.0, 2510.0)
    """
    s = text.strip()
    days = 0.0
    m = re.match(r"^(\d+)\s*(?:d|days?|-)\s*(.*)$", s)
    if m and ":" in m.group(2):
        days, s = float(m.group(1)), m.group(2)
    parts = s.split(":")
    if len(parts) == 1:
        return float(parts[0])
    if len(parts) > 3 or any(not p.strip() for p in parts):
        raise ValueError(text)
    vals = [float(p) for p in parts]
    if any(v < 0 for v in vals[1:]):
        raise ValueError(text)
    h, mi, sec = ([0.0] * (3 - len(vals)) + vals)
    return 86400.0 * days + 3600.0 * h + 60.0 * mi + sec


class Table:
    """Header and rows of a delimited table, each row with its line number for messages.

    Parameters
    ----------
    path
        For messages.
    rows
        ``(line_number, fields)`` of the header (first) and the data rows.
    notes
        List that repairs are appended to (blank lines, decimal commas).
    """

    def __init__(self, path: Path, rows: Sequence[tuple[int, list[str]]], notes: list[str]):
        self.path = path
        header_line, header = rows[0]
        self.header = [h.strip() for h in header]
        while self.header and not self.header[-1]:
            self.header.pop()
        self.cols: dict[str, int] = {}
        for i, h in enumerate(self.header):
            self.cols.setdefault(norm(h), i)
        self.rows: list[list[str]] = []
        self.lineno: list[int] = []
        ncol = len(self.header)
        blank = 0
        for k, fields in rows[1:]:
            if not any(f.strip() for f in fields):
                blank += 1
                continue
            while len(fields) > ncol and not fields[-1].strip():
                fields = fields[:-1]
            if len(fields) < ncol:
                where = "last line" if k == rows[-1][0] else "line"
                raise FileFormatError(
                    f"{path}: {where} {k} has {len(fields)} of {ncol} fields (file truncated or damaged)")
            if len(fields) > ncol:  # a stray delimiter (e.g. a decimal comma) would shift every column
                raise FileFormatError(
                    f"{path}: line {k} has {len(fields)} fields, the header {ncol} (a stray delimiter "
                    "or decimal comma?)")
            self.rows.append(fields)
            self.lineno.append(k)
        if not self.rows:
            raise FileFormatError(f"{path}: no data rows below the header on line {header_line}")
        if blank:
            notes.append(f"{blank} blank line(s) among the data skipped")
        self.decimal_comma = False
        self._notes = notes

    @classmethod
    def from_lines(cls, path: Path, lines: Sequence[str], header_idx: int, notes: list[str],
                   delimiter: str | None = None) -> Table:
        """Table from text lines whose header is ``lines[header_idx]``.

        Parameters
        ----------
        path
            For messages.
        lines
            The file's lines.
        header_idx
            0-based index of the header line.
        notes
            Notes list.
        delimiter
            Field separator (sniffed from the header when None).

        Returns
        -------
        Table
            The parsed table.
        """
        delim = delimiter or sniff_delimiter(lines[header_idx])
        rows = [(k + 1, split(lines[k], delim)) for k in range(header_idx, len(lines))]
        if len(rows[0][1]) == 1 and delim in rows[0][1][0]:  # every line wrapped whole in quotes
            rows = [(k, split(f[0], delim) if len(f) == 1 else f) for k, f in rows]
            notes.append("lines wrapped whole in double quotes (a re-saved export): quotes removed")
        t = cls(path, rows, notes)
        t.decimal_comma = delim != "," and _uses_decimal_comma(t.rows[:20])
        if t.decimal_comma:
            notes.append("decimal commas read as decimal points")
        return t

    def find_opt(self, *names: str) -> int | None:
        """Column index of the first of ``names`` present, None when none is.

        Parameters
        ----------
        *names
            Alternative column names.

        Returns
        -------
        int or None
            Column index.
        """
        for n in names:
            if norm(n) in self.cols:
                return self.cols[norm(n)]
        return None

    def find(self, *names: str) -> int:
        """Column index of the first of ``names`` present; :class:`FileFormatError` when none is.

        Parameters
        ----------
        *names
            Alternative column names.

        Returns
        -------
        int
            Column index.
        """
        i = self.find_opt(*names)
        if i is None:
            raise FileFormatError(
                f"{self.path}: no column {names[0]!r} (columns: {', '.join(self.header[:15])})"
                + did_you_mean(names[0], self.header))
        return i

    def numbers(self, idx: int, what: str | None = None, *,
                convert: Callable[[str], float] = float) -> np.ndarray:
        """Column ``idx`` as finite floats; an error naming the line for anything else.

        Parameters
        ----------
        idx
            Column index.
        what
            Column name for messages (default: its header).
        convert
            Text-to-number function.

        Returns
        -------
        numpy.ndarray
            The values.
        """
        what = what or self.header[idx]
        out = np.empty(len(self.rows))
        for j, (row, k) in enumerate(zip(self.rows, self.lineno, strict=True)):
            text = row[idx].strip()
            if self.decimal_comma:
                text = text.replace(",", ".")
            try:
                v = convert(text)
            except (ValueError, OverflowError):
                raise FileFormatError(f"{self.path}: line {k}: {what} {text[:40]!r} is not a number") from None
            if not math.isfinite(v):
                raise FileFormatError(f"{self.path}: line {k}: {what} is {text[:40]!r} (NaN or infinite)")
            out[j] = v
        return out

    def integers(self, idx: int, what: str | None = None) -> np.ndarray:
        """Column ``idx`` as integers (an error naming the line for 2.5 or 1e30).

        Parameters
        ----------
        idx
            Column index.
        what
            Column name for messages.

        Returns
        -------
        numpy.ndarray
            int64 values.
        """
        v = self.numbers(idx, what)
        bad = np.flatnonzero((v != np.round(v)) | (np.abs(v) > 2**31))
        if bad.size:
            k = self.lineno[int(bad[0])]
            raise FileFormatError(f"{self.path}: line {k}: {what or self.header[idx]} "
                                  f"{self.rows[int(bad[0])][idx].strip()[:40]!r} is not a whole number")
        return v.astype(np.int64)

    def strings(self, idx: int) -> list[str]:
        """Column ``idx`` as stripped strings.

        Parameters
        ----------
        idx
            Column index.

        Returns
        -------
        list of str
        """
        return [r[idx].strip() for r in self.rows]


def _uses_decimal_comma(rows: Sequence[list[str]]) -> bool:
    pat = re.compile(r"^-?\d+,\d+(?:[eE][+-]?\d+)?$")
    return any(pat.match(f.strip()) for row in rows for f in row)
