"""No fix creates a finding the claim did not have: for every claim of the case suite and the
scenarios, apply the fixes (safe only, as ``scrub fix`` does by default, and with ``--unsafe``),
re-check the output and compare its finding keys (edit, claim, line) with the input's.

Fixes that remove a line renumber the ones after it, so the re-check's line numbers are mapped
back to the input's: the fixer runs one pass at a time, and each pass's removed lines are known.
The administration record is keyed by line number too: each pass re-checks with the record's rows
moved to the renumbered lines (rows of removed lines dropped), as the biller's record would be.

With ``--unsafe`` the NDC crosswalk fix (NDC006, "bill the HCPCS code the NDC belongs to") is left
out: it changes the drug, and the new drug's own requirements (prior authorization, its
administration family) are new findings by design of that review-only fix."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from claimsuite import claims

from scrubber.fixer import MAX_PASSES, fix_data
from scrubber.pipeline import Engine
from scrubber.rawfile import RawFile
from scrubber.times import AdminTimes

CLAIMS = claims()


def _labels(data: bytes) -> dict[str, list[int | None]]:
    """claim id -> the LX01 of its service lines in file order."""
    raw = RawFile.parse(data)
    out: dict[str, list[int | None]] = {}
    claim = None
    for i in range(len(raw.segments)):
        sid = raw.seg_id(i)
        if sid == "CLM":
            claim = raw.elements(i)[1]
            out.setdefault(claim, [])
        elif sid in ("HL", "SE"):
            claim = None
        elif sid == "LX" and claim is not None:
            value = raw.elements(i)[1] if len(raw.elements(i)) > 1 else ""
            out[claim].append(int(value) if value.isdigit() else None)
    return out


def _keys(result, origin) -> set[tuple]:
    """Finding keys with each line number mapped to the input's (``origin``: claim -> label -> label)."""
    keys = set()
    for f in result.findings:
        line = f.line
        if line is not None and f.claim_id in origin:
            line = origin[f.claim_id].get(line, ("new line", line))
        keys.add((f.edit, f.claim_id, line))
    return keys


def _record(text, tmp_path, origin=None) -> AdminTimes:
    """The record, its rows moved to the current line numbers (``origin``: claim -> current -> input)."""
    if text is None:
        return AdminTimes.empty()
    if origin is not None:
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        cid, line = header.index("claim_id"), header.index("line")
        out = [header]
        for row in body:
            now = {v: k for k, v in origin.get(row[cid], {}).items()}
            if row[cid] not in origin or (row[line].isdigit() and int(row[line]) in now):
                if row[cid] in origin:
                    row[line] = str(now[int(row[line])])
                out.append(row)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(out)
        text = buffer.getvalue()
    path = tmp_path / "times.csv"
    path.write_text(text)
    return AdminTimes.load(str(path))


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_fix_adds_no_finding(claim, unsafe, tmp_path):
    config = claim.config
    if unsafe:
        config = replace(config, ignore=[*config.ignore, "NDC006"])
    engine = Engine(config, _record(claim.times, tmp_path))
    data = claim.text.encode()
    before = engine.scrub_data(data, "claim.x12")
    if not any(f.fix and (unsafe or f.fix.safety == "safe") for f in before.findings):
        return
    # origin: claim -> label in the current data -> label in the input
    origin = {cid: {n: n for n in labels} for cid, labels in _labels(data).items()}
    current, result = data, before
    for _ in range(MAX_PASSES):
        outcome = fix_data(current, "claim.x12", engine, unsafe=unsafe, max_passes=1)
        if not outcome.changes:
            break
        gone = {(c.claim_id, c.line) for c in outcome.changes if c.before.startswith("LX") and c.after == ""}
        touched = {c.claim_id for c in outcome.changes}
        old = _labels(current)
        for cid, labels in _labels(outcome.data).items():
            if cid not in touched:
                continue
            kept = [origin[cid].get(n) for n in old.get(cid, []) if (cid, n) not in gone]
            origin[cid] = dict(zip(labels, kept, strict=False))
        # the fixer's own re-check moves the record with the lines; the next pass starts from it too
        engine = Engine(config, _record(claim.times, tmp_path, origin))
        current, result = outcome.data, outcome.result
    new = _keys(result, origin) - _keys(before, {cid: {n: n for n in m} for cid, m in _labels(data).items()})
    assert not new, sorted(new, key=str)
