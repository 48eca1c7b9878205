"""The Excel workbook: sheets Summary, Findings (the CSV columns), Claims and, for ``scrub fix``,
Changes and Skipped.

Written with XlsxWriter in constant-memory mode (each row goes to disk as it is written), so a
large run stays flat; every sheet has its header row frozen, an autofilter and set column widths.
Cell text is never read as a formula, a number or a link (a value such as ``=1+1`` stays text).
"""

from __future__ import annotations

from typing import BinaryIO

from .. import __version__
from ..findings import CATEGORIES
from ..pipeline import Result
from .claims import Tallies, amount, headline, held_charge
from .csv_report import COLUMNS, _row
from .html_build import text

MAX_ROWS = 1_048_575  # Excel's row limit, less the header
WIDTHS = {
    "file": 28,
    "claim_id": 16,
    "message": 70,
    "name": 26,
    "path": 18,
    "fix_title": 40,
    "category": 16,
    "before": 50,
    "after": 50,
    "title": 40,
    "reason": 60,
    "error_categories": 30,
}
CLAIM_COLUMNS = (
    "file",
    "claim_id",
    "transaction",
    "profile",
    "service_date",
    "charge",
    "lines",
    "errors",
    "warnings",
    "info",
    "status",
    "error_categories",
)
CHANGE_COLUMNS = ("claim_id", "line", "segment", "ordinal", "before", "after", "edit", "title")


class _Sheet:
    def __init__(self, book, name: str, columns, formats: dict | None = None):
        self.ws = book.add_worksheet(name)
        self.columns = columns
        self.rows = 0
        bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "bottom": 1})
        for i, col in enumerate(columns):
            fmt = (formats or {}).get(col)
            self.ws.set_column(i, i, WIDTHS.get(col, max(10, len(col) + 2)), fmt)
        self.ws.write_row(0, 0, columns, bold)
        self.ws.freeze_panes(1, 0)

    def add(self, values) -> bool:
        """One row; strings and numbers written by their own calls (write_row's type sniffing
        costs a third of the time on a large sheet)."""
        if self.rows >= MAX_ROWS:
            return False
        self.rows = row = self.rows + 1
        string, number = self.ws.write_string, self.ws.write_number
        for col, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                string(row, col, v if v.isprintable() else text(v))
            elif isinstance(v, int | float):
                number(row, col, v)
            else:
                string(row, col, text(v))
        return True

    def close(self) -> None:
        self.ws.autofilter(0, 0, max(self.rows, 1), len(self.columns) - 1)


def write(result: Result, out: BinaryIO) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    money = book.add_format({"num_format": "#,##0.00"})
    summary = book.add_worksheet("Summary")
    findings = _Sheet(book, "Findings", COLUMNS)
    claims = _Sheet(book, "Claims", CLAIM_COLUMNS, {"charge": money})
    tallies = Tallies.of(_written(result.findings, findings))
    for r in result.claim_rows:
        charge = float(r.charge) if r.charge is not None else None
        claims.add(
            (
                r.file,
                r.claim_id,
                r.transaction,
                r.profile,
                r.service_date,
                charge,
                r.lines,
                r.errors,
                r.warnings,
                r.infos,
                r.status,
                ", ".join(r.error_categories),
            )
        )
    for sheet in (findings, claims):
        sheet.close()
    if result.changes is not None:
        changes = _Sheet(book, "Changes", CHANGE_COLUMNS)
        for c in result.changes:
            changes.add([c[k] for k in CHANGE_COLUMNS])
        changes.close()
        skipped = _Sheet(book, "Skipped", ("claim_id", "edit", "reason"))
        for s in result.fix_skipped or ():
            skipped.add((s["claim_id"], s["edit"], s["reason"]))
        skipped.close()
    _summary(book, summary, result, tallies, findings.rows, money)
    book.close()


def _written(items, sheet: _Sheet):
    for f in items:
        sheet.add(_row(f).values())
        yield f


def _summary(book, ws, result: Result, tallies: Tallies, written: int, money) -> None:
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "bottom": 1})
    ws.set_column(0, 0, 34)
    ws.set_column(1, 4, 16)
    ws.write_row(0, 0, ("measure", "value"), bold)
    ws.freeze_panes(1, 0)
    risk = result.at_risk
    rows = [
        ("tool version", __version__),
        ("run started", result.started),
        *headline(result),
        ("unreadable files", len(result.unreadable)),
        ("charge on claims with errors", amount(risk["charge"])),
    ]
    held = held_charge(result)
    if held is not None:
        g = result.gate
        rows += [
            ("claims held", g["held_claims"]),
            ("claims clean", g["clean_claims"]),
            ("charge on held claims", amount(held)),
        ]
    if written < len(result.findings):
        rows.append(("findings listed (Excel's row limit)", written))
    n = 0
    for n, (k, v) in enumerate(rows, start=1):
        ws.write_string(n, 0, k)
        if isinstance(v, float):
            ws.write_number(n, 1, v, money)
        elif isinstance(v, int):
            ws.write_number(n, 1, v)
        else:
            ws.write_string(n, 1, text(v))
    n += 2
    ws.write_row(n, 0, ("category", "errors", "warnings", "info", "charge at risk"), bold)
    for c in CATEGORIES:
        if tallies.by_category[c]:
            n += 1
            counts = [tallies.by_category_severity[(c, s)] for s in ("error", "warning", "info")]
            ws.write_row(n, 0, (c, *counts))
            ws.write_number(n, 4, amount(risk["by_category"].get(c, 0)), money)
