"""The clearinghouse gate: split an 837's claims into a clean and a held interchange.

A claim is held when it has a finding at or above the threshold, or when its transaction set has
one (an envelope finding that rebuilding the envelope does not cure: a broken HL chain, a file cut
short, ...).  Control-number and count findings (STR001-STR006) are cured by the rebuild, since
every output envelope is written anew: each claim travels with its interchange, group and
transaction headers (control numbers kept), its billing-provider, subscriber and patient loops,
HL ids renumbered with their parents and child codes, and SE01 / GE01 / IEA01 counted.  Every
input claim lands in exactly one output, or the file is refused.

The file is streamed three times, never held: ``check`` (the same reader and parallel batching as
``scrub check``), a walk that places each finding on its claim or transaction set, and a walk that
writes each claim to its output as it comes (scrubber/stream.py).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections import deque
from dataclasses import dataclass
from typing import BinaryIO

from .findings import Severity
from .pipeline import Engine, Result, blocking
from .rawfile import RawFile
from .read import InputError, SegmentReader
from .stream import RawStream, Unit, Walker, clean_text

CURED_BY_REBUILD = frozenset({"STR001", "STR002", "STR003", "STR004", "STR005", "STR006", "STR011"})


@dataclass
class ClaimSpan:
    start: int
    end: int
    claim_id: str


@dataclass
class Outcome:
    claims: int
    clean_claims: int
    held_claims: int
    result: Result | None = None
    clean: bytes = b""  # gate_data only: the outputs in memory
    held: bytes = b""


def claim_spans(raw: RawFile) -> tuple[list[ClaimSpan], dict[int, tuple[int, int]]]:
    """Every claim's [start, end) index range, and every ST's [start, end] index range."""
    walker = Walker(raw.segments, raw.element, raw.terminator not in "\r\n")
    spans = [ClaimSpan(u.start, u.end, u.claim_id) for u in walker if u.claim is not None]
    return spans, {st: (a, b) for st, (a, b) in walker.transactions.items()}


def scrub_path(engine: Engine, path: str, name: str, only: frozenset[str] | None = None) -> Result:
    """``check`` of one file (as ``Engine.scrub_data`` does for bytes), reported under ``name``;
    with ``only``, of those claims (CLM01) alone: their findings, and the envelope's, as the whole
    file's check reports them, and nothing for the others (``Engine.only``)."""
    import datetime as dt

    result = Result(inputs=[name], started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    result.times = engine.times.source
    engine.times.matched.clear()
    engine.only = only
    try:
        result.files.append(engine.scrub_file(path, result, display=name))
    finally:
        engine.only = None
    if only is None:
        engine._unmatched_times(result)
    return result


def open_stream(path: str) -> tuple[BinaryIO, RawStream]:
    handle = open(path, "rb")
    try:
        return handle, RawStream(handle)
    except BaseException:
        handle.close()
        raise


class _Writer:
    """Writes one output interchange from claims as they come, rebuilding envelopes and HL trees.

    A transaction's segments are written as soon as they are final: only an HL whose child code
    (HL04) is not known yet, and what follows it, wait (until it gets a child or is left)."""

    def __init__(self, out: BinaryIO, stream: RawStream):
        self.fh = out
        self.stream = stream
        self.element = stream.element
        self.chunks: list[str] = []
        self.size = 0
        self.isa = self.gs = None
        self.isa_text = ""
        self.gs_els: list[str] = []
        self.st: tuple[int, ...] | None = None
        self.hl: dict[str, tuple[int, ...] | None] = {}
        self.hl_ids: dict[str, str] = {}
        self.pending: deque = deque()  # segment texts, and HL element lists whose HL04 is open
        self.open: dict[str, list[str]] = {}  # new HL id -> its elements, while it may get children
        self.count = 0  # segments in the open transaction
        self.first: list[str] | None = None  # its first segment's elements (ST02 for the SE)
        self.hl_count = 0
        self.groups = self.sets = 0
        self.claims = 0
        self.segments = 0  # written so far (the ordinal of the last one)
        self.last_claim = (0, 0)

    def _clean(self, seg) -> str:
        return clean_text(seg.text, self.stream.drop_breaks)

    def _write(self, text: str) -> None:
        self.chunks.append(text)
        self.segments += 1
        self.size += len(text)
        if self.size > 1 << 16:
            self._drain()

    def _drain(self) -> None:
        if self.chunks:
            sep = self.stream.terminator + self.stream.line_end
            self.fh.write((sep.join(self.chunks) + sep).encode("utf-8", errors="surrogateescape"))
        self.chunks, self.size = [], 0

    def _body(self, item) -> None:
        if self.first is None:
            self.first = item if isinstance(item, list) else item.split(self.element)
        self.pending.append(item)
        self.count += 1

    def _flush(self) -> None:
        pending, element = self.pending, self.element
        while pending:
            item = pending[0]
            if isinstance(item, list):
                if self.open.get(item[1]) is item:
                    return
                item = element.join(item)
            pending.popleft()
            self._write(item)

    def _retire(self, levels) -> None:
        """HLs left behind: they get no more children."""
        for level in levels:
            if self.hl.get(level) is not None:
                e = self.open.pop(self.hl_ids.get(level, ""), None)
                if e is not None:
                    e[4] = "0"

    def add(self, unit: Unit) -> None:
        ctx = unit.context
        segs = ctx.segs
        if ctx.isa != self.isa:
            self._close_isa()
            self.isa = ctx.isa
            self.isa_text = segs[ctx.isa].text if ctx.isa in segs else ""
            self._write(self.isa_text)
        if ctx.gs != self.gs:
            self._close_gs()
            self.gs = ctx.gs
            if ctx.gs is not None:
                text = self._clean(segs[ctx.gs])
                self.gs_els = text.split(self.element)
                self._write(text)
                self.groups += 1
        if ctx.st != self.st:
            self._close_st()
            self.st = ctx.st
            for i in ctx.st:
                self._body(self._clean(segs[i]))
            self.hl, self.hl_ids = {}, {}
            self.sets += 1
        parent = ""
        for level, block in (("20", ctx.hl20), ("22", ctx.hl22), ("23", ctx.hl23)):
            if not block:
                continue
            if self.hl.get(level) != block:
                deeper = {"20": ("22", "23"), "22": ("23",), "23": ()}[level]
                self._retire((level, *deeper))
                self.hl[level] = block
                for name in deeper:
                    self.hl.pop(name, None)
                self.hl_count += 1
                new_id = str(self.hl_count)
                self.hl_ids[level] = new_id
                head = self._clean(segs[block[0]]).split(self.element)
                head += [""] * (5 - len(head))
                e = ["HL", new_id, parent, head[3], head[4]]
                above = self.open.pop(parent, None)
                if above is not None:
                    above[4] = "1"
                self.open[new_id] = e
                self._body(e)
                for i in block[1:]:
                    self._body(self._clean(segs[i]))
            parent = self.hl_ids[level]
        first = self.segments + len(self.pending) + 1  # every pending item is written in order
        for seg in unit.claim_segments:
            self._body(self._clean(seg))
        self.last_claim = (first, first + len(unit.claim_segments) - 1)  # its ordinals in the output
        self.claims += 1
        self._flush()

    def _close_st(self) -> None:
        if self.st is None:
            return
        for e in self.open.values():
            e[4] = "0"
        self.open.clear()
        self._flush()
        first = self.first or []
        st02 = first[2] if len(first) > 2 else ""
        self._write(self.element.join(["SE", str(self.count + 1), st02]))
        self.st, self.count, self.first, self.hl_count = None, 0, None, 0

    def _close_gs(self) -> None:
        self._close_st()
        if self.gs is not None:
            gs06 = self.gs_els[6] if len(self.gs_els) > 6 else ""
            self._write(self.element.join(["GE", str(self.sets), gs06]))
        self.gs, self.sets = None, 0

    def _close_isa(self) -> None:
        self._close_gs()
        if self.isa is not None:
            els = self.isa_text.split(self.element)
            isa13 = els[13] if len(els) > 13 else ""
            self._write(self.element.join(["IEA", str(self.groups), isa13]))
        self.isa, self.groups = None, 0

    def finish(self) -> None:
        self._close_isa()
        self._drain()


class Bits:
    """A set of segment indexes as one bit each (a bytearray that grows as needed): a dirty file
    has a few findings a claim, and a set of ints costs some 60 bytes an index (about 9 MB at
    100,000 dirty claims), the bits an eighth of a byte a segment (0.3 MB)."""

    def __init__(self):
        self.data = bytearray()

    def add(self, index: int) -> None:
        byte = index >> 3
        if byte >= len(self.data):
            self.data.extend(bytes(max(byte + 1 - len(self.data), len(self.data))))
        self.data[byte] |= 1 << (index & 7)

    def __contains__(self, index: int) -> bool:
        byte = index >> 3
        return byte < len(self.data) and bool(self.data[byte] >> (index & 7) & 1)

    def _span(self, lo: int, hi: int | None) -> int:
        """The indexes in [lo, hi) (hi None: to the end) as an int whose bit 0 is ``lo``."""
        hi = len(self.data) * 8 if hi is None else min(hi, len(self.data) * 8)
        if hi <= lo:
            return 0
        value = int.from_bytes(self.data[lo >> 3 : ((hi - 1) >> 3) + 1], "little") >> (lo & 7)
        return value & ((1 << (hi - lo)) - 1)

    def any(self, lo: int, hi: int | None = None) -> bool:
        return bool(self._span(lo, hi))

    def between(self, lo: int, hi: int | None = None) -> list[int]:
        """The indexes in [lo, hi), in order."""
        value = self._span(lo, hi)
        out = []
        while value:
            low = value & -value
            out.append(lo + low.bit_length() - 1)
            value ^= low
        return out


@dataclass
class Marks:
    """Where the findings that hold fall, by segment index: ``all`` of them with a claim and a
    segment, and those of ``all`` that rebuilding the envelope does not cure (``uncured``): a mark
    inside a claim holds it, an uncured one outside every claim holds its transaction set."""

    all: Bits
    uncured: Bits


def _marks(result: Result, name: str, threshold: Severity) -> tuple[Marks, set[int], bool]:
    """The findings that hold: claim marks, loose indexes, whole file."""
    marks = Marks(Bits(), Bits())
    loose: set[int] = set()
    whole = False
    for f in result.findings:
        if not blocking(f, threshold) or f.file != name:
            continue
        index = f.loc.ordinal - 1 if f.loc and f.loc.ordinal else None
        cured = f.edit in CURED_BY_REBUILD
        if f.claim_id is not None and index is not None:
            marks.all.add(index)
            if not cured:
                marks.uncured.add(index)
        elif cured:
            continue
        elif index is None:
            whole = True
        else:
            loose.add(index)
    return marks, loose, whole


def _check_isa(ctx, stream: RawStream) -> None:
    """Every interchange a claim is written under must have a fixed-width ISA (the reader checks
    only the first): its header is copied into the output as it is."""
    seg = ctx.segs.get(ctx.isa)
    try:
        SegmentReader._check_isa((seg.text if seg else "") + stream.terminator, 0)
    except InputError as exc:
        raise InputError(exc.reason, segment=ctx.isa + 1) from None


class _Replan(Exception):
    """A finding outside every claim may hold a whole transaction set: place first, then write."""


@dataclass
class _Plan:
    held: Bits  # CLM indexes of the claims held
    sets: set[int]  # ST indexes of the transaction sets held
    whole: bool  # every claim is held


def _walk(path: str, result: Result, marks: Marks, writers=None, plan: _Plan | None = None):
    """One walk of the file: place the claim marks on their claims, check that every claim can be
    placed, and, given ``writers`` (clean, held), write each claim as it comes: held as ``plan``
    says or, without one, when a mark falls on it (a mark outside every claim raises _Replan).
    Returns (CLM indexes with a mark, indexes of uncured marks outside every claim, walker,
    outcome); the CLM indexes only when there are no ``writers`` (they are written as they come)."""
    held = Bits()
    loose: set[int] = set()
    handle, stream = open_stream(path)
    with handle:
        walker = Walker(stream, stream.element, stream.drop_breaks)
        outs = [_Writer(fh, stream) for fh in writers] if writers else []
        claims = after = 0  # claims seen; the index after the last one
        isas: set[int] = set()
        for unit in walker:
            if unit.claim is None:
                continue
            claims += 1
            if unit.context.isa not in isas:
                isas.add(unit.context.isa)
                _check_isa(unit.context, stream)
            start = unit.start
            loose.update(marks.uncured.between(after, start))
            after = unit.end
            marked = marks.all.any(start, after)
            if not outs:
                if marked:
                    held.add(start)
                continue
            if plan is None:
                if loose:
                    raise _Replan
                hold = marked
            else:
                st = unit.context.st[0] if unit.context.st else None
                hold = plan.whole or start in plan.held or st in plan.sets
            outs[hold].add(unit)
        loose.update(marks.uncured.between(after))
        if outs and plan is None and loose:
            raise _Replan
        if walker.stray_claims:
            raise InputError(
                "a CLM segment id with stray characters around it: its claim would land in neither output",
                segment=walker.stray_claims[0] + 1,
            )
        counted = result.files[0].claims if result.files else 0
        if claims != counted:
            raise InputError(f"{counted} claim(s) checked but {claims} found to place: the file is refused")
        for out in outs:
            out.finish()
    outcome = Outcome(claims, outs[0].claims, outs[1].claims, result) if outs else None
    return held, loose, walker, outcome


def gate_file(
    path: str, name: str, engine: Engine, threshold: Severity, clean: BinaryIO, held: BinaryIO
) -> Outcome:
    """Gate the file at ``path`` (reported as ``name``), appending to the ``clean`` and ``held``
    streams.  Raises InputError when the file cannot be read or its claims cannot all be placed.

    When every finding falls on a claim the file is walked once more, writing; otherwise once to
    place the findings outside claims on their transaction sets, and once to write."""
    result = scrub_path(engine, path, name)
    for bad in result.unreadable:
        raise InputError(bad.error)
    marks, loose, whole = _marks(result, name, threshold)
    if not loose and not whole:
        ends = clean.tell(), held.tell()
        try:
            return _walk(path, result, marks, (clean, held))[3]
        except _Replan:
            for fh, at in zip((clean, held), ends, strict=True):
                fh.seek(at)
                fh.truncate()
    claimed, outside, walker, _ = _walk(path, result, marks)
    sets: set[int] = set()
    for index in loose | outside:
        st = next((st for st, (a, b) in walker.transactions.items() if a <= index <= b), None)
        if st is None:
            whole = True
        else:
            sets.add(st)
    return _walk(path, result, marks, (clean, held), _Plan(claimed, sets, whole))[3]


def gate_data(data: bytes, name: str, engine: Engine, threshold: Severity) -> Outcome:
    """:func:`gate_file` on bytes, with both outputs in memory (for tests and small inputs)."""
    fd, tmp = tempfile.mkstemp(suffix=".x12")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        clean, held = io.BytesIO(), io.BytesIO()
        outcome = gate_file(tmp, name, engine, threshold, clean, held)
    finally:
        os.unlink(tmp)
    outcome.clean, outcome.held = clean.getvalue(), held.getvalue()
    return outcome
