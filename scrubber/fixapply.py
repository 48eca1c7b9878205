"""The fixer's core: apply Fix records to a window of raw segments, settle each touched claim
(LX renumbering, CLM02 as the sum of the line charges, a line charge scaled with its units) and
recount SE01 / GE01 / IEA01 as segments go by.  scrubber/fixer.py drives it pass by pass over a
whole file.  A fix the fixer cannot address or whose element no longer holds what the edit saw is
skipped and reported, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .findings import Finding, Fix
from .model import money, to_decimal
from .rawfile import RawFile, RawSegment
from .stream import clean_text

_POSITION = re.compile(r"^(\d{2,4})(?:-(\d{1,3}))?$")  # what follows the segment id: 01, 07-2, 100-2
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


class WindowPass:
    """One pass over one window of the file (a claim and the segments before it): apply the
    findings' fixes, then make the touched claim consistent.  ``base`` is the window's first
    index in the file the pass reads, ``out`` its first index in the file the pass writes."""

    def __init__(self, raw: RawFile, unsafe: bool, base: int = 0, out: int = 0):
        self.raw = raw
        self.unsafe = unsafe
        self.base = base
        self.out = out
        self.changes: list[Change] = []  # the edits' changes, in finding order
        self.deletes: list[tuple[int, Change]] = []  # (index in the file read, change)
        self.settled: list[Change] = []  # the fixer's own (LX renumbering, CLM02)
        self.skipped: list[Skipped] = []
        self.touched: dict[int, str | None] = {}  # claim start index -> claim id
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
            change = Change(
                finding.claim_id,
                finding.line,
                "LX",
                self.base + start + 1,
                "~".join(s.text for s in removed),
                "",
                finding.edit,
                finding.fix.title,
            )
            self.deletes.append((self.base + start, change))

    def _index(self, fix: Fix) -> int | None:
        ordinal = fix.loc.ordinal if fix.loc is not None else None
        return ordinal - 1 - self.base if isinstance(ordinal, int) else None

    def _current_matches(self, fix: Fix) -> bool:
        index = self._index(fix)
        if index is None or not 0 <= index < len(self.raw.segments):
            return False
        if self.raw.seg_id(index) != fix.loc.segment:
            return False
        if fix.op == "delete":
            return True
        if fix.op != "set" or not isinstance(fix.value, str) or self._address(index, fix.loc.element) is None:
            return False  # nothing the fixer knows how to write
        return fix.expect is None or self._get(index, fix.loc.element) == fix.expect

    def _address(self, index: int, element: str | None) -> tuple[int, int | None] | None:
        """(element position, component position or None) of ``element`` (``SV101-2``, ``HI100-2``)
        on the segment at ``index``, or None when it does not name one of its elements."""
        sid = self.raw.seg_id(index)
        if not isinstance(element, str) or not element.startswith(sid):
            return None
        match = _POSITION.match(element[len(sid) :])
        if match is None or int(match.group(1)) < 1 or (match.group(2) and int(match.group(2)) < 1):
            return None
        return int(match.group(1)), int(match.group(2)) - 1 if match.group(2) else None

    def _get(self, index: int, element: str) -> str:
        address = self._address(index, element)
        if address is None:
            return ""
        pos, cpos = address
        els = self.raw.elements(index)
        value = els[pos] if pos < len(els) else ""
        if cpos is not None:
            comps = value.split(self.raw.component)
            return comps[cpos] if cpos < len(comps) else ""
        return value

    def _set(self, index: int, element: str, value: str) -> str:
        """Set an element (or component); return the segment text before the change."""
        els = self.raw.elements(index)
        before = self.raw.segments[index].text
        pos, cpos = self._address(index, element)
        els += [""] * (pos + 1 - len(els))
        if cpos is not None:
            comps = els[pos].split(self.raw.component)
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
        index = self._index(fix)
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
        new = _money(charge / units_before * units, self._get(index, charge_element))
        if new is None or new == self._get(index, charge_element):
            return  # no X12 amount, or the same one (a charge of 0)
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
        starts = [i for i in range(len(raw.segments)) if raw.seg_id(i) == "CLM"]
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
                            f"Renumber the service line to {number}",
                        )
                elif sid in ("SV1", "SV2"):
                    charge = to_decimal(self._get(i, "SV102" if sid == "SV1" else "SV203"))
                    all_numeric &= charge is not None
                    total += charge or 0
            clm02 = self._get(start, "CLM02")
            value = _money(total, clm02) if all_numeric and number and to_decimal(clm02) != total else None
            if value is not None:
                self._record(
                    start,
                    claim_id,
                    None,
                    lambda j, v=value: self._set(j, "CLM02", v),
                    f"Set CLM02 to {value} (sum of line charges)",
                )

    def _record(self, index: int, claim_id, line, change: Callable[[int], str], title: str) -> None:
        before = change(index)
        self.settled.append(
            Change(
                claim_id,
                line,
                self.raw.seg_id(index),
                self.out + index + 1,
                before,
                self.raw.segments[index].text,
                "fixer",
                title,
            )
        )


def _money(value: Decimal, like: str) -> str | None:
    """``money`` for a computed amount, or None when it has no X12 form (too large, not finite)."""
    try:
        return money(value, like) if value.is_finite() else None
    except ArithmeticError:
        return None


class Recount:
    """SE01, GE01 and IEA01 set to what the segments before them hold (only where they differ),
    one segment at a time, in file order."""

    def __init__(self, element: str, drop_breaks: bool, changes: list[Change] | None):
        self.element, self.drop_breaks, self.changes = element, drop_breaks, changes
        self.st = self.gs_count = self.isa_count = 0

    def see(self, i: int, seg: RawSegment) -> None:
        text = clean_text(seg.text, self.drop_breaks)
        sid = text.split(self.element, 1)[0]
        if sid == "ISA":
            self.isa_count = 0
        elif sid == "GS":
            self.gs_count = 0
            self.isa_count += 1
        elif sid == "ST":
            self.st = i
            self.gs_count += 1
        elif sid in ("SE", "GE", "IEA"):
            want = str({"SE": i - self.st + 1, "GE": self.gs_count, "IEA": self.isa_count}[sid])
            els = text.split(self.element)
            if len(els) > 1 and els[1] != want:
                before = seg.text
                els[1] = want
                while len(els) > 1 and els[-1] == "":
                    els.pop()
                seg.text = self.element.join(els)
                if self.changes is not None:
                    self.changes.append(
                        Change(None, None, sid, i + 1, before, seg.text, "fixer", f"Recount {sid}01")
                    )


def recount(raw: RawFile, changes: list[Change] | None = None) -> None:
    """Set SE01, GE01 and IEA01 to what the file holds (only where they differ)."""
    counter = Recount(raw.element, raw.terminator not in "\r\n", changes)
    for i, seg in enumerate(raw.segments):
        counter.see(i, seg)
