"""External code sets (SNIP type 5): ICD-10-CM, NPI, HCPCS/CPT form, place of service, revenue codes."""

import dataclasses
import re
from functools import cache, lru_cache

from scrubber import icd10, tables
from scrubber.findings import Fix, Hits
from scrubber.registry import Family

FAMILY = Family("code-set", "Validity of codes against external code sets for the date of service")

ICD10_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})
HCPCS_LEVEL2 = re.compile(r"^[A-V]\d{4}$")
PROCEDURE_FORM = re.compile(r"^(?:\d{5}|\d{4}[FTU]|[A-V]\d{4})$")
REVENUE_FORM = re.compile(r"^\d{4}$")
ROLES = {  # NM101 entity codes of the provider loops, as the NPI finding names them
    "85": "Billing provider",
    "82": "Rendering provider",
    "DQ": "Supervising provider",
    "71": "Attending provider",
    "72": "Operating provider",
    "77": "Service facility",
    "DN": "Referring provider",
    "DK": "Ordering provider",
    "ZZ": "Other operating provider",
}


@cache
def npi_valid(npi: str) -> bool:
    """Luhn check over the 80840 prefix and the first nine digits (CMS NPI check digit)."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 24  # the constant contribution of the 80840 prefix
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def _icd10_codes(claim):
    for dx in claim.diagnoses:
        if dx.qualifier in ICD10_QUALIFIERS and dx.code:
            yield dx


@FAMILY.edit(
    "CS001",
    name="icd10-code-unknown",
    category="code-set",
    severity="error",
    scope="claim",
    message="Diagnosis {value} is not an ICD-10-CM code",
    references=("RULES.md G DX-06",),
    examples={"fail": "HI*ABK:M9999X~"},
)
def icd10_code_unknown(claim, ctx):
    """
    What it checks:
        Every ICD-10-CM diagnosis in HI (qualifiers ABK, ABF, ABJ, APR, ABN) exists in the
        ICD-10-CM tabular list (simple-icd-10-cm release), written without the period.
    Why it matters:
        A code that does not exist is rejected at the front end (SNIP type 5); often it is a
        typo or a code written with the period or a wrong character.
    """
    hits = Hits()
    day = tables.epoch(claim.service_date)
    for dx in _icd10_codes(claim):
        if "." in dx.code:
            continue  # CS008 reports codes written with a period
        if icd10.status_on(dx.code, day) == "unknown":
            hits.add(dx.loc, dx.code)
    return hits


@FAMILY.edit(
    "CS002",
    name="icd10-code-not-billable",
    category="code-set",
    severity="error",
    scope="claim",
    message="Diagnosis {value} is a category header, not a billable code; use one of {expected}",
    references=("RULES.md G DX-06",),
    examples={"fail": "HI*ABK:M057~ (M05.7 has children)"},
)
def icd10_code_not_billable(claim, ctx):
    """
    What it checks:
        Every ICD-10-CM diagnosis is billable on the date of service: coded to the full length,
        with no children in the tabular list (M05.7 is a header; M05.79 is billable). Codes whose
        status changed (G35 is billable through 2025-09-30 and a header from 2025-10-01) follow
        the icd10cm_history table for the date of service.
    Why it matters:
        Payers deny claims with truncated diagnosis codes. Code to the highest specificity that the
        documentation supports; the finding lists billable codes under the header.
    """
    hits = Hits()
    day = tables.epoch(claim.service_date)
    for dx in _icd10_codes(claim):
        code = dx.code.replace(".", "")
        if icd10.status_on(code, day) == "header":
            children = icd10.billable_children(code)
            hits.add(dx.loc, dx.code, ", ".join(children) + (" …" if len(children) == 6 else ""))
    return hits


@FAMILY.edit(
    "CS003",
    name="npi-check-digit",
    category="code-set",
    severity="error",
    scope="claim",
    message="{role} NPI {value} fails the NPI check digit",
    references=("45 CFR 162.406", "CMS NPI"),
    examples={"fail": "NM1*85*2*INFUSION CTR*****XX*1234567890~"},
)
def npi_check_digit(claim, ctx):
    """
    What it checks:
        Every NPI (NM108 = XX) on the claim's provider loops is ten digits whose last digit is the
        Luhn check digit computed with the 80840 prefix.
    Why it matters:
        An NPI that fails the check digit cannot belong to any provider; the claim is rejected at
        intake. It is almost always a typing error in the provider file.
    """
    hits = Hits()
    seen = set()
    for party in claim.parties():
        if party.npi is None or party.ref.ordinal in seen:
            continue
        seen.add(party.ref.ordinal)
        if not npi_valid(party.npi):
            line = next(
                (
                    ln.number
                    for ln in claim.lines
                    if party in (ln.rendering, ln.supervising, *ln.other_parties)
                ),
                None,
            )
            hits.add(
                party.ref.at("NM109"),
                party.npi,
                None,
                line=line,
                role=ROLES.get(party.entity, f"Provider ({party.entity})"),
            )
    return hits


@FAMILY.edit(
    "CS004",
    name="procedure-code-form",
    category="code-set",
    severity="error",
    scope="line",
    message="Procedure code {value!r} is not a CPT or HCPCS code",
    references=("HCPCS", "AMA CPT"),
    examples={"fail": "SV1*HC:9641*100*UN*1***1~"},
)
def procedure_code_form(line, ctx):
    """
    What it checks:
        With qualifier HC, the procedure code has the form of a CPT code (five digits, or four
        digits and F, T or U) or a HCPCS Level II code (a letter A-V and four digits).
    Why it matters:
        A code of the wrong form cannot be priced and the line is rejected (SNIP type 5). Only the
        form is checked here; whether a HCPCS Level II code is in effect on the date of service
        (a deleted code such as J2505) is CS009.
    """
    if line.proc_qualifier != "HC" or _procedure_form(line.code):
        return None  # the common case returns no list (the engine reads None as no hits)
    hits = Hits()
    hits.add(line.service.at(f"{line.code_element}-2"), line.code)
    return hits


@lru_cache(maxsize=4096)
def _procedure_form(code: str) -> bool:
    """PROCEDURE_FORM matches ``code`` (cached: a batch bills few codes)."""
    return PROCEDURE_FORM.match(code) is not None


@lru_cache(maxsize=4096)
def _revenue_form(code: str) -> bool:
    """REVENUE_FORM matches ``code`` (cached: a batch bills few revenue codes)."""
    return REVENUE_FORM.match(code) is not None


@lru_cache(maxsize=1 << 14)
def hcpcs_status(code: str, day) -> tuple[str, str] | None:
    """Why a HCPCS Level II code is not in effect on ``day`` by the shipped hcpcs table (cached; the
    engine passes the ``tables.epoch`` of the date of service)."""
    return status_in(tables.get("hcpcs"), code, day)


def status_in(table, code: str, day) -> tuple[str, str] | None:
    """(status, replacement) when ``code`` is not in effect on ``day`` in ``table``; None when it is,
    or when the table cannot tell (no row, and outside the ranges it holds completely)."""
    rows = table.rows.get((code,))
    if rows is None:
        if _complete(table, code):
            return f"not in HCPCS Level II release {table.release}", ""
        return None
    if any(row.covers(day) for row in rows):
        return None
    window = "; ".join(f"{row.effective_from or '…'} to {row.effective_to or 'open'}" for row in rows)
    replaced = next((r.values["replaced_by"] for r in reversed(rows) if r.values.get("replaced_by")), "")
    return f"in effect {window}", replaced


def _complete(table, code: str) -> bool:
    for span in table.meta.get("complete_ranges") or ():
        start, _, end = str(span).partition("-")
        if len(code) == len(start) and start <= code <= (end or start):
            return True
    return False


@FAMILY.edit(
    "CS009",
    name="hcpcs-code-not-effective",
    category="code-set",
    severity="error",
    scope="line",
    message="HCPCS {value} is not valid on the date of service {day} ({status}){replacement}",
    references=(
        "CMS HCPCS Level II quarterly file",
        "RULES.md D (J2505 replaced by J2506)",
        "RULES.md H SNIP 5",
    ),
    examples={"fail": "SV1*HC:J2505*4800*UN*1***1~ with DTP*472*D8*20261103 (J2506 since 2022-01-01)"},
)
def hcpcs_code_not_effective(line, ctx):
    """
    What it checks:
        A HCPCS Level II code (a letter A-V and four digits, qualifier HC) is in effect on the
        line's date of service in the hcpcs table: J2505 ended on 2021-12-31 and J2506 took over.
        A code the table has no row for is reported only where the table holds a code range
        completely (after `scrub tables import hcpcs` of the CMS file); the shipped table is
        partial, so a code it does not list is never called deleted. CPT codes (five digits) are
        not HCPCS Level II and are not checked here.
    Why it matters:
        Payers validate codes against the HCPCS file for the date of service (SNIP type 5); a
        deleted code is rejected, and its replacement often has another billing unit (J2506 is
        0.5 mg where J2505 was 6 mg), so the units must be recomputed: there is no automatic fix.
    """
    code = line.code
    if not code or code[0].isdigit() or line.proc_qualifier != "HC" or not HCPCS_LEVEL2.match(code):
        return None  # CPT codes (most lines) leave at the first test
    hits = Hits()
    day = ctx.claim.line_date(line)
    found = hcpcs_status(code, tables.epoch(day))
    if found is not None and line.service is not None:
        status, replaced = found
        hits.add(
            line.service.at(f"{line.code_element}-2"),
            line.code,
            replaced or None,
            day=day.isoformat() if day else "unknown",
            status=status,
            replacement=f"; use {replaced} and recompute the units" if replaced else "",
        )
    return hits


@FAMILY.edit(
    "CS005",
    name="place-of-service-unknown",
    category="code-set",
    severity="error",
    scope="claim",
    transactions=("837P",),
    message="Place of service {value!r} in {element} is not in the CMS code set for the date of service",
    references=("CMS Place of Service Code Set",),
    examples={"fail": "CLM*A1*100***98:B:1*Y*A*Y*Y~"},
)
def place_of_service_unknown(claim, ctx):
    """
    What it checks:
        On 837P, the claim's place of service (CLM05-1) and any line override (SV105) are codes of
        the CMS Place of Service code set in effect on the date of service.
    Why it matters:
        The place of service drives the fee schedule (facility or non-facility rate) and whether
        infusion codes are payable to the physician; an unknown code is rejected.
    """
    hits = Hits()
    pos = tables.get("place_of_service")
    day = claim.service_date
    if claim.facility_code and pos.lookup(claim.facility_code, on=day) is None:
        hits.add(claim.ref.at("CLM05-1"), claim.facility_code, element="CLM05-1")
    for line in claim.lines:
        code = line.place_of_service
        if code and line.service and pos.lookup(code, on=line.date_from or day) is None:
            hits.add(line.service.at("SV105"), code, line=line.number, element="SV105")
    return hits


@FAMILY.edit(
    "CS006",
    name="revenue-code-form",
    category="code-set",
    severity="error",
    scope="line",
    transactions=("837I",),
    fix="safe",
    message="Revenue code {value!r} must be four digits",
    references=("NUBC UB-04 revenue codes", "RULES.md F.1"),
    examples={"fail": "SV2*260*HC:96365*900*UN*1~"},
)
def revenue_code_form(line, ctx):
    """
    What it checks:
        On 837I, every service line's revenue code (SV201) is four digits (e.g. 0260, 0636).
    Why it matters:
        The revenue code routes the line to a cost center and a payment method; a malformed one
        rejects the line. Three-digit codes usually lost their leading zero in a spreadsheet.
    """
    if line.service is None or _revenue_form(line.revenue_code):
        return None
    hits = Hits()
    fix = None
    if re.fullmatch(r"\d{3}", line.revenue_code):
        loc = line.service.at("SV201")
        fix = Fix(
            "set",
            loc,
            "0" + line.revenue_code,
            line.revenue_code,
            "safe",
            f"Restore the leading zero: {'0' + line.revenue_code}",
        )
    hits.add(line.service.at("SV201"), line.revenue_code or "(blank)", fix=fix)
    return hits


@FAMILY.edit(
    "CS007",
    name="diagnosis-qualifier",
    category="code-set",
    severity="error",
    scope="claim",
    transactions=("837P",),
    fix="safe",
    effective_from="2015-10-01",
    message="HI qualifier {value} on diagnosis {position}: expected {expected}",
    references=("RULES.md G DX-04", "005010X222A1 2300 HI"),
    examples={"fail": "HI*BK:M0579~"},
)
def diagnosis_qualifier(claim, ctx):
    """
    What it checks:
        On 837P, the first diagnosis carries qualifier ABK (ICD-10-CM principal) and the others
        ABF; the ICD-9 qualifiers BK/BF are not used for dates of service from 2015-10-01.
    Why it matters:
        The qualifier tells the payer which code set to read; an ICD-9 qualifier on an ICD-10 code
        is rejected at intake.
    """
    hits = Hits()
    for dx in claim.diagnoses:
        want = "ABK" if dx.position == 1 else "ABF"
        if dx.qualifier != want:
            loc = dataclasses.replace(dx.loc, element=dx.loc.element.replace("-2", "-1"))
            hits.add(
                loc,
                dx.qualifier,
                want,
                position=dx.position,
                fix=Fix("set", loc, want, dx.qualifier, "safe", f"Set the qualifier to {want}"),
            )
    return hits


@FAMILY.edit(
    "CS008",
    name="icd10-code-has-period",
    category="code-set",
    severity="error",
    scope="claim",
    fix="safe",
    message="Diagnosis {value} is written with a period; X12 carries {expected}",
    references=("005010X222A1 HI note",),
    examples={"fail": "HI*ABK:M05.79~"},
)
def icd10_code_has_period(claim, ctx):
    """
    What it checks:
        Diagnosis codes in HI are written without the decimal point.
    Why it matters:
        The implementation guides forbid the period; most receivers reject the code.
    """
    hits = Hits()
    for dx in _icd10_codes(claim):
        if "." in dx.code:
            plain = dx.code.replace(".", "")
            hits.add(
                dx.loc,
                dx.code,
                plain,
                fix=Fix("set", dx.loc, plain, dx.code, "safe", f"Write the code as {plain}"),
            )
    return hits
