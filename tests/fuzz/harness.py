"""Shared fuzz harness: deterministic mutations of real fixtures and the reader contract.

The contract (issue 10): a public reader given any file ends in a result or
in :class:`ssbkit.errors.SsbkitError`, never another exception, never a hang;
and a mutated file that is read either gives the original's data or carries
a note saying what changed. See README.md in this folder for the API.
"""

from __future__ import annotations

import math
import random
import re
import signal
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ssbkit.errors import SsbkitError

__all__ = ["Mutation", "Outcome", "FuzzReport", "mutations", "iter_mutations", "check_reader", "run_fuzz",
           "default_fingerprint", "default_notes"]

#: ``expect`` of a mutation: what a correct reader may do with it
#: - "same":   bytes differ but the data do not (BOM, CRLF, encoding): equal data or a note
#: - "detect": damage a reader can see (blank/garbled line, NaN, NUL, huge field): error, note or equal
#: - "value":  a plausible different file (bit flip in a digit, a cut at a line end): anything but a crash
EXPECTS = ("same", "detect", "value")


@dataclass(frozen=True)
class Mutation:
    """One damaged copy of a fixture."""

    name: str
    data: bytes
    expect: str


@dataclass
class Outcome:
    """What one reader call did with one mutation."""

    status: str  # "same", "noted", "error", "changed" (allowed), "foreign", "hang", "silent"
    mutation: str
    detail: str = ""


@dataclass
class FuzzReport:
    """Counts over a fuzz run; ``bad`` lists foreign exceptions, hangs and silent changes."""

    counts: Counter = field(default_factory=Counter)
    bad: list[Outcome] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of mutated files read."""
        return sum(self.counts.values())

    def add(self, o: Outcome) -> None:
        """Count one outcome."""
        self.counts[o.status] += 1
        if o.status in ("foreign", "hang", "silent"):
            self.bad.append(o)

    def summary(self) -> str:
        """One line: total, foreign exceptions, hangs, silent changes, and the other outcomes."""
        c = self.counts
        return (f"{self.n} mutated files: {c['foreign']} foreign exceptions, {c['hang']} hangs, "
                f"{c['silent']} silent changes ({c['error']} SsbkitError, {c['same']} same data, "
                f"{c['noted']} changed with a note, {c['changed']} allowed value changes)")


# ----------------------------------------------------------------------------- mutations
def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _numeric_spans(data: bytes, rng: random.Random, k: int) -> list[tuple[int, int]]:
    spans = [m.span() for m in re.finditer(rb"(?<![\w.])-?\d+\.\d+(?:[eE][+-]?\d+)?(?![\w.])", data[:400_000])]
    return rng.sample(spans, min(k, len(spans))) if spans else []


def _text_mutations(data: bytes, rng: random.Random) -> Iterator[Mutation]:
    text_ok = True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, text_ok = data.decode("latin-1"), False
    lines = _lines(data)
    n = len(lines)
    yield Mutation("bom", b"\xef\xbb\xbf" + data, "same")
    yield Mutation("double-bom", b"\xef\xbb\xbf\xef\xbb\xbf" + data, "same")
    yield Mutation("crlf", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), "same")
    yield Mutation("utf16", b"\xff\xfe" + text.encode("utf-16-le"), "same")
    if text_ok:
        try:
            yield Mutation("latin1", text.encode("latin-1"), "same")
        except UnicodeEncodeError:
            pass
    yield Mutation("trailing-blank-lines", data.rstrip(b"\n") + b"\n\n\n", "same")
    for _ in range(3):
        k = rng.randrange(1, max(n - 1, 2))
        yield Mutation(f"blank-line@{k}", b"\n".join(lines[:k] + [b""] + lines[k:]), "detect")
        junk = bytes(rng.choice(b"abcdefXYZ!?#%&*()[]{}<>~^ ") for _ in range(rng.randrange(5, 60)))
        yield Mutation(f"garbled-line@{k}", b"\n".join(lines[:k] + [junk] + lines[k:]), "detect")
        yield Mutation(f"nul@{k}", b"\n".join(lines[:k] + [lines[k][:3] + b"\x00" + lines[k][3:]] + lines[k + 1:]),
                       "detect")
        yield Mutation(f"huge-field@{k}", b"\n".join(lines[:k] + [lines[k] + b"x" * 2_000_000] + lines[k + 1:]),
                       "detect")
        cut = rng.randrange(1, len(data))
        yield Mutation(f"truncate@{cut}", data[:cut], "value")
    for word in (b"nan", b"inf", b"-inf", b"NaN"):
        for a, b in _numeric_spans(data, rng, 1):
            yield Mutation(f"{word.decode()}@{a}", data[:a] + word + data[b:], "detect")
    for a, b in _numeric_spans(data, rng, 2):
        yield Mutation(f"decimal-comma@{a}", data[:a] + data[a:b].replace(b".", b",") + data[b:], "detect")
        yield Mutation(f"huge-number@{a}", data[:a] + b"1e308" + data[b:], "value")
        yield Mutation(f"overflow-number@{a}", data[:a] + b"1e999" + data[b:], "detect")
        yield Mutation(f"long-number@{a}", data[:a] + b"9" * 5000 + data[b:], "value")
    for _ in range(4):
        yield _bit_flip(data, rng, "value")


def _bit_flip(data: bytes, rng: random.Random, expect: str) -> Mutation:
    b = bytearray(data)
    pos = rng.randrange(len(b))
    b[pos] ^= 1 << rng.randrange(8)
    return Mutation(f"bitflip@{pos}", bytes(b), expect)


def _binary_mutations(data: bytes, rng: random.Random) -> Iterator[Mutation]:
    size = len(data)
    for frac in (0.0, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
        cut = max(1, int(size * frac))
        yield Mutation(f"truncate@{cut}", data[:cut], "detect")
    yield Mutation("zero-tail", data[: size // 2] + bytes(size - size // 2), "value")
    yield Mutation("appended-junk", data + bytes(rng.randrange(256) for _ in range(999)), "value")
    for _ in range(12):
        yield _bit_flip(data, rng, "value")
    for _ in range(3):
        pos = rng.randrange(min(size, 512))
        b = bytearray(data)
        b[pos:pos + 4] = b"\xff\xff\xff\x7f"
        yield Mutation(f"huge-int@{pos}", bytes(b), "value")


def iter_mutations(data: bytes, *, seed: int = 0, binary: bool | None = None,
                   rounds: int = 1) -> Iterator[Mutation]:
    """Deterministic mutations of ``data``, one at a time (see :func:`mutations`)."""
    if binary is None:
        binary = b"\x00" in data[:4096]
    once = {"bom", "double-bom", "crlf", "utf16", "latin1", "trailing-blank-lines"}
    for r in range(rounds):
        rng = random.Random(seed * 1_000_003 + r)
        gen = _binary_mutations(data, rng) if binary else _text_mutations(data, rng)
        for m in gen:
            if not (r and m.name in once):
                yield m


def mutations(data: bytes, *, seed: int = 0, binary: bool | None = None, rounds: int = 1) -> list[Mutation]:
    """Deterministic mutations of ``data`` (the same seed gives the same list).

    Parameters
    ----------
    data
        The original file's bytes.
    seed
        Random seed.
    binary
        Treat as a binary file (truncation and bit flips only); default: guess from NUL bytes.
    rounds
        How many times to draw the randomised mutations (more files per fixture).

    Returns
    -------
    list of Mutation
    """
    return list(iter_mutations(data, seed=seed, binary=binary, rounds=rounds))


# ----------------------------------------------------------------------------- contract
def default_fingerprint(result: Any) -> dict[str, Any]:
    """Comparable data of a reader's result: arrays and numbers, without notes and paths."""
    if hasattr(result, "labels") and hasattr(result, "voxel_um"):  # LabelVolume
        return {"labels": np.asarray(result.labels), "voxel_um": result.voxel_um}
    if isinstance(result, list | tuple):
        return {str(k): default_fingerprint(r) for k, r in enumerate(result)}
    d = result.as_dict() if hasattr(result, "as_dict") else dict(vars(result))
    return {k: v for k, v in d.items() if k not in ("notes", "path", "source", "metadata", "@class")}


def default_notes(result: Any) -> tuple[str, ...]:
    """Notes of a result (``notes`` field, or ``info["notes"]`` of a volume; lists: all members)."""
    if isinstance(result, list | tuple):
        return tuple(n for r in result for n in default_notes(r))
    notes = tuple(getattr(result, "notes", ()) or ())
    info = getattr(result, "info", None)
    if isinstance(info, dict):
        notes += tuple(info.get("notes", ()))
    return notes


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return False
        if a and all(isinstance(x, int | float | type(None)) for x in a) and \
                all(isinstance(x, int | float | type(None)) for x in b):
            return _equal(np.array(a, dtype=float), np.array(b, dtype=float))
        return all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


class _Timeout(Exception):
    pass


def _call_with_timeout(fn: Callable[[], Any], timeout_s: float) -> Any:
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def _alarm(signum, frame):
            raise _Timeout

        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
        try:
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["exc"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout_s)
    if t.is_alive():
        raise _Timeout
    if "exc" in box:
        raise box["exc"]
    return box.get("result")


def check_reader(reader: Callable[[Path], Any], path: Path, *, original: Any = None, expect: str = "detect",
                 mutation: str = "", timeout_s: float = 10.0,
                 fingerprint: Callable[[Any], Any] = default_fingerprint,
                 notes_of: Callable[[Any], tuple[str, ...]] = default_notes) -> Outcome:
    """Call ``reader(path)`` once and judge it by the contract.

    Parameters
    ----------
    reader
        A callable taking a path (wrap options in a lambda).
    path
        The (mutated) file.
    original
        The reader's result on the unmutated file, for the silent-change check (None: skipped).
    expect
        The mutation's class (see :data:`EXPECTS`).
    mutation
        Name for the report.
    timeout_s
        Wall-clock limit of the call; over it counts as a hang.
    fingerprint, notes_of
        How to compare results and find their notes.

    Returns
    -------
    Outcome
        ``status`` one of same, noted, error, changed (allowed), foreign, hang, silent.
    """
    try:
        result = _call_with_timeout(lambda: reader(path), timeout_s)
    except _Timeout:
        return Outcome("hang", mutation, f"over {timeout_s} s")
    except SsbkitError as exc:
        msg = str(exc)
        if "internal error" in msg:  # a catch-all wrapper that hid a bug still counts as foreign
            return Outcome("foreign", mutation, msg[:300])
        return Outcome("error", mutation, msg[:200])
    except Exception as exc:  # noqa: BLE001 - this is what the contract forbids
        return Outcome("foreign", mutation, f"{type(exc).__name__}: {str(exc)[:300]}")
    if original is None:
        return Outcome("same", mutation)
    if _equal(fingerprint(result), fingerprint(original)):
        return Outcome("same", mutation)
    if set(notes_of(result)) - set(notes_of(original)):
        return Outcome("noted", mutation)
    if expect == "value":
        return Outcome("changed", mutation)
    return Outcome("silent", mutation, "data differ from the original's and no new note says why")


def run_fuzz(reader: Callable[[Path], Any], fixtures: Sequence[Path], *, rounds: int = 1, seed: int = 0,
             timeout_s: float = 10.0, binary: bool | None = None, limit: int | None = None,
             fingerprint: Callable[[Any], Any] = default_fingerprint,
             notes_of: Callable[[Any], tuple[str, ...]] = default_notes) -> FuzzReport:
    """Fuzz ``reader`` with mutations of every fixture; count outcomes.

    Parameters
    ----------
    reader
        ``reader(path) -> result`` (raises SsbkitError on bad input).
    fixtures
        Real files the reader reads cleanly (their results are the originals).
    rounds, seed, binary
        Passed to :func:`mutations`.
    timeout_s
        Per-call limit.
    limit
        At most this many mutations per fixture.
    fingerprint, notes_of
        See :func:`check_reader`.

    Returns
    -------
    FuzzReport
        Counts and the offending outcomes.
    """
    report = FuzzReport()
    with tempfile.TemporaryDirectory(prefix="ssbkit-fuzz-") as tmp:
        for fx in fixtures:
            fx = Path(fx)
            original = reader(fx)
            muts = iter_mutations(fx.read_bytes(), seed=seed, binary=binary, rounds=rounds)
            for k, m in enumerate(muts):
                if limit is not None and k >= limit:
                    break
                p = Path(tmp) / f"{k}-{fx.stem[:40]}{fx.suffix}"
                p.write_bytes(m.data)
                o = check_reader(reader, p, original=original, expect=m.expect, mutation=f"{fx.name}:{m.name}",
                                 timeout_s=timeout_s, fingerprint=fingerprint, notes_of=notes_of)
                report.add(o)
                p.unlink()
    return report
