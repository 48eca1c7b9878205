"""Damaged input of any shape: findings or a one-line refusal (exit 2), never a traceback or ENG001.

Regression tests for the defects of issue 14 part F, each on a small input made here from the
base fixture: numbers past int()'s 4,300 digits, ``1E999``, ``NaN``, ``-0``, superscript digits,
empty components and delimiters in values; an unprintable byte that hid a CLM; an output that
cannot be written; a times CSV with a cell over 128 KiB; a segment with no terminator.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from casekit import base, patch
from typer.testing import CliRunner

from scrubber.cli import app
from scrubber.model import money, to_count, to_decimal
from scrubber.read import MAX_SEGMENT, SegmentReader
from scrubber.times import AdminTimes, TimesError

RUNNER = CliRunner()
HUGE = "9" * 5000  # past int()'s 4,300-digit limit


def check(tmp_path: Path, *paths: Path | str, extra: tuple[str, ...] = ()) -> tuple[int, dict | None, str]:
    report = tmp_path / "report.json"
    report.unlink(missing_ok=True)
    args = ["check", *map(str, paths), "--format", "json", "-o", str(report), "--jobs", "1", *extra]
    result = RUNNER.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    data = json.loads(report.read_text()) if report.exists() else None
    return result.exit_code, data, result.stderr


def write(tmp_path: Path, text: str, name: str = "claim.x12") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return path


def edits_of(report: dict) -> set[str]:
    return {f["edit"] for f in report["findings"]}


# -- numbers of any shape ----------------------------------------------------------------------------
def test_to_count_takes_only_short_ascii_digit_strings():
    assert to_count("0001") == 1
    assert to_count("12") == 12
    for text in ("", " 1", "-1", "+1", "1.0", "²", "٣", "1_0", HUGE, "0" * 19):
        assert to_count(text) is None, text
    assert to_count("1234567890", 9) is None


def test_to_decimal_refuses_what_no_x12_number_holds():
    assert to_decimal("-0") == 0
    assert to_decimal("999999999999999999.99") == Decimal("999999999999999999.99")
    for text in ("1E999", "-1E999", "1E18", "NaN", "sNaN", "Infinity", HUGE, "²", "", "1.2.3"):
        assert to_decimal(text) is None, text


@pytest.mark.parametrize(
    ("value", "like", "expected"),
    [
        (Decimal("1E30"), "", "1" + "0" * 30),
        (Decimal("123456789012345678901234567890.129"), "", "123456789012345678901234567890.13"),
        (Decimal("-0"), "", "0"),
        (Decimal("-0.00"), "1.00", "0.00"),
        (Decimal("12.5"), "1.00", "12.50"),
        (Decimal("1e-40"), "", "0"),
    ],
)
def test_money_formats_any_finite_amount(value, like, expected):
    assert money(value, like) == expected


# (patch, edit expected among the findings or None): every one a finding, none an ENG001
SHAPES = [
    (("CLM*INF-RA-001*9560*", "CLM*INF-RA-001*1E999*"), "BAL002"),
    (("CLM*INF-RA-001*9560*", "CLM*INF-RA-001*NaN*"), "BAL002"),
    (("CLM*INF-RA-001*9560*", f"CLM*INF-RA-001*{HUGE}*"), "BAL002"),
    (("CLM*INF-RA-001*9560*", "CLM*INF-RA-001*-0*"), "BAL001"),
    (("*310*UN*1***1~", "*1E999*UN*1***1~"), "BAL002"),
    (("*310*UN*1***1~", "*-0*UN*1***1~"), "BAL001"),
    (("*310*UN*1***1~", "*310*UN*1E999***1~"), None),
    (("*9250*UN*100***1~", f"*9250*UN*{HUGE}***1~"), None),
    (("*9250*UN*100***1~", "*9250*UN*NaN***1~"), None),
    (("CTP****100*ML~", "CTP****1E999*ML~"), None),
    (("CTP****100*ML~", f"CTP****{HUGE}*:::ML~"), None),
    (("*310*UN*1***1~", f"*310*UN*1***{HUGE}~"), "DX001"),
    (("*310*UN*1***1~", "*310*UN*1***²~"), "DX001"),
    (("*310*UN*1***1~", "*310*UN*1***1:::::::~"), None),
    (("SV1*HC:96413*", "SV1*HC::::::::*"), None),
    (("SV1*HC:96413*", "SV1*:*"), None),
    (("LX*1~", f"LX*{HUGE}~"), None),
    (("LX*1~", "LX*²~"), None),
    (("SE*32*0001~", f"SE*{'0' * 5000}32*0001~"), "STR004"),
    (("GE*1*101~", f"GE*{HUGE}*101~"), "STR005"),
    (("IEA*1*000000101~", f"IEA*{HUGE}*000000101~"), "STR006"),
    (("DTP*472*D8*20261103~", "DTP*472*D8*20261399~", 2), None),
    (("DTP*472*D8*20261103~", "DTP*472*RD8*20261103-~", 2), None),
    (("NTE*ADD*START 0900 STOP 1030~", f"NTE*ADD*START {HUGE} STOP 1030~"), None),
    (("NTE*ADD*START 0900 STOP 1030~", "NTE*ADD*START 2599 STOP 0000~"), None),
]


@pytest.mark.parametrize(("change", "edit"), SHAPES, ids=[f"{i}-{e}" for i, (_, e) in enumerate(SHAPES)])
def test_values_of_any_shape_become_findings(tmp_path, change, edit):
    path = write(tmp_path, patch(base("inf_837p"), [change]))
    code, report, _ = check(tmp_path, path)
    assert code in (0, 1)
    assert "ENG001" not in edits_of(report)
    assert report["summary"]["claims"] == 1
    if edit:
        assert edit in edits_of(report)


def test_dx005_with_a_line_that_has_no_number(tmp_path):
    """DX005 sorted its hits by line number; LX01 that is not a number made it None."""
    text = patch(base("inf_837p"), [["HI*ABK:M0579~", "HI*ABK:Z79899*ABF:M0579~"], ["LX*1~", "LX*A~"]])
    code, report, _ = check(tmp_path, write(tmp_path, text))
    assert code in (0, 1)
    found = [f for f in report["findings"] if f["edit"] == "DX005"]
    assert [f["line"] for f in found] == [2, None]
    assert "ENG001" not in edits_of(report)


def test_huge_lx01_in_a_directory_keeps_every_report(tmp_path):
    """A 5,000-digit LX01 killed ``check`` on a directory: no report for any file."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, base("inf_837p"), "a_good.x12")
    write(folder, patch(base("inf_837p"), [["LX*2~", f"LX*{HUGE}~"]]), "b_huge.x12")
    code, report, _ = check(tmp_path, folder)
    assert code in (0, 1)
    assert [f["claims"] for f in report["files"]] == [1, 1]
    assert "ENG001" not in edits_of(report)


# -- a claim hidden by an unprintable byte ------------------------------------------------------------
TWO_CLAIMS = patch(
    base("inf_837p"),
    [
        [
            "SE*32*0001~",
            "CLM*INF-RA-002*310***11:B:1*Y*A*Y*Y~\nHI*ABK:M0579~\nLX*1~\nSV1*HC:96413*310*UN*1***1~\n"
            "DTP*472*D8*20261103~\nSE*37*0001~",
        ]
    ],
)


@pytest.mark.parametrize("byte", ["\x0b", "\x0c", "\x01", "\x7f", "\x85", "\udcff"])
def test_an_unprintable_byte_in_a_segment_id_refuses_the_file(tmp_path, byte):
    assert TWO_CLAIMS.count("CLM*") == 2
    good = write(tmp_path, TWO_CLAIMS, "a_good.x12")
    code, report, _ = check(tmp_path, good)
    assert report["summary"]["claims"] == 2
    second = TWO_CLAIMS.index("CLM*INF-RA-002")
    damaged = write(tmp_path, TWO_CLAIMS[:second] + byte + TWO_CLAIMS[second:], "b_damaged.x12")
    code, report, stderr = check(tmp_path, good, damaged)
    assert code == 2
    assert "b_damaged.x12: segment 34: unprintable character" in stderr
    assert "CLM segment" in stderr
    assert [f["claims"] for f in report["files"]] == [2, 0]
    clean, held = tmp_path / "clean.x12", tmp_path / "held.x12"
    result = RUNNER.invoke(app, ["gate", str(damaged), "--clean", str(clean), "--held", str(held)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_unprintable_bytes_in_values_and_as_delimiters_are_read(tmp_path):
    text = patch(TWO_CLAIMS, [["NTE*ADD*START 0900", "NTE*ADD*\x0bSTART 0900"]])
    code, report, _ = check(tmp_path, write(tmp_path, text))
    assert code in (0, 1) and report["summary"]["claims"] == 2
    # control characters as the delimiters themselves: element BEL, component US, terminator FS
    isa, rest = text.split("~\n", 1)
    isa = isa[:82] + "\x1e" + isa[83:104] + "\x1f"
    body = rest.replace("~\n", "\x1c").replace(":", "\x1f").replace("*", "\x07")
    code, report, _ = check(tmp_path, write(tmp_path, isa.replace("*", "\x07") + "\x1c" + body, "ctl.x12"))
    assert code in (0, 1) and report["summary"]["claims"] == 2


@pytest.mark.parametrize(
    ("offset", "value", "reason"),
    [
        (104, "~", "ISA16"),
        (82, ":", "ISA11"),
        (82, "~", "ISA11"),
        (104, "*", "separator inside an element"),
        (73, "*", "separator inside an element"),
    ],
)
def test_isa_delimiters_that_repeat_another_are_refused(tmp_path, offset, value, reason):
    text = base("inf_837p")
    path = write(tmp_path, text[:offset] + value + text[offset + 1 :])
    code, _, stderr = check(tmp_path, path)
    assert code == 2
    assert reason in stderr.splitlines()[0]


@pytest.mark.parametrize(
    ("command", "offset", "value"),
    [
        *((command, *isa) for command in ("fix", "gate") for isa in ((82, ":"), (104, "~"), (73, "*"))),
        ("fix", 82, "~"),
        ("gate", 82, "~"),
    ],
)
def test_fix_and_gate_refuse_an_isa_that_check_refuses(tmp_path, command, offset, value):
    text = base("inf_837p")
    path = write(tmp_path, text[:offset] + value + text[offset + 1 :])
    out = [str(tmp_path / "out.x12")]
    args = ["--clean", out[0], "--held", str(tmp_path / "held.x12")] if command == "gate" else ["-o", out[0]]
    result = RUNNER.invoke(app, [command, str(path), *args])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit | None)
    assert "ISA" in result.stderr and "Traceback" not in result.stderr


def test_a_later_isa_that_is_not_fixed_width_is_refused(tmp_path):
    """The reader measures the first ISA; a later one with an element short or long shifted the
    control numbers read from it (gate then lost the claims of its interchange)."""
    text = base("inf_837p")
    isa = text.split("~\n", 1)[0]
    for later, reason in (
        (isa.replace("*SYNSUBMIT01    *", "*SYNSUBMIT01   *"), "ISA is not fixed width"),
        (isa.replace("*:", "**:"), "ISA is not fixed width"),
        (isa[:-1] + ">", "ISA16 names another component separator"),
        # one element long and another short: 106 characters, but the control numbers are shifted
        (
            isa.replace("*SYNSUBMIT01    *", "*SYNSUBMIT01     *").replace("*ZZ*", "*Z*", 1),
            "ISA is not fixed width",
        ),
    ):
        path = write(tmp_path, text + later + text[len(isa) :])
        code, report, stderr = check(tmp_path, path)
        assert code == 2
        assert f"segment 37: {reason}" in stderr
        assert report["files"][0]["claims"] == 1  # the claims before it stand


# -- one segment's memory -----------------------------------------------------------------------------
def test_a_file_with_no_terminator_is_refused_and_the_others_run(tmp_path):
    text = base("inf_837p")
    isa, rest = text.split("~\n", 1)
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, isa + "~\n" + rest.replace("~\n", "\n") * 600, "a_unterminated.x12")  # about 0.6 MB
    write(folder, isa + "~" + (rest.replace("~\n", "") * 3000), "b_unterminated.x12")  # about 2.8 MB
    write(folder, text, "c_good.x12")
    code, report, stderr = check(tmp_path, folder)
    assert code == 2
    assert "b_unterminated.x12: segment 2: segment longer than 1 MiB" in stderr
    assert [f["claims"] for f in report["files"]][2] == 1


def test_memory_of_a_segment_is_bounded(tmp_path):
    path = tmp_path / "long.x12"
    isa = base("inf_837p").split("~\n", 1)[0] + "~"
    path.write_bytes((isa + "NTE*ADD*" + "X" * (6 * MAX_SEGMENT)).encode())
    tracemalloc.start()
    try:
        with open(path, "rb") as fh, pytest.raises(Exception, match="longer than 1 MiB"):
            for _ in SegmentReader(fh, "long.x12"):
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MAX_SEGMENT


# -- outputs that cannot be written -------------------------------------------------------------------
def _one_line_exit_2(result, path: str, reason: str) -> None:
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, OSError)
    assert result.stderr.strip().splitlines() == [f"scrub: {path}: cannot write: {reason}"]


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs /proc")
def test_report_to_a_pseudo_file_system(tmp_path):
    source = write(tmp_path, base("inf_837p"))
    result = RUNNER.invoke(app, ["check", str(source), "-o", "/proc/version"])
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(
    not (Path("/dev/full").exists() and stat.S_ISCHR(os.stat("/dev/full").st_mode)), reason="needs /dev/full"
)
def test_report_to_a_full_device_is_written_in_place(tmp_path):
    """The temp-file-and-rename write replaced /dev/full by a regular file (as root).  Reached
    through a link, so that a regression replaces the link and not the device."""
    source = write(tmp_path, base("inf_837p"))
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    result = RUNNER.invoke(app, ["check", str(source), "-o", str(link)])
    _one_line_exit_2(result, str(link), os.strerror(28))
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


def test_report_where_permission_is_denied(tmp_path, monkeypatch):
    """Permission checks do not hold for root, so the refusal is simulated at the temp file."""
    source = write(tmp_path, base("inf_837p"))

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("scrubber.cli.tempfile.mkstemp", denied)
    out = str(tmp_path / "report.json")
    _one_line_exit_2(RUNNER.invoke(app, ["check", str(source), "-o", out]), out, "Permission denied")
    ack = str(tmp_path / "ack.999")
    result = RUNNER.invoke(app, ["check", str(source), "-o", "-", "--ack", ack, "--format", "json"])
    assert result.exit_code == 2 and f"scrub: {ack}: cannot write: Permission denied" in result.stderr


def test_report_into_a_missing_folder(tmp_path):
    source = write(tmp_path, base("inf_837p"))
    out = str(tmp_path / "missing" / "report.json")
    result = RUNNER.invoke(app, ["check", str(source), "-o", out])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"scrub: {out}: directory does not exist"]


# -- the administration record ------------------------------------------------------------------------
HEADER = "claim_id,line,start,stop,drug\n"


def test_a_times_cell_over_128_kib_is_read(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text(HEADER + "INF-RA-001,1,09:00,10:30,\n" + f'INF-RA-001,2,09:00,10:30,"{"x" * 200_000}"\n')
    limit = csv.field_size_limit()
    record = AdminTimes.load(str(path))
    assert len(record.rows) == 2 and len(record.rows[1].drug) == 200_000
    assert csv.field_size_limit() == limit  # the process-wide limit is restored


def test_a_times_cell_past_the_limit_names_its_line_and_reason(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text(HEADER + "A,1,09:00,10:30,\n" + f'A,2,09:00,10:30,"{"x" * (17 << 20)}"\n')
    with pytest.raises(TimesError) as err:
        AdminTimes.load(str(path))
    assert str(err.value) == (
        f"{path}: line 3: cannot read administration record: field larger than field limit ({16 << 20})"
    )
    source = write(tmp_path, base("inf_837p"))
    result = RUNNER.invoke(app, ["check", str(source), "--times", str(path)])
    assert result.exit_code == 2 and "line 3: cannot read administration record" in result.stderr


def test_a_times_file_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "times.csv"
    path.write_bytes(HEADER.encode() + b"A,1,09:00,10:30,\n" * 5000 + b"A,2,09:00,10:30,\xff\n")
    with pytest.raises(TimesError, match=r"line 5002: cannot read administration record: not UTF-8 text"):
        AdminTimes.load(str(path))
