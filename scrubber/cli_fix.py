"""``scrub fix`` and ``scrub gate``: write a corrected 837, or split claims into clean and held.

Both are thin: arguments -> scrubber.fixer / scrubber.gate -> files and a report -> exit code.
Exit codes as for ``check``: 0 nothing left at or above ``--fail-on``, 1 findings remain (fix) or
claims were held (gate), 2 usage error or an unreadable input.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .cli import (
    FailOn,
    Format,
    app,
    end_run,
    fail,
    guard_output,
    info,
    long_run,
    quiet_option,
    report_engine,
    settings,
    summary_option,
    write_atomic,
    write_report,
)
from .fixer import claim_diff, fix_data
from .pipeline import Engine, exit_code, merge_risk, settle
from .read import InputError


def _validator(enabled: bool):
    """pyx12's implementation-guide validation as a judge of corrected files, when enabled."""
    if not enabled:
        return None
    from .validate import validate

    return lambda data: validate(data).errors


def _read_input(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        typer.echo(f"scrub: {path}: cannot open: {exc.strerror or type(exc).__name__}", err=True)
        raise typer.Exit(2) from None


@app.command()
def fix(
    path: str = typer.Argument(..., help="The 837 file to correct (never overwritten)."),
    output: str | None = typer.Option(None, "--output", "-o", help="Where to write the corrected file."),
    times: str | None = typer.Option(
        None, "--times", help="Administration-record CSV (infusion start/stop)."
    ),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes marked unsafe."),
    diff: bool = typer.Option(
        False, "--diff", help="Print a segment-level diff per claim instead of writing."
    ),
    report: str | None = typer.Option(
        None, "--report", help="Write the report (findings left, audit trail)."
    ),
    format: Format = typer.Option(Format.json, "--format", "-f", help="Report format."),
    payer: str | None = typer.Option(None, "--payer", help="Force a payer profile."),
    config: str | None = typer.Option(None, "--config", help="TOML file with [tool.scrubber] settings."),
    select: list[str] | None = typer.Option(
        None, "--select", help="Only these edit id prefixes (comma list)."
    ),
    ignore: list[str] | None = typer.Option(
        None, "--ignore", help="Skip these edit id prefixes (comma list)."
    ),
    validate: bool = typer.Option(
        True,
        "--validate/--no-validate",
        help="Keep a claim's original segments when pyx12 finds a new error.",
    ),
    fail_on: FailOn | None = typer.Option(None, "--fail-on", help="Lowest severity left that makes exit 1."),
    quiet: bool = quiet_option(),
    summary_json: str | None = summary_option(),
) -> None:
    """Apply the edits' fixes (safe ones unless --unsafe-fixes), re-check, and write the corrected file."""
    cfg, record = settings(config, select, ignore, payer, fail_on, times, jobs=1)
    if not diff and not output:
        fail("fix needs --output FILE (or --diff)")
    guard_output(output, [path], "corrected file")
    guard_output(report, [path, output or ""], "report")
    data = _read_input(path)
    engine = report_engine(Engine(cfg, record), format if report else None)
    long_run(engine, 0, quiet, summary_json, [path, output or ""], bar=False)  # fix re-checks: no bar
    settle()
    try:
        outcome = fix_data(
            data,
            path,
            engine,
            unsafe=unsafe_fixes,
            validator=_validator(validate),
        )
    except InputError as exc:
        fail(f"{path}: {exc.describe()}")
    result = outcome.result
    result.changes = [c.as_dict() for c in outcome.changes]
    result.fix_skipped = [s.as_dict() for s in outcome.skipped]
    for bad in result.unreadable:
        fail(f"{path}: {bad.error}")
    if diff:
        typer.echo(claim_diff(data, outcome.data, path), nl=False)
    else:
        write_atomic(output, outcome.data)
        claims = len({c.claim_id for c in outcome.changes if c.claim_id})
        info(
            f"{len(outcome.changes)} change(s) in {claims} claim(s), {len(outcome.skipped)} fix(es) "
            f"skipped, {outcome.passes} pass(es); corrected file written to {output}"
        )
    if report:
        write_report(result, report, format)
    end_run(result, summary_json, exit_code(result, cfg.fail_on))


@app.command()
def gate(
    paths: list[str] = typer.Argument(..., help="837 files or directories (every file under them)."),
    clean: str = typer.Option(..., "--clean", help="Interchange file for the claims that pass."),
    held: str = typer.Option(..., "--held", help="Interchange file for the claims held back."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", help="Lowest severity that holds a claim."),
    times: str | None = typer.Option(
        None, "--times", help="Administration-record CSV (infusion start/stop)."
    ),
    report: str | None = typer.Option(None, "--report", help="Write the report of every finding here."),
    format: Format = typer.Option(Format.json, "--format", "-f", help="Report format."),
    payer: str | None = typer.Option(None, "--payer", help="Force a payer profile."),
    config: str | None = typer.Option(None, "--config", help="TOML file with [tool.scrubber] settings."),
    select: list[str] | None = typer.Option(
        None, "--select", help="Only these edit id prefixes (comma list)."
    ),
    ignore: list[str] | None = typer.Option(
        None, "--ignore", help="Skip these edit id prefixes (comma list)."
    ),
    validate: bool = typer.Option(
        False, "--validate", help="Also run pyx12's implementation-guide validation; its errors hold claims."
    ),
    ack: str | None = typer.Option(
        None, "--ack", help="With --validate: write pyx12's 999 for the input here."
    ),
    quiet: bool = quiet_option(),
    summary_json: str | None = summary_option(),
) -> None:
    """Pass clean claims on and hold the rest: two complete interchanges, every claim in one of them."""
    from .findings import Severity
    from .gate import gate_data
    from .pipeline import expand

    if fail_on is FailOn.never:
        fail("gate --fail-on takes error or warning")
    cfg, record = settings(config, select, ignore, payer, None, times, jobs=1)
    cfg.validate = cfg.validate or validate or bool(ack)
    inputs = expand(paths)
    for out in (clean, held, report, ack):
        guard_output(out, inputs, "output")
    if Path(clean).resolve() == Path(held).resolve():
        fail("--clean and --held must be different files")
    engine = report_engine(Engine(cfg, record), format if report else None)
    engine.want_ack = bool(ack)
    bar = long_run(engine, len(inputs), quiet, summary_json, inputs)
    settle()
    threshold = Severity.parse(fail_on.value)
    clean_parts, held_parts, combined = [], [], None
    totals = {"input_claims": 0, "clean_claims": 0, "held_claims": 0}
    for name in inputs:
        try:
            outcome = gate_data(_read_input(name), name, engine, threshold)
        except InputError as exc:
            fail(f"{name}: {exc.describe()}")
        for bad in outcome.result.unreadable:
            fail(f"{name}: {bad.error}")
        clean_parts.append(outcome.clean)
        held_parts.append(outcome.held)
        totals["input_claims"] += outcome.claims
        totals["clean_claims"] += outcome.clean_claims
        totals["held_claims"] += outcome.held_claims
        combined = _merge(combined, outcome.result)
    if bar is not None:
        bar.stop()
    assert totals["clean_claims"] + totals["held_claims"] == totals["input_claims"]
    write_atomic(clean, b"".join(clean_parts))
    write_atomic(held, b"".join(held_parts))
    if ack:
        write_atomic(ack, "".join(engine.acks).encode("utf-8"))
    combined.gate = {**totals, "clean": clean, "held": held, "fail_on": fail_on.value}
    info(
        f"{totals['input_claims']} claim(s) in, {totals['clean_claims']} clean -> {clean}, "
        f"{totals['held_claims']} held -> {held}"
    )
    if report:
        write_report(combined, report, format)
    end_run(combined, summary_json, 1 if totals["held_claims"] else 0)


def _merge(into, result):
    """One report for several gated files."""
    if into is None:
        return result
    into.inputs += result.inputs
    into.files += result.files
    into.claims += result.claims
    into.claims_with_errors += result.claims_with_errors
    for level, count in result.counts.items():
        into.counts[level] += count
    for finding in result.findings:
        into.findings.add(finding)
    merge_risk(into.at_risk, result.at_risk)
    for row in result.claim_rows:
        into.claim_rows.add(row)
    return into
