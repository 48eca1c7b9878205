"""Payer-profile policy: one row per profile in the ``*_policy`` tables (``supervision_policy``,
``per_diem_policy``, ``ndc_policy``, ``time_policy``), overridable per profile in configuration::

    [tool.scrubber.policy.commercial]
    ndc_required = "yes"            # any column of a policy table, by name
    ndc_units = "F2;GR;ML;UN"

The shipped rows are defaults from RULES.md; payer contracts decide the real values.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

from . import tables

TABLES = ("supervision_policy", "per_diem_policy", "ndc_policy", "time_policy")


@cache
def columns() -> dict[str, str]:
    """Setting name -> the policy table that defines it (every value column of every policy table)."""
    manifest = tables.read_manifest()
    found: dict[str, str] = {}
    for name in TABLES:
        meta = manifest[name]
        for column in meta["columns"]:
            if column not in meta["key"] and column not in ("effective_from", "effective_to"):
                found[column] = name
    return found


def values(ctx, table: str, day: dt.date | None) -> dict[str, str] | None:
    """The profile's row of ``table`` on ``day``, with the configured overrides applied; None when
    the profile has no row and no override (the profile is not checked)."""
    row = tables.get(table).lookup(ctx.profile, on=day)
    override = {k: v for k, v in ctx.config.policy.get(ctx.profile, {}).items() if columns().get(k) == table}
    if row is None and not override:
        return None
    return {**(row.values if row else {}), **override}


def setting(ctx, table: str, column: str, day: dt.date | None, default: str = "") -> str:
    if not ctx.config.policy.get(ctx.profile):  # no override for the profile: the table's value
        return _table_setting(table, ctx.profile, tables.epoch(day), column, default)
    found = values(ctx, table, day)
    return (found or {}).get(column, default).strip()


@lru_cache(maxsize=4096)
def _table_setting(table: str, profile: str, day: dt.date | None, column: str, default: str) -> str:
    """``setting`` from the table alone (``day`` a ``tables.epoch``); cached, since edits ask for the
    same few settings on every line."""
    row = tables.get(table).lookup(profile, on=day)
    return (row.values if row is not None else {}).get(column, default).strip()
