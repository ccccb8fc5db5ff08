"""The ``[study]`` table: name and description of a study."""

from __future__ import annotations

from .section import KeySpec

__all__ = ["SCHEMA"]

SCHEMA = {
    "name": KeySpec(str, "unnamed study", "name of the study, shown in the report"),
    "description": KeySpec(str, "", "free text shown under the title"),
    "author": KeySpec(str, "", "who ran it"),
}
