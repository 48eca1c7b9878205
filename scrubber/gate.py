"""The clearinghouse gate: split an 837's claims into a clean and a held interchange.

A claim is held when it has a finding at or above the threshold, or when its transaction set has
one (an envelope finding that rebuilding the envelope does not cure: a broken HL chain, a file cut
short, ...).  Control-number and count findings (STR001-STR006) are cured by the rebuild, since
every output envelope is written anew: each claim travels with its interchange, group and
transaction headers (control numbers kept), its billing-provider, subscriber and patient loops,
HL ids renumbered with their parents and child codes, and SE01 / GE01 / IEA01 counted.  Every
input claim lands in exactly one output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import Severity
from .pipeline import Engine, Result, blocking
from .rawfile import RawFile

CURED_BY_REBUILD = frozenset({"STR001", "STR002", "STR003", "STR004", "STR005", "STR006", "STR011"})
CLAIM_END = frozenset({"CLM", "HL", "SE", "GE", "IEA", "ISA", "GS", "ST"})


@dataclass(frozen=True)
class Context:
    isa: int
    gs: int | None
    st: tuple[int, ...]  # ST and the header segments before the first HL
    hl20: tuple[int, ...]
    hl22: tuple[int, ...]
    hl23: tuple[int, ...]


@dataclass
class ClaimSpan:
    start: int
    end: int
    context: Context
    claim_id: str


@dataclass
class Outcome:
    clean: bytes
    held: bytes
    claims: int
    clean_claims: int
    held_claims: int
    held_ids: list[str] = field(default_factory=list)
    result: Result | None = None


def claim_spans(raw: RawFile) -> tuple[list[ClaimSpan], dict[int, tuple[int, int]]]:
    """Every claim with its context, and every ST's [start, end] index range."""
    spans: list[ClaimSpan] = []
    transactions: dict[int, tuple[int, int]] = {}
    isa = gs = None
    blocks: dict[str, list[int]] = {}
    current: str | None = None
    i, count = 0, len(raw.segments)
    while i < count:
        sid = raw.seg_id(i)
        if sid == "ISA":
            isa, gs, blocks, current = i, None, {}, None
        elif sid == "GS":
            gs, blocks, current = i, {}, None
        elif sid == "ST":
            blocks, current = {"st": [i]}, "st"
            transactions[i] = (i, count - 1)
        elif sid == "SE":
            st = blocks.get("st", [None])[0]
            if st is not None:
                transactions[st] = (st, i)
            current = None
        elif sid == "HL":
            level = raw.elements(i)[3] if len(raw.elements(i)) > 3 else ""
            drop = {"20": ("hl20", "hl22", "hl23"), "22": ("hl22", "hl23"), "23": ("hl23",)}.get(level, ())
            for name in drop:
                blocks.pop(name, None)
            current = {"20": "hl20", "22": "hl22", "23": "hl23"}.get(level)
            if current:
                blocks[current] = [i]
        elif sid == "CLM":
            end = i + 1
            while end < count and raw.seg_id(end) not in CLAIM_END:
                end += 1
            context = Context(
                isa if isa is not None else -1,
                gs,
                *(tuple(blocks.get(k, ())) for k in ("st", "hl20", "hl22", "hl23")),
            )
            els = raw.elements(i)
            spans.append(ClaimSpan(i, end, context, els[1] if len(els) > 1 else ""))
            current = None
            i = end
            continue
        elif sid in ("GE", "IEA"):
            current = None
        elif current is not None:
            blocks[current].append(i)
        i += 1
    return spans, transactions


class _Writer:
    """Builds one output interchange file from claims, rebuilding envelopes and the HL tree."""

    def __init__(self, raw: RawFile):
        self.raw = raw
        self.out: list[str] = []
        self.isa = self.gs = None
        self.st: tuple[int, ...] | None = None
        self.hl: dict[str, tuple[int, ...] | None] = {}
        self.hl_ids: dict[str, str] = {}
        self.body: list[list[str]] = []  # the open transaction's segments, as element lists
        self.groups = self.sets = 0
        self.claims = 0

    def _text(self, index: int) -> str:
        return (
            self.raw.segments[index].text
            if index == self.isa
            else self.raw.element.join(self.raw.elements(index))
        )

    def add(self, span: ClaimSpan) -> None:
        ctx = span.context
        if ctx.isa != self.isa:
            self._close_isa()
            self.isa = ctx.isa
            self.out.append(self.raw.segments[ctx.isa].text)
        if ctx.gs != self.gs:
            self._close_gs()
            self.gs = ctx.gs
            if ctx.gs is not None:
                self.out.append(self._text(ctx.gs))
                self.groups += 1
        if ctx.st != self.st:
            self._close_st()
            self.st = ctx.st
            self.body = [self.raw.elements(i) for i in ctx.st]
            self.hl, self.hl_ids = {}, {}
            self.sets += 1
        parent = ""
        for level, block in (("20", ctx.hl20), ("22", ctx.hl22), ("23", ctx.hl23)):
            if not block:
                continue
            if self.hl.get(level) != block:
                self.hl[level] = block
                for deeper in {"20": ("22", "23"), "22": ("23",), "23": ()}[level]:
                    self.hl.pop(deeper, None)
                new_id = str(sum(1 for e in self.body if e[0] == "HL") + 1)
                self.hl_ids[level] = new_id
                head = self.raw.elements(block[0])
                head += [""] * (5 - len(head))
                self.body.append(["HL", new_id, parent, head[3], head[4]])
                self.body += [self.raw.elements(i) for i in block[1:]]
            parent = self.hl_ids[level]
        self.body += [self.raw.elements(i) for i in range(span.start, span.end)]
        self.claims += 1

    def _close_st(self) -> None:
        if self.st is None:
            return
        parents = {e[2] for e in self.body if e[0] == "HL"}
        for e in self.body:
            if e[0] == "HL":
                e[4] = "1" if e[1] in parents else "0"
        st02 = self.body[0][2] if len(self.body[0]) > 2 else ""
        self.out += [self.raw.element.join(e) for e in self.body]
        self.out.append(self.raw.element.join(["SE", str(len(self.body) + 1), st02]))
        self.st, self.body = None, []

    def _close_gs(self) -> None:
        self._close_st()
        if self.gs is not None:
            gs06 = self.raw.elements(self.gs)[6] if len(self.raw.elements(self.gs)) > 6 else ""
            self.out.append(self.raw.element.join(["GE", str(self.sets), gs06]))
        self.gs, self.sets = None, 0

    def _close_isa(self) -> None:
        self._close_gs()
        if self.isa is not None:
            isa13 = self.raw.segments[self.isa].text.split(self.raw.element)[13]
            self.out.append(self.raw.element.join(["IEA", str(self.groups), isa13]))
        self.isa, self.groups = None, 0

    def finish(self) -> bytes:
        self._close_isa()
        if not self.out:
            return b""
        sep = self.raw.terminator + (self.raw.line_end or "")
        return (sep.join(self.out) + sep).encode("utf-8", errors="surrogateescape")


def gate_data(data: bytes, name: str, engine: Engine, threshold: Severity) -> Outcome:
    result = engine.scrub_data(data, name)
    raw = RawFile.parse(data)
    spans, transactions = claim_spans(raw)
    held_claims: set[int] = set()
    held_sets: set[int] = set()
    whole_file = False
    for f in result.findings:
        if not blocking(f, threshold) or f.file != name:
            continue
        index = f.loc.ordinal - 1 if f.loc and f.loc.ordinal else None
        if f.claim_id is not None and index is not None:
            owner = next((s.start for s in spans if s.start <= index < s.end), None)
            if owner is not None:
                held_claims.add(owner)
                continue
        if f.edit in CURED_BY_REBUILD:
            continue
        st = next((st for st, (a, b) in transactions.items() if index is not None and a <= index <= b), None)
        if st is None:
            whole_file = True
        else:
            held_sets.add(st)
    clean, held = _Writer(raw), _Writer(raw)
    held_ids = []
    for span in spans:
        st = span.context.st[0] if span.context.st else None
        if whole_file or span.start in held_claims or st in held_sets:
            held.add(span)
            held_ids.append(span.claim_id)
        else:
            clean.add(span)
    return Outcome(clean.finish(), held.finish(), len(spans), clean.claims, held.claims, held_ids, result)
