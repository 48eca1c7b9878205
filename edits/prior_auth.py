"""Prior authorization numbers: required for the drug and payer, and not repeated on the line
(RULES.md I PA-01, PA-02; D DX-13).  Which drugs need authorization for which payer profiles is the
``prior_auth`` column of the ``drugs`` table."""

from scrubber import tables
from scrubber.findings import Fix, Hits
from scrubber.registry import Family

FAMILY = Family("prior-auth", "Prior authorization numbers (REF*G1) on the claim and its lines")


@FAMILY.edit(
    "PA001",
    name="prior-auth-missing",
    category="prior-auth",
    severity="warning",
    scope="line",
    applies_to="drug",
    message="{value} needs prior authorization under the {profile} profile but the claim has no "
    "authorization number (REF*G1){where}",
    references=("RULES.md I PA-02", "RULES.md D DX-13"),
    examples={"fail": "commercial payer, SV1*HC:J9312*9250*UN*100***1~ and no REF*G1 in 2300 or 2400"},
)
def prior_auth_missing(line, ctx):
    """
    What it checks:
        A drug whose drugs-table row lists the claim's payer profile under prior_auth (biologics such as
        rituximab, infliximab, ocrelizumab, tocilizumab and immune globulin; commercial and
        Medicaid by default) on a claim with no REF*G1: neither in loop 2300 nor, on 837P, in the
        line's loop 2400 (837I has no line-level authorization).
    Why it matters:
        Payers that require authorization for a drug deny the claim when no authorization number
        is sent, often after the drug was given; the number must travel on the claim.
    """
    hits = Hits()
    claim = ctx.claim
    day = claim.line_date(line)
    row = tables.get("drugs").lookup(line.code, on=day) if line.code else None
    if row is None or line.service is None:
        return hits
    if ctx.profile not in tables.cell_list(row.values["prior_auth"]) or claim.prior_auth:
        return hits
    if claim.transaction == "837P" and line.prior_auth:
        return hits
    where = " in 2300 or on the line" if claim.transaction == "837P" else " in 2300"
    hits.add(line.service.at(f"{line.code_element}-2"), line.code, profile=ctx.profile, where=where)
    return hits


@FAMILY.edit(
    "PA002",
    name="line-auth-repeats-claim",
    category="prior-auth",
    severity="error",
    scope="line",
    transactions=("837P",),
    fix="safe",
    message="Line REF*G1 {value!r} repeats the claim's authorization number; send a line "
    "authorization only when it differs from the claim's",
    references=("RULES.md I PA-01", "X12 RFI 2459"),
    examples={"fail": "REF*G1*ABC123~ in 2300 and REF*G1*ABC123~ on a J2350 line"},
)
def line_auth_repeats_claim(line, ctx):
    """
    What it checks:
        On 837P, a service line REF*G1 (loop 2400) whose authorization number equals the claim's
        REF*G1 (loop 2300).
    Why it matters:
        The implementation guide sends a line authorization only when it differs from the claim
        one (X12 RFI 2459); payers reject or pend the duplicate. The fix deletes the line REF*G1;
        the claim number still covers the line.
    """
    ref = line.prior_auth_ref
    if ref is None:
        return None  # most lines: no line authorization
    claim_auth = ctx.claim.prior_auth.strip()
    if not claim_auth or line.prior_auth.strip() != claim_auth:
        return None
    hits = Hits()
    fix = Fix("delete", ref.at(), None, line.prior_auth, "safe", f"Remove the line REF*G1 {line.prior_auth}")
    hits.add(ref.at("REF02"), line.prior_auth, None, fix=fix)
    return hits
