"""Claim scrubber for X12 837P / 837I files, built for infusion and injection billing."""

__version__ = "0.1.0"
