"""One administration, one clock (RULES.md A.3): writing the same times another equivalent way never
changes a finding.  For every claim of the case suite and the scenarios whose infusions are timed:

* ``copy``: the primary's times (its NTE note, or the claim note that times it, and its record rows)
  copied onto each of its add-on hour lines that has no times of its own;
* ``split``: one documented interval of the primary (a plain ``START hhmm STOP hhmm`` note or one
  record row) split at a minute in between, the first part kept on the primary and the rest written
  on an untimed add-on hour line (adjacent intervals join);
* ``record``: on the 837P, a plain note moved from the primary into the administration record.

The findings (edit, claim, line, severity, value, expected, fix) must be the same."""

from __future__ import annotations

import csv
import io
import re

import pytest
from casekit import TERM, renumber, segments
from claimsuite import claims

from scrubber import admin
from scrubber.pipeline import Engine
from scrubber.times import AdminTimes

PLAIN = re.compile(r"^NTE\*ADD\*START (\d{2})(\d{2}) STOP (\d{2})(\d{2})$")
HEADER = ["claim_id", "line", "start", "stop", "ref_6r", "interruptions_min", "route", "drug"]


class _Capture(Engine):
    """The engine, keeping the claims it reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def _claim(self, claim, result):
        self.seen.append(claim)
        super()._claim(claim, result)


def _load(text: str | None, tmp_path, name: str) -> AdminTimes:
    if text is None:
        return AdminTimes.empty()
    path = tmp_path / name
    path.write_text(text)
    return AdminTimes.load(str(path))


def _run(claim, text, times, tmp_path, name):
    engine = _Capture(claim.config, _load(times, tmp_path, name + ".csv"))
    result = engine.scrub_data(text.encode(), name + ".x12")
    keys = sorted(
        (
            f.edit,
            f.claim_id,
            f.line,
            f.severity.label,
            str(f.value),
            str(f.expected),
            f.fix and (f.fix.op, f.fix.value, f.fix.safety),
        )
        for f in result.findings
    )
    return keys, engine


def _rows(times: str | None) -> list[dict]:
    return list(csv.DictReader(io.StringIO(times))) if times else []


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _loop(segs, line) -> tuple[int, int]:
    """[start, end) of a service line's loop in the segment list."""
    start = line.lx.ordinal - 1
    end = start + 1
    while end < len(segs) and segs[end].split("*", 1)[0] not in ("LX", "CLM", "HL", "SE"):
        end += 1
    return start, end


def _claim_notes(segs, claim) -> list[str]:
    first = claim.lines[0].lx.ordinal - 1 if claim.lines else len(segs)
    start = next(i for i in range(first, -1, -1) if segs[i].startswith("CLM*"))
    return [s for s in segs[start:first] if s.startswith("NTE*")]


def _pairs(engine, record):
    """(claim, view, administration, add-on) for every untimed add-on hour line of a timed administration."""
    for claim in engine.seen:
        view = admin.build(claim, record)
        for adm in view.administrations():
            if adm.secondary_hydration or not adm.primary.times.intervals or adm.primary.times.problems:
                continue
            for addon in adm.addons:
                if addon is not adm.primary and not addon.times.intervals and not addon.times.problems:
                    yield claim, view, adm, addon


def _insert(segs, inserts):
    for index, new in sorted(inserts, key=lambda item: -item[0]):
        segs[index:index] = new
    return renumber(TERM.join(segs) + TERM)


def _note_at(segs, line) -> int:
    """Where a note goes in a service line's loop: after its last DTP (before LIN and the rest)."""
    start, end = _loop(segs, line)
    dtp = [i for i in range(start, end) if segs[i].startswith("DTP*")]
    return (dtp[-1] if dtp else start + 1) + 1


def copy_times(claim_text, times, engine, record):
    segs, rows, inserts = segments(claim_text), _rows(times), []
    for claim, _view, adm, addon in _pairs(engine, record):
        start, end = _loop(segs, adm.primary.line)
        notes = [s for s in segs[start:end] if s.startswith("NTE*")] or (
            _claim_notes(segs, claim) if adm.primary.times.source == "note" else []
        )
        if claim.transaction == "837P" and notes:
            inserts.append((_note_at(segs, addon.line), notes))
        for row in _rows(times):
            if row["claim_id"] == claim.claim_id and row["line"] == str(adm.primary.line.number):
                rows.append({**row, "line": str(addon.line.number), "ref_6r": ""})
    if not inserts and len(rows) == len(_rows(times)):
        return None
    return _insert(segs, inserts), (_csv(rows) if rows else times)


def split_times(claim_text, times, engine, record):
    segs, rows = segments(claim_text), _rows(times)
    for claim, _view, adm, addon in _pairs(engine, record):
        one = adm.primary.times
        if len(one.intervals) != 1 or one.pauses or one.breaks or one.intervals[0].minutes < 2:
            continue
        interval = one.intervals[0]
        middle = interval.start + (interval.stop - interval.start) // 2
        middle = middle.replace(second=0)
        if one.source == "note":
            start, end = _loop(segs, adm.primary.line)
            found = [i for i in range(start, end) if PLAIN.match(segs[i])]
            if claim.transaction != "837P" or len(found) != 1:
                continue
            segs[found[0]] = f"NTE*ADD*START {interval.start:%H%M} STOP {middle:%H%M}"
            rest = f"NTE*ADD*START {middle:%H%M} STOP {interval.stop:%H%M}"
            return _insert(segs, [(_note_at(segs, addon.line), [rest])]), times
        mine = [
            r for r in rows if r["claim_id"] == claim.claim_id and r["line"] == str(adm.primary.line.number)
        ]
        if len(mine) != 1 or (mine[0].get("interruptions_min") or "").strip():
            continue
        row = mine[0]
        rows.remove(row)
        rows.append({**row, "start": interval.start.isoformat(), "stop": middle.isoformat()})
        rows.append(
            {
                **row,
                "line": str(addon.line.number),
                "ref_6r": "",
                "start": middle.isoformat(),
                "stop": interval.stop.isoformat(),
            }
        )
        return claim_text, _csv(rows)
    return None


def note_to_record(claim_text, times, engine, record):
    segs, rows = segments(claim_text), _rows(times)
    changed = False
    for claim in engine.seen:
        if claim.transaction != "837P":
            continue
        view = admin.build(claim, record)
        for adm in view.administrations():
            entry = adm.primary
            if entry.times.source != "note" or entry.times.note_minutes is not None:
                continue
            start, end = _loop(segs, entry.line)
            found = [i for i in range(start, end) if segs[i].startswith("NTE*")]
            match = PLAIN.match(segs[found[0]]) if len(found) == 1 else None
            if match is None:
                continue
            h1, m1, h2, m2 = match.groups()
            segs[found[0]] = None
            rows.append(
                {
                    "claim_id": claim.claim_id,
                    "line": str(entry.line.number),
                    "start": f"{h1}:{m1}",
                    "stop": f"{h2}:{m2}",
                }
            )
            changed = True
    if not changed:
        return None
    return renumber(TERM.join(s for s in segs if s is not None) + TERM), _csv(rows)


TRANSFORMS = {"copy": copy_times, "split": split_times, "record": note_to_record}
CLAIMS = claims()


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_same_times_written_another_way(claim, tmp_path):
    if renumber(claim.text) != claim.text or not claim.text.endswith(TERM):
        return  # an envelope case (counts or terminators broken on purpose): no times to rewrite
    if claim.times is None and "NTE*" not in claim.text:
        return  # nothing timed
    before, engine = _run(claim, claim.text, claim.times, tmp_path, "a")
    record = _load(claim.times, tmp_path, "r.csv")
    for how, transform in TRANSFORMS.items():
        changed = transform(claim.text, claim.times, engine, record)
        if changed is None:
            continue  # nothing timed to write this way
        text, times = changed
        after, _ = _run(claim, text, times, tmp_path, "b")
        assert after == before, how
