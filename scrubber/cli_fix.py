"""``scrub fix`` and ``scrub gate``: write a corrected 837, or split claims into clean and held.

Both are thin: arguments -> scrubber.fixer / scrubber.gate -> files and a report -> exit code.
Exit codes as for ``check``: 0 nothing left at or above ``--fail-on``, 1 findings remain (fix) or
claims were held (gate), 2 usage error or an unreadable input.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import typer

from .cli import (
    FailOn,
    Format,
    _final_mode,
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
    write_report,
)
from .fixer import AuditTrail, Temps, claim_diff, fix_file
from .pipeline import Engine, exit_code, merge_risk, settle
from .read import InputError


def _validator(enabled: bool):
    """pyx12's implementation-guide validation as a judge of corrected files, when enabled."""
    if not enabled:
        return None
    from .validate import validate

    return lambda data: validate(data).errors


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _writable(path: str | None) -> None:
    """Refuse, before any work, an output that cannot be written (permission denied, a read-only or
    pseudo file system): exit 2 with one line."""
    if not path or path in ("-", os.devnull):
        return
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{Path(path).name}.", suffix=".tmp", dir=_folder(path))
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        fail(f"{path}: cannot write: {_why(exc)}")


def _folder(path: str) -> str:
    return str(Path(path).parent or Path("."))


def _commit(tmp: str, path: str) -> None:
    """Move a finished temporary file over ``path`` (or copy it to the null device)."""
    try:
        if path == os.devnull:
            shutil.copyfile(tmp, path)
            Path(tmp).unlink()
            return
        _final_mode(tmp, Path(path))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        fail(f"{path}: cannot write: {_why(exc)}")


def _report(result, path: str | None, format: Format) -> None:
    if not path:
        return
    try:
        write_report(result, path, format)
    except OSError as exc:
        fail(f"{path}: cannot write: {_why(exc)}")


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
    jobs: int | None = typer.Option(
        None,
        "--jobs",
        "-j",
        help="Processes for one large file and for pyx12's judge (0 = one per core, 1 = no workers).",
    ),
    quiet: bool = quiet_option(),
    summary_json: str | None = summary_option(),
) -> None:
    """Apply the edits' fixes (safe ones unless --unsafe-fixes), re-check, and write the corrected file."""
    cfg, record = settings(config, select, ignore, payer, fail_on, times, jobs)
    if not diff and not output:
        fail("fix needs --output FILE (or --diff)")
    if path == "-":
        fail("fix reads a file, not standard input")
    guard_output(output, [path], "corrected file")
    guard_output(report, [path, output or ""], "report")
    for out in (None if diff else output, report):
        _writable(out)
    engine = report_engine(Engine(cfg, record), format if report else None)
    long_run(engine, 0, quiet, summary_json, [path, output or ""], bar=False)  # fix re-checks: no bar
    settle()
    temps = Temps(None if diff or output == os.devnull else _folder(output), Path(output or "fix").name)
    try:
        try:
            outcome = fix_file(
                path, path, engine, unsafe=unsafe_fixes, validator=_validator(validate), temps=temps
            )
        except InputError as exc:
            fail(f"{path}: {exc.describe()}")
        except OSError as exc:
            fail(f"{path}: cannot read: {_why(exc)}")
        result = outcome.result
        result.changes = AuditTrail(outcome.changes)
        result.fix_skipped = [s.as_dict() for s in outcome.skipped]
        for bad in result.unreadable:
            fail(f"{path}: {bad.error}")
        if diff:
            text = claim_diff(Path(path).read_bytes(), Path(outcome.path).read_bytes(), path)
            typer.echo(text, nl=False)
        else:
            finished = outcome.path
            if finished == path:  # nothing changed: the output is a copy of the input
                finished = temps.new()
                shutil.copyfile(path, finished)
            _commit(finished, output)
            claims = len({c.claim_id for c in outcome.changes if c.claim_id})
            skipped = len(outcome.skipped)
            info(
                f"{len(outcome.changes)} change(s) in {claims} claim(s), {skipped} fix(es) "
                f"skipped, {outcome.passes} pass(es); corrected file written to {output}"
            )
    finally:
        temps.clear()
        engine.close()
    _report(result, report, format)
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
    from .gate import gate_file
    from .pipeline import expand

    if fail_on is FailOn.never:
        fail("gate --fail-on takes error or warning")
    cfg, record = settings(config, select, ignore, payer, None, times)
    cfg.validate = cfg.validate or validate or bool(ack)
    inputs = expand(paths)
    if not inputs:
        fail("no input files")
    for out in (clean, held, report, ack):
        guard_output(out, inputs, "output")
    if Path(clean).resolve() == Path(held).resolve():
        fail("--clean and --held must be different files")
    named = [
        Path(out).resolve() for out in (clean, held, report, ack) if out and out not in ("-", os.devnull)
    ]
    if len(set(named)) < len(named):
        fail("--clean, --held, --report and --ack must be different files")
    for out in (clean, held, report, ack):
        _writable(out)
    engine = report_engine(Engine(cfg, record), format if report else None)
    engine.want_ack = bool(ack)
    bar = long_run(engine, len(inputs), quiet, summary_json, inputs)
    settle()
    threshold = Severity.parse(fail_on.value)
    combined = None
    totals = {"input_claims": 0, "clean_claims": 0, "held_claims": 0}
    temps = [Temps(None if out == os.devnull else _folder(out), Path(out).name) for out in (clean, held)]
    try:
        clean_tmp, held_tmp = (t.new() for t in temps)
        with open(clean_tmp, "wb") as clean_fh, open(held_tmp, "wb") as held_fh:
            for name in inputs:
                try:
                    outcome = gate_file(name, name, engine, threshold, clean_fh, held_fh)
                except InputError as exc:
                    fail(f"{name}: {exc.describe()}")
                except OSError as exc:
                    fail(f"{name}: cannot read: {_why(exc)}")
                totals["input_claims"] += outcome.claims
                totals["clean_claims"] += outcome.clean_claims
                totals["held_claims"] += outcome.held_claims
                combined = _merge(combined, outcome.result)
        if totals["clean_claims"] + totals["held_claims"] != totals["input_claims"]:
            fail("the clean and held claims do not add up to the input claims; nothing written")
        _commit(clean_tmp, clean)
        _commit(held_tmp, held)
        if ack:
            temps.append(Temps(None if ack == os.devnull else _folder(ack), Path(ack).name))
            ack_tmp = temps[-1].new()
            Path(ack_tmp).write_bytes("".join(engine.acks).encode("utf-8"))
            _commit(ack_tmp, ack)
    finally:
        for t in temps:
            t.clear()
        engine.close()
        if bar is not None:
            bar.stop()
    combined.gate = {**totals, "clean": clean, "held": held, "fail_on": fail_on.value}
    info(
        f"{totals['input_claims']} claim(s) in, {totals['clean_claims']} clean -> {clean}, "
        f"{totals['held_claims']} held -> {held}"
    )
    _report(combined, report, format)
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
