"""Apply Fix records to an 837 and re-check, up to a small number of passes.

Edits only describe fixes (scrubber/findings.py ``Fix``); this module applies them to the raw
segments (scrubber/rawfile.py), so untouched segments stay byte-identical and changed ones keep
the source's delimiters and line endings.  After the edits' own changes it keeps the claim
consistent: a line whose units change has its charge scaled by its per-unit charge, LX numbers
are renumbered when a line is removed, CLM02 is recomputed as the sum of the line charges, and
SE01 / GE01 / IEA01 are recounted.  A stale fix (the element no longer holds what the edit saw)
or a second fix of the same element is skipped and reported.

An optional ``validator`` (pyx12's implementation-guide validation, scrubber/validate.py) judges
the result: a claim whose changes make pyx12 report an error the input did not have keeps its
original segments, and its fixes are reported as skipped.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .findings import Finding, Fix
from .model import money, to_decimal
from .pipeline import Engine, Result
from .rawfile import RawFile, RawSegment

MAX_PASSES = 3
_ELEMENT = re.compile(r"^([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d+))?$")
CLAIM_END = frozenset({"CLM", "HL", "SE", "GE", "IEA", "ISA", "GS", "ST"})
LOOP_END = frozenset({"LX"}) | CLAIM_END


@dataclass(frozen=True)
class Change:
    """One entry of the audit trail."""

    claim_id: str | None
    line: int | None
    segment: str
    ordinal: int | None  # the segment's ordinal in the file the pass read
    before: str
    after: str
    edit: str
    title: str

    def as_dict(self) -> dict:
        return {
            "claim_id": self.claim_id,
            "line": self.line,
            "segment": self.segment,
            "ordinal": self.ordinal,
            "before": self.before,
            "after": self.after,
            "edit": self.edit,
            "title": self.title,
        }


@dataclass
class Skipped:
    finding: Finding
    reason: str

    def as_dict(self) -> dict:
        return {
            "claim_id": self.finding.claim_id,
            "line": self.finding.line,
            "edit": self.finding.edit,
            "title": self.finding.fix.title if self.finding.fix else None,
            "reason": self.reason,
        }


@dataclass
class Outcome:
    data: bytes
    changes: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    passes: int = 0
    result: Result | None = None  # the re-check of the written data


def _claim_of(raw: RawFile, index: int) -> tuple[int, int] | None:
    """[start, end) of the claim (CLM .. before the next claim boundary) holding segment ``index``."""
    start = index
    while start >= 0 and raw.seg_id(start) != "CLM":
        if raw.seg_id(start) in CLAIM_END:
            return None
        start -= 1
    if start < 0:
        return None
    end = start + 1
    while end < len(raw.segments) and raw.seg_id(end) not in CLAIM_END:
        end += 1
    return start, end


def _loop_end(raw: RawFile, start: int) -> int:
    """End of what a delete at ``start`` removes: a whole service line at an LX, else one segment."""
    if raw.seg_id(start) != "LX":
        return start + 1
    end = start + 1
    while end < len(raw.segments) and raw.seg_id(end) not in LOOP_END:
        end += 1
    return end


class _Pass:
    """One pass: apply the findings' fixes to ``raw``, then make each touched claim consistent."""

    def __init__(self, raw: RawFile, unsafe: bool):
        self.raw = raw
        self.unsafe = unsafe
        self.changes: list[Change] = []
        self.skipped: list[Skipped] = []
        self.touched: dict[int, str | None] = {}  # claim start index -> claim id
        self.charges_changed: set[int] = set()
        self.deleted: list[tuple[int, int, Finding]] = []

    def apply(self, findings: list[Finding]) -> None:
        seen: dict[tuple[int, str], str] = {}
        for finding in findings:
            fix = finding.fix
            if fix is None or (fix.safety != "safe" and not self.unsafe):
                continue
            parts = (fix, *fix.more)
            targets = [(p.loc.ordinal, p.loc.element or "") for p in parts]
            clash = next((seen[t] for t in targets if t in seen), None)
            if clash is not None:
                self.skipped.append(Skipped(finding, f"conflicts with {clash} on the same element"))
                continue
            stale = next((p for p in parts if not self._current_matches(p)), None)
            if stale is not None:
                self.skipped.append(Skipped(finding, "stale: the element no longer holds what the edit saw"))
                continue
            for t in targets:
                seen[t] = finding.edit
            for part in parts:
                self._apply_one(part, finding)
        for start, end, finding in sorted(self.deleted, key=lambda d: -d[0]):
            claim = _claim_of(self.raw, start)
            removed = self.raw.segments[start:end]
            del self.raw.segments[start:end]
            if claim:
                self.touched[claim[0]] = finding.claim_id
            self.changes.append(
                Change(
                    finding.claim_id,
                    finding.line,
                    "LX",
                    start + 1,
                    "~".join(s.text for s in removed),
                    "",
                    finding.edit,
                    finding.fix.title,
                )
            )

    def _current_matches(self, fix: Fix) -> bool:
        index = fix.loc.ordinal - 1
        if not 0 <= index < len(self.raw.segments) or self.raw.seg_id(index) != fix.loc.segment:
            return False
        if fix.op == "delete":
            return True
        return fix.expect is None or self._get(index, fix.loc.element) == fix.expect

    def _get(self, index: int, element: str) -> str:
        els = self.raw.elements(index)
        match = _ELEMENT.match(element)
        pos = int(match.group(2))
        value = els[pos] if pos < len(els) else ""
        if match.group(3):
            comps = value.split(self.raw.component)
            cpos = int(match.group(3)) - 1
            return comps[cpos] if cpos < len(comps) else ""
        return value

    def _set(self, index: int, element: str, value: str) -> str:
        """Set an element (or component); return the segment text before the change."""
        els = self.raw.elements(index)
        before = self.raw.segments[index].text
        match = _ELEMENT.match(element)
        pos = int(match.group(2))
        els += [""] * (pos + 1 - len(els))
        if match.group(3):
            comps = els[pos].split(self.raw.component)
            cpos = int(match.group(3)) - 1
            comps += [""] * (cpos + 1 - len(comps))
            comps[cpos] = value
            while len(comps) > 1 and comps[-1] == "":
                comps.pop()
            els[pos] = self.raw.component.join(comps)
        else:
            els[pos] = value.replace(":", self.raw.component)  # fix values write components with ':'
        self.raw.set_elements(index, els)
        return before

    def _apply_one(self, fix: Fix, finding: Finding) -> None:
        index = fix.loc.ordinal - 1
        claim = _claim_of(self.raw, index)
        if fix.op == "delete":
            self.deleted.append((index, _loop_end(self.raw, index), finding))
            return
        units_before = None
        if fix.loc.element in ("SV104", "SV205"):
            units_before = to_decimal(self._get(index, fix.loc.element))
        before = self._set(index, fix.loc.element, fix.value)
        self._log(finding, fix, index, before, fix.title or finding.fix.title)
        if claim:
            self.touched[claim[0]] = finding.claim_id
        if units_before:
            self._scale_charge(index, fix, units_before, finding)

    def _scale_charge(self, index: int, fix: Fix, units_before: Decimal, finding: Finding) -> None:
        charge_element = "SV102" if fix.loc.element == "SV104" else "SV203"
        charge = to_decimal(self._get(index, charge_element))
        units = to_decimal(fix.value)
        if charge is None or units is None:
            return
        new = money(charge / units_before * units, self._get(index, charge_element))
        before = self._set(index, charge_element, new)
        self._log(finding, fix, index, before, f"Scale the charge to {new} for {fix.value} unit(s)")

    def _log(self, finding: Finding, fix: Fix, index: int, before: str, title: str) -> None:
        self.changes.append(
            Change(
                finding.claim_id,
                finding.line,
                fix.loc.segment,
                fix.loc.ordinal,
                before,
                self.raw.segments[index].text,
                finding.edit,
                title,
            )
        )

    def settle_claims(self) -> None:
        """Renumber LX and recompute CLM02 in every claim this pass changed."""
        raw = self.raw
        starts = [i for i, s in enumerate(raw.segments) if raw.seg_id(i) == "CLM"]
        touched_ids = set(self.touched.values())
        for start in starts:
            claim_id = raw.elements(start)[1] if len(raw.elements(start)) > 1 else None
            if claim_id not in touched_ids:
                continue
            _, end = _claim_of(raw, start)
            total, number, all_numeric = Decimal(0), 0, True
            for i in range(start + 1, end):
                sid = raw.seg_id(i)
                if sid == "LX":
                    number += 1
                    if raw.elements(i)[1:2] != [str(number)]:
                        self._record(
                            i,
                            claim_id,
                            number,
                            lambda j, n=number: self._set(j, "LX01", str(n)),
                            "fixer",
                            f"Renumber the service line to {number}",
                        )
                elif sid in ("SV1", "SV2"):
                    charge = to_decimal(self._get(i, "SV102" if sid == "SV1" else "SV203"))
                    all_numeric &= charge is not None
                    total += charge or 0
            clm02 = self._get(start, "CLM02")
            if all_numeric and number and to_decimal(clm02) != total:
                value = money(total, clm02)
                self._record(
                    start,
                    claim_id,
                    None,
                    lambda j, v=value: self._set(j, "CLM02", v),
                    "fixer",
                    f"Set CLM02 to {value} (sum of line charges)",
                )

    def _record(
        self, index: int, claim_id, line, change: Callable[[int], str], edit: str, title: str
    ) -> None:
        before = change(index)
        self.changes.append(
            Change(
                claim_id,
                line,
                self.raw.seg_id(index),
                index + 1,
                before,
                self.raw.segments[index].text,
                edit,
                title,
            )
        )


def recount(raw: RawFile, changes: list[Change] | None = None) -> None:
    """Set SE01, GE01 and IEA01 to what the file holds (only where they differ)."""
    st = gs_count = isa_count = 0
    for i in range(len(raw.segments)):
        sid = raw.seg_id(i)
        if sid == "ISA":
            isa_count = 0
        elif sid == "GS":
            gs_count = 0
            isa_count += 1
        elif sid == "ST":
            st = i
            gs_count += 1
        elif sid in ("SE", "GE", "IEA"):
            want = {"SE": i - st + 1, "GE": gs_count, "IEA": isa_count}[sid]
            els = raw.elements(i)
            if len(els) > 1 and els[1] != str(want):
                before = raw.segments[i].text
                els[1] = str(want)
                raw.set_elements(i, els)
                if changes is not None:
                    changes.append(
                        Change(
                            None, None, sid, i + 1, before, raw.segments[i].text, "fixer", f"Recount {sid}01"
                        )
                    )


def fix_data(
    data: bytes,
    name: str,
    engine: Engine,
    *,
    unsafe: bool = False,
    max_passes: int = MAX_PASSES,
    validator: Callable[[bytes], list] | None = None,
) -> Outcome:
    """Fix ``data`` (an 837's bytes) with the findings ``engine`` reports, re-checking each pass."""
    outcome = Outcome(data)
    current = data
    record = engine.times
    result = engine.scrub_data(current, name)
    for _ in range(max_passes):
        findings = [f for f in result.findings if f.fix is not None]
        if not findings:
            break
        raw = RawFile.parse(current)
        step = _Pass(raw, unsafe)
        step.apply(findings)
        outcome.skipped += step.skipped
        if not step.changes:
            break
        step.settle_claims()
        recount(raw, step.changes)
        outcome.changes += step.changes
        outcome.passes += 1
        if engine.times.rows:  # the record's rows follow the renumbered lines (keyed by CLM01 + LX01)
            engine.times = engine.times.renumbered(_line_moves(RawFile.parse(current), raw, step.changes))
        current = raw.to_bytes()
        result = engine.scrub_data(current, name)
    if validator is not None and current != data:
        current, result = _keep_what_validates(data, current, name, engine, validator, outcome)
    engine.times = record
    outcome.data, outcome.result = current, result
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


def _line_moves(before: RawFile, after: RawFile, changes: list[Change]) -> dict[tuple[str, str], str | None]:
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


def _claims(raw: RawFile) -> dict[str, tuple[int, int]]:
    found = {}
    for i in range(len(raw.segments)):
        if raw.seg_id(i) == "CLM":
            found.setdefault(raw.elements(i)[1], _claim_of(raw, i))
    return found


def _errors_by_claim(raw: RawFile, errors: list) -> dict[str | None, list[tuple[str, str]]]:
    spans = _claims(raw)
    out: dict[str | None, list[tuple[str, str]]] = {}
    for err in errors:
        owner = next((cid for cid, (a, b) in spans.items() if err.ordinal and a < err.ordinal <= b), None)
        out.setdefault(owner, []).append((err.segment, err.code))
    return out


def _keep_what_validates(
    original: bytes, fixed: bytes, name: str, engine: Engine, validator, outcome: Outcome
):
    """Revert every claim whose fixes add an implementation-guide error the input did not have."""
    before = _errors_by_claim(RawFile.parse(original), validator(original))
    raw_fixed = RawFile.parse(fixed)
    after = _errors_by_claim(raw_fixed, validator(fixed))
    worse = [
        cid
        for cid, errs in after.items()
        if cid is not None
        and sorted(errs) != sorted(before.get(cid, []))
        and len(errs) >= len(before.get(cid, []))
    ]
    if not worse:
        return fixed, engine.scrub_data(fixed, name)
    source = _claims(RawFile.parse(original))
    original_raw = RawFile.parse(original)
    for cid in worse:
        if cid not in source:
            continue
        a, b = _claims(raw_fixed)[cid]
        oa, ob = source[cid]
        raw_fixed.segments[a:b] = [RawSegment(s.text, s.after) for s in original_raw.segments[oa:ob]]
        reverted = [c for c in outcome.changes if c.claim_id == cid]
        outcome.changes = [c for c in outcome.changes if c.claim_id != cid]
        for change in reverted:
            outcome.skipped.append(
                Skipped(
                    _pseudo_finding(change, name),
                    "pyx12 reports an implementation-guide error this change would add",
                )
            )
    recount(raw_fixed, outcome.changes)
    fixed = raw_fixed.to_bytes()
    return fixed, engine.scrub_data(fixed, name)


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
