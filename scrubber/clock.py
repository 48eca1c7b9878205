"""Administrations and the verdicts on them that several edits share (RULES.md A.3).

* One administration, one clock: an infusion line and the add-on hour lines that extend it are
  grouped (``administrations``) and timed together by the union of their intervals
  (``running_minutes``).

* Hydration (ADM-02, ADM-09): an administration of hydration (96360 with its 96361 hours, or the
  96361 lines of a date without 96360) is reportable only with 31 minutes or more, and only its
  minutes outside the other IV infusions of the date count.  A hydration administration that is not
  reportable is one finding (INF011 short, else INF018 concurrent); its lines are then neither an
  initial service (INF020/INF022) nor counted for add-on hours (INF012/INF013).
* Home visits (99601 / +99602): the minutes 99601 covers and the partial-hour threshold of each
  added hour come from the payer profile's ``time_policy`` row (scrubber/policy.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from . import admin, policy, timemath
from .admin import AdminLine, ClaimAdmin


def running_minutes(times) -> int:
    """Running minutes of one administration documented by several lines' ``LineTimes``: the union
    of their intervals less interruptions, each counted once (RULES.md A.3 "one administration, one
    clock"; timemath.running_minutes)."""
    if len(times) == 1:
        one = times[0]
        if len(one.intervals) == 1 and not one.pauses and not one.breaks:
            return one.intervals[0].minutes
    spans = [(i.start, i.stop) for t in times for i in t.intervals]
    pauses = [p for t in times for p in t.pauses]
    breaks = [b for t in times for b in t.breaks]
    return timemath.running_minutes(spans, pauses, breaks)


@dataclass
class Administration:
    """A primary infusion line (initial, sequential or visit) and the add-on hour lines that extend it.

    Secondary hydration (96361 with no 96360 on its date) is an administration of its own: its first
    96361 line is ``primary``, the others are ``addons``, and all of them bill its hours."""

    primary: AdminLine
    addons: list[AdminLine] = field(default_factory=list)
    secondary_hydration: bool = False
    _minutes: object = field(default=admin._UNSET, init=False, repr=False, compare=False)

    @property
    def lines(self) -> list[AdminLine]:
        return [self.primary, *self.addons]

    @property
    def unit_lines(self) -> list[AdminLine]:
        """The lines whose units are the administration's add-on hours."""
        return self.lines if self.secondary_hydration else self.addons

    @property
    def timed(self) -> bool:
        return any(a.times.intervals for a in self.lines)

    @property
    def minutes(self) -> int | None:
        """Running minutes: the union of the intervals of all its lines (the same start and stop
        repeated on the add-on line is one interval), interruptions subtracted once; None untimed."""
        if self._minutes is admin._UNSET:
            timed = [a.times for a in self.lines if a.times.intervals]
            self._minutes = running_minutes(timed) if timed else None
        return self._minutes

    @property
    def spans(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """The documented running intervals of all its lines, merged."""
        return timemath.merge((i.start, i.stop) for a in self.lines for i in a.times.intervals)

    @property
    def billed_addon_units(self) -> int:
        return sum(a.units for a in self.unit_lines)


def _fits(addon: AdminLine, adm: Administration) -> int:
    """How well an add-on hour line matches an administration: 2 for the same record drug, 1 for own
    times that overlap or touch the administration's, else 0."""
    drugs = addon.times.drugs
    if drugs and set(drugs).intersection(adm.primary.times.drugs):
        return 2
    if addon.times.intervals and adm.primary.times.intervals:
        for i in addon.times.intervals:
            for j in adm.primary.times.intervals:
                if i.start <= j.stop and j.start <= i.stop:
                    return 1
    return 0


def administrations(view: ClaimAdmin) -> list[Administration]:
    """Group each add-on hour line with the primary it extends: among the same-date lines whose hour
    add-on is that code (falling back to any non-hydration infusion on the date for an add-on of the
    wrong family), the one with the same record drug, else the one whose times it overlaps or
    adjoins, else the nearest earlier line, else the first later one.  96361 lines on a date without
    96360 form one secondary hydration administration."""
    found = [
        Administration(a)
        for a in view.lines
        if a.kind in ("initial", "sequential", "visit") and a.attr("addon_hour")
    ]
    addons = [a for a in view.lines if a.kind == "addon-hour"]
    if not addons:
        return found
    position = {id(a): i for i, a in enumerate(view.lines)}
    secondary: dict = {}
    for addon in addons:
        same_day = [adm for adm in found if adm.primary.day == addon.day]
        candidates = [adm for adm in same_day if adm.primary.attr("addon_hour") == addon.code]
        if not candidates and addon.family == "hydration":
            if addon.code == "96361":
                group = secondary.get(addon.day)
                if group is None:
                    secondary[addon.day] = Administration(addon, secondary_hydration=True)
                else:
                    group.addons.append(addon)
            continue
        if not candidates:
            # an hour add-on of the wrong family (96366 after 96413) still bills an hour of that
            # infusion; INF024 reports the code, the unit math counts the hour
            candidates = [adm for adm in same_day if adm.primary.family not in ("hydration", "home")]
        if not candidates:
            continue
        if len(candidates) > 1:
            best = max(_fits(addon, adm) for adm in candidates)
            if best:
                candidates = [adm for adm in candidates if _fits(addon, adm) == best]
        before = [adm for adm in candidates if position[id(adm.primary)] < position[id(addon)]]
        (before[-1] if before else candidates[0]).addons.append(addon)
    return found + list(secondary.values())


def accept_late(view: ClaimAdmin) -> None:
    """Record rows that start after their line's date of service: one that continues, without a
    gap, an interval of the same administration that started on the date (an infusion past
    midnight whose later part is written on the add-on line) is part of its clock; any other is
    an outside-dos problem (TIME-05).  Runs before anything reads the times."""
    groups = view.administrations()
    for group in groups:
        spans = timemath.merge((i.start, i.stop) for a in group.lines for i in a.times.intervals)
        pending = [(a, item) for a in group.lines for item in a.times.late]
        moved = True
        while moved and spans and pending:
            moved = False
            for a, item in list(pending):
                interval, _detail, pause = item
                if any(interval.start <= stop and start <= interval.stop for start, stop in spans):
                    a.times.intervals.append(interval)
                    if pause:
                        a.times.breaks.append((interval.start, interval.stop, pause))
                    a.times._minutes = admin._UNSET
                    spans = timemath.merge([*spans, (interval.start, interval.stop)])
                    pending.remove((a, item))
                    moved = True
    for a in view.lines:
        taken = {id(i) for i in a.times.intervals}
        for interval, detail, _pause in a.times.late:
            if id(interval) not in taken:
                a.times.problems.append(("outside-dos", detail))
        a.times.late = []
    view._groups = None  # regrouped with the accepted intervals
    view.cache.clear()


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
    if not any(a.family == "hydration" for a in view.lines):
        return
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
    """``id()`` of the lines of hydration administrations that cannot be reported at all (once per claim)."""
    found = view.cache.get("not_reportable")
    if found is None:
        found = view.cache["not_reportable"] = {
            id(a) for h in hydrations(view) if h.short or h.concurrent for a in h.adm.lines
        }
    return found


def visit_rule(ctx, day) -> tuple[int, int] | None:
    """(minutes 99601 covers, minutes of an added hour that must be exceeded) for the claim's payer
    profile, or None when the profile has no time_policy row."""
    covers = policy.setting(ctx, "time_policy", "visit_covers_minutes", day)
    over = policy.setting(ctx, "time_policy", "visit_partial_over_minutes", day)
    if not covers.isdigit() or not over.isdigit():
        return None
    return int(covers), int(over)
