"""Waivers ([[tool.scrubber.waivers]]): a waived finding is reported with suppressed_by and counts
for nothing; unused and lapsed waivers are ENG002 / ENG003; a waiver with no reason is refused."""

from __future__ import annotations

import csv
import io
import json

import pytest
from casekit import base, patch
from typer.testing import CliRunner

from scrubber.cli import app
from scrubber.config import Config, ConfigError, from_table
from scrubber.pipeline import Engine

RUNNER = CliRunner()
# One claim (CLEAN-RA-001, payer SYNCI01, both lines on 2026-11-03) with two errors: BAL001 on the
# claim (no line) and DX001 on line 2 (J1569), and a DX005 warning on line 2.
DEFECTS = [
    ["CLM*CLEAN-RA-001*3330.00", "CLM*CLEAN-RA-001*3430.00"],
    ["SV1*HC:J1569*3080.00*UN*60***1~", "SV1*HC:J1569*3080.00*UN*60***3~"],
]
DOS = "2026-11-03"


@pytest.fixture
def claim(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "claim.x12"
    path.write_text(patch(base("837p"), DEFECTS))
    return path


def waivers_toml(*entries: dict) -> str:
    out = []
    for entry in entries:
        out.append("[[waivers]]")
        for key, value in entry.items():
            bare = key == "expires" and value[0].isdigit()  # a TOML date
            out.append(f"{key} = {value}" if bare else f"{key} = {value!r}")
    return "\n".join(out).replace("'", '"') + "\n"


def run(path, *args, config: str | None = None, fmt: str = "json"):
    if config is not None:
        (path.parent / "scrubber.toml").write_text(config)
    result = RUNNER.invoke(app, ["check", str(path), "--format", fmt, *args])
    return result


def doc_of(result) -> dict:
    return json.loads(result.stdout)


def by_edit(doc: dict) -> dict[str, dict]:
    return {f["edit"]: f for f in doc["findings"]}


def test_waived_finding_is_kept_but_not_counted(claim):
    result = run(claim, config=waivers_toml({"edit": "BAL", "reason": "Payer reprices the total"}))
    doc = doc_of(result)
    found = by_edit(doc)
    assert found["BAL001"]["suppressed_by"] == "waiver 1 (BAL): Payer reprices the total"
    assert found["DX001"]["suppressed_by"] is None
    assert doc["summary"]["findings"] == {"error": 1, "warning": 1, "info": 0}
    assert doc["summary"]["waived"] == 1
    assert result.exit_code == 1  # DX001 still counts


def test_all_errors_waived_exits_0_and_the_claim_has_no_errors(claim):
    config = waivers_toml(
        {"edit": "BAL001", "claim_id": "CLEAN-RA-001", "reason": "Coder cleared the total"},
        {"edit": "DX001", "code": "J1569", "payer_id": "SYNCI01", "reason": "Payer reads pointer 3 as 1"},
    )
    result = run(claim, config=config)
    doc = doc_of(result)
    assert result.exit_code == 0, result.stdout
    assert doc["summary"]["claims_with_errors"] == 0
    assert doc["summary"]["findings"]["error"] == 0
    assert doc["summary"]["waived"] == 2
    assert doc["files"][0]["findings"]["error"] == 0
    assert not [f for f in doc["findings"] if f["category"] == "engine"]


def test_no_waivers_shows_everything(claim):
    config = waivers_toml({"edit": "BAL001", "reason": "Coder cleared the total"})
    result = run(claim, "--no-waivers", config=config)
    doc = doc_of(result)
    assert result.exit_code == 1
    assert all(f["suppressed_by"] is None for f in doc["findings"])
    assert doc["summary"]["waived"] == 0
    assert "ENG002" not in by_edit(doc)


@pytest.mark.parametrize(
    "scope",
    [{"claim_id": "OTHER-CLAIM"}, {"payer_id": "OTHERPAYER"}, {"code": "J9999"}, {"code": "96365"}],
    ids=["other_claim", "other_payer", "other_code", "code_of_another_line"],
)
def test_a_waiver_out_of_scope_waives_nothing_and_is_reported_unused(claim, scope):
    result = run(claim, config=waivers_toml({"edit": "DX001", **scope, "reason": "Narrow exception"}))
    doc = doc_of(result)
    found = by_edit(doc)
    assert found["DX001"]["suppressed_by"] is None
    unused = found["ENG002"]
    assert unused["category"] == "engine" and unused["severity"] == "warning"
    assert unused["file"] == "scrubber.toml" or unused["file"].endswith("scrubber.toml")
    assert "waiver 1 (DX001" in unused["message"]
    assert result.exit_code == 1


def test_code_waiver_never_matches_a_finding_without_a_line(claim):
    result = run(claim, config=waivers_toml({"edit": "BAL001", "code": "J1569", "reason": "Line waiver"}))
    found = by_edit(doc_of(result))
    assert found["BAL001"]["suppressed_by"] is None
    assert "ENG002" in found


@pytest.mark.parametrize(
    ("expires", "waived"),
    [(DOS, True), ("2026-11-02", False), ("2026-11-04", True)],
    ids=["on_the_date_of_service", "the_day_before", "the_day_after"],
)
def test_expires_is_inclusive_of_the_date_of_service(claim, expires, waived):
    config = waivers_toml({"edit": "DX001", "reason": "Until the contract ends", "expires": expires})
    found = by_edit(doc_of(run(claim, config=config)))
    assert (found["DX001"]["suppressed_by"] is not None) is waived
    if waived:
        assert f"to {expires}" in found["DX001"]["suppressed_by"]
        assert "ENG003" not in found and "ENG002" not in found
    else:
        lapsed = found["ENG003"]
        assert lapsed["severity"] == "warning" and lapsed["category"] == "engine"
        assert f"expired on {expires}" in lapsed["message"] and "1 finding" in lapsed["message"]
        assert "ENG002" not in found


def test_expires_as_a_string_and_in_pyproject(claim):
    (claim.parent / "pyproject.toml").write_text(
        '[[tool.scrubber.waivers]]\nedit = "DX001"\nreason = "Approved"\nexpires = "2026-11-03"\n'
    )
    found = by_edit(doc_of(run(claim)))
    assert found["DX001"]["suppressed_by"] == "waiver 1 (DX001, to 2026-11-03): Approved"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"edit": "DX001"}, "waivers[1] (DX001): a reason is required"),
        ({"edit": "DX001", "reason": "  "}, "a reason is required"),
        ({"edit": "DX001", "reason": "ok", "until": "2026-01-01"}, "unknown key(s) until"),
        ({"reason": "no edit"}, "edit (an edit id or prefix) is required"),
        ({"edit": "ZZZ", "reason": "ok"}, "edit 'ZZZ' matches no edit id"),
        ({"edit": "DX001", "reason": "ok", "expires": "tomorrow"}, "expires must be a date"),
    ],
    ids=["no_reason", "blank_reason", "unknown_key", "no_edit", "unknown_edit", "bad_date"],
)
def test_a_bad_waiver_is_a_configuration_error(claim, entry, message):
    (claim.parent / "scrubber.toml").write_text(
        "".join(f'{"[[waivers]]" if i == 0 else ""}\n{k} = "{v}"' for i, (k, v) in enumerate(entry.items()))
        + "\n"
    )
    result = run(claim)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_waivers_must_be_an_array_of_tables():
    with pytest.raises(ConfigError, match="array of tables"):
        from_table({"waivers": {"edit": "DX001", "reason": "x"}}, "scrubber.toml")


def test_text_and_csv_reports_show_the_waiver(claim):
    config = waivers_toml({"edit": "BAL001", "reason": "Coder cleared the total"})
    text = run(claim, config=config, fmt="text").stdout
    assert "WAIVED" in text and "waived by waiver 1 (BAL001): Coder cleared the total" in text
    assert "1 finding(s) waived" in text
    rows = list(csv.DictReader(io.StringIO(run(claim, fmt="csv").stdout)))
    by = {r["edit"]: r["suppressed_by"] for r in rows}
    assert by["BAL001"] == "waiver 1 (BAL001): Coder cleared the total" and by["DX001"] == ""


def test_a_waived_claim_goes_clean_through_the_gate(claim):
    config = waivers_toml(
        {"edit": "BAL001", "reason": "Coder cleared the total"},
        {"edit": "DX001", "claim_id": "CLEAN-RA-001", "reason": "Payer reads pointer 3 as 1"},
    )
    (claim.parent / "scrubber.toml").write_text(config)
    clean, held = claim.parent / "clean.x12", claim.parent / "held.x12"
    args = ["gate", str(claim), "--clean", str(clean), "--held", str(held)]
    waived = RUNNER.invoke(app, args)
    assert waived.exit_code == 0, waived.stderr
    assert clean.read_bytes() and held.read_bytes() == b""
    unwaived = RUNNER.invoke(app, [*args, "--config", str(claim.parent / "empty.toml")])
    assert unwaived.exit_code == 2  # the explicit configuration file does not exist
    (claim.parent / "empty.toml").write_text("")
    unwaived = RUNNER.invoke(app, [*args, "--config", str(claim.parent / "empty.toml")])
    assert unwaived.exit_code == 1
    assert clean.read_bytes() == b"" and held.read_bytes()


def test_the_parallel_path_waives_and_tallies_like_the_sequential_one(claim, monkeypatch):
    from scrubber import parallel, pipeline

    config = from_table(
        {"waivers": [{"edit": "DX001", "reason": "r"}, {"edit": "CS", "reason": "unused"}]}, "scrubber.toml"
    )
    sequential = Engine(Config(jobs=1, waivers=config.waivers)).scrub([str(claim)])
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 1)
    split = Engine(Config(jobs=2, waivers=config.waivers)).scrub([str(claim)])
    assert [f.as_dict() for f in split.findings] == [f.as_dict() for f in sequential.findings]
    assert (split.counts, split.findings.waived) == (sequential.counts, sequential.findings.waived)
    assert [f.edit for f in split.findings if f.category == "engine"] == ["ENG002"]
