"""Medically unlikely edits and NCCI procedure-to-procedure pairs (RULES.md B.1, B.2), from the
``mue`` and ``ncci_ptp`` tables in the CMS quarterly layouts (``scrub tables import`` loads the
real files).  The table is chosen by claim type: 837P practitioner, 837I facility / hospital."""

from functools import cache

from scrubber import tables
from scrubber.findings import Fix, Hits, hit
from scrubber.registry import Family

FAMILY = Family("mue-ncci", "Units over the medically unlikely edit; NCCI procedure-to-procedure pairs")

BYPASS = frozenset({"59", "XE", "XS", "XP", "XU"})
MUE_TABLE = {"837P": "practitioner", "837I": "facility"}
PTP_TABLE = {"837P": "practitioner", "837I": "hospital"}
MAI_POLICY = frozenset({"1", "2"})  # MUE adjudication indicators of MUE001 (line, date of service)
MAI_CLINICAL = frozenset({"3"})  # MUE002


@cache
def _keyed(name: str, width: int) -> frozenset:
    """The first ``width`` key columns of every row of a table: a quick "not in the table" test."""
    return frozenset(key[:width] for key in tables.get(name).rows)


def _units_by_code_day(claim, table: str) -> dict:
    """(code, date) -> lines with units, for the codes that have an MUE in ``table``."""
    listed = _keyed("mue", 2)
    found: dict = {}
    for line in claim.lines:
        if line.service is not None and (table, line.code) in listed and line.units is not None:
            found.setdefault((line.code, claim.line_date(line)), []).append(line)
    return found


def _mue_rows(claim) -> list:
    """(code, date, lines, MUE row) for every code of the claim with an MUE on its date."""
    table = MUE_TABLE[claim.transaction]
    by_code_day = _units_by_code_day(claim, table)
    if not by_code_day:
        return []
    mue = tables.get("mue")
    found = []
    for (code, day), lines in by_code_day.items():
        row = mue.lookup(table, code, on=day)
        if row is not None:
            found.append((code, day, lines, row))
    return found


def _mue_over(claim, ctx, adjudication: frozenset[str]) -> list:
    rows = ctx.once("mue", lambda: _mue_rows(claim))
    return list(_over(rows, adjudication)) if rows else []


def _over(rows: list, adjudication: frozenset[str]):
    for code, day, lines, row in rows:
        if row.values["mai"] not in adjudication:
            continue
        limit = int(row.values["mue_value"])
        if row.values["mai"] == "1":  # claim-line edit: each line on its own
            over = [(ln, ln.units) for ln in lines if ln.units > limit]
        else:  # date-of-service edits: units of the code on the date add up
            total = sum(ln.units for ln in lines)
            over = [(lines[-1], total)] if total > limit else []
        for line, units in over:
            yield hit(
                line.service.at(line.units_element),
                units,
                limit,
                line=line.number,
                code=code,
                mai=row.values["mai"],
                day=day,
            )


@FAMILY.edit(
    "MUE001",
    name="units-over-mue",
    category="mue",
    severity="error",
    scope="claim",
    message="{code}: {value} unit(s) on {day} exceed the medically unlikely edit of {expected} (MAI {mai})",
    references=("RULES.md B.2 MUE-01", "CMS MUE quarterly files"),
    examples={"fail": "SV1*HC:96365*190*UN*2***1~ (MUE 1 per date)"},
)
def units_over_mue(claim, ctx):
    """
    What it checks:
        Units of a code above its medically unlikely edit for the claim type's table (837P
        practitioner, 837I facility outpatient): per line for adjudication indicator 1, summed
        over the date of service for indicators 2 (policy) and 3 (clinical; MUE002).
    Why it matters:
        Units above the MUE are denied outright; with indicator 2 the denial cannot be appealed.
        Check the units and the table release (the shipped rows are illustrative).
    """
    return _mue_over(claim, ctx, MAI_POLICY)


@FAMILY.edit(
    "MUE002",
    name="units-over-clinical-mue",
    category="mue",
    severity="warning",
    scope="claim",
    message="{code}: {value} unit(s) on {day} exceed the medically unlikely edit of {expected} (MAI 3: "
    "payable on appeal with records)",
    references=("RULES.md B.2 MUE-01",),
    examples={"fail": "SV1*HC:96366*360*UN*9***1~ (MUE 8, MAI 3)"},
)
def units_over_clinical_mue(claim, ctx):
    """
    What it checks:
        Units of a code on a date of service above a medically unlikely edit whose adjudication
        indicator is 3 (based on clinical data).
    Why it matters:
        The excess units are denied, but the denial may be overturned on appeal with medical
        records: review the documentation before sending.
    """
    return _mue_over(claim, ctx, MAI_CLINICAL)


def _pairs(claim, ctx) -> list:
    """(column-1 line, column-2 line, table row) for every PTP pair billed on one date; computed
    once per claim for NCCI001 and NCCI002."""
    return ctx.once("ncci", lambda: list(_find_pairs(claim)))


def _find_pairs(claim):
    ptp = tables.get("ncci_ptp")
    table = PTP_TABLE[claim.transaction]
    column1, pairs = _keyed("ncci_ptp", 2), _keyed("ncci_ptp", 3)
    lines = [(ln, claim.line_date(ln)) for ln in claim.lines if ln.service is not None and ln.code]
    for first, day in lines:
        if (table, first.code) not in column1:
            continue
        for second, other_day in lines:
            if first is second or day != other_day or (table, first.code, second.code) not in pairs:
                continue
            row = ptp.lookup(table, first.code, second.code, on=day)
            if row is not None and row.values["modifier_indicator"] in ("0", "1"):
                yield first, second, row


@FAMILY.edit(
    "NCCI001",
    name="ptp-pair-without-modifier",
    category="ncci",
    severity="error",
    scope="claim",
    message="{value} is bundled into {expected} on the same date (NCCI); a distinct-service modifier "
    "(59, XE, XS, XP, XU) on {value} is needed when the services were separate",
    references=("RULES.md B.1 NCCI-01", "CMS NCCI PTP quarterly files"),
    examples={"fail": "SV1*HC:96365*190*UN*1***1~ and SV1*HC:36000*40*UN*1***1~ on one date"},
)
def ptp_pair_without_modifier(claim, ctx):
    """
    What it checks:
        Two codes billed on one date that form an NCCI procedure-to-procedure pair with modifier
        indicator 1: the column-2 code needs a distinct-service modifier to be paid.
    Why it matters:
        Without the modifier the column-2 service is denied as included in the column-1 service
        (for infusion: the IV start in the infusion). Add the modifier only when the record shows
        a separate site, encounter or practitioner.
    """
    hits = Hits()
    for first, second, row in _pairs(claim, ctx):
        if row.values["modifier_indicator"] == "1" and not BYPASS.intersection(second.modifiers):
            hits.add(
                second.service.at(f"{second.code_element}-2"), second.code, first.code, line=second.number
            )
    return hits


@FAMILY.edit(
    "NCCI002",
    name="ptp-pair-never-bypassed",
    category="ncci",
    severity="error",
    scope="claim",
    fix="unsafe",
    message="{value} is never paid with {expected} on the same date (NCCI modifier indicator 0)",
    references=("RULES.md B.1 NCCI-02",),
    examples={"fail": "SV1*HC:96413*410*UN*1***1~ and SV1*HC:96523*60*UN*1***1~ on one date"},
)
def ptp_pair_never_bypassed(claim, ctx):
    """
    What it checks:
        Two codes on one date that form an NCCI pair with modifier indicator 0: no modifier
        allows the column-2 code.
    Why it matters:
        The column-2 line is always denied. The fix removes it; it is unsafe because the line may
        belong on another date or claim.
    """
    hits = Hits()
    for first, second, row in _pairs(claim, ctx):
        if row.values["modifier_indicator"] == "0":
            fix = Fix(
                "delete",
                second.lx.at(),
                None,
                second.code,
                "unsafe",
                f"Remove line {second.number} ({second.code})",
            )
            hits.add(
                second.service.at(f"{second.code_element}-2"),
                second.code,
                first.code,
                line=second.number,
                fix=fix,
            )
    return hits
