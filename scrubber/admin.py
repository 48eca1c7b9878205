"""Administration view of a claim: each line's code facts and documented running time.

Times come from the ``--times`` record (keyed by CLM01 + LX01, or REF*6R) or from NTE notes on
the line (837P 2400 NTE), else from a claim note (2300 NTE) when the claim has a single timed
primary line.  When both the record and a note time a line, the record wins and the difference
is kept for a warning.  Nothing here raises on bad data: problems are collected for the
start-stop-missing edits.

``for_claim(ctx)`` builds the view once per claim and caches it on the edit context.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from . import tables, timemath
from .model import Claim, ServiceLine, to_count
from .tables import Row
from .times import AdminTimes, minutes_between, parse_note, parse_record_time

DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
_UNSET = object()


@dataclass
class Interval:
    start: dt.datetime
    stop: dt.datetime
    source: str  # "record" or "note"
    minutes: int = field(init=False, compare=False)  # running minutes, stop - start

    def __post_init__(self) -> None:
        self.minutes = minutes_between(self.start, self.stop)

    def overlap(self, other: Interval) -> int:
        start, stop = max(self.start, other.start), min(self.stop, other.stop)
        return minutes_between(start, stop) if stop > start else 0


@dataclass
class LineTimes:
    intervals: list[Interval] = field(default_factory=list)
    pauses: list[tuple] = field(default_factory=list)  # note interruptions: (start, stop)
    breaks: list[tuple] = field(default_factory=list)  # record interruptions: (row start, row stop, minutes)
    source: str | None = None
    drugs: tuple[str, ...] = ()  # the record's ``drug`` column for the line
    # record rows starting after the line's date: (interval, problem detail, interruption minutes)
    late: list[tuple] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)
    note_minutes: int | None = None  # running minutes the note gave when the record won
    _minutes: object = field(default=_UNSET, init=False, repr=False, compare=False)  # computed once

    @property
    def minutes(self) -> int | None:
        """Running minutes; read only once the times are complete (``_line_times`` builds them)."""
        if self._minutes is _UNSET:
            if not self.intervals:
                self._minutes = None
            elif len(self.intervals) == 1 and not self.pauses and not self.breaks:
                self._minutes = self.intervals[0].minutes
            else:
                spans = [(i.start, i.stop) for i in self.intervals]
                self._minutes = timemath.running_minutes(spans, self.pauses, self.breaks)
        return self._minutes

    @property
    def start(self) -> dt.datetime | None:
        return min(i.start for i in self.intervals) if self.intervals else None


@dataclass(slots=True)
class AdminLine:
    """One service line seen as an administration: the admin_codes facts of its code (copied out
    once, since every infusion edit reads them), its times, its date, and for a line that is not an
    administration code, the drug's administration family (drug_admin_family table) if listed."""

    line: ServiceLine
    info: Row | None  # admin_codes row, None for a code that is not an administration code
    times: LineTimes
    day: dt.date | None
    code: str = ""
    kind: str = ""
    family: str = ""
    time_based: bool = False
    drug_family: str | None = None

    def attr(self, name: str) -> str:
        return self.info.values.get(name, "") if self.info else ""

    @property
    def primaries(self) -> list[str]:
        return list(tables.cell_list(self.attr("primaries")))

    @property
    def units(self) -> int:
        units = self.line.units
        return int(units) if units is not None and units == int(units) else 0

    @property
    def distinct(self) -> bool:
        return bool(DISTINCT_MODIFIERS.intersection(self.line.modifiers))


class _Facts(NamedTuple):
    info: Row | None  # admin_codes row
    kind: str
    family: str
    time_based: bool
    drug_family: str | None  # drug_admin_family, for a code that is not an administration code


@lru_cache(maxsize=1 << 14)
def _code_facts(code: str, day: dt.date | None) -> _Facts:
    """What AdminLine copies from the tables for a code on a date of service (``day`` is a
    ``tables.epoch``); cached, since a batch bills the same few codes over and over."""
    info = tables.get("admin_codes").lookup(code, on=day)
    if info is not None:
        values = info.values
        return _Facts(info, values["kind"], values["family"], values["time_based"] == "yes", None)
    row = tables.get("drug_admin_family").lookup(code, on=day)
    return _Facts(None, "", "", False, row.values["family"] if row else None)


@dataclass
class ClaimAdmin:
    claim: Claim
    lines: list[AdminLine]
    days: list = field(default_factory=list)  # dates of service in first-seen order
    by_day: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # results that several edits share
    _groups: list | None = None

    def __post_init__(self) -> None:
        for a in self.lines:
            self.by_day.setdefault(a.day, []).append(a)
        self.days = list(self.by_day)

    def entry(self, line: ServiceLine) -> AdminLine:
        return next(a for a in self.lines if a.line is line)

    def administration_of(self, entry: AdminLine):
        """The administration a line is the primary or an add-on hour of, if any."""
        found = self.cache.get("administration_of")
        if found is None:
            found = self.cache["administration_of"] = {
                id(a): adm for adm in self.administrations() for a in adm.lines
            }
        return found.get(id(entry))

    def minutes_of(self, entry: AdminLine) -> int | None:
        """Running minutes of the administration a line belongs to (its own when it is in none)."""
        adm = self.administration_of(entry)
        return adm.minutes if adm is not None else entry.times.minutes

    def administrations(self) -> list:
        """The claim's infusions with their add-on hour lines (``clock.administrations``), computed once."""
        if self._groups is None:
            self._groups = clock.administrations(self)
        return self._groups

    def on_day(self, day: dt.date | None) -> list[AdminLine]:
        return self.by_day.get(day, [])


def _record_times(rows, day: dt.date | None, last_day: dt.date | None) -> LineTimes:
    times = LineTimes(source="record")
    last_day = last_day or day
    for row in rows:
        start, stop = parse_record_time(row.start, day), parse_record_time(row.stop, day)
        if start is None or stop is None:
            bad = "start" if start is None else "stop"
            times.problems.append(("unparseable", f"record row {row.row}: {bad} time {getattr(row, bad)!r}"))
            continue
        if stop < start:
            times.problems.append(
                ("stop-before-start", f"record row {row.row}: stop {row.stop} is before start {row.start}")
            )
            continue
        if day is not None and not day <= start.date() <= last_day:
            detail = (
                f"record row {row.row}: start {start:%Y-%m-%d %H:%M} is not on "
                f"the line's date of service {day:%Y-%m-%d}"
            )
            # kept aside: it may continue an administration that started on the date (``_late``)
            pause = int(row.interruptions_min) if row.interruptions_min.isdigit() else 0
            times.late.append((Interval(start, stop, "record"), detail, pause))
            continue
        times.intervals.append(Interval(start, stop, "record"))
        if row.interruptions_min:
            minutes = to_count(row.interruptions_min, 6)
            if minutes is not None:
                times.breaks.append((start, stop, minutes))
            else:
                times.problems.append(
                    ("unparseable", f"record row {row.row}: interruptions_min {row.interruptions_min!r}")
                )
    return times


@lru_cache(maxsize=8192)
def _note_pairs(text: str) -> tuple:
    """parse_note, cached: billers repeat the same few note texts across a batch."""
    return tuple(parse_note(text) or ())


def _note_times(texts: list[str], day: dt.date | None) -> LineTimes | None:
    pairs = []
    for text in texts:
        pairs += _note_pairs(text)
    if not pairs or day is None:
        return None
    times = LineTimes(source="note")
    for pair in pairs:
        start = dt.datetime.combine(day, pair.start)
        stop = dt.datetime.combine(day, pair.stop)
        if stop < start:
            times.problems.append(
                (
                    "stop-before-start",
                    f"note: stop {pair.stop:%H:%M} is before start "
                    f"{pair.start:%H:%M} (a note carries no date)",
                )
            )
            continue
        if pair.interruption:
            times.pauses.append((start, stop))
        else:
            times.intervals.append(Interval(start, stop, "note"))
    return times


def _line_times(
    claim: Claim,
    line: ServiceLine,
    record: AdminTimes,
    claim_note: list[str],
    day: dt.date | None,
    timed: bool,
) -> LineTimes:
    """Times of one line; notes are read only for administration lines (``timed``)."""
    rows = record.for_line(claim.claim_id, line.number, line.ref_6r) if record.rows else ()
    notes = ([n.text for n in line.notes] or claim_note) if timed else []
    from_note = _note_times(notes, day) if notes else None
    if rows:
        record.matched.update(r.row for r in rows)
        times = _record_times(rows, day, line.date_to)
        times.drugs = tuple(dict.fromkeys(r.drug for r in rows if r.drug))
        if (
            from_note is not None
            and from_note.minutes is not None
            and times.minutes is not None
            and from_note.minutes != times.minutes
        ):
            times.note_minutes = from_note.minutes
        return times
    if from_note is not None:
        return from_note
    return LineTimes()


def build(claim: Claim, record: AdminTimes) -> ClaimAdmin:
    day0 = claim.service_date
    epoch = tables.epoch
    days = [line.date_from or day0 for line in claim.lines]
    facts = [_code_facts(line.code, epoch(day)) for line, day in zip(claim.lines, days, strict=True)]
    # a claim note times the claim's one timed primary line
    timed = [i for i, f in enumerate(facts) if f.time_based and f.kind in ("initial", "sequential", "visit")]
    claim_primary = timed[0] if len(timed) == 1 else None
    claim_note = [n.text for n in claim.notes] if claim_primary is not None else []
    rows = bool(record.rows)
    lines = []
    for index, (line, fact, day) in enumerate(zip(claim.lines, facts, days, strict=True)):
        info, kind, family, time_based, drug_family = fact
        if rows or info is not None:
            note = claim_note if index == claim_primary else []
            times = _line_times(claim, line, record, note, day, info is not None)
        else:
            times = LineTimes()  # neither a record row nor an administration code's note: untimed
        lines.append(AdminLine(line, info, times, day, line.code, kind, family, time_based, drug_family))
    view = ClaimAdmin(claim, lines)
    if any(a.times.late for a in lines):
        clock.accept_late(view)
    return view


def for_claim(ctx) -> ClaimAdmin:
    """The claim's administration view, built once per claim and kept on the edit context."""
    view = ctx.cache.get("admin")
    if view is None:
        view = ctx.cache["admin"] = build(ctx.claim, ctx.times)
    return view


def entry(ctx, line: ServiceLine) -> AdminLine:
    """The administration view of one line of the context's claim."""
    return for_claim(ctx).entry(line)


# clock groups the view's lines (and imports this module's records): imported last, it finds them
from . import clock  # noqa: E402
