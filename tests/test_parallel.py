"""A large file split across worker processes gives exactly the report of a sequential run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scrubber import parallel, pipeline
from scrubber.config import Config
from scrubber.times import AdminTimes

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_837"
CORPUS = ROOT.parent / "shared" / "corpus" / "public"
FILES = sorted(SAMPLES.glob("*.x12")) + (sorted(CORPUS.glob("*.x12")) if CORPUS.is_dir() else [])


def run(paths, jobs):
    record = AdminTimes.load(str(SAMPLES / "admin_times.csv"))
    result = pipeline.Engine(Config(jobs=jobs), record).scrub([str(p) for p in paths])
    return (
        [f.as_dict() for f in result.findings],
        [f.as_dict() for f in result.files],
        (result.claims, result.claims_with_errors, dict(result.counts)),
    )


@pytest.fixture
def split_everything(monkeypatch):
    """Every file goes to the workers, cut into batches of a single claim; counts the batches."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 1)
    made = []
    batches = parallel.Batcher.batches

    def counted(self):
        for job in batches(self):
            made.append(job)
            yield job

    monkeypatch.setattr(parallel.Batcher, "batches", counted)
    return made


def test_parallel_equals_sequential_on_every_sample_and_corpus_file(split_everything):
    sequential = run(FILES, jobs=1)
    assert split_everything == []
    split = run(FILES, jobs=2)
    assert len(split_everything) >= sequential[2][0]  # at least one batch per claim
    assert split[2] == sequential[2]
    assert split[1] == sequential[1]
    assert split[0] == sequential[0]
    assert sequential[2][0] > 30  # the comparison covered real claims


def test_unmatched_times_rows_see_the_workers_matches(split_everything):
    findings, _, _ = run(sorted(SAMPLES.glob("*.x12")), jobs=2)
    assert [f for f in findings if f["edit"] == "INF005"] == []


def _variants(tmp_path):
    """The multi-interchange sample with its second transaction refused (an 835), on one line,
    with CRLF line ends, and with a different segment terminator."""
    text = (SAMPLES / "837p_multi_interchange.x12").read_text()
    sts = [i for i in range(len(text)) if text.startswith("ST*837*", i)]
    assert len(sts) >= 2
    refused = text[: sts[1]] + "ST*835*" + text[sts[1] + len("ST*837*") :]
    out = {
        "refused.x12": refused,
        "one_line.x12": text.replace("~\n", "~"),
        "crlf.x12": text.replace("~\n", "~\r\n"),
        "bang.x12": text.replace("~", "!"),
    }
    paths = []
    for name, body in out.items():
        path = tmp_path / name
        path.write_text(body)
        paths.append(path)
    return paths


@pytest.mark.parametrize("size", [1, 1000])
def test_parallel_equals_sequential_on_layout_variants_and_a_refused_transaction(
    split_everything, tmp_path, monkeypatch, size
):
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", size)
    paths = _variants(tmp_path)
    sequential = run(paths, jobs=1)
    split = run(paths, jobs=2)
    assert split == sequential
    refused = sequential[1][0]
    assert "not an 837 claim" in refused["error"] and refused["claims"] > 0  # claims before it stand


def _flat(runs) -> list[tuple[int, str]]:
    """(ordinal, segment text) of runs of segment texts."""
    return [item for first, texts in runs for item in enumerate(texts, first)]


@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_batches_cover_every_segment_once_in_order(tmp_path, size):
    """Outside the context blocks a batch repeats, the batches hold each segment once, in order."""
    from scrubber.read import SegmentReader

    for path in [*FILES[:6], *_variants(tmp_path)[1:]]:
        with open(path, "rb") as handle:
            expected = _flat(SegmentReader(handle, str(path)).blocks())
        with open(path, "rb") as handle:
            batcher = parallel.Batcher(SegmentReader(handle, str(path)), str(path), size)
            seen = []
            for *_, runs in batcher.batches():
                items = _flat(runs)
                fresh = [item for item in items if not seen or item[0] > seen[-1][0]]
                assert items[len(items) - len(fresh) :] == fresh  # context first, then new segments
                seen += fresh
        assert seen == expected, path.name


def test_batches_shrink_towards_the_end_of_a_file(tmp_path):
    """With the file's size known, the last batches are smaller, so the workers end together."""
    import subprocess
    import sys

    from scrubber.read import SegmentReader

    path = tmp_path / "gen.837"
    gen = ROOT / "benchmarks" / "gen837.py"
    subprocess.run([sys.executable, str(gen), "-n", "3000", "-o", str(path)], check=True, capture_output=True)

    def claim_counts(total):
        with open(path, "rb") as handle:
            batcher = parallel.Batcher(SegmentReader(handle, str(path)), str(path), 200, total=total, jobs=2)
            return [
                sum(text.startswith("CLM*") for _, texts in runs for text in texts)
                for *_, runs in batcher.batches()
            ]

    fixed = claim_counts(0)
    guided = claim_counts(path.stat().st_size)
    assert sum(fixed) == sum(guided) == 3000
    assert set(fixed[:-1]) == {200}
    assert guided[0] == 200 and guided[-1] <= parallel.TAIL_BATCH_CLAIMS < guided[-3] < 200
    assert all(a >= b for a, b in zip(guided, guided[1:], strict=False))  # never grows again


@pytest.mark.parametrize("size", [1, 1000])
def test_envelope_findings_among_a_batchs_findings_keep_the_sequential_order(
    split_everything, tmp_path, monkeypatch, size
):
    """Trailer findings (a wrong SE count) fall between the claims of one batch (size 1000: the
    main process unpacks the batch to place them) or between batches (size 1: the batches'
    packed findings go to the spool as they came)."""
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", size)
    text = (SAMPLES / "837p_multi_interchange.x12").read_text()
    text = text.replace("SE*33*0001~", "SE*99*0001~").replace("SE*32*0001~", "SE*98*0001~")
    text = re.sub(r"CLM\*([^*]+)\*[0-9.]+\*", r"CLM*\1*1.00*", text)  # a balancing finding on each claim
    path = tmp_path / "trailers.x12"
    path.write_text(text)
    sequential = run([path], jobs=1)
    split = run([path], jobs=2)
    assert split == sequential
    owners = [f["claim_id"] for f in sequential[0]]
    first_envelope = owners.index(None)
    assert any(owners[:first_envelope]) and any(owners[first_envelope:])  # claims on both sides
    assert len(split_everything) == (4 if size == 1 else 1)


@pytest.mark.parametrize(("cores", "jobs"), [(1, 1), (2, 2), (4, 4), (8, 4)])
def test_the_jobs_default_is_one_process_per_core_up_to_four(monkeypatch, cores, jobs):
    assert parallel.default_jobs(cores) == jobs
    monkeypatch.setattr(parallel, "usable_cores", lambda: cores)
    assert pipeline.Engine(Config(jobs=0)).jobs == jobs
    assert pipeline.Engine(Config(jobs=3)).jobs == 3  # a number given is kept


def test_usable_cores_counts_the_cores_this_process_may_use():
    assert 1 <= parallel.usable_cores() <= (os.cpu_count() or 1)


def _broken_work(job, engine=None):
    raise RuntimeError("the worker broke")


def test_a_worker_that_fails_fails_the_run_without_hanging(split_everything, monkeypatch):
    """A batch that raises in a worker reaches the caller, and the pool still closes: its feeder
    thread, waiting for a slot, is let go (the run used to wait for it for ever)."""

    monkeypatch.setattr(parallel, "_work", _broken_work)
    with pytest.raises(RuntimeError, match="the worker broke"):
        run([SAMPLES / "837p_defects.x12"], jobs=2)


def test_a_main_process_that_fails_between_batches_still_closes_the_pool(split_everything):
    """A raise in the main process's loop over the batch results (here the progress callback; a
    Ctrl-C lands there too) reaches the caller, and the pool closes: the answers are closed, so
    the feeder waiting for a slot is let go (the pool's join would wait for it for ever)."""
    import threading

    record = AdminTimes.load(str(SAMPLES / "admin_times.csv"))
    engine = pipeline.Engine(Config(jobs=2), record)
    engine.progress = lambda result: (_ for _ in ()).throw(RuntimeError("the terminal went away"))
    done = threading.Event()
    failed = []

    def scrub():
        try:
            engine.scrub([str(SAMPLES / "837p_defects.x12")])  # closes the engine on the way out
        except RuntimeError as exc:
            failed.append(exc)
        done.set()

    threading.Thread(target=scrub, daemon=True).start()
    assert done.wait(20), "the pool never closed"
    assert failed and engine._pool is None


def test_ordered_keeps_the_order_and_the_bound():
    """parallel.ordered: the answers in the jobs' order; the jobs are drawn at most ``in_flight``
    ahead of the answers taken, and one more waiting for a slot (a pool alone draws them all)."""
    import multiprocessing
    import threading

    handed = []
    lock = threading.Lock()
    taken = [0]

    def jobs():
        for n in range(40):
            with lock:
                handed.append(n - taken[0])  # jobs drawn before this one and not yet answered
            yield n

    pool = multiprocessing.get_context("fork").Pool(processes=2)
    try:
        answers = []
        for answer in parallel.ordered(pool, abs, jobs(), 3):
            with lock:
                taken[0] += 1
            answers.append(answer)
    finally:
        pool.close()
        pool.join()
    assert answers == list(range(40))
    assert max(handed) <= 3


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("size", [1, 1000])
def test_findings_the_workers_write_as_report_texts_give_the_sequential_report(
    split_everything, tmp_path, monkeypatch, size, fmt
):
    """Engine.render (scrub check --format json / csv): the workers hand back their findings as
    the report's texts, among which the main process puts the envelope findings (unpacking the
    batch at size 1000); the report is the one a sequential run writes."""
    import io

    from scrubber import report

    monkeypatch.setattr(parallel, "BATCH_CLAIMS", size)
    text = (SAMPLES / "837p_multi_interchange.x12").read_text()
    text = text.replace("SE*33*0001~", "SE*99*0001~").replace("SE*32*0001~", "SE*98*0001~")
    text = re.sub(r"CLM\*([^*]+)\*[0-9.]+\*", r"CLM*\1*1.00*", text)
    path = tmp_path / "trailers.x12"
    path.write_text(text)
    (tmp_path / "scrubber.toml").write_text("[[waivers]]\nedit = 'BAL001'\nreason = 'test'\n")
    from scrubber.config import load

    def written(jobs, render):
        config = load(str(tmp_path / "scrubber.toml"))
        config.jobs = jobs
        engine = pipeline.Engine(config)
        engine.render = report.text(fmt) if render else None
        result = engine.scrub([str(path)])
        result.started = ""
        out = io.StringIO()
        report.writer(fmt)(result, out)
        return out.getvalue(), result.findings.waived

    sequential = written(1, False)
    split = written(2, True)
    assert split_everything and split == sequential
    assert sequential[1] > 0  # waived findings among the texts are counted


def test_the_process_pool_replaces_a_worker_that_exits_without_waking_for_each_result():
    """parallel._ProcessPool's maintenance thread waits for the workers' exits and the pool's
    changes only (not for every result queued), and still replaces a worker that dies."""
    import multiprocessing
    import time

    pool = parallel._ProcessPool(processes=1, context=multiprocessing.get_context("fork"))
    try:
        assert pool._outqueue._reader not in pool._get_sentinels()
        first = pool._pool[0]
        pool.apply_async(os._exit, (0,))  # the worker takes the task and exits
        deadline = time.monotonic() + 20
        while (not pool._pool or pool._pool[0] is first) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool._pool[0] is not first
        assert list(pool.imap(abs, [-3, 4])) == [3, 4]
    finally:
        pool.terminate()  # the lost task keeps close() and join() waiting
        pool.join()
