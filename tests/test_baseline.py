"""Baselines: --write-baseline records the run's findings by claim, line, edit and value;
--baseline hides them later, counts them and lists the entries that no longer occur."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casekit import base, patch
from typer.testing import CliRunner

from scrubber.cli import app

RUNNER = CliRunner()
SAMPLES = Path(__file__).resolve().parents[1] / "sample_837"
BAL = ["CLM*CLEAN-RA-001*3330.00", "CLM*CLEAN-RA-001*3430.00"]  # BAL001 on the claim
DX = ["SV1*HC:J1569*3080.00*UN*60***1~", "SV1*HC:J1569*3080.00*UN*60***3~"]  # DX001 (+DX005) on line 2


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def write(path: Path, *patches) -> Path:
    path.write_text(patch(base("837p"), list(patches)))
    return path


def check(*args) -> tuple[int, dict, str]:
    result = RUNNER.invoke(app, ["check", *map(str, args), "--format", "json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}, result.stderr


def test_a_baseline_hides_what_it_recorded(tmp_path):
    claim, base_file = write(tmp_path / "a.x12", BAL, DX), tmp_path / "baseline.json"
    code, first, err = check(claim, "--write-baseline", base_file)
    assert code == 1 and "baseline of 3 finding(s) written" in err
    saved = json.loads(base_file.read_text())
    assert saved["baseline_version"] == 1
    assert {(e["edit"], e["claim_id"], e["line"]) for e in saved["findings"]} == {
        ("BAL001", "CLEAN-RA-001", None),
        ("DX001", "CLEAN-RA-001", 2),
        ("DX005", "CLEAN-RA-001", 2),
    }
    code, doc, err = check(claim, "--baseline", base_file)
    assert code == 0
    assert doc["findings"] == [] and doc["summary"]["claims_with_errors"] == 0
    assert doc["summary"]["baseline"] == {"file": str(base_file), "entries": 3, "hidden": 3, "stale": []}
    assert "3 finding(s) hidden, 0 of 3 entries no longer occur" in err


def test_keys_do_not_depend_on_the_file(tmp_path):
    base_file = tmp_path / "b.json"
    check(write(tmp_path / "monday.x12", BAL), "--write-baseline", base_file)
    (tmp_path / "later").mkdir()
    code, doc, _ = check(write(tmp_path / "later" / "tuesday.x12", BAL), "--baseline", base_file)
    assert code == 0 and doc["summary"]["baseline"]["hidden"] == 1


def test_new_findings_show_and_fixed_ones_are_stale(tmp_path):
    base_file = tmp_path / "b.json"
    check(write(tmp_path / "a.x12", BAL), "--write-baseline", base_file)
    code, doc, err = check(write(tmp_path / "a.x12", DX), "--baseline", base_file)
    assert code == 1
    assert {f["edit"] for f in doc["findings"]} == {"DX001", "DX005"}
    summary = doc["summary"]["baseline"]
    assert summary["hidden"] == 0
    stale = {"claim_id": "CLEAN-RA-001", "line": None, "edit": "BAL001", "value": "3430.00"}
    assert summary["stale"] == [stale]
    assert "1 of 1 entries no longer occur" in err


def test_another_value_is_another_finding(tmp_path):
    base_file = tmp_path / "b.json"
    check(write(tmp_path / "a.x12", BAL), "--write-baseline", base_file)
    other = ["CLM*CLEAN-RA-001*3330.00", "CLM*CLEAN-RA-001*3530.00"]
    code, doc, _ = check(write(tmp_path / "a.x12", other), "--baseline", base_file)
    assert code == 1 and [f["edit"] for f in doc["findings"]] == ["BAL001"]


def test_rewriting_with_a_baseline_keeps_what_still_occurs(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    check(write(tmp_path / "a.x12", BAL, DX), "--write-baseline", old)
    check(write(tmp_path / "a.x12", DX), "--baseline", old, "--write-baseline", new)
    assert {e["edit"] for e in json.loads(new.read_text())["findings"]} == {"DX001", "DX005"}


def test_waived_and_engine_findings_are_not_recorded(tmp_path):
    (tmp_path / "scrubber.toml").write_text(
        '[[waivers]]\nedit = "BAL001"\nreason = "Cleared"\n[[waivers]]\nedit = "CS"\nreason = "Unused"\n'
    )
    base_file = tmp_path / "b.json"
    check(write(tmp_path / "a.x12", BAL), "--write-baseline", base_file)
    assert json.loads(base_file.read_text())["findings"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline file not found"),
        ("not json", "not a baseline file"),
        ('{"findings": []}', "baseline_version 1 expected"),
        ('{"baseline_version": 1, "findings": [{"line": 2}]}', "findings[1] is not a baseline entry"),
        ('{"baseline_version": 1, "findings": [{"edit": "X", "line": "2"}]}', "line must be a number"),
    ],
    ids=["missing", "not_json", "no_version", "no_edit", "line_text"],
)
def test_a_bad_baseline_file_is_a_usage_error(tmp_path, content, message):
    base_file = tmp_path / "b.json"
    if content is not None:
        base_file.write_text(content)
    result = RUNNER.invoke(app, ["check", str(write(tmp_path / "a.x12", BAL)), "--baseline", str(base_file)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_write_baseline_is_refused_over_an_input_or_in_a_missing_folder(tmp_path):
    claim = write(tmp_path / "a.x12", BAL)
    before = claim.read_bytes()
    over = RUNNER.invoke(app, ["check", str(claim), "--write-baseline", str(claim)])
    assert over.exit_code == 2 and "would overwrite an input file" in over.stderr
    assert claim.read_bytes() == before
    missing = RUNNER.invoke(app, ["check", str(claim), "--write-baseline", str(tmp_path / "no" / "b.json")])
    assert missing.exit_code == 2 and "directory does not exist" in missing.stderr


def test_baseline_is_written_atomically(tmp_path, monkeypatch):
    """A write that fails leaves the previous baseline as it was and no temporary file."""
    import os

    claim, base_file = write(tmp_path / "a.x12", BAL), tmp_path / "b.json"
    base_file.write_text("previous")

    def fails(*args):
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", fails)
        RUNNER.invoke(app, ["check", str(claim), "--write-baseline", str(base_file)])
    assert base_file.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.json")] == []


def test_samples_baseline_round_trip(tmp_path):
    base_file = tmp_path / "b.json"
    times = SAMPLES / "admin_times.csv"
    code, first, _ = check(SAMPLES, "--times", times, "--write-baseline", base_file)
    code, doc, _ = check(SAMPLES, "--times", times, "--baseline", base_file)
    assert code == 0 and doc["findings"] == []
    assert doc["summary"]["baseline"]["hidden"] == len(first["findings"])
    assert doc["summary"]["baseline"]["stale"] == []
