"""The JSON report against the contract of DESIGN.md section 5 (fields may be added, never changed)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

import scrubber
from scrubber.cli import app
from scrubber.findings import CATEGORIES, FIX_SAFETY
from scrubber.registry import catalog

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
# Administration record of the 837I samples (837I has no line notes; times come only from here).
TIMES = SAMPLES / "admin_times.csv"
RUNNER = CliRunner()
SEVERITIES = ("error", "warning", "info")
FINDING_KEYS = {
    "file",
    "claim_id",
    "line",
    "edit",
    "category",
    "severity",
    "message",
    "location",
    "value",
    "expected",
    "fix",
}


def run_json(*args) -> tuple[int, dict]:
    result = RUNNER.invoke(app, ["check", *map(str, args), "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def all_samples(tmp_path_factory) -> tuple[int, dict]:
    """Every sample plus one file that cannot be opened, so files[].error is exercised too."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))
        return run_json(SAMPLES, SAMPLES / "does_not_exist.x12", "--times", TIMES)


def _opt_str(value) -> bool:
    return value is None or isinstance(value, str)


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_contract(doc: dict) -> None:
    assert {"schema_version", "run", "summary", "files", "findings"} <= set(doc)
    assert doc["schema_version"] == 1

    run = doc["run"]
    assert {"tool_version", "tables", "started", "inputs"} <= set(run)
    assert run["tool_version"] == scrubber.__version__
    assert isinstance(run["tables"], dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in run["tables"].items())
    started = dt.datetime.fromisoformat(run["started"])
    assert started.tzinfo is not None
    assert isinstance(run["inputs"], list) and all(isinstance(i, str) for i in run["inputs"])

    files = doc["files"]
    assert isinstance(files, list)
    for entry in files:
        assert {"path", "transaction", "claims", "error"} <= set(entry)
        assert isinstance(entry["path"], str)
        assert _opt_str(entry["transaction"])
        if entry["transaction"] is not None:
            assert set(entry["transaction"].split("+")) <= {"837P", "837I"}
        assert _int(entry["claims"]) and entry["claims"] >= 0
        assert _opt_str(entry["error"])
        if entry["error"] is not None:
            assert entry["error"] and "\n" not in entry["error"]
    assert [e["path"] for e in files] == run["inputs"]

    findings = doc["findings"]
    assert isinstance(findings, list)
    by_id = {e.id: e for e in catalog()}
    paths = {e["path"] for e in files}
    for f in findings:
        assert FINDING_KEYS <= set(f), FINDING_KEYS - set(f)
        # INF005 names the administration record, ENG002 / ENG003 the configuration file
        assert f["file"] in paths or f["file"] == doc["run"]["times"] or f["edit"] in ("ENG002", "ENG003")
        assert _opt_str(f.get("suppressed_by"))
        assert _opt_str(f["claim_id"])
        assert f["line"] is None or (_int(f["line"]) and f["line"] >= 1)
        assert f["edit"] in by_id
        assert f["category"] in CATEGORIES
        assert f["category"] == by_id[f["edit"]].category
        assert f["severity"] in SEVERITIES
        assert isinstance(f["message"], str) and f["message"] and "\n" not in f["message"]
        assert "{" not in f["message"]  # every message placeholder was filled
        loc = f["location"]
        if loc is not None:
            assert {"segment", "ordinal", "path"} <= set(loc)
            assert isinstance(loc["segment"], str) and loc["segment"]
            assert _int(loc["ordinal"]) and loc["ordinal"] >= 1
            assert isinstance(loc["path"], str)
        assert _opt_str(f["value"]) and _opt_str(f["expected"])
        fix = f["fix"]
        if fix is not None:
            assert {"title", "safety"} <= set(fix)
            assert isinstance(fix["title"], str) and fix["title"]
            assert fix["safety"] in FIX_SAFETY

    summary = doc["summary"]
    assert {"files", "claims", "claims_with_errors", "findings"} <= set(summary)
    assert summary["files"] == len(files)
    assert summary["claims"] == sum(e["claims"] for e in files)
    counted = [f for f in findings if f.get("suppressed_by") is None]  # waived findings count for nothing
    counts = Counter(f["severity"] for f in counted)
    assert summary["findings"] == {s: counts.get(s, 0) for s in SEVERITIES}
    assert summary.get("waived", 0) == len(findings) - len(counted)
    with_errors = {
        (f["file"], f["claim_id"]) for f in counted if f["severity"] == "error" and f["claim_id"] is not None
    }
    assert summary["claims_with_errors"] == len(with_errors)
    assert summary["claims_with_errors"] <= summary["claims"]
    for entry in files:  # a per-file count, where the report carries one, must agree with findings
        if isinstance(entry.get("findings"), dict):
            mine = Counter(f["severity"] for f in counted if f["file"] == entry["path"])
            per_file = {s: entry["findings"].get(s, 0) for s in SEVERITIES}
            assert per_file == {s: mine.get(s, 0) for s in SEVERITIES}


def test_all_samples_report_matches_the_contract(all_samples):
    code, doc = all_samples
    assert code == 2  # one unreadable file
    check_contract(doc)
    assert doc["run"]["inputs"][-1].endswith("does_not_exist.x12")
    assert doc["files"][-1]["error"] and doc["files"][-1]["transaction"] is None
    assert doc["summary"]["findings"]["error"] > 0
    assert {f["category"] for f in doc["findings"]} >= {
        "structure",
        "balancing",
        "code-set",
        "dx-linkage",
        "time-units",
        "admin-hierarchy",
    }
    assert not any(f["edit"] == "INF005" for f in doc["findings"])  # every record row was used
    assert any(f["location"] is not None for f in doc["findings"])
    assert any(f["fix"] is not None for f in doc["findings"])
    assert any(f["line"] is not None for f in doc["findings"])


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.x12")))
def test_each_sample_report_matches_the_contract(name):
    # An 837I sample gets the record; INF005 is ignored because the record also holds the rows of
    # the other 837I samples (sample_837/README.md, "Infusion times").
    times = ("--times", TIMES, "--ignore", "INF005") if name.startswith("837i") else ()
    _code, doc = run_json(SAMPLES / name, *times)
    check_contract(doc)
    assert doc["files"][0]["error"] is None
    assert doc["files"][0]["transaction"] == ("837I" if name.startswith("837i") else "837P")


def test_defects_claims_with_errors_counts_distinct_claims():
    _code, doc = run_json(SAMPLES / "837p_defects.x12")
    check_contract(doc)
    # 13 claims with one defect each; DX002 (DEF-DX002-DUPPTR) is only a warning
    assert doc["summary"]["claims"] == 13
    assert doc["summary"]["claims_with_errors"] == 12


def test_same_claim_with_several_errors_counts_once(tmp_path):
    data = (SAMPLES / "837p_clean.x12").read_bytes()
    # Two errors on one claim: bad total (BAL001) and an invalid place of service (CS005).
    data = data.replace(b"CLM*CLEAN-RA-001*3490.00***11:B:1", b"CLM*CLEAN-RA-001*3491.00***98:B:1")
    path = tmp_path / "two_errors.x12"
    path.write_bytes(data)
    _code, doc = run_json(path)
    check_contract(doc)
    assert [(f["edit"], f["claim_id"]) for f in doc["findings"]] == [
        ("BAL001", "CLEAN-RA-001"),
        ("CS005", "CLEAN-RA-001"),
    ]
    assert doc["summary"]["claims_with_errors"] == 1


def test_empty_and_unreadable_only_reports_match_the_contract(tmp_path):
    _code, clean = run_json(SAMPLES / "837p_clean.x12")
    check_contract(clean)
    assert clean["findings"] == []
    empty = tmp_path / "empty.x12"
    empty.write_bytes(b"")
    code, doc = run_json(empty)
    assert code == 2
    check_contract(doc)
    assert doc["summary"] == {
        **doc["summary"],
        "files": 1,
        "claims": 0,
        "claims_with_errors": 0,
        "findings": {"error": 0, "warning": 0, "info": 0},
    }


def test_stdin_report_matches_the_contract():
    data = (SAMPLES / "837p_defects.x12").read_bytes()
    result = RUNNER.invoke(app, ["check", "-", "--format", "json"], input=data, catch_exceptions=False)
    doc = json.loads(result.stdout)
    check_contract(doc)
    assert {f["file"] for f in doc["findings"]} == {"<stdin>"}


def test_findings_order_is_deterministic(all_samples):
    _code, first = all_samples
    _code, second = run_json(SAMPLES, SAMPLES / "does_not_exist.x12", "--times", TIMES)
    assert first["findings"] == second["findings"]
    assert first["files"] == second["files"]
    assert first["summary"] == second["summary"]


def test_report_written_to_file_is_the_same_document(tmp_path, all_samples):
    out = tmp_path / "r.json"
    RUNNER.invoke(
        app,
        [
            "check",
            str(SAMPLES),
            str(SAMPLES / "does_not_exist.x12"),
            "--times",
            str(TIMES),
            "--format",
            "json",
            "--output",
            str(out),
        ],
        catch_exceptions=False,
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    check_contract(doc)
    _code, ref = all_samples
    assert doc["findings"] == ref["findings"] and doc["files"] == ref["files"]


def test_waivers_and_baseline_report_matches_the_contract(tmp_path):
    """Additions: findings[].suppressed_by, summary.waived and summary.baseline."""
    (tmp_path / "scrubber.toml").write_text(
        '[[waivers]]\nedit = "BAL001"\nreason = "Approved"\n'
        '[[waivers]]\nedit = "CS"\nclaim_id = "X"\nreason = "Unused"\n'
    )
    base = tmp_path / "base.json"
    RUNNER.invoke(app, ["check", str(SAMPLES / "837p_clean.x12"), "--write-baseline", str(base)])
    code, doc = run_json(SAMPLES / "837p_defects.x12", "--baseline", base)
    check_contract(doc)
    assert code == 1
    assert doc["summary"]["waived"] >= 1
    assert any(f["suppressed_by"] for f in doc["findings"])
    assert any(f["edit"] == "ENG002" for f in doc["findings"])
    baseline = doc["summary"]["baseline"]
    assert set(baseline) == {"file", "entries", "hidden", "stale"}
    assert _int(baseline["hidden"]) and _int(baseline["entries"])
    assert all(set(e) == {"claim_id", "line", "edit", "value"} for e in baseline["stale"])
    _, plain = run_json(SAMPLES / "837p_defects.x12")
    assert plain["summary"]["baseline"] is None
