"""Balancing (SNIP type 3): amounts that must add up."""

from scrubber.findings import Fix, Hits
from scrubber.model import money
from scrubber.registry import Family

FAMILY = Family("balancing", "Claim totals against line charges")


@FAMILY.edit(
    "BAL001",
    name="claim-total-not-line-sum",
    category="balancing",
    severity="error",
    scope="claim",
    fix="safe",
    references=("RULES.md H.3", "005010X222A1 CLM02 note"),
    message="CLM02 total charge {value} does not equal the sum of the line charges {expected}",
    examples={"fail": "CLM*A1*300***11:B:1…~ with lines SV1*…*100~ and SV1*…*150~ (sum 250)"},
)
def claim_total_not_line_sum(claim, ctx):
    """
    What it checks:
        The claim's total charge (CLM02) equals the sum of its service line charges (SV102 on
        837P, SV203 on 837I). Lines whose charge is not a number are reported by BAL002 instead.
    Why it matters:
        The implementation guides require the total to balance; an unbalanced claim is rejected
        at the front end (SNIP type 3) before any payer review. The fix sets CLM02 to the line sum,
        because the lines carry the detail that was billed.
    """
    hits = Hits()
    total = claim.charge
    charges = [ln.charge for ln in claim.lines]
    if total is None or not charges or None in charges:
        return hits
    line_sum = sum(charges)
    if total != line_sum:
        loc = claim.ref.at("CLM02")
        value = money(line_sum, claim.charge_text)  # in the style of the amount it replaces
        hits.add(
            loc,
            claim.charge_text,
            money(line_sum),
            fix=Fix(
                "set",
                loc,
                value,
                claim.charge_text,
                "safe",
                f"Set CLM02 to {value} (sum of line charges)",
            ),
        )
    return hits


@FAMILY.edit(
    "BAL002",
    name="charge-not-amount",
    category="balancing",
    severity="error",
    scope="claim",
    message="{element} charge {value!r} is not a monetary amount",
    references=("X12 5010 R type",),
    examples={"fail": "SV1*HC:96365*ONE HUNDRED*UN*1***1~"},
)
def charge_not_amount(claim, ctx):
    """
    What it checks:
        CLM02 and every line charge (SV102 / SV203) are decimal numbers.
    Why it matters:
        A charge that is not a number fails X12 syntax (SNIP type 1) and the claim cannot balance.
    """
    hits = Hits()
    if claim.charge is None:
        hits.add(claim.ref.at("CLM02"), claim.charge_text, element="CLM02")
    for line in claim.lines:
        if line.service is not None and line.charge is None:
            hits.add(
                line.service.at(line.charge_element),
                line.charge_text,
                line=line.number,
                element=line.charge_element,
            )
    return hits
