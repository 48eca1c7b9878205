"""scrub fix at scale: the audit trail is spooled (Spool, AuditTrail) and streamed into the JSON
report with the bytes the in-memory trail gave; the pyx12 judge's batches run in worker processes
with the one-process answer."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from scrubber import fixer, fixjudge
from scrubber.config import Config
from scrubber.fixapply import Change
from scrubber.fixer import AuditTrail, fix_data
from scrubber.pipeline import Engine, Result, Spool
from scrubber.report import json_report

GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "gen_837p.py"


def _change(n: int) -> Change:
    claim = None if n % 7 == 0 else f"CLM-{n // 3}"
    return Change(
        claim, n % 4 or None, "SV1", n + 10, f"SV1*HC:J{n}*1", f"SV1*HC:J{n}*2", "DU001", f"units {n}"
    )


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 2501])
def test_the_spool_keeps_order_length_and_truth_past_its_memory_limit(count):
    items = [_change(n) for n in range(count)]
    spool = Spool(items)
    assert len(spool) == count and bool(spool) == bool(count)
    assert list(spool) == items and list(spool) == items  # iterable again
    spool += [_change(count)]
    spool.append(_change(count + 1))
    assert list(spool) == [*items, _change(count), _change(count + 1)]


def _old_write(res: Result) -> str:
    """The JSON writer before the trail was streamed: the header, trail and all, in one dumps."""
    out = io.StringIO()
    head = json.dumps(json_report.header(res), indent=2)
    out.write(head[:-2] + ',\n  "findings": [')
    first = True
    for f in res.findings:
        out.write(("\n    " if first else ",\n    ") + json_report.finding_json(f))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")
    return out.getvalue()


@pytest.mark.parametrize("count", [0, 1, 2, 2501])
def test_a_spooled_trail_writes_the_json_report_of_the_in_memory_one(count):
    changes = [_change(n) for n in range(count)]
    listed = Result(inputs=["in.x12"], started="2026-01-01T00:00:00")
    listed.changes = [c.as_dict() for c in changes]
    listed.fix_skipped = [{"claim_id": "C\x00", "line": None, "edit": "E", "title": "t", "reason": "r"}]
    listed.changes[-1:] = [{**d, "before": 'a "quoted"\nline'} for d in listed.changes[-1:]]
    spooled = Result(inputs=["in.x12"], started="2026-01-01T00:00:00")
    spooled.changes = AuditTrail(Spool(Change(**d) for d in listed.changes))
    spooled.fix_skipped = listed.fix_skipped
    assert list(spooled.changes) == listed.changes and len(spooled.changes) == count
    out = io.StringIO()
    json_report.write(spooled, out)
    assert out.getvalue() == _old_write(listed)
    assert json.loads(out.getvalue())["changes"] == listed.changes


@dataclass
class _Error:
    segment: str
    code: str
    ordinal: int


def _fake_pyx12(data: bytes) -> list[_Error]:
    """A deterministic stand-in for pyx12: an "error" on every claim segment whose text hashes
    to 0 mod 5, so that some corrections add errors and some do not."""
    text = data.decode("utf-8", errors="surrogateescape")
    terminator = text[105]
    errors = []
    for ordinal, seg in enumerate((s.strip() for s in text.split(terminator)), 1):
        sid = seg.split(text[3], 1)[0]
        if sid not in ("ISA", "GS", "ST", "SE", "GE", "IEA", "HL") and zlib.crc32(seg.encode()) % 5 == 0:
            errors.append(_Error(sid, f"E{zlib.crc32(seg.encode()) % 3}", ordinal))
    return errors


@pytest.mark.skipif(not GENERATOR.is_file(), reason="the shared generator is not there")
def test_the_judge_in_worker_processes_gives_the_one_process_answer(monkeypatch):
    data = subprocess.run(
        [sys.executable, str(GENERATOR), "-n", "1200", "--seed", "49"], check=True, capture_output=True
    ).stdout
    monkeypatch.setattr(fixjudge, "BATCH", 9)  # ~100 changed claims: a dozen batches
    monkeypatch.setattr(fixjudge, "MIN_BATCH", 0)  # a pool however few claims a pass changed
    calls = []
    judge = fixjudge._suspects
    monkeypatch.setattr(fixjudge, "_suspects", lambda *a: calls.append(1) or judge(*a))

    def run(jobs: int):
        calls.clear()
        outcome = fix_data(data, "gen.x12", Engine(Config(jobs=jobs)), validator=_fake_pyx12)
        return outcome, len(calls)

    serial, here = run(1)
    assert here > 10  # one process: every batch judged here
    parallel, here = run(2)
    assert here == 0  # two: every batch judged in a worker
    assert parallel.data == serial.data
    assert list(parallel.changes) == list(serial.changes)
    assert [s.as_dict() for s in parallel.skipped] == [s.as_dict() for s in serial.skipped]
    reverted = {s.finding.claim_id for s in serial.skipped if "pyx12" in s.reason}
    assert len(reverted) > 5  # the fake judge made some claims worse
    assert not reverted & {c.claim_id for c in serial.changes}


@pytest.mark.skipif(not GENERATOR.is_file(), reason="the shared generator is not there")
def test_a_judge_that_fails_in_a_worker_fails_the_run_without_hanging(monkeypatch):
    data = subprocess.run(
        [sys.executable, str(GENERATOR), "-n", "400", "--seed", "49"], check=True, capture_output=True
    ).stdout
    monkeypatch.setattr(fixjudge, "BATCH", 2)
    monkeypatch.setattr(fixjudge, "MIN_BATCH", 2)

    def broken(data: bytes):
        raise RuntimeError("the judge broke")

    with pytest.raises(RuntimeError, match="the judge broke"):
        fix_data(data, "gen.x12", Engine(Config(jobs=2)), validator=broken)


def test_fix_takes_jobs_as_check_does(tmp_path):
    from typer.testing import CliRunner

    from scrubber.cli import app

    source = Path(__file__).resolve().parents[1] / "sample_837" / "837p_defects.x12"
    runner = CliRunner()
    bad = runner.invoke(app, ["fix", str(source), "-o", str(tmp_path / "a.x12"), "--jobs", "-1"])
    assert bad.exit_code == 2
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"fixed{jobs}.x12"
        done = runner.invoke(app, ["fix", str(source), "-o", str(out), "-j", jobs, "--quiet"])
        assert done.exit_code in (0, 1), done.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.skipif(not GENERATOR.is_file(), reason="the shared generator is not there")
@pytest.mark.parametrize(("jobs", "keep"), [(1, 2000), (2, 2000), (2, 0)])
def test_judging_the_first_pass_while_the_fixer_goes_on_gives_the_judgement_at_the_end(
    monkeypatch, jobs, keep
):
    """The first pass's claims are judged as that pass wrote them, the later passes' as the last
    pass left them (kept in memory, or with ``keep`` 0 read from the last file): the same answer
    as judging every changed claim once, at the end."""
    data = subprocess.run(
        [sys.executable, str(GENERATOR), "-n", "600", "--seed", "49"], check=True, capture_output=True
    ).stdout
    monkeypatch.setattr(fixjudge, "MIN_BATCH", 5)
    monkeypatch.setattr(fixer, "KEEP_CLAIMS", keep)

    def run():
        return fix_data(data, "gen.x12", Engine(Config(jobs=jobs)), validator=_fake_pyx12)

    early = run()

    class AtTheEnd(fixer._Judge):
        def keeps(self):
            return False

        def passed(self, path, changed, log):
            self.later |= changed

        def worse(self, final):
            return fixjudge._worse(self.original, final, self.later, self.validator, jobs)

    monkeypatch.setattr(fixer, "_Judge", AtTheEnd)
    end = run()
    assert early.passes >= 2
    assert early.data == end.data
    assert list(early.changes) == list(end.changes)
    assert [s.as_dict() for s in early.skipped] == [s.as_dict() for s in end.skipped]
    assert any("pyx12" in s.reason for s in early.skipped)


@pytest.mark.skipif(not GENERATOR.is_file(), reason="the shared generator is not there")
def test_closing_a_judgement_that_is_still_running_returns_and_stops_its_workers(tmp_path, monkeypatch):
    """What the fixer does when it fails while the first pass's claims are being judged in the
    background: close() stops the feeding, waits for the batches handed over, and terminates the
    workers (terminating them with the feeder thread waiting for a slot would wait for ever)."""
    import threading
    import time

    original = tmp_path / "in.x12"
    original.write_bytes(
        subprocess.run(
            [sys.executable, str(GENERATOR), "-n", "400", "--seed", "49"], check=True, capture_output=True
        ).stdout
    )
    monkeypatch.setattr(fixjudge, "BATCH", 2)
    monkeypatch.setattr(fixjudge, "MIN_BATCH", 2)

    def slow(data: bytes):
        time.sleep(0.05)
        return []

    ids = {f"PCN{n:09d}" for n in range(1, 401)}
    judgement = fixjudge.Judgement(str(original), slow, jobs=2)
    judgement.start(str(original), ids)  # 200 batches of 2, 5 s of work on two workers
    time.sleep(0.3)
    began = time.monotonic()
    done = threading.Event()
    closer = threading.Thread(target=lambda: (judgement.close(), done.set()), daemon=True)
    closer.start()
    assert done.wait(8), "close() hung"
    assert time.monotonic() - began < 3
    assert judgement._pool is None and judgement._thread is None
