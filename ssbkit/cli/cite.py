"""``ssbkit cite``: the references behind ssbkit's models, or exactly those a stored run used."""

from __future__ import annotations

import typer
from rich.console import Console

from ssbkit.cli.util import echo_json
from ssbkit.errors import InputError

__all__ = ["register", "cite"]

console = Console()


def cite(
    keys: list[str] = typer.Argument(None, help="Citation keys (default: the whole bibliography)."),
    run: int = typer.Option(None, "--run", help="Only the citations of this stored run (ssbkit results list)."),
    db: str = typer.Option(None, "--db", help="Results store URL or SQLite path."),
    bibtex: bool = typer.Option(False, "--bibtex", help="Print BibTeX instead of formatted references."),
    as_json: bool = typer.Option(False, "--json", help="Print the references as JSON records."),
) -> None:
    """List references: every model, parameter and data row of ssbkit cites one."""
    from ssbkit.citations import bibliography, format_reference, reference, to_bibtex

    if run is not None:
        from ssbkit.store import open_store

        rec = open_store(db).get(run)
        keys = list((rec.outputs or {}).get("citations") or [])
        if not keys:
            raise InputError(f"run {run} recorded no citations (it predates the citation registry)")
    chosen = list(keys) if keys else sorted(bibliography())
    refs = [reference(k) for k in chosen]
    if bibtex:
        typer.echo(to_bibtex(chosen))
    elif as_json:
        echo_json([r.as_dict() | {"formatted": format_reference(r.key)} for r in refs])
    else:
        for r in refs:
            console.print(f"[bold]{r.key}[/]  {format_reference(r.key)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``ssbkit cite`` to the main app."""
    app.command("cite")(cite)
