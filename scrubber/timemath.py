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
