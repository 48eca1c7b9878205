"""pyx12 implementation-guide validation (scrubber.validate).

Inputs are the sample files and small byte-level modifications of them written into tmp_path or
passed as bytes.  Each pyx12 run costs ~0.3 s (map loading), so results used by several tests are
computed once per module.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path

import pytest
import pyx12.error_handler
import pyx12.map_if
import pyx12.params
import pyx12.x12n_document

from scrubber.validate import IGError, Validation, validate, validate_file

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
CLEAN_P = SAMPLES / "837p_clean.x12"
CLEAN_I = SAMPLES / "837i_clean.x12"
DEFECTS = SAMPLES / "837p_defects.x12"
ENVELOPE = SAMPLES / "837p_envelope_defects.x12"
MULTI = SAMPLES / "837p_multi_interchange.x12"
TRUNCATED = SAMPLES / "837p_truncated.x12"

# Segment 5 of 837p_clean.x12 (ISA=1, GS=2, ST=3, BHT=4): the submitter name, NM108 = 46.
SUBMITTER = b"NM1*41*2*SYNTHETIC BILLING SERVICE*****46*SYNSUBMIT01~"
BAD_NM108 = b"NM1*41*2*SYNTHETIC BILLING SERVICE*****ZZ*SYNSUBMIT01~"


def clean_bytes() -> bytes:
    return CLEAN_P.read_bytes()


def bad_nm108_bytes() -> bytes:
    data = clean_bytes()
    assert data.count(SUBMITTER) == 1
    return data.replace(SUBMITTER, BAD_NM108)


def segment_ids(data: bytes) -> list[str]:
    """Segment ids in file order (index 0 = ordinal 1), split independently of the module."""
    text = data.decode()
    return [s.strip().split("*")[0] for s in text.split("~") if s.strip()]


def only_pyx12_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("pyx12")]


@pytest.fixture(scope="module")
def clean_with_ack() -> Validation:
    return validate(clean_bytes(), want_ack=True)


@pytest.fixture(scope="module")
def bad_with_ack() -> Validation:
    return validate(bad_nm108_bytes(), want_ack=True)


# ------------------------------------------------------------------------------------------------
# verdicts


@pytest.mark.parametrize("path", [CLEAN_P, CLEAN_I], ids=lambda p: p.name)
def test_clean_samples_are_valid(path):
    result = validate_file(str(path))
    assert result == Validation(ok=True, errors=[], ack=None)


def test_envelope_defects(tmp_path):
    result = validate_file(str(ENVELOPE))
    assert not result.ok
    assert [(e.ordinal, e.segment, e.element, e.code) for e in result.errors] == [
        (35, "SE", None, "3"),  # SE02 does not match ST02
        (35, "SE", None, "4"),  # SE01 count
        (36, "GE", None, "4"),  # GE02 does not match GS06
        (37, "IEA", None, "001"),  # IEA02 does not match ISA13
    ]
    assert "GE id=502 does not match GS id=501" in result.errors[2].message


def test_defects_sample_errors_point_at_their_segments():
    data = DEFECTS.read_bytes()
    result = validate(data)
    assert not result.ok
    ids = segment_ids(data)
    assert len(result.errors) >= 5
    for err in result.errors:
        assert err.ordinal is not None
        assert ids[err.ordinal - 1] == err.segment, err
        assert "\n" not in err.message
    pos = next(e for e in result.errors if e.element == "CLM05-01")
    assert (pos.ordinal, pos.segment, pos.code) == (137, "CLM", "7")
    assert "(98) is not a valid code" in pos.message
    # A missing segment is reported where pyx12 noticed the gap, and named in the message.
    missing = [e for e in result.errors if e.message.startswith('Mandatory segment "Health Care Diagnosis')]
    assert [(e.ordinal, e.segment, e.code) for e in missing] == [(182, "NM1", "3"), (276, "NM1", "3")]


def test_missing_trailers_are_file_level():
    result = validate_file(str(TRUNCATED))
    assert not result.ok
    assert [(e.ordinal, e.segment, e.code) for e in result.errors] == [
        (None, "IEA", "023"),
        (None, "GE", "3"),
        (None, "SE", "2"),
    ]


# ------------------------------------------------------------------------------------------------
# ordinals: segment count from the ISA, whatever the line layout


LAYOUTS = {
    "newline": lambda d: d,
    "one-line": lambda d: d.replace(b"~\n", b"~"),
    "crlf": lambda d: d.replace(b"~\n", b"~\r\n"),
    "blank-lines": lambda d: d.replace(b"~\n", b"~\n\n"),
    "two-per-line": lambda d: re.sub(rb"(~\n[^~]*~)\n", rb"\1", d),
}


@pytest.mark.parametrize("layout", list(LAYOUTS), ids=list(LAYOUTS))
def test_bad_element_gets_its_segment_ordinal(layout):
    data = LAYOUTS[layout](bad_nm108_bytes())
    result = validate(data)
    assert not result.ok
    assert len(result.errors) == 1
    err = result.errors[0]
    assert (err.ordinal, err.segment, err.element, err.code) == (5, "NM1", "NM108", "7")
    assert "(ZZ) is not a valid code" in err.message


def test_ordinals_run_across_interchanges():
    data = MULTI.read_bytes()
    ids = segment_ids(data)
    # The submitter NM1 of the second interchange (segment 42; the first interchange ends at 37).
    assert ids[36] == "IEA" and ids[37] == "ISA" and ids[41] == "NM1"
    parts = data.split(b"~\n")
    assert parts[41].startswith(b"NM1*41*")
    parts[41] = parts[41].replace(b"*****46*", b"*****ZZ*")
    result = validate(b"~\n".join(parts))
    assert [(e.ordinal, e.segment, e.element) for e in result.errors] == [(42, "NM1", "NM108")]


def test_interchange_and_trailer_element_errors_keep_their_segment():
    data = clean_bytes()
    isa_end = data.index(b"~")
    data = data[: isa_end - 3] + b"Q*:" + data[isa_end:]  # ISA15 usage indicator T -> Q
    data = data.replace(b"IEA*1*", b"IEA*X*")
    result = validate(data)
    found = [(e.ordinal, e.segment, e.element, e.code) for e in result.errors]
    last = len(segment_ids(data))
    assert (1, "ISA", "ISA15", "7") in found
    assert (last, "IEA", None, "021") in found  # IEA01 count
    assert (last, "IEA", "IEA01", "6") in found  # IEA01 not numeric


# ------------------------------------------------------------------------------------------------
# 999


def test_ack_for_accepted_file(clean_with_ack):
    assert clean_with_ack.ok
    ack = clean_with_ack.ack
    assert ack is not None and ack.startswith("ISA*")
    segs = [s.strip() for s in ack.split("~") if s.strip()]
    assert [s.split("*")[0] for s in segs] == [
        "ISA", "GS", "ST", "AK1", "AK2", "IK5", "AK9", "SE", "GE", "IEA"
    ]  # fmt: skip
    assert "ST*999*0001*005010X231" in segs
    assert "AK1*HC*101*005010X222A1" in segs
    assert "IK5*A" in segs
    assert "AK9*A*1*1*1" in segs
    assert not any(s.startswith(("IK3", "IK4")) for s in segs)


def test_ack_for_rejected_file(bad_with_ack):
    assert not bad_with_ack.ok
    segs = [s.strip() for s in bad_with_ack.ack.split("~") if s.strip()]
    assert segs[0].startswith("ISA*")
    # IK302 counts inside the transaction set (ST = 1): ordinal 5 is position 3.
    assert "IK3*NM1*3**8" in segs
    assert "IK4*8*66*7*ZZ" in segs  # NM108, data element 66, invalid code value
    assert "IK5*R*5" in segs
    assert "AK9*R*1*1*0" in segs
    assert bad_with_ack.errors == validate(bad_nm108_bytes()).errors


def test_ack_only_when_requested():
    assert validate(bad_nm108_bytes()).ack is None


def test_4010_group_gets_a_997():
    data = clean_bytes().replace(b"005010X222A1", b"004010X098A1").replace(b"*00501*", b"*00401*", 1)
    result = validate(data, want_ack=True)
    assert not result.ok  # a 5010 claim does not fit the 4010 guide
    assert "ST*997*0001~" in result.ack and "AK9*R*1*1*0~" in result.ack


# ------------------------------------------------------------------------------------------------
# input preparation


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n\t"], ids=["bom", "bom+space"])
def test_bom_and_leading_white_space(prefix, bad_with_ack):
    assert validate(prefix + clean_bytes()) == Validation(True, [], None)
    result = validate(prefix + bad_nm108_bytes())
    assert result.errors == bad_with_ack.errors
    assert not result.ok


def test_envelope_segment_error_pyx12_does_not_count():
    """pyx12 quirk: a segment-level error on an envelope segment (here a leading space before GS)
    is reported but dropped from pyx12's own tree, so its verdict and its 999 stay "accepted"."""
    result = validate(clean_bytes().replace(b"\nGS*", b"\n GS*"), want_ack=True)
    assert result.ok
    assert [(e.ordinal, e.segment, e.code) for e in result.errors] == [(2, "GS", "1")]
    assert "AK9*A*1*1*1~" in result.ack
    result = validate(clean_bytes().replace(b"\nBHT*", b"\n BHT*"))
    assert not result.ok
    assert [(e.ordinal, e.segment, e.code) for e in result.errors] == [(4, "BHT", "1")]


def test_utf8_text_is_judged_by_pyx12():
    data = clean_bytes().replace(b"SYNTHETIC BILLING", "SYNTHÉTIC BILLING".encode())
    result = validate(data)
    assert not result.ok
    assert [(e.ordinal, e.segment, e.element, e.code) for e in result.errors] == [(5, "NM1", "NM103", "6")]


def test_no_file_is_written(tmp_path, monkeypatch):
    inputs = tmp_path / "in"
    inputs.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    for name, data in [("clean.x12", clean_bytes()), ("bad.txt", bad_nm108_bytes())]:
        (inputs / name).write_bytes(data)
    before = sorted(p.name for p in inputs.iterdir())
    assert validate_file(str(inputs / "clean.x12"), want_ack=True).ack
    assert validate_file(str(inputs / "bad.txt"), want_ack=True).ack
    assert sorted(p.name for p in inputs.iterdir()) == before
    assert list(cwd.iterdir()) == []


# ------------------------------------------------------------------------------------------------
# files pyx12 cannot process


def assert_file_level_failure(result: Validation, code: str, text: str) -> None:
    assert not result.ok
    assert result.ack is None
    assert len(result.errors) == 1, result.errors
    err = result.errors[0]
    assert (err.ordinal, err.element, err.code) == (None, None, code)
    assert text in err.message
    assert "\n" not in err.message


@pytest.mark.parametrize(
    "data, text",
    [
        (b"hello, this is not X12", "does not begin with 'ISA'"),
        (b"", "empty file"),
        (b"\xef\xbb\xbf  \r\n", "empty file"),
        (b"ISA*00*short~", "ISA line is only"),
        (b"<?xml version='1.0'?><claims/>" + b" " * 200, "does not begin with 'ISA'"),
    ],
    ids=["text", "empty", "bom-only", "short-isa", "xml"],
)
def test_not_x12(data, text, capfd):
    assert_file_level_failure(validate(data, want_ack=True), "X12Error", text)
    assert capfd.readouterr() == ("", "")


def test_undecodable_bytes():
    data = clean_bytes().replace(b"SYNTHETIC BILLING", b"SYNTH\xffTIC BILLING")
    offset = data.index(b"\xff")
    result = validate(data, want_ack=True)
    assert_file_level_failure(result, "UnicodeDecodeError", f"0xff at byte {offset}")


def test_no_map_for_x222a2():
    data = clean_bytes().replace(b"005010X222A1", b"005010X222A2")
    result = validate(data, want_ack=True)
    assert_file_level_failure(result, "EngineError", "Map not found")
    assert "vriic=005010X222A2" in result.errors[0].message


def test_isa_with_too_many_elements():
    data = clean_bytes()
    isa_end = data.index(b"~")
    result = validate(data[:isa_end] + b"*X" + data[isa_end:])
    assert_file_level_failure(result, "X12Error", "16 elements")


def test_blank_segment_crashing_pyx12_is_reported():
    data = clean_bytes().replace(b"\nPER*", b"\n ~PER*")
    result = validate(data)
    assert_file_level_failure(result, "IndexError", "after segment 5")


def test_missing_file(tmp_path):
    result = validate_file(str(tmp_path / "nope.x12"))
    assert_file_level_failure(result, "FileNotFoundError", "cannot read the file")


# ------------------------------------------------------------------------------------------------
# segments pyx12 does not read


def test_empty_segment_stops_pyx12_and_fails():
    data = MULTI.read_bytes()
    first_iea = data.index(b"IEA*1*000000801~\n") + len(b"IEA*1*000000801~\n")
    data = data[:first_iea] + b"~\n" + data[first_iea:]
    # pyx12 on its own stops at the empty segment and passes the first interchange.
    assert pyx12.x12n_document.x12n_document(
        pyx12.params.ParamsBase(), io.StringIO(data.decode()), None, None
    )
    result = validate(data)
    assert not result.ok
    assert [(e.ordinal, e.segment, e.code) for e in result.errors] == [(None, "", "NOT_READ")]
    assert "after segment 37: segments 38-" in result.errors[0].message


def test_unterminated_last_segment():
    data = clean_bytes().rstrip()
    assert data.endswith(b"~")
    result = validate(data[:-1])
    assert not result.ok
    last = len(segment_ids(data))
    assert [(e.ordinal, e.segment, e.code) for e in result.errors] == [
        (None, "IEA", "023"),  # pyx12: interchange trailer missing
        (last, "IEA", "NOT_READ"),
    ]


# ------------------------------------------------------------------------------------------------
# isolation: no user configuration, no output, pyx12 left as found


CONF_BASIC_CHARSET = """<?xml version="1.0" encoding="utf-8"?>
<params><param name="charset"><value>B</value></param></params>
"""


def test_user_and_prefix_config_files_are_not_read(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".pyx12.conf.xml").write_text(CONF_BASIC_CHARSET)
    prefix = tmp_path / "prefix"
    (prefix / "etc").mkdir(parents=True)
    (prefix / "etc" / "pyx12.conf.xml").write_text(CONF_BASIC_CHARSET)
    monkeypatch.setenv("HOME", str(home))
    # Lower case is valid in the extended character set (the default), not in the basic one.
    data = clean_bytes().replace(b"SYNTHETIC BILLING SERVICE", b"Synthetic Billing Service")

    # Either file would change pyx12's verdict if it were read ...
    params = pyx12.params.params()
    assert params.get("charset") == "B"
    assert not pyx12.x12n_document.x12n_document(params, io.StringIO(data.decode()), None, None)
    (home / ".pyx12.conf.xml").unlink()
    monkeypatch.setattr(sys, "prefix", str(prefix))
    assert pyx12.params.params().get("charset") == "B"

    # ... and validate() does not read it.
    def refuse(self, filename):
        raise AssertionError(f"config file read: {filename}")

    monkeypatch.setattr(pyx12.params.ParamsBase, "_read_config_file", refuse)
    assert validate(data) == Validation(True, [], None)


def test_silent_and_restores_pyx12(caplog, capfd):
    caplog.set_level(logging.DEBUG)  # a root handler that would show pyx12's error log
    logger = logging.getLogger("pyx12")
    before = (logger.level, logger.propagate, list(logger.handlers))
    result = validate(DEFECTS.read_bytes(), want_ack=True)
    assert not result.ok and result.errors
    result = validate(clean_bytes().replace(b"005010X222A1", b"005010X222A2"))
    assert result.errors[0].code == "EngineError"
    assert only_pyx12_records(caplog) == []
    assert capfd.readouterr() == ("", "")
    assert (logger.level, logger.propagate, list(logger.handlers)) == before
    assert pyx12.error_handler.err_handler.__module__ == "pyx12.error_handler"


def test_ig_error_is_frozen():
    err = IGError(1, "ISA", None, "001", "x")
    with pytest.raises(AttributeError):
        err.code = "002"  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------
# the map cache (validate.MAP_CACHE): one map object per process serves every document


def _verdicts(paths) -> list:
    out = []
    for path in paths:
        checked = validate(path.read_bytes(), want_ack=True)
        ack = re.sub(r"\d{4,}", "#", checked.ack or "")  # dates, times, control numbers
        out.append((path.name, checked.ok, checked.errors, ack))
    return out


def test_cached_maps_report_what_fresh_maps_do(monkeypatch):
    """pyx12 keeps a walk's counts in its walker, not its map: a map that has already walked
    other documents, with errors of their own, in either order, gives each file the verdict, the
    errors and the 999 that freshly parsed maps give it."""
    import scrubber.validate as validation

    paths = sorted(SAMPLES.glob("*.x12")) + [SAMPLES / "837p_defects.x12"]
    monkeypatch.setattr(validation, "MAP_CACHE", False)
    fresh = _verdicts(paths)
    assert any(errors for _, _, errors, _ in fresh) and any(ok for _, ok, _, _ in fresh)
    monkeypatch.setattr(validation, "MAP_CACHE", True)
    monkeypatch.setattr(validation, "_MAPS", {})
    assert _verdicts(paths) == fresh
    assert _verdicts(list(reversed(paths))) == list(reversed(fresh))
    assert validation._MAPS  # it did keep them
    assert pyx12.map_if.load_map_file is validation._load_map  # and put pyx12's loader back


def test_a_failed_call_leaves_the_cache_and_loader_sound():
    import scrubber.validate as validation

    bad = validate(b"ISA*00*" + b"x" * 200)
    assert not bad.ok
    assert pyx12.map_if.load_map_file is validation._load_map
    assert validate(clean_bytes()).ok
