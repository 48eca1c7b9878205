"""Long runs and cron: the progress bar (only on a terminal), --quiet, --summary-json."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scrubber import pipeline
from scrubber.cli import app
from scrubber.config import Config
from scrubber.report import progress

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
DEFECTS = SAMPLES / "837p_defects.x12"
RUNNER = CliRunner()


def invoke(*args):
    return RUNNER.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    engine = pipeline.Engine(Config())
    assert progress.start(engine, 3, quiet=False) is None and engine.progress is None


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_counts_files_and_claims(monkeypatch):
    err = Tty()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 2)
    engine = pipeline.Engine(Config(jobs=1))
    assert progress.start(engine, 2, quiet=True) is None
    bar = progress.start(engine, 2, quiet=False)
    calls = []
    update = bar.__call__
    engine.progress = lambda result: (calls.append((len(result.files), result.claims)), update(result))
    result = engine.scrub([str(DEFECTS), str(SAMPLES / "837p_clean.x12")])
    bar.stop()
    assert calls[-1] == (2, result.claims) and (0, 2) in calls  # every 2 claims and after each file
    task = bar.bar.tasks[0]
    assert task.completed == 2 and task.fields["claims"] == result.claims


@pytest.mark.parametrize("cmd", ["check", "fix", "gate"])
def test_quiet_drops_the_informational_lines(tmp_path, cmd):
    report = tmp_path / "r.json"
    args = {
        "check": ["check", DEFECTS, "-o", report],
        "fix": ["fix", DEFECTS, "--no-validate", "-o", tmp_path / "f.x12", "--report", report],
        "gate": [
            "gate",
            DEFECTS,
            "--clean",
            tmp_path / "c.x12",
            "--held",
            tmp_path / "h.x12",
            "--report",
            report,
        ],
    }[cmd]
    loud = invoke(*args)
    assert loud.exit_code == 1 and "scrub: " in loud.stderr
    quiet = invoke(*args, "--quiet")
    assert quiet.exit_code == 1 and quiet.stderr == "" and report.exists()


def test_quiet_keeps_errors(tmp_path):
    result = invoke("check", DEFECTS, tmp_path / "missing.x12", "-q", "-o", tmp_path / "r.json")
    assert result.exit_code == 2 and "missing.x12" in result.stderr


@pytest.mark.parametrize("cmd", ["check", "fix", "gate"])
def test_summary_json_for_cron(tmp_path, cmd):
    out = tmp_path / "summary.json"
    args = {
        "check": ["check", DEFECTS, "-o", tmp_path / "r.json"],
        "fix": ["fix", DEFECTS, "--no-validate", "-o", tmp_path / "f.x12", "--report", tmp_path / "r.json"],
        "gate": ["gate", DEFECTS, "--clean", tmp_path / "c.x12", "--held", tmp_path / "h.x12"],
    }[cmd]
    result = (
        invoke(*args, "--summary-json", out, "-f", "json")
        if cmd != "gate"
        else invoke(*args, "--summary-json", out)
    )
    doc = json.loads(out.read_text())
    assert doc["exit_code"] == result.exit_code == 1
    assert "findings" not in doc and doc["findings_total"] > 0
    assert doc["summary"]["money_at_risk"]["claims_with_errors_charge"] > 0
    if cmd == "fix":
        assert doc["changes_made"] > 0 and "changes" not in doc
    if cmd == "gate":
        assert doc["gate"]["held_claims"] > 0
    if cmd == "check":
        assert doc["summary"] == json.loads((tmp_path / "r.json").read_text())["summary"]


def test_summary_json_equal_to_an_input_is_refused(tmp_path):
    copy = tmp_path / "in.x12"
    copy.write_bytes(DEFECTS.read_bytes())
    result = invoke("check", copy, "--summary-json", copy)
    assert result.exit_code == 2 and copy.read_bytes() == DEFECTS.read_bytes()
