"""Apply Fix records to an 837 and re-check, up to a small number of passes.

Edits only describe fixes (scrubber/findings.py ``Fix``); the fixer applies them to the raw
segments (scrubber/fixapply.py), so untouched segments stay byte-identical and changed ones keep
the source's delimiters and line endings.  After the edits' own changes it keeps the claim
consistent: a line whose units change has its charge scaled by its per-unit charge, LX numbers
are renumbered when a line is removed, CLM02 is recomputed as the sum of the line charges, and
SE01 / GE01 / IEA01 are recounted.  A stale fix (the element no longer holds what the edit saw)
or a second fix of the same element is skipped and reported.

Every pass streams: the file is checked as ``scrub check`` does (same reader, same parallel
batching), then walked claim by claim (scrubber/stream.py) into a new temporary file, each claim
fixed with the findings that point into it; memory does not grow with the file.

An optional ``validator`` (pyx12's implementation-guide validation, scrubber/validate.py) judges
the changed claims only, in small interchanges built around them (scrubber/fixjudge.py): a claim
whose changes make pyx12 report an error the input did not have keeps its original segments, and
its fixes are reported as skipped.
"""

from __future__ import annotations

import difflib
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .findings import Finding, Fix
from .fixapply import CLAIM_END, Change, Recount, Skipped, WindowPass, recount
from .gate import scrub_path
from .pipeline import Engine, Result, Spool
from .rawfile import RawFile
from .stream import RawStream, Unit, Walker

__all__ = [
    "AuditTrail",
    "Change",
    "Outcome",
    "Skipped",
    "Temps",
    "claim_diff",
    "fix_data",
    "fix_file",
    "recount",
]

MAX_PASSES = 3


@dataclass
class Outcome:
    data: bytes = b""  # fix_data only: the corrected file in memory
    changes: Spool = field(default_factory=Spool)  # the audit trail, in order (spooled past 1,000)
    skipped: list[Skipped] = field(default_factory=list)
    passes: int = 0
    result: Result | None = None  # the re-check of the written data
    path: str | None = None  # fix_file: where the corrected file is (the input when unchanged)


class AuditTrail:
    """The report's view of an audit trail: each change as a dict (``Change.as_dict``), made as
    it is read, so the report writers stream a spooled trail; ``len()``, true when not empty."""

    def __init__(self, changes: Spool):
        self._changes = changes

    def __iter__(self) -> Iterator[dict]:
        return (c.as_dict() for c in self._changes)

    def __len__(self) -> int:
        return len(self._changes)


class _Feed:
    """The findings of a check whose fixes a pass tries (``_applies``), in the order it emitted
    them (claim by claim, in file order), handed out by the window that holds their target segment."""

    def __init__(self, findings, unsafe: bool):
        self._it = (f for f in findings if _applies(f, unsafe))
        self._head: Finding | None = None

    def take(self, start: int, end: int) -> tuple[list[Finding], list[Finding]]:
        """(findings whose target index is in [start, end), those before ``start``)."""
        mine: list[Finding] = []
        late: list[Finding] = []
        while True:
            if self._head is None:
                self._head = next(self._it, None)
                if self._head is None:
                    break
            ordinal = self._head.fix.loc.ordinal if self._head.fix.loc is not None else None
            index = ordinal - 1 if isinstance(ordinal, int) else -1
            if index >= end:
                break
            (mine if index >= start else late).append(self._head)
            self._head = None
        return mine, late


@dataclass
class _PassLog:
    """One pass's changes: the edits' (spooled, as they grow with the file), the deleted lines,
    the fixer's own settling (spooled) and the envelope recounts."""

    changes: Spool = field(default_factory=Spool)
    deletes: list[tuple[int, Change]] = field(default_factory=list)
    settled: Spool = field(default_factory=Spool)
    recounted: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # with ``keep``: each changed claim as the pass wrote it, (position, unit), and the delimiters
    units: list[tuple[int, Unit]] = field(default_factory=list)
    stream: object = None

    def all_changes(self) -> Iterator[Change]:
        deletes = [c for _, c in sorted(self.deletes, key=lambda d: -d[0])]
        return itertools.chain(self.changes, deletes, self.settled, self.recounted)


def write_segments(out: BinaryIO, segments) -> None:
    out.write("".join(s.text + s.after for s in segments).encode("utf-8", errors="surrogateescape"))


def _one_pass(src: str, dst: str, findings, unsafe: bool, keep: bool = False) -> _PassLog:
    """Stream ``src`` to ``dst`` window by window, fixing what ``findings`` (the check of ``src``)
    describe, settling each touched claim and recounting the envelope; with ``keep``, the changed
    claims are kept in ``log.units`` (for the judge)."""
    from .fixjudge import _delimiters

    log = _PassLog()
    feed = _Feed(findings, unsafe)
    with open(src, "rb") as fh, open(dst, "wb") as out:
        stream = RawStream(fh)
        out.write(stream.prefix.encode("utf-8", errors="surrogateescape"))
        counter = Recount(stream.element, stream.drop_breaks, log.recounted)
        written = 0
        position = -1
        for unit in Walker(stream, stream.element, stream.drop_breaks):
            position += unit.claim is not None
            mine, late = feed.take(unit.base, unit.end)
            for finding in late:
                log.skipped.append(Skipped(finding, "its target segment lies before the claim it belongs to"))
            segments = unit.segments
            # the segments the envelope counts can change: a claim's own (CLM on) are never one
            counted = segments if unit.claim is None else segments[: unit.claim]
            if mine:
                window = RawFile(
                    "", segments, stream.element, stream.component, stream.terminator, stream.line_end
                )
                step = WindowPass(window, unsafe, unit.base, written)
                step.apply(mine)
                log.skipped += step.skipped
                if step.changes or step.deletes:
                    step.settle_claims()
                log.changes += step.changes
                log.deletes += step.deletes
                log.settled += step.settled
                segments = counted = window.segments
                if keep and unit.claim is not None and (step.changes or step.deletes or step.settled):
                    clm = next((i for i in range(len(segments)) if window.seg_id(i) == "CLM"), None)
                    if clm is not None:
                        log.units.append(
                            (position, Unit(unit.base, segments, clm, unit.context, unit.claim_id))
                        )
            for i, seg in enumerate(counted, written):
                counter.see(i, seg)
            write_segments(out, segments)
            written += len(segments)
        log.stream = _delimiters(stream)
    return log


class Temps:
    """Temporary files beside the output (so the last one can be renamed over it)."""

    def __init__(self, folder: str | None, stem: str = "fix"):
        self.folder = folder
        self.stem = stem
        self.paths: list[str] = []

    def new(self) -> str:
        fd, path = tempfile.mkstemp(prefix=f".{self.stem}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        self.paths.append(path)
        return path

    def drop(self, path: str) -> None:
        if path in self.paths:
            self.paths.remove(path)
            Path(path).unlink(missing_ok=True)

    def clear(self, keep: str | None = None) -> None:
        for path in list(self.paths):
            if path != keep:
                self.drop(path)


def fix_file(
    path: str,
    name: str,
    engine: Engine,
    *,
    unsafe: bool = False,
    max_passes: int = MAX_PASSES,
    validator: Callable[[bytes], list] | None = None,
    temps: Temps | None = None,
) -> Outcome:
    """Fix the file at ``path`` with the findings ``engine`` reports, re-checking each pass.

    Every pass streams the file (scrubber/stream.py) into a new temporary file from ``temps``;
    ``outcome.path`` is the corrected file (``path`` itself when nothing changed), the caller's
    to move or remove.  With a ``validator`` the changed claims are judged (scrubber/fixjudge.py).
    """
    from .fixjudge import keep_what_validates

    temps = temps or Temps(None)
    outcome = Outcome()
    current = path
    record = engine.times
    seeker = _seeker(engine)
    engine.prepare(path)  # its workers forked now, before the judge's thread runs
    result = scrub_path(seeker, path, name)
    judge = _Judge(path, validator, engine.jobs, temps)
    try:
        for _ in range(max_passes if not result.unreadable else 0):
            if not any(_applies(f, unsafe) for f in result.findings):
                break
            new = temps.new()
            log = _one_pass(current, new, result.findings, unsafe, keep=judge.keeps())
            outcome.skipped += log.skipped
            if not (log.changes or log.deletes):
                temps.drop(new)
                break
            # only a claim this pass changed can have a fix left to apply: the others' findings
            # are the ones this pass saw, their fixes applied nowhere (unsafe, stale, clashing)
            changed = _record(log, outcome)
            outcome.passes += 1
            if engine.times.rows:  # the record's rows follow the renumbered lines (CLM01 + LX01)
                moves = _line_moves(
                    RawFile.parse(Path(current).read_bytes()),
                    RawFile.parse(Path(new).read_bytes()),
                    log.all_changes(),
                )
                engine.times = seeker.times = engine.times.renumbered(moves)
                engine.close()  # their workers were forked with the record as it stood: fork anew
                seeker.close()
                engine.prepare(new)  # (before the judge's thread, when this is the first pass)
            judge.passed(new, changed, log)
            log = None  # let go before the re-check (its changes are in the audit trail now)
            judge.drop(current)
            current = new
            result = scrub_path(seeker, current, name, only=changed)
        seeker.close()
        result = scrub_path(engine, current, name)  # the report's (while the first judge goes on)
        worse = judge.worse(current)
        if worse:
            current = keep_what_validates(path, current, name, outcome, temps, worse)
            result = scrub_path(engine, current, name)
    except BaseException:
        judge.close()
        seeker.close()
        temps.clear()
        raise
    finally:
        if engine.times is not record:
            engine.times = record
            engine.close()
    outcome.path, outcome.result = current, result
    return outcome


def _record(log: _PassLog, outcome: Outcome) -> frozenset[str]:
    """Add the pass's changes to the outcome's audit trail: the claims (CLM01) they changed."""
    ids: set[str] = set()
    for change in log.all_changes():
        outcome.changes.append(change)
        if change.claim_id is not None:
            ids.add(change.claim_id)
    return frozenset(ids)


def _seeker(engine: Engine) -> Engine:
    """An engine with only ``engine``'s edits that can propose a fix (``Edit.fix``, which
    tests/test_fix_only.py holds to every finding with a fix): the checks before and between the
    passes look for fixes to apply, and the other edits' findings change nothing there.  It has
    ``engine``'s settings and waivers (a waived finding's fix is not applied), no pyx12 stage and no
    per-claim report data; the report's check of the file the passes end with is ``engine``'s."""
    from dataclasses import replace

    edits = [e for e in (*engine.claim_edits, *engine.line_edits, *engine.batch_edits) if e.fix]
    seeker = Engine(replace(engine.config, validate=False), engine.times, edits=edits)
    seeker.prefilter = engine.prefilter
    return seeker


class _Judge:
    """pyx12's judgement of the changed claims for :func:`fix_file` (scrubber/fixjudge.py).

    The first pass changes nearly every claim that will change, and a later pass changes only
    claims the pass before it changed (only those are re-checked): so the first pass's claims are
    judged as that pass wrote them, while the fixer goes on (in worker processes: ``Judgement``),
    and the later passes' claims, as the last pass that changed each left it (kept by the pass,
    up to KEEP_CLAIMS of them; past that, read from the last file), at the end, replacing the
    first judgement of those claims.  The first pass's file is kept until it has been walked.
    Without a validator it judges nothing."""

    def __init__(self, original: str, validator, jobs: int, temps: Temps):
        self.original, self.validator, self.temps = original, validator, temps
        from .fixjudge import Judgement  # (fixjudge imports this module)

        self.judgement = None if validator is None else Judgement(original, validator, jobs)
        self.first: str | None = None  # the first pass's file
        self.later: set[str] = set()  # claims changed by a later pass
        self.units: dict[int, Unit] = {}  # position -> the later passes' claims, as last changed
        self.stream = None
        self.overflow = False  # more than KEEP_CLAIMS of them: read from the last file instead

    def keeps(self) -> bool:
        """Whether the coming pass is to keep the claims it changes."""
        return self.first is not None and not self.overflow

    def passed(self, path: str, changed: frozenset[str], log: _PassLog) -> None:
        if self.judgement is None:
            return
        if self.first is None:
            self.first = path
            self.judgement.start(path, changed)
            return
        self.later |= changed
        self.units.update(log.units)
        self.stream = log.stream
        kept = {unit.claim_id for _, unit in log.units}
        if len(self.units) > KEEP_CLAIMS or not changed <= kept:  # (a claim it could not keep)
            self.overflow, self.units = True, {}

    def drop(self, path: str) -> None:
        if path != self.first and path != self.original:
            self.temps.drop(path)

    def worse(self, final: str) -> list[tuple[int, str]]:
        """(position, claim id) of each changed claim that its changes make worse, in file order."""
        if self.first is None:
            return []
        try:
            first = [w for w in self.judgement.answer() if w[1] not in self.later]
            if self.first != final:
                self.temps.drop(self.first)
            later: list[tuple[int, str]] = []
            if self.overflow:
                self.judgement.close()
                from .fixjudge import _worse

                later = _worse(self.original, final, self.later, self.validator, self.judgement.jobs)
            elif self.units:
                later = self.judgement.units(sorted(self.units.items()), self.stream)
        finally:
            self.judgement.close()
        return sorted(first + later)

    def close(self) -> None:
        if self.judgement is not None:
            self.judgement.close()


KEEP_CLAIMS = 2000  # later passes' changed claims kept in memory for the judge, at most


def _applies(finding: Finding, unsafe: bool) -> bool:
    """Whether a pass would try the finding's fix (a safe one, or any with ``unsafe``)."""
    fix = finding.fix
    return fix is not None and finding.suppressed_by is None and (unsafe or fix.safety == "safe")


def fix_data(data: bytes, name: str, engine: Engine, **options) -> Outcome:
    """:func:`fix_file` (with its keyword ``options``) on bytes held in memory; ``outcome.data``
    is the corrected file."""
    with tempfile.TemporaryDirectory(prefix="scrub-fix-") as tmp:
        source = os.path.join(tmp, "input.x12")
        Path(source).write_bytes(data)
        outcome = fix_file(source, name, engine, temps=Temps(tmp), **options)
        outcome.data = Path(outcome.path).read_bytes()
        outcome.path = None
    return outcome


def _line_labels(raw: RawFile) -> dict[str, list[str]]:
    """Claim id -> the LX01 of its service lines, in file order."""
    out: dict[str, list[str]] = {}
    claim = None
    for i in range(len(raw.segments)):
        sid = raw.seg_id(i)
        if sid == "CLM":
            claim = raw.elements(i)[1] if len(raw.elements(i)) > 1 else ""
            out.setdefault(claim, [])
        elif sid in CLAIM_END:
            claim = None
        elif sid == "LX" and claim is not None:
            out[claim].append(raw.elements(i)[1] if len(raw.elements(i)) > 1 else "")
    return out


def _line_moves(
    before: RawFile, after: RawFile, changes: Iterable[Change]
) -> dict[tuple[str, str], str | None]:
    """(claim id, LX01 before the pass) -> LX01 after it, None for a removed line."""
    removed = {(c.claim_id, str(c.line)) for c in changes if c.before.startswith("LX") and c.after == ""}
    now = _line_labels(after)
    moves: dict[tuple[str, str], str | None] = {}
    for claim, labels in _line_labels(before).items():
        kept = [n for n in labels if (claim, n) not in removed]
        for n in labels:
            moves[(claim, n)] = None
        for old, new in zip(kept, now.get(claim, []), strict=False):
            moves[(claim, old)] = new
    return {k: v for k, v in moves.items() if v != k[1]}


def _pseudo_finding(change: Change, name: str) -> Finding:
    from .findings import Severity

    return Finding(
        change.edit,
        "",
        "engine",
        Severity.INFO,
        change.title,
        name,
        change.claim_id,
        change.line,
        None,
        change.before,
        change.after,
        Fix("set", None, change.after, change.before, "safe", change.title),
    )


def claim_diff(original: bytes, fixed: bytes, name: str) -> str:
    """Segment-level unified diff, one section per claim (and one for the envelope)."""
    a, b = RawFile.parse(original), RawFile.parse(fixed)

    def sections(raw: RawFile) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        owner = "(envelope)"
        for i in range(len(raw.segments)):
            sid = raw.seg_id(i)
            if sid == "CLM":
                owner = f"claim {raw.elements(i)[1]}"
            elif sid in CLAIM_END:
                owner = "(envelope)"
            out.setdefault(owner, []).append(raw.segments[i].text)
        return out

    left, right = sections(a), sections(b)
    name = name.rsplit("/", 1)[-1]
    chunks = []
    for key in list(dict.fromkeys([*left, *right])):
        diff = list(
            difflib.unified_diff(
                left.get(key, []), right.get(key, []), f"a/{name} {key}", f"b/{name} {key}", lineterm="", n=2
            )
        )
        chunks += diff
    return "\n".join(chunks) + ("\n" if chunks else "")
