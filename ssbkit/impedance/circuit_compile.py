"""A circuit tree -> two flat Python functions for Z and (Z, dZ/dp), generated once.

The Jacobian is analytic where the element provides derivatives, central differences
(relative step 6e-6, about the cube root of machine epsilon) inside the elements that
do not; series and parallel rules (dZ/dZ_i = (Z/Z_i)^2 in parallel) are exact.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .circuit_parse import Node
from .elements import Element

__all__: list[str] = []


def _numeric_dz(el: Element) -> Callable:
    def dz(w, z, *p):
        out = []
        for k in range(len(p)):
            h = 6e-6 * max(abs(p[k]), 1e-300) if el.kinds[k] != "exponent" else 6e-6
            hi = list(p)
            lo = list(p)
            hi[k] = p[k] + h
            lo[k] = p[k] - h
            out.append((el.z(w, *hi) - el.z(w, *lo)) / (2 * h))
        return out

    return dz


def _codegen(tree: Node):
    """Compile the tree into two flat Python functions (generated source, no nesting):
    ``fn(p, w) -> (Z, J)`` and ``fz(p, w) -> Z``. Resistors become scalars; every
    element's derivative rows are scaled by the parallel factors (Z/Z_i)^2 on its
    path to the root. Returns (fn, fz, n_params)."""
    env: dict = {"np": np}
    lines_z: list[str] = []  # shared by both functions
    lines_j: list[str] = []
    rows: list[tuple[str, list[str]]] = []  # (derivative expression, factor names)
    counter = [0, 0, 0]  # element index, parameter offset, composite-node index

    scalar: set[str] = set()  # names holding a Python scalar (resistor-only branches)

    def emit(node: Node, factors: list[str]) -> str:
        if node.kind == "element":
            el = node.elem
            i, off = counter[0], counter[1]
            counter[0] += 1
            counter[1] += el.n_params
            args = ", ".join(f"p[{off + j}]" for j in range(el.n_params))
            zname = f"z{i}"
            if el.name == "R":
                lines_z.append(f"{zname} = p[{off}]")
                scalar.add(zname)
                rows.append(("1.0", list(factors)))
                return zname
            env[f"Z{i}"] = el.z
            lines_z.append(f"{zname} = Z{i}(w, {args})")
            dz = el.dz or _numeric_dz(el)
            env[f"D{i}"] = dz
            lines_j.append(f"d{i} = D{i}(w, {zname}, {args})")
            for j in range(el.n_params):
                rows.append((f"d{i}[{j}]", list(factors)))
            return zname
        k = counter[2]
        counter[2] += 1
        if node.kind == "series":
            names = [emit(c, factors) for c in node.children]
            name = f"s{k}"
            lines_z.append(f"{name} = " + " + ".join(names))
        else:  # parallel: children first, with their factor names reserved
            name = f"q{k}"
            fac = [f"g{k}_{j}" for j in range(len(node.children))]
            names = [emit(c, factors + [fac[j]]) for j, c in enumerate(node.children)]
            lines_z.append(f"{name} = 1.0 / (" + " + ".join(f"1.0 / {n}" for n in names) + ")")
            for f_, n in zip(fac, names, strict=True):
                lines_j.append(f"{f_} = ({name} / {n}) ** 2")
        if all(n in scalar for n in names):
            scalar.add(name)
        return name

    root = emit(tree, [])
    n_par = counter[1]
    out = f"{root} + np.zeros(w.shape, complex)" if root in scalar else root
    body_z = "\n    ".join(lines_z)
    src_z = f"def fz(p, w):\n    {body_z}\n    return {out}\n"
    jl = _jacobian_lines(rows, n_par)
    body_j = "\n    ".join(lines_z + lines_j + jl)
    src_fn = f"def fn(p, w):\n    {body_j}\n    return {out}, J\n"
    exec(compile(src_z + src_fn, "<circuit>", "exec"), env)  # noqa: S102 - source built above
    return env["fn"], env["fz"], n_par


def _jacobian_lines(rows: list[tuple[str, list[str]]], n_par: int) -> list[str]:
    """Source lines filling ``J``: row r is its derivative expression times the product of
    the parallel factors on its path (one product per path)."""
    jl = [f"J = np.empty(({n_par}, w.size), complex)"]
    prods: dict[tuple[str, ...], str] = {}  # one product per path of parallel factors
    for r, (expr, facs) in enumerate(rows):
        key = tuple(facs)
        if len(key) > 1 and key not in prods:
            prods[key] = f"G{len(prods)}"
            jl.append(f"{prods[key]} = " + " * ".join(key))
        fac = prods.get(key) or (key[0] if key else None)
        if fac is None:
            jl.append(f"J[{r}] = {expr}")
        elif expr == "1.0":
            jl.append(f"J[{r}] = {fac}")
        else:
            jl.append(f"np.multiply({expr}, {fac}, out=J[{r}])")
    return jl
