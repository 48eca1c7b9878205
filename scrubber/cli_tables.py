"""``scrub tables``: list the reference tables, import a CMS quarterly MUE, NCCI or HCPCS file."""

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
    kind: str = typer.Argument(..., help="mue, ncci or hcpcs"),
    path: str = typer.Argument(..., help="The CMS file (CSV or tab-separated text)."),
    table: str | None = typer.Option(
        None, "--table", help="mue: practitioner|facility|dme; ncci: practitioner|hospital (not for hcpcs)"
    ),
    release: str = typer.Option(..., "--release", help="Release name, e.g. 2027Q1."),
    effective_from: str = typer.Option(..., "--effective-from", help="First date of service (YYYY-MM-DD)."),
    data_dir: str | None = typer.Option(
        None, "--data-dir", help="Tables folder (default: the installed one)."
    ),
    partial: bool = typer.Option(
        False, "--partial", help="hcpcs: the file lists some codes only (no completeness claimed)."
    ),
) -> None:
    """Load a CMS quarterly MUE, NCCI PTP or HCPCS Level II file into the reference tables (a new release)."""
    from .importer import KINDS, import_file
    from .tables import DATA_DIR, TableError

    if kind == "hcpcs":
        _import_hcpcs(path, release, effective_from, partial, Path(data_dir) if data_dir else DATA_DIR)
        return
    if kind not in KINDS:
        fail(f"kind must be one of {', '.join([*KINDS, 'hcpcs'])}")
    if table is None:
        fail(f"{kind}: --table is required")
    try:
        count, target = import_file(
            kind, path, table, release, effective_from, Path(data_dir) if data_dir else DATA_DIR
        )
    except (TableError, OSError, ValueError) as exc:
        fail(f"{path}: {exc}")
    typer.echo(f"scrub: {count} {table} rows imported into {target}", err=True)


def _import_hcpcs(path: str, release: str, effective_from: str, partial: bool, data_dir: Path) -> None:
    from .importer_hcpcs import import_hcpcs
    from .tables import TableError

    try:
        count, target = import_hcpcs(path, release, effective_from, partial, data_dir)
    except (TableError, OSError, ValueError, KeyError) as exc:
        fail(f"{path}: {exc}")
    typer.echo(f"scrub: {count} HCPCS Level II codes imported into {target}", err=True)
