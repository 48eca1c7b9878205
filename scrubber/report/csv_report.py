"""CSV report, one row per finding, in a fixed column order, streamed in batches of rows.

Written by the standard library's csv module (minimal quoting, "\\n" line ends, None as an empty
field): the bytes pandas' ``DataFrame.to_csv`` wrote before (pandas writes through the same
module), without its half second of import and the frame per 10,000 rows that doubled the peak
memory.  tests/test_csv_report.py compares the two on awkward values.
"""

from __future__ import annotations

import csv
import io
from itertools import groupby, islice
from typing import TextIO

from ..pipeline import Result

COLUMNS = [
    "file",
    "isa13",
    "gs06",
    "st02",
    "claim_id",
    "line",
    "edit",
    "name",
    "category",
    "severity",
    "message",
    "segment",
    "ordinal",
    "path",
    "value",
    "expected",
    "fix_title",
    "fix_safety",
    "suppressed_by",
]
CHUNK = 5000  # rows per writerows call


def row(f) -> tuple:
    """A finding's fields in COLUMNS order (csv writes None as an empty field; the XLSX report's
    Findings sheet has the same columns)."""
    loc = f.loc
    fix = f.fix
    control = f.control
    return (
        f.file,
        control[0],
        control[1],
        control[2],
        f.claim_id,
        f.line,
        f.edit,
        f.name,
        f.category,
        f.severity.label,
        f.message,
        None if loc is None else loc.segment,
        None if loc is None else loc.ordinal,
        None if loc is None else loc.path,
        f.value,
        f.expected,
        None if fix is None else fix.title,
        None if fix is None else fix.safety,
        f.suppressed_by,
    )


_LINE = io.StringIO()
_LINE_WRITER = csv.writer(_LINE, lineterminator="\n")


def text(f) -> str:
    """A finding's row as the report's text (Engine.render: a worker writes it, ``write`` copies it)."""
    _LINE_WRITER.writerow(row(f))
    line = _LINE.getvalue()
    _LINE.seek(0)
    _LINE.truncate()
    return line


def _written(item) -> bool:
    return type(item) is str


def write(result: Result, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")  # the excel dialect: ",", '"' doubled, QUOTE_MINIMAL
    writer.writerow(COLUMNS)
    findings = iter(result.findings)
    while batch := list(islice(findings, CHUNK)):
        # runs of findings and of rows the workers wrote already (``text``), in order
        for written, items in groupby(batch, key=_written):
            if written:
                out.write("".join(items))
            else:
                writer.writerows(map(row, items))
