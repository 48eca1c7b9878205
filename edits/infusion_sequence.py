"""Sequential and concurrent infusions against the record: a concurrent infusion must overlap
another infusion (RULES.md A.3 ADM-08), and a "sequential" infusion of the drug already running is
its continuation (A.3 ADM-07)."""

from scrubber import admin, clock, timemath
from scrubber.findings import Fix, Hits
from scrubber.registry import Family

FAMILY = Family("infusion-sequence", "Sequential and concurrent infusions against the documented times")


def _code_loc(line):
    return line.service.at(line.code_element + "-2")


def _spans(entries):
    return timemath.merge((i.start, i.stop) for a in entries for i in a.times.intervals)


@FAMILY.edit(
    "INF030",
    name="concurrent-without-overlap",
    category="time-units",
    severity="error",
    scope="claim",
    applies_to="admin",
    message="Concurrent infusion {code} ran {value}, overlapping no other infusion documented on {day}; "
    "a drug given after another is a sequential infusion, not a concurrent one",
    references=("RULES.md A.1", "RULES.md A.3 ADM-08"),
    examples={"fail": "96365 09:00-10:00 and 96368 10:00-10:40 (it started when the first ended)"},
)
def concurrent_without_overlap(claim, ctx):
    """
    What it checks:
        A concurrent infusion (96368) whose documented times overlap no other documented IV
        infusion (therapeutic or chemo/complex) on its date. Touching is not overlapping: a drug
        started when the other ended was given after it.
    Why it matters:
        Concurrent means at the same time through the same access from a separate bag; a drug
        given after another is sequential (96367, 96417, or a push) and is paid differently.
        Not fixed automatically: the record decides which code the second drug takes, or the
        times of the other infusion are missing.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for entry in view.lines:
        if entry.kind != "concurrent" or not entry.times.intervals:
            continue
        others = [
            a
            for a in view.on_day(entry.day)
            if a is not entry
            and a.family in ("therapeutic", "complex")
            and a.attr("method") == "iv-infusion"
            and a.times.intervals
        ]
        if not others or timemath.overlap(_spans([entry]), _spans(others)):
            continue
        first = min(i.start for i in entry.times.intervals)
        last = max(i.stop for i in entry.times.intervals)
        hits.add(
            _code_loc(entry.line),
            f"{first:%H:%M}-{last:%H:%M}",
            None,
            line=entry.line.number,
            code=entry.code,
            day=entry.day,
        )
    return hits


def _same_drug(view, entry):
    """The earlier infusion administration that gives the drug the record names for ``entry``."""
    drugs = set(entry.times.drugs)
    if not drugs:
        return None
    position = {id(a): i for i, a in enumerate(view.lines)}
    found = [
        adm
        for adm in view.administrations()
        if adm.primary is not entry
        and adm.primary.day == entry.day
        and adm.primary.attr("method") == "iv-infusion"
        and adm.primary.kind in ("initial", "sequential")
        and drugs.intersection(adm.primary.times.drugs)
        and _earlier(adm.primary, entry, position)
    ]
    return found[-1] if found else None


def _earlier(a, b, position) -> bool:
    if a.times.start is not None and b.times.start is not None and a.times.start != b.times.start:
        return a.times.start < b.times.start
    return position[id(a)] < position[id(b)]


def _continuation_fix(view, entry, target, code: str) -> Fix:
    """Bill the continuation as ``code`` with the add-on hours the joined clock supports, or remove
    the line when the earlier administration's billed hours already cover it."""
    own = view.administration_of(entry)
    lines = [*target.lines, *(own.lines if own else [entry])]
    timed = [a.times for a in lines if a.times.intervals]
    line = entry.line
    if not timed:
        return Fix("set", _code_loc(line), code, entry.code, "safe", f"Bill {code} instead of {entry.code}")
    minutes = clock.running_minutes(timed)
    supported = timemath.initial_and_addons(minutes)[1]
    other = sum(a.units for a in lines if a.kind == "addon-hour")
    need = supported - other
    if need <= 0:
        title = f"Remove line {line.number} ({entry.code}): {minutes} minutes with {target.primary.code}"
        return Fix("delete", line.lx.at(), None, entry.code, "safe", title)
    title = f"Bill {code} x{need} instead of {entry.code} ({minutes} minutes with {target.primary.code})"
    more = ()
    if need != entry.units:
        more = (Fix("set", line.service.at(line.units_element), str(need), line.units_text, "safe", ""),)
    return Fix("set", _code_loc(line), code, entry.code, "safe", title, more=more)


@FAMILY.edit(
    "INF031",
    name="sequential-same-drug",
    category="admin-hierarchy",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="safe",
    message="{value} is a sequential infusion of a new drug, but the record gives {drug} on it as on "
    "line {first_line} ({first}): the same drug continued is {expected}",
    references=("RULES.md A.3 ADM-07", "RULES.md A.2"),
    examples={"fail": "96365 + 96367 with both record rows naming J0696 (ceftriaxone)"},
)
def sequential_same_drug(claim, ctx):
    """
    What it checks:
        A sequential infusion (96367, 96417) whose administration record row (the drug column)
        names the same drug as an earlier infusion of the date.
    Why it matters:
        The sequential codes are for a new drug; more of the same drug is the added hour of the
        infusion it continues (96366, 96415), timed on one clock with it. The fix bills the line
        as that added hour, with the units the joined running time supports beyond the hours
        already billed, or removes it when they already cover it.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for entry in view.lines:
        if entry.kind != "sequential" or entry.attr("method") != "iv-infusion":
            continue
        target = _same_drug(view, entry)
        if target is None:
            continue
        code = target.primary.attr("addon_hour")
        drug = sorted(set(entry.times.drugs).intersection(target.primary.times.drugs))[0]
        hits.add(
            _code_loc(entry.line),
            entry.code,
            code,
            line=entry.line.number,
            drug=drug,
            first=target.primary.code,
            first_line=target.primary.line.number,
            fix=_continuation_fix(view, entry, target, code),
        )
    return hits
