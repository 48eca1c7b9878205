"""Home infusion per diem units against the days of the service span (RULES.md J HIT-01)."""

from __future__ import annotations

from scrubber.findings import Fix, Hits
from scrubber.registry import Family

from .per_diem import _groups

FAMILY = Family("per-diem-days", "Home infusion per diem units against the days of the service span")


def _spans(claim, ctx):
    """(per diem entry, days in its service span) for every per diem line with units and a date."""
    _policy, groups = _groups(claim, ctx)
    for group in groups:
        for entry in group:
            line = entry.line
            if line.units is None or entry.start is None or line.service is None:
                continue
            yield entry, (entry.end - entry.start).days + 1


def _units_against_days(claim, ctx, over: bool) -> Hits:
    """Per diem lines with more units than days (``over``, with the safe fix units = days) or fewer."""
    hits = Hits()
    for entry, days in _spans(claim, ctx):
        line = entry.line
        if line.units == days or (line.units > days) != over:
            continue
        loc = line.service.at(line.units_element)
        fix = (
            Fix("set", loc, str(days), line.units_text, "safe", f"Set {line.code} units to {days}")
            if over
            else None
        )
        span = f"{entry.start:%Y-%m-%d}" + (f" to {entry.end:%Y-%m-%d}" if days > 1 else "")
        hits.add(loc, line.units_text, days, line=line.number, code=line.code, span=span, fix=fix)
    return hits


@FAMILY.edit(
    "PD005",
    name="per-diem-units-exceed-days",
    category="per-diem",
    severity="warning",
    scope="claim",
    applies_to="per-diem",
    fix="safe",
    message="{code} billed {value} unit(s) for a service span of {expected} day(s) ({span}): a per "
    "diem is one unit per day the patient had the therapy",
    references=("RULES.md J HIT-01",),
    examples={"fail": "S9502 x30 with DTP*472*RD8*20261101-20261114 (14 days)"},
)
def per_diem_units_exceed_days(claim, ctx):
    """
    What it checks:
        The units of a per diem line are no more than the calendar days of its service span
        (DTP*472 D8 = 1 day, RD8 = from through to).
    Why it matters:
        A per diem pays one unit for each day the patient has access to the therapy (NHIA per
        diem definition; payers bill one month per line); units over the span are overbilling
        and are denied or recovered. The fix sets the units to the days (the charge is scaled
        with them). Fewer units than days is PD006.
    """
    return _units_against_days(claim, ctx, over=True)


@FAMILY.edit(
    "PD006",
    name="per-diem-units-under-days",
    category="per-diem",
    severity="warning",
    scope="claim",
    applies_to="per-diem",
    message="{code} billed {value} unit(s) for a service span of {expected} day(s) ({span}): bill one "
    "unit per day of therapy, and split the span around days without therapy",
    references=("RULES.md J HIT-01",),
    examples={"fail": "S9502 x10 with DTP*472*RD8*20261101-20261114 (14 days)"},
)
def per_diem_units_under_days(claim, ctx):
    """
    What it checks:
        The units of a per diem line are not fewer than the calendar days of its service span.
    Why it matters:
        Fewer units than days means either days without therapy inside the span (the span should
        be split so that each line's units equal its days) or units left unbilled. Which of the two
        is only in the therapy record, so there is no automatic fix: setting the units to the days
        could bill days the patient had no therapy.
    """
    return _units_against_days(claim, ctx, over=False)
