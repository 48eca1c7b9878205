"""pyx12 as the judge of corrected claims, on the changed claims only.

The changed claims are taken in batches; each batch is written as a small interchange of its own
(with each claim's envelope and HL loops, as ``scrub gate`` writes them) as corrected, and the
claims pyx12 finds errors in are written again as the input had them.  A claim whose corrected
form draws implementation-guide errors it did not draw before (a different list, at least as
long) keeps its original segments, and its changes are reported as skipped.  The whole file is
never validated again.  With the engine's ``jobs`` above one and more than one batch, the batches
are judged in forked worker processes, their answers taken in file order (the same answer).
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import pickle
import threading
from collections.abc import Iterator
from types import SimpleNamespace

from . import parallel
from .fixapply import Change, Recount, Skipped
from .fixer import Outcome, Temps, _pseudo_finding, write_segments
from .gate import _Writer, open_stream
from .pipeline import Spool
from .stream import RawSeg, RawStream, Unit, Walker

BATCH = 128  # claims per validated interchange, at most
MIN_BATCH = 25  # and at least (but for the last)


def _claims(path: str) -> Iterator[tuple[RawStream, Unit]]:
    handle, stream = open_stream(path)
    with handle:
        for unit in Walker(stream, stream.element, stream.drop_breaks):
            if unit.claim is not None:
                yield stream, unit


def _errors(units: list[Unit], stream: RawStream, validator) -> list[list[tuple[str, str]]]:
    """(segment, code) of every error pyx12 reports on each claim's own segments."""
    out = io.BytesIO()
    writer = _Writer(out, stream)
    spans = []
    for unit in units:
        writer.add(unit)
        spans.append(writer.last_claim)
    writer.finish()
    found: list[list[tuple[str, str]]] = [[] for _ in units]
    for err in validator(out.getvalue()):
        ordinal = getattr(err, "ordinal", None)
        for k, (first, last) in enumerate(spans):
            if ordinal and first <= ordinal <= last:
                found[k].append((err.segment, err.code))
                break
    return found


def _delimiters(stream: RawStream) -> SimpleNamespace:
    """What :class:`gate._Writer` reads of a stream, as it stands now (picklable, for a worker)."""
    return SimpleNamespace(
        element=stream.element,
        terminator=stream.terminator,
        line_end=stream.line_end,
        drop_breaks=stream.drop_breaks,
    )


def _suspects(batch: list[tuple[int, Unit]], stream, validator) -> list[tuple[int, str, list]]:
    """(position, claim id, errors) of each claim of one batch that pyx12 finds errors in."""
    found = _errors([unit for _, unit in batch], stream, validator)
    gc.collect()  # pyx12's parse leaves cyclic garbage, and the CLI collects old objects rarely
    return [(k, unit.claim_id, errors) for (k, unit), errors in zip(batch, found, strict=True) if errors]


def _batches(path: str, wanted, size: int) -> Iterator[tuple[list, SimpleNamespace]]:
    """The claims of ``path`` that ``wanted(position, claim id)`` asks for, ``size`` at a time:
    ((position, unit), ...) with the stream's delimiters as they stand when the batch is complete."""
    batch: list[tuple[int, Unit]] = []
    stream = None
    for k, (stream, unit) in enumerate(_claims(path)):
        if wanted(k, unit.claim_id):
            batch.append((k, unit))
            if len(batch) >= size:
                done, batch = batch, []  # the consumer's alone: it may drop it once pickled
                yield done, _delimiters(stream)
    if batch:
        yield batch, _delimiters(stream)


_VALIDATOR = None  # the judge's validator, for the forked workers


def _work(job: bytes) -> list[tuple[int, str, list]]:
    return _suspects(*pickle.loads(job), _VALIDATOR)


def _packed(jobs: Iterator) -> Iterator[bytes]:
    """Each batch pickled at once for a worker: its units share their envelope segments, which
    the pickle holds once (a tenth of the objects' size), so the batches in flight cost little
    here; the batch itself is let go before it waits for a worker."""
    for job in jobs:
        packed = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        del job
        yield packed


def _batch_size(claims: int, jobs: int) -> int:
    """Claims per validated interchange: a few batches per worker, so the workers start while the
    file is still being cut and finish together (a call costs little more than its claims now
    that the maps are loaded once), at most BATCH."""
    return max(MIN_BATCH, min(BATCH, -(-claims // (4 * max(1, jobs)))))


def _run(batches: Iterator, validator, pool, jobs: int, cancel=None) -> list[tuple[int, str, list]]:
    """``_suspects`` of every batch, in order: in ``pool`` (of ``jobs`` processes) when given,
    until ``cancel`` is set."""
    if pool is None:
        return [found for batch, stream in batches for found in _suspects(batch, stream, validator)]
    answers = parallel.ordered(pool, _work, _packed(batches), jobs + 1, cancel)
    return [found for part in answers for found in part]


def _in_batches(units: list[tuple[int, Unit]], stream: SimpleNamespace, size: int) -> Iterator:
    for i in range(0, len(units), size):
        yield units[i : i + size], stream


class Judgement:
    """pyx12's judgement of changed claims against the input ``original``: (position, claim id) of
    each claim that the correction makes worse, in file order.

    Every changed claim is validated as corrected; only those pyx12 finds errors in (suspects) are
    then validated as the input had them, so the input is walked only when there are suspects.

    ``start(fixed, changed)`` judges the claims ``changed`` of the file ``fixed``: with ``jobs`` > 1
    and more than MIN_BATCH of them, in that many forked worker processes (a batch each and one
    waiting: the batches are cut as the file is walked), fed from a thread so that the caller goes
    on while pyx12 works.  The pool is forked before the thread starts and the thread never runs
    pyx12 itself (only the workers do), so a fork made while it runs copies no lock pyx12 needs.
    ``answer()`` waits for it; ``units(...)`` judges claims handed over as units, in the same
    workers when there are any; ``close()`` stops them (a judgement still running is cancelled:
    no batch is handed over any more, and the thread is waited for, a few seconds at most, before
    the workers are terminated).  Same answers with or without workers."""

    WAIT = 3.0  # seconds close() waits for a cancelled judgement's thread (its batches in flight)

    def __init__(self, original: str, validator, jobs: int = 1):
        self.original, self.validator, self.jobs = original, validator, jobs
        self._answer: list[tuple[int, str]] = []
        self._error: BaseException | None = None
        self._pool = self._thread = None
        self._cancel = threading.Event()

    def start(self, fixed: str, changed: frozenset) -> None:
        global _VALIDATOR
        if not isinstance(changed, frozenset):  # (the thread must not see it change)
            changed = frozenset(changed)
        size = _batch_size(len(changed), self.jobs)
        after = _batches(fixed, lambda _, cid: cid in changed, size)
        if self.jobs < 2 or len(changed) <= MIN_BATCH:
            self._answer = self._judge(after)
            return
        _VALIDATOR = self.validator
        self._pool = parallel._ProcessPool(processes=self.jobs, context=multiprocessing.get_context("fork"))
        self._thread = threading.Thread(target=self._background, args=(after,), daemon=True)
        self._thread.start()

    def _background(self, after: Iterator) -> None:
        try:
            self._answer = self._judge(after)
        except BaseException as exc:  # noqa: BLE001 - raised in the caller by answer()
            self._error = exc

    def _judge(self, after: Iterator) -> list[tuple[int, str]]:
        pool, jobs, cancel = self._pool, self.jobs, self._cancel
        found = _run(after, self.validator, pool, jobs, cancel)
        if not found or cancel.is_set():
            return []
        now = {k for k, _, _ in found}
        was = _batches(self.original, lambda k, _: k in now, _batch_size(len(now), jobs))
        before = {k: errors for k, _, errors in _run(was, self.validator, pool, jobs, cancel)}
        worse = []
        for k, cid, errors in found:
            old = before.get(k, [])
            if sorted(errors) != sorted(old) and len(errors) >= len(old):
                worse.append((k, cid))
        return worse

    def answer(self) -> list[tuple[int, str]]:
        """The judgement ``start`` began (the workers stay, for ``units``)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            self.close()
            raise self._error
        return self._answer

    def units(self, units: list[tuple[int, Unit]], stream: SimpleNamespace) -> list[tuple[int, str]]:
        """The judgement of claims given as (position, unit) with their file's delimiters."""
        size = _batch_size(len(units), self.jobs if self._pool is not None else 1)
        return self._judge(_in_batches(units, stream, size))

    def close(self) -> None:
        global _VALIDATOR
        if self._thread is not None:  # still judging: no more batches, then the workers go
            self._cancel.set()
            self._thread.join(self.WAIT)
            self._thread = None
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
            _VALIDATOR = None


def _worse(original: str, fixed: str, changed: set, validator, jobs: int = 1) -> list[tuple[int, str]]:
    """(position, claim id) of each changed claim of ``fixed`` that the correction makes worse."""
    judgement = Judgement(original, validator, jobs)
    try:
        judgement.start(fixed, changed)
        return judgement.answer()
    finally:
        judgement.close()


def keep_what_validates(
    original: str, fixed: str, name: str, outcome: Outcome, temps: Temps, worse: list[tuple[int, str]]
) -> str:
    """Revert the changed claims ``worse`` names (``Judgement``: their fixes add an
    implementation-guide error the input did not have): the path of the new file, which the
    caller checks."""
    # one pass over the audit trail: the reverted claims' changes come out, claim by claim in the
    # order they were judged worse, each claim's in audit-trail order
    reverted: dict[str, list[Change]] = {cid: [] for _, cid in worse}
    kept = Spool()
    for change in outcome.changes:
        if change.claim_id in reverted:
            reverted[change.claim_id].append(change)
        else:
            kept.append(change)
    outcome.changes = kept
    for changes in reverted.values():
        for change in changes:
            outcome.skipped.append(
                Skipped(
                    _pseudo_finding(change, name),
                    "pyx12 reports an implementation-guide error this change would add",
                )
            )
    positions = {k for k, _ in worse}
    target = temps.new()
    recounted: list[Change] = []
    originals = _claims(original)
    handle, stream = open_stream(fixed)
    with handle, open(target, "wb") as out:
        out.write(stream.prefix.encode("utf-8", errors="surrogateescape"))
        counter = Recount(stream.element, stream.drop_breaks, recounted)
        written = k = 0
        for unit in Walker(stream, stream.element, stream.drop_breaks):
            segments = unit.segments
            if unit.claim is not None:
                _, source = next(originals)
                if k in positions:
                    kept = [RawSeg(s.text, s.after) for s in source.claim_segments]
                    segments = segments[: unit.claim] + kept
                k += 1
            for i, seg in enumerate(segments, written):
                counter.see(i, seg)
            write_segments(out, segments)
            written += len(segments)
    originals.close()
    outcome.changes += recounted
    return target
