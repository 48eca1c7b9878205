"""Time-to-units math for infusion and hydration codes (RULES.md A.3).

``d`` is the running minutes of one administration: the sum of its running intervals with
interruptions subtracted.  The rules, with their sources in RULES.md:

* an IV administration of 15 minutes or less is a push, not an infusion (ADM-01);
* an initial or sequential infusion covers up to 90 minutes; each add-on hour needs more than
  30 minutes beyond the last full hour, so 91 minutes is one add-on hour and 151 two:
  ``ceil((d - 90) / 60)`` for d > 90 (ADM-03, "1 h 31 min -> an additional hour");
* initial hydration needs 31 minutes (ADM-02) and then follows the same add-on rule;
* secondary hydration after another initial service (96361 alone) counts from 31 minutes:
  ``ceil((d - 30) / 60)`` for d >= 31.
"""

from __future__ import annotations

import datetime as dt
import math

PUSH_MAX_MINUTES = 15
HYDRATION_MIN_MINUTES = 31
FIRST_UNIT_COVERS = 90


def is_push(minutes: int) -> bool:
    """An IV administration this short is a push, whatever code was billed."""
    return minutes <= PUSH_MAX_MINUTES


def addon_hours(minutes: int) -> int:
    """Add-on hour units after an initial or sequential infusion (or initial hydration)."""
    if minutes <= FIRST_UNIT_COVERS:
        return 0
    return math.ceil((minutes - FIRST_UNIT_COVERS) / 60)


def hydration_reportable(minutes: int) -> bool:
    return minutes >= HYDRATION_MIN_MINUTES


def secondary_hydration_units(minutes: int) -> int:
    """96361 units for hydration given after another initial service."""
    if minutes < HYDRATION_MIN_MINUTES:
        return 0
    return math.ceil((minutes - 30) / 60)


def initial_and_addons(minutes: int, hydration: bool = False) -> tuple[int, int]:
    """(initial units, add-on hour units) the documented minutes support for one administration.

    An infusion of 15 minutes or less supports no infusion units (it is a push); hydration
    under 31 minutes supports nothing."""
    if hydration:
        if not hydration_reportable(minutes):
            return 0, 0
    elif is_push(minutes):
        return 0, 0
    return 1, addon_hours(minutes)


# --- One administration, one clock (RULES.md A.3) ------------------------------------------------
#
# ``d`` is the length of the union of the running intervals documented for one administration (its
# primary line and the add-on hour lines that extend it): repeated or overlapping intervals count
# once, adjacent ones join, interruptions are subtracted once.

_MINUTE = dt.timedelta(minutes=1)


def merge(spans) -> list[tuple[dt.datetime, dt.datetime]]:
    """The union of ``(start, stop)`` spans as sorted, disjoint spans; touching spans join."""
    ordered = sorted(spans)
    if len(ordered) < 2:
        return ordered
    out = [ordered[0]]
    for start, stop in ordered[1:]:
        last_start, last_stop = out[-1]
        if start <= last_stop:
            if stop > last_stop:
                out[-1] = (last_start, stop)
        else:
            out.append((start, stop))
    return out


def length(merged) -> int:
    """Whole minutes covered by disjoint spans."""
    return sum((stop - start) // _MINUTE for start, stop in merged)


def overlap(a, b) -> int:
    """Whole minutes two sets of disjoint, sorted spans share."""
    total, i, j = dt.timedelta(0), 0, 0
    while i < len(a) and j < len(b):
        start, stop = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if stop > start:
            total += stop - start
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total // _MINUTE


def running_minutes(spans, pauses=(), breaks=()) -> int:
    """Running minutes of one administration: the union of its ``spans``, less the union of the
    documented pauses that fall inside it (note interruptions, ``(start, stop)``), less the record's
    interruption minutes, counted once per documented interval (``breaks``: ``(start, stop, minutes)``;
    the same interval repeated on several lines is one interruption, the largest given)."""
    merged = merge(spans)
    total = length(merged)
    if pauses:
        total -= overlap(merged, merge(pauses))
    if breaks:
        per_span: dict = {}
        for start, stop, minutes in breaks:
            key = (start, stop)
            per_span[key] = max(per_span.get(key, 0), minutes)
        total -= sum(per_span.values())
    return max(0, total)


def visit_addon_hours(minutes: int, covers: int, partial_over: int) -> int:
    """Add-on hours of a home visit (99602): 99601 covers ``covers`` minutes, each further hour counts
    once more than ``partial_over`` minutes of it have run (120 and 30: 150 -> 0, 151 -> 1, 211 -> 2)."""
    beyond = minutes - covers - partial_over
    return math.ceil(beyond / 60) if beyond > 0 else 0
