"""The shipped bibliography: parseable, unique keys, every key cited in the code exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ssbkit.citations import (
    bibliography,
    cite,
    collect_citations,
    format_reference,
    reference,
    to_bibtex,
)
from ssbkit.errors import InputError

PKG = Path(__file__).resolve().parents[2] / "ssbkit"


def test_every_entry_can_be_found_by_a_reader():
    """Title and year, and a DOI, a URL, journal + volume + pages, or a note saying what it is."""
    for key, ref in bibliography().items():
        assert ref.title and ref.year, key
        assert ref.doi or ref.url or (ref.container and ref.volume and ref.pages) or ref.note, key


def test_every_cite_call_in_the_package_names_a_key_of_the_bibliography():
    keys = set(bibliography())
    used = set()
    for path in PKG.rglob("*.py"):
        used |= set(re.findall(r"""\bcite\(\s*["']([A-Za-z0-9_:-]+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(used - keys)
    assert not missing, missing


def test_collect_records_first_use_order_once_and_nests():
    with collect_citations() as outer:
        cite("Mizuno2005")
        with collect_citations() as inner:
            cite("Kato2018")
            cite("Mizuno2005")
    assert outer == ["Mizuno2005", "Kato2018"]
    assert inner == ["Kato2018", "Mizuno2005"]


def test_unknown_key_is_refused_with_a_suggestion():
    with pytest.raises(InputError, match="Mizuno2005"):
        reference("Mizuno2050")


def test_formatted_reference_and_bibtex_export_carry_the_doi():
    assert "10.1021/acs.jpclett.7b02880" in format_reference("Kato2018")
    assert "10.1021/acs.jpclett.7b02880" in to_bibtex(["Kato2018"])
