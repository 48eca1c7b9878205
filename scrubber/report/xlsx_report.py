"""The Excel workbook: sheets Summary, Findings (the CSV columns), Claims and, for ``scrub fix``,
Changes and Skipped.

XlsxWriter lays out the workbook: styles, the Summary, and each data sheet's header row (frozen),
autofilter and column widths.  The data rows themselves, one per finding, claim or change, are
not written cell by cell through XlsxWriter (its per-cell work added 27% to ``check``'s time at
100,000 clean claims, 87% at 100,000 of the shared generator's dirty ones): each row becomes one
piece of worksheet XML with inline strings, spooled to a temporary file, and the spools are
spliced into XlsxWriter's sheets when the package is zipped.  So memory stays flat however many
rows there are.  Cell text is escaped exactly as XlsxWriter escapes it and is never read as a
formula, a number or a link (a value such as ``=1+1`` stays text); numbers are numbers.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from io import BytesIO
from typing import BinaryIO

from .. import __version__
from ..findings import CATEGORIES, Severity
from ..pipeline import Result
from .claims import amount, headline, held_charge
from .csv_report import COLUMNS, row
from .html_build import text

MAX_ROWS = 1_048_575  # Excel's row limit, less the header
MAX_TEXT = 32_767  # Excel's limit of a cell's text, in UTF-16 units
COMPRESSION = 1  # deflate level: the workbook is 30% larger than at zlib's default, zipped 2.5 times faster
FLUSH = 500  # rows joined and written to the spool at a time
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
FINDING_KINDS = "".join("i" if c in ("line", "ordinal") else "s" for c in COLUMNS)  # see _Sheet

_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")  # text Excel would read as an escape: escape its "_"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")  # control characters Excel writes as _xHHHH_
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def _utf16_truncate(s: str) -> str:
    """Cut ``s`` to Excel's limit of 32,767 UTF-16 units, never inside a character."""
    units = 0
    for i, ch in enumerate(s):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_TEXT:
            return s[:i]
    return s


def _text_element(value) -> str:
    """A value as the ``<t>`` element of an inline string, as XlsxWriter writes it: control
    characters and undecodable bytes replaced (``text``), cut to Excel's limit, what Excel would
    unescape escaped, markup characters escaped, and leading or trailing space kept."""
    s = text(value)
    if len(s) > MAX_TEXT // 2:
        s = _utf16_truncate(s)
    s = _ESCAPED.sub(r"_x005F\1", s)
    s = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", s)
    s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if s[:1].isspace() or s[-1:].isspace():
        return f'<t xml:space="preserve">{s}</t>'
    return f"<t>{s}</t>"


class _Sheet:
    """A data sheet: XlsxWriter writes its header row, widths, frozen pane and autofilter; its rows
    are worksheet XML in a spool (a temporary file), spliced in by ``_package``.  ``kinds`` gives
    each column's values: ``s`` text, ``i`` whole numbers, ``f`` numbers (None: no value)."""

    def __init__(self, book, name: str, columns, kinds: str, bold, formats: dict | None = None):
        from xlsxwriter.utility import xl_col_to_name

        self.ws = book.add_worksheet(name)
        self.path = f"xl/worksheets/sheet{len(book.worksheets())}.xml"  # XlsxWriter's numbering
        self.columns = columns
        self.rows = 0
        self.spool = tempfile.TemporaryFile()
        self._pending: list[str] = []
        # Per column: the cell up to its row number, and what follows that for a text and for a
        # number; a column with a format has it on every cell, as XlsxWriter does.
        self._cells = []
        for i, col in enumerate(columns):
            fmt = (formats or {}).get(col)
            self.ws.set_column(i, i, WIDTHS.get(col, max(10, len(col) + 2)), fmt)
            style = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
            self._cells.append(
                (f'<c r="{xl_col_to_name(i)}', f'"{style} t="inlineStr"><is>', f'"{style}><v>')
            )
        self._fast = _compile_row(self._cells, kinds)
        self.ws.write_row(0, 0, columns, bold)
        self.ws.freeze_panes(1, 0)

    def write_rows(self, rows) -> None:
        """Rows in order, each a value per column; those past Excel's limit are read but left out."""
        fast, cells, pending = self._fast, self._cells, self._pending
        r = self.rows + 1  # the sheet's row number of the last row written (the header is 1)
        for values in rows:
            if r > MAX_ROWS:
                continue
            r += 1
            pending.append(fast(r, values) or _careful_row(cells, r, values))
            if len(pending) >= FLUSH:
                self._flush()
        self.rows = r - 1

    def _flush(self) -> None:
        self.spool.write("".join(self._pending).encode("utf-8"))
        self._pending.clear()

    def close(self) -> None:
        self._flush()
        self.ws.autofilter(0, 0, max(self.rows, 1), len(self.columns) - 1)

    def splice(self, xml: bytes, sink) -> None:
        """XlsxWriter's sheet ``xml`` (header row only) with the spooled rows after the header."""
        from xlsxwriter.utility import xl_rowcol_to_cell

        if self.rows:
            last = xl_rowcol_to_cell(self.rows, len(self.columns) - 1)
            xml = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', xml.decode("utf-8"), count=1).encode()
        head, tail = xml.split(b"</sheetData>", 1)
        sink.write(head)
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, sink, 1 << 20)
        sink.write(b"</sheetData>" + tail)
        self.spool.close()


def _compile_row(cells, kinds: str):
    """The row writer of the common case, compiled for a sheet's columns: one f-string for the
    whole row (a loop over the cells costs twice as much).  It returns None, for
    ``_careful_row``, when a text needs escaping, cutting or its spaces kept, or a value is not of
    its column's kind: the strings, joined by NUL and framed by it, are checked in one go for
    markup characters, control, non-printable or unpaired surrogate characters, text Excel reads as
    an escape (``_x0041_``), leading or trailing spaces and length."""
    names = [f"v{i}" for i in range(len(kinds))]
    texts = [f"('' if {v} is None else {v})" for v, k in zip(names, kinds, strict=True) if k == "s"]
    checks = [
        f"({v} is None or type({v}) is int)"
        if k == "i"
        else f"({v} is None or type({v}) is int or (type({v}) is float and {v} - {v} == 0))"  # finite
        for v, k in zip(names, kinds, strict=True)
        if k != "s"
    ]
    parts = []
    for (start, string, number), v, k in zip(cells, names, kinds, strict=True):
        if k == "s":
            parts.append(f"(f'{start}{{r}}{string}<t>{{{v}}}</t></is></c>' if {v} else '')")
        else:
            parts.append(f"(f'{start}{{r}}{number}{{{v}}}</v></c>' if {v} is not None else '')")
    source = f"""
def row(r, values):
    {", ".join(names)}, = values
    try:
        j = "\\x00".join(("", {", ".join(texts)}, ""))
    except TypeError:
        return None
    if (
        "&" in j or "<" in j or ">" in j or "_x" in j or " \\x00" in j or "\\x00 " in j
        or len(j) > {MAX_TEXT // 2} or not j.replace("\\x00", "").isprintable()
        or not ({" and ".join(checks) or "True"})
    ):
        return None
    return "".join(('<row r="', str(r), '">', {", ".join(parts)}, "</row>"))
"""
    scope = {}
    exec(compile(source, f"<xlsx row of {len(kinds)} columns>", "exec"), scope)  # noqa: S102 - our own text
    return scope["row"]


def _careful_row(cells, r: int, values) -> str:
    """A row cell by cell, every text escaped as XlsxWriter escapes it, any value type."""
    out = [f'<row r="{r}">']
    for (start, string, number), v in zip(cells, values, strict=True):
        if v is None or v == "":
            continue
        if isinstance(v, bool | int):
            out.append(f"{start}{r}{number}{int(v)}</v></c>")
        elif isinstance(v, float) and math.isfinite(v):
            out.append(f"{start}{r}{number}{float(v)!r}</v></c>")
        else:
            out.append(f"{start}{r}{string}{_text_element(v)}</is></c>")
    out.append("</row>")
    return "".join(out)


def write(result: Result, out: BinaryIO) -> None:
    import xlsxwriter

    skeleton = BytesIO()
    book = xlsxwriter.Workbook(
        skeleton,
        {
            "in_memory": True,  # the skeleton is small: the rows are in the sheets' spools
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "bottom": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    summary = book.add_worksheet("Summary")
    sheets = []
    try:
        findings = _Sheet(book, "Findings", COLUMNS, FINDING_KINDS, bold)
        claims = _Sheet(book, "Claims", CLAIM_COLUMNS, "sssssfiiiiss", bold, {"charge": money})
        sheets += [findings, claims]
        counts = Counter()  # findings by category and severity, for the Summary
        findings.write_rows(_finding_rows(result.findings, counts))
        claims.write_rows(map(_claim_values, result.claim_rows))
        if result.changes is not None:
            changes = _Sheet(book, "Changes", CHANGE_COLUMNS, "sisissss", bold)
            skipped = _Sheet(book, "Skipped", ("claim_id", "edit", "reason"), "sss", bold)
            sheets += [changes, skipped]
            changes.write_rows([c[k] for k in CHANGE_COLUMNS] for c in result.changes)
            skipped.write_rows((s["claim_id"], s["edit"], s["reason"]) for s in result.fix_skipped or ())
        for sheet in sheets:
            sheet.close()
        _summary(book, summary, result, counts, findings.rows, bold, money)
        book.close()
        _package(skeleton, sheets, out)
    finally:
        for sheet in sheets:
            sheet.spool.close()


def _package(skeleton: BytesIO, sheets: list[_Sheet], out: BinaryIO) -> None:
    """XlsxWriter's package copied member by member into ``out``, the data sheets' rows spliced in."""
    by_path = {s.path: s for s in sheets}
    with (
        zipfile.ZipFile(skeleton) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as dst,
    ):
        for info in src.infolist():
            member = _member(info)
            sheet = by_path.get(info.filename)
            if sheet is None:
                dst.writestr(member, src.read(info))
                continue
            big = sheet.spool.tell() + info.file_size > zipfile.ZIP64_LIMIT
            with dst.open(member, "w", force_zip64=big) as sink:
                sheet.splice(src.read(info), sink)


def _member(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new member of the name and date of ``info``, deflated at COMPRESSION.  (zipfile applies
    its own compresslevel only to members given by name, which it dates now: set on the ZipInfo;
    the attribute is ``compress_level`` from Python 3.13, which keeps this name as an alias.)"""
    member = zipfile.ZipInfo(info.filename, info.date_time)
    member.compress_type = zipfile.ZIP_DEFLATED
    member._compresslevel = COMPRESSION
    return member


def _finding_rows(findings, counts: Counter):
    """The findings as the Findings sheet's rows, in COLUMNS order, counted into ``counts``."""
    for f in findings:
        yield row(f)
        counts[f.category, f.severity] += 1


def _claim_values(r) -> tuple:
    """A claim row as the Claims sheet's row, in CLAIM_COLUMNS order."""
    return (
        r.file,
        r.claim_id,
        r.transaction,
        r.profile,
        r.service_date,
        float(r.charge) if r.charge is not None else None,
        r.lines,
        r.errors,
        r.warnings,
        r.infos,
        r.status,
        ", ".join(r.error_categories),
    )


def _summary(book, ws, result: Result, counts: Counter, written: int, bold, money) -> None:
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
        by_severity = [counts[c, s] for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
        if any(by_severity):
            n += 1
            ws.write_row(n, 0, (c, *by_severity))
            ws.write_number(n, 4, amount(risk["by_category"].get(c, 0)), money)
