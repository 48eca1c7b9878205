"""NDC on the claim (RULES.md E): the 11-digit form of LIN03 and its 10-to-11-digit conversion,
the LIN02 qualifier, the CTP quantity and unit of measure, and the NDC a payer profile requires
on drug lines.  Which codes are drugs comes from the ``drugs`` table."""

from scrubber import tables
from scrubber.findings import Fix, hit
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
    for drug in line.drugs:
        if drug.qualifier != NDC_QUALIFIER or (len(drug.ndc) == 11 and drug.ndc.isdigit()):
            continue
        loc = drug.ref.at("LIN03")
        fixed = eleven_digits(drug.ndc)
        if fixed is not None:
            shape = layout(drug.ndc)
            fix = Fix("set", loc, fixed, drug.ndc, "safe", f"Write the NDC as {fixed} (from {shape})")
            yield hit(
                loc, drug.ndc, fixed, fix=fix, detail=f"the hyphenated {shape} form converts to {fixed}"
            )
        elif len(drug.ndc) == 10 and drug.ndc.isdigit():
            detail = (
                "a 10-digit NDC without hyphens could be 4-4-2, 5-3-2 or 5-4-1; take the 11-digit "
                "form from the package label or the FDA NDC Directory"
            )
            yield hit(loc, drug.ndc, None, detail=detail)
        else:
            yield hit(
                loc, drug.ndc or "(blank)", None, detail="take the 11-digit form from the package label"
            )


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
        yield hit(loc, drug.qualifier or "(blank)", expected, fix=fix, transaction=transaction)


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
    for drug in line.drugs:
        if drug.ctp is None or drug.unit in UNIT_QUALIFIERS:
            continue
        hint = "; milligrams are ME" if drug.unit.upper() in ("MG", "MGS") else ""
        if drug.unit.upper() in ("GM", "G"):
            hint = "; grams are GR"
        yield hit(drug.ctp.at("CTP05-1"), drug.unit or "(blank)", "F2, GR, ME, ML or UN", hint=hint)


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
    for drug in line.drugs:
        if drug.ctp is None:
            yield hit(drug.ref.at("LIN03"), "no CTP segment", None, ndc=drug.ndc or "(blank)")
            continue
        quantity = to_decimal(drug.quantity)
        if quantity is None or quantity <= 0:
            yield hit(drug.ctp.at("CTP04"), drug.quantity or "(blank)", None, ndc=drug.ndc or "(blank)")


@FAMILY.edit(
    "NDC005",
    name="ndc-missing-medicaid",
    category="ndc",
    severity="error",
    scope="line",
    applies_to="drug",
    payers=("medicaid",),
    message="{value} is a physician-administered drug: Medicaid requires its NDC (loop 2410 LIN/CTP)",
    references=("RULES.md E NDC-07", "NC Medicaid Physician Administered Drug Program (S99)"),
    examples={"fail": "Medicaid: SV1*HC:J0897*1920*UN*60***1~ with no LIN/CTP after it"},
)
def ndc_missing_medicaid(line, ctx):
    """
    What it checks:
        On claims of the Medicaid payer profile, every drug line (a HCPCS code of the drugs
        table) carries an NDC in loop 2410.
    Why it matters:
        State Medicaid programs collect manufacturer rebates by NDC and deny physician-
        administered drug lines without one. Medicare Part B does not generally require the NDC;
        many commercial plans do, but which ones is contract data, so this edit checks the
        Medicaid profile only.
    """
    if not line.drugs and is_drug(line, ctx):
        yield hit(line.service.at(line.code_element + "-2"), line.code, "LIN*N4*<NDC> and CTP")
