"""NDC on the claim (RULES.md E): the 11-digit form of LIN03 and its 10-to-11-digit conversion,
the LIN02 qualifier, the CTP quantity and unit of measure, the NDC-to-HCPCS crosswalk, and what a
payer profile requires (the ``ndc_policy`` table, overridable in configuration: scrubber/policy.py).
Which codes are drugs comes from the ``drugs`` table; NDC facts from ``ndc_strengths``."""

from scrubber import policy, tables
from scrubber.findings import Fix, Hits
from scrubber.model import to_decimal
from scrubber.registry import Family

FAMILY = Family("ndc", "National Drug Code form, qualifier, quantity and unit in loop 2410")

NDC_QUALIFIER = "N4"
# LIN02 codes the 837P map allows (the 837I allows N4 only)
LIN02_837P = frozenset({"N4", "EN", "EO", "HI", "ON", "UK", "UP"})
# CTP05-1 codes of both maps: international unit, gram, milligram, millilitre, unit
UNIT_QUALIFIERS = ("F2", "GR", "ME", "ML", "UN")
# hyphenated NDC layouts -> which segment gets the leading zero of the 5-4-2 billing form
_PAD = {(4, 4, 2): 0, (5, 3, 2): 1, (5, 4, 1): 2, (5, 4, 2): -1}


def layout(text: str) -> str | None:
    """``4-4-2`` for a hyphenated NDC of digits, else None."""
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return "-".join(str(len(p)) for p in parts)


def eleven_digits(text: str) -> str | None:
    """The 11-digit 5-4-2 billing form of an NDC: itself when already 11 digits; for a hyphenated
    4-4-2, 5-3-2 or 5-4-1 NDC the segment that is one digit short gets a leading zero (a
    hyphenated 5-4-2 loses its hyphens).  None when the form cannot be known: a bare 10-digit NDC
    could be any of the three layouts."""
    if len(text) == 11 and text.isdigit():
        return text
    parts = text.split("-")
    if layout(text) is None:
        return None
    pad = _PAD.get(tuple(len(p) for p in parts))
    if pad is None:
        return None
    if pad >= 0:
        parts[pad] = "0" + parts[pad]
    return "".join(parts)


def is_drug(line, ctx) -> bool:
    """A line whose HCPCS code is in the ``drugs`` table for its date of service."""
    return (
        line.service is not None
        and tables.get("drugs").lookup(line.code, on=ctx.claim.line_date(line)) is not None
    )


@FAMILY.edit(
    "NDC001",
    name="ndc-not-11-digits",
    category="ndc",
    severity="error",
    scope="line",
    applies_to="ndc",
    fix="safe",
    message="NDC {value!r} in LIN03 is not 11 digits in the 5-4-2 billing form: {detail}",
    references=("RULES.md E NDC-01", "RULES.md E NDC-02", "RULES.md M T13"),
    examples={"fail": "LIN**N4*0002759701~ (10 digits) or LIN**N4*0002-7597-01~ (hyphenated)"},
)
def ndc_not_11_digits(line, ctx):
    """
    What it checks:
        With qualifier N4, LIN03 is exactly 11 digits (5-4-2, no hyphens). A hyphenated NDC is
        converted by its layout: 4-4-2 gets a zero before the labeler (0002-7597-01 becomes
        00002759701), 5-3-2 before the product, 5-4-1 before the package; a hyphenated 5-4-2
        only loses its hyphens. These conversions are safe fixes. A bare 10-digit NDC has no
        fix: it could be any of the three layouts, and only the package or the FDA NDC
        Directory tells which.
    Why it matters:
        Payers match the NDC digit for digit against the FDA directory and their rebate files;
        a 10-digit or hyphenated NDC rejects the line (Medicaid) or the claim.
    """
    hits = Hits()
    for drug in line.drugs:
        if drug.qualifier != NDC_QUALIFIER or (len(drug.ndc) == 11 and drug.ndc.isdigit()):
            continue
        loc = drug.ref.at("LIN03")
        fixed = eleven_digits(drug.ndc)
        if fixed is not None:
            shape = layout(drug.ndc)
            fix = Fix("set", loc, fixed, drug.ndc, "safe", f"Write the NDC as {fixed} (from {shape})")
            hits.add(loc, drug.ndc, fixed, fix=fix, detail=f"the hyphenated {shape} form converts to {fixed}")
        elif len(drug.ndc) == 10 and drug.ndc.isdigit():
            detail = (
                "a 10-digit NDC without hyphens could be 4-4-2, 5-3-2 or 5-4-1; take the 11-digit "
                "form from the package label or the FDA NDC Directory"
            )
            hits.add(loc, drug.ndc, None, detail=detail)
        else:
            hits.add(loc, drug.ndc or "(blank)", None, detail="take the 11-digit form from the package label")
    return hits


@FAMILY.edit(
    "NDC002",
    name="ndc-qualifier",
    category="ndc",
    severity="error",
    scope="line",
    applies_to="ndc",
    fix="safe",
    message="LIN02 qualifier {value!r} is not valid on {transaction} ({expected})",
    references=("RULES.md E NDC-03", "005010X222A1 / 005010X223A2 2410 LIN02"),
    examples={"fail": "837I: LIN**EN*50242005121~ (the 837I allows N4 only)"},
)
def ndc_qualifier(line, ctx):
    """
    What it checks:
        LIN02 of loop 2410 is N4 on 837I (the only code the institutional guide allows), and one
        of the product-id qualifiers of the professional guide on 837P (N4, EN, EO, HI, ON, UK,
        UP). When LIN03 has the form of an NDC (11 digits, or a hyphenated NDC), the fix sets
        LIN02 to N4; that is safe because N4 is the only qualifier that describes an NDC.
    Why it matters:
        The qualifier tells the payer that LIN03 is an NDC; a missing or wrong one rejects the
        claim at the front end, and the NDC is not read at all.
    """
    hits = Hits()
    transaction = ctx.claim.transaction
    allowed = LIN02_837P if transaction == "837P" else frozenset({NDC_QUALIFIER})
    for drug in line.drugs:
        if drug.qualifier in allowed:
            continue
        loc = drug.ref.at("LIN02")
        fix = None
        if eleven_digits(drug.ndc) is not None:
            fix = Fix("set", loc, NDC_QUALIFIER, drug.qualifier, "safe", "Set LIN02 to N4 (NDC)")
        expected = "N4" if transaction == "837I" else "N4 for an NDC"
        hits.add(loc, drug.qualifier or "(blank)", expected, fix=fix, transaction=transaction)
    return hits


@FAMILY.edit(
    "NDC003",
    name="ndc-unit-of-measure",
    category="ndc",
    severity="error",
    scope="line",
    applies_to="ndc",
    message="NDC unit of measure {value!r} in CTP05-1 is not one of F2, GR, ME, ML, UN{hint}",
    references=("RULES.md E NDC-04", "RULES.md M T27", "X12 RFI 591"),
    examples={"fail": "CTP****100*MG~ (milligrams are ME)"},
)
def ndc_unit_of_measure(line, ctx):
    """
    What it checks:
        The unit of measure of the NDC quantity (CTP05-1) is F2 (international unit), GR (gram),
        ME (milligram), ML (millilitre) or UN (unit), the codes both 837 guides allow.
    Why it matters:
        The payer cannot read the NDC quantity without a valid unit and rejects the claim. A
        common slip is MG for milligrams, which X12 writes ME. Some payers accept only the
        NCPDP billing units (UN, ML, GR, F2) and reject ME; that is payer-specific.
    """
    hits = Hits()
    for drug in line.drugs:
        if drug.ctp is None or drug.unit in UNIT_QUALIFIERS:
            continue
        hint = "; milligrams are ME" if drug.unit.upper() in ("MG", "MGS") else ""
        if drug.unit.upper() in ("GM", "G"):
            hint = "; grams are GR"
        hits.add(drug.ctp.at("CTP05-1"), drug.unit or "(blank)", "F2, GR, ME, ML or UN", hint=hint)
    return hits


@FAMILY.edit(
    "NDC004",
    name="ndc-quantity-not-positive",
    category="ndc",
    severity="warning",
    scope="line",
    applies_to="ndc",
    message="NDC {ndc} has no quantity greater than zero in CTP04 ({value})",
    references=("RULES.md E NDC-08", "X12 RFI 1924"),
    examples={"fail": "LIN**N4*50242005121~ CTP****0*ML~"},
)
def ndc_quantity_not_positive(line, ctx):
    """
    What it checks:
        Every NDC in loop 2410 has a CTP segment whose CTP04 (national drug unit count) is a
        number greater than zero.
    Why it matters:
        The NDC quantity is how Medicaid rebates and payer unit edits measure the drug; a zero,
        negative or missing quantity is rejected or priced at nothing. Check the dispensing
        record for the amount given.
    """
    hits = Hits()
    for drug in line.drugs:
        if drug.ctp is None:
            hits.add(drug.ref.at("LIN03"), "no CTP segment", None, ndc=drug.ndc or "(blank)")
            continue
        quantity = to_decimal(drug.quantity)
        if quantity is None or quantity <= 0:
            hits.add(drug.ctp.at("CTP04"), drug.quantity or "(blank)", None, ndc=drug.ndc or "(blank)")
    return hits


@FAMILY.edit(
    "NDC005",
    name="ndc-missing",
    category="ndc",
    severity="error",
    scope="line",
    applies_to="drug",
    message="{value} is a physician-administered drug: the {profile} profile requires its NDC (loop 2410 "
    "LIN/CTP)",
    references=("RULES.md E NDC-07", "NC Medicaid Physician Administered Drug Program (S99)"),
    examples={"fail": "Medicaid: SV1*HC:J0897*1920*UN*60***1~ with no LIN/CTP after it"},
)
def ndc_missing(line, ctx):
    """
    What it checks:
        On claims of a payer profile whose ndc_policy says ndc_required = yes (Medicaid by
        default; set it for commercial plans that require it in [tool.scrubber.policy]), every
        drug line (a HCPCS code of the drugs table) carries an NDC in loop 2410.
    Why it matters:
        State Medicaid programs collect manufacturer rebates by NDC and deny physician-
        administered drug lines without one; many commercial plans do the same. Medicare Part B
        does not generally require the NDC.
    """
    hits = Hits()
    if line.drugs or not is_drug(line, ctx):
        return hits
    if policy.setting(ctx, "ndc_policy", "ndc_required", ctx.claim.line_date(line)).lower() == "yes":
        hits.add(
            line.service.at(line.code_element + "-2"),
            line.code,
            "LIN*N4*<NDC> and CTP",
            profile=ctx.profile,
        )
    return hits


@FAMILY.edit(
    "NDC006",
    name="ndc-hcpcs-mismatch",
    category="ndc",
    severity="error",
    scope="line",
    applies_to="ndc",
    fix="unsafe",
    message="NDC {ndc} is billed under {value} but crosswalks to {expected} ({note})",
    references=("RULES.md E NDC-06", "CMS ASP NDC-HCPCS crosswalk"),
    examples={"fail": "SV1*HC:J1745*880*UN*10***1~ LIN**N4*50242005121~ (a rituximab NDC, J9312)"},
)
def ndc_hcpcs_mismatch(line, ctx):
    """
    What it checks:
        The NDC of a line, when the ndc_strengths table knows it, crosswalks to the HCPCS code the
        line bills on the date of service: a biosimilar's NDC under the reference product's code,
        or another drug's NDC, is wrong. NDCs the table does not know are not checked. The fix
        sets the procedure code to the crosswalk's HCPCS; it is unsafe because the NDC may be
        the typo instead, and the units follow the new code's descriptor (DU001 re-checks them).
    Why it matters:
        Payers match the NDC to the HCPCS through the CMS ASP crosswalk and deny the line when they
        disagree; a biosimilar billed under the reference code is also paid at the wrong rate.
    """
    hits = Hits()
    if line.service is None or not line.code:
        return hits
    day = ctx.claim.line_date(line)
    strengths = tables.get("ndc_strengths")
    for drug in line.drugs:
        ndc = eleven_digits(drug.ndc)
        row = strengths.lookup(ndc, on=day) if ndc else None
        hcpcs = row.values["hcpcs"].strip() if row else ""
        if not hcpcs or hcpcs == line.code:
            continue
        loc = line.service.at(f"{line.code_element}-2")
        fix = Fix(
            "set", loc, hcpcs, line.code, "unsafe", f"Bill {hcpcs} for NDC {drug.ndc} instead of {line.code}"
        )
        note = row.values.get("note", "").split("(")[0].strip() or "ndc_strengths table"
        hits.add(loc, line.code, hcpcs, fix=fix, ndc=drug.ndc, note=note)
    return hits


@FAMILY.edit(
    "NDC007",
    name="ndc-unit-not-accepted",
    category="ndc",
    severity="warning",
    scope="line",
    applies_to="ndc",
    message="NDC unit of measure {value} is valid X12 but the {profile} profile accepts only {expected}",
    references=("RULES.md E NDC-04", "RULES.md M T27"),
    examples={"fail": "CTP****1000*ME~ for a payer that accepts only UN, ML, GR and F2"},
)
def ndc_unit_not_accepted(line, ctx):
    """
    What it checks:
        The NDC unit of measure (CTP05-1), when it is one of the X12 codes, is one the payer
        profile accepts (ndc_policy ndc_units; every X12 code by default). Payers that follow the
        NCPDP billing units accept UN, ML, GR and F2 and reject ME: set ndc_units for them in
        [tool.scrubber.policy].
    Why it matters:
        Such payers reject the line or convert the quantity wrongly. Restate the quantity in the
        NDC's billing unit (mL for liquids, UN for vials, GR for powders).
    """
    hits = Hits()
    day = ctx.claim.line_date(line)
    accepted = policy.setting(ctx, "ndc_policy", "ndc_units", day)
    if not accepted:
        return hits
    units = tables.cell_list(accepted)
    for drug in line.drugs:
        if drug.ctp is not None and drug.unit in UNIT_QUALIFIERS and drug.unit not in units:
            hits.add(drug.ctp.at("CTP05-1"), drug.unit, ", ".join(units), profile=ctx.profile)
    return hits
