"""Readable text report (rich): findings grouped by file and claim, then a summary.

Most of the report is one plain line after another, and rich costs about 100 us a line (8 s of a
27,000-finding report).  Where rich would write a line's characters unchanged (no colour: the
report goes to a file or a pipe; every character printable and one cell wide) the line is written
directly, in batches, and a line longer than the width is broken where rich's word wrap breaks it
(``breaks``).  Everything else (colour on a terminal, tabs, control or wide characters, a word
longer than the width, the rules and the tables) goes through the rich Console as before.
tests/test_text_report.py holds the two to the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..findings import Severity
from ..pipeline import Result
from .claims import CATEGORIES, money_text

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
WIDTH = 120
BATCH = 2000  # plain lines per write
LABEL = {s: (f"{s.label.upper():7}", STYLE[s.label], f" ({s.label})") for s in Severity}
FIRST_WORD = re.compile(r" *[^ ]+")  # rich's first "word": leading spaces and what follows them
NOT_SPACE = re.compile(r"[^ ]")


def breaks(text: str, width: int) -> list[int] | None:
    """Where rich's word wrap (Text.wrap, soft_wrap off, overflow "fold") breaks ``text``, a line
    of printable one-cell characters (so its only white space is " "); None when a word is longer
    than the width (rich folds it: the caller leaves that line to rich).

    rich puts a word (with the spaces after it) on the line while the word's last character is
    within the width, and starts a new line at the first word that does not fit: the word that
    crosses the width, or the one after the spaces that do."""
    first = FIRST_WORD.match(text)
    if first is not None and first.end() > width:
        return None
    cuts: list[int] = []
    line = 0
    while len(text) - line > width:
        edge = line + width  # the first character past the width
        if text[edge] == " ":
            after = NOT_SPACE.search(text, edge)
            if after is None:  # only spaces are left: rich crops them
                break
            cut = after.start()
        else:
            cut = text.rfind(" ", line, edge) + 1
            if cut <= line:  # the word at the line's start is wider than the line
                return None
        cuts.append(cut)
        line = cut
    return cuts


class Lines:
    """The report's lines, written through ``console`` or, where that gives the same characters,
    directly to ``out``."""

    __slots__ = ("console", "out", "width", "direct", "pending", "_one_cell")

    def __init__(self, console: Console, out: TextIO):
        self.console = console
        self.out = out
        self.width = console.width
        # no colour system: rich writes the characters of a line and nothing else
        self.direct = console.color_system is None and not console.is_terminal
        self.pending: list[str] = []
        self._one_cell: dict[str, bool] = {}

    def plain(self, text: str) -> bool:
        """Whether rich writes ``text`` as its characters only: printable, every one one cell wide."""
        if text.isascii():
            return text.isprintable()
        if not text.isprintable():
            return False
        one = self._one_cell
        for ch in set(text):
            if ch > "\x7f":
                known = one.get(ch)
                if known is None:
                    known = one[ch] = cell_len(ch) == 1
                if not known:
                    return False
        return True

    def line(self, text: str, style: str = "", rich: Callable[[], Text] | None = None) -> None:
        """One line of the report (wrapped at the width); ``rich`` builds its styled Text when the
        line goes through the Console (default: ``text`` in ``style``)."""
        # ``plain`` with its ASCII case written out (the common one, and a call per line fewer)
        if self.direct and (text.isprintable() if text.isascii() else self.plain(text)):
            width = self.width
            if len(text) <= width:
                self.pending.append(text)
                if len(self.pending) >= BATCH:
                    self.flush()
                return
            cuts = breaks(text, width)
            if cuts is not None:
                # rich crops each piece to the width (the spaces past it, which are all there can be)
                starts = [0, *cuts]
                ends = [*cuts, len(text)]
                self.pending.extend(text[a:b][:width] for a, b in zip(starts, ends, strict=True))
                return
        self.print(rich() if rich is not None else Text(text, style=style))

    def print(self, renderable) -> None:
        self.flush()
        self.console.print(renderable)

    def rule(self, title: Text) -> None:
        self.flush()
        self.console.rule(title, align="left")

    def flush(self) -> None:
        if self.pending:
            self.out.write("\n".join(self.pending) + "\n")
            self.pending.clear()

    def lines(self, block: str) -> None:
        """Lines already written as they would be here (``text``): each ends with a newline."""
        self.pending += block.split("\n")[:-1]
        if len(self.pending) >= BATCH:
            self.flush()


def _console(out: TextIO, color: bool | None) -> Console:
    return Console(
        file=out, force_terminal=color, no_color=color is False, width=WIDTH, highlight=False, soft_wrap=False
    )


def _finding(line: Callable[..., None], f) -> None:
    """A finding's lines: its head (severity, edit, name, where), message, and waiver or fix."""
    where = f"line {f.line}" if f.line is not None else "claim" if f.claim_id is not None else ""
    loc = f" {f.loc.path}" if f.loc else ""
    label, _, waived = LABEL[f.severity]
    if f.suppressed_by is not None:  # waived: shown, not counted
        head = f"  {'WAIVED':7}{waived} {f.edit} {f.name}  {where}{loc}"
    else:
        head = f"  {label} {f.edit} {f.name}  {where}{loc}"
    line(head, rich=lambda: _head(f, where, loc))
    line(f"          {f.message}")
    if f.suppressed_by is not None:
        line(f"          waived by {f.suppressed_by}", "dim")
    elif f.fix:
        line(f"          fix ({f.fix.safety}): {f.fix.title}", "green")


_RENDER: tuple[io.StringIO, Lines] | None = None  # this process's lines for ``text``


def text(f) -> tuple[str, str | None, str]:
    """A finding as the report without colour writes it (a file, or output that is not a
    terminal): (file, claim id, its lines), which a worker of a split file can make for it
    (``Engine.render``, scrubber/cli.py); ``write`` puts the file and claim headings around it."""
    global _RENDER
    if _RENDER is None:
        buffer = io.StringIO()
        _RENDER = buffer, Lines(_console(buffer, False), buffer)
    buffer, lines = _RENDER
    buffer.seek(0)
    buffer.truncate()
    _finding(lines.line, f)
    lines.flush()
    return f.file, f.claim_id, buffer.getvalue()


def write(result: Result, out: TextIO, color: bool | None = None) -> None:
    """``color`` None: as the terminal allows; False: none.  Findings may come as ``text`` made
    them (with ``color`` False only)."""
    lines = Lines(_console(out, color), out)
    line = lines.line
    shown = (object(), object())  # the file and claim whose headings were written last
    for item in result.findings:
        if type(item) is tuple:
            file, claim_id, block = item
        else:
            file, claim_id, block = item.file, item.claim_id, None
        if file != shown[0]:
            lines.rule(Text(file, style="bold"))
            shown = (file, object())
        if claim_id != shown[1]:
            line(f"claim {claim_id}" if claim_id is not None else "interchange / envelope", "bold")
            shown = (file, claim_id)
        if block is None:
            _finding(line, item)
        else:
            lines.lines(block)
    if result.changes:
        lines.rule(Text("Changes (audit trail)", style="bold"))
        for c in result.changes:
            where = f"claim {c['claim_id']}" if c["claim_id"] else "envelope"
            if c["line"] is not None:
                where += f" line {c['line']}"
            line(f"  {c['edit']:7} {where}: {c['title']}")
            line(f"          - {c['before']}", "red")
            line(f"          + {c['after']}", "green")
    for skipped in result.fix_skipped or ():
        line(f"  skipped {skipped['edit']} claim {skipped['claim_id']}: {skipped['reason']}", "yellow")
    if result.gate:
        g = result.gate
        line(
            f"Gate: {g['input_claims']} claims in, {g['clean_claims']} clean -> {g['clean']}, "
            f"{g['held_claims']} held -> {g['held']}",
            "bold",
        )
    lines.print(_files(result))
    lines.print(_summary(result))
    risk = result.at_risk
    if risk["charge"]:
        # largest first; ties in the categories' contract order (a set's order differs run to run)
        order = {c: n for n, c in enumerate(CATEGORIES)}
        ranked = sorted(
            risk["by_category"].items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0])
        )
        parts = ", ".join(f"{c} {money_text(v)}" for c, v in ranked)
        line(f"Money at risk: {money_text(risk['charge'])} on claims with errors ({parts})")
    _suppressed(line, result)
    lines.flush()


def _head(f, where: str, loc: str) -> Text:
    """A finding's first line, styled: severity (or WAIVED), edit and name, then where."""
    head = Text("  ")
    label, style, waived = LABEL[f.severity]
    if f.suppressed_by is not None:
        head.append(f"{'WAIVED':7}", style="dim")
        head.append(waived, style="dim")
    else:
        head.append(label, style=style)
    head.append(f" {f.edit} {f.name}  ")
    head.append(f"{where}{loc}", style="dim")
    return head


def _files(result: Result) -> Table:
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
    return files


def _summary(result: Result) -> Table:
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
    return table


def _suppressed(line: Callable[..., None], result: Result) -> None:
    """The waived count and the baseline's outcome, under the summary."""
    if result.findings.waived:
        line(f"{result.findings.waived} finding(s) waived (shown above, not counted)")
    base = result.baseline
    if base is not None:
        line(
            f"Baseline {base['file']}: {base['hidden']} finding(s) hidden, "
            f"{len(base['stale'])} of {base['entries']} entries no longer occur"
        )
