"""Bytes -> segments.

The interchange header is parsed by pyx12's ``RawX12File`` (delimiters from the fixed-width ISA);
segments are then streamed in chunks so memory stays flat however large the file is.  Before the
tokenizer sees the data a UTF-8 byte-order mark and leading white space are removed, because pyx12
requires the first 106 characters to be the ISA.

Every problem that makes a file unreadable raises :class:`InputError` with a one-line reason and
the position (segment ordinal and byte offset where known).  The reason never quotes claim
content, so it is safe for logs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyx12.errors
import pyx12.rawx12file

ISA_LEN = pyx12.rawx12file.ISA_LEN
CHUNK = 1 << 16
_BOM = b"\xef\xbb\xbf"
# Offsets of the element separator in a fixed-width ISA (ISA01..ISA16 start after each).
_ISA_SEPARATORS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
# The longest segment read: one without a terminator in sight is refused at this length rather
# than held whole in memory (a file with no terminator at all would otherwise be one segment).
MAX_SEGMENT = 1 << 20
# Characters that are neither text nor layout: C0 and C1 controls (but tab, CR and LF), DEL, and
# the bytes that are not UTF-8 (read as surrogate escapes).  In a segment identifier they hide the
# segment from the builder (a vertical tab before CLM loses the claim), so such a file is refused.
_UNPRINTABLE = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\r\n"]
_SEGMENT_ID = re.compile("[A-Z][A-Z0-9]{1,2}")


class InputError(Exception):
    """A file (or part of it) that cannot be read as a 5010 837.  ``str()`` is one line."""

    def __init__(self, reason: str, *, segment: int | None = None, offset: int | None = None):
        self.reason = reason
        self.segment = segment
        self.offset = offset
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.segment is not None:
            where.append(f"segment {self.segment}")
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


@dataclass(frozen=True, slots=True)
class Delimiters:
    segment: str
    element: str
    component: str
    repetition: str | None
    line_end: str  # what follows each segment terminator in the source: "", "\n" or "\r\n"


class Segment:
    """One segment: its 1-based ordinal in the file and its elements (``elements[0]`` is the id).

    A plain slotted class rather than a frozen dataclass: millions are made per large file.
    """

    __slots__ = ("ordinal", "elements", "id")

    def __init__(self, ordinal: int, elements: list[str]):
        self.ordinal = ordinal
        self.elements = elements
        self.id = elements[0]

    def get(self, index: int, default: str = "") -> str:
        try:
            return self.elements[index]
        except IndexError:
            return default

    def padded(self, size: int) -> list[str]:
        """The elements, extended with empty strings to at least ``size`` entries (one call
        instead of one ``get`` per element in the builder's hot handlers)."""
        els = self.elements
        return els if len(els) >= size else els + [""] * (size - len(els))

    def __repr__(self) -> str:
        return f"Segment({self.ordinal}, {self.id})"


class _Prepared(io.TextIOBase):
    """A text stream whose first characters are supplied from memory, the rest from the file."""

    def __init__(self, head: str, rest: io.TextIOBase):
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> str:
        if self._head:
            if size < 0 or size >= len(self._head):
                out, self._head = self._head, ""
                more = self._rest.read(-1 if size < 0 else size - len(out))
                return out + more
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)


def _lstripped(part: str) -> str:
    return part.strip(" \t\r\n") if not part or part[0] in " \t\r\n" else part


class SegmentReader:
    """Iterate the segments of one X12 stream.

    After iteration ``unterminated`` is True when the data ended inside a segment (no terminator).
    """

    def __init__(self, binary: BinaryIO, name: str = "<stdin>"):
        self.name = name
        self.unterminated = False
        start = binary.read(4096)
        skipped = 0
        if start.startswith(_BOM):
            start = start[len(_BOM) :]
            skipped = len(_BOM)
        stripped = start.lstrip()
        while not stripped and start:  # white space only so far: skip it, however long
            skipped += len(start)
            start = binary.read(CHUNK)
            stripped = start.lstrip()
        if not stripped:
            raise InputError("empty file")
        skipped += len(start) - len(stripped)
        if b"\x00" in stripped:
            raise InputError("binary data, not an X12 text file", offset=skipped + stripped.index(b"\x00"))
        if not stripped.startswith(b"ISA"):
            raise InputError(
                "not an X12 interchange: the data does not begin with an ISA segment",
                segment=1,
                offset=skipped,
            )
        text = io.TextIOWrapper(binary, encoding="utf-8", errors="surrogateescape", newline="")
        head = stripped.decode("utf-8", errors="surrogateescape")
        while len(head) < ISA_LEN + 2:
            more = text.read(ISA_LEN)
            if not more:
                break
            head += more
        self._check_isa(head, skipped)
        try:
            self._raw = pyx12.rawx12file.RawX12File(_Prepared(head, text))
        except pyx12.errors.X12Error as exc:  # defensive: _check_isa covers the known cases
            raise InputError(
                f"ISA cannot be read ({type(exc).__name__})", segment=1, offset=skipped
            ) from None
        seg, ele, comp, _nl, rep = self._raw.get_term()
        after = head[ISA_LEN : ISA_LEN + 2]
        if seg == "\r" and after.startswith("\n"):
            line_end = "\n"
        elif seg not in "\r\n" and after.startswith("\r\n"):
            line_end = "\r\n"
        elif seg not in "\r\n" and after.startswith("\n"):
            line_end = "\n"
        else:
            line_end = ""
        self.delimiters = Delimiters(seg, ele, comp, rep, line_end)
        unprintable = "".join(re.escape(c) for c in _UNPRINTABLE if c not in (seg, ele, comp, rep))
        self._unprintable = re.compile(f"[{unprintable}\udc80-\udcff]")
        # the fast test for an ASCII block: what is left once printable characters, layout and
        # the delimiters are deleted (bytes.translate runs at memory speed, a regex far slower)
        delimiters = "".join(c for c in (seg, ele, comp, rep or "") if c.isascii()).encode("ascii")
        self._printable = bytes(range(0x20, 0x7F)) + b"\t\r\n" + delimiters
        self.version = head[84:89]

    @staticmethod
    def _check_isa(head: str, offset: int) -> None:
        if len(head) < ISA_LEN:
            raise InputError(
                f"truncated ISA segment ({len(head)} of {ISA_LEN} characters)", segment=1, offset=offset
            )
        sep = head[3]
        if sep.isalnum() or sep.isspace():
            raise InputError("ISA element separator is not a delimiter character", segment=1, offset=offset)
        misplaced = [i for i in _ISA_SEPARATORS if head[i] != sep]
        if misplaced:
            raise InputError(
                f"ISA is not fixed width (element {(_ISA_SEPARATORS.index(misplaced[0]) + 1):02d} misplaced);"
                " a 5010 ISA is exactly 106 characters",
                segment=1,
                offset=offset,
            )
        if head.count(sep, 0, ISA_LEN) != len(_ISA_SEPARATORS):
            raise InputError(
                "ISA holds the element separator inside an element; a 5010 ISA has 16 fixed-width elements",
                segment=1,
                offset=offset,
            )
        version = head[84:89]
        # ISA12 00401 is accepted here: some senders keep a 4010 envelope around 5010 groups, and
        # the GS08 / ST03 version decides (build837 refuses 4010 transactions).
        if version not in ("00401", "00501"):
            raise InputError(
                f"unknown interchange version ISA12={version!r}; only 00501 is supported",
                segment=1,
                offset=offset,
            )
        term = head[ISA_LEN - 1]
        if term.isalnum() or term == sep or term == " ":
            raise InputError("ISA segment terminator is missing or invalid", segment=1, offset=offset)
        # Each delimiter must differ from the others, or the segments cannot be split (an ISA16
        # equal to the terminator ends the ISA at the component separator).
        component, repetition = head[ISA_LEN - 2], head[82]
        if component.isalnum() or component in (sep, term, " "):
            raise InputError(
                "ISA16 component separator is not a delimiter distinct from the others",
                segment=1,
                offset=offset,
            )
        if version == "00501" and repetition in (sep, term, component):
            raise InputError("ISA11 repetition separator repeats another delimiter", segment=1, offset=offset)

    def blocks(self) -> Iterator[tuple[int, list[str]]]:
        """(ordinal of the first, segment texts without their terminators) per block read; the
        reader is consumed.  Blocks rather than single segments: one generator step per block."""
        raw = self._raw
        term = raw.seg_term
        fd = raw.fd
        buffer = raw.buffer
        raw.buffer = ""
        if "\x00" in buffer:
            raise InputError("binary data (NUL bytes) inside the file", segment=1)
        ordinal = 0
        # Line breaks between segments are layout, never data, unless one is the terminator.
        drop_breaks = term not in "\r\n"
        # a segment that starts with white space (no line break can follow a terminator once the
        # breaks are dropped: two scans of each block fewer)
        padded = tuple(term + c for c in (" \t" if drop_breaks else " \t\r\n"))
        unprintable, printable = self._unprintable, self._printable
        while True:
            if drop_breaks:
                buffer = buffer.replace("\n", "").replace("\r", "")
            if buffer.isascii():
                suspicious = bool(buffer.encode("ascii").translate(None, printable))
            else:
                suspicious = unprintable.search(buffer) is not None
            parts = buffer.split(term)
            # an empty part but the last (a block that ends at a terminator, as a sixth of them do)
            empty = parts.count("") > (parts[-1] == "")
            if empty or buffer[:1] in (" ", "\t", "\r", "\n") or any(p in buffer for p in padded):
                # as before: a part that starts with white space is stripped, an empty one dropped
                parts = [q for q in (_lstripped(part) for part in parts[:-1]) if q] + parts[-1:]
            buffer = parts.pop()
            if parts:
                if suspicious:
                    self._check_ids(parts, ordinal + 1)
                yield ordinal + 1, parts
                ordinal += len(parts)
            if len(buffer) > MAX_SEGMENT:
                raise InputError(
                    f"segment longer than {MAX_SEGMENT >> 20} MiB: no segment terminator in it",
                    segment=ordinal + 1,
                )
            chunk = fd.read(CHUNK)
            if not chunk:
                break
            if "\x00" in chunk:
                raise InputError("binary data (NUL bytes) inside the file", segment=ordinal + 1)
            buffer += chunk
        rest = buffer.strip()
        if rest:
            # The last segment has no terminator (a common export slip, or a file cut short):
            # hand it on so an unterminated IEA still closes the interchange.
            self.unterminated = True
            if unprintable.search(rest):
                self._check_ids([rest], ordinal + 1)
            yield ordinal + 1, [rest]

    def _check_ids(self, parts: list[str], first: int) -> None:
        """Refuse a segment whose identifier is an X12 one with unprintable characters in it (the
        slow path, for blocks that hold such a character somewhere)."""
        ele, unprintable = self._raw.ele_term, self._unprintable
        for ordinal, part in enumerate(parts, first):
            sid = part.partition(ele)[0]
            found = unprintable.search(sid)
            if found is None:
                continue
            cleaned = "".join(c for c in sid if c.isascii() and c.isalnum())
            if _SEGMENT_ID.fullmatch(cleaned):
                raise InputError(
                    f"unprintable character 0x{ord(found.group()) & 0xFF:02X} in the identifier of"
                    f" a {cleaned} segment (the segment would be lost)",
                    segment=ordinal,
                )

    def __iter__(self) -> Iterator[Segment]:
        ele = self._raw.ele_term
        for first, parts in self.blocks():
            for ordinal, text in enumerate(parts, first):
                yield Segment(ordinal, text.split(ele))


def open_segments(binary: BinaryIO, name: str) -> SegmentReader:
    return SegmentReader(binary, name)
