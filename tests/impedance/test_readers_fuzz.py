"""Deterministic mutation fuzzing of the impedance readers (issue 10, item 4).

Every base file (our synthetic fixtures and pyimpspec's example files) is read
once as the reference; then mutated copies are read. Each outcome is one of

``error``       an :class:`ssbkit.errors.SsbkitError` (the contract: file and line named);
``same``        the same spectra as the original, value for value;
``noted``       different spectra that carry a note the original did not have;
``undetectable`` a change no reader can see: a bit flip that turns one digit into
                another digit (one value changes, still a valid number), or a
                truncation at a row boundary / inside the last number of a format
                that does not declare its length (a prefix of the original rows);
``foreign``     any other exception - a bug;
``hang``        more than :data:`TIME_LIMIT_S` for one file - a bug;
``silent``      different spectra and no new note - a bug.

The readers are called without the catch-all of ``read_spectra`` (``_read_unguarded``),
so that a foreign exception inside a reader is counted, not hidden. The quick slice
runs in the default suite; the large run (>= 10,000 files) is marked slow and its
counts are in benchmarks/results/intake-eis.md.
"""

from __future__ import annotations

import os
import random
import re
import signal
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ssbkit.errors import SsbkitError
from ssbkit.impedance.readers import _annotate, _read_unguarded, _resolve, detect_format
from ssbkit.impedance.readers._text import normalise_sign

FIX = Path(__file__).parent / "fixtures"
TIME_LIMIT_S = 10.0
_BAD = ("foreign", "hang", "silent")


def _reference_files() -> list[Path]:
    """impedance.py's example files and the pellet series in ../shared, where present."""
    for c in (os.environ.get("SSBKIT_SHARED", ""), str(Path(__file__).resolve().parents[3]
                                                        / "shared")):
        ref = Path(c) / "reference" / "eis" if c else None
        if ref is not None and ref.is_dir():
            return sorted(p for p in ref.rglob("*") if p.is_file() and p.suffix != ".md")
    return []


def base_files(include_spreadsheets: bool = False, reference: bool = False) -> list[Path]:
    """The fuzz corpus: synthetic fixtures and pyimpspec's files (spreadsheets optional),
    and with ``reference`` the ../shared impedance files where present."""
    files = sorted(FIX.glob("synthetic*")) + sorted((FIX / "pyimpspec").glob("*"))
    if reference:
        files += _reference_files()
    skip = {".md", ".xlsx", ".ods"} if not include_spreadsheets else {".md"}
    return [p for p in files if p.suffix.lower() not in skip]


# ---------------------------------------------------------------- mutations
_NUM = re.compile(rb"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?(?![\w.])")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _truncate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    return data[: rng.randrange(1, len(data))], "truncation"


def _bitflip(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    buf = bytearray(data)
    i = rng.randrange(len(buf))
    buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf), "bitflip"


def _insert_line(data: bytes, rng: random.Random, text: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    i = rng.randrange(len(lines) + 1)
    return b"\n".join([*lines[:i], text, *lines[i:]]), kind


def _blank(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    empty = rng.choice([b"", b"   ", b"\t\t", b"\r", b",,", b";;;", b"\t \t"])
    return _insert_line(data, rng, empty, "blank line")


def _garbled(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    junk = bytes(rng.choice(b"abcXYZ#%&*!?;,.:01234 \t") for _ in range(rng.randrange(1, 40)))
    return _insert_line(data, rng, junk, "garbled line")


def _replace_row(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    lines = _lines(data)
    rows = [i for i, ln in enumerate(lines) if len(_NUM.findall(ln)) >= 3]
    if not rows:
        return _garbled(data, rng)
    i = rng.choice(rows)
    lines[i] = rng.choice([b"###", b"n/a\tn/a\tn/a", lines[i][: len(lines[i]) // 2] + b"x"])
    return b"\n".join(lines), "damaged row"


def _bom(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    return b"\xef\xbb\xbf" * rng.randrange(1, 4) + data, "BOM"


def _newlines(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    plain = data.replace(b"\r\n", b"\n")
    return plain.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\r\r\n"])), "newlines"


def _encoding(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    codec = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252"])
    return text.encode(codec, errors="replace"), f"encoding {codec}"


def _nul(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    if rng.random() < 0.5:
        return data + b"\x00" * rng.randrange(1, 4096), "NUL padding"
    i = rng.randrange(len(data))
    return data[:i] + b"\x00" + data[i:], "NUL byte"


def _huge_field(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    field = rng.choice([b"9", b"x", b"1.5,"]) * rng.choice([1000, 200_000])
    lines[i] = lines[i] + rng.choice([b"\t", b",", b" "]) + field
    return b"\n".join(lines), "huge field"


def _bad_number(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    nums = list(_NUM.finditer(data))
    if not nums:
        return _bitflip(data, rng)
    m = rng.choice(nums)
    new = rng.choice([b"nan", b"NaN", b"inf", b"-inf", b"1e400", b"-1e999", b"9" * 400,
                      b"1" + b"0" * 5000])
    return data[: m.start()] + new + data[m.end():], "NaN/inf/huge number"


def _decimal_comma(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    if b"," in data:
        return _bom(data, rng)
    return _NUM.sub(lambda m: m.group(0).replace(b".", b","), data), "decimal comma"


MUTATIONS = (_truncate, _bitflip, _bitflip, _blank, _garbled, _replace_row, _bom, _newlines,
             _encoding, _nul, _huge_field, _bad_number, _decimal_comma)


# ---------------------------------------------------------------- reading and judging
class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def read(path: Path, fmt_name: str | None = None):
    """Spectra of ``path`` via the registry, without the catch-all net of read_spectra."""
    fmt = _resolve(fmt_name or detect_format(path))
    return _annotate(path, fmt, _read_unguarded(path, fmt, normalise_sign("auto")))


def _key(spectra):
    return [(s.frequency_hz, s.z_ohm, s.temperature_c) for s in spectra]


def _same(a, b) -> bool:
    return len(a) == len(b) and all(
        x[0].shape == y[0].shape and np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1])
        and (x[2] == y[2] or (x[2] is None) == (y[2] is None) and x[2] is None)
        for x, y in zip(_key(a), _key(b), strict=True)
    )


def _undetectable(kind: str, base, got) -> bool:
    """A bit flip that changes one value, or a shortening to a prefix of the rows."""
    if kind == "bitflip" and len(base) == len(got):
        changed = 0
        for s, t in zip(base, got, strict=True):
            if len(s) != len(t):
                return False
            changed += int(np.sum((s.frequency_hz != t.frequency_hz) | (s.z_ohm != t.z_ohm)))
        return changed <= 2  # one value, moved by re-sorting at most one neighbour
    if kind == "truncation" and 0 < len(got) <= len(base):
        for s, t in zip(base, got, strict=False):
            n = len(t)
            if n > len(s):
                return False
            pts = set(zip(s.frequency_hz.tolist(), s.z_ohm.tolist(), strict=True))
            new = [p for p in zip(t.frequency_hz.tolist(), t.z_ohm.tolist(), strict=True)
                   if p not in pts]
            if len(new) > 1:
                return False
        return True
    return False


def classify(path: Path, base, kind: str, fmt_name: str | None = None) -> tuple[str, str]:
    """(outcome, detail) of reading a mutated file; see the module docstring."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        got = read(path, fmt_name)
    except _Timeout:
        return "hang", ""
    except SsbkitError:
        return "error", ""
    except Exception as exc:  # noqa: BLE001 - counting foreign exceptions is the point
        return "foreign", f"{type(exc).__name__}: {str(exc)[:100]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    if _same(base, got):
        return "same", ""
    base_notes = {n for s in base for n in s.notes}
    if any(set(s.notes) - base_notes for s in got):
        return "noted", ""
    if _undetectable(kind, base, got):
        return "undetectable", ""
    return "silent", f"{len(base)}->{len(got)} spectra, points {[len(s) for s in got]}"


def run(n_per_file: int, seed: int, tmp: Path, files: list[Path] | None = None):
    """Mutate each base file ``n_per_file`` times; returns (Counter, list of bad cases)."""
    counts: Counter = Counter()
    bad: list[tuple[str, str, str, str]] = []
    for k, base_path in enumerate(files or base_files()):
        base = read(base_path)
        rng = random.Random(seed * 100_003 + k)
        data = base_path.read_bytes()
        for j in range(n_per_file):
            mutate = MUTATIONS[j % len(MUTATIONS)]
            mutated, kind = mutate(data, rng)
            p = tmp / f"m{j % 7}" / base_path.name  # same name: format and temperature stay
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(mutated)
            outcome, detail = classify(p, base, kind)
            counts[outcome] += 1
            counts[f"{kind}:{outcome}"] += 1
            if outcome in _BAD:
                bad.append((base_path.name, kind, outcome, detail))
    return counts, bad


def _summary(counts: Counter) -> str:
    total = sum(counts[o] for o in ("error", "same", "noted", "undetectable", *_BAD))
    return f"{total} files: " + ", ".join(
        f"{o} {counts[o]}" for o in ("error", "same", "noted", "undetectable", *_BAD))


def test_every_base_file_is_read():
    """The corpus itself reads (otherwise a mutant has nothing to be compared with)."""
    for p in base_files(include_spreadsheets=True):
        assert read(p), p


def test_quick_fuzz_no_foreign_exception_no_hang_no_silent_change(tmp_path):
    """1,800 mutants (40 per base file, every mutation kind): 0 foreign, 0 hang, 0 silent."""
    counts, bad = run(40, seed=1, tmp=tmp_path)
    print(_summary(counts))
    assert not bad, bad[:10]
    assert counts["error"] > 0 and counts["same"] > 0 and counts["noted"] > 0


@pytest.mark.slow
def test_large_fuzz_run(tmp_path):
    """>= 10,000 mutants incl. spreadsheets: 0 foreign, 0 hang, 0 silent (counts printed)."""
    files = base_files(include_spreadsheets=True, reference=True)
    counts, bad = run(max(1, 10_400 // len(files) + 1), seed=2, tmp=tmp_path, files=files)
    print(_summary(counts))
    for key in sorted(k for k in counts if ":" in k):
        print(f"  {key}: {counts[key]}")
    assert sum(counts[o] for o in ("error", "same", "noted", "undetectable", *_BAD)) >= 10_000
    assert not bad, bad[:10]
