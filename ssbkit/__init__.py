"""ssbkit: all-solid-state battery research toolkit.

The package follows the data flow from material to cell::

    materials -> transport -> impedance -> microstructure -> cell -> atomistic
    -> study (pipeline, report) -> store (results database)

Each layer imports only the layers before it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
