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


CLEAN = ROOT / "sample_837" / "837p_clean.x12"


def _gate(tmp_path, src, *extra):
    clean, held = tmp_path / "clean.x12", tmp_path / "held.x12"
    result = RUNNER.invoke(app, ["gate", str(src), "--clean", str(clean), "--held", str(held), *extra])
    return result, clean, held


def _refused(result, clean, held):
    """Exit 2, one line on stderr, no traceback, and neither output written."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not clean.exists() and not held.exists()


def test_an_isa_that_is_not_fixed_width_is_refused_with_one_line(tmp_path):
    data = CLEAN.read_bytes()
    first = tmp_path / "first.x12"
    first.write_bytes(data[:20] + data[21:])  # ISA04 one character short
    _refused(*_gate(tmp_path, first))
    later = tmp_path / "later.x12"
    later.write_bytes(data + data[:20] + data[21:])  # a second interchange with a short ISA
    result, clean, held = _gate(tmp_path, later)
    _refused(result, clean, held)
    assert "segment" in result.stderr and "ISA" in result.stderr


def test_isa16_equal_to_the_segment_terminator_is_refused(tmp_path):
    data = CLEAN.read_bytes()
    assert data[104:106] == b":~"
    src = tmp_path / "isa16.x12"
    src.write_bytes(data[:104] + b"~" + data[105:])
    result, clean, held = _gate(tmp_path, src)
    _refused(result, clean, held)
    assert "ISA16" in result.stderr


def test_a_claim_that_would_land_in_neither_output_refuses_the_file(tmp_path):
    """A vertical tab before a CLM: check does not see that claim, so gate must not drop it."""
    text = CLEAN.read_text()
    at = text.index("CLM*", text.index("CLM*") + 1)
    src = tmp_path / "vt.x12"
    src.write_text(text[:at] + "\x0b" + text[at:])
    result, clean, held = _gate(tmp_path, src)
    if result.exit_code != 2:  # a reader that reads the claim: then it must land in an output
        both = clean.read_bytes() + held.read_bytes()
        assert both.count(b"CLM*") == text.count("CLM*")
    else:
        _refused(result, clean, held)


@pytest.mark.parametrize("option", ["--clean", "--held", "--report", "--ack"])
@pytest.mark.parametrize("where", ["/proc/scrub-out.x12", "/sys/scrub-out.x12", "missing/dir/out.x12"])
def test_an_output_that_cannot_be_written_exits_2_with_one_line(tmp_path, monkeypatch, option, where):
    monkeypatch.chdir(tmp_path)
    args = {"--clean": "clean.x12", "--held": "held.x12", option: where}
    argv = ["gate", str(CLEAN)] + [x for pair in args.items() for x in pair]
    result = RUNNER.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert len(result.stderr.strip().splitlines()) == 1 and where in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_outputs_named_twice_are_refused(tmp_path):
    result, clean, held = _gate(tmp_path, CLEAN, "--report", str(tmp_path / "clean.x12"))
    _refused(result, clean, held)


def _mutants():
    """Small deterministic damage to a sample: a segment dropped, doubled or swapped."""
    import random

    rng = random.Random(14)
    text = (ROOT / "sample_837" / "837p_defects.x12").read_text()
    segs = [s for s in text.split("~\n") if s]
    for n in range(24):
        copy = list(segs)
        i = rng.randrange(1, len(copy))
        kind = n % 3
        if kind == 0:
            del copy[i]
        elif kind == 1:
            copy.insert(i, copy[i])
        else:
            j = rng.randrange(1, len(copy))
            copy[i], copy[j] = copy[j], copy[i]
        yield pytest.param("~\n".join(copy) + "~\n", id=f"{['drop', 'double', 'swap'][kind]}-{i}")


@pytest.mark.parametrize("text", list(_mutants()))
def test_damaged_files_land_every_claim_once_or_are_refused(text, tmp_path):
    src = tmp_path / "in.x12"
    src.write_text(text)
    result, clean, held = _gate(tmp_path, src)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 2:
        _refused(result, clean, held)
        return
    assert clean.exists() and held.exists()
    assert (clean.read_bytes() + held.read_bytes()).count(b"~\nCLM*") == text.count("~\nCLM*")
    assert src.read_text() == text


def test_gate_validates_with_pyx12_only_when_asked(tmp_path, monkeypatch):
    import scrubber.validate

    calls = []
    monkeypatch.setattr(scrubber.validate, "validate", lambda *a, **k: calls.append(1) or None)
    result, clean, held = _gate(tmp_path, ROOT / "sample_837" / "837p_defects.x12")
    assert result.exit_code == 1 and calls == []


def test_hold_marks_are_bits_that_decode_to_the_blocking_findings():
    """The marks that hold claims are kept as bits by segment index (all, and those rebuilding does
    not cure), so a dirty batch's gate stays flat; they decode to exactly the blocking findings."""
    from scrubber.gate import CURED_BY_REBUILD, Bits, _marks
    from scrubber.pipeline import blocking

    paths = [p for p in sample_and_corpus_files() if p.parent.name == "sample_837"]
    engine = Engine(Config())
    for path in paths:
        result = engine.scrub([str(path)])
        marks, _, _ = _marks(result, str(path), Severity.ERROR)
        assert isinstance(marks.all, Bits) and isinstance(marks.uncured, Bits)
        want = {
            (f.loc.ordinal - 1, f.edit in CURED_BY_REBUILD)
            for f in result.findings
            if blocking(f, Severity.ERROR) and f.claim_id is not None and f.loc and f.loc.ordinal
        }
        assert set(marks.all.between(0)) == {i for i, _ in want}
        # an index marked by a cured and an uncured finding is uncured
        assert set(marks.uncured.between(0)) == {i for i, cured in want if not cured}


@pytest.mark.parametrize("seed", range(40))
def test_bits_answer_as_a_set_of_ints_does(seed):
    """Bits, for any indexes and ranges (byte edges, empty and open-ended ranges, past the end)."""
    import random

    from scrubber.gate import Bits

    rng = random.Random(seed)
    indexes = {rng.randrange(0, rng.choice((8, 64, 1000))) for _ in range(rng.randrange(0, 60))}
    bits = Bits()
    for i in sorted(indexes, key=lambda _: rng.random()):
        bits.add(i)
    top = max(indexes, default=0) + 20
    for _ in range(50):
        lo = rng.randrange(0, top)
        hi = rng.choice((None, rng.randrange(0, top + 10)))
        inside = sorted(i for i in indexes if i >= lo and (hi is None or i < hi))
        assert bits.between(lo, hi) == inside
        assert bits.any(lo, hi) == bool(inside)
    assert all(i in bits for i in indexes)
    assert not any(i in bits for i in range(top + 100) if i not in indexes)
