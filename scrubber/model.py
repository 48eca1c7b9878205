"""The claim model: small records built from segments (see build837.py).

The records are read-only by contract (edits never change them; the fixer works from Fix
records), but they are not ``frozen=True`` dataclasses: a frozen dataclass sets each field
through ``object.__setattr__`` and measured 3x slower to build, about a sixth of a scrub run,
since several records are made for every claim and line.

Every record keeps a :class:`SegRef` to the segment it came from, so an edit can point at the
exact element (``line.sv.at("SV104")``) and a fix can address the segment by its ordinal.
Values are kept as the strings found in the file; typed helpers (``charge``, ``units``) parse
leniently and return ``None`` when the text is not a number, because building never raises on
bad business data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, getcontext, localcontext
from functools import lru_cache


@dataclass(slots=True)
class Loc:
    """Where a value lives: segment ordinal in the file, segment id, element and loop path."""

    ordinal: int | None
    segment: str
    element: str | None = None
    loop: str = ""

    def __reduce__(self):  # a plain tuple: cheaper than a slotted dataclass's field-by-field state
        return (Loc, (self.ordinal, self.segment, self.element, self.loop))

    @property
    def path(self) -> str:
        tail = self.element or self.segment
        return f"{self.loop}/{tail}" if self.loop else tail


@dataclass(slots=True)
class SegRef:
    ordinal: int
    segment: str
    loop: str

    def at(self, element: str | None = None) -> Loc:
        return Loc(self.ordinal, self.segment, element, self.loop)


# An X12 R (decimal) element holds at most 18 digits, so no amount or quantity reaches 10**18;
# longer texts and larger values (``1E999``) are not numbers here, and arithmetic on what remains
# stays within Decimal's default 28-digit precision.
MAX_NUMBER_TEXT = 40
MAX_NUMBER_EXPONENT = 17
CENT = Decimal("0.01")


@lru_cache(maxsize=4096)
def to_decimal(text: str) -> Decimal | None:
    """A finite Decimal below 10**18, or None.  Cached: a batch repeats the same few unit and
    charge texts."""
    if len(text) > MAX_NUMBER_TEXT:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value.adjusted() > MAX_NUMBER_EXPONENT:
        return None
    return value


def to_count(text: str, digits: int = 18) -> int | None:
    """A whole number written in ASCII digits (a count, LX01, a diagnosis pointer), or None: no
    sign, no white space, at most ``digits`` digits (``int()`` refuses past 4,300 and
    ``str.isdigit`` accepts superscripts that ``int()`` does not)."""
    if not text or len(text) > digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def to_date(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def in_window(day: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether ``day`` falls in [start, end]; open ends and an unknown day always match."""
    if day is None:
        return True
    if start and day < start:
        return False
    return not (end and day > end)


@lru_cache(maxsize=4096)
def date_span(qualifier: str, text: str) -> tuple[dt.date | None, dt.date | None]:
    """DTP D8 ``CCYYMMDD`` or RD8 ``CCYYMMDD-CCYYMMDD`` -> (from, to)."""
    if qualifier == "RD8" and "-" in text:
        start, _, end = text.partition("-")
        return to_date(start), to_date(end)
    day = to_date(text[:8]) if qualifier in ("D8", "DT") else None
    return day, day


@dataclass(slots=True)
class Party:
    """An NM1 loop: entity code, name, identifier (NPI when NM108 = XX) and tax id."""

    entity: str
    ref: SegRef
    last_name: str = ""
    first_name: str = ""
    id_qualifier: str = ""
    identifier: str = ""
    tax_id: str = ""

    @property
    def npi(self) -> str | None:
        return self.identifier if self.id_qualifier == "XX" else None


@dataclass(slots=True)
class Subscriber:
    ref: SegRef  # the SBR segment
    responsibility: str  # SBR01 (P, S, T, ...)
    relationship: str  # SBR02 (18 = self)
    filing_indicator: str  # SBR09 (MB, MC, CI, ...)
    person: Party | None = None  # 2010BA NM1*IL
    payer: Party | None = None  # 2010BB NM1*PR


@dataclass(slots=True)
class Diagnosis:
    position: int  # 1-based position among the claim's HI diagnosis codes (what SV107 points at)
    qualifier: str
    code: str
    loc: Loc


@dataclass(slots=True)
class Note:
    qualifier: str
    text: str
    loc: Loc


@dataclass(slots=True)
class Drug:
    """Loop 2410: LIN NDC and CTP quantity."""

    ref: SegRef  # the LIN segment
    qualifier: str  # LIN02 (N4)
    ndc: str  # LIN03
    ctp: SegRef | None = None
    quantity: str = ""  # CTP04
    unit: str = ""  # CTP05-1


@dataclass(slots=True)
class ServiceLine:
    number: int | None  # LX01
    lx: SegRef
    service: SegRef | None  # SV1 (837P) or SV2 (837I)
    proc_qualifier: str = ""
    code: str = ""
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""  # SV201 (837I)
    charge_text: str = ""
    unit_basis: str = ""  # SV103 / SV204
    units_text: str = ""
    place_of_service: str = ""  # SV105 (837P)
    pointers: tuple[str, ...] = ()  # SV107-1..4 as written ("" where empty)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    date_ref: SegRef | None = None
    notes: tuple[Note, ...] = ()
    ref_6r: str = ""
    prior_auth: str = ""  # REF*G1
    prior_auth_ref: SegRef | None = None  # the 2400 REF*G1 segment (a fix deletes it)
    drugs: tuple[Drug, ...] = ()
    rendering: Party | None = None
    supervising: Party | None = None
    other_parties: tuple[Party, ...] = ()

    @property
    def charge(self) -> Decimal | None:
        return to_decimal(self.charge_text)

    @property
    def units(self) -> Decimal | None:
        return to_decimal(self.units_text)

    @property
    def code_element(self) -> str:
        return "SV202" if self.revenue_code or (self.service and self.service.segment == "SV2") else "SV101"

    @property
    def units_element(self) -> str:
        return "SV205" if self.service and self.service.segment == "SV2" else "SV104"

    @property
    def basis_element(self) -> str:
        return "SV204" if self.service and self.service.segment == "SV2" else "SV103"

    @property
    def charge_element(self) -> str:
        return "SV203" if self.service and self.service.segment == "SV2" else "SV102"


@dataclass(slots=True)
class Envelope:
    """Control numbers of the interchange / group / transaction a claim travels in."""

    isa13: str
    gs06: str
    st02: str
    version: str  # ST03 or GS08


@dataclass(slots=True)
class Claim:
    transaction: str  # "837P" or "837I"
    file: str
    envelope: Envelope
    ref: SegRef  # the CLM segment
    claim_id: str  # CLM01
    charge_text: str  # CLM02
    facility_code: str  # CLM05-1: place of service (837P) or facility type (837I)
    facility_qualifier: str  # CLM05-2: B (837P) or A (837I)
    frequency: str  # CLM05-3
    hl: SegRef | None = None
    submitter: Party | None = None
    billing_provider: Party | None = None
    subscriber: Subscriber | None = None
    patient: Party | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    prior_auth: str = ""  # 2300 REF*G1
    notes: tuple[Note, ...] = ()
    statement_from: dt.date | None = None  # 837I DTP*434
    statement_to: dt.date | None = None
    rendering: Party | None = None
    supervising: Party | None = None
    attending: Party | None = None
    other_parties: tuple[Party, ...] = ()
    lines: tuple[ServiceLine, ...] = ()
    segments: int = 0  # how many segments the claim spans (2300 through its last 2400)
    missing: tuple[str, ...] = field(default=())  # loops the builder expected but did not see

    @property
    def charge(self) -> Decimal | None:
        return to_decimal(self.charge_text)

    @property
    def payer(self) -> Party | None:
        return self.subscriber.payer if self.subscriber else None

    @property
    def filing_indicator(self) -> str:
        return self.subscriber.filing_indicator if self.subscriber else ""

    @property
    def type_of_bill(self) -> str:
        return f"{self.facility_code}{self.frequency}" if self.transaction == "837I" else ""

    # Earliest line date of service, else the statement from-date; set once (every edit reads it).
    service_date: dt.date | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.service_date = service_date(self.lines, self.statement_from)

    def line_date(self, line: ServiceLine) -> dt.date | None:
        """A line's date of service: its DTP*472, else the claim's service date."""
        return line.date_from or self.service_date

    def parties(self) -> list[Party]:
        found = [self.billing_provider, self.rendering, self.supervising, self.attending, *self.other_parties]
        for line in self.lines:
            found += [line.rendering, line.supervising, *line.other_parties]
        return [p for p in found if p is not None]


def service_date(lines: tuple[ServiceLine, ...], statement_from: dt.date | None) -> dt.date | None:
    """A claim's date of service: its earliest line date, else the statement from-date."""
    dates = [ln.date_from for ln in lines if ln.date_from]
    return min(dates) if dates else statement_from


@dataclass(slots=True)
class HLNode:
    ref: SegRef
    id: str
    parent: str
    level: str
    child_code: str


@dataclass(slots=True)
class Trailer:
    """A closed (or unclosed) envelope level with what its trailer said and what was counted."""

    kind: str  # "ST", "GS" or "ISA"
    header: SegRef
    control: str  # ST02 / GS06 / ISA13
    trailer: SegRef | None  # SE / GE / IEA, None when the file ended first
    trailer_control: str = ""
    declared_count: str = ""  # SE01 / GE01 / IEA01
    counted: int = 0  # segments (ST) / transactions (GS) / groups (ISA)
    version: str = ""  # ST03 (ST), GS08 (GS)
    group_version: str = ""  # the enclosing GS08, for ST
    hl_nodes: tuple[HLNode, ...] = ()


def money(value: Decimal, like: str = "") -> str:
    """An X12 decimal amount: no trailing zeros after the point, no point for whole amounts; or,
    given the amount it replaces (``like``), in that amount's style (``3490.00`` stays two places)."""
    if not value.is_finite():
        raise ValueError("not a finite amount")
    if not value:
        value = abs(value)  # no "-0"
    # precision for every digit of the amount: the default 28 would refuse a larger quantize (the
    # context is entered only then: a quantize that fits gives the same digits in either)
    prec = max(28, value.adjusted() + 4)
    if getcontext().prec >= prec:
        text = f"{value.quantize(CENT):f}"
    else:
        with localcontext() as ctx:
            ctx.prec = prec
            text = f"{value.quantize(CENT):f}"
    if "." in like and len(like.rsplit(".", 1)[1]) == 2:
        return text
    return text.rstrip("0").rstrip(".") if "." in text else text
