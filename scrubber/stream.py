"""An 837 file as a stream of raw segments, and walked claim by claim with each claim's context.

:class:`RawStream` cuts a file into segments exactly as :meth:`scrubber.rawfile.RawFile.parse`
does (each segment's text and what follows it, so a file written back is byte-identical), but
reads it in chunks, so ``scrub gate`` and ``scrub fix`` never hold the whole file.

:class:`Walker` groups the segments into :class:`Unit` s: the segments after the previous claim
(envelope and HL loops) followed by one claim (CLM up to the next claim boundary: CLM, HL, SE, GE,
IEA, ISA, GS, ST).  Each unit carries the claim's context: the ISA, GS, ST and header segments
and the current billing-provider, subscriber and patient loops, by segment index (0-based;
index ``i`` is ordinal ``i + 1`` as scrubber/read.py counts them).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .rawfile import LAYOUT
from .read import ISA_LEN, InputError

CHUNK = 1 << 18  # 256 KiB a read: a 1 MiB chunk held ~40,000 segment strings at once, in each walker
CLAIM_END = frozenset({"CLM", "HL", "SE", "GE", "IEA", "ISA", "GS", "ST"})
_LEVELS = {"20": "hl20", "22": "hl22", "23": "hl23"}
_STRAY = " \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"
_DROP = {"20": ("hl20", "hl22", "hl23"), "22": ("hl22", "hl23"), "23": ("hl23",)}
# the first two characters a segment can start with and still end a claim once line breaks are
# dropped from it: those of the CLAIM_END ids, and any pair holding a line break
_CLAIM_END_HEADS = frozenset(
    {sid[:2] for sid in CLAIM_END}
    | {a + b for a in map(chr, range(128)) for b in "\r\n"}
    | {a + b for a in "\r\n" for b in map(chr, range(128))}
    | {sid[:1] for sid in CLAIM_END}
    | {"\r", "\n"}
)


class RawSeg:
    """One segment as :class:`scrubber.rawfile.RawSegment` has it (text, what follows it, source
    ordinal), slotted: millions are made per large file."""

    __slots__ = ("text", "after", "origin")

    def __init__(self, text: str, after: str, origin: int | None = None):
        self.text = text
        self.after = after
        self.origin = origin


class RawStream:
    """The raw segments of one binary stream (iterate once), with the ISA's delimiters."""

    def __init__(self, binary: BinaryIO):
        self._fh = binary
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        text = ""
        start = 0
        while True:
            while start < len(text) and (text[start] == "\ufeff" or text[start] in LAYOUT):
                start += 1
            if len(text) - start >= ISA_LEN:
                break
            more = self._read()
            if not more:
                break
            text += more
        head = text[start : start + ISA_LEN]
        if not head.startswith("ISA") or len(head) < ISA_LEN:
            raise InputError("not an X12 interchange: the data does not begin with a full ISA segment")
        self.element, self.component, self.terminator = head[3], head[ISA_LEN - 2], head[ISA_LEN - 1]
        if len({self.element, self.component, self.terminator}) < 3:
            raise InputError(
                "ISA delimiters are not distinct: the element separator (ISA position 4), the component "
                "separator (ISA16) and the segment terminator must be three different characters",
                segment=1,
            )
        self.prefix = text[:start]
        self.line_end = ""
        self.drop_breaks = self.terminator not in "\r\n"
        self._rest = text[start:]

    def _read(self) -> str:
        chunk = self._fh.read(CHUNK)
        return self._decoder.decode(chunk, final=not chunk)

    def __iter__(self) -> Iterator[RawSeg]:
        term, layout = self.terminator, LAYOUT
        pending: RawSeg | None = None
        count = 0
        buf, self._rest = self._rest, ""
        # a terminator not followed by one line feed and a segment's first character: where a
        # chunk leaves the one-segment-a-line layout (then it is cut by the general loop below)
        irregular = re.compile(re.escape(term) + "(?!\n[^ \t\r\n])")
        while True:
            chunk = self._read()
            buf += chunk
            # one segment a line ("~" then a line feed) throughout this chunk: after the first
            # part, which continues the segment before it, each part is a line feed and a segment
            regular = bool(chunk) and pending is not None and irregular.search(buf) is None
            parts = buf.split(term)
            buf = parts.pop()
            if not chunk and buf:
                parts.append(buf)  # after the last terminator: a segment without one, or layout
            rest = parts[1:] if regular else ()
            if regular:
                del parts[1:]
            last = len(parts) - 1 + len(rest)
            final = term if chunk or buf == "" else ""  # what follows the last part
            for n, part in enumerate(parts):
                if part and part[0] not in layout:  # the usual segment: no layout before it
                    if pending is not None:
                        if count == 1:
                            self._first(pending)
                        yield pending
                    count += 1
                    pending = RawSeg(part, term if n < last else final, count)
                    continue
                after = term if n < last else final
                text = part.lstrip(layout)
                if not text:
                    if pending is None:
                        self.prefix += part + after
                    else:
                        pending.after += part + after
                    continue
                lead = part[: len(part) - len(text)]
                if pending is not None:
                    pending.after += lead
                    if count == 1:
                        self._first(pending)
                    yield pending
                else:
                    self.prefix += lead
                count += 1
                pending = RawSeg(text, after, count)
            if rest:
                after = term + "\n"
                if count == 1:
                    self.line_end = "\n"
                for part in rest:
                    pending.after = after
                    yield pending
                    count += 1
                    pending = RawSeg(part[1:], term, count)
            if not chunk:
                break
        if pending is not None:
            if count == 1:
                self._first(pending)
            yield pending

    def _first(self, segment: RawSeg) -> None:
        """The first segment is complete: its line break, if any, is the file's ``line_end``."""
        self.line_end = segment.after[1:] if segment.after[1:] in ("\n", "\r\n") else ""

    def elements(self, segment: RawSeg) -> list[str]:
        return clean_text(segment.text, self.drop_breaks).split(self.element)


def clean_text(text: str, drop_breaks: bool) -> str:
    """A segment's text as its elements read (line breaks inside it are layout unless one is the
    terminator)."""
    if drop_breaks and ("\n" in text or "\r" in text):
        return text.replace("\r", "").replace("\n", "")
    return text


@dataclass(frozen=True)
class Context:
    """A claim's context, by segment index (``segs`` holds those segments)."""

    isa: int
    gs: int | None
    st: tuple[int, ...]  # ST and the header segments before the first HL
    hl20: tuple[int, ...]
    hl22: tuple[int, ...]
    hl23: tuple[int, ...]
    segs: dict


@dataclass
class Unit:
    """Consecutive segments from index ``base``: what follows the previous claim, then one claim
    from ``segments[claim]`` on (``claim`` None: the segments after the last claim)."""

    base: int
    segments: list[RawSeg]
    claim: int | None = None
    context: Context | None = None
    claim_id: str = ""

    @property
    def start(self) -> int:
        """Index of the CLM."""
        return self.base + (self.claim or 0)

    @property
    def end(self) -> int:
        """Index after the claim's last segment."""
        return self.base + len(self.segments)

    @property
    def claim_segments(self) -> list[RawSeg]:
        return self.segments[self.claim :] if self.claim is not None else []


class Walker:
    """Units of a segment stream, in order; ``transactions`` maps each ST's index to its
    [start, end] index range (end None while no SE has closed it)."""

    def __init__(self, segments: Iterable[RawSeg], element: str, drop_breaks: bool):
        self._segments = segments
        self.element = element
        self.drop_breaks = drop_breaks
        self.transactions: dict[int, list] = {}
        self.count = 0
        self.stray_claims: list[int] = []  # indexes of segments whose id is CLM only once stripped

    def _elements(self, seg: RawSeg) -> list[str]:
        return clean_text(seg.text, self.drop_breaks).split(self.element)

    def __iter__(self) -> Iterator[Unit]:
        element, drop = self.element, self.drop_breaks
        isa: int | None = None
        gs: int | None = None
        blocks: dict[str, list[int]] = {}
        segs: dict[int, RawSeg] = {}
        current: str | None = None
        unit = Unit(0, [])
        in_claim = False
        index = -1
        heads = _CLAIM_END_HEADS
        for index, seg in enumerate(self._segments):
            text = seg.text
            if in_claim and text[:2] not in heads:  # most of a claim's segments: nothing to look at
                unit.segments.append(seg)
                continue
            if drop and ("\n" in text or "\r" in text):
                text = text.replace("\r", "").replace("\n", "")
            sid = text.split(element, 1)[0]
            if in_claim:
                if sid not in CLAIM_END:
                    unit.segments.append(seg)
                    continue
                yield unit
                unit, in_claim = Unit(index, []), False
            unit.segments.append(seg)
            if sid == "CLM":
                live = {i for block in blocks.values() for i in block}
                for stale in [i for i in segs if i not in live and i != isa and i != gs]:
                    del segs[stale]
                unit.claim = index - unit.base
                unit.context = Context(
                    isa if isa is not None else -1,
                    gs,
                    *(tuple(blocks.get(k, ())) for k in ("st", "hl20", "hl22", "hl23")),
                    segs=dict(segs),
                )
                els = text.split(element)
                unit.claim_id = els[1] if len(els) > 1 else ""
                current = None
                in_claim = True
                continue
            if len(sid) > 3 and "CLM" in sid and sid.strip(_STRAY) == "CLM":
                self.stray_claims.append(index)
            if sid == "ISA":
                isa, gs, blocks, current = index, None, {}, None
                segs = {index: seg}
            elif sid == "GS":
                gs, blocks, current = index, {}, None
                segs[index] = seg
            elif sid == "ST":
                blocks, current = {"st": [index]}, "st"
                segs[index] = seg
                self.transactions[index] = [index, None]
            elif sid == "SE":
                st = blocks.get("st", [None])[0]
                if st is not None:
                    self.transactions[st] = [st, index]
                current = None
            elif sid == "HL":
                els = text.split(element)
                level = els[3] if len(els) > 3 else ""
                for name in _DROP.get(level, ()):
                    blocks.pop(name, None)
                current = _LEVELS.get(level)
                if current:
                    blocks[current] = [index]
                    segs[index] = seg
            elif sid in ("GE", "IEA"):
                current = None
            elif current is not None:
                blocks[current].append(index)
                segs[index] = seg
        self.count = index + 1
        for span in self.transactions.values():
            if span[1] is None:
                span[1] = self.count - 1
        if unit.segments:
            yield unit
