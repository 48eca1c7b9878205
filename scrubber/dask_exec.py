"""``scrub check --executor dask``: the per-file and per-batch work on a Dask cluster.

A file is read here and sent whole, one task per file (at most ``2 × workers`` files ahead), when
it is smaller than ``pipeline.PARALLEL_MIN_BYTES``, or when the run has at least as many files as
the cluster has worker threads and the file is at most ``WHOLE_FILE_MAX_BYTES``: the workers then
take files side by side.  Any other file is cut into batches of claims here exactly as
``scrubber/parallel.py`` cuts them for local worker processes, one task per batch.  Results are
merged in input order and, within a file, in the order a sequential run emits them, so the report
is the one a local run writes.  Workers never open the input files.  A file's bytes or a batch are
scattered to a worker and the task refers to them: a task that carried them itself would keep them
in the scheduler's memory for the rest of the run.

What travels to the workers, once per run (scattered): the configuration (with its waivers and the
baseline keys) and the administration record.  The reference tables do not travel: each worker reads
``edits/data`` from its own installed copy of the package, and refuses to run when its tool version
or table releases and checksums differ from the client's.

Needs ``dask[distributed]`` (``pip install 'infusion-scrubber[dask]'``), on the workers too.
"""

from __future__ import annotations

import copy
import io
import logging
import threading
import uuid
from collections import deque
from dataclasses import dataclass

from . import __version__, parallel, tables
from .config import Config
from .pipeline import Engine, FileResult, Result, expand, merge_risk
from .times import AdminTimes

INSTALL = "pip install 'infusion-scrubber[dask]'"
WHOLE_FILE_MAX_BYTES = 32 << 20  # larger files always go in batches: one worker would hold them up
CONNECT_TIMEOUT = "10s"


class ExecutorError(Exception):
    """The Dask executor cannot run; ``str()`` is one line (a usage error, exit 2)."""


def distributed():
    """The ``distributed`` module, or ExecutorError saying how to install it."""
    try:
        import distributed as module
    except ImportError:
        raise ExecutorError(f"--executor dask needs dask[distributed] (not installed): {INSTALL}") from None
    return module


def fingerprint() -> dict:
    """Tool version, table releases and checksums: what every worker must share with the client."""
    sums = {name: str(meta.get("sha256", "")) for name, meta in tables.read_manifest().items()}
    return {"version": __version__, "releases": tables.releases(), "sha256": sums}


@dataclass
class Payload:
    token: str  # one per run: worker engines are cached under it
    config: Config
    times: AdminTimes
    baseline: frozenset | None
    want_ack: bool
    fingerprint: dict
    claim_hook: object = None  # the HTML/XLSX reports' per-claim collector (Engine.claim_hook)


_ENGINES: dict[tuple[str, int], Engine] = {}  # on a worker: (run token, thread) -> its engine


def _engine(payload: Payload) -> Engine:
    """This worker thread's engine for the run (a Dask worker may run tasks on several threads,
    and an engine keeps per-claim state)."""
    key = (payload.token, threading.get_ident())
    engine = _ENGINES.get(key)
    if engine is None:
        if fingerprint() != payload.fingerprint:
            raise ExecutorError(
                f"a Dask worker has infusion-scrubber {__version__} with other reference tables than "
                "the client: install the same version on every worker"
            )
        if len(_ENGINES) > 64:
            _ENGINES.clear()
        config = copy.copy(payload.config)
        config.jobs = 1  # no process pools inside a worker
        times = copy.copy(payload.times)
        times.matched = set()
        engine = Engine(config, times, baseline=payload.baseline)
        engine.want_ack = payload.want_ack
        engine.claim_hook = copy.copy(payload.claim_hook)
        parallel.warm()
        _ENGINES[key] = engine
    return engine


def _file_task(payload: Payload, name: str, data: bytes) -> tuple:
    """Worker: scrub one whole file sent as bytes."""
    engine = _engine(payload)
    engine.times.matched.clear()
    engine.judge.take()
    engine.acks.clear()
    result = Result(inputs=[], started="")
    result.findings.limit = 1 << 62  # the findings go back with the result: never spool
    info = engine.scrub_file("-", result, io.BytesIO(data), display=name)
    counts = (result.claims, result.claims_with_errors, dict(result.counts))
    extra = (result.at_risk, list(result.claim_rows))
    return (
        info,
        list(result.findings),
        counts,
        set(engine.times.matched),
        engine.judge.take(),
        engine.acks[:],
        extra,
    )


def _batch_task(payload: Payload, job: parallel.Job) -> parallel.BatchResult:
    """Worker: one batch of a large file (scrubber/parallel.py)."""
    return parallel._work(job, _engine(payload))


def outcome(future):
    """A task's result; a worker or cluster failure becomes one line (ExecutorError, exit 2)."""
    try:
        return future.result()
    except ExecutorError:
        raise
    except Exception as exc:  # noqa: BLE001 - a lost worker, a closed connection, a task that failed
        raise ExecutorError(f"the Dask cluster failed to run a task ({type(exc).__name__})") from None


class DaskPool:
    """parallel.Pool's interface on a Dask client: batch results in file order, at most
    ``2 × workers`` batches in flight."""

    def __init__(self, client, payload, workers: int):
        self.client, self.payload, self.workers = client, payload, workers

    def run(self, batcher: parallel.Batcher):
        window: deque = deque()
        for job in batcher.batches():
            data = self.client.scatter(job, hash=False)
            window.append(self.client.submit(_batch_task, self.payload, data, pure=False))
            if len(window) >= 2 * self.workers:
                yield outcome(window.popleft())
        while window:
            yield outcome(window.popleft())

    def close(self) -> None:
        pass


class DaskEngine(Engine):
    """An Engine whose files and batches run on a Dask cluster: the one at ``scheduler``, the
    ``cluster`` given, or a LocalCluster of ``config.jobs`` single-threaded worker processes
    started for the run."""

    def __init__(
        self,
        config: Config,
        times: AdminTimes | None = None,
        baseline: frozenset | None = None,
        scheduler: str | None = None,
        cluster=None,
    ):
        super().__init__(config, times, baseline=baseline)
        module = distributed()
        self._own_cluster = None
        try:
            if scheduler is None and cluster is None:
                cluster = self._own_cluster = module.LocalCluster(
                    n_workers=self.jobs,
                    threads_per_worker=1,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            target = scheduler if scheduler is not None else cluster
            self.client = module.Client(target, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, RuntimeError) as exc:  # RuntimeError: a worker did not start
            self.close()
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise ExecutorError(f"cannot reach {where} ({type(exc).__name__})") from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.jobs = max(2, self.workers)  # every large file is split into batches for the cluster
        self._ahead: deque = deque()  # (name, future or None) for the files after the current one
        self._names: deque = deque()

    def scrub(self, sources, stdin=None) -> Result:
        names = expand(sources)
        payload = Payload(
            uuid.uuid4().hex,
            self.config,
            self.times,
            self.judge.baseline,
            self.want_ack,
            fingerprint(),
            self.claim_hook,
        )
        self._payload = self.client.scatter(payload, broadcast=True, hash=False)
        self._pool = DaskPool(self.client, self._payload, self.workers)
        self._names = deque(names)
        self._side_by_side = len(names) >= self.workers
        self._ahead.clear()
        self._fill()
        return super().scrub(names, stdin)

    def _fill(self) -> None:
        """Send the next small files (at most 2 × workers ahead) to the cluster."""
        while self._names and sum(1 for _, f in self._ahead if f is not None) < 2 * self.workers:
            name = self._names.popleft()
            future = None
            if name != "-" and self._whole(name):
                try:
                    with open(name, "rb") as fh:
                        data = fh.read()
                except OSError:
                    data = None  # scrubbed here, which reports why it cannot be opened
                if data is not None:
                    data = self.client.scatter(data, hash=False)
                    future = self.client.submit(_file_task, self._payload, name, data, pure=False)
            self._ahead.append((name, future))

    def _whole(self, name: str) -> bool:
        """Whether a file goes to one worker whole (else in batches, or here when it cannot be read)."""
        size = self._parallel_for(name)
        return not size or (self._side_by_side and size <= WHOLE_FILE_MAX_BYTES)

    def scrub_file(self, name, result, stdin=None, display=None) -> FileResult:
        if display is not None or not self._ahead or self._ahead[0][0] != name:
            return super().scrub_file(name, result, stdin, display)
        _, future = self._ahead.popleft()
        self._fill()
        if future is None:  # a large file (batches on the cluster), stdin or a file not opened
            return super().scrub_file(name, result, stdin, display)
        info, findings, (claims, with_errors, counts), matched, tally, acks, (risk, rows) = outcome(future)
        for finding in findings:
            result.findings.add(finding)
        result.claims += claims
        result.claims_with_errors += with_errors
        for level, count in counts.items():
            result.counts[level] += count
        self.times.matched |= matched
        self.judge.tally.merge(tally)
        self.acks += acks
        merge_risk(result.at_risk, risk)
        if rows:
            self.claim_hook.merge(result, rows)
        return info

    def close(self) -> None:
        self._pool = None
        for _, future in getattr(self, "_ahead", ()):
            if future is not None:
                future.cancel()
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
            self.client = None
        if self._own_cluster is not None:
            self._own_cluster.close()
            self._own_cluster = None
