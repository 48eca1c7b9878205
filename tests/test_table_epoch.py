"""tables.epoch: a date-keyed cache may key on the epoch of a date instead of the date, because
every reference table answers on the epoch exactly as on the date itself."""

import datetime as dt

import pytest

from scrubber import icd10, policy, tables
from scrubber.config import Config
from scrubber.pipeline import Context
from scrubber.times import AdminTimes

ONE_DAY = dt.timedelta(days=1)


def _days() -> list[dt.date]:
    """Each boundary, the day before and after it, and days far outside every window."""
    days = {dt.date(1900, 1, 1), dt.date(2026, 11, 3), dt.date(2999, 12, 31)}
    for bound in tables._boundaries():
        days |= {bound - ONE_DAY, bound, bound + ONE_DAY}
    return sorted(days)


def test_boundaries_are_every_window_edge():
    bounds = set(tables._boundaries())
    for name in tables.read_manifest():
        for rows in tables.get(name).rows.values():
            for row in rows:
                if row.effective_from:
                    assert row.effective_from in bounds
                if row.effective_to:
                    assert row.effective_to + ONE_DAY in bounds


@pytest.mark.parametrize("name", sorted(tables.read_manifest()))
def test_every_lookup_answers_on_the_epoch_as_on_the_day(name):
    table = tables.get(name)
    for day in _days():
        epoch = tables.epoch(day)
        assert epoch <= day
        for key in table.rows:
            assert table.lookup(*key, on=epoch) is table.lookup(*key, on=day), (name, key, day)


def test_epoch_of_no_date_is_none_and_epochs_are_period_starts():
    assert tables.epoch(None) is None
    bounds = tables._boundaries()
    assert tables.epoch(dt.date.min) == dt.date.min
    for bound in bounds:
        assert tables.epoch(bound) == bound
        assert tables.epoch(bound - ONE_DAY) < bound


def test_icd10_history_status_is_the_same_on_the_epoch():
    codes = [key[0] for key in tables.get("icd10cm_history").rows] + ["A000", "M0579", "ZZZ99"]
    for day in _days():
        for code in codes:
            assert icd10.status_on(code, tables.epoch(day)) == icd10.status_on(code, day), (code, day)


def test_policy_setting_with_and_without_overrides():
    config = Config()
    ctx = Context("f", config, AdminTimes.empty(), None, "commercial")
    day = dt.date(2026, 11, 3)
    row = tables.get("ndc_policy").lookup("commercial", on=day)
    assert policy.setting(ctx, "ndc_policy", "ndc_units", day) == row.values["ndc_units"].strip()
    assert policy.setting(ctx, "ndc_policy", "no_such_column", day, "dflt") == "dflt"
    config.policy = {"commercial": {"ndc_units": " F2;UN "}}
    assert policy.setting(ctx, "ndc_policy", "ndc_units", day) == "F2;UN"
