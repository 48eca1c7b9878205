"""scrub fix: byte-identical when there is nothing to fix, corrected files re-scrub clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casekit import base, findings_for, patch, readable, renumber, sample_and_corpus_files
from typer.testing import CliRunner

from scrubber.cli import app
from scrubber.config import Config
from scrubber.fixer import fix_data
from scrubber.pipeline import Engine
from scrubber.rawfile import RawFile

ROOT = Path(__file__).resolve().parents[1]
RUNNER = CliRunner()


READABLE = [p for p in sample_and_corpus_files() if readable(p)]


@pytest.mark.parametrize("path", READABLE, ids=[p.name for p in READABLE])
def test_nothing_to_fix_writes_the_same_bytes(path, tmp_path):
    out = tmp_path / "out.x12"
    result = RUNNER.invoke(
        app, ["fix", str(path), "--output", str(out), "--select", "NOTHING", "--no-validate"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("path", READABLE, ids=[p.name for p in READABLE])
def test_fixing_removes_every_fixed_finding(path):
    data = path.read_bytes()
    engine = Engine(Config(jobs=1))
    outcome = fix_data(data, path.name, engine)
    fixed_edits = {c.edit for c in outcome.changes} - {"fixer"}
    left = {(f.edit, f.claim_id) for f in outcome.result.findings if f.fix and f.fix.safety == "safe"}
    skipped = {(s.finding.edit, s.finding.claim_id) for s in outcome.skipped}
    assert left <= skipped, left - skipped
    assert outcome.result.claims == engine.scrub_data(data, path.name).claims
    if not outcome.changes:
        assert outcome.data == data
    assert fixed_edits <= {f.edit for f in engine.scrub_data(data, path.name).findings}


def test_units_fix_scales_the_charge_and_recomputes_the_total(tmp_path):
    text = renumber(
        patch(
            base("inf_837p"),
            [
                ["LX*2~\n", "LX*3~\nSV1*HC:96415*255*UN*3***1~\nDTP*472*D8*20261103~\nLX*2~\n"],
                ["CLM*INF-RA-001*9560", "CLM*INF-RA-001*9815"],
                ["START 0900 STOP 1030", "START 0900 STOP 1100"],
            ],
        )
    )
    outcome = fix_data(text.encode(), "c.x12", Engine(Config(jobs=1)))
    out = outcome.data.decode()
    assert "SV1*HC:96415*85*UN*1***1~" in out  # 3 units at 85 each -> 1 unit, 85
    assert "CLM*INF-RA-001*9645***" in out  # 310 + 85 + 9250
    assert {c.edit for c in outcome.changes} == {"INF012", "fixer"}
    assert findings_for(outcome.result, "INF012") == [] and findings_for(outcome.result, "BAL001") == []


def test_deleted_line_renumbers_lx_and_recounts_se(tmp_path):
    text = renumber(
        patch(
            base("inf_837p"),
            [
                ["LX*2~\n", "LX*2~\nSV1*HC:96415*85*UN*1***1~\nDTP*472*D8*20261103~\nLX*3~\n"],
                ["CLM*INF-RA-001*9560", "CLM*INF-RA-001*9645"],
            ],
        )
    )
    outcome = fix_data(text.encode(), "c.x12", Engine(Config(jobs=1)))
    out = outcome.data.decode()
    assert "HC:96415" not in out and "LX*3" not in out and "LX*2~\nSV1*HC:J9312" in out
    assert "CLM*INF-RA-001*9560***" in out
    assert outcome.result.counts["error"] == 0, [f.message for f in outcome.result.findings]


def test_unsafe_fixes_need_the_flag():
    text = renumber(
        patch(
            base("inf_837i"),
            [["LX*3~\n", "LX*3~\nSV2*0260*HC:96361*200*UN*1~\nDTP*472*D8*20261103~\nLX*4~\n"]],
        )
    )
    from scrubber.times import AdminTimes

    def engine(tmp):
        return Engine(Config(jobs=1), tmp)

    rows = "claim_id,line,start,stop\nINF-I-001,1,10:00,12:00\nINF-I-001,3,10:30,11:30\n"
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as fh:
        fh.write(rows)
    record = AdminTimes.load(fh.name)
    safe_only = fix_data(text.encode(), "c.x12", engine(record))
    assert findings_for(safe_only.result, "INF018")
    with_unsafe = fix_data(
        text.encode(), "c.x12", Engine(Config(jobs=1), AdminTimes.load(fh.name)), unsafe=True
    )
    assert findings_for(with_unsafe.result, "INF018") == []
    Path(fh.name).unlink()


def test_cli_refuses_to_overwrite_the_input_and_writes_an_audit_trail(tmp_path):
    src = tmp_path / "in.x12"
    src.write_bytes((ROOT / "sample_837" / "837p_defects.x12").read_bytes())
    before = src.read_bytes()
    refused = RUNNER.invoke(app, ["fix", str(src), "--output", str(src)])
    assert refused.exit_code == 2 and src.read_bytes() == before
    report = tmp_path / "r.json"
    done = RUNNER.invoke(
        app, ["fix", str(src), "-o", str(tmp_path / "out.x12"), "--report", str(report), "--no-validate"]
    )
    assert done.exit_code == 1  # errors without a fix remain
    doc = json.loads(report.read_text())
    assert {c["edit"] for c in doc["changes"]} >= {"BAL001", "CS007", "DX002", "DX003"}
    assert all({"claim_id", "line", "segment", "before", "after", "edit"} <= set(c) for c in doc["changes"])
    diff = RUNNER.invoke(app, ["fix", str(src), "--diff", "--no-validate"])
    assert "-HI*BK:M0579" in diff.stdout and "+HI*ABK:M0579" in diff.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.x12", "out.x12", "r.json"]


def test_a_claim_whose_fix_adds_a_pyx12_error_keeps_its_segments():
    from types import SimpleNamespace

    data = (ROOT / "sample_837" / "837p_defects.x12").read_bytes()

    def judge(candidate: bytes):
        """A stand-in validator: the corrected DEF-CS007-BK claim gets an error the input lacks."""
        raw = RawFile.parse(candidate)
        at = next(i for i, s in enumerate(raw.segments) if s.text.startswith("CLM*DEF-CS007-BK*"))
        hi = next(i for i in range(at, len(raw.segments)) if raw.segments[i].text.startswith("HI*"))
        if raw.segments[hi].text.startswith("HI*ABK"):
            return [SimpleNamespace(ordinal=hi + 1, segment="HI", code="X")]
        return []

    outcome = fix_data(data, "d.x12", Engine(Config(jobs=1)), validator=judge)
    assert b"HI*BK:M0579" in outcome.data  # the DEF-CS007-BK claim kept its original HI
    assert b"HI*ABF:M0579" not in outcome.data  # the other CS007 claim was fixed
    assert [s.finding.claim_id for s in outcome.skipped] == ["DEF-CS007-BK"]
    assert all(c.claim_id != "DEF-CS007-BK" for c in outcome.changes)


@pytest.mark.parametrize("gap", [98, 998], ids=["HI100", "HI1000"])
def test_a_diagnosis_past_element_99_is_fixed_without_a_crash(gap):
    """The fixer addresses an element from the segment id on: HI100-1, HI1000-1 (the old pattern
    read HI100 as HI1 + 00, and HI1000 raised AttributeError)."""
    text = renumber(
        patch(base("837p"), [["HI*ABK:D839*ABF:Z79899~", "HI*ABK:D839*ABF:Z79899" + "*" * gap + "BF:E119~"]])
    )
    outcome = fix_data(text.encode(), "c.x12", Engine(Config(jobs=1)))
    assert [c.edit for c in outcome.changes] == ["CS007"] and outcome.skipped == []
    assert ("*" * gap + "ABF:E119~").encode() in outcome.data
    assert findings_for(outcome.result, "CS007") == []


def test_a_fix_the_fixer_cannot_address_is_skipped_not_raised():
    from scrubber.findings import Finding, Severity
    from scrubber.findings import Fix as FixRecord
    from scrubber.fixapply import WindowPass
    from scrubber.model import Loc

    raw = RawFile.parse((ROOT / "sample_837" / "837p_clean.x12").read_bytes())
    clm = next(i for i, s in enumerate(raw.segments) if s.text.startswith("CLM*"))
    odd = [
        FixRecord("set", Loc(clm + 1, "CLM", element, "2300"), "1", None, "safe", "odd")
        for element in ("CLM", "CLMXX", "SV102", "CLM00", "CLM02-0", "", None)
    ] + [
        FixRecord("set", Loc(None, "CLM", "CLM02", "2300"), "1", None, "safe", "no ordinal"),
        FixRecord("set", Loc(10**6, "CLM", "CLM02", "2300"), "1", None, "safe", "past the end"),
        FixRecord("set", Loc(clm + 1, "CLM", "CLM02", "2300"), None, None, "safe", "no value"),
        FixRecord("move", Loc(clm + 1, "CLM", "CLM02", "2300"), "1", None, "safe", "unknown op"),
    ]
    findings = [
        Finding("X", "", "test", Severity.ERROR, "", "c.x12", "C1", None, fix.loc, None, None, fix)
        for fix in odd
    ]
    before = raw.to_bytes()
    step = WindowPass(raw, unsafe=False)
    step.apply(findings)
    assert len(step.skipped) == len(odd) and step.changes == []
    assert raw.to_bytes() == before


@pytest.mark.parametrize("charge", ["1E999", "9" * 40, "NaN", "-0"])
def test_odd_charges_never_raise_in_the_fixer(charge):
    """A units fix scales the line charge and the fixer recomputes CLM02: an amount with no X12
    form (too large, not a number) is left as it is instead of raising decimal errors."""
    text = renumber(
        patch(
            base("inf_837p"),
            [
                ["LX*2~\n", f"LX*3~\nSV1*HC:96415*{charge}*UN*3***1~\nDTP*472*D8*20261103~\nLX*2~\n"],
                ["START 0900 STOP 1030", "START 0900 STOP 1100"],
            ],
        )
    )
    outcome = fix_data(text.encode(), "c.x12", Engine(Config(jobs=1)))
    assert outcome.result.files[0].error is None
    assert all(c.after != c.before for c in outcome.changes)


@pytest.mark.parametrize("option", ["-o", "--report"])
@pytest.mark.parametrize("where", ["/proc/scrub-out.x12", "/sys/scrub-out.x12", "missing/dir/out.x12"])
def test_an_output_that_cannot_be_written_exits_2_with_one_line(tmp_path, monkeypatch, option, where):
    monkeypatch.chdir(tmp_path)
    args = {"-o": "out.x12", option: where}
    src = ROOT / "sample_837" / "837p_defects.x12"
    result = RUNNER.invoke(app, ["fix", str(src), "--no-validate", *[x for p in args.items() for x in p]])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert len(result.stderr.strip().splitlines()) == 1 and where in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_pyx12_judge_sees_only_the_changed_claims():
    data = (ROOT / "sample_837" / "837p_defects.x12").read_bytes()
    seen: list[bytes] = []

    def judge(candidate: bytes):
        seen.append(candidate)
        return []

    outcome = fix_data(data, "d.x12", Engine(Config(jobs=1)), validator=judge)
    changed = {c.claim_id for c in outcome.changes if c.claim_id}
    assert len(seen) == 1  # the changed claims as corrected, in one batch (pyx12 accepts them all)
    for candidate in seen:
        raw = RawFile.parse(candidate)
        ids = {raw.elements(i)[1] for i in range(len(raw.segments)) if raw.seg_id(i) == "CLM"}
        assert ids == changed
    nothing = fix_data((ROOT / "sample_837" / "837p_clean.x12").read_bytes(), "c.x12", Engine(Config(jobs=1)))
    assert list(nothing.changes) == []
    seen.clear()
    fix_data(
        (ROOT / "sample_837" / "837p_clean.x12").read_bytes(),
        "c.x12",
        Engine(Config(jobs=1)),
        validator=judge,
    )
    assert seen == []


def test_record_rows_follow_renumbered_lines(tmp_path):
    """Removing a line renumbers the ones after it; the re-check reads the administration record
    (keyed by CLM01 + LX01) with its rows moved along, so no time goes missing (INF001) and no row
    is left unmatched (INF005)."""
    from scrubber.times import AdminTimes

    line4 = "LX*4~\nSV2*0260*HC:96367*400*UN*1~\nDTP*472*D8*20261103~\n"
    text = renumber(patch(base("inf_837i"), [["CTP****100*ML~\n", "CTP****100*ML~\n" + line4]]))
    (tmp_path / "t.csv").write_text(
        "claim_id,line,start,stop\nINF-I-001,1,10:00,11:30\nINF-I-001,4,11:30,12:10\n"
    )
    record = AdminTimes.load(str(tmp_path / "t.csv"))
    engine = Engine(Config(jobs=1), record)
    outcome = fix_data(text.encode(), "c.x12", engine)
    assert "HC:96415" not in outcome.data.decode()  # 90 minutes: the added hour is removed
    edits = {f.edit for f in outcome.result.findings}
    assert not edits & {"INF001", "INF005", "INF012"}, edits
    assert engine.times is record  # the caller's record is left as it was


@pytest.mark.parametrize(("jobs", "judged"), [(1, False), (2, False), (2, True)])
def test_record_rows_follow_renumbered_lines_in_worker_processes(tmp_path, monkeypatch, jobs, judged):
    """The same, with the file split across worker processes: the workers, forked with the record
    as it stood, are forked again with the renumbered one (else a later pass and the final check
    would read rows at the lines' old numbers: INF001 for the moved line, INF005 for its row);
    ``judged``: while pyx12 judges the first pass's claims in workers of its own, fed from a thread."""
    from scrubber import fixjudge, parallel, pipeline
    from scrubber.cli_fix import _validator
    from scrubber.times import AdminTimes

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 1)
    monkeypatch.setattr(fixjudge, "MIN_BATCH", 0)
    line4 = "LX*4~\nSV2*0260*HC:96367*400*UN*1~\nDTP*472*D8*20261103~\n"
    line5 = "LX*5~\nSV2*0260*HC:96366*120*UN*1~\nDTP*472*D8*20261103~\n"
    text = renumber(patch(base("inf_837i"), [["CTP****100*ML~\n", "CTP****100*ML~\n" + line4 + line5]]))
    (tmp_path / "t.csv").write_text(
        "claim_id,line,start,stop\nINF-I-001,1,10:00,11:30\nINF-I-001,4,11:30,12:10\n"
        "INF-I-001,5,12:10,13:10\n"
    )
    record = AdminTimes.load(str(tmp_path / "t.csv"))
    engine = Engine(Config(jobs=jobs), record)
    try:
        outcome = fix_data(text.encode(), "c.x12", engine, validator=_validator(judged))
    finally:
        engine.close()
    assert "HC:96415" not in outcome.data.decode()
    edits = {f.edit for f in outcome.result.findings}
    assert not edits & {"INF001", "INF005"}, edits
    assert engine.times is record
