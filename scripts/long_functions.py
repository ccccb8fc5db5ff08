"""List functions longer than N lines (default 60): candidates to split by step.

Usage: ``python scripts/long_functions.py [N] [PATH ...]``
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def long_functions(paths: list[Path], limit: int) -> list[tuple[int, str]]:
    """Return ``(lines, "file:line name")`` for every function over ``limit`` lines."""
    out = []
    for base in paths:
        for f in [base] if base.is_file() else sorted(base.rglob("*.py")):
            tree = ast.parse(f.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    n = (node.end_lineno or node.lineno) - node.lineno + 1
                    if n > limit:
                        out.append((n, f"{f.relative_to(ROOT)}:{node.lineno} {node.name}"))
    return sorted(out, reverse=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    limit = int(args.pop(0)) if args and args[0].isdigit() else 60
    for n, where in long_functions([Path(a).resolve() for a in args] or [ROOT / "ssbkit"], limit):
        print(f"{n:5d}  {where}")
