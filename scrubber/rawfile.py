"""An 837 file as editable raw segments that write back byte for byte.

Each segment keeps its exact text and the exact characters that follow it (terminator, line
break, stray white space), so a file written back with no change is identical to its source, and a
changed segment keeps the source's delimiters and line-ending style.  Segment ``i`` of the list
is ordinal ``i + 1`` as the reader (scrubber/read.py) counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .read import ISA_LEN, InputError

LAYOUT = " \t\r\n"


@dataclass
class RawSegment:
    text: str  # as in the source (without leading layout or the terminator)
    after: str  # what follows it in the source: the terminator and any layout
    origin: int | None = None  # ordinal in the source file; None for a segment the fixer made


@dataclass
class RawFile:
    prefix: str  # byte-order mark and white space before the ISA
    segments: list[RawSegment]
    element: str
    component: str
    terminator: str
    line_end: str = ""
    cache: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes) -> RawFile:
        text = data.decode("utf-8", errors="surrogateescape")
        start = 0
        while start < len(text) and (text[start] == "\ufeff" or text[start] in LAYOUT):
            start += 1
        head = text[start : start + ISA_LEN]
        if not head.startswith("ISA") or len(head) < ISA_LEN:
            raise InputError("not an X12 interchange: the data does not begin with a full ISA segment")
        element, component, term = head[3], head[ISA_LEN - 2], head[ISA_LEN - 1]
        drop_breaks = term not in "\r\n"
        segments: list[RawSegment] = []
        pos, prefix = start, text[:start]
        while pos < len(text):
            end = text.find(term, pos)
            part = text[pos:] if end < 0 else text[pos:end]
            after = "" if end < 0 else term
            cleaned = part.replace("\r", "").replace("\n", "") if drop_breaks else part
            if not cleaned.strip(LAYOUT):
                # layout only: it belongs to what follows the previous segment
                if segments:
                    segments[-1].after += part + after
                else:
                    prefix += part + after
            else:
                lead = len(part) - len(part.lstrip(LAYOUT))
                if segments:
                    segments[-1].after += part[:lead]
                else:
                    prefix += part[:lead]
                segments.append(RawSegment(part[lead:], after, len(segments) + 1))
            if end < 0:
                break
            pos = end + 1
        first_after = segments[0].after if segments else ""
        line_end = first_after[1:] if first_after[1:] in ("\n", "\r\n") else ""
        return cls(prefix, segments, element, component, term, line_end)

    # -- reading ---------------------------------------------------------------------------------
    def elements(self, index: int) -> list[str]:
        text = self.segments[index].text
        if self.terminator not in "\r\n":
            text = text.replace("\r", "").replace("\n", "")
        return text.split(self.element)

    def seg_id(self, index: int) -> str:
        return self.elements(index)[0]

    def to_bytes(self) -> bytes:
        body = "".join(s.text + s.after for s in self.segments)
        return (self.prefix + body).encode("utf-8", errors="surrogateescape")

    # -- editing ---------------------------------------------------------------------------------
    def set_elements(self, index: int, elements: list[str]) -> None:
        while len(elements) > 1 and elements[-1] == "":
            elements = elements[:-1]  # X12: no trailing empty elements
        self.segments[index].text = self.element.join(elements)

    def new_segment(self, elements: list[str]) -> RawSegment:
        return RawSegment(self.element.join(elements), self.terminator + self.line_end)
