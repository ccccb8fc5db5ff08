"""Keep BLAS to one thread around the small dense solves of Lin-KK and the DRT."""

from __future__ import annotations

import contextlib

_BLAS: list = []


def one_blas_thread() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread while solving (matrices of ~100 x 100).

    Multi-threaded OpenBLAS on matrices this small is slower, and on a loaded
    machine 20x slower (threads spin waiting for each other). Uses threadpoolctl
    where installed; a no-op otherwise.

    Returns
    -------
    contextlib.AbstractContextManager
        The limit, to be used in a ``with`` statement.
    """
    if not _BLAS:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS.append(ThreadpoolController())
        except ImportError:  # optional
            _BLAS.append(None)
    ctl = _BLAS[0]
    return contextlib.nullcontext() if ctl is None else ctl.limit(limits=1, user_api="blas")
