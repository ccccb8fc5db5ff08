"""The one place cycler formats are registered: name, sniffing rule, reader.

A new format is one module with ``sniff(path, head) -> bool`` and
``read(path, lines, notes) -> CyclerData`` and one line in :data:`FORMATS`.
Formats are tried in order; the first whose sniff says yes reads the file.
``head`` is the first 64 kB decoded as latin-1 (so it never fails); text
readers get the decoded lines, binary readers ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ...errors import FileFormatError, InputError, SsbkitError, did_you_mean
from . import arbin, biologic, generic, maccor, neware, spreadsheet
from ._text import read_lines
from .data import CyclerData, finish

__all__ = ["CyclerFormat", "FORMATS", "FORMAT_NAMES", "read_cycler_file", "detect_format"]


@dataclass(frozen=True)
class CyclerFormat:
    """One registered format.

    Attributes
    ----------
    name
        What ``--format`` accepts.
    sniff
        ``sniff(path, head_text) -> bool``.
    reader
        ``reader(path, lines_or_None, notes) -> CyclerData``.
    binary
        True when the reader opens the file itself.
    """

    name: str
    sniff: Callable[[Path, str], bool]
    reader: Callable[..., CyclerData]
    binary: bool = False


FORMATS: tuple[CyclerFormat, ...] = (
    CyclerFormat("biologic-mpr", biologic.sniff_mpr, biologic.read_mpr, binary=True),
    CyclerFormat("neware-ndax", neware.sniff_ndax, neware.read_ndax, binary=True),
    CyclerFormat("arbin-res", arbin.sniff_res, arbin.read_res, binary=True),
    CyclerFormat("xlsx", spreadsheet.sniff, spreadsheet.read, binary=True),
    CyclerFormat("biologic", biologic.sniff_mpt, biologic.read_mpt),
    CyclerFormat("neware-regular", neware.sniff_regular, neware.read_regular),
    CyclerFormat("neware", neware.sniff_flat, neware.read_flat),
    CyclerFormat("arbin", arbin.sniff_text, arbin.read_text),
    CyclerFormat("maccor", maccor.sniff, maccor.read),
    CyclerFormat("csv", generic.sniff, generic.read),
)
FORMAT_NAMES: tuple[str, ...] = ("auto", *(f.name for f in FORMATS))
_BY_NAME = {f.name: f for f in FORMATS}


def _head(path: Path) -> str:
    with open(path, "rb") as fh:
        raw = fh.read(65536)
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[2:].decode(codec, errors="replace").lstrip("\ufeff")
    return raw.decode("latin-1").replace("\xef\xbb\xbf", "")


def detect_format(path: str | Path) -> str:
    """Name of the registered format that would read ``path``.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        A name from :data:`FORMAT_NAMES`.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"cycling file {str(p)!r} does not exist")
    head = _head(p)
    return next(f.name for f in FORMATS if f.sniff(p, head))


def read_cycler_file(path: str | Path, *, format: str = "auto",
                     columns: Mapping[str, str] | None = None) -> CyclerData:
    """Read a cycler export into a :class:`~ssbkit.cell.cycling.data.CyclerData`.

    Parameters
    ----------
    path
        BioLogic ``.mpt``/``.mpr``; Neware flat or regular CSV, ``.xlsx``,
        ``.ndax``; Arbin CSV, ``.xlsx``, ``.res``; LANHE ``.xlsx``; Maccor text;
        PEC, Novonix or another delimited file with time, voltage and current
        columns (units read from the headers).
    format
        A name from :data:`FORMAT_NAMES` (``auto`` sniffs).
    columns
        Column map for a generic file (keys in
        :data:`~ssbkit.cell.cycling.generic.COLUMN_KEYS`, e.g.
        ``{"time_s": "Zeit", "voltage_V": "U", "current_mA": "I"}``).

    Returns
    -------
    CyclerData
        Points with signed current, cycles, steps, the instrument's capacity
        counter and its own per-cycle summary where the file has them; notes
        on anything repaired, skipped or assumed.

    Raises
    ------
    InputError, FileFormatError
        Unknown format, missing file, or a damaged file (the message names the
        file and the line).
    """
    if format not in FORMAT_NAMES:
        raise InputError(f"unknown cycler format {format!r}{did_you_mean(format, FORMAT_NAMES)}")
    p = Path(path)
    if not p.is_file():
        raise InputError(f"cycling file {str(p)!r} does not exist")
    try:
        return _read(p, format, columns)
    except SsbkitError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise FileFormatError(f"{p}: could not be read ({type(exc).__name__})") from None
    except Exception as exc:  # a reader bug must still end in our error, naming the file
        raise FileFormatError(f"{p}: could not be read (internal error {type(exc).__name__}: "
                              f"{str(exc)[:200]}; please report it)") from None


def _read(p: Path, format: str, columns: Mapping[str, str] | None) -> CyclerData:
    if columns is not None:
        if format not in ("auto", "csv"):
            raise InputError("a column map is for generic files (format 'csv')")
        notes: list[str] = []
        return finish(generic.read_mapped(p, read_lines(p, notes), notes, columns))
    if p.stat().st_size == 0:
        raise FileFormatError(f"{p}: file is empty")
    fmt = _BY_NAME[detect_format(p) if format == "auto" else format]
    if not fmt.binary:  # "biologic" given for an .mpr, "arbin" for a .res: the vendor's binary reader
        head = _head(p)
        fmt = next((f for f in FORMATS if f.binary and f.name.startswith(fmt.name + "-") and f.sniff(p, head)), fmt)
    notes = []
    lines = None if fmt.binary else read_lines(p, notes)
    return finish(fmt.reader(p, lines, notes))
