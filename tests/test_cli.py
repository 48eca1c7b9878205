"""The ``scrub`` command line: exit codes, formats, --output, inputs, options, sub-commands.

Most tests call the Typer app in-process (typer.testing.CliRunner keeps stdout and stderr apart);
two end-to-end checks run ``python -m scrubber`` in a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import scrubber
from scrubber.cli import app
from scrubber.registry import catalog
from scrubber.report.csv_report import COLUMNS

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
CLEAN = SAMPLES / "837p_clean.x12"
DEFECTS = SAMPLES / "837p_defects.x12"
# The administration record (--times) of the 837I samples: 837I has no line notes, so its infusion
# times come only from this record. It holds rows for every 837I sample, so a run over one 837I file
# alone also reports INF005 (record row unmatched) for the other files' rows; the per-file tests
# ignore INF005, and the whole-folder run checks that every row is used.
TIMES = SAMPLES / "admin_times.csv"
RUNNER = CliRunner()

# (edit, CLM01, LX01) expected per sample_837/README.md; None where the finding has no claim/line.
README_FINDINGS = {
    "837p_clean.x12": set(),
    "837i_clean.x12": set(),
    "837p_multi_interchange.x12": set(),
    "837p_defects.x12": {
        ("BAL001", "DEF-BAL001", None),
        ("CS001", "DEF-CS001-BADICD", None),
        ("CS002", "DEF-CS002-NONBILL", None),
        ("CS003", "DEF-CS003-BADNPI", None),
        ("CS004", "DEF-CS004-BADPROC", 4),
        ("NDC006", "DEF-CS004-BADPROC", 4),  # its NDC crosswalks to the intended J9312
        ("CS005", "DEF-CS005-BADPOS", None),
        ("CS007", "DEF-CS007-BK", None),
        ("CS007", "DEF-CS007-ABF1ST", None),
        ("DX001", "DEF-DX001-PTR5", 2),
        ("DX002", "DEF-DX002-DUPPTR", 1),
        ("DX003", "DEF-DX003-NOPTR1", 1),
        ("STR009", "DEF-STR009-NOHI", None),
        ("STR009", "DEF-STR009-NOPAYER", None),
    },
    "837i_defects.x12": {
        ("BAL001", "DEF-I-BAL001", None),
        ("CS002", "DEF-I-CS002-NONBILL", None),
        ("CS006", "DEF-I-CS006-REV3", 1),
    },
    "837p_envelope_defects.x12": {
        ("STR001", None, None),
        ("STR002", None, None),
        ("STR003", None, None),
        ("STR004", None, None),
    },
    "837p_truncated.x12": {("STR008", None, None)},
    "837p_infusion_nte.x12": {
        ("INF012", "INF-NTE-ADDON-002", 2),
        ("INF020", "INF-NTE-2INIT-003", 2),
    },
    "837i_infusion_record.x12": {
        ("INF022", "INF-REC-HIER-002", 1),
        ("INF013", "INF-REC-HIER-002", 2),
    },
}
README_EXIT = {"837p_clean.x12": 0, "837i_clean.x12": 0, "837p_multi_interchange.x12": 0}


def times_args(name: str) -> tuple:
    """--times for an 837I sample (INF005 ignored: the record also has the other files' rows)."""
    return ("--times", TIMES, "--ignore", "INF005") if name.startswith("837i") else ()


def invoke(*args, input: bytes | None = None):
    """Run ``scrub ARGS`` in-process; an exception inside the command propagates (no silent crash)."""
    return RUNNER.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def report(result) -> dict:
    return json.loads(result.stdout)


def err_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def file_entry(entry: dict) -> tuple:
    """The contract fields of a files[] entry (fields may be added to the report)."""
    return entry["path"], entry["transaction"], entry["claims"], entry["error"]


def keys(findings: list[dict]) -> set[tuple]:
    return {(f["edit"], f["claim_id"], f["line"]) for f in findings}


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    """No scrubber.toml / pyproject.toml of the caller's working directory leaks into a run."""
    monkeypatch.chdir(tmp_path)


# -- exit codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(README_FINDINGS))
def test_samples_report_the_findings_in_the_readme(name):
    result = invoke("check", SAMPLES / name, "--format", "json", *times_args(name))
    assert result.exit_code == README_EXIT.get(name, 1), result.stderr
    assert result.stderr == ""
    doc = report(result)
    assert doc["files"][0]["error"] is None
    assert keys(doc["findings"]) == README_FINDINGS[name]


def test_hl_broken_sample_reports_str007():
    result = invoke("check", SAMPLES / "837p_hl_broken.x12", "--format", "json")
    assert result.exit_code == 1
    found = keys(report(result)["findings"])
    # README: attaching the finding to the orphan claim is also defensible.
    assert found in ({("STR007", None, None)}, {("STR007", "HL-ORPHAN-002", None)})


def test_clean_exit_0_and_defects_exit_1():
    assert invoke("check", CLEAN).exit_code == 0
    assert invoke("check", DEFECTS).exit_code == 1
    clean_837i = SAMPLES / "837i_clean.x12"
    assert invoke("check", clean_837i, *times_args(clean_837i.name)).exit_code == 0


def test_837i_infusion_lines_need_the_administration_record():
    # 837I carries no line notes: without --times every timed primary line lacks its times.
    path = SAMPLES / "837i_clean.x12"
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 1
    findings = report(result)["findings"]
    assert {f["edit"] for f in findings} == {"INF001"}
    assert {f["claim_id"] for f in findings} == {"CLEAN-I-ONC-MCR-001", "CLEAN-I-RA-002"}
    assert invoke("check", path, "--times", TIMES, "--ignore", "INF005").exit_code == 0


def test_837i_sample_alone_with_the_shared_record_warns_about_the_other_rows():
    result = invoke("check", SAMPLES / "837i_infusion_record.x12", "--times", TIMES, "--format", "json")
    assert result.exit_code == 1  # INF022 is an error; INF005 and INF013 are warnings
    findings = report(result)["findings"]
    unmatched = [f for f in findings if f["edit"] == "INF005"]
    used = {"INF-REC-CHEMO-001", "INF-REC-HIER-002"}
    with TIMES.open(encoding="utf-8") as fh:
        others = [row for row in csv.DictReader(fh) if row["claim_id"] not in used]
    assert len(unmatched) == len(others) > 0
    assert {f["severity"] for f in unmatched} == {"warning"}
    assert keys(f for f in findings if f["edit"] != "INF005") == README_FINDINGS["837i_infusion_record.x12"]


def test_fail_on_never_always_exits_0_on_findings():
    result = invoke("check", DEFECTS, "--fail-on", "never", "--format", "json")
    assert result.exit_code == 0
    assert report(result)["summary"]["findings"]["error"] > 0


def test_fail_on_warning_counts_warnings():
    # DX002 is the only warning in the defects sample.
    only_warning = ("check", DEFECTS, "--select", "DX002", "--format", "json")
    result = invoke(*only_warning)
    assert {f["severity"] for f in report(result)["findings"]} == {"warning"}
    assert result.exit_code == 0  # default --fail-on error
    assert invoke(*only_warning, "--fail-on", "error").exit_code == 0
    assert invoke(*only_warning, "--fail-on", "warning").exit_code == 1
    assert invoke(*only_warning, "--fail-on", "never").exit_code == 0
    # clean stays 0 whatever the threshold
    assert invoke("check", CLEAN, "--fail-on", "warning").exit_code == 0


def test_fail_on_warning_with_an_unterminated_last_segment(tmp_path):
    data = CLEAN.read_bytes().rstrip()
    assert data.endswith(b"~")
    path = tmp_path / "noterm.x12"
    path.write_bytes(data[:-1])  # STR011 (warning) only
    assert invoke("check", path).exit_code == 0
    assert invoke("check", path, "--fail-on", "warning").exit_code == 1


def test_fail_on_rejects_unknown_value():
    result = invoke("check", CLEAN, "--fail-on", "sometimes")
    assert result.exit_code == 2


def test_missing_file_exit_2_and_other_files_still_reported(tmp_path):
    missing = tmp_path / "missing.x12"
    result = invoke("check", missing, CLEAN, "--format", "json")
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1 and str(missing) in lines[0]
    doc = report(result)
    bad, good = doc["files"]
    assert bad["path"] == str(missing) and bad["error"] and bad["claims"] == 0
    assert good["path"] == str(CLEAN) and good["error"] is None and good["claims"] == 4
    assert doc["summary"]["files"] == 2 and doc["summary"]["claims"] == 4


def test_missing_file_exit_2_even_when_others_have_errors(tmp_path):
    result = invoke("check", DEFECTS, tmp_path / "nope.x12", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 2
    doc = report(result)
    assert doc["files"][0]["claims"] == 13 and doc["files"][1]["error"]
    assert doc["summary"]["findings"]["error"] > 0


def test_missing_file_report_still_written_with_output(tmp_path):
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    result = invoke("check", tmp_path / "gone.x12", CLEAN, "--format", "json", "--output", out)
    assert result.exit_code == 2
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["error"] is None for f in doc["files"]] == [False, True]


# -- formats ---------------------------------------------------------------------------------------


def test_format_json_is_valid_json():
    result = invoke("check", DEFECTS, "--format", "json")
    doc = report(result)
    assert doc["schema_version"] == 1
    assert len(doc["findings"]) == len(README_FINDINGS["837p_defects.x12"])


@pytest.mark.parametrize(
    "path", [DEFECTS, CLEAN, SAMPLES / "837p_envelope_defects.x12"], ids=lambda p: p.name
)
def test_format_csv_header_and_one_row_per_finding(path):
    expected = report(invoke("check", path, "--format", "json"))["findings"]
    result = invoke("check", path, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == COLUMNS
    body = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert len(body) == len(expected)
    for row, finding in zip(body, expected, strict=True):
        assert row["edit"] == finding["edit"]
        assert row["claim_id"] == (finding["claim_id"] or "")
        assert row["line"] == ("" if finding["line"] is None else str(finding["line"]))
        assert row["severity"] == finding["severity"]
        assert row["message"] == finding["message"]


def test_format_text_lists_findings_and_summary():
    result = invoke("check", DEFECTS, "--format", "text")
    assert result.exit_code == 1
    out = result.stdout
    assert "Summary" in out
    assert "\x1b[" not in out  # no colour codes when stdout is not a terminal
    for edit, claim_id, _line in README_FINDINGS["837p_defects.x12"]:
        assert edit in out and claim_id in out


@pytest.mark.parametrize("fmt", ["csv", "text"])
def test_non_utf8_byte_in_claim_data_still_gives_a_report(tmp_path, fmt):
    data = DEFECTS.read_bytes().replace(b"CLM*DEF-BAL001*", b"CLM*DEF-BAL\xe9001*")
    path = tmp_path / "latin1.x12"
    path.write_bytes(data)
    out = tmp_path / f"report.{fmt}"
    result = invoke("check", path, "--format", fmt, "--output", out)
    assert result.exit_code == 1
    assert "BAL001" in out.read_text(encoding="utf-8", errors="replace")


def test_non_utf8_byte_in_claim_data_json_report(tmp_path):
    data = DEFECTS.read_bytes().replace(b"CLM*DEF-BAL001*", b"CLM*DEF-BAL\xe9001*")
    path = tmp_path / "latin1.x12"
    path.write_bytes(data)
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 1
    assert len(report(result)["findings"]) == len(README_FINDINGS["837p_defects.x12"])


def test_default_format_is_text():
    assert invoke("check", DEFECTS).stdout == invoke("check", DEFECTS, "--format", "text").stdout


def test_unknown_format_is_usage_error():
    assert invoke("check", CLEAN, "--format", "xml").exit_code == 2


# -- --output --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "text"])
def test_output_writes_report_and_leaves_no_temp_files(tmp_path, fmt):
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    out = out_dir / f"report.{fmt}"
    result = invoke("check", DEFECTS, "--format", fmt, "--output", out)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert [p.name for p in out_dir.iterdir()] == [out.name]
    written = out.read_text(encoding="utf-8")
    on_stdout = invoke("check", DEFECTS, "--format", fmt).stdout
    if fmt == "json":
        a, b = json.loads(written), json.loads(on_stdout)
        a["run"].pop("started"), b["run"].pop("started")
        assert a == b
    else:
        assert written == on_stdout


def test_output_replaces_an_existing_report(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old", encoding="utf-8")
    assert invoke("check", CLEAN, "--format", "json", "--output", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["claims"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_output_relative_path(tmp_path):
    # cwd is tmp_path (autouse fixture)
    assert invoke("check", CLEAN, "--format", "csv", "-o", "r.csv").exit_code == 0
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


@pytest.mark.parametrize("spelling", ["same", "dotted", "relative"])
def test_output_equal_to_an_input_is_refused(tmp_path, spelling):
    target = tmp_path / "in.x12"
    shutil.copy(CLEAN, target)
    before = target.read_bytes()
    out = {"same": str(target), "dotted": str(tmp_path / "." / "in.x12"), "relative": "in.x12"}[spelling]
    result = invoke("check", CLEAN, target, "--format", "json", "--output", out)
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1 and "overwrite" in lines[0]
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.x12"]


def test_output_equal_to_a_file_under_an_input_directory_is_refused(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    target = folder / "a.x12"
    shutil.copy(CLEAN, target)
    before = target.read_bytes()
    result = invoke("check", folder, "--format", "json", "--output", target)
    assert target.read_bytes() == before
    assert result.exit_code == 2


def test_output_that_is_a_directory_is_a_usage_error(tmp_path):
    folder = tmp_path / "outdir"
    folder.mkdir()
    result = RUNNER.invoke(app, ["check", str(CLEAN), "--output", str(folder)])
    assert not isinstance(result.exception, OSError)
    assert result.exit_code == 2
    assert len(err_lines(result)) == 1
    assert list(tmp_path.iterdir()) == [folder] and list(folder.iterdir()) == []


def test_output_in_missing_directory_is_refused(tmp_path):
    result = invoke("check", CLEAN, "--output", tmp_path / "no" / "such" / "r.json")
    assert result.exit_code == 2
    assert len(err_lines(result)) == 1


# -- inputs ----------------------------------------------------------------------------------------


def test_directory_input_reads_x12_files_sorted_and_skips_readme():
    result = invoke("check", SAMPLES, "--format", "json", "--times", TIMES)
    assert result.exit_code == 1
    doc = report(result)
    paths = [f["path"] for f in doc["files"]]
    expected = sorted(str(p) for p in SAMPLES.glob("*.x12"))
    assert paths == expected
    assert not any(p.endswith((".md", ".csv")) for p in paths)
    assert doc["run"]["inputs"] == expected
    assert all(f["error"] is None for f in doc["files"])
    assert doc["summary"]["files"] == len(expected)
    by_name = {Path(f["path"]).name: f["claims"] for f in doc["files"]}
    assert by_name["837p_defects.x12"] == 13 and by_name["837p_multi_interchange.x12"] == 4
    assert by_name["837p_infusion_nte.x12"] == 3 and by_name["837i_infusion_record.x12"] == 2


def test_directory_with_the_record_reports_exactly_the_readme_findings():
    # README: `scrub check sample_837 --times sample_837/admin_times.csv`. Every record row is used
    # (no INF005) and each file reports what the README table lists, nothing more.
    doc = report(invoke("check", SAMPLES, "--format", "json", "--times", TIMES))
    by_file: dict[str, set] = {}
    for f in doc["findings"]:
        by_file.setdefault(Path(f["file"]).name, set()).add((f["edit"], f["claim_id"], f["line"]))
    assert "admin_times.csv" not in by_file  # no INF005: every row matched a claim line
    hl_broken = by_file.pop("837p_hl_broken.x12")
    assert hl_broken in ({("STR007", None, None)}, {("STR007", "HL-ORPHAN-002", None)})
    assert by_file == {name: found for name, found in README_FINDINGS.items() if found}


def test_directory_input_skips_hidden_files_and_reports(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(CLEAN, folder / "b.x12")
    shutil.copy(CLEAN, folder / "sub" / "a.x12")
    shutil.copy(CLEAN, folder / ".hidden.x12")
    (folder / "notes.md").write_text("# notes\n", encoding="utf-8")
    (folder / "old.json").write_text("{}", encoding="utf-8")
    doc = report(invoke("check", folder, "--format", "json"))
    assert [f["path"] for f in doc["files"]] == [str(folder / "b.x12"), str(folder / "sub" / "a.x12")]


def test_stdin_dash_in_process():
    result = invoke("check", "-", "--format", "json", input=CLEAN.read_bytes())
    assert result.exit_code == 0
    doc = report(result)
    assert doc["run"]["inputs"] == ["<stdin>"]
    assert [file_entry(f) for f in doc["files"]] == [("<stdin>", "837P", 4, None)]


def test_stdin_dash_with_defects_and_a_file():
    result = invoke("check", "-", CLEAN, "--format", "json", input=DEFECTS.read_bytes())
    assert result.exit_code == 1
    doc = report(result)
    assert [(f["path"], f["claims"]) for f in doc["files"]] == [("<stdin>", 13), (str(CLEAN), 4)]
    assert {f["file"] for f in doc["findings"]} == {"<stdin>"}


def test_stdin_empty_is_unreadable():
    result = invoke("check", "-", "--format", "json", input=b"")
    assert result.exit_code == 2
    assert report(result)["files"][0]["error"]
    assert len(err_lines(result)) == 1 and "<stdin>" in err_lines(result)[0]


# -- --select / --ignore / --config / --payer / --times ---------------------------------------------


def test_select_only_runs_those_edits():
    doc = report(invoke("check", DEFECTS, "--select", "BAL", "--format", "json"))
    assert doc["findings"] and {f["edit"] for f in doc["findings"]} == {"BAL001"}


def test_select_takes_a_comma_list_and_repeats():
    doc = report(invoke("check", DEFECTS, "--select", "BAL,CS003", "--select", "DX001", "--format", "json"))
    assert {f["edit"] for f in doc["findings"]} == {"BAL001", "CS003", "DX001"}


def test_ignore_skips_those_edits():
    doc = report(invoke("check", DEFECTS, "--ignore", "CS", "--format", "json"))
    edits = {f["edit"] for f in doc["findings"]}
    assert not any(e.startswith("CS") for e in edits)
    assert {"BAL001", "DX001", "STR009"} <= edits


def test_config_severity_override(tmp_path):
    (tmp_path / "cfg").mkdir()  # not in the working directory, where it would be found without --config
    cfg = tmp_path / "cfg" / "scrubber.toml"
    cfg.write_text('[tool.scrubber.severity]\nBAL001 = "warning"\n', encoding="utf-8")
    result = invoke("check", DEFECTS, "--config", cfg, "--select", "BAL", "--format", "json")
    assert result.exit_code == 0  # only a warning left
    doc = report(result)
    assert [(f["edit"], f["severity"]) for f in doc["findings"]] == [("BAL001", "warning")]
    assert doc["summary"]["findings"] == {"error": 0, "warning": 1, "info": 0}
    # without the config BAL001 is an error
    plain = report(invoke("check", DEFECTS, "--select", "BAL", "--format", "json"))
    assert [f["severity"] for f in plain["findings"]] == ["error"]


def test_config_scrubber_toml_in_working_directory_is_found(tmp_path):
    (tmp_path / "scrubber.toml").write_text('select = ["BAL"]\n', encoding="utf-8")
    doc = report(invoke("check", DEFECTS, "--format", "json"))
    assert {f["edit"] for f in doc["findings"]} == {"BAL001"}


def test_config_unknown_key_is_one_line_exit_2(tmp_path):
    cfg = tmp_path / "scrubber.toml"
    cfg.write_text('[tool.scrubber]\nselectt = ["BAL"]\n', encoding="utf-8")
    result = invoke("check", CLEAN, "--config", cfg)
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1 and "selectt" in lines[0] and str(cfg) in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "text",
    ["select = [\n", '[severity]\nBAL001 = "fatal"\n', 'fail_on = "sometimes"\n', 'payer = "bogus"\n'],
    ids=["bad-toml", "bad-severity", "bad-fail-on", "bad-payer"],
)
def test_config_bad_values_are_one_line_exit_2(tmp_path, text):
    cfg = tmp_path / "scrubber.toml"
    cfg.write_text(text, encoding="utf-8")
    result = invoke("check", CLEAN, "--config", cfg)
    assert result.exit_code == 2
    assert len(err_lines(result)) == 1


def test_config_missing_file_exit_2(tmp_path):
    result = invoke("check", CLEAN, "--config", tmp_path / "none.toml")
    assert result.exit_code == 2
    assert len(err_lines(result)) == 1 and "none.toml" in result.stderr


def test_payer_bogus_exit_2():
    result = invoke("check", CLEAN, "--payer", "bogus")
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1 and "bogus" in lines[0]


@pytest.mark.parametrize("payer", ["medicare", "medicaid", "commercial", "MEDICARE"])
def test_payer_known_profiles_accepted(payer):
    assert invoke("check", CLEAN, "--payer", payer).exit_code in (0, 1)


def test_times_empty_file_changes_nothing(tmp_path):
    times = tmp_path / "times.csv"
    times.write_text("", encoding="utf-8")
    for path, code in ((CLEAN, 0), (DEFECTS, 1)):
        result = invoke("check", path, "--times", times, "--format", "json")
        assert result.exit_code == code
        assert result.stderr == ""
        assert report(result)["findings"] == report(invoke("check", path, "--format", "json"))["findings"]


def test_times_header_only_file_works(tmp_path):
    times = tmp_path / "times.csv"
    times.write_text("claim_id,line,start,stop\n", encoding="utf-8")
    assert invoke("check", CLEAN, "--times", times).exit_code == 0


def test_times_missing_file_exit_2_naming_it(tmp_path):
    times = tmp_path / "no_times.csv"
    result = invoke("check", CLEAN, "--times", times)
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1 and str(times) in lines[0]


def test_times_without_required_columns_exit_2(tmp_path):
    times = tmp_path / "times.csv"
    times.write_text("claim_id,start\nCLEAN-RA-001,09:00\n", encoding="utf-8")
    result = invoke("check", CLEAN, "--times", times)
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1 and str(times) in lines[0] and "line" in lines[0] and "stop" in lines[0]


# -- edits / explain / --version -------------------------------------------------------------------


def test_edits_lists_every_catalog_id():
    result = invoke("edits")
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    ids = {e.id for e in catalog()}
    assert ids and ids <= listed


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_edits_machine_formats(fmt):
    result = invoke("edits", "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        rows = json.loads(result.stdout)
    else:
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [e.id for e in catalog()]


def test_explain_bal001():
    result = invoke("explain", "BAL001")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("BAL001")
    assert "What it checks" in out and "Why it matters" in out and "Example" in out
    assert invoke("explain", "bal001").stdout == out


def test_explain_unknown_exit_2():
    result = invoke("explain", "NOPE")
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1 and "NOPE" in lines[0]


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"scrub {scrubber.__version__}"


# -- end to end (subprocess) -----------------------------------------------------------------------


def _subprocess(*args: str, data: bytes | None = None, cwd: Path | None = None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "scrubber", *args],
        input=data,
        capture_output=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def test_python_m_scrubber_version(tmp_path):
    proc = _subprocess("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"scrub {scrubber.__version__}"


def test_python_m_scrubber_stdin_pipe(tmp_path):
    proc = _subprocess("check", "-", "--format", "json", data=DEFECTS.read_bytes(), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert [file_entry(f) for f in doc["files"]] == [("<stdin>", "837P", 13, None)]
    assert keys(doc["findings"]) == README_FINDINGS["837p_defects.x12"]


def test_report_file_gets_ordinary_permissions(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old")
    out.chmod(0o644)
    invoke("check", CLEAN, "--format", "json", "--output", out)
    assert out.stat().st_mode & 0o777 == 0o644
    fresh = tmp_path / "fresh.json"
    invoke("check", CLEAN, "--format", "json", "--output", fresh)
    assert fresh.stat().st_mode & 0o777 != 0o600


def test_empty_directory_is_noted(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("check", empty)
    assert result.exit_code == 0
    assert "no files to scrub" in result.stderr
