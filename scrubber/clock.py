"""Verdicts on whole administrations that several edits share (RULES.md A.3).

* Hydration (ADM-02, ADM-09): an administration of hydration (96360 with its 96361 hours, or the
  96361 lines of a date without 96360) is reportable only with 31 minutes or more, and only its
  minutes outside the other IV infusions of the date count.  A hydration administration that is not
  reportable is one finding (INF011 short, else INF018 concurrent); its lines are then neither an
  initial service (INF020/INF022) nor counted for add-on hours (INF012/INF013).
* Home visits (99601 / +99602): the minutes 99601 covers and the partial-hour threshold of each
  added hour come from the payer profile's ``time_policy`` row (scrubber/policy.py).
"""

from __future__ import annotations

from typing import NamedTuple

from . import policy, timemath
from .admin import Administration, ClaimAdmin


class Hydration(NamedTuple):
    adm: Administration
    minutes: int  # running minutes of the hydration administration
    overlap: int  # of them, minutes shared with another IV infusion of the date
    others: tuple[str, ...]  # codes of those infusions

    @property
    def outside(self) -> int:
        return max(0, self.minutes - self.overlap)

    @property
    def short(self) -> bool:
        """Under 31 minutes in all: not reportable (INF011)."""
        return not timemath.hydration_reportable(self.minutes)

    @property
    def concurrent(self) -> bool:
        """Long enough, but not 31 minutes outside the other infusions (INF018)."""
        return not self.short and self.overlap > 0 and not timemath.hydration_reportable(self.outside)

    @property
    def reportable_minutes(self) -> int:
        return self.outside


def hydrations(view: ClaimAdmin) -> list[Hydration]:
    """The claim's timed hydration administrations, computed once per claim."""
    found = view.cache.get("hydrations")
    if found is None:
        found = view.cache["hydrations"] = list(_hydrations(view))
    return found


def _hydrations(view: ClaimAdmin):
    for adm in view.administrations():
        if adm.primary.family != "hydration" or adm.minutes is None:
            continue
        mine = {id(a) for a in adm.lines}
        others = [
            a
            for a in view.on_day(adm.primary.day)
            if id(a) not in mine
            and a.family in ("therapeutic", "complex")
            and a.attr("method") == "iv-infusion"
            and a.times.intervals
        ]
        shared = 0
        if others:
            spans = timemath.merge((i.start, i.stop) for a in others for i in a.times.intervals)
            shared = timemath.overlap(adm.spans, spans)
        codes = tuple(sorted({a.code for a in others})) if shared else ()
        yield Hydration(adm, adm.minutes, min(shared, adm.minutes), codes)


def not_reportable(view: ClaimAdmin) -> set[int]:
    """``id()`` of the lines of hydration administrations that cannot be reported at all."""
    return {id(a) for h in hydrations(view) if h.short or h.concurrent for a in h.adm.lines}


def visit_rule(ctx, day) -> tuple[int, int] | None:
    """(minutes 99601 covers, minutes of an added hour that must be exceeded) for the claim's payer
    profile, or None when the profile has no time_policy row."""
    covers = policy.setting(ctx, "time_policy", "visit_covers_minutes", day)
    over = policy.setting(ctx, "time_policy", "visit_partial_over_minutes", day)
    if not covers.isdigit() or not over.isdigit():
        return None
    return int(covers), int(over)
