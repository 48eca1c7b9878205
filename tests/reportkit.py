"""Crafted findings and results for the report writers' tests: every string field takes awkward
values in turn (quotes, separators, line breaks, tabs, control, wide, combining and non-ASCII
characters, a lone surrogate as surrogateescape leaves it, lengths around the text report's width),
with and without location, fix, claim, line and waiver."""

from __future__ import annotations

from decimal import Decimal
from itertools import cycle, islice

from scrubber.findings import Finding, Fix, Severity
from scrubber.model import Loc
from scrubber.pipeline import FileResult, Result

WIDTH = 120  # the text report's
INDENT = " " * 10  # before a message in the text report

TRICKY = [
    "",
    " ",
    "plain",
    'a "quoted" word',
    "comma, then more",
    "semi;colon",
    "line\nbreak",
    "carriage\rreturn\r\n",
    "=SUM(A1:A9)",
    "+1",
    "-1",
    "@cmd",
    "tab\there",
    "naïve café – 5 µg …",
    "wide 漢字 characters",
    "combining e\u0301",
    "nul\x00byte",
    "\x1b[31mescape",
    "del\x7f",
    "surrogate \udcff byte",
    "back\\slash",
    "'single'",
    "no\xa0break space",
    "line\u2028separator",
    "trailing spaces   ",
    "   leading spaces",
    "x" * (WIDTH - len(INDENT)),  # a message line of exactly the width
    "x" * (WIDTH - len(INDENT) + 1),  # one past it: a word rich folds
    ("word " * 30).strip(),
    "spaces " + " " * 150 + "after",
    " " * 200,
    "y" * 300,
    "No diagnosis on the claim supports J9312 (rituximab); expected one of M056, M057, M058A, M060, "
    "M068A, M069, M0600, M0610 …",
    ("ab " * 39) + "c",  # 118 + 10: wraps just past the width
    ("a" * 109) + " b",  # 10 + 112: the break falls on the last word
    ("a" * 110),  # 10 + 110: exactly the width
    ("a" * 109) + " ",  # 10 + 110 with a trailing space at the edge
    ("a" * 110) + " " + "b",  # the space sits just past the width
    ("a" * 50 + " ") * 5,
    "ünïcödé " * 20,
]
LINES = [None, 0, 1, 12, 2**40, 2**62]
ORDINALS = [None, 3, 2**31, 2**62]


def findings(count: int | None = None) -> list[Finding]:
    """Findings whose fields cycle through TRICKY at different strides, so values meet in many
    combinations; ``count`` defaults to enough for every value in every field."""
    n = len(TRICKY)
    count = count if count is not None else 3 * n

    def pick(i: int, stride: int) -> str:
        return TRICKY[(i * stride) % n]

    out = []
    severities = cycle(Severity)
    for i, severity in zip(range(count), severities, strict=False):
        loc = (
            None
            if i % 5 == 4
            else Loc(ORDINALS[i % len(ORDINALS)], "SV1", None if i % 3 else "SV102", pick(i, 7))
        )
        fix = None
        if i % 4 == 1:
            fix = Fix(
                "set", loc or Loc(1, "CLM"), None if i % 8 == 1 else pick(i, 11), None, "safe", pick(i, 3)
            )
        out.append(
            Finding(
                edit=f"E{i % 7:03}" if i % 9 else pick(i, 5),
                name=pick(i, 13) if i % 6 == 0 else "a-name",
                category="code-set" if i % 2 else pick(i, 17),
                severity=severity,
                message=pick(i, 1),
                file=f"in{i // 20}.x12" if i % 11 else pick(i, 19),
                claim_id=None if i % 10 == 3 else pick(i, 23),
                line=LINES[i % len(LINES)],
                loc=loc,
                value=None if i % 3 == 0 else pick(i, 29),
                expected=None if i % 4 == 0 else pick(i, 31),
                fix=fix,
                control=(pick(i, 37), "1", "0001"),
                suppressed_by=pick(i, 41) if i % 7 == 2 else None,
            )
        )
    return out


def result(items: list[Finding], *, extras: bool = True) -> Result:
    """A Result holding ``items`` (in a sink small enough to spool to disk), with files, counts,
    and with ``extras`` a fix's audit trail, skipped fixes, a gate summary, a baseline and money
    at risk."""
    res = Result(inputs=["in0.x12", "-"], started="2026-01-01T00:00:00+00:00")
    res.findings.limit = 50
    for f in items:
        res.findings.add(f)
        res.counts[f.severity.label] += f.suppressed_by is None
    files = sorted({f.file for f in items}) or ["in0.x12"]
    for k, name in enumerate(files):
        res.files.append(FileResult(name, "837P", k, "bad\theader" if k == 1 else None))
    res.claims = len(items)
    res.claims_with_errors = res.counts["error"]
    if extras:
        picks = list(islice(cycle(TRICKY), 12))
        res.changes = [
            {"edit": "E001", "claim_id": picks[k], "line": None if k % 2 else k, "title": picks[k + 1],
             "before": picks[k + 2], "after": picks[k + 3]}
            for k in range(0, 8, 2)
        ]  # fmt: skip
        res.fix_skipped = [{"edit": "E002", "claim_id": "C1", "reason": picks[5]}]
        res.gate = {
            "input_claims": 3,
            "clean_claims": 2,
            "clean": "c.x12",
            "held_claims": 1,
            "held": picks[6],
        }
        res.baseline = {"file": "base.json", "entries": 4, "hidden": 1, "stale": ["k"]}
        res.at_risk = {
            "charge": Decimal("1234.50"),
            "by_category": {"code-set": Decimal("1000"), "ndc": Decimal("234.5")},
        }
    return res
