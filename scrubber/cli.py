"""Command line: ``scrub check``, ``scrub edits``, ``scrub explain`` (thin: args -> engine -> exit code).

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage error, bad
configuration or a file that could not be read (the other files are still scrubbed and reported).
"""

from __future__ import annotations

import gc
import io
import os
import sys
import tempfile
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer

from . import __version__, memory, report
from .config import ConfigError, load
from .dask_exec import ExecutorError
from .pipeline import Engine, exit_code, expand, settle
from .registry import catalog
from .report import writer
from .times import AdminTimes, TimesError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Scrub X12 837P/837I claim files for infusion and injection billing errors.",
)


class Format(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
    html = "html"
    xlsx = "xlsx"


class Executor(StrEnum):
    local = "local"
    dask = "dask"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    never = "never"


def fail(message: str) -> None:
    typer.echo(f"scrub: {message}", err=True)
    raise typer.Exit(2)


def cannot_write(path: str, exc: OSError) -> None:
    """An output that could not be written: one line, exit 2."""
    fail(f"{path}: cannot write: {exc.strerror or type(exc).__name__}")


def _device(target: Path) -> bool:
    """An existing output that is not a regular file (a terminal, a pipe, /dev/full): written in
    place, since renaming a temporary file over it would replace the device."""
    try:
        return target.exists() and not target.is_file() and not target.is_dir()
    except OSError:
        return False


QUIET = False  # --quiet: informational lines on standard error are dropped (errors never are)


def info(message: str) -> None:
    if not QUIET:
        typer.echo(f"scrub: {message}", err=True)


def quiet_option() -> bool:
    return typer.Option(False, "--quiet", "-q", help="Print no informational lines (errors still).")


def summary_option() -> str | None:
    return typer.Option(
        None, "--summary-json", help="Also write the run's summary (no findings) as JSON here."
    )


def long_run(engine: Engine, files: int, quiet: bool, summary_json: str | None, inputs: list[str], bar=True):
    """--quiet, --summary-json and the progress bar (stderr on a terminal only); returns the bar."""
    from .report import progress

    global QUIET
    QUIET = quiet
    guard_output(summary_json, inputs, "summary")
    return progress.start(engine, files, quiet) if bar else None


def end_run(result, summary_json: str | None, code: int) -> None:
    """Write the --summary-json file, exit with ``code``."""
    from .report import progress

    if summary_json:
        write_atomic(summary_json, progress.summary_bytes(result, code))
    raise typer.Exit(code)


def write_atomic(path: str, data: bytes) -> None:
    """Write bytes through a temporary file in the same folder, renamed over ``path`` when complete;
    a path that cannot be written exits 2 with one line."""
    try:
        _write_atomic(path, data)
    except OSError as exc:
        cannot_write(path, exc)


def _write_atomic(path: str, data: bytes) -> None:
    target = Path(path)
    if _device(target):
        with open(target, "wb") as fh:
            fh.write(data)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        _final_mode(tmp, target)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _final_mode(tmp: str, target: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~umask)


@contextmanager
def atomic_output(path: str | None, binary: bool = False):
    """stdout, or a temp file beside ``path`` renamed over it only when writing succeeded."""
    if path is None or path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    target = Path(path)
    if str(target) == os.devnull or _device(target):
        mode = (
            {"mode": "wb"}
            if binary
            else {"mode": "w", "encoding": "utf-8", "errors": "surrogateescape", "newline": ""}
        )
        with open(target, **mode) as sink:
            yield sink
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path("."))
    try:
        # Claim text that is not UTF-8 was read with surrogateescape; write those bytes back as they were.
        text = {} if binary else {"encoding": "utf-8", "errors": "surrogateescape", "newline": ""}
        with os.fdopen(fd, "wb" if binary else "w", **text) as fh:
            yield fh
        _final_mode(tmp, target)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scrub {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Scrub X12 837P/837I claim files for infusion and injection billing errors."""


def settings(config, select, ignore, payer, fail_on, times, jobs=None) -> tuple:
    """The run's configuration and administration record; a usage error exits 2."""
    try:
        cfg = load(config)
        cfg.merge_cli(
            select=_split(select),
            ignore=_split(ignore),
            payer=payer,
            fail_on=fail_on.value if fail_on else None,
            times=times,
            jobs=jobs,
        )
        record = AdminTimes.load(cfg.times) if cfg.times else AdminTimes.empty()
    except (ConfigError, TimesError) as exc:
        fail(str(exc))
    return cfg, record


def guard_output(output: str | None, inputs: list[str], what: str) -> None:
    """Refuse an output that is a directory, an input file, or in a missing directory."""
    if not output or output in ("-", os.devnull):
        return
    out_path = Path(output).resolve()
    if out_path.is_dir():
        fail(f"{output}: is a directory; a file name is needed")
    if any(p != "-" and Path(p).resolve() == out_path for p in inputs):
        fail(f"{output}: the {what} would overwrite an input file")
    if not out_path.parent.is_dir():
        fail(f"{output}: directory does not exist")


def report_engine(engine: Engine, format: Format | None) -> Engine:
    """Have the engine keep per-claim data when the report format shows claims (HTML, XLSX)."""
    if format is not None and format.value in report.CLAIMS:
        from .report.claims import install

        install(engine, format.value)
    return engine


def _terminal(output: str | None) -> bool:
    """Whether a report to ``output`` goes to a terminal (the text report's colour)."""
    return output in (None, "-") and sys.stdout.isatty()


def write_report(result, output: str | None, format: Format) -> None:
    if output in (None, "-") and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="surrogateescape")
    if format.value in report.BINARY and output in (None, "-") and sys.stdout.isatty():
        fail(f"the {format.value} report is binary: give a file (--output / --report)")
    try:
        with atomic_output(output, binary=format.value in report.BINARY) as out:
            if format is Format.text:
                color = None if out is sys.stdout and sys.stdout.isatty() else False
                writer("text")(result, out, color=color)
            else:
                writer(format.value)(result, out)
    except OSError as exc:
        if output in (None, "-"):
            raise
        cannot_write(output, exc)
    if output and output not in ("-", os.devnull):
        size = Path(output).stat().st_size
        info(
            f"report written to {output} ({size / 1e6:.2f} MB)"
            if size >= 100_000
            else f"report written to {output}"
        )


@app.command()
def check(
    paths: list[str] = typer.Argument(
        ..., help="837 files, directories (every file under them) or - for stdin."
    ),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Report format."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the report here (default stdout)."),
    times: str | None = typer.Option(
        None, "--times", help="Administration-record CSV (infusion start/stop)."
    ),
    payer: str | None = typer.Option(
        None, "--payer", help="Force a payer profile: medicare, medicaid, commercial."
    ),
    config: str | None = typer.Option(None, "--config", help="TOML file with [tool.scrubber] settings."),
    select: list[str] | None = typer.Option(
        None, "--select", help="Only edits with these id prefixes (comma list)."
    ),
    ignore: list[str] | None = typer.Option(
        None, "--ignore", help="Skip edits with these id prefixes (comma list)."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", help="Processes for one large file (0 = one per core, 1 = no workers)."
    ),
    validate: bool = typer.Option(
        False, "--validate", help="Also run pyx12's implementation-guide validation (slow; STR012)."
    ),
    ack: str | None = typer.Option(None, "--ack", help="With --validate: write pyx12's 999 here."),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help="Lowest severity that makes the exit code 1."
    ),
    no_waivers: bool = typer.Option(False, "--no-waivers", help="Ignore the configured waivers."),
    baseline: str | None = typer.Option(None, "--baseline", help="Hide the findings this baseline records."),
    write_baseline: str | None = typer.Option(
        None, "--write-baseline", help="Record this run's findings as a baseline file."
    ),
    executor: Executor = typer.Option(Executor.local, "--executor", help="local processes, or dask."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="With --executor dask: scheduler address (default: a LocalCluster)."
    ),
    quiet: bool = quiet_option(),
    summary_json: str | None = summary_option(),
) -> None:
    """Check claim files and report findings by claim and line."""
    cfg, record = settings(config, select, ignore, payer, fail_on, times, jobs)
    if no_waivers:
        cfg.waivers = []
    cfg.validate = cfg.validate or validate or bool(ack)
    inputs = expand(paths)
    guard_output(output, inputs, "report")
    guard_output(ack, inputs, "999")
    guard_output(write_baseline, inputs, "baseline")
    for path in paths:
        if path != "-" and Path(path).is_dir() and not expand([path]):
            typer.echo(f"scrub: {path}: no files to scrub in this directory", err=True)
    engine = report_engine(check_engine(cfg, record, baseline, executor, scheduler), format)
    if format.value in report.TEXTS and not write_baseline:  # the findings are only written out
        engine.render = report.text(format.value)
    elif format is Format.text and not write_baseline and not _terminal(output):  # no colour
        engine.render = report.text("text")
    engine.want_ack = bool(ack)
    bar = long_run(engine, len(inputs), quiet, summary_json, inputs)
    settle()
    try:
        result = engine.scrub(inputs)
    except ExecutorError as exc:  # the Dask executor: a worker refused or the cluster failed
        fail(str(exc))
    finally:
        if bar is not None:
            bar.stop()
    for bad in result.unreadable:
        typer.echo(f"scrub: {bad.path}: {bad.error}", err=True)
    if ack:
        write_atomic(ack, "".join(engine.acks).encode("utf-8"))
    write_report(result, output, format)
    after_baseline(result, engine, write_baseline)
    end_run(result, summary_json, exit_code(result, cfg.fail_on))


def check_engine(cfg, record, baseline: str | None, executor: Executor, scheduler: str | None) -> Engine:
    """The engine for ``scrub check``: with the baseline's keys, local or on Dask (usage errors exit 2)."""
    from .baseline import BaselineError, load

    try:
        keys = load(baseline) if baseline else None
    except BaselineError as exc:
        fail(str(exc))
    if executor is Executor.local:
        if scheduler:
            fail("--scheduler needs --executor dask")
        engine = Engine(cfg, record, baseline=keys)
    else:
        from .dask_exec import DaskEngine

        try:
            engine = DaskEngine(cfg, record, baseline=keys, scheduler=scheduler)
        except ExecutorError as exc:
            fail(str(exc))
    engine.baseline_file = baseline
    return engine


def after_baseline(result, engine: Engine, write_baseline: str | None) -> None:
    """Say what the baseline hid; write the new baseline (atomically)."""
    if result.baseline is not None:
        base = result.baseline
        typer.echo(
            f"scrub: baseline {base['file']}: {base['hidden']} finding(s) hidden, "
            f"{len(base['stale'])} of {base['entries']} entries no longer occur",
            err=True,
        )
    if write_baseline:
        from .baseline import dump, recorded

        keys = recorded(result, engine.judge.tally.seen)
        write_atomic(write_baseline, dump(keys))
        typer.echo(f"scrub: baseline of {len(keys)} finding(s) written to {write_baseline}", err=True)


class CatalogFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
    markdown = "markdown"


CATALOG_COLUMNS = ("id", "name", "category", "severity", "scope", "fix", "payers", "transactions")


def catalog_rows() -> list[dict]:
    return [
        {
            "id": e.id,
            "name": e.name,
            "family": e.family,
            "category": e.category,
            "severity": e.severity.label,
            "scope": e.scope,
            "fix": e.fix or "-",
            "payers": ",".join(e.payers) if e.payers else "all",
            "transactions": ", ".join(sorted(e.transactions)),
            "effective": f"{e.effective_from or ''}..{e.effective_to or ''}"
            if (e.effective_from or e.effective_to)
            else "always",
        }
        for e in catalog()
    ]


@app.command()
def edits(
    format: CatalogFormat = typer.Option(
        CatalogFormat.text, "--format", "-f", help="text, json, csv or markdown."
    ),
) -> None:
    """List the edit catalog: id, name, category, severity, scope, fix safety, payers, transactions."""
    rows = catalog_rows()
    if format is CatalogFormat.text:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", box=None)
        for col in CATALOG_COLUMNS:
            table.add_column(col)
        for r in rows:
            table.add_row(*(r[c] for c in CATALOG_COLUMNS))
        Console(width=140).print(table)
    elif format is CatalogFormat.markdown:
        typer.echo("| " + " | ".join(CATALOG_COLUMNS) + " |")
        typer.echo("|" + "---|" * len(CATALOG_COLUMNS))
        for r in rows:
            typer.echo("| " + " | ".join(r[c] for c in CATALOG_COLUMNS) + " |")
    elif format is CatalogFormat.json:
        import json

        typer.echo(json.dumps(rows, indent=2))
    else:
        import pandas as pd

        buf = io.StringIO()
        pd.DataFrame(rows).to_csv(buf, index=False, lineterminator="\n")
        typer.echo(buf.getvalue(), nl=False)


def explain_page(edit_id: str) -> str:
    by_id = {e.id: e for e in catalog()}
    edit = by_id.get(edit_id.upper())
    if edit is None:
        raise KeyError(edit_id)
    lines = [
        f"{edit.id}  {edit.name}",
        "",
        f"Family:        {edit.family}",
        f"Category:      {edit.category}",
        f"Severity:      {edit.severity.label}",
        f"Scope:         {edit.scope}",
        f"Transactions:  {', '.join(sorted(edit.transactions))}",
        f"Payers:        {', '.join(edit.payers) if edit.payers else 'all profiles'}",
        f"Effective:     {edit.effective_from or 'always'} .. {edit.effective_to or 'open'}"
        " (compared with the date of service)",
        f"Fix:           {edit.fix or 'none'}",
        f"Message:       {edit.message}",
    ]
    for title in ("What it checks", "Why it matters"):
        text = edit.doc_section(title)
        if text:
            lines += ["", f"{title}:", f"  {text}"]
    for kind, sample in edit.examples.items():
        lines += ["", f"Example ({'failing' if kind == 'fail' else kind}):", f"  {sample}"]
    if edit.references:
        lines += ["", "References: " + "; ".join(edit.references)]
    return "\n".join(lines)


@app.command()
def explain(edit_id: str = typer.Argument(..., help="Edit id, e.g. BAL001.")) -> None:
    """Print one edit's page: what it checks, why it matters, an example, references."""
    try:
        typer.echo(explain_page(edit_id))
    except KeyError:
        fail(f"unknown edit id {edit_id!r}; `scrub edits` lists them")


from . import cli_fix, cli_tables  # noqa: E402,F401  (register the fix, gate and tables commands)


def main() -> None:
    # A scrub run allocates millions of short-lived objects and keeps few; collecting less often
    # saves about a fifth of the run time and does not change peak memory noticeably.
    gc.set_threshold(100_000, 50, 100)
    memory.tune()  # one malloc arena, a fixed mmap threshold: a peak that does not grow with the run
    app()
