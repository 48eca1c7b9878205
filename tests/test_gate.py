"""scrub gate: every claim lands in exactly one output, clean claims are clean, envelopes are valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casekit import readable, sample_and_corpus_files
from typer.testing import CliRunner

from scrubber.cli import app
from scrubber.config import Config
from scrubber.findings import Severity
from scrubber.gate import gate_data
from scrubber.pipeline import Engine

ROOT = Path(__file__).resolve().parents[1]
RUNNER = CliRunner()


READABLE = [p for p in sample_and_corpus_files() if readable(p)]


@pytest.mark.parametrize("path", READABLE, ids=[p.name for p in READABLE])
def test_every_claim_lands_once_and_clean_claims_are_clean(path):
    data = path.read_bytes()
    outcome = gate_data(data, path.name, Engine(Config(jobs=1)), Severity.ERROR)
    assert outcome.clean_claims + outcome.held_claims == outcome.claims == outcome.result.claims
    for part, count in ((outcome.clean, outcome.clean_claims), (outcome.held, outcome.held_claims)):
        if not count:
            assert part == b""
            continue
        again = Engine(Config(jobs=1)).scrub_data(part, path.name)
        assert again.files[0].error is None
        assert again.claims == count
        structural = {
            f.edit
            for f in again.findings
            if f.claim_id is None
            and f.edit in {"STR001", "STR002", "STR003", "STR004", "STR005", "STR006", "STR007", "STR008"}
        }
        assert structural == set() or part is outcome.held, structural
    if outcome.clean:
        clean = Engine(Config(jobs=1)).scrub_data(outcome.clean, path.name)
        assert clean.counts["error"] == 0, [f.message for f in clean.findings if f.severity is Severity.ERROR]


def test_cli_gate_summary_and_exit_code(tmp_path):
    clean, held, report = tmp_path / "clean.x12", tmp_path / "held.x12", tmp_path / "r.json"
    samples = ROOT / "sample_837"
    result = RUNNER.invoke(
        app,
        [
            "gate",
            str(samples / "837p_clean.x12"),
            str(samples / "837p_defects.x12"),
            "--clean",
            str(clean),
            "--held",
            str(held),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 1, result.output
    doc = json.loads(report.read_text())
    g = doc["gate"]
    assert g["input_claims"] == 17 and g["clean_claims"] + g["held_claims"] == 17
    assert "17 claim(s) in" in result.stderr
    only_clean = RUNNER.invoke(
        app, ["gate", str(samples / "837p_clean.x12"), "--clean", str(clean), "--held", str(held)]
    )
    assert only_clean.exit_code == 0 and held.read_bytes() == b""
    assert clean.read_bytes().count(b"CLM*") == 4


def test_gate_refuses_same_output_twice_and_input_as_output(tmp_path):
    src = ROOT / "sample_837" / "837p_clean.x12"
    same = RUNNER.invoke(
        app, ["gate", str(src), "--clean", str(tmp_path / "a"), "--held", str(tmp_path / "a")]
    )
    assert same.exit_code == 2
    over = RUNNER.invoke(app, ["gate", str(src), "--clean", str(src), "--held", str(tmp_path / "b")])
    assert over.exit_code == 2


def _validate(data: bytes):
    from scrubber.validate import validate

    return validate(data)


VALID = [p for p in READABLE if _validate(p.read_bytes()).ok]


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_outputs_pass_pyx12_whenever_the_input_does(path):
    outcome = gate_data(path.read_bytes(), path.name, Engine(Config(jobs=1)), Severity.ERROR)
    for part in (outcome.clean, outcome.held):
        if part:
            checked = _validate(part)
            assert checked.ok, [(e.ordinal, e.segment, e.message) for e in checked.errors]


def test_gate_validate_holds_claims_with_pyx12_errors_and_writes_the_999(tmp_path):
    src = ROOT / "sample_837" / "837p_defects.x12"
    clean, held, ack = tmp_path / "c.x12", tmp_path / "h.x12", tmp_path / "ack.999"
    result = RUNNER.invoke(
        app, ["gate", str(src), "--clean", str(clean), "--held", str(held), "--validate", "--ack", str(ack)]
    )
    assert result.exit_code == 1
    assert ack.read_text().startswith("ISA") and "AK9*" in ack.read_text()
    # DEF-DX002-DUPPTR passes the scrubber's error threshold and pyx12 (a duplicate pointer is a warning)
    assert clean.read_bytes().count(b"CLM*") == 1 and b"DEF-DX002-DUPPTR" in clean.read_bytes()
    assert _validate(clean.read_bytes()).ok
