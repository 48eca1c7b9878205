"""Runs every case in tests/cases/<EDIT>.yml (ids like ``BAL001-total_off``; ``pytest -k BAL001``).

A case patches a base claim file, scrubs it, and compares the findings of its edit with
``expect`` (claim, line and, where given, value / expected / fix).  ``fixed: true`` applies the
findings' fix records and checks that a re-scrub no longer reports the edit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from casekit import apply_fix, base, findings_for, patch, renumber, scrub_text

from scrubber.config import Config, from_table

CASES_DIR = Path(__file__).parent / "cases"


def load_cases():
    for path in sorted(CASES_DIR.glob("*.yml")):
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            yield pytest.param(spec["edit"], case, id=f"{spec['edit']}-{case['id']}")


def build_text(case: dict) -> str:
    text = patch(base(case.get("base", "837p")), case.get("patch"))
    return renumber(text) if case.get("renumber", True) else text


def case_config(case: dict) -> Config:
    return from_table(case["config"], "case") if "config" in case else Config()


@pytest.mark.parametrize(("edit", "case"), list(load_cases()))
def test_case(edit, case, tmp_path):
    text = build_text(case)
    result = scrub_text(text, tmp_path, case_config(case), times=case.get("times"))
    assert not result.unreadable, result.unreadable
    got = findings_for(result, edit)
    want = case.get("expect") or []
    assert [(f.claim_id, f.line) for f in got] == [(w.get("claim"), w.get("line")) for w in want], [
        f.message for f in got
    ]
    for finding, expected in zip(got, want, strict=True):
        for key in ("value", "expected", "severity"):
            if key in expected:
                actual = finding.severity.label if key == "severity" else getattr(finding, key)
                assert actual == expected[key], (key, finding.message)
        if "message" in expected:
            assert expected["message"] in finding.message, finding.message
        if "fix" in expected:
            if expected["fix"] is None:
                assert finding.fix is None
            else:
                assert finding.fix is not None, finding.message
                for key, value in expected["fix"].items():
                    assert getattr(finding.fix, key) == value, (key, finding.fix)
    if case.get("fixed"):
        assert got, "a fixed case needs findings to fix"
        fixed = text
        for finding in sorted(got, key=lambda f: -f.fix.loc.ordinal if f.fix else 0):
            assert finding.fix is not None, finding.message
            fixed = apply_fix(fixed, finding.fix)
        fixed = renumber(fixed) if case.get("renumber", True) else fixed
        again = scrub_text(fixed, tmp_path, case_config(case), name="fixed.x12", times=case.get("times"))
        assert findings_for(again, edit) == []
        assert again.claims == result.claims
        check_fixer(edit, case, text, tmp_path)


def check_fixer(edit, case, text, tmp_path):
    """The real fixer corrects the case too, and pyx12 finds no error the input did not have."""
    from scrubber.fixer import fix_data
    from scrubber.pipeline import Engine
    from scrubber.times import AdminTimes
    from scrubber.validate import validate

    config = case_config(case)
    config.select, config.jobs = [edit], 1
    record = AdminTimes.empty()
    if case.get("times") is not None:
        (tmp_path / "t.csv").write_text(case["times"])
        record = AdminTimes.load(str(tmp_path / "t.csv"))
    outcome = fix_data(
        text.encode(),
        "case.x12",
        Engine(config, record),
        unsafe=True,
        validator=lambda data: validate(data).errors,
    )
    assert findings_for(outcome.result, edit) == [], [s.reason for s in outcome.skipped]
    before = {(e.segment, e.code) for e in validate(text.encode()).errors}
    after = {(e.segment, e.code) for e in validate(outcome.data).errors}
    assert after <= before, after - before
