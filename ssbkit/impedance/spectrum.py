"""One impedance spectrum: frequencies and complex impedance, validated at the edge.

Convention everywhere in :mod:`ssbkit.impedance`: ``Z = Z' + j Z''`` with
``Z'' < 0`` on a capacitive arc (the sign a circuit model gives). Readers turn
instrument exports that store ``-Z''`` into this convention before they build a
:class:`Spectrum`, so downstream code never has to guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import FileFormatError, InputError
from ..records import Record

__all__ = ["MIN_POINTS", "Spectrum", "check_rows", "make_spectrum", "require_nonzero_z"]

#: Fewest points a spectrum may hold (a single RC arc needs three parameters).
MIN_POINTS = 3


@dataclass(frozen=True, eq=False)
class Spectrum(Record):
    """An impedance spectrum.

    Attributes
    ----------
    frequency_hz : numpy.ndarray
        Measurement frequencies (Hz), all finite and > 0, no duplicates.
    z_ohm : numpy.ndarray
        Complex impedance (ohm), ``Z' + j Z''`` with ``Z'' < 0`` for a
        capacitive arc.
    source : str
        File path (with ``#k`` appended for the k-th spectrum of a file) or label.
    temperature_c : float or None
        Sample temperature (degC) where the file or its name gives one.
    metadata : dict
        Free-form facts from the reader (format, columns used, sign convention).
    notes : tuple of str
        What the reader repaired, skipped, split or assumed (a skipped line and
        its number, how the Z'' sign was taken, rows sorted, a file split into
        several spectra). Empty when the file was read exactly as written.

    Examples
    --------
    >>> import numpy as np
    >>> s = Spectrum(np.array([1e3, 1.0]), np.array([10 - 1j, 20 - 5j]), "demo",
    ...              notes=("sign taken from header",))
    >>> back = Spectrum.from_json(s.to_json())
    >>> back.notes, bool(np.all(back.z_ohm == s.z_ohm))
    (('sign taken from header',), True)
    """

    frequency_hz: np.ndarray
    z_ohm: np.ndarray
    source: str
    temperature_c: float | None = None
    metadata: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        f = np.array(self.frequency_hz, dtype=float)
        z = np.array(self.z_ohm, dtype=complex)
        f.flags.writeable = False
        z.flags.writeable = False
        object.__setattr__(self, "frequency_hz", f)
        object.__setattr__(self, "z_ohm", z)
        object.__setattr__(self, "notes", tuple(str(n) for n in self.notes))

    def with_notes(self, *notes: str) -> Spectrum:
        """The same spectrum with ``notes`` appended (duplicates are not repeated).

        Parameters
        ----------
        *notes : str
            Notes to add.

        Returns
        -------
        Spectrum
            A copy carrying the extra notes.
        """
        new = tuple(n for n in dict.fromkeys(notes) if n not in self.notes)
        return replace(self, notes=self.notes + new) if new else self

    def __len__(self) -> int:
        return int(self.frequency_hz.size)

    @property
    def omega(self) -> np.ndarray:
        """Angular frequency 2 pi f (rad/s)."""
        return 2.0 * np.pi * self.frequency_hz

    @property
    def z_real(self) -> np.ndarray:
        """Z' (ohm)."""
        return self.z_ohm.real

    @property
    def z_imag(self) -> np.ndarray:
        """Z'' (ohm), negative on a capacitive arc."""
        return self.z_ohm.imag

    @property
    def temperature_k(self) -> float | None:
        """Temperature in kelvin, or None."""
        return None if self.temperature_c is None else self.temperature_c + 273.15

    def sorted(self, descending: bool = True) -> Spectrum:
        """The same spectrum ordered by frequency (high to low by default).

        Parameters
        ----------
        descending : bool
            High to low frequency (True) or low to high.

        Returns
        -------
        Spectrum
            The reordered copy.
        """
        order = np.argsort(self.frequency_hz, kind="stable")
        if descending:
            order = order[::-1]
        return replace(self, frequency_hz=self.frequency_hz[order], z_ohm=self.z_ohm[order])

    def masked(self, fmin: float | None = None, fmax: float | None = None) -> Spectrum:
        """Only the points with ``fmin <= f <= fmax`` (Hz); either bound may be None.

        Parameters
        ----------
        fmin, fmax : float, optional
            Frequency bounds (Hz), inclusive.

        Returns
        -------
        Spectrum
            The masked copy (``metadata["mask_hz"]`` records the bounds).

        Raises
        ------
        ssbkit.errors.FileFormatError
            If fewer than :data:`MIN_POINTS` points remain.
        """
        keep = np.ones(self.frequency_hz.size, dtype=bool)
        if fmin is not None:
            keep &= self.frequency_hz >= float(fmin)
        if fmax is not None:
            keep &= self.frequency_hz <= float(fmax)
        if int(keep.sum()) < MIN_POINTS:
            raise FileFormatError(
                f"{self.source}: only {int(keep.sum())} points lie within "
                f"fmin={fmin} Hz, fmax={fmax} Hz; need at least {MIN_POINTS} "
                f"(data span {self.frequency_hz.min():.4g}-{self.frequency_hz.max():.4g} Hz)"
            )
        meta = dict(self.metadata)
        meta["mask_hz"] = [fmin, fmax]
        return replace(
            self, frequency_hz=self.frequency_hz[keep], z_ohm=self.z_ohm[keep], metadata=meta
        )

    def as_dict(self) -> dict:
        """JSON-ready dict of every field, plus ``z_real_ohm``/``z_imag_ohm`` lists.

        Returns
        -------
        dict
            The record's fields (complex Z as ``{"real": ..., "imag": ...}``)
            and the derived real and imaginary columns for readers of the JSON.
        """
        out = super().as_dict()
        out["z_real_ohm"] = out["z_ohm"]["real"]
        out["z_imag_ohm"] = out["z_ohm"]["imag"]
        return out


def _where(source: str, lines: np.ndarray | None, i: int) -> str:
    if lines is not None:
        return f"{source}, line {int(lines[i])}"
    return f"{source}, point {i + 1}"


def require_nonzero_z(spectrum: Spectrum, what: str) -> np.ndarray:
    """|Z| of ``spectrum`` (ohm); raise InputError where it is 0 (no 1/|Z| weighting possible).

    Parameters
    ----------
    spectrum : Spectrum
        The spectrum.
    what : str
        The analysis that needs |Z| > 0, named in the error.

    Returns
    -------
    numpy.ndarray
        |Z| (ohm) at each point.
    """
    mod = np.abs(spectrum.z_ohm)
    if not np.all(mod > 0):
        i = int(np.argmin(mod))
        raise InputError(
            f"{spectrum.source}: Z = 0 at {spectrum.frequency_hz[i]:g} Hz; {what} weights by "
            "1/|Z| - remove that point (spectrum.masked) or fix the export"
        )
    return mod


def check_rows(
    frequency_hz: np.ndarray,
    z_real_ohm: np.ndarray,
    z_imag_ohm: np.ndarray,
    *,
    source: str,
    line_numbers: np.ndarray | None = None,
) -> None:
    """Raise :class:`~ssbkit.errors.FileFormatError` for NaN/inf rows or frequencies <= 0.

    The message names ``source`` and the first bad line (or point).

    Parameters
    ----------
    frequency_hz, z_real_ohm, z_imag_ohm : numpy.ndarray
        Equal-length columns.
    source : str
        File or label for the message.
    line_numbers : numpy.ndarray, optional
        1-based line of each row.

    Returns
    -------
    None
        Returns only when every row is valid.
    """
    f, zr, zi = frequency_hz, z_real_ohm, z_imag_ohm
    lines = line_numbers
    bad = ~(np.isfinite(f) & np.isfinite(zr) & np.isfinite(zi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise FileFormatError(
            f"{_where(source, lines, i)}: not a finite number (f={float(f[i]):g}, "
            f"Z'={float(zr[i]):g}, Z''={float(zi[i]):g}); {int(bad.sum())} such row(s) - "
            "remove them or fix the export"
        )
    nonpos = f <= 0
    if nonpos.any():
        i = int(np.flatnonzero(nonpos)[0])
        raise FileFormatError(
            f"{_where(source, lines, i)}: frequency {float(f[i]):g} Hz is not > 0 "
            f"({int(nonpos.sum())} such row(s)); frequencies must be positive"
        )


def make_spectrum(
    frequency_hz: Sequence[float] | np.ndarray,
    z_real_ohm: Sequence[float] | np.ndarray,
    z_imag_ohm: Sequence[float] | np.ndarray,
    *,
    source: str,
    temperature_c: float | None = None,
    metadata: dict | None = None,
    line_numbers: Sequence[int] | np.ndarray | None = None,
    min_points: int = MIN_POINTS,
    notes: Sequence[str] = (),
) -> Spectrum:
    """Validate columns and build a :class:`Spectrum` sorted from high to low frequency.

    Parameters
    ----------
    frequency_hz, z_real_ohm, z_imag_ohm : array_like
        Equal-length columns: f (Hz), Z' (ohm), Z'' (ohm; negative on a
        capacitive arc).
    source : str
        File name or label, used in every error message.
    temperature_c : float, optional
        Sample temperature (degC).
    metadata : dict, optional
        Copied into the spectrum.
    line_numbers : array_like of int, optional
        1-based line of each row in the source file, so that errors can name it.
    min_points : int
        Fewest points accepted (default 3).
    notes : sequence of str
        Notes for :attr:`Spectrum.notes`; one is added when the rows had to be
        sorted.

    Returns
    -------
    Spectrum
        The validated spectrum, high to low frequency.

    Raises
    ------
    ssbkit.errors.FileFormatError
        For rows with NaN or inf, non-positive or duplicate frequencies,
        columns of unequal length, or fewer than ``min_points`` rows; the
        message names ``source`` and the line where it is known.
    """
    try:
        f = np.asarray(frequency_hz, dtype=float).ravel()
        zr = np.asarray(z_real_ohm, dtype=float).ravel()
        zi = np.asarray(z_imag_ohm, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise FileFormatError(f"{source}: columns are not numbers ({exc})") from None
    if not (f.size == zr.size == zi.size):
        raise FileFormatError(
            f"{source}: columns differ in length (f {f.size}, Z' {zr.size}, Z'' {zi.size})"
        )
    lines = None if line_numbers is None else np.asarray(line_numbers, dtype=int).ravel()
    if lines is not None and lines.size != f.size:
        lines = None
    check_rows(f, zr, zi, source=source, line_numbers=lines)
    if f.size < min_points:
        raise FileFormatError(
            f"{source}: {f.size} data point(s); a spectrum needs at least {min_points}"
        )
    meta = dict(metadata or {})
    note_list = [*meta.pop("notes", []), *notes]
    order = np.argsort(-f, kind="stable")
    fs = f[order]
    dup = np.flatnonzero(np.diff(fs) == 0)
    if dup.size:
        j = int(order[dup[0] + 1])
        first = int(order[dup[0]])
        other = f"line {int(lines[first])}" if lines is not None else f"point {first + 1}"
        raise FileFormatError(
            f"{_where(source, lines, j)}: frequency {f[j]:.6g} Hz repeats {other} "
            f"({dup.size} duplicate(s)); keep one point per frequency or split the sweeps"
        )
    if not np.array_equal(order, np.arange(f.size)):
        if not np.array_equal(order, np.arange(f.size)[::-1]):
            note_list.append("rows were not in frequency order; sorted")
    return Spectrum(
        frequency_hz=fs,
        z_ohm=(zr + 1j * zi)[order],
        source=str(source),
        temperature_c=None if temperature_c is None else float(temperature_c),
        metadata=meta,
        notes=tuple(dict.fromkeys(note_list)),
    )
