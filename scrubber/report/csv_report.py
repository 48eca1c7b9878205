"""CSV report through pandas, one row per finding, in a fixed column order, written in chunks."""

from __future__ import annotations

from itertools import islice
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
CHUNK = 10000


def _row(f) -> dict:
    loc = f.loc
    return {
        "file": f.file,
        "isa13": f.control[0],
        "gs06": f.control[1],
        "st02": f.control[2],
        "claim_id": f.claim_id,
        "line": f.line,
        "edit": f.edit,
        "name": f.name,
        "category": f.category,
        "severity": f.severity.label,
        "message": f.message,
        "segment": loc.segment if loc else None,
        "ordinal": loc.ordinal if loc else None,
        "path": loc.path if loc else None,
        "value": f.value,
        "expected": f.expected,
        "fix_title": f.fix.title if f.fix else None,
        "fix_safety": f.fix.safety if f.fix else None,
        "suppressed_by": f.suppressed_by,
    }


def write(result: Result, out: TextIO) -> None:
    import pandas as pd  # imported here: it costs half a second of start-up for the other formats

    findings = iter(result.findings)
    first = True
    while True:
        rows = [_row(f) for f in islice(findings, CHUNK)]
        if not rows and not first:
            break
        frame = pd.DataFrame(rows, columns=COLUMNS)
        frame["line"] = frame["line"].astype("Int64")
        frame["ordinal"] = frame["ordinal"].astype("Int64")
        frame.to_csv(out, index=False, header=first, lineterminator="\n")
        first = False
        if len(rows) < CHUNK:
            break
