"""Result records: severities, the category vocabulary (a contract), findings and fixes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .model import Loc

# The finding categories of DESIGN.md section 6: a contract, change only by adding.
CATEGORIES = (
    "structure",
    "balancing",
    "code-set",
    "time-units",
    "start-stop-missing",
    "admin-hierarchy",
    "dx-linkage",
    "modifier",
    "per-diem",
    "ndc",
    "drug-units",
    "ncci",
    "mue",
    "prior-auth",
    "supervision",
    "payer-policy",
    "engine",
)


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None

    label: str  # "error", "warning", "info": set on each member below


# A plain attribute, not a property: ``name`` is an enum property, and the engine and every report
# read the label of each finding (a property costs five times more).
for _member in Severity:
    _member.label = _member.name.lower()


FIX_SAFETY = ("safe", "unsafe")


@dataclass(frozen=True, slots=True)
class Fix:
    """An instruction for the fixer, never an action: ``set`` an element (or component) at ``loc``,
    or ``delete`` the segment at ``loc`` (at an LX: the whole service line)."""

    op: str
    loc: Loc
    value: str | None
    expect: str | None  # the value the edit saw; a stale fix is skipped
    safety: str
    title: str
    more: tuple[Fix, ...] = ()  # further changes that belong to the same fix (applied together)

    def __reduce__(self):  # a plain tuple: a slotted dataclass pickles field by field, 5x slower
        return (Fix, (self.op, self.loc, self.value, self.expect, self.safety, self.title, self.more))


# Hit and Finding are read-only by contract but not ``frozen=True``: a frozen dataclass sets each
# field through ``object.__setattr__``, 2.5x slower to build, and every finding is built once in
# the worker and once more in the main process when its pickle is loaded (unpickling a frozen
# finding cost five times more).  ``unsafe_hash`` keeps them hashable as frozen ones were.
@dataclass(slots=True, unsafe_hash=True)
class Hit:
    """One problem an edit found: where, the offending value, what was expected, message fields."""

    loc: Loc | None
    value: str | None = None
    expected: str | None = None
    fix: Fix | None = None
    fields: tuple[tuple[str, object], ...] = ()
    line: int | None = None  # LX01 when the edit is claim-scoped but the problem is on a line


def hit(
    loc: Loc | None,
    value: object = None,
    expected: object = None,
    *,
    fix: Fix | None = None,
    line: int | None = None,
    **fields: object,
) -> Hit:
    return Hit(
        loc,
        None if value is None else str(value),
        None if expected is None else str(expected),
        fix,
        tuple(fields.items()),
        line,
    )


class Hits(list):
    """What an edit returns: its hits, in order.  ``add`` takes ``hit``'s arguments.  (An edit may
    also be a generator of hits; a list costs the engine less on the many checks that find
    nothing.)"""

    __slots__ = ()

    def add(
        self,
        loc: Loc | None,
        value: object = None,
        expected: object = None,
        *,
        fix: Fix | None = None,
        line: int | None = None,
        **fields: object,
    ) -> None:
        # ``hit`` written out: one Python call fewer for each of a run's hits
        self.append(
            Hit(
                loc,
                None if value is None else str(value),
                None if expected is None else str(expected),
                fix,
                tuple(fields.items()),
                line,
            )
        )


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see Hit
class Finding:
    edit: str
    name: str
    category: str
    severity: Severity
    message: str
    file: str
    claim_id: str | None
    line: int | None
    loc: Loc | None
    value: str | None
    expected: str | None
    fix: Fix | None
    control: tuple[str, str, str] = ("", "", "")  # ISA13, GS06, ST02
    suppressed_by: str | None = None

    def __reduce__(self):
        """Pickled as the class and its fields in a tuple: the findings spool (FindingSink) and the
        worker results pickle every finding, and a slotted dataclass's own pickling (``fields()``
        and a ``getattr`` per field, then ``setattr`` per field) cost several times more."""
        return (
            Finding,
            (
                self.edit,
                self.name,
                self.category,
                self.severity,
                self.message,
                self.file,
                self.claim_id,
                self.line,
                self.loc,
                self.value,
                self.expected,
                self.fix,
                self.control,
                self.suppressed_by,
            ),
        )

    def as_dict(self) -> dict:
        """The JSON report's finding object (DESIGN.md section 5)."""
        loc = self.loc
        return {
            "file": self.file,
            "claim_id": self.claim_id,
            "line": self.line,
            "edit": self.edit,
            "name": self.name,
            "category": self.category,
            "severity": self.severity.label,
            "message": self.message,
            "location": None
            if loc is None
            else {"segment": loc.segment, "ordinal": loc.ordinal, "path": loc.path},
            "value": self.value,
            "expected": self.expected,
            "fix": None
            if self.fix is None
            else {
                "title": self.fix.title,
                "safety": self.fix.safety,
                "op": self.fix.op,
                "value": self.fix.value,
            },
            "control": {"isa13": self.control[0], "gs06": self.control[1], "st02": self.control[2]},
            "suppressed_by": self.suppressed_by,  # the waiver that waived it (scrubber/waivers.py)
        }
