"""Results database (SQLite by default, PostgreSQL by URL)."""

from .db import (
    ResultsStore,
    RunRecord,
    default_url,
    input_key,
    mask_url,
    open_store,
    software_versions,
)

__all__ = ["RunRecord", "ResultsStore", "default_url", "input_key", "mask_url", "open_store", "software_versions"]
