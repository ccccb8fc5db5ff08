"""Every ``Examples`` section in the package runs as a doctest (numpydoc examples that run)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "ssbkit"
MODULES = sorted(
    ".".join(p.relative_to(PKG.parent).with_suffix("").parts)
    for p in PKG.rglob("*.py")
    if ">>>" in p.read_text(encoding="utf-8") and p.name != "__main__.py"
)


@pytest.mark.parametrize("modname", MODULES)
def test_docstring_examples_run(modname):
    try:
        mod = importlib.import_module(modname)
    except ImportError as exc:  # an optional extra that is not installed
        pytest.skip(f"{modname}: {exc}")
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    res = doctest.testmod(mod, optionflags=flags, verbose=False, report=True)
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples failed in {modname}"
