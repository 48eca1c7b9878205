"""Baselines: record today's findings, hide them on later runs (ruff / sqlfluff practice).

``scrub check ... --write-baseline FILE`` records every finding of the run by keys that do not
depend on the file (claim id, line, edit, value); ``--baseline FILE`` hides the findings whose key
it holds, reports how many were hidden and lists the entries that no longer occur.  A key hides
every finding with that key, so the outcome does not depend on the order files or batches are
checked in.  Waived findings and ``engine`` findings are never recorded (a waiver that lapses, or a
crashed edit, must show again).  With both options the new file holds the findings that still
occur: the visible ones and the hidden ones, without the stale entries.

The file (JSON)::

    {"baseline_version": 1, "tool_version": "0.1.0", "created": "2026-12-03T08:00:00+00:00",
     "findings": [{"claim_id": "A1", "line": 2, "edit": "DX002", "value": "1"}, ...]}
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from . import __version__

VERSION = 1
FIELDS = ("claim_id", "line", "edit", "value")


class BaselineError(ValueError):
    """A baseline file that cannot be used; ``str()`` is one line."""


def _order(key: tuple) -> tuple:
    claim_id, line, edit, value = key
    return (edit, claim_id or "", -1 if line is None else line, value or "")


def load(path: str) -> frozenset:
    """The keys a baseline file holds."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a baseline file ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("baseline_version") != VERSION:
        raise BaselineError(f"{path}: not a baseline file (baseline_version {VERSION} expected)")
    keys = set()
    for number, entry in enumerate(doc.get("findings") or [], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("edit"), str):
            raise BaselineError(f"{path}: findings[{number}] is not a baseline entry")
        line = entry.get("line")
        if line is not None and (isinstance(line, bool) or not isinstance(line, int)):
            raise BaselineError(f"{path}: findings[{number}]: line must be a number or null")
        keys.add(tuple(entry.get(k) for k in FIELDS))
    return frozenset(keys)


def key(finding) -> tuple:
    return (finding.claim_id, finding.line, finding.edit, finding.value)


def entries(keys) -> list[dict]:
    return [dict(zip(FIELDS, k, strict=True)) for k in sorted(keys, key=_order)]


def recorded(result, seen=frozenset()) -> set:
    """The keys a new baseline of this run holds: its visible findings (not waived, not engine) and
    the hidden findings that still occur."""
    keys = {key(f) for f in result.findings if f.suppressed_by is None and f.category != "engine"}
    return keys | set(seen)


def dump(keys) -> bytes:
    """The file's bytes: one entry a line, sorted, so that two baselines diff well."""
    head = {
        "baseline_version": VERSION,
        "tool_version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    rows = ",\n".join("  " + json.dumps(e) for e in entries(keys))
    body = "[\n" + rows + "\n ]" if rows else "[]"
    return (json.dumps(head, indent=1)[:-2] + ',\n "findings": ' + body + "\n}\n").encode("utf-8")


def summary(path: str, keys: frozenset, tally) -> dict:
    """The JSON report's ``summary.baseline``: the file, its entries, findings hidden, stale entries."""
    return {
        "file": path,
        "entries": len(keys),
        "hidden": tally.hidden,
        "stale": entries(keys - tally.seen),
    }
