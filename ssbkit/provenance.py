"""What produced a result: software versions, for every record and result file.

Examples
--------
>>> v = software_versions()
>>> {"python", "ssbkit", "numpy"} <= set(v)
True
"""

from __future__ import annotations

import platform
from functools import cache

__all__ = ["software_versions"]

#: packages whose versions can change a number ssbkit reports
PACKAGES = ("ssbkit", "numpy", "scipy", "pandas", "pymatgen", "pybamm", "ase", "chgnet", "sevenn", "torch",
            "impedance", "galvani", "numba")


@cache
def _versions() -> tuple[tuple[str, str], ...]:
    """Versions of Python, ssbkit and the scientific packages that matter to results.

    Returns
    -------
    dict of str to str
        Package name -> version (packages that are not installed are left out).
    """
    from importlib import metadata

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return tuple(out.items())


def software_versions() -> dict[str, str]:
    """Versions of Python, ssbkit and the scientific packages that matter to results.

    Returns
    -------
    dict of str to str
        Package name -> version (packages that are not installed are left out).
    """
    return dict(_versions())
