"""Payer profiles: medicare, medicaid or commercial, from SBR09 unless configured otherwise.

Order of precedence: ``--payer`` / ``payer`` in config (every claim), then ``[tool.scrubber.payers]``
keyed by the payer id (2010BB NM109), then the claim filing indicator code (SBR09).
"""

from __future__ import annotations

from .config import Config
from .model import Claim

# SBR09 claim filing indicator codes (X12 5010 code list 1032).
MEDICARE = frozenset({"MA", "MB"})  # Medicare Part A, Part B
MEDICAID = frozenset({"MC"})


def profile_from_filing_indicator(code: str) -> str:
    if code in MEDICARE:
        return "medicare"
    if code in MEDICAID:
        return "medicaid"
    return "commercial"


def profile_for(claim: Claim, config: Config) -> str:
    if config.payer:
        return config.payer
    payer = claim.payer
    if payer is not None and payer.identifier in config.payers:
        return config.payers[payer.identifier]
    return profile_from_filing_indicator(claim.filing_indicator)
