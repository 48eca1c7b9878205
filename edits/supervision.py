"""Supervising provider for chemotherapy / complex drug administration (RULES.md I SUP-01).
Whether a payer profile wants one is the ``supervision_policy`` table; which codes are complex
administration is the ``admin_codes`` table (family ``complex``)."""

from scrubber import policy, tables
from scrubber.findings import Hits
from scrubber.registry import Family

FAMILY = Family("supervision", "Supervising provider required by the payer profile")


@FAMILY.edit(
    "SUP001",
    name="supervising-provider-missing",
    category="supervision",
    severity="warning",
    scope="claim",
    applies_to="admin",
    transactions=("837P",),
    message="Chemotherapy / complex administration {value} with no supervising provider (2310D or "
    "2420D NM1*DQ); the {profile} profile requires one",
    references=("RULES.md I SUP-01",),
    examples={"fail": "medicaid profile, SV1*HC:96413*310*UN*1***1~ and no NM1*DQ in 2310D or 2420D"},
)
def supervising_provider_missing(claim, ctx):
    """
    What it checks:
        On an 837P whose payer profile requires a supervising provider for complex
        administration (supervision_policy table: medicaid by default), a chemotherapy / complex
        drug administration line (96401-96549 family in admin_codes) with no supervising provider,
        neither for the claim (2310D) nor for the line (2420D). One finding per claim.
    Why it matters:
        Chemotherapy and complex biologic administration given incident-to must be directly
        supervised by a physician; payers that want the supervising physician's NPI as a separate
        party deny the line when it is missing. Medicare instead expects the supervising
        physician as rendering / billing provider, so it is off for that profile.
    """
    hits = Hits()
    day = claim.service_date
    if policy.setting(ctx, "supervision_policy", "requires_supervising_for_complex", day).lower() != "yes":
        return hits
    if claim.supervising is not None:
        return hits
    codes = tables.get("admin_codes")
    missing = []
    for line in claim.lines:
        info = codes.lookup(line.code, on=line.date_from or day) if line.code else None
        if info is not None and info.values["family"] == "complex" and line.supervising is None:
            missing.append(line)
    if missing and missing[0].service is not None:
        first = missing[0]
        hits.add(
            first.service.at(f"{first.code_element}-2"),
            ", ".join(dict.fromkeys(ln.code for ln in missing)),
            line=first.number,
            profile=ctx.profile,
        )
    return hits
