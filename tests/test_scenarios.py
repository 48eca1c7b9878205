"""RULES.md section M scenarios for the infusion edits, each run through the CLI on a claim file.

Every scenario writes its claim file (a base fixture plus patches) and, where it needs them, an
administration record and a ``scrubber.toml``, runs ``scrub check --format json``, and compares
the findings of the infusion categories with the scenario's ``expect`` list (and the fixes it
names).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from casekit import base, patch, renumber
from typer.testing import CliRunner

from scrubber.cli import app

SCENARIOS = [
    scenario
    for path in sorted(Path(__file__).parent.glob("scenarios*.yml"))
    for scenario in yaml.safe_load(path.read_text())["scenarios"]
]
# the categories a scenario's `expect` covers, unless it names its own `categories`
CATEGORIES = ["start-stop-missing", "time-units", "admin-hierarchy"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    claim = tmp_path / "claim.x12"
    claim.write_text(renumber(patch(base(scenario["base"]), scenario.get("patch"))))
    args = ["check", str(claim), "--format", "json", "--output", str(tmp_path / "r.json")]
    args += scenario.get("args", [])
    if "config" in scenario:  # a scrubber.toml in the working directory, as a user would keep it
        (tmp_path / "scrubber.toml").write_text(scenario["config"])
    if "times" in scenario:
        (tmp_path / "times.csv").write_text(scenario["times"])
        args += ["--times", str(tmp_path / "times.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["files"][0]["error"] is None
    categories = set(scenario.get("categories", CATEGORIES))
    found = sorted(
        (f for f in report["findings"] if f["category"] in categories),
        key=lambda f: (f["edit"], f["line"] or 0),
    )
    want = sorted(scenario["expect"], key=lambda w: (w["edit"], w["line"] or 0))
    assert [(f["edit"], f["line"]) for f in found] == [(w["edit"], w["line"]) for w in want], [
        f["message"] for f in found
    ]
    for f, w in zip(found, want, strict=True):
        if "severity" in w:
            assert f["severity"] == w["severity"], f["message"]
        if "fix" in w:
            assert f["fix"] is not None, f["message"]
            if w["fix"] == "delete":
                assert f["fix"]["op"] == "delete"
            else:
                assert f["fix"]["value"] == w["fix"], f["fix"]
    if scenario.get("no_errors"):
        assert report["summary"]["findings"]["error"] == 0, [f["message"] for f in report["findings"]]
