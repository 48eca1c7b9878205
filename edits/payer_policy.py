"""Payer-specific acceptance of codes (RULES.md J HIT-05; SNIP type 7)."""

import re

from scrubber.findings import Hits
from scrubber.registry import Family

FAMILY = Family("payer-policy", "Codes a payer profile does not accept")

# HCPCS Level II S codes (S0000-S9999) are the temporary national codes created for private payers
# and Medicaid; the letter defines the class, so no code list is needed.
S_CODE = re.compile(r"S\d{4}")


@FAMILY.edit(
    "PP001",
    name="s-code-on-medicare",
    category="payer-policy",
    severity="error",
    scope="line",
    payers=("medicare",),
    message="{value} is a HCPCS S code; Medicare does not recognise S codes (home infusion per diems "
    "are billed to commercial payers or Medicaid; Medicare home infusion goes through the DME MAC or "
    "the Part B home infusion therapy benefit)",
    references=("RULES.md J HIT-05", "RULES.md K S66, S68"),
    examples={"fail": "SBR09 MB with SV1*HC:S9502*250*UN*1***1~"},
)
def s_code_on_medicare(line, ctx):
    """
    What it checks:
        A service line under the Medicare profile (SBR09 MA/MB, or --payer medicare) whose HCPCS
        code is an S code (S0000-S9999), e.g. a home infusion per diem S9500-S9504 or S9325-S9379.
    Why it matters:
        S codes are temporary national codes for non-Medicare payers; Medicare rejects the line.
        Home infusion for a Medicare patient is billed as DME (pump, drug, supplies) to the DME
        MAC or as Part B home infusion therapy services by a qualified supplier.
    """
    if line.proc_qualifier in ("HC", "") and S_CODE.fullmatch(line.code) and line.service is not None:
        hits = Hits()
        hits.add(line.service.at(f"{line.code_element}-2"), line.code)
        return hits
    return None
