"""``scrub tables``: list the reference tables, import a CMS quarterly MUE or NCCI file."""

from __future__ import annotations

from pathlib import Path

import typer

from .cli import app, fail

tables_app = typer.Typer(
    no_args_is_help=True, help="Reference tables: list them, import CMS quarterly files."
)
app.add_typer(tables_app, name="tables")


@tables_app.command("list")
def list_tables() -> None:
    """Every reference table with its release, rows and source."""
    from . import tables

    for name, meta in sorted(tables.read_manifest().items()):
        table = tables.get(name)
        typer.echo(f"{name:20} release {meta['release']:22} {len(table):6} rows  {meta['file']}")


@tables_app.command("import")
def import_table(
    kind: str = typer.Argument(..., help="mue or ncci"),
    path: str = typer.Argument(..., help="The CMS file (CSV or tab-separated text)."),
    table: str = typer.Option(
        ..., "--table", help="mue: practitioner|facility|dme; ncci: practitioner|hospital"
    ),
    release: str = typer.Option(..., "--release", help="Release name, e.g. 2027Q1."),
    effective_from: str = typer.Option(..., "--effective-from", help="First date of service (YYYY-MM-DD)."),
    data_dir: str | None = typer.Option(
        None, "--data-dir", help="Tables folder (default: the installed one)."
    ),
) -> None:
    """Load a CMS quarterly MUE or NCCI PTP file into the reference tables (a new release)."""
    from .importer import KINDS, import_file
    from .tables import DATA_DIR, TableError

    if kind not in KINDS:
        fail(f"kind must be one of {', '.join(KINDS)}")
    try:
        count, target = import_file(
            kind, path, table, release, effective_from, Path(data_dir) if data_dir else DATA_DIR
        )
    except (TableError, OSError, ValueError) as exc:
        fail(f"{path}: {exc}")
    typer.echo(f"scrub: {count} {table} rows imported into {target}", err=True)
