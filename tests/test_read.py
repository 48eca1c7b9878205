"""Reading bytes: BOM, white space, delimiters, layout, unreadable inputs, cut-off files.

Inputs are written into tmp_path, built from the bytes of the sample files, and run through the
CLI in-process (typer.testing.CliRunner) with the JSON report.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scrubber.build837 import build
from scrubber.cli import app
from scrubber.model import Claim
from scrubber.read import SegmentReader

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
CLEAN = SAMPLES / "837p_clean.x12"
DEFECTS = SAMPLES / "837p_defects.x12"
NTE_TIMES = SAMPLES / "837p_infusion_nte.x12"  # infusion times in 837P line notes (NTE*ADD)
RECORD_TIMES = SAMPLES / "837i_infusion_record.x12"  # 837I: times only from the --times record
TIMES = SAMPLES / "admin_times.csv"
RUNNER = CliRunner()


def invoke(*args, input: bytes | None = None):
    return RUNNER.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def err_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def scrub_json(path: Path, *args):
    result = invoke("check", path, "--format", "json", *args)
    return result, json.loads(result.stdout)


def times_args(base: Path) -> tuple:
    """The administration record for an 837I sample; INF005 is ignored because the record also
    holds the rows of the other 837I samples (sample_837/README.md)."""
    return ("--times", TIMES, "--ignore", "INF005") if base.name.startswith("837i") else ()


def finding_keys(doc: dict) -> list[tuple]:
    """What must not change when only the byte layout changes (order included)."""
    return [
        (
            f["edit"],
            f["claim_id"],
            f["line"],
            f["severity"],
            f["message"],
            f["value"],
            f["expected"],
            json.dumps(f["location"]),
        )
        for f in doc["findings"]
    ]


def claims_of(data: bytes) -> list[tuple]:
    """Claim id, charge, lines (LX01, code, units, pointers) of every claim, via reader + builder."""
    reader = SegmentReader(io.BytesIO(data), "<test>")
    out = []
    for record in build(reader, "<test>"):
        if isinstance(record, Claim):
            out.append(
                (
                    record.claim_id,
                    record.charge_text,
                    len(record.diagnoses),
                    tuple((ln.number, ln.code, ln.units_text, ln.pointers) for ln in record.lines),
                )
            )
    return out


def phi_values(data: bytes) -> set[str]:
    """Member names and ids (NM1*IL subscriber, NM1*QC patient) of an X12 file using '*' and '~'."""
    values = set()
    for seg in data.decode("ascii").split("~"):
        parts = seg.strip().split("*")
        if parts[0] == "NM1" and len(parts) > 3 and parts[1] in ("IL", "QC"):
            values |= {v for i, v in enumerate(parts) if i in (3, 4, 9) and v}
    return values


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_phi_values_found_in_the_clean_sample():
    assert {"TESTPATIENT", "ALICE", "XSY900000101", "DEMOFAMILY", "DYLAN"} <= phi_values(CLEAN.read_bytes())


# -- layout variants that must read exactly like the original ---------------------------------------


def _pipe_delimiters(data: bytes) -> bytes:
    text = data.decode("ascii")
    assert "|" not in text and ">" not in text
    return text.replace("*", "|").replace(":", ">").encode("ascii")


VARIANTS = {
    "bom": lambda d: b"\xef\xbb\xbf" + d,
    "leading-newlines": lambda d: b"\n\n\r\n" + d,
    "leading-whitespace": lambda d: b"  \t \n   " + d,
    "bom-and-whitespace": lambda d: b"\xef\xbb\xbf\r\n  \n" + d,
    "no-newlines": lambda d: d.replace(b"~\n", b"~"),
    "crlf": lambda d: d.replace(b"~\n", b"~\r\n"),
    "pipe-gt-newline-terminator": lambda d: _pipe_delimiters(d).replace(b"~\n", b"\n"),
    "pipe-gt-tilde-no-newline": lambda d: _pipe_delimiters(d).replace(b"~\n", b"~"),
    "pipe-gt-tilde-newline": _pipe_delimiters,
}


@pytest.mark.parametrize("base", [CLEAN, DEFECTS, NTE_TIMES, RECORD_TIMES], ids=lambda p: p.stem)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_layout_variant_reads_the_same(tmp_path, base, variant):
    original = base.read_bytes()
    data = VARIANTS[variant](original)
    assert data != original
    path = tmp_path / f"{variant}.x12"
    path.write_bytes(data)
    result, doc = scrub_json(path, *times_args(base))
    ref_result, ref_doc = scrub_json(base, *times_args(base))
    assert result.exit_code == ref_result.exit_code
    assert result.stderr == ""
    assert doc["files"][0]["error"] is None
    assert doc["files"][0]["claims"] == ref_doc["files"][0]["claims"]
    assert doc["summary"] == ref_doc["summary"]
    assert finding_keys(doc) == finding_keys(ref_doc)
    assert claims_of(data) == claims_of(original)


def test_variant_helpers_really_change_the_delimiters():
    data = VARIANTS["pipe-gt-newline-terminator"](CLEAN.read_bytes())
    assert data[3:4] == b"|" and data[104:106] == b">\n" and b"~" not in data and b"*" not in data
    reader = SegmentReader(io.BytesIO(data), "<test>")
    found = reader.delimiters
    assert (found.element, found.component, found.segment) == ("|", ">", "\n")


def test_long_leading_whitespace_is_tolerated(tmp_path):
    path = tmp_path / "padded.x12"
    path.write_bytes(b"\n" * 5000 + CLEAN.read_bytes())
    result, doc = scrub_json(path)
    assert doc["files"][0]["error"] is None
    assert result.exit_code == 0 and doc["files"][0]["claims"] == 4


# -- unreadable inputs: exit 2, one stderr line naming the file, no claim data --------------------


def _cut_isa(d: bytes) -> bytes:
    return d[:50]


UNREADABLE = {
    "empty": lambda d: b"",
    "whitespace-only": lambda d: b" \n\r\n\t\n",
    "binary-nul": lambda d: d[:200] + b"\x00\x01\x02\x00" + d[200:],
    "binary-leading-nul": lambda d: b"\x00\x00\x00\x00" + d,
    "truncated-isa": _cut_isa,
    "not-x12": lambda d: b"Patient list\nTESTPATIENT ALICE XSY900000101\nnot an interchange\n",
    "835": lambda d: d.replace(b"ST*837*", b"ST*835*").replace(b"GS*HC*", b"GS*HP*"),
    "4010": lambda d: d.replace(b"005010X222A1", b"004010X098A1"),
    "4010-gs-only": lambda d: d.replace(b"*X*005010X222A1~", b"*X*004010X098A1~", 1),
    "isa-not-fixed-width": lambda d: d.replace(b"*SYNSUBMIT01    *", b"*SYNSUBMIT01*", 1),
    "isa-bad-version": lambda d: d.replace(b"*00501*", b"*99999*", 1),
    "835-after-claims": lambda d: d + d.replace(b"ST*837*", b"ST*835*").replace(b"GS*HC*", b"GS*HP*"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_input_exit_2_one_line_naming_the_file(tmp_path, case):
    original = CLEAN.read_bytes()
    data = UNREADABLE[case](original)
    path = tmp_path / f"case-{case}.x12"
    path.write_bytes(data)
    result, doc = scrub_json(path)
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    entry = doc["files"][0]
    assert entry["error"] and "\n" not in entry["error"]
    assert entry["error"] in lines[0]
    for value in phi_values(original):  # PHI rule: no member names or ids in messages
        assert value not in result.stderr
        assert value not in entry["error"]
    if case != "835-after-claims":
        assert entry["claims"] == 0


def test_unreadable_first_file_does_not_stop_the_next(tmp_path):
    bad = tmp_path / "bad.x12"
    bad.write_bytes(b"\x00" * 64)
    result, doc = scrub_json_many(bad, DEFECTS)
    assert result.exit_code == 2
    assert doc["files"][1]["claims"] == 13 and doc["files"][1]["error"] is None
    _alone, defects_alone = scrub_json(DEFECTS)
    assert len(doc["findings"]) == len(defects_alone["findings"]) == 14  # sample_837/README.md


def scrub_json_many(*paths: Path):
    result = invoke("check", *paths, "--format", "json")
    return result, json.loads(result.stdout)


def test_stderr_is_silent_for_readable_files():
    for name in (
        "837p_clean.x12",
        "837p_defects.x12",
        "837p_truncated.x12",
        "837p_envelope_defects.x12",
        "837p_infusion_nte.x12",
        "837i_clean.x12",
        "837i_infusion_record.x12",
    ):
        path = SAMPLES / name
        assert invoke("check", path, "--format", "json", *times_args(path)).stderr == ""


# -- cut-off and odd files ---------------------------------------------------------------------------


def test_truncated_before_iea_reports_both_claims_and_str008():
    path = SAMPLES / "837p_truncated.x12"
    result, doc = scrub_json(path)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert doc["files"][0]["error"] is None and doc["files"][0]["claims"] == 2
    edits = {f["edit"] for f in doc["findings"]}
    assert "STR008" in edits
    assert all(f["claim_id"] is None for f in doc["findings"])  # no claim-level findings
    assert [c[0] for c in claims_of(path.read_bytes())] == ["TRUNC-PEG-001", "TRUNC-HYD-002"]


@pytest.mark.parametrize("layout", ["newlines", "one-line"])
def test_last_segment_without_terminator_is_a_warning_only(tmp_path, layout):
    data = CLEAN.read_bytes() if layout == "newlines" else CLEAN.read_bytes().replace(b"~\n", b"~")
    data = data.rstrip()
    assert data.endswith(b"~")
    path = tmp_path / "noterm.x12"
    path.write_bytes(data[:-1])
    result, doc = scrub_json(path)
    assert result.exit_code == 0
    assert doc["files"][0]["claims"] == 4 and doc["files"][0]["error"] is None
    assert [(f["edit"], f["severity"]) for f in doc["findings"]] == [("STR011", "warning")]


def test_last_segment_without_terminator_but_trailing_newline(tmp_path):
    data = CLEAN.read_bytes().rstrip()[:-1] + b"\n"
    path = tmp_path / "noterm.x12"
    path.write_bytes(data)
    _result, doc = scrub_json(path)
    assert [f["edit"] for f in doc["findings"]] == ["STR011"]


def test_multi_interchange_file_has_four_claims():
    path = SAMPLES / "837p_multi_interchange.x12"
    result, doc = scrub_json(path)
    assert result.exit_code == 0
    assert doc["files"][0]["claims"] == 4 and doc["summary"]["claims"] == 4
    assert doc["findings"] == []
    assert [c[0] for c in claims_of(path.read_bytes())] == [
        "MULTI-ISA1-RA-001",
        "MULTI-ISA2-ONC-002",
        "MULTI-ISA3-ST1-PEG-003",
        "MULTI-ISA3-ST2-OP-004",
    ]


def test_two_clean_interchanges_concatenated(tmp_path):
    path = tmp_path / "twice.x12"
    path.write_bytes(CLEAN.read_bytes() * 2)
    result, doc = scrub_json(path)
    assert result.exit_code == 0
    assert doc["files"][0]["claims"] == 8


def test_stdin_reads_like_a_file():
    data = VARIANTS["bom-and-whitespace"](DEFECTS.read_bytes())
    result = invoke("check", "-", "--format", "json", input=data)
    doc = json.loads(result.stdout)
    _ref_result, ref = scrub_json(DEFECTS)
    assert result.exit_code == 1
    assert finding_keys(doc) == finding_keys(ref)


def test_nul_bytes_past_the_first_block_are_refused(tmp_path):
    data = DEFECTS.read_bytes()
    path = tmp_path / "nul.x12"
    path.write_bytes(data[:6000] + b"\x00\x00" + data[6000:])
    result = invoke("check", path)
    assert result.exit_code == 2
    (line,) = err_lines(result)
    assert str(path) in line and "NUL" in line
