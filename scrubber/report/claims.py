"""Per-claim data for the reports that show claims (HTML and XLSX), and the summary they share.

``Collector`` is the engine's ``claim_hook`` (scrubber/pipeline.py): after each claim's edits it
keeps one small ``ClaimRow`` (counts, charge, status), and for the first ``cap`` claims with an
error or a warning also the claim's header and service lines (``ClaimDetail``), so that a report
of 100,000 claims holds at most ``cap`` claims' lines.  Rows are spooled to disk with the findings'
own spool, so memory stays flat.  No member name, identifier or date of birth is kept.
"""

from __future__ import annotations

import mmap
import os
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ..findings import CATEGORIES

DETAIL_CAP = 2000  # claims with findings shown line by line; the rest are counted


@dataclass(frozen=True, slots=True)
class LineRow:
    number: int | None  # LX01
    code: str  # procedure code, or revenue code + procedure code on the 837I
    modifiers: tuple[str, ...]
    units: str
    charge: str
    pointers: str
    ndc: str  # NDC and CTP quantity/unit, ';'-separated when several
    times: str  # documented administration times, as read by the engine
    date: str


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    payer: str  # payer name and id (2010BB), never the member
    facility: str  # place of service (837P) or type of bill (837I)
    lines: tuple[LineRow, ...]


class ClaimRow(NamedTuple):  # a tuple: one per claim, pickled to the spool and back from workers
    file: str
    claim_id: str
    transaction: str
    profile: str
    service_date: str
    charge: Decimal | None
    lines: int
    errors: int
    warnings: int
    infos: int
    error_categories: tuple[str, ...]
    detail: ClaimDetail | None = None

    @property
    def status(self) -> str:
        return "error" if self.errors else "warning" if self.warnings else "info" if self.infos else "clean"


def _times(entry) -> str:
    times = entry.times if entry is not None else None
    if times is None or not times.intervals:
        return ""
    spans = ", ".join(f"{i.start:%H:%M}-{i.stop:%H:%M}" for i in times.intervals)
    paused = 0
    if (times.pauses or times.breaks) and times.minutes is not None:
        from .. import timemath

        paused = timemath.length(timemath.merge([(i.start, i.stop) for i in times.intervals])) - times.minutes
    pause = f" less {paused} min" if paused > 0 else ""
    return f"{spans}{pause} = {times.minutes} min ({times.source})"


def _detail(claim, ctx) -> ClaimDetail:
    from .. import admin

    try:
        view = admin.for_claim(ctx)
        entries = {id(a.line): a for a in view.lines}
    except Exception:  # noqa: BLE001 - a report never fails on a claim the edits could not time
        entries = {}
    lines = []
    for line in claim.lines:
        code = f"{line.revenue_code} {line.code}".strip() if line.revenue_code else line.code
        ndc = "; ".join(f"{d.ndc} {d.quantity}{d.unit}".strip() for d in line.drugs)
        lines.append(
            LineRow(
                line.number,
                code,
                tuple(m for m in line.modifiers if m),
                line.units_text,
                line.charge_text,
                ",".join(p for p in line.pointers if p),
                ndc,
                _times(entries.get(id(line))),
                line.date_from.isoformat() if line.date_from else "",
            )
        )
    payer = claim.payer
    who = f"{payer.last_name} ({payer.identifier})".strip() if payer else ""
    facility = claim.type_of_bill or claim.facility_code
    return ClaimDetail(who, facility, tuple(lines))


class Collector:
    """The engine's claim hook: a ClaimRow per claim (``every_claim``) or per claim with a finding;
    with ``details``, the header and lines of the first ``cap`` claims with an error or warning.

    On a parallel run the hook runs in the forked workers, one batch result at a time, and the main
    process's ``merge`` keeps the first ``cap`` details of the run.  So that the workers stop
    building details (most of the hook's cost) that merge would drop, the main process clears one
    shared byte (``_open``, an anonymous shared mapping the workers inherit) once it holds ``cap``
    details of the result; the engine calls ``begin(result)`` before a parallel file's batches.
    A copy sent to another machine (the Dask executor) has no such byte and builds every detail."""

    def __init__(self, cap: int | None = None, details: bool = True, every_claim: bool = True):
        self.cap = (DETAIL_CAP if cap is None else cap) if details else 0
        self.every_claim = every_claim
        self._result = None  # the result the detail count belongs to (fix re-checks several times)
        self._details = 0
        self._owner = os.getpid()  # the main process: the one that counts for the result
        self._open = mmap.mmap(-1, 1) if self.cap else None
        if self._open is not None:
            self._open[0] = 1

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_open": None}

    def _sync(self, result) -> None:
        """Main process: count for ``result`` (a new one starts at none), and tell the workers."""
        if result is not self._result:
            self._result, self._details = result, 0
        if self._open is not None and os.getpid() == self._owner:
            self._open[0] = self._details < self.cap

    def begin(self, result) -> None:
        """Main process, before a parallel file's batches go to the workers."""
        self._sync(result)

    def _room(self, result) -> bool:
        if result is not self._result:
            self._sync(result)
        if self._details >= self.cap:
            return False
        self._details += 1
        if self._details >= self.cap:
            self._sync(result)
        return True

    def _wanted(self, result) -> bool:
        """Room for one more detail: in this process's count, and (in a worker) in the main one's."""
        if result is not self._result:
            self._sync(result)
        return (self._open is None or bool(self._open[0])) and self._room(result)

    def __call__(self, result, claim, ctx, tally, error_categories) -> None:
        errors, warnings, infos = tally
        if not (errors or warnings or infos or self.every_claim):
            return
        wanted = (errors or warnings) and self.cap and self._wanted(result)
        detail = _detail(claim, ctx) if wanted else None
        day = claim.service_date
        row = ClaimRow(
            claim.file,
            claim.claim_id,
            claim.transaction,
            ctx.profile,
            day.isoformat() if day else "",
            claim.charge,
            len(claim.lines),
            errors,
            warnings,
            infos,
            tuple(sorted(error_categories)),
            detail,
        )
        result.claim_rows.add(row)

    def merge(self, result, rows) -> None:
        """A worker batch's rows, in file order: details past the cap are dropped here."""
        for row in rows:
            if row.detail is not None and not self._room(result):
                row = row._replace(detail=None)
            result.claim_rows.add(row)


# What each report format needs: the HTML page shows claims with findings line by line; the
# workbook lists every claim, without its lines.
NEEDS = {"html": {"details": True, "every_claim": False}, "xlsx": {"details": False, "every_claim": True}}


def install(engine, fmt: str | None = None) -> Collector:
    """Have the engine keep what the report format ``fmt`` shows (None: everything)."""
    engine.claim_hook = Collector(**NEEDS.get(fmt, {}))
    return engine.claim_hook


# -- the summary every format shows ------------------------------------------------------------------


def amount(value) -> float:
    """A charge total as a JSON number with cents."""
    return float(Decimal(value).quantize(Decimal("0.01")))


def money_at_risk(result) -> dict:
    """The JSON summary's ``money_at_risk``: the total charge of the claims with an error, and per
    category the total charge of the claims with an error in it (a claim counts once per category)."""
    risk = result.at_risk
    return {
        "claims_with_errors_charge": amount(risk["charge"]),
        "by_category": {c: amount(risk["by_category"][c]) for c in CATEGORIES if c in risk["by_category"]},
    }


def headline(result) -> list[tuple[str, int]]:
    """The counts every summary starts with."""
    return [
        ("files", len(result.files)),
        ("claims", result.claims),
        ("claims with errors", result.claims_with_errors),
        ("errors", result.counts["error"]),
        ("warnings", result.counts["warning"]),
        ("info", result.counts["info"]),
    ]


def money_text(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"


@dataclass
class Tallies:
    """Counts over the findings, by severity and category and by edit (one pass)."""

    by_category: Counter
    by_edit: Counter
    names: dict
    by_category_severity: Counter

    @classmethod
    def of(cls, findings) -> Tallies:
        return cls.of_counts(Counter(cls.key(f) for f in findings))

    @staticmethod
    def key(f) -> tuple:
        return f.edit, f.name, f.category, f.severity

    @classmethod
    def of_counts(cls, counts: dict) -> Tallies:
        """From the findings counted by ``key`` (in the order first seen, as the counters keep it)."""
        by_category, by_edit, by_cs, names = Counter(), Counter(), Counter(), {}
        for (edit, name, category, severity), n in counts.items():
            by_category[category] += n
            by_edit[edit] += n
            by_cs[(category, severity.label)] += n
            names.setdefault(edit, name)
        return cls(by_category, by_edit, names, by_cs)


def held_charge(result) -> Decimal | None:
    """scrub gate: the total charge of the claims at or above its --fail-on (the held claims)."""
    if not result.gate:
        return None
    levels = ("error",) if result.gate.get("fail_on") == "error" else ("error", "warning")
    return sum((r.charge or 0 for r in result.claim_rows if r.status in levels), Decimal(0))
