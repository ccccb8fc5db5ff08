"""Errors that reach the user.

Every problem with *user input* (a file, a study key, a number out of range, a
fit that did not converge when the user asked for one result) is raised as an
:class:`InputError` subclass with a one-line message that names the input and
says what would be valid. The CLI prints it and exits with code 2, never with
a traceback.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

__all__ = [
    "EXIT_OK",
    "EXIT_INTERNAL",
    "EXIT_BAD_INPUT",
    "EXIT_PARTIAL",
    "SsbkitError",
    "InputError",
    "FileFormatError",
    "ConvergenceError",
    "suggest",
    "did_you_mean",
    "require_positive",
    "require_finite",
    "require_fraction",
]


#: exit codes of every ``ssbkit`` command (documented in the README and ``ssbkit --help``)
EXIT_OK = 0
#: a bug: an exception ssbkit did not raise on purpose
EXIT_INTERNAL = 1
#: bad input: nothing was computed; the message names the input
EXIT_BAD_INPUT = 2
#: partial success: some sections, files or batch members failed; the rest was written
EXIT_PARTIAL = 3


class SsbkitError(Exception):
    """Base class of every error ssbkit raises on purpose."""


class InputError(SsbkitError, ValueError):
    """Bad user input: the message names the input and what would be valid."""


class FileFormatError(InputError):
    """A file that cannot be read; the message names the file (and line)."""


class ConvergenceError(SsbkitError, RuntimeError):
    """A numerical method that did not converge (message gives the residual)."""


def suggest(word: str, choices: Iterable[str], n: int = 1, cutoff: float = 0.5) -> list[str]:
    """The closest valid names to ``word`` (case-insensitive), as PyBaMM's FuzzyDict suggests.

    Parameters
    ----------
    word
        What the user typed.
    choices
        The valid names.
    n
        How many suggestions at most.
    cutoff
        Similarity (0-1) below which a name is not suggested.

    Returns
    -------
    list of str
        Up to ``n`` valid names, closest first.

    Examples
    --------
    >>> suggest("sulphide", ["sulfide", "oxide", "halide"])
    ['sulfide']
    """
    choices = list(choices)
    lower = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(word.lower(), list(lower), n=n, cutoff=cutoff)
    return [lower[h] for h in hits]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A message suffix suggesting the closest valid name.

    Parameters
    ----------
    word
        What the user typed.
    choices
        The valid names.

    Returns
    -------
    str
        ``" (did you mean 'x'?)"``, or ``" (valid: a, b, ...)"`` when none is close.

    Examples
    --------
    >>> did_you_mean("porosty", ["porosity", "thickness_um"])
    " (did you mean 'porosity'?)"
    """
    choices = sorted(set(choices))
    close = suggest(word, choices)
    if close:
        return f" (did you mean '{close[0]}'?)"
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f" (valid: {shown})"


def require_finite(name: str, value: float) -> float:
    """Check that ``value`` is a finite number.

    Parameters
    ----------
    name
        How the message names the input.
    value
        The value to check.

    Returns
    -------
    float
        ``value`` as a float.

    Raises
    ------
    InputError
        Not a number, NaN or infinite.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{name} must be finite, got {value!r}")
    return v


def require_positive(name: str, value: float) -> float:
    """Check that ``value`` is finite and > 0.

    Parameters
    ----------
    name
        How the message names the input.
    value
        The value to check.

    Returns
    -------
    float
        ``value`` as a float.

    Raises
    ------
    InputError
        Not a finite number above zero.
    """
    v = require_finite(name, value)
    if v <= 0:
        raise InputError(f"{name} must be > 0, got {value!r}")
    return v


def require_fraction(name: str, value: float) -> float:
    """Check that ``0 <= value <= 1``.

    Parameters
    ----------
    name
        How the message names the input.
    value
        The value to check.

    Returns
    -------
    float
        ``value`` as a float.

    Raises
    ------
    InputError
        Not a number between 0 and 1.
    """
    v = require_finite(name, value)
    if not 0.0 <= v <= 1.0:
        raise InputError(f"{name} must lie between 0 and 1, got {value!r}")
    return v
