"""Start and stop times of time-based administration codes (RULES.md A.3 ADM-04, F TIME-01..05).

Times come from the ``--times`` administration record or NTE notes (scrubber/admin.py).
"""

from scrubber import admin
from scrubber.findings import Hits
from scrubber.registry import Family

FAMILY = Family("start-stop", "Start/stop times of time-based administration codes")


def _problems(ctx, kind):
    """(line entry, detail) for every time problem of one kind on the claim's lines."""
    for entry in admin.for_claim(ctx).lines:
        for k, detail in entry.times.problems:
            if k == kind:
                yield entry, detail


@FAMILY.edit(
    "INF001",
    name="times-missing",
    category="start-stop-missing",
    severity="error",
    scope="claim",
    applies_to="admin",
    message="{code} is billed by time but no usable start and stop time is documented for line {line}",
    references=("RULES.md A.3 ADM-04", "RULES.md F TIME-01"),
    examples={"fail": "SV1*HC:96365*250*UN*1***1~ with no NTE*ADD*START 0900 STOP 1005 and no --times row"},
)
def times_missing(claim, ctx):
    """
    What it checks:
        Every time-based administration line (96360, 96361, 96365-96368, 96369-96371, 96413,
        96415-96417, 96422, 96423, 99601, 99602) has a usable start and stop time, from the
        administration record (--times) or an NTE note on the line. One administration has one
        clock: an add-on hour line is covered by the times of the infusion it extends, and an
        infusion by times written only on its add-on hour line.
    Why it matters:
        Units of these codes are paid by documented running time. Without times the billed units
        cannot be verified, and an audit that finds no start/stop in the record takes the payment
        back. Add the times to the administration record or the line note.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    untimed = [e for e in view.lines if e.time_based and not e.times.intervals and not e.times.problems]
    if not untimed:
        return hits  # every time-based line is timed or reported as unreadable
    covered = {id(a) for adm in view.administrations() if adm.timed for a in adm.lines}
    for entry in untimed:
        if id(entry) in covered:
            continue  # part of an administration timed on another line
        line = entry.line
        hits.add(
            line.service.at(line.code_element + "-2"),
            entry.code,
            "start and stop times",
            line=line.number,
            code=entry.code,
        )
    return hits


@FAMILY.edit(
    "INF002",
    name="stop-before-start",
    category="start-stop-missing",
    severity="error",
    scope="claim",
    message="Line {line} ({code}): {detail}",
    references=("RULES.md F TIME-05",),
    examples={"fail": "NTE*ADD*START 2330 STOP 0030 (crosses midnight without a date)"},
)
def stop_before_start(claim, ctx):
    """
    What it checks:
        The documented stop time is after the start time. A record may cross midnight only with
        full ISO date-times (2026-11-03T23:30 to 2026-11-04T00:30); a time of day or a note
        cannot.
    Why it matters:
        A stop before the start is a documentation error; the running time, and so the units,
        cannot be computed until it is corrected.
    """
    hits = Hits()
    for entry, detail in _problems(ctx, "stop-before-start"):
        hits.add(entry.line.lx.at(), None, None, line=entry.line.number, code=entry.code, detail=detail)
    return hits


@FAMILY.edit(
    "INF003",
    name="times-outside-date-of-service",
    category="start-stop-missing",
    severity="error",
    scope="claim",
    message="Line {line} ({code}): {detail}",
    references=("RULES.md F TIME-05",),
    examples={"fail": "times row 2026-11-04T09:00 for a line with DTP*472*D8*20261103"},
)
def times_outside_date_of_service(claim, ctx):
    """
    What it checks:
        An administration documented with full dates starts on the line's date of service (or
        within its RD8 range).
    Why it matters:
        Times on another day belong to another line or claim; billing them here misstates the
        date of service, and the units they support belong elsewhere.
    """
    hits = Hits()
    for entry, detail in _problems(ctx, "outside-dos"):
        line = entry.line
        loc = line.date_ref.at("DTP03") if line.date_ref else line.lx.at()
        hits.add(loc, None, None, line=line.number, code=entry.code, detail=detail)
    return hits


@FAMILY.edit(
    "INF004",
    name="time-unreadable",
    category="start-stop-missing",
    severity="error",
    scope="claim",
    message="Line {line} ({code}): {detail} cannot be read as a time",
    references=("RULES.md F TIME-01",),
    examples={"fail": "times row start '25:70'"},
)
def time_unreadable(claim, ctx):
    """
    What it checks:
        Every start, stop and interruption value that the administration record gives for the
        line parses (ISO date-time, or a time of day such as 09:00, 0900 or 9:00 AM).
    Why it matters:
        An unreadable time is a missing time: the units cannot be verified.
    """
    hits = Hits()
    for entry, detail in _problems(ctx, "unparseable"):
        line = entry.line
        hits.add(line.lx.at(), None, None, line=line.number, code=entry.code or line.code, detail=detail)
    return hits


FAMILY.declare(
    "INF005",
    name="times-row-unmatched",
    category="start-stop-missing",
    severity="warning",
    scope="batch",
    message="Administration record row {row} names claim {claim} line {line_no}, "
    "which is not in the files scrubbed",
    references=("RULES.md F TIME-01",),
    examples={"fail": "times row for claim ZZZ-999 line 1 with no such claim"},
    doc="""
    What it checks:
        Emitted by the engine after all files are scrubbed: every row of the administration record
        (--times) was used by some claim line (CLM01 + LX01, or REF*6R).
    Why it matters:
        A row that matches nothing is usually a typo in the claim id or line number, so the line
        it was meant for is checked without its times.
    """,
)


@FAMILY.edit(
    "INF006",
    name="times-sources-disagree",
    category="start-stop-missing",
    severity="warning",
    scope="claim",
    message="Line {line} ({code}): the administration record gives {value} running minutes,"
    " the NTE note {expected}; the record is used",
    references=("RULES.md F TIME-01", "TIME-02"),
    examples={"fail": "times row 09:00-10:05 and NTE*ADD*START 0900 STOP 1030"},
)
def times_sources_disagree(claim, ctx):
    """
    What it checks:
        When both the administration record and an NTE note time a line, they give the same
        running minutes.
    Why it matters:
        Two different times for one administration make the claim indefensible on audit; the
        record wins for the unit math, but the note sent to the payer should match it.
    """
    hits = Hits()
    for entry in admin.for_claim(ctx).lines:
        if entry.times.note_minutes is not None:
            line = entry.line
            hits.add(
                line.lx.at(),
                entry.times.minutes,
                entry.times.note_minutes,
                line=line.number,
                code=entry.code,
            )
    return hits
