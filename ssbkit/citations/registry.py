"""Load the shipped BibTeX files (pybtex), look keys up, and record which were used."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from ..errors import InputError, did_you_mean
from ..records import Record

__all__ = [
    "Reference",
    "bibliography",
    "cite",
    "collect_citations",
    "format_reference",
    "reference",
    "to_bibtex",
]

_ACTIVE: contextvars.ContextVar[tuple[list[str], ...]] = contextvars.ContextVar(
    "ssbkit_citations", default=()
)


@dataclass(frozen=True)
class Reference(Record):
    """One bibliography entry.

    Attributes
    ----------
    key
        The citation key (``Mizuno2005``).
    kind
        BibTeX entry type (``article``, ``book``, ``misc``, ...).
    authors
        Author names as ``"Last, First"``.
    title, container, volume, pages, year, doi, url, note
        The usual fields (``container`` is the journal, book or publisher).
    """

    key: str
    kind: str
    authors: tuple[str, ...] = ()
    title: str = ""
    container: str = ""
    volume: str = ""
    pages: str = ""
    year: str = ""
    doi: str = ""
    url: str = ""
    note: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@cache
def bibliography() -> dict[str, Reference]:
    """Every entry of every shipped ``.bib`` file, by key.

    Returns
    -------
    dict of str to Reference
        Keys are unique across files (a duplicate raises :class:`InputError`).
    """
    from pybtex.database import parse_string

    out: dict[str, Reference] = {}
    folder = resources.files("ssbkit.citations").joinpath("data")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".bib"):
            continue
        db = parse_string(item.read_text(encoding="utf-8"), "bibtex")
        for key, entry in db.entries.items():
            if key in out:
                raise InputError(f"citation key {key!r} is defined twice (second in {item.name})")
            out[key] = _reference(key, entry)
    return out


def _reference(key: str, entry) -> Reference:
    f = {k.lower(): _clean(str(v)) for k, v in entry.fields.items()}
    people = entry.persons.get("author", [])
    authors = tuple(_person(p) for p in people)
    container = f.get("journal") or f.get("booktitle") or f.get("publisher") or f.get("howpublished", "")
    return Reference(
        key=key, kind=entry.type, authors=authors, title=f.get("title", ""), container=container,
        volume=f.get("volume", ""), pages=f.get("pages", "").replace("--", "-"), year=f.get("year", ""),
        doi=f.get("doi", ""), url=f.get("url", ""), note=f.get("note", ""), fields=f,
    )


def _person(p) -> str:
    last = " ".join(p.prelast_names + p.last_names)
    first = " ".join(p.first_names + p.middle_names)
    return _clean(f"{last}, {first}" if first else last)


def _clean(text: str) -> str:
    for a, b in (("{\\\"o}", "ö"), ("{\\\"u}", "ü"), ("{\\\"a}", "ä"), ("{\\'e}", "é"), ("{\\'y}", "ý"),
                 ("\\&", "&"), ("{", ""), ("}", "")):
        text = text.replace(a, b)
    return " ".join(text.split())


def reference(key: str) -> Reference:
    """The bibliography entry of ``key``.

    Parameters
    ----------
    key
        A citation key (``"Mizuno2005"``).

    Returns
    -------
    Reference
        The entry.

    Raises
    ------
    InputError
        Unknown key (with the closest known one).
    """
    bib = bibliography()
    if key not in bib:
        raise InputError(f"unknown citation key {key!r}{did_you_mean(key, bib)}")
    return bib[key]


def cite(key: str, where: str = "") -> str:
    """Record that the running computation uses ``key``; return ``key``.

    Parameters
    ----------
    key
        A key of the shipped bibliography (checked).
    where
        Optional pointer into the source (``"eq. 4"``, ``"R-19"``, ``"Table 2"``)
        for the reader of the calling code; only the key is collected.

    Returns
    -------
    str
        ``key``, so that a record can store ``references=(cite("Kato2018"),)``.
    """
    reference(key)
    for used in _ACTIVE.get():
        if key not in used:
            used.append(key)
    return key


@contextlib.contextmanager
def collect_citations() -> Iterator[list[str]]:
    """Collect, in first-use order, the keys :func:`cite` sees inside the block (nestable).

    Yields
    ------
    list of str
        Filled while the block runs.
    """
    used: list[str] = []
    token = _ACTIVE.set(_ACTIVE.get() + (used,))
    try:
        yield used
    finally:
        _ACTIVE.reset(token)


def format_reference(key: str) -> str:
    """A one-line citation of ``key``.

    Parameters
    ----------
    key
        A citation key.

    Returns
    -------
    str
        ``"F. Mizuno, A. Hayashi, ... Adv. Mater. 17 (2005) 918-921. doi:..."``.
    """
    r = reference(key)
    names = [_initials(a) for a in r.authors]
    if len(names) > 6:
        names = names[:5] + ["et al"]
    parts = [", ".join(names)] if names else []
    if r.title:
        parts.append(r.title)
    src = " ".join(x for x in (r.container, r.volume) if x)
    if r.year:
        src = f"{src} ({r.year})" if src else r.year
    if r.pages:
        src = f"{src} {r.pages}"
    if src:
        parts.append(src)
    text = ". ".join(parts) + "."
    if r.doi:
        text += f" doi:{r.doi}"
    elif r.url:
        text += f" {r.url}"
    return text


def _initials(name: str) -> str:
    if "," not in name:
        return name
    last, first = (s.strip() for s in name.split(",", 1))
    ini = " ".join(f"{w[0]}." for w in first.replace("-", " ").split() if w and w[0].isalpha())
    return f"{ini} {last}".strip()


def to_bibtex(keys: list[str] | tuple[str, ...]) -> str:
    """BibTeX text of ``keys``, for a user's reference manager.

    Parameters
    ----------
    keys
        Citation keys.

    Returns
    -------
    str
        The entries as BibTeX.
    """
    from pybtex.database import BibliographyData, parse_string

    out = BibliographyData()
    folder = resources.files("ssbkit.citations").joinpath("data")
    wanted = set(keys)
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".bib"):
            db = parse_string(item.read_text(encoding="utf-8"), "bibtex")
            for k, e in db.entries.items():
                if k in wanted:
                    out.entries[k] = e
    return out.to_string("bibtex")
