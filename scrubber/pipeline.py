"""scrub(sources, config) -> Result: read, build, run every selected edit, collect findings.

Each claim is checked as soon as the builder completes it and then dropped, so memory does not
grow with the number of claims; findings are spooled to a temporary file past a threshold.
An edit that raises becomes an ``engine`` finding for that claim (ENG001), never a crash.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import io
import os
import pickle
import sys
import tempfile
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO

from . import parallel, profiles
from .build837 import FileEnd, build
from .config import Config
from .findings import Finding, Hit, Severity
from .model import Claim, Loc, ServiceLine, Trailer
from .read import InputError, SegmentReader
from .registry import APPLIES_TO, Edit, catalog, select
from .tables import code_kind
from .times import AdminTimes
from .waivers import HIDDEN, Judge

# Files at least this large are split across worker processes when more than one job is allowed.
PARALLEL_MIN_BYTES = 2 << 20
ENGINE_CRASH = "ENG001"
TIMES_UNMATCHED = "INF005"
IG_ERROR = "STR012"
PROGRESS_EVERY = 1000
_UNSET = object()
NO_CONTROL = ("", "", "")  # a finding outside any transaction set: no ISA13, GS06, ST02


@dataclass
class Context:
    """What an edit may read besides the record it checks."""

    file: str
    config: Config
    times: AdminTimes
    claim: Claim | None = None
    profile: str = "commercial"
    transaction: str = ""
    cache: dict = field(default_factory=dict)  # per-claim derived views (see scrubber/admin.py)

    def once(self, key: str, compute: Callable[[], object]):
        """``compute()`` once per claim: for a view of the claim that several edits share."""
        value = self.cache.get(key, _UNSET)  # half the calls are the first (a KeyError costs 3x)
        if value is _UNSET:
            value = self.cache[key] = compute()
        return value


@dataclass
class FileResult:
    path: str
    transaction: str | None = None
    claims: int = 0
    error: str | None = None
    findings: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "transaction": self.transaction,
            "claims": self.claims,
            "error": self.error,
            "findings": dict(self.findings),
        }


class FindingSink:
    """Findings in emission order; past ``limit`` in memory they are spooled to a temp file.

    The spool is a run of pickled lists of findings.  A worker sends its batch's findings as one
    such list already pickled (``packed``), and ``add_packed`` writes it to the spool as it came,
    so the main process never unpickles and pickles them again."""

    def __init__(self, limit: int = 5000, waivable: bool = True):
        self.limit = limit
        self.waivable = waivable  # False: records that are not findings (the reports' claim rows)
        self._memory: list[Finding] = []
        self._spool = None
        self.count = 0
        self.waived = 0  # findings a waiver waived (kept, but not counted in Result.counts)

    def add(self, finding: Finding) -> None:
        if self.waivable and finding.suppressed_by is not None:
            self.waived += 1
        self.add_text(finding)

    def add_text(self, text) -> None:
        """A finding already written as its report text (``Engine.render``); its batch's waived
        count is added to ``waived`` by the caller.  (``add`` keeps a finding this way too.)"""
        self._memory.append(text)
        self.count += 1
        if len(self._memory) >= self.limit:
            self._write(self.packed())
            self._memory = []

    def packed(self) -> bytes:
        """The findings held in memory, pickled as one spool chunk (for ``add_packed``)."""
        return pickle.dumps(self._memory, protocol=pickle.HIGHEST_PROTOCOL)

    def add_packed(self, chunk: bytes, count: int, waived: int = 0) -> None:
        """Append ``count`` findings (``waived`` of them waived) that ``packed`` pickled."""
        if not count:
            return
        if self._memory:
            self._write(self.packed())
            self._memory = []
        self._write(chunk)
        self.count += count
        if self.waivable:
            self.waived += waived

    def _write(self, chunk: bytes) -> None:
        if self._spool is None:
            self._spool = tempfile.TemporaryFile()
        self._spool.seek(0, os.SEEK_END)  # an iteration left part-way must not misplace it
        self._spool.write(chunk)

    def __iter__(self) -> Iterator[Finding]:
        if self._spool is not None:
            self._spool.seek(0)
            while True:
                try:
                    batch = pickle.load(self._spool)
                except EOFError:
                    break
                yield from batch
            self._spool.seek(0, os.SEEK_END)
        yield from self._memory

    def __len__(self) -> int:
        return self.count


class Spool(FindingSink):
    """Records other than findings (a fix's audit trail) in the order they were added, held as
    :class:`FindingSink` holds findings: past ``limit`` in memory they go to a temporary file.
    Iterable again and again, ``len()``, true when not empty; ``append`` and ``extend`` as a list."""

    def __init__(self, items=(), limit: int = 1000):
        super().__init__(limit, waivable=False)
        self.extend(items)

    def append(self, item) -> None:
        self.add(item)

    def extend(self, items) -> None:
        for item in items:
            self.add(item)

    def __iadd__(self, items):
        self.extend(items)
        return self


@dataclass
class Result:
    inputs: list[str]
    started: str
    files: list[FileResult] = field(default_factory=list)
    findings: FindingSink = field(default_factory=FindingSink)
    claims: int = 0
    claims_with_errors: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    times: str | None = None  # the administration record's path, when one was given
    changes: Iterable[dict] | None = None  # scrub fix: the audit trail of every change (len() too)
    fix_skipped: list[dict] | None = None  # scrub fix: fixes not applied, with the reason
    gate: dict | None = None  # scrub gate: input / clean / held claim counts and the output files
    baseline: dict | None = None  # scrub check --baseline: file, entries, hidden, stale (baseline.py)
    # money at risk: the total charge (CLM02) of the claims with an error, overall and per category
    at_risk: dict = field(default_factory=lambda: {"charge": Decimal(0), "by_category": {}})
    # what Engine.claim_hook kept for each claim, in claim order (the HTML and XLSX reports)
    claim_rows: FindingSink = field(default_factory=lambda: FindingSink(waivable=False))

    @property
    def unreadable(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    def worst(self) -> Severity | None:
        for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO):
            if self.counts[sev.label]:
                return sev
        return None


# Files under a directory with these endings are documentation or reports, not claims.  A file
# named explicitly is always read.
NOT_CLAIMS = frozenset(
    {
        ".md",
        ".rst",
        ".csv",
        ".json",
        ".html",
        ".htm",
        ".pdf",
        ".xlsx",
        ".yaml",
        ".yml",
        ".toml",
        ".py",
        ".xml",
        ".log",
        ".999",
        ".997",
        ".ta1",
        ".gz",
        ".zip",
    }
)


def expand(paths: Iterable[str]) -> list[str]:
    """Files named, files under directories (sorted; hidden files and NOT_CLAIMS endings skipped),
    '-' for stdin."""
    out: list[str] = []
    for p in paths:
        if p == "-":
            out.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out += [
                    str(Path(root) / f)
                    for f in sorted(files)
                    if not f.startswith(".") and Path(f).suffix.lower() not in NOT_CLAIMS
                ]
        else:
            out.append(p)
    return out


class Engine:
    def __init__(
        self,
        config: Config,
        times: AdminTimes | None = None,
        edits: list[Edit] | None = None,
        baseline: frozenset | None = None,
    ):
        self.config = config
        self.judge = Judge(config.waivers, baseline)  # waivers and the baseline (scrubber/waivers.py)
        self.times = times or AdminTimes.empty()
        chosen = select(edits if edits is not None else catalog(), config.select, config.ignore)
        runnable = [e for e in chosen if e.check is not None]
        self.claim_edits = [e for e in runnable if e.scope == "claim"]
        self.line_edits = [e for e in runnable if e.scope == "line"]
        self.batch_edits = [e for e in runnable if e.scope == "batch"]
        self._batch_plan = [(e, e.check, False) for e in self.batch_edits]  # envelope records: no date
        self.by_id = {e.id: e for e in catalog()}
        self._plans: dict[tuple, list[tuple]] = {}
        self.baseline_file: str | None = None  # the --baseline path, for the report
        self.prefilter = True  # False runs every edit on every claim and line (tests compare the two)
        self._current = FileResult("")
        self._claim_errors: set[str] = set()  # categories of the current claim's error findings
        # Per-claim data for the reports that show claims (scrubber/report/claims.py): after each
        # claim's edits, ``claim_hook(result, claim, ctx, (errors, warnings, infos), error categories)``
        # adds what it wants to result.claim_rows; it runs where the claim is checked (a worker on a
        # parallel run), and ``claim_hook.merge(result, rows)`` takes a worker batch's rows;
        # ``claim_hook.begin(result)``, when it has one, is called before a parallel file's batches.
        self.claim_hook = None
        # A report's text of one finding (the JSON and CSV writers' ``text``), or None: workers then
        # hand back each batch's findings as those texts, which the writer copies as they came
        # (scrubber/parallel.py); the main process neither unpickles nor formats them.
        self.render: Callable[[Finding], str] | None = None
        # called as progress(result) every PROGRESS_EVERY claims and after each file (main process)
        self.progress: Callable | None = None
        self.want_ack = False
        self.acks: list[str] = []
        self.jobs = config.jobs if config.jobs > 0 else parallel.default_jobs()
        self._pool: parallel.Pool | None = None
        # the claim ids (CLM01) to check, None for all: the fixer's re-check of the claims a pass
        # changed (scrubber/fixer.py); the other claims are read but not checked (nor built, on a
        # file split across workers)
        self.only: frozenset[str] | None = None
        self.crash_enabled = (
            bool(select([self.by_id[ENGINE_CRASH]], config.select, config.ignore))
            if ENGINE_CRASH in self.by_id
            else False
        )

    # -- running ---------------------------------------------------------------------------------
    def scrub(self, sources: Iterable[str], stdin: BinaryIO | None = None) -> Result:
        names = expand(sources)
        result = Result(inputs=list(names), started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        result.times = self.times.source
        try:
            for name in names:
                result.files.append(self.scrub_file(name, result, stdin))
                if self.progress is not None:
                    self.progress(result)
        finally:
            self.close()
        self._unmatched_times(result)
        self._waiver_findings(result)
        return result

    def _waiver_findings(self, result: Result) -> None:
        """ENG002 / ENG003 for waivers that waived nothing or lapsed; the baseline's summary."""
        source = self.config.source or "configuration"
        self._current = FileResult(source)
        for waiver, edit_id in self.judge.unused():
            meta = self.by_id.get(edit_id)
            if meta is None or not select([meta], self.config.select, self.config.ignore):
                continue
            count = self.judge.tally.expired[waiver.number]
            fields = (("waiver", waiver.describe()), ("expires", waiver.expires), ("count", count))
            self._emit(meta, Hit(loc=None, value=waiver.edit, fields=fields), source, result, None, None)
        if self.judge.baseline is not None:
            from .baseline import summary

            result.baseline = summary(self.baseline_file or "", self.judge.baseline, self.judge.tally)

    def _unmatched_times(self, result: Result) -> None:
        """INF005: administration-record rows that no claim line used."""
        meta = self.by_id.get(TIMES_UNMATCHED)
        if meta is None or not self.times.rows or not select([meta], self.config.select, self.config.ignore):
            return
        source = self.times.source or "--times"
        self._current = FileResult(source)
        for row in self.times.rows:
            if row.row not in self.times.matched:
                h = Hit(
                    loc=None,
                    fields=(
                        ("row", row.row),
                        ("claim", row.claim_id or "(blank)"),
                        ("line_no", row.line or "(blank)"),
                    ),
                )
                self._emit(meta, h, source, result, None, None)

    def scrub_data(self, data: bytes, name: str) -> Result:
        """Scrub bytes held in memory (the fixer re-checks its output this way)."""
        result = Result(inputs=[name], started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        result.times = self.times.source
        self.times.matched.clear()
        result.files.append(self.scrub_file("-", result, io.BytesIO(data), display=name))
        self._unmatched_times(result)
        return result

    def scrub_file(
        self, name: str, result: Result, stdin: BinaryIO | None = None, display: str | None = None
    ) -> FileResult:
        shown = display or ("<stdin>" if name == "-" else name)
        info = self._current = FileResult(shown)
        kinds: set[str] = set()
        try:
            handle = (stdin or sys.stdin.buffer) if name == "-" else open(name, "rb")
        except OSError as exc:
            info.error = f"cannot open: {exc.strerror or type(exc).__name__}"
            return info
        try:
            reader = SegmentReader(handle, shown)
            size = self._parallel_for(name)
            if size:
                self._scrub_parallel(reader, shown, result, info, kinds, size)
            else:
                only = self.only
                for record in build(reader, shown):
                    if isinstance(record, Claim):
                        info.claims += 1
                        kinds.add(record.transaction)
                        if only is None or record.claim_id in only:
                            self._claim(record, result)
                    else:
                        self._batch(record, shown, result)
        except InputError as exc:
            info.error = exc.describe()
        except (OSError, UnicodeError) as exc:
            info.error = f"read error: {type(exc).__name__}"
        finally:
            if name != "-":
                handle.close()
        if self.config.validate and info.error is None and self.only is None:
            data = stdin.getvalue() if isinstance(stdin, io.BytesIO) else None
            if name != "-":
                data = Path(name).read_bytes()
            if data is not None:
                self._ig_stage(data, shown, result)
        info.transaction = "+".join(sorted(kinds)) if kinds else None
        return info

    # -- several cores for one large file (scrubber/parallel.py) -------------------------------------
    def _parallel_for(self, name: str) -> int:
        """The file's size when it is to be split across workers, else 0."""
        if self.jobs < 2 or name == "-":
            return 0
        try:
            size = os.path.getsize(name)
        except OSError:
            return 0
        return size if size >= PARALLEL_MIN_BYTES else 0

    def _scrub_parallel(
        self, reader: SegmentReader, shown: str, result: Result, info: FileResult, kinds: set[str], total: int
    ) -> None:
        """Claims are built and checked in worker processes; the envelope here.  Findings are
        merged in the order a sequential run emits them (see scrubber/parallel.py)."""
        if self._pool is None:
            self._pool = parallel.Pool(self, self.jobs)
        batcher = parallel.Batcher(reader, shown, total=total, jobs=self.jobs, only=self.only)
        envelope = Result(inputs=[], started="")
        envelope.findings.limit = 1 << 62
        waiting: deque[tuple[int, Finding]] = deque()  # the envelope records' findings, in file order
        sink = result.findings

        def take_records() -> None:
            while batcher.records:
                ordinal, record = batcher.records.popleft()
                self._batch(record, shown, envelope)
                waiting.extend((ordinal, finding) for finding in envelope.findings._memory)
                envelope.findings._memory.clear()

        def place(out: parallel.BatchResult) -> None:
            """The batch's findings, and before, among and after them the envelope findings that
            precede the next batch's: a claim's findings go before those of an envelope record
            that the same segment completes."""
            keys = out.keys
            if keys:
                while waiting and waiting[0][0] < keys[0]:
                    sink.add(waiting.popleft()[1])
                if waiting and waiting[0][0] < keys[-1]:  # some fall among them: unpack the batch
                    findings = pickle.loads(out.packed)
                    add = sink.add_text if out.rendered else sink.add
                    done = 0
                    while waiting and waiting[0][0] < keys[-1]:
                        upto = bisect.bisect_right(keys, waiting[0][0], done)
                        for finding in findings[done:upto]:
                            add(finding)
                        done = upto
                        sink.add(waiting.popleft()[1])
                    for finding in findings[done:]:
                        add(finding)
                    if out.rendered:
                        sink.waived += out.waived
                else:
                    sink.add_packed(out.packed, len(keys), out.waived)
            while waiting and waiting[0][0] <= out.last_key:
                sink.add(waiting.popleft()[1])

        begin = getattr(self.claim_hook, "begin", None)
        if begin is not None:
            begin(result)
        answers = self._pool.run(batcher)
        try:
            for out in answers:
                info.claims += out.claims
                result.claims += out.claims
                result.claims_with_errors += out.claims_with_errors
                for level, count in out.counts.items():
                    result.counts[level] += count
                    info.findings[level] += count
                kinds |= out.kinds
                self.times.matched |= out.matched
                self.judge.tally.merge(out.judged)
                merge_risk(result.at_risk, out.at_risk)
                if out.rows:
                    self.claim_hook.merge(result, out.rows)
                # every record up to this batch's last claim has been read (the batch was cut after it)
                take_records()
                place(out)
                if self.progress is not None:
                    self.progress(result)
        finally:
            answers.close()  # a raise above lets the pool's feeder go (engine.close() joins it)
        take_records()
        while waiting:
            sink.add(waiting.popleft()[1])
        for level, count in envelope.counts.items():
            result.counts[level] += count
        if batcher.error is not None:
            raise batcher.error
        if batcher.read_error is not None:
            raise batcher.read_error

    def prepare(self, name: str) -> None:
        """Fork the worker processes now if the file ``name`` is to be split across them (the fixer
        does, before it starts a thread of its own)."""
        if self._pool is None and self._parallel_for(name):
            self._pool = parallel.Pool(self, self.jobs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _ig_stage(self, data: bytes, shown: str, result: Result) -> None:
        """pyx12's implementation-guide validation: one STR012 finding per error it reports, on the
        claim that holds the segment; the 999 is kept for ``--ack``."""
        from .gate import claim_spans
        from .rawfile import RawFile
        from .validate import validate

        meta = self.by_id[IG_ERROR]
        if not select([meta], self.config.select, self.config.ignore):
            return
        checked = validate(data, want_ack=self.want_ack)
        if checked.ack:
            self.acks.append(checked.ack)
        spans = claim_spans(RawFile.parse(data))[0]
        for err in checked.errors:
            index = err.ordinal - 1 if err.ordinal else None
            span = next((sp for sp in spans if index is not None and sp.start <= index < sp.end), None)
            loc = Loc(err.ordinal, err.segment or "ISA", err.element, "") if err.ordinal else None
            h = Hit(loc=loc, value=err.code, fields=(("detail", err.message),))
            claim = SimpleNamespace(claim_id=span.claim_id, envelope=None) if span else None
            self._emit(meta, h, shown, result, claim, None)

    def _plan(self, scope: str, transaction: str, profile: str, kinds: frozenset) -> list[tuple]:
        """The (edit, check, dated) triples to run on one claim or line, in a fixed order: grouped by
        ``applies_to`` in APPLIES_TO order, catalog order within a group.  ``kinds`` are the claim's
        or line's kinds (None, a code kind, "modified", "ndc"); computed once per combination."""
        key = (scope, transaction, profile, kinds)
        plan = self._plans.get(key)
        if plan is None:
            edits = self.claim_edits if scope == "claim" else self.line_edits
            plan = [
                (e, e.check, bool(e.effective_from or e.effective_to))
                for kind in APPLIES_TO
                if kind in kinds or not self.prefilter
                for e in edits
                if e.applies_to == kind
                and transaction in e.transactions
                and (e.payers is None or profile in e.payers)
            ]
            self._plans[key] = plan
        return plan

    @staticmethod
    def _line_kinds(line: ServiceLine, day: dt.date | None) -> frozenset:
        kind = code_kind(line.code, line.date_from or day) if line.code else None
        return _kinds(kind, bool(line.modifiers), bool(line.drugs))

    def _claim(self, claim: Claim, result: Result) -> None:
        profile = profiles.profile_for(claim, self.config)
        ctx = Context(claim.file, self.config, self.times, claim, profile, claim.transaction)
        day = claim.service_date
        counts = result.counts
        errors_before, warnings_before, infos_before = counts["error"], counts["warning"], counts["info"]
        self._claim_errors = errors = set()
        transaction = claim.transaction
        line_kinds = [self._line_kinds(line, day) for line in claim.lines]
        claim_kinds = frozenset().union(*line_kinds) if line_kinds else frozenset((None,))
        self._check(self._plan("claim", transaction, profile, claim_kinds), claim, day, ctx, result, None)
        for line, kinds in zip(claim.lines, line_kinds, strict=True):
            plan = self._plan("line", transaction, profile, kinds)
            self._check(plan, line, line.date_from or day, ctx, result, line)
        result.claims += 1
        if counts["error"] > errors_before:
            result.claims_with_errors += 1
            charge = claim.charge or 0
            risk = result.at_risk
            risk["charge"] += charge
            for category in errors:
                risk["by_category"][category] = risk["by_category"].get(category, 0) + charge
        if self.claim_hook is not None:
            tally = (counts["error"] - errors_before, counts["warning"] - warnings_before)
            self.claim_hook(result, claim, ctx, (*tally, counts["info"] - infos_before), errors)
        if self.progress is not None and not result.claims % PROGRESS_EVERY:
            self.progress(result)

    def _check(
        self, plan: list, subject, day: dt.date | None, ctx: Context, result: Result, line: ServiceLine | None
    ) -> None:
        """Run a plan's edits on one claim or line; the per-edit loop of the whole run, kept lean."""
        claim = ctx.claim
        for edit, check, dated in plan:
            if dated and not edit.applies_on(day):
                continue
            try:
                hits = check(subject, ctx)
                if not hits:
                    continue
                if not isinstance(hits, list):
                    hits = list(hits)  # a generator edit that raises part-way reports only the crash
            except Exception as exc:  # noqa: BLE001 - an edit must never crash the run
                self._crash(edit, exc, ctx, result, claim, line)
                continue
            for h in hits:
                self._emit(edit, h, ctx.file, result, claim, line)

    def _batch(self, record: Trailer | FileEnd, file: str, result: Result) -> None:
        self._check(self._batch_plan, record, None, Context(file, self.config, self.times), result, None)

    def _crash(
        self,
        edit: Edit,
        exc: Exception,
        ctx: Context,
        result: Result,
        claim: Claim | None,
        line: ServiceLine | None,
    ) -> None:
        if not self.crash_enabled:
            return
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        meta = self.by_id[ENGINE_CRASH]
        # The exception text may quote claim data, so only its type and place are reported.
        h = Hit(
            loc=line.lx.at() if line else claim.ref.at() if claim else None,
            fields=(("edit", edit.id), ("error", type(exc).__name__), ("where", where)),
        )
        self._emit(meta, h, ctx.file, result, claim, line)

    def _emit(
        self, edit: Edit, h: Hit, file: str, result: Result, claim: Claim | None, line: ServiceLine | None
    ) -> None:
        number = h.line if h.line is not None else (line.number if line else None)
        severity = self.config.severity.get(edit.id, edit.severity)
        verdict = self.judge.verdict(edit.id, claim, line, number, h.value) if self.judge.active else None
        if verdict is HIDDEN:
            return
        if edit.templated:
            fields = {"value": h.value, "expected": h.expected, "line": number}
            fields.update(h.fields)  # the edit's own fields win over these three
            message = edit.render(fields)
        else:
            message = edit.message
        env = claim.envelope if claim else None
        result.findings.add(
            Finding(
                edit.id,
                edit.name,
                edit.category,
                severity,
                message,
                file,
                claim.claim_id if claim else None,
                number,
                h.loc,
                h.value,
                h.expected,
                h.fix,
                (env.isa13, env.gs06, env.st02) if env else NO_CONTROL,
                verdict,
            )
        )
        if verdict is None:  # a waived finding is reported but counts for nothing
            result.counts[severity.label] += 1
            self._current.findings[severity.label] += 1
            if severity is Severity.ERROR:
                self._claim_errors.add(edit.category)


@lru_cache(maxsize=256)
def _kinds(kind: str | None, modified: bool, ndc: bool) -> frozenset:
    """A line's kinds for the edit plans (see ``Edit.applies_to``): None (every line), its code
    kind, "modified", "ndc"."""
    kinds = [None, kind] if kind else [None]
    if modified:
        kinds.append("modified")
    if ndc:
        kinds.append("ndc")
    return frozenset(kinds)


def merge_risk(into: dict, other: dict) -> None:
    """Add one money-at-risk tally (``Result.at_risk``) to another."""
    into["charge"] += other["charge"]
    for category, charge in other["by_category"].items():
        into["by_category"][category] = into["by_category"].get(category, 0) + charge


def settle() -> None:
    """Load every reference table and the ICD-10-CM list now, then take them (and all else alive at
    start-up) out of the cyclic collector's rounds: they live for the whole run, and a collector
    that walks them on every round costs a few percent of a large scrub.  For the CLI commands."""
    parallel.warm()
    gc.freeze()


def scrub(
    sources: Iterable[str],
    config: Config | None = None,
    times: AdminTimes | None = None,
    stdin: BinaryIO | None = None,
) -> Result:
    return Engine(config or Config(), times).scrub(sources, stdin)


def blocking(finding: Finding, threshold: Severity) -> bool:
    """Whether a finding counts against a claim at ``threshold`` (the gate's held decision): at or
    above it and not waived."""
    return finding.suppressed_by is None and finding.severity >= threshold


def exit_code(result: Result, fail_on: str) -> int:
    if result.unreadable:
        return 2
    worst = result.worst()
    if fail_on == "never" or worst is None:
        return 0
    threshold = Severity.parse(fail_on)
    return 1 if worst >= threshold else 0
