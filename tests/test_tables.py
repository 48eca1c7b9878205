"""Every reference table matches its manifest: columns, sha256, parsable dates, no overlapping windows."""

from __future__ import annotations

import datetime as dt

import pytest

from scrubber import tables

MANIFEST = tables.read_manifest()


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_table_matches_manifest(name):
    meta = MANIFEST[name]
    for key in ("file", "release", "key", "columns", "source", "licence", "sha256"):
        assert meta.get(key), f"{name}: manifest lacks {key}"
    assert meta["columns"][: len(meta["key"])] == meta["key"], "key columns come first"
    assert meta["columns"][len(meta["key"]) : len(meta["key"]) + 2] == ["effective_from", "effective_to"]
    table = tables.load_table(name, meta, verify=True)  # raises on columns, dates, overlaps, sha256
    assert len(table) > 0


def test_overlapping_windows_are_rejected(tmp_path):
    (tmp_path / "t.csv").write_text(
        "code,effective_from,effective_to,name\n11,2020-01-01,2024-12-31,a\n11,2024-06-01,,b\n"
    )
    meta = {
        "file": "t.csv",
        "release": "x",
        "source": "test",
        "key": ["code"],
        "columns": ["code", "effective_from", "effective_to", "name"],
    }
    with pytest.raises(tables.TableError, match="overlapping"):
        tables.load_table("t", meta, data_dir=tmp_path)


def test_bad_date_is_rejected(tmp_path):
    (tmp_path / "t.csv").write_text("code,effective_from,effective_to,name\n11,2020-13-01,,a\n")
    meta = {
        "file": "t.csv",
        "release": "x",
        "source": "test",
        "key": ["code"],
        "columns": ["code", "effective_from", "effective_to", "name"],
    }
    with pytest.raises(tables.TableError, match="not an ISO date"):
        tables.load_table("t", meta, data_dir=tmp_path)


def test_lookup_uses_date_of_service():
    pos = tables.get("place_of_service")
    assert pos.lookup("27", on=dt.date(2023, 9, 30)) is None
    assert pos.lookup("27", on=dt.date(2023, 10, 1)) is not None
    assert pos.lookup("11", on=dt.date(2026, 11, 3)).values["name"] == "Office"
    assert pos.lookup("98", on=dt.date(2026, 11, 3)) is None
