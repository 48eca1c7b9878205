"""The pointer, diagnosis-linkage and per diem day fixes create no finding the claim did not have:
every fixed case of those edits is scrubbed again with all edits and compared with the original."""

from __future__ import annotations

import pytest
from casekit import apply_fix, findings_for, renumber, scrub_text
from test_edits import build_text, case_config, load_cases

EDITS = ("DX002", "DX003", "DX005", "PD005")


def _keys(result):
    return {(f.edit, f.claim_id, f.line) for f in result.findings}


@pytest.mark.parametrize(
    ("edit", "case"), [p for p in load_cases() if p.values[0] in EDITS and p.values[1].get("fixed")]
)
def test_fix_creates_no_new_finding(edit, case, tmp_path):
    text = build_text(case)
    before = scrub_text(text, tmp_path, case_config(case), times=case.get("times"))
    fixed = text
    got = findings_for(before, edit)
    for finding in sorted(got, key=lambda f: -f.fix.loc.ordinal):
        fixed = apply_fix(fixed, finding.fix)
    fixed = renumber(fixed) if case.get("renumber", True) else fixed
    after = scrub_text(fixed, tmp_path, case_config(case), name="fixed.x12", times=case.get("times"))
    assert _keys(after) <= _keys(before), _keys(after) - _keys(before)
