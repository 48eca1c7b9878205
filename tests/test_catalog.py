"""The catalog is complete: every edit has docs, an example, pass/fail cases and (if it fixes) a fix case."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scrubber.cli import explain_page
from scrubber.findings import CATEGORIES
from scrubber.registry import catalog

CASES_DIR = Path(__file__).parent / "cases"
EDITS = catalog()


@pytest.mark.parametrize("edit", EDITS, ids=[e.id for e in EDITS])
def test_edit_is_documented(edit):
    assert edit.category in CATEGORIES
    assert edit.doc_section("What it checks"), f"{edit.id}: docstring lacks 'What it checks:'"
    assert edit.doc_section("Why it matters"), f"{edit.id}: docstring lacks 'Why it matters:'"
    assert edit.references, f"{edit.id}: no references"
    page = explain_page(edit.id)
    assert "What it checks" in page and "Why it matters" in page


@pytest.mark.parametrize(
    "edit", [e for e in EDITS if e.check is not None], ids=[e.id for e in EDITS if e.check is not None]
)
def test_edit_has_cases(edit):
    assert edit.examples.get("fail"), f"{edit.id}: no failing example for `scrub explain`"
    path = CASES_DIR / f"{edit.id}.yml"
    assert path.is_file(), f"{edit.id}: no tests/cases/{edit.id}.yml"
    spec = yaml.safe_load(path.read_text())
    assert spec["edit"] == edit.id
    cases = spec["cases"]
    assert any(not c.get("expect") for c in cases), f"{edit.id}: no passing case"
    assert any(c.get("expect") for c in cases), f"{edit.id}: no failing case"
    if edit.fix:
        assert any(c.get("fixed") for c in cases), f"{edit.id}: fixable but no fixed case"


def test_ids_are_unique_and_well_formed():
    ids = [e.id for e in EDITS]
    assert len(ids) == len(set(ids))
    names = [e.name for e in EDITS]
    assert len(names) == len(set(names))
    for e in EDITS:
        assert e.id[:-3].isalpha() and e.id[-3:].isdigit(), e.id
        assert e.name == e.name.lower() and " " not in e.name
