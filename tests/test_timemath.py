"""Every worked check of RULES.md A.3 is a test here."""

import pytest

from scrubber import timemath


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        # worked checks: 45 -> initial only; 65 -> initial only; 90 -> no add-on; 91 -> +1;
        # 150 -> +1; 151 -> +2; 130 (infliximab) -> +1; 245 (rituximab with a 75-min stop) -> +3
        (45, (1, 0)),
        (65, (1, 0)),
        (90, (1, 0)),
        (91, (1, 1)),
        (150, (1, 1)),
        (151, (1, 2)),
        (130, (1, 1)),
        (245, (1, 3)),
        # table edges: d <= 15 is a push (no infusion units); 16 starts the infusion
        (0, (0, 0)),
        (15, (0, 0)),
        (16, (1, 0)),
        (30, (1, 0)),
        (31, (1, 0)),
        (210, (1, 2)),
        (211, (1, 3)),
    ],
)
def test_infusion_units(minutes, expected):
    assert timemath.initial_and_addons(minutes) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        # hydration rows: under 31 not reportable; 31-90 -> 96360 x1; 91-150 -> +96361 x1; 151-210 -> x2
        (15, (0, 0)),
        (25, (0, 0)),
        (30, (0, 0)),
        (31, (1, 0)),
        (90, (1, 0)),
        (91, (1, 1)),
        (150, (1, 1)),
        (151, (1, 2)),
        (210, (1, 2)),
        (211, (1, 3)),
    ],
)
def test_initial_hydration_units(minutes, expected):
    assert timemath.initial_and_addons(minutes, hydration=True) == expected


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        # secondary hydration row: 0 under 31; 31-90 -> 1; 91-150 -> 2; 151-210 -> 3
        (0, 0),
        (30, 0),
        (31, 1),
        (90, 1),
        (91, 2),
        (150, 2),
        (151, 3),
        (210, 3),
    ],
)
def test_secondary_hydration_units(minutes, units):
    assert timemath.secondary_hydration_units(minutes) == units


@pytest.mark.parametrize(("minutes", "push"), [(1, True), (15, True), (16, False), (60, False)])
def test_push_threshold(minutes, push):
    assert timemath.is_push(minutes) is push


def test_addon_hours_is_monotonic():
    values = [timemath.addon_hours(m) for m in range(0, 600)]
    assert values == sorted(values)
    assert all(timemath.addon_hours(90 + 60 * k) == k for k in range(0, 8))
    assert all(timemath.addon_hours(91 + 60 * k) == k + 1 for k in range(0, 8))
