"""scrubber/stream.py: the raw segments of a file and its claims, with their context.

Line breaks inside a segment are layout when the terminator is not a line break (X12 readers drop
them), so a file with breaks anywhere, the middle of segment ids included, is walked into the same
claims as the file without them, and written back byte for byte.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from scrubber import stream
from scrubber.stream import RawStream, Walker

SAMPLES = Path(__file__).resolve().parents[1] / "sample_837"
FILES = sorted(p for p in SAMPLES.glob("*.x12") if p.name != "837p_truncated.x12")


def _walk(data: bytes) -> tuple[list[tuple], str]:
    stream = RawStream(io.BytesIO(data))
    walker = Walker(stream, stream.element, stream.drop_breaks)
    units, written = [], [stream.prefix]
    for unit in walker:
        units.append((unit.base, len(unit.segments), unit.claim, unit.claim_id))
        written += [seg.text + seg.after for seg in unit.segments]
    return units, "".join(written)


def _with_breaks(text: str, rng: random.Random) -> str:
    """Line breaks put inside segments (never before the ISA's end: it is fixed-width)."""
    out = list(text[:106])
    for ch in text[106:]:
        if ch not in "~\n" and rng.random() < 0.08:
            out.append(rng.choice(["\n", "\r\n", "\r"]))
        out.append(ch)
    return "".join(out)


@pytest.fixture(params=[1 << 20, 61, 997], ids=["one-chunk", "chunk61", "chunk997"])
def chunk(request, monkeypatch):
    """Read in chunks this size: small ones end in every part of a segment and its layout, and
    take the one-segment-a-line path between their first and last terminators."""
    monkeypatch.setattr(stream, "CHUNK", request.param)
    return request.param


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_breaks_inside_segments_walk_into_the_same_claims(path, chunk):
    data = path.read_bytes()
    units, written = _walk(data)
    assert written.encode() == data
    assert any(claim is not None for _, _, claim, _ in units)
    rng = random.Random(path.name)
    for _ in range(5):
        broken = _with_breaks(data.decode(), rng).encode()
        assert _walk(broken)[0] == units
        assert _walk(broken)[1].encode() == broken


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_file_on_one_line_walks_into_the_same_claims(path, chunk):
    data = path.read_bytes()
    one_line = data.replace(b"~\n", b"~").replace(b"~\r\n", b"~")
    assert _walk(one_line)[0] == _walk(data)[0]
    assert _walk(one_line)[1].encode() == one_line


@pytest.mark.parametrize("layout", ["~\n", "~\r\n", "~", "~\n\n", "~ \n"])
def test_layouts_are_written_back_byte_for_byte(layout, chunk):
    """One segment a line, CRLF, none, blank lines, a space before the line feed: each segment's
    text and what follows it, so the file is written back as it was, in any chunking."""
    data = (SAMPLES / "837p_defects.x12").read_bytes().replace(b"~\n", layout.encode())
    units, written = _walk(data)
    assert written.encode() == data
    assert units == _walk((SAMPLES / "837p_defects.x12").read_bytes())[0]
