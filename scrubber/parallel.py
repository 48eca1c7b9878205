"""Scrub one large file on several cores.

The main process streams the file once: it reads the envelope and HL hierarchy itself (for the
batch-scoped structure edits) and cuts the segment stream into batches of claims at HL / CLM / ST
boundaries.  It looks only at those segments; a batch is a list of runs of consecutive segment
texts, split into elements in the worker.  Each batch starts with the context its claims need (the
ISA, GS, ST and header segments, and the current billing-provider, subscriber and patient loops),
so a worker process can build the claims exactly as a sequential run would, with the same segment
ordinals, and run the claim and line edits on them.

Findings are put back in the order a sequential run emits them: by the ordinal of the segment that
completed their claim or envelope record, claims before envelope records.  At most ``2 × jobs``
batches are in flight, so memory stays bounded however large the file.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import pickle
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .build837 import ENVELOPE_SEGMENTS, Builder, build_runs
from .model import Claim
from .read import InputError, Segment, SegmentReader

BATCH_CLAIMS = 500
MAX_DEFAULT_JOBS = 4  # --jobs 0 uses one process per core, at most this many
TAIL_BATCH_CLAIMS = 50  # the smallest batch the end of a file is cut into
ONLY_SPAN = 2000  # with Batcher(only=...): claims read between two batches at most
BOUNDARIES = frozenset({"ISA", "GS", "ST", "HL", "CLM"})
_ENGINE = None  # the engine a worker inherits through fork


@dataclass
class BatchResult:
    claims: int = 0
    claims_with_errors: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    kinds: set[str] = field(default_factory=set)
    matched: set[int] = field(default_factory=set)
    # the batch's findings, pickled as one FindingSink spool chunk, and for each the completing
    # ordinal of its claim (where the main process puts the envelope records' findings among them)
    packed: bytes = b""
    rendered: bool = False  # packed holds the findings' report texts (Engine.render), not findings
    keys: list[int] = field(default_factory=list)
    waived: int = 0  # how many of them a waiver waived
    last_key: int = 0  # completing ordinal of the batch's last claim
    judged: object = None  # the batch's waivers.Tally (waived, expired, baseline keys hidden)
    at_risk: dict = field(default_factory=dict)  # the batch's Result.at_risk
    rows: list = field(default_factory=list)  # the batch's Result.claim_rows (Engine.claim_hook)


Runs = list[tuple[int, list[str]]]  # (ordinal of the first, consecutive segment texts)


_CLOSE = "IEA"  # the segment that ends a claim of a batch with ``only`` (then its context follows)


def _claim_id(text: str, element: str) -> str:
    """CLM01 of a CLM segment's text, as the claim builder reads it."""
    parts = text.split(element, 2)
    return parts[1] if len(parts) > 1 else ""


Job = tuple[str, str, str, Runs]


def _work(job: Job, engine=None) -> BatchResult:
    """Worker: build the batch's claims and run the claim and line edits on them (with the engine
    inherited through fork, or the one given: scrubber/dask_exec.py)."""
    from .pipeline import FileResult, Result

    file, component, element, runs = job
    engine = engine or _ENGINE
    engine._current = FileResult(file)
    engine.times.matched.clear()  # report only this batch's matches
    engine.judge.take()  # and only this batch's waiver and baseline tally
    out = BatchResult()
    result = Result(inputs=[], started="")
    sink = result.findings
    sink.limit = 1 << 62  # keep the batch's findings in memory, never spool
    keys = out.keys
    try:
        for record in build_runs(runs, file, element, component):
            if isinstance(record, Claim):
                before = sink.count
                engine._claim(record, result)
                out.kinds.add(record.transaction)
                key = record.ref.ordinal + record.segments
                if sink.count > before:
                    keys += [key] * (sink.count - before)
                out.last_key = key
    except InputError:
        pass  # the main process reports the file error; the claims before it stand
    if keys:
        if engine.render is None:
            out.packed = sink.packed()
        else:  # the report's texts: formatted here, on the workers, rather than in the main process
            texts = list(map(engine.render, sink._memory))
            out.packed = pickle.dumps(texts, protocol=pickle.HIGHEST_PROTOCOL)
            out.rendered = True
        out.waived = sink.waived
    out.claims, out.claims_with_errors, out.counts = result.claims, result.claims_with_errors, result.counts
    out.matched = set(engine.times.matched)
    out.at_risk, out.rows = result.at_risk, list(result.claim_rows)
    engine.times.matched.clear()
    out.judged = engine.judge.take()
    return out


class Batcher:
    """Main-process side: read the envelope, cut the stream into worker batches.

    The reader hands over blocks of segment texts.  Only the envelope, HL and CLM segments are
    looked at one by one (a regular expression finds them in each block); everything between them
    travels to the workers as slices of the block, never touched here.
    """

    def __init__(
        self,
        reader: SegmentReader,
        file: str,
        size: int | None = None,
        total: int = 0,
        jobs: int = 2,
        only: frozenset[str] | None = None,
    ):
        """``total``: the file's size in bytes, when known; batches then get smaller towards its
        end, so that the workers finish together instead of one waiting on the other's last
        large batch.  ``only``: the claim ids (CLM01) to check; the batches hold only those claims,
        each preceded by its context, and nothing of the others (``Engine.only``)."""
        self.only = only
        self.reader = reader
        self.file = file
        self.size = size or BATCH_CLAIMS
        self.total = total
        self.jobs = jobs
        self.element = reader.delimiters.element
        self.component = reader.delimiters.component
        self.envelope = Builder(file, self.component, claims=False)
        # (completing ordinal, Trailer / FileEnd), appended by the pool's feeder thread as the file is
        # read and taken by the main thread as batch results come back
        self.records: deque[tuple[int, object]] = deque()
        self.error: InputError | None = None
        self.read_error: Exception | None = None
        term, ele = reader.delimiters.segment, re.escape(self.element)
        # an envelope, HL or CLM segment id right after a terminator: each block is joined back
        # with the terminator (no segment text holds one) behind a leading one
        self._sep = term
        ids = "|".join(sorted(ENVELOPE_SEGMENTS | {"CLM"}))
        self._marks = re.compile(f"{re.escape(term)}({ids})(?={ele}|{re.escape(term)}|\\Z)")

    def _next_size(self, read: int, claims: int) -> int:
        """Claims for the next batch: the full size, or near the end of the file about a
        ``2 × jobs``-th of the claims still to come (estimated from the bytes read per claim so
        far), down to TAIL_BATCH_CLAIMS."""
        if not self.total or not claims:
            return self.size
        left = max(0, self.total - read) * claims / read
        return max(min(self.size, TAIL_BATCH_CLAIMS), min(self.size, int(left / (2 * self.jobs))))

    def _context(self, blocks: dict[str, Runs]) -> Runs:
        return [run for name in ("ISA", "GS", "ST", "20", "22", "23") for run in blocks.get(name, ())]

    def batches(self) -> Iterator[Job]:
        element, handlers, sep, size = self.element, self.envelope._handlers, self._sep, self.size
        marks, only = self._marks, self.only
        read = total_claims = 0  # characters (of the blocks before this one) and claims read so far
        blocks: dict[str, Runs] = {}
        current: str | None = None
        batch: Runs = []
        claims = 0
        last: tuple[int, str] | None = None
        parts: list[str] = []
        first = start = index = 0
        # with ``only``: where, in this block, the segments left out began (None inside a claim
        # asked for); everything but those claims is left out, each of them preceded by its
        # context, as a batch of one claim would have it (tests/test_parallel.py, size 1), and
        # closed by an IEA at the ordinal of the segment that ends it
        skip: int | None = None if only is None else 0
        cut = 0  # with ``only``: claims read when the last batch was cut
        try:
            for first, parts in self.reader.blocks():
                last = (first + len(parts) - 1, parts[-1])
                text = sep + sep.join(parts)  # every segment follows a separator
                start = 0  # first segment of this block not yet in the batch
                after = 0  # first segment after the last one looked at
                pos, index = 1, 0
                if skip is not None:
                    skip = 0  # what is left out runs on into this block
                for match in marks.finditer(text):
                    index += text.count(sep, pos, match.start() + 1)
                    pos = match.start() + 1
                    sid = match.group(1)
                    if only is not None and skip is None:  # a claim asked for ends here: an IEA
                        if index > start:  # at this segment's ordinal closes it where it ends
                            batch.append((first + start, parts[start:index]))
                        batch.append((first + index, [_CLOSE]))
                        start = skip = index
                    if current is not None and index > after:
                        blocks[current].append((first + after, parts[after:index]))
                    after = index + 1
                    if only is None and claims >= size and sid in BOUNDARIES:
                        if index > start:
                            batch.append((first + start, parts[start:index]))
                        yield self.file, self.component, element, batch
                        batch, claims, start = self._context(blocks), 0, index
                        size = self._next_size(read + pos, total_claims)
                    if sid == "CLM":
                        current = None
                        total_claims += 1
                        if only is not None:
                            # a batch every `size` claims asked for, and one (maybe empty) every
                            # ONLY_SPAN claims read, so that the envelope records read meanwhile
                            # are taken (the main process takes them as batch answers come back)
                            if claims >= size or total_claims - cut >= ONLY_SPAN:
                                yield self.file, self.component, element, batch
                                batch, claims, cut = [], 0, total_claims
                            if _claim_id(parts[index], element) in only:
                                batch += self._context(blocks)
                                start, skip = index, None
                                claims += 1
                            continue
                        claims += 1
                        continue
                    seg = Segment(first + index, parts[index].split(element))
                    for record in handlers[sid](seg) or ():
                        self.records.append((seg.ordinal, record))
                    current = self._track(blocks, seg, (seg.ordinal, parts[index : index + 1]))
                if current is not None and len(parts) > after:
                    blocks[current].append((first + after, parts[after:]))
                if skip is None:
                    batch.append((first + start, parts[start:] if start else parts))
                elif skip > start:
                    batch.append((first + start, parts[start:skip]))
                read += len(text)
                parts = []
        except InputError as exc:
            # an envelope segment was refused: the segments before it still go to the workers
            upto = index if skip is None else min(index, skip)
            if parts and upto > start:
                batch.append((first + start, parts[start:upto]))
            self.error = exc
        except (OSError, UnicodeError) as exc:
            self.read_error = exc
        if batch:
            yield self.file, self.component, element, batch
        end = last[0] if last else 0
        self.envelope.last = Segment(end, [last[1].split(element, 1)[0]]) if last else None
        if self.error is None:
            for record in self.envelope.finish(self.reader.unterminated):
                self.records.append((end + 1, record))

    @staticmethod
    def _track(blocks: dict[str, Runs], seg: Segment, item: tuple[int, list[str]]) -> str | None:
        """Update the context blocks at an envelope or HL segment; return the block that the
        following non-envelope segments extend."""
        sid = seg.id
        if sid == "ISA":
            blocks.clear()
            blocks["ISA"] = [item]
            return None
        if sid == "GS":
            for name in ("GS", "ST", "20", "22", "23"):
                blocks.pop(name, None)
            blocks["GS"] = [item]
            return None
        if sid == "ST":
            for name in ("ST", "20", "22", "23"):
                blocks.pop(name, None)
            blocks["ST"] = [item]
            return "ST"
        if sid == "HL":
            level = seg.get(3)
            drop = {"20": ("20", "22", "23"), "22": ("22", "23"), "23": ("23",)}.get(level)
            if drop is None:
                return None
            for name in drop:
                blocks.pop(name, None)
            blocks[level] = [item]
            return level
        return None  # SE, GE, IEA


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. in a container), else the count."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # no sched_getaffinity (macOS)
        return os.cpu_count() or 1


def default_jobs(cores: int | None = None) -> int:
    """Processes for ``--jobs 0``: one per core, at most MAX_DEFAULT_JOBS; one core, no workers.

    Two workers stay the choice on two cores: the main process, which reads the envelope and cuts
    batches while the workers check claims, then writes the report, takes a tenth to a sixth of
    the run's CPU, and a split run costs 10-15% more CPU in all than one process at 10,000 claims
    and 2-4% more at 100,000 (dirty and clean files) while it spreads the claims over both cores.
    """
    return max(1, min(usable_cores() if cores is None else cores, MAX_DEFAULT_JOBS))


def warm() -> None:
    """Load the ICD-10-CM list and every reference table into this process's caches."""
    from . import icd10, tables

    icd10.status("A000")
    for name in tables.read_manifest():
        tables.get(name)


def ordered(pool, func, jobs: Iterable, in_flight: int, cancel: threading.Event | None = None) -> Iterator:
    """``pool.imap(func, jobs)``: the answers in the order of the jobs, with at most ``in_flight``
    jobs handed to the pool and not yet answered, so the main process holds only those.  When a
    worker fails (imap raises here) or the consumer stops early, the pool's feeder thread, which
    may be waiting for a slot, is let go: the pool can then be closed and joined (it would wait for
    that thread for ever).  ``cancel``, set from another thread, stops the feeding too: the jobs
    handed over are answered, and then the answers end, for a consumer that runs in a thread of
    its own and cannot be stopped early by its caller."""
    slots = threading.Semaphore(in_flight)
    stop = threading.Event()

    def feed():
        for job in jobs:
            if cancel is None:
                slots.acquire()
            else:
                while not slots.acquire(timeout=0.05):
                    if cancel.is_set():
                        return
            if stop.is_set() or (cancel is not None and cancel.is_set()):
                return
            yield job

    try:
        for answer in pool.imap(func, feed()):
            slots.release()
            yield answer
    finally:
        stop.set()
        slots.release(in_flight)


class _ProcessPool(multiprocessing.pool.Pool):
    """multiprocessing's pool, with a worker-maintenance thread that waits only for a worker to
    exit or the pool to change, as the thread pool's does.  The process pool's also wakes while a
    result waits in the result queue, and so spins until the result thread has read it: some 3,000
    turns and 50 ms of the main process's CPU at 10,000 claims, taken from the threads that feed
    the workers and collect their batches."""

    def _get_sentinels(self):
        return [self._change_notifier._reader]


class Pool:
    """A fork-based worker pool bound to one engine (workers inherit its tables and config)."""

    def __init__(self, engine, jobs: int):
        global _ENGINE
        _ENGINE = engine
        warm()  # load reference data once here, so every forked worker shares it
        self.jobs = jobs
        self._pool = _ProcessPool(processes=jobs, context=multiprocessing.get_context("fork"))

    def run(self, batcher: Batcher) -> Iterator[BatchResult]:
        """Batch results in file order, with at most 2 × jobs batches in flight."""
        return ordered(self._pool, _work, batcher.batches(), 2 * self.jobs)

    def close(self) -> None:
        self._pool.close()
        self._pool.join()
