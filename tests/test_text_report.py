"""The text report's direct lines are rich's bytes: line by line against Console.print, and the
whole report against the same report written entirely through rich (scrubber/report/text_report.py)."""

from __future__ import annotations

import io
import random
import sys

import pytest
from reportkit import INDENT, TRICKY, WIDTH, findings, result
from rich.console import Console
from rich.text import Text

from scrubber.report import text_report
from scrubber.report.text_report import Lines, breaks


def console(out: io.StringIO, width: int = WIDTH, color: bool | None = False) -> Console:
    """The text report's Console (text_report.write), at ``width``."""
    return Console(
        file=out, force_terminal=color, no_color=color is False, width=width, highlight=False, soft_wrap=False
    )


def by_rich(texts: list[str], width: int = WIDTH, style: str = "") -> str:
    out = io.StringIO()
    c = console(out, width)
    for text in texts:
        c.print(Text(text, style=style))
    return out.getvalue()


def by_lines(texts: list[str], width: int = WIDTH, style: str = "") -> tuple[str, Lines]:
    out = io.StringIO()
    lines = Lines(console(out, width), out)
    for text in texts:
        lines.line(text, style)
    lines.flush()
    return out.getvalue(), lines


CRAFTED = [
    *TRICKY,
    *(INDENT + t for t in TRICKY),
    *("m" * n for n in (WIDTH - 1, WIDTH, WIDTH + 1, 2 * WIDTH, 2 * WIDTH + 1)),
    *(" " * n for n in (0, 1, WIDTH - 1, WIDTH, WIDTH + 1, 3 * WIDTH)),
    *((("w" * k + " ") * 40) for k in (1, 2, 3, 9, 10, 11, 59, 60, 61, 119, 120, 121)),
    *((("w" * k + "   ") * 30) for k in (4, 57, 58, 117, 118)),
    " " * 115 + "abcdefghij",  # leading spaces and a first word that crosses the width: rich folds it
    " " * 200 + "x",
    "x" + " " * 200 + "y",
    "a" * 119 + " " + "b" * 119 + " " + "c",
    "tab\t" * 40,
    "é" * 121,
    "…" * 240,
]


@pytest.mark.parametrize("style", ["", "bold", "dim"])
def test_crafted_lines_are_rich_bytes(style):
    text, _ = by_lines(CRAFTED, style=style)
    assert text == by_rich(CRAFTED, style=style)


def test_most_crafted_lines_are_written_directly(monkeypatch):
    """The test above compares something: rich prints only the lines it must (tabs, control, wide
    and combining characters, a word longer than the width)."""
    printed = []
    monkeypatch.setattr(Console, "print", lambda self, renderable: printed.append(renderable.plain))
    by_lines(CRAFTED)
    assert 0 < len(printed) < len(CRAFTED) / 3
    assert "tab\there" in printed and INDENT + "x" * (WIDTH - len(INDENT) + 1) in printed  # a fold
    assert INDENT + "x" * (WIDTH - len(INDENT)) not in printed  # exactly the width: direct


@pytest.mark.parametrize("text", CRAFTED, ids=range(len(CRAFTED)))
def test_each_crafted_line_alone(text):
    assert by_lines([text])[0] == by_rich([text])


def test_random_lines_at_several_widths_are_rich_bytes():
    rnd = random.Random(120)
    pieces = ["a", "bc", " ", "  ", "…", "é", "x" * 7, "-", ",", "漢", "\t", "q" * 25]
    for width in (4, 7, 10, 20, 40, 120):
        texts = [
            "".join(rnd.choice(pieces) if rnd.random() < 0.1 else rnd.choice(pieces[:9]) for _ in range(n))
            for n in (rnd.randint(0, 3 * width // 2) for _ in range(1500))
        ]
        assert by_lines(texts, width)[0] == by_rich(texts, width), width


def test_breaks_finds_rich_breaks_or_leaves_the_line_to_rich():
    """breaks() is None exactly where rich folds a word; otherwise its pieces are rich's lines."""
    rnd = random.Random(7)
    for _ in range(20000):
        width = rnd.choice((3, 5, 10, 30))
        text = "".join(rnd.choice(["a", "b", " ", "   ", "xyz", "q" * rnd.randint(1, 12)]) for _ in range(30))
        cuts = breaks(text, width)
        rich_lines = by_rich([text], width).split("\n")[:-1]
        folded = (
            any(len(w) > width for w in text.lstrip(" ").split())
            or len(text) - len(text.lstrip(" ")) + len((text.split() or [""])[0]) > width
        )
        if folded:
            assert cuts is None, (text, width)
            continue
        starts = [0, *cuts]
        ends = [*cuts, len(text)]
        assert [text[a:b][:width] for a, b in zip(starts, ends, strict=True)] == rich_lines, (text, width)


def test_white_space_in_printable_text_is_only_the_space():
    """breaks() looks only for " ": every other white space character is not printable, so such
    lines go through rich."""
    others = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c) != " "]
    assert others and not any(ch.isprintable() for ch in others)


def test_lines_go_through_rich_with_colour():
    out = io.StringIO()
    lines = Lines(console(out, color=True), out)
    assert not lines.direct
    lines.line("plain", "bold")
    assert out.getvalue() == "\x1b[1mplain\x1b[0m\n"


class AllRich(Lines):
    """Every line through the Console: the report as it was written before the direct lines."""

    __slots__ = ()

    def __init__(self, console, out):
        super().__init__(console, out)
        self.direct = False


def report(res, color: bool | None, all_rich: bool, monkeypatch) -> str:
    out = io.StringIO()
    with monkeypatch.context() as m:
        if all_rich:
            m.setattr(text_report, "Lines", AllRich)
        text_report.write(res, out, color=color)
    return out.getvalue()


@pytest.mark.parametrize("count", [0, 1, None, 400])
def test_whole_report_equals_the_all_rich_report(count, monkeypatch):
    items = findings(count)
    fast = report(result(items), False, False, monkeypatch)
    assert fast == report(result(items), False, True, monkeypatch)
    assert fast.count("\n") > 20


def test_report_without_extras_and_with_colour(monkeypatch):
    items = findings(60)
    assert report(result(items, extras=False), False, False, monkeypatch) == report(
        result(items, extras=False), False, True, monkeypatch
    )
    coloured = report(result(items), True, False, monkeypatch)
    assert "\x1b[" in coloured and coloured == report(result(items), True, True, monkeypatch)


@pytest.mark.parametrize("count", [1, None, 400])
def test_findings_written_as_text_by_the_workers_give_the_same_report(count, monkeypatch):
    """``text_report.text`` (what a worker of a split file writes for each finding, when the
    report has no colour) put among findings the main process writes itself (the envelope's):
    the same bytes as the report of the findings alone, tricky values and file and claim headings
    included."""
    items = findings(count)
    expected = report(result(items), False, False, monkeypatch)
    mixed = [text_report.text(f) if k % 3 != 2 else f for k, f in enumerate(items)]
    assert any(type(m) is tuple for m in mixed)
    res = result(items)
    res.findings = type(res.findings)(limit=50)
    for m in mixed:
        res.findings.add_text(m) if type(m) is tuple else res.findings.add(m)
    res.findings.waived = result(items).findings.waived
    assert report(res, False, False, monkeypatch) == expected
