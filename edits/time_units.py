"""Units of time-based codes against documented running minutes (RULES.md A.3 ADM-01..03, 05, 08, 09;
A.5 ADM-21; F TIME-04).  The arithmetic lives in scrubber/timemath.py."""

from scrubber import admin, clock, timemath
from scrubber.findings import Fix, Hits
from scrubber.registry import Family

FAMILY = Family("time-units", "Units of time-based administration codes against documented minutes")


def _code_loc(line):
    return line.service.at(line.code_element + "-2")


def _set_units(line, units: int, title: str) -> Fix:
    if units == 0:
        return Fix(
            "delete", line.lx.at(), None, line.code, "safe", f"Remove line {line.number} ({line.code})"
        )
    loc = line.service.at(line.units_element)
    return Fix("set", loc, str(units), line.units_text, "safe", title)


def _drop_lines(view, adm, safety: str = "safe") -> Fix | None:
    """Remove every line of an administration (the hydration line and its added hours).  None when
    a drug other than the fluid would be left on the date with no administration line (INF028):
    then the drug's own administration is what is missing, a matter for review."""
    primary, *rest = adm.lines
    mine = {id(a) for a in adm.lines}
    left = [a for a in view.on_day(primary.day) if id(a) not in mine]
    if not any(a.info is not None or a.code.startswith(("S93", "S94", "S95")) for a in left) and any(
        a.info is None and a.drug_family != "hydration" and (a.drug_family or a.code.startswith(("J", "Q5")))
        for a in left
    ):
        return None
    parts = tuple(Fix("delete", a.line.lx.at(), None, a.code, safety, "") for a in rest)
    codes = " + ".join(a.code for a in adm.lines)
    lines = ", ".join(str(a.line.number) for a in adm.lines)
    title = f"Remove line{'s' if rest else ''} {lines} ({codes})"
    return Fix("delete", primary.line.lx.at(), None, primary.code, safety, title, more=parts)


@FAMILY.edit(
    "INF010",
    name="infusion-was-push",
    category="time-units",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="safe",
    message="{code} runs {value} minutes; an IV administration of 15 minutes or less is a push: "
    "bill {expected}",
    references=("RULES.md A.1", "RULES.md A.3 ADM-01"),
    examples={"fail": "SV1*HC:96365*250*UN*1***1~ with NTE*ADD*START 0900 STOP 0912"},
)
def infusion_was_push(claim, ctx):
    """
    What it checks:
        An initial or sequential IV infusion code (96365, 96367, 96413, 96417) whose documented
        running time is 15 minutes or less.
    Why it matters:
        CPT defines an infusion as 16 minutes or more; anything shorter is an IV push and is paid
        as one. The running time is the administration's, so times written only on its add-on
        hour line count. The fix swaps the code for its push equivalent (96374, 96375, 96409,
        96411); not while an add-on hour line that carries the times remains (INF012 then has no
        fix either: move the times to the infusion line first).
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for entry in view.lines:
        push = entry.attr("push_code")
        if not push:
            continue
        minutes = view.minutes_of(entry)
        if minutes is not None and timemath.is_push(minutes):
            line = entry.line
            loc = _code_loc(line)
            title = f"Bill {push} (push) instead of {line.code}"
            adm = view.administration_of(entry)
            keeps_addon = adm is not None and any(_times_needed(ctx, view, adm, a) for a in adm.addons)
            hits.add(
                loc,
                minutes,
                push,
                line=line.number,
                code=entry.code,
                fix=None if keeps_addon else Fix("set", loc, push, line.code, "safe", title),
            )
    return hits


@FAMILY.edit(
    "INF011",
    name="hydration-under-31-minutes",
    category="time-units",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="safe",
    message="Hydration {code} ran {value} minutes; hydration under 31 minutes is not reportable",
    references=("RULES.md A.1", "RULES.md A.3 ADM-02"),
    examples={"fail": "SV1*HC:96360*180*UN*1***1~ with 25 minutes of saline documented"},
)
def hydration_under_31_minutes(claim, ctx):
    """
    What it checks:
        Initial hydration (96360 with its 96361 hours) and hydration after another initial
        service (the 96361 lines of a date without 96360) run at least 31 minutes, on one clock:
        the same times repeated on the 96361 line count once.
    Why it matters:
        Hydration of 30 minutes or less is not separately reportable; billing it is overbilling.
        The fix removes the hydration lines (the saline supply line may remain); there is none
        when another drug would be left with no administration line on the date (review it).
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for hydration in clock.hydrations(view):
        if hydration.short:
            adm = hydration.adm
            line = adm.primary.line
            hits.add(
                _code_loc(line),
                hydration.minutes,
                31,
                line=line.number,
                code=adm.primary.code,
                fix=_drop_lines(view, adm),
            )
    return hits


def _unit_checks(ctx):
    """(administration, running minutes that count, billed add-on units, supported add-on units),
    computed once per claim."""
    found = ctx.cache.get("unit_checks")
    if found is None:
        found = ctx.cache["unit_checks"] = list(_compute_unit_checks(ctx, admin.for_claim(ctx)))
    return found


def _support(ctx, view, adm, minutes: int):
    """What ``minutes`` of running time support for an administration: (minutes that count, initial
    units, add-on units), or None when they are not judged here (hydration that is not reportable:
    INF011 / INF018; a home visit under a profile with no time_policy row)."""
    if adm.primary.family == "hydration":
        hydration = next(h for h in clock.hydrations(view) if h.adm is adm)
        counted = max(0, minutes - min(hydration.overlap, minutes))
        if not timemath.hydration_reportable(minutes if not hydration.overlap else counted):
            return None
        if adm.secondary_hydration:
            return counted, 1, timemath.secondary_hydration_units(counted)
        return counted, 1, timemath.addon_hours(counted)
    if adm.primary.kind == "visit":
        rule = clock.visit_rule(ctx, adm.primary.day)
        return None if rule is None else (minutes, 1, timemath.visit_addon_hours(minutes, *rule))
    initial, supported = timemath.initial_and_addons(minutes)
    return minutes, initial, supported if initial else 0


def _compute_unit_checks(ctx, view):
    for adm in view.administrations():
        if adm.minutes is None or not adm.primary.time_based:
            continue
        found = _support(ctx, view, adm, adm.minutes)
        if found is not None:
            yield adm, found[0], adm.billed_addon_units, found[2]


def _times_needed(ctx, view, adm, entry) -> bool:
    """Whether removing ``entry`` would lose documented time that matters: it is the only timed
    line, or without its intervals the administration's verdict (push or infusion, the add-on
    hours supported) would change."""
    if not entry.times.intervals:
        return False
    rest = [a.times for a in adm.lines if a is not entry and a.times.intervals]
    if not rest:
        return True
    minutes = clock.running_minutes(rest)
    if minutes == adm.minutes:
        return False
    before, after = _support(ctx, view, adm, adm.minutes), _support(ctx, view, adm, minutes)
    return (before and before[1:]) != (after and after[1:])


@FAMILY.edit(
    "INF012",
    name="addon-units-exceed-time",
    category="time-units",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="safe",
    message="{code} billed {value} unit(s) but {minutes} documented minutes support {expected}",
    references=("RULES.md A.3 ADM-03", "ADM-05"),
    examples={"fail": "96365 x1 + 96366 x1 for an infusion of 65 minutes (96366 needs 91 or more)"},
)
def addon_units_exceed_time(claim, ctx):
    """
    What it checks:
        Add-on hour units (96361, 96366, 96370, 96415, 96423, 99602) are no more than the documented
        running time supports: more than 30 minutes past each full hour after the first 90
        minutes (91 minutes is one add-on hour, 151 two); 96361 after another initial service
        counts from 31 minutes; a home visit 99601 covers 120 minutes and each 99602 hour counts
        past the payer profile's partial-hour threshold (time_policy, default more than 30:
        151 minutes is one 99602). The running time is one clock per administration: the union
        of the times documented on the infusion line and on its add-on lines (the same start and
        stop repeated on the add-on line count once), interruptions subtracted once; hydration
        counts only its minutes outside other infusions.
    Why it matters:
        Units above the documented time are overbilling, the first thing an infusion audit
        recovers. The fix sets the add-on units to what the time supports, or removes the line;
        not when the line to remove is the one that carries the times (move them first).
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for adm, minutes, billed, supported in _unit_checks(ctx):
        if billed <= supported or not adm.unit_lines:
            continue
        last = adm.unit_lines[-1]
        line = last.line
        keep = max(0, last.units - (billed - supported))
        title = f"Set {line.code} units to {keep} ({minutes} minutes)"
        needed = keep == 0 and _times_needed(ctx, view, adm, last)
        fix = None if needed else _set_units(line, keep, title)
        hits.add(
            line.service.at(line.units_element),
            billed,
            supported,
            line=line.number,
            code=line.code,
            minutes=minutes,
            fix=fix,
        )
    return hits


@FAMILY.edit(
    "INF013",
    name="addon-units-below-time",
    category="time-units",
    severity="warning",
    scope="claim",
    applies_to="admin",
    message="{minutes} documented minutes support {expected} unit(s) of {code}, but {value} are billed",
    references=("RULES.md A.3 ADM-03",),
    examples={"fail": "96413 x1 alone for a rituximab infusion documented at 120 minutes (96415 x1 missing)"},
)
def addon_units_below_time(claim, ctx):
    """
    What it checks:
        The documented running time supports more add-on hour units than are billed (the same
        one-clock running time as INF012). Hydration that is not reportable at all (INF011,
        INF018) is not counted.
    Why it matters:
        Under-billing loses revenue that the documentation supports. Review the record: add the
        add-on hour line (or units) if the time is right.
    """
    hits = Hits()
    for adm, minutes, billed, supported in _unit_checks(ctx):
        if billed < supported:
            target = adm.unit_lines[-1].line if adm.unit_lines else adm.primary.line
            addon = adm.primary.attr("addon_hour") or adm.primary.code
            hits.add(
                target.service.at(target.units_element if adm.unit_lines else target.code_element + "-2"),
                billed,
                supported,
                line=target.number,
                code=addon,
                minutes=minutes,
            )
    return hits


@FAMILY.edit(
    "INF014",
    name="concurrent-more-than-once",
    category="time-units",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="safe",
    message="Concurrent infusion 96368 is billed {value} times on {day}; it is reported once per date",
    references=("RULES.md A.1", "RULES.md A.3 ADM-08"),
    examples={"fail": "SV1*HC:96368*60*UN*2***1~"},
)
def concurrent_more_than_once(claim, ctx):
    """
    What it checks:
        Concurrent infusion (96368) is billed at most one unit per date of service.
    Why it matters:
        96368 is not time-based: it is reported once per date however long the concurrent
        infusion ran. Extra units are denied or recovered. The fix keeps one unit.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    days = sorted({a.day for a in view.lines if a.code == "96368"}, key=str)
    for day in days:
        lines = [a for a in view.on_day(day) if a.code == "96368"]
        total = sum(a.units for a in lines)
        if total <= 1:
            continue
        first, *rest = lines
        targets = ([(first, 1)] if first.units > 1 else []) + [(a, 0) for a in rest]
        for entry, keep in targets:
            line = entry.line
            hits.add(
                line.service.at(line.units_element),
                total,
                1,
                line=line.number,
                day=day,
                fix=_set_units(line, keep, f"Set 96368 units to {keep}"),
            )
    return hits


@FAMILY.edit(
    "INF015",
    name="repeat-push-professional",
    category="time-units",
    severity="error",
    scope="line",
    applies_to="admin",
    transactions=("837P",),
    message="96376 (repeat push of the same drug) is a facility-only code; "
    "a professional claim cannot report it",
    references=("RULES.md A.5 ADM-21", "RULES.md A.2"),
    examples={"fail": "837P POS 11: 96374 + 96376 for ondansetron 40 minutes later"},
)
def repeat_push_professional(line, ctx):
    """
    What it checks:
        96376 (each additional sequential IV push of the same drug) on an 837P.
    Why it matters:
        CPT and CMS restrict 96376 to facility reporting; on a physician claim it is denied.
    """
    hits = Hits()
    if line.code == "96376":
        hits.add(_code_loc(line), line.code)
    return hits


@FAMILY.edit(
    "INF016",
    name="repeat-push-too-soon",
    category="time-units",
    severity="error",
    scope="line",
    applies_to="admin",
    transactions=("837I",),
    message="96376 starts {value} minutes after the earlier push; a repeat push "
    "of the same drug needs more than 30 minutes",
    references=("RULES.md A.2", "RULES.md A.3"),
    examples={"fail": "96374 at 10:00 and 96376 at 10:20 (same ondansetron)"},
)
def repeat_push_too_soon(line, ctx):
    """
    What it checks:
        On a facility claim, a repeat push of the same drug (96376) starts more than 30 minutes
        after the previous push on the same date (both timed).
    Why it matters:
        A second push within 30 minutes is part of the first and is not separately payable.
    """
    hits = Hits()
    if line.code != "96376":
        return hits
    view = admin.for_claim(ctx)
    entry = admin.entry(ctx, line)
    if entry.times.start is None:
        return hits
    earlier = [
        a.times.start
        for a in view.on_day(entry.day)
        if a.attr("method") == "iv-push"
        and a is not entry
        and a.times.start
        and a.times.start <= entry.times.start
    ]
    if earlier:
        gap = int((entry.times.start - max(earlier)).total_seconds() // 60)
        if gap <= 30:
            hits.add(_code_loc(line), gap, "more than 30")
    return hits


@FAMILY.edit(
    "INF017",
    name="minutes-unit-basis",
    category="time-units",
    severity="error",
    scope="line",
    transactions=("837P",),
    fix="safe",
    message="{code} is billed in minutes (SV103 MJ, {value}); MJ is for anesthesia only: bill units (UN)",
    references=("RULES.md F TIME-04",),
    examples={"fail": "SV1*HC:96365*250*MJ*65***1~"},
)
def minutes_unit_basis(line, ctx):
    """
    What it checks:
        SV103 = MJ (minutes) on a line that is not an anesthesia service (00100-01999).
    Why it matters:
        Payers read MJ as anesthesia minutes; on an infusion line 65 minutes becomes 65 units and
        the claim is rejected or grossly overpaid. Infusion time goes in the record, units in
        SV104. For an initial or sequential service the fix bills 1 unit (UN).
    """
    code = line.code
    if line.unit_basis != "MJ" or (code.isdigit() and "00100" <= code <= "01999"):
        return None
    hits = Hits()
    entry = admin.entry(ctx, line)
    fix = None
    if entry.kind in ("initial", "sequential", "injection", "concurrent"):
        basis = line.service.at(line.basis_element)
        fix = Fix(
            "set",
            basis,
            "UN",
            "MJ",
            "safe",
            f"Bill {code} as 1 unit (UN)",
            more=(Fix("set", line.service.at(line.units_element), "1", line.units_text, "safe", ""),),
        )
    hits.add(line.service.at(line.basis_element), line.units_text, "UN", code=code, fix=fix)
    return hits


@FAMILY.edit(
    "INF018",
    name="hydration-concurrent",
    category="time-units",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="unsafe",
    message="Hydration {code} ran alongside {other}; only {value} minutes fall outside it, "
    "under the 31 needed to report hydration",
    references=("RULES.md A.3 ADM-09",),
    examples={"fail": "saline 10:00-12:00 billed 96360 + 96361 while 96413 ran 10:00-11:30"},
)
def hydration_concurrent(claim, ctx):
    """
    What it checks:
        Hydration (96360/96361) documented at the same time as another infusion on the date;
        only the hydration minutes outside the other infusions can be reported, and they must
        reach 31. One finding per hydration administration, on its first line; hydration under
        31 minutes in all is INF011 instead. Hydration with 31 minutes or more outside is timed
        on those minutes only (INF012 / INF013).
    Why it matters:
        Hydration running concurrently with another infusion is not separately reportable (NCCI
        policy manual ch. XI). The fix removes the hydration lines (96360 and its hours); it is
        unsafe because hydration given separately for its own indication may still be billable
        after review (and there is none when another drug would be left with no administration).
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for hydration in clock.hydrations(view):
        if hydration.concurrent:
            line = hydration.adm.primary.line
            hits.add(
                _code_loc(line),
                hydration.outside,
                31,
                line=line.number,
                code=hydration.adm.primary.code,
                other=", ".join(hydration.others),
                fix=_drop_lines(view, hydration.adm, "unsafe"),
            )
    return hits
