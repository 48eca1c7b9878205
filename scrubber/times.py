"""Administration times: the ``--times`` record (CSV).

Columns (header required): ``claim_id`` (CLM01), ``line`` (LX01), ``start``, ``stop``; optional
``ref_6r`` (REF*6R line control number, an alternative key), ``interruptions_min``, ``route``,
``drug``.  ``start``/``stop`` are ISO-8601 date-times (``2026-11-15T09:00``) or times of day
(``09:00``, ``0900``) taken on the line's date of service.  Several rows may describe one line.

This module reads and indexes the record; the infusion edits interpret the times.  An empty file
is an empty record.  A file without the required columns is a usage error.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("claim_id", "line", "start", "stop")
OPTIONAL = ("ref_6r", "interruptions_min", "route", "drug")


class TimesError(Exception):
    """The record cannot be used at all; ``str()`` is one line naming the file."""


@dataclass(frozen=True)
class TimeRow:
    row: int  # 1-based data row number in the file (header is row 0)
    claim_id: str
    line: str
    start: str
    stop: str
    ref_6r: str = ""
    interruptions_min: str = ""
    route: str = ""
    drug: str = ""


@dataclass
class AdminTimes:
    source: str | None = None
    rows: list[TimeRow] = field(default_factory=list)
    by_line: dict[tuple[str, str], list[TimeRow]] = field(default_factory=dict)
    by_ref: dict[str, list[TimeRow]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> AdminTimes:
        return cls()

    @classmethod
    def load(cls, path: str) -> AdminTimes:
        file = Path(path)
        if not file.is_file():
            raise TimesError(f"{path}: administration record not found")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise TimesError(f"{path}: cannot read administration record ({type(exc).__name__})") from None
        record = cls(source=path)
        if not text.strip():
            return record
        reader = csv.DictReader(text.splitlines())
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise TimesError(f"{path}: line 1: administration record lacks column(s) {', '.join(missing)}")
        reader.fieldnames = header
        for number, raw in enumerate(reader, start=1):
            values = {k: (raw.get(k) or "").strip() for k in (*REQUIRED, *OPTIONAL)}
            row = TimeRow(row=number, **values)
            record.rows.append(row)
            record.by_line.setdefault((row.claim_id, row.line), []).append(row)
            if row.ref_6r:
                record.by_ref.setdefault(row.ref_6r, []).append(row)
        return record

    def for_line(self, claim_id: str, line: int | None, ref_6r: str = "") -> list[TimeRow]:
        rows = list(self.by_line.get((claim_id, str(line)), ()))
        if ref_6r:
            rows += [r for r in self.by_ref.get(ref_6r, ()) if r not in rows]
        return rows
