"""The JSON report (DESIGN.md section 5, a contract: fields may be added, never changed).

Findings are streamed one by one, so a large run never holds the whole document in memory.
"""

from __future__ import annotations

import json
from typing import TextIO

from .. import __version__, tables
from ..pipeline import Result
from .claims import money_at_risk

SCHEMA_VERSION = 1


def header(result: Result) -> dict:
    head = {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "tool_version": __version__,
            "tables": tables.releases(),
            "started": result.started,
            "inputs": ["<stdin>" if i == "-" else i for i in result.inputs],
            "times": result.times,  # the administration record (INF005 findings name it as their file)
        },
        "summary": {
            "files": len(result.files),
            "claims": result.claims,
            "claims_with_errors": result.claims_with_errors,
            "findings": dict(result.counts),
            "waived": result.findings.waived,  # findings kept with suppressed_by, not counted above
            "baseline": result.baseline,  # --baseline: file, entries, hidden, stale (scrubber/baseline.py)
            "money_at_risk": money_at_risk(result),  # an addition to the DESIGN.md contract
        },
        "files": [f.as_dict() for f in result.files],
    }
    # additions for scrub fix (audit trail) and scrub gate (split summary)
    for key in ("changes", "fix_skipped", "gate"):
        if getattr(result, key) is not None:
            head[key] = getattr(result, key)
    return head


def write(result: Result, out: TextIO) -> None:
    head = json.dumps(header(result), indent=2)
    out.write(head[:-2] + ',\n  "findings": [')
    first = True
    for finding in result.findings:
        out.write("\n    " if first else ",\n    ")
        out.write(json.dumps(finding.as_dict(), separators=(", ", ": ")))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")
