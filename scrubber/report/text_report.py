"""Readable text report (rich): findings grouped by file and claim, then a summary."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..pipeline import Result
from .claims import CATEGORIES, money_text

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def write(result: Result, out: TextIO, color: bool | None = None) -> None:
    console = Console(
        file=out, force_terminal=color, no_color=color is False, width=120, highlight=False, soft_wrap=False
    )
    for file, by_file in groupby(result.findings, key=lambda f: f.file):
        console.rule(Text(file, style="bold"), align="left")
        for claim_id, items in groupby(by_file, key=lambda f: f.claim_id):
            title = f"claim {claim_id}" if claim_id is not None else "interchange / envelope"
            console.print(Text(title, style="bold"))
            for f in items:
                where = f"line {f.line}" if f.line is not None else "claim" if f.claim_id is not None else ""
                loc = f" {f.loc.path}" if f.loc else ""
                head = Text("  ")
                if f.suppressed_by is not None:  # waived: shown, not counted
                    head.append(f"{'WAIVED':7}", style="dim")
                    head.append(f" ({f.severity.label})", style="dim")
                else:
                    head.append(f"{f.severity.label.upper():7}", style=STYLE[f.severity.label])
                head.append(f" {f.edit} {f.name}  ")
                head.append(f"{where}{loc}", style="dim")
                console.print(head)
                console.print(Text(f"          {f.message}"))
                if f.suppressed_by is not None:
                    console.print(Text(f"          waived by {f.suppressed_by}", style="dim"))
                elif f.fix:
                    console.print(Text(f"          fix ({f.fix.safety}): {f.fix.title}", style="green"))
    if result.changes:
        console.rule(Text("Changes (audit trail)", style="bold"), align="left")
        for c in result.changes:
            where = f"claim {c['claim_id']}" if c["claim_id"] else "envelope"
            if c["line"] is not None:
                where += f" line {c['line']}"
            console.print(Text(f"  {c['edit']:7} {where}: {c['title']}"))
            console.print(Text(f"          - {c['before']}", style="red"))
            console.print(Text(f"          + {c['after']}", style="green"))
    for skipped in result.fix_skipped or ():
        console.print(
            Text(
                f"  skipped {skipped['edit']} claim {skipped['claim_id']}: {skipped['reason']}",
                style="yellow",
            )
        )
    if result.gate:
        g = result.gate
        console.print(
            Text(
                f"Gate: {g['input_claims']} claims in, {g['clean_claims']} clean -> {g['clean']}, "
                f"{g['held_claims']} held -> {g['held']}",
                style="bold",
            )
        )
    files = Table(title="Files", show_header=True, header_style="bold", box=None)
    for col in ("file", "transaction", "claims", "errors", "warnings", "status"):
        files.add_column(col, justify="left" if col in ("file", "status") else "right")
    for f in result.files:
        if f.error:
            status = Text(f"not read: {f.error}", style="bold red")
        elif f.findings["error"]:
            status = Text("errors", style="red")
        elif f.findings["warning"]:
            status = Text("warnings", style="yellow")
        else:
            status = Text("clean", style="green")
        files.add_row(
            f.path,
            f.transaction or "-",
            str(f.claims),
            str(f.findings["error"]),
            str(f.findings["warning"]),
            status,
        )
    console.print(files)
    table = Table(title="Summary", show_header=True, header_style="bold")
    for col in ("files", "unreadable", "claims", "claims with errors", "errors", "warnings", "info"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(result.files)),
        str(len(result.unreadable)),
        str(result.claims),
        str(result.claims_with_errors),
        str(result.counts["error"]),
        str(result.counts["warning"]),
        str(result.counts["info"]),
    )
    console.print(table)
    risk = result.at_risk
    if risk["charge"]:
        # largest first; ties in the categories' contract order (a set's order differs run to run)
        order = {c: n for n, c in enumerate(CATEGORIES)}
        ranked = sorted(risk["by_category"].items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0]))
        parts = ", ".join(f"{c} {money_text(v)}" for c, v in ranked)
        console.print(Text(f"Money at risk: {money_text(risk['charge'])} on claims with errors ({parts})"))
    _suppressed(console, result)


def _suppressed(console: Console, result: Result) -> None:
    """The waived count and the baseline's outcome, under the summary."""
    if result.findings.waived:
        console.print(Text(f"{result.findings.waived} finding(s) waived (shown above, not counted)"))
    base = result.baseline
    if base is not None:
        console.print(
            Text(
                f"Baseline {base['file']}: {base['hidden']} finding(s) hidden, "
                f"{len(base['stale'])} of {base['entries']} entries no longer occur"
            )
        )
