"""Where numba keeps its compiled kernels: a directory the user can write.

numba caches compiled functions (``cache=True``) next to the module, in
``__pycache__``; in a system-wide or read-only install that fails and every
run compiles again (the 10-20 s of a first solve). Before the kernels are
defined, :func:`configure_cache` points ``NUMBA_CACHE_DIR`` at the user cache
directory (``platformdirs.user_cache_dir("ssbkit")/numba``) when the package
directory is not writable and the user has not chosen one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["configure_cache", "JIT_OPTIONS"]

#: Options of the solver kernels. error_model "numpy": a division by zero gives inf instead
#: of a test and a raise per division (the kernels never divide by a zero diagonal: empty
#: cells are skipped first).
JIT_OPTIONS = {"parallel": True, "cache": True, "fastmath": False, "nogil": True, "error_model": "numpy"}


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def configure_cache(package_dir: Path | None = None) -> str | None:
    """Set ``NUMBA_CACHE_DIR`` to a user cache dir if the package dir is read-only.

    Parameters
    ----------
    package_dir : pathlib.Path, optional
        Directory of the modules with cached kernels (default: this package).

    Returns
    -------
    str or None
        The cache directory set, or None when nothing had to change.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    folder = (package_dir or Path(__file__).resolve().parent) / "__pycache__"
    if _writable(folder):
        return None
    from platformdirs import user_cache_dir

    target = Path(user_cache_dir("ssbkit")) / "numba"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # nowhere to cache: numba compiles in memory
    os.environ["NUMBA_CACHE_DIR"] = str(target)
    if "numba" in sys.modules:  # numba read its configuration already
        sys.modules["numba"].config.CACHE_DIR = str(target)
    return str(target)
