"""The JSON report (DESIGN.md section 5, a contract: fields may be added, never changed).

Findings are streamed in batches, so a large run never holds the whole document in memory.  Each
finding is written straight from its attributes (``finding_json``), three times as fast as
``json.dumps(finding.as_dict())`` and the same bytes: tests/test_json_report.py holds the two
together.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from itertools import islice
from json.encoder import encode_basestring_ascii as _str  # json.dumps' own string encoder (C)
from typing import TextIO

from .. import __version__, tables
from ..findings import Finding, Severity
from ..pipeline import Result
from .claims import money_at_risk

SCHEMA_VERSION = 1
BATCH = 1000  # findings per write
SEPARATORS = (", ", ": ")  # one finding a line, spaced as json.dumps(..., indent=None) spaces it
_SEVERITY = {s: _str(s.label) for s in Severity}
_encode = json.JSONEncoder(separators=SEPARATORS).encode
_MARK = f"\x00changes {uuid.uuid4().hex}\x00"  # where the audit trail goes in the header's text


def header(result: Result) -> dict:
    head = {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "tool_version": __version__,
            "tables": tables.releases(),
            "started": result.started,
            "inputs": ["<stdin>" if i == "-" else i for i in result.inputs],
            "times": result.times,  # the administration record (INF005 findings name it as their file)
        },
        "summary": {
            "files": len(result.files),
            "claims": result.claims,
            "claims_with_errors": result.claims_with_errors,
            "findings": dict(result.counts),
            "waived": result.findings.waived,  # findings kept with suppressed_by, not counted above
            "baseline": result.baseline,  # --baseline: file, entries, hidden, stale (scrubber/baseline.py)
            "money_at_risk": money_at_risk(result),  # an addition to the DESIGN.md contract
        },
        "files": [f.as_dict() for f in result.files],
    }
    # additions for scrub fix (audit trail) and scrub gate (split summary)
    for key in ("changes", "fix_skipped", "gate"):
        if getattr(result, key) is not None:
            head[key] = getattr(result, key)
    return head


def _opt(text: str | None) -> str:
    return "null" if text is None else _str(text)


def _int(number: int | None) -> str:
    if number is None:
        return "null"
    if type(number) is not int:  # a bool or an int subclass: json.dumps knows best
        raise TypeError(type(number).__name__)
    return str(number)


# The texts of the parts that recur from finding to finding, made once: the edit's id, name,
# category and severity; the control numbers; a location's segment and path (around its ordinal).
# Each cache is emptied when it reaches PARTS entries, so a file of many transaction sets or
# locations does not grow it without bound.
PARTS = 4096
_EDIT_PARTS: dict = {}
_CONTROL_PARTS: dict = {}
_LOC_PARTS: dict = {}


def _cached(cache: dict, key, make: Callable[[], str]) -> str:
    """``cache[key]``, made on first use; the cache is emptied when it holds PARTS texts."""
    text = cache.get(key)
    if text is None:
        if len(cache) >= PARTS:
            cache.clear()
        text = cache[key] = make()
    return text


def _edit_part(f: Finding) -> str:
    return _cached(
        _EDIT_PARTS,
        (f.edit, f.name, f.category, f.severity),
        lambda: (
            f'"edit": {_str(f.edit)}, "name": {_str(f.name)}, "category": {_str(f.category)}, '
            f'"severity": {_SEVERITY[f.severity]}'
        ),
    )


def _control_part(control: tuple) -> str:
    return _cached(
        _CONTROL_PARTS,
        control,
        lambda: (
            f'"control": {{"isa13": {_str(control[0])}, "gs06": {_str(control[1])}, '
            f'"st02": {_str(control[2])}}}'
        ),
    )


def _loc_parts(loc) -> tuple[str, str]:
    key = (loc.segment, loc.element, loc.loop)
    parts = _LOC_PARTS.get(key)
    if parts is None:
        if len(_LOC_PARTS) >= PARTS:
            _LOC_PARTS.clear()
        parts = _LOC_PARTS[key] = (
            f'{{"segment": {_str(loc.segment)}, "ordinal": ',
            f', "path": {_str(loc.path)}}}',
        )
    return parts


def _fast(f: Finding) -> str:
    """``finding_json``'s text built field by field; raises TypeError (or KeyError) on a value
    of a type the finding does not declare."""
    loc, fix = f.loc, f.fix
    if loc is None:
        location = "null"
    else:
        before, after = _loc_parts(loc)
        location = before + _int(loc.ordinal) + after
    fixed = (
        "null"
        if fix is None
        else f'{{"title": {_str(fix.title)}, "safety": {_str(fix.safety)}, "op": {_str(fix.op)}, '
        f'"value": {_opt(fix.value)}}}'
    )
    return (
        f'{{"file": {_str(f.file)}, "claim_id": {_opt(f.claim_id)}, "line": {_int(f.line)}, '
        f'{_edit_part(f)}, "message": {_str(f.message)}, "location": {location}, '
        f'"value": {_opt(f.value)}, "expected": {_opt(f.expected)}, "fix": {fixed}, '
        f"{_control_part(f.control)}, "
        f'"suppressed_by": {_opt(f.suppressed_by)}}}'
    )


def finding_json(f: Finding) -> str:
    """``json.dumps(f.as_dict(), separators=SEPARATORS)``: one finding of the report, on one line."""
    try:
        return _fast(f)
    except (TypeError, KeyError):
        return _encode(f.as_dict())


def _text(f: Finding | str) -> str:
    """A finding's text; a worker may have written it already (``text``, Engine.render)."""
    return f if type(f) is str else finding_json(f)


text = finding_json  # Engine.render for this format


def _items(texts: Iterator[str], out: TextIO) -> bool:
    """A top-level array's items, one a line at four spaces in, as ``json.dumps(..., indent=2)``
    places them; BATCH a write.  Whether there was any (the closing bracket's line differs)."""
    first = True
    while batch := list(islice(texts, BATCH)):
        out.write(("\n    " if first else ",\n    ") + ",\n    ".join(batch))
        first = False
    return not first


def _changes(changes, out: TextIO) -> None:
    """The audit trail as ``json.dumps(header, indent=2)`` lays it out, a change at a time."""
    out.write("[")
    texts = (json.dumps(c, indent=2).replace("\n", "\n    ") for c in changes)
    out.write("\n  ]" if _items(texts, out) else "]")


def write(result: Result, out: TextIO) -> None:
    meta = header(result)
    changes = meta.get("changes")
    if changes is not None:  # streamed where a placeholder stands: it may be long (a spooled trail)
        meta["changes"] = _MARK
    head = json.dumps(meta, indent=2)
    if changes is not None:
        before, head = head.split(_encode(_MARK), 1)
        out.write(before)
        _changes(changes, out)
    out.write(head[:-2] + ',\n  "findings": [')
    out.write("\n  ]\n}\n" if _items(map(_text, result.findings), out) else "]\n}\n")
