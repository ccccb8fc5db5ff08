"""Study files: TOML, validated against the schemas the layers declare.

Each table of a study is owned by one section module (see
:data:`SECTION_MODULES`), whose ``SCHEMA`` lists the keys it accepts as
:class:`~ssbkit.study.section.KeySpec`. Validation names the bad key and
suggests the closest valid one, then fills in defaults.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

from ..errors import InputError, did_you_mean
from ..tomlio import read_toml
from ..unitcheck import check_key_units
from .section import KeySpec

__all__ = [
    "SECTION_ORDER",
    "SECTION_MODULES",
    "load_study",
    "validate_study",
    "section_schema",
    "example_study_path",
    "set_dotted",
]

#: the order in which the sections run (table -> module that owns it)
SECTION_MODULES: dict[str, str] = {
    "study": "ssbkit.study.study_table",
    "impedance": "ssbkit.study.sections.impedance",
    "atomistic": "ssbkit.study.sections.atomistic",
    "electrolyte": "ssbkit.study.sections.electrolyte",
    "cathode": "ssbkit.study.sections.microstructure",
    "anode": "ssbkit.study.sections.cell",
    "separator": "ssbkit.study.sections.cell",
    "cell": "ssbkit.study.sections.cell",
}
SECTION_ORDER = tuple(SECTION_MODULES)


def example_study_path() -> Path:
    """The bundled example study: In | 80Li2S-20P2S5 glass-ceramic | LiCoO2 (science.md 4).

    Returns
    -------
    pathlib.Path
    """
    from importlib import resources

    return Path(str(resources.files("ssbkit.study.data").joinpath("example.toml")))


def section_schema(table: str) -> dict[str, KeySpec]:
    """The ``{key: KeySpec}`` schema of ``table`` from the module that renders it.

    Parameters
    ----------
    table
        A study table name.

    Returns
    -------
    dict of str to KeySpec

    Raises
    ------
    InputError
        The section's module cannot be imported (a missing extra).
    """
    modname = SECTION_MODULES[table]
    try:
        mod = importlib.import_module(modname)
    except ImportError as exc:
        raise InputError(f"[{table}] cannot be used: {modname} is not available ({exc})") from None
    schema = getattr(mod, "SCHEMA", None)
    if schema is None:
        schema = getattr(mod, "SCHEMAS", {}).get(table)
    if schema is None:
        raise InputError(f"[{table}] has no schema in {modname}")
    if schema and all(isinstance(v, dict) for v in schema.values()) and table in schema:
        schema = schema[table]  # a module that owns several tables: {table: {key: KeySpec}}
    return schema


def _type_ok(value: Any, spec: KeySpec) -> bool:
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    for t in types:
        if t is float and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if t is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if t not in (float, int) and isinstance(value, t):
            return True
    return False


def _type_name(spec: KeySpec) -> str:
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    names = {float: "number", int: "integer", str: "string", bool: "true/false", list: "list", dict: "table"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def validate_table(table: str, values: dict[str, Any], schema: dict[str, KeySpec], source: str = "study",
                   warnings: list[str] | None = None) -> dict:
    """Check one table against its schema and the units its key names carry.

    Parameters
    ----------
    table
        Table name.
    values
        The table as parsed.
    schema
        ``{key: KeySpec}``.
    source
        Named in messages (the file).
    warnings
        Loud unit warnings are appended here (see :func:`ssbkit.unitcheck.check_key_units`).

    Returns
    -------
    dict
        The table with defaults filled in.
    """
    if warnings is None:
        warnings = []
    if not isinstance(values, dict):
        raise InputError(f"{source}: [{table}] must be a table")
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in schema:
            raise InputError(f"{source}: unknown key '{table}.{key}'{did_you_mean(key, schema)}")
        spec = schema[key]
        if not _type_ok(value, spec):
            raise InputError(
                f"{source}: '{table}.{key}' must be a {_type_name(spec)} ({spec.doc}), got {value!r}"
            )
        out[key] = value
        for warning in check_key_units(table, key, value):
            warnings.append(f"{source}: {warning}")
    for key, spec in schema.items():
        if key in out:
            continue
        if spec.required:
            raise InputError(f"{source}: missing required key '{table}.{key}' ({spec.doc})")
        out[key] = copy.deepcopy(spec.default)
    return out


def validate_study(raw: dict[str, Any], *, source: str = "study", base_dir: Path | None = None) -> dict:
    """Validate a parsed study; return a new dict with every present table completed.

    Parameters
    ----------
    raw
        The parsed TOML document.
    source
        Named in messages (the file).
    base_dir
        Folder against which relative paths resolve (kept as ``study["_base_dir"]``).

    Returns
    -------
    dict
        The validated study; ``study["_warnings"]`` holds loud unit warnings.

    Raises
    ------
    InputError
        Unknown table or key (with a suggestion), wrong type, missing required key,
        a likely unit slip.
    """
    if not isinstance(raw, dict):
        raise InputError(f"{source}: a study must be a TOML document of tables")
    unknown = [k for k in raw if k not in SECTION_MODULES and not k.startswith("_")]
    if unknown:
        k = unknown[0]
        raise InputError(f"{source}: unknown table [{k}]{did_you_mean(k, SECTION_MODULES)}")
    if "electrolyte" not in raw:
        raise InputError(f"{source}: a study needs an [electrolyte] table")
    out: dict[str, Any] = {"_base_dir": str(base_dir or raw.get("_base_dir") or Path.cwd())}
    warnings: list[str] = []
    for table in SECTION_ORDER:
        if table in raw:
            out[table] = validate_table(table, raw[table], section_schema(table), source, warnings)
            _check_nested(table, raw[table], warnings)
    out["_warnings"] = warnings
    if "study" not in out:
        out["study"] = validate_table("study", {}, section_schema("study"), source)
    return out


def _check_nested(table: str, values: dict[str, Any], warnings: list[str]) -> None:
    """Unit checks inside sub-tables and inline tables (``mass_fractions``, ``[cathode.microstructure]``)."""
    for key, value in values.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                warnings.extend(check_key_units(f"{table}.{key}", sub, v))


def load_study(path: str | Path | None = None) -> dict:
    """Read and validate a study file (the bundled example when ``path`` is None).

    Parameters
    ----------
    path
        A TOML study file (UTF-8, a byte-order mark is accepted).

    Returns
    -------
    dict
        The validated study; ``study["_warnings"]`` holds loud unit warnings.
    """
    p = Path(path) if path is not None else example_study_path()
    raw = read_toml(p, what="study file")
    return validate_study(raw, source=str(p), base_dir=p.resolve().parent)


def set_dotted(study: dict, dotted: str, value: Any) -> dict:
    """A deep copy of ``study`` with ``a.b.c = value`` set (for sweeps).

    Parameters
    ----------
    study
        A study dict.
    dotted
        ``"table.key"`` or deeper.
    value
        The new value.

    Returns
    -------
    dict
        The modified copy (``study`` is unchanged).

    Examples
    --------
    >>> set_dotted({"cathode": {"porosity": 0.1}}, "cathode.porosity", 0.2)
    {'cathode': {'porosity': 0.2}}
    """
    out = copy.deepcopy(study)
    parts = dotted.split(".")
    node = out
    for p in parts[:-1]:
        if p not in node or not isinstance(node[p], dict):
            node[p] = {}
        node = node[p]
    node[parts[-1]] = value
    return out
