"""numpydoc Parameters/Returns sections on at least 90 % of the package's public functions (issue 9)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _checker():
    spec = importlib.util.spec_from_file_location("doc_coverage", ROOT / "scripts" / "doc_coverage.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_at_least_90_percent_of_public_functions_have_parameters_and_returns():
    ok, total, missing = _checker().check([ROOT / "ssbkit"])
    assert total > 500  # the checker sees the package (guards against an empty walk)
    assert ok / total >= 0.90, f"{ok}/{total}; first missing: {missing[:10]}"
