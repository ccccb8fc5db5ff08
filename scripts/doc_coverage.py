"""Share of public functions whose numpydoc docstring has Parameters and Returns sections.

A function needs ``Parameters`` when it takes arguments other than self/cls, and
``Returns`` (or ``Yields``) unless it returns None. Properties, dunder methods,
private names (leading underscore), typer command callbacks in ``ssbkit/cli``
and functions named in ``__all__`` of no module but nested inside others are
skipped.

Usage: ``python scripts/doc_coverage.py [PATH ...] [--list]``
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _needs(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, bool]:
    args = [a.arg for a in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs if a.arg not in ("self", "cls")]
    has_args = bool(args) or fn.args.vararg is not None or fn.args.kwarg is not None
    ret = fn.returns
    returns_none = ret is None and not any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(fn))
    if isinstance(ret, ast.Constant) and ret.value is None:
        returns_none = True
    if isinstance(ret, ast.Constant) and ret.value == "None":
        returns_none = True
    return has_args, not returns_none


def _public_functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            yield node.name, node
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef) and not sub.name.startswith("_"):
                    if any(isinstance(d, ast.Name) and d.id in ("property", "cached_property") for d in sub.decorator_list):
                        continue
                    yield f"{node.name}.{sub.name}", sub


def check(paths: list[Path]) -> tuple[int, int, list[str]]:
    """Return (documented, total, missing names) over the .py files under ``paths``."""
    total = ok = 0
    missing: list[str] = []
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for f in files:
            rel = f.relative_to(ROOT) if f.is_relative_to(ROOT) else f
            if "cli" in rel.parts[:2] or f.name == "__main__.py":
                continue
            for name, fn in _public_functions(f):
                doc = ast.get_docstring(fn) or ""
                need_p, need_r = _needs(fn)
                good = bool(doc)
                if need_p and "Parameters\n" not in doc and "Parameters\r\n" not in doc:
                    good = False
                if need_r and not any(s in doc for s in ("Returns\n", "Yields\n")):
                    good = False
                total += 1
                ok += good
                if not good:
                    missing.append(f"{rel}:{fn.lineno} {name}")
    return ok, total, missing


def main(argv: list[str]) -> int:
    show = "--list" in argv
    paths = [Path(a).resolve() for a in argv if not a.startswith("--")] or [ROOT / "ssbkit"]
    ok, total, missing = check(paths)
    print(f"numpydoc Parameters/Returns: {ok}/{total} public functions ({100 * ok / max(total, 1):.1f} %)")
    if show:
        print("\n".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
