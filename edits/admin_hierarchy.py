"""Initial / add-on hierarchy of drug administration codes and the drug's administration family
(RULES.md A.4 ADM-11..13, A.2 ADM-06/07, A.6 ADM-24/25, A.5 ADM-20/22)."""

from functools import cache

from scrubber import admin, clock, tables
from scrubber.findings import Fix, Hits, hit
from scrubber.registry import Family

FAMILY = Family(
    "admin-hierarchy", "One initial service per encounter, add-ons and their primaries, drug family"
)

PER_DIEM_PREFIXES = ("S93", "S94", "S95")


def _code_loc(line):
    return line.service.at(line.code_element + "-2")


def _rank(entry) -> int:
    return int(entry.attr("rank") or 9)


def _initials(view, day):
    """The date's initial services; hydration that is not reportable at all (INF011 / INF018) is none."""
    key = ("initials", day)
    found = view.cache.get(key)
    if found is None:
        found = [a for a in view.on_day(day) if a.kind == "initial"]
        if any(a.family == "hydration" for a in found):
            dropped = clock.not_reportable(view)
            found = [a for a in found if id(a) not in dropped]
        view.cache[key] = found
    return found


def _kept_initial(initials):
    """The service that stays initial (ADM-11), never chosen by line order: the highest in the
    hierarchy (chemo/complex > therapeutic > hydration; infusion > push > injection: the ``rank``
    column), equal ranks keeping the first listed.  On 837I that is the facility rule (ADM-13).  On
    837P it is the primary reason for the encounter: for a claim with a chemo/complex drug its
    chemo/complex administration, which outranks every other initial, else the highest in the same
    hierarchy, so the same choice."""
    return min(initials, key=_rank)


def _extra_initials(claim, view):
    """(kept initial, extra initial) pairs of the claim, computed once per claim."""
    found = view.cache.get("extra_initials")
    if found is None:
        found = view.cache["extra_initials"] = list(_find_extra_initials(claim, view))
    return found


def _find_extra_initials(claim, view):
    for day in view.days:
        initials = _initials(view, day)
        if len(initials) < 2:
            continue
        kept = _kept_initial(initials)
        for entry in initials:
            if entry is not kept:
                yield kept, entry


def _to_subsequent(entry) -> Fix | None:
    code = entry.attr("subsequent")
    if not code:
        return None
    loc = _code_loc(entry.line)
    return Fix("set", loc, code, entry.code, "safe", f"Bill {code} (subsequent) instead of {entry.code}")


@FAMILY.edit(
    "INF020",
    name="second-initial-service",
    category="admin-hierarchy",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="safe",
    message="Two initial services on {day}: {value} and {first}; only one initial service is "
    "reported per encounter: {first} stays initial, bill {expected} for {value}",
    references=("RULES.md A.4 ADM-11", "ADM-12"),
    examples={"fail": "96365 (ceftriaxone) and 96374 (ondansetron push) on one date, no modifier"},
)
def second_initial_service(claim, ctx):
    """
    What it checks:
        One encounter (date of service on the claim) has a single initial administration code
        from 96360, 96365, 96369, 96374, 96409, 96413 (and the intra-arterial and pump
        initials). A second one with a distinct-service modifier (59, XE, XS, XP, XU) is INF021.
        On 837I a lower-ranked initial is INF022 (facility hierarchy).
        The initial that stays is never chosen by line order: it is the highest in the hierarchy
        (chemo/complex before therapeutic before hydration; infusion before push before
        injection), so a premedication push listed before a rituximab infusion is the one
        converted. Hydration that is not reportable at all (INF011, INF018) is not counted.
    Why it matters:
        CPT allows one initial service per encounter; every other service is sequential,
        subsequent or concurrent. A second initial is denied or recovered on audit (CMS RAC
        issue 0071). The fix turns the other initial into its subsequent code: 96365 to 96367,
        96374 to 96375, 96413 to 96417, 96409 to 96411, 96360 to 96361.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for kept, entry in _extra_initials(claim, view):
        if entry.distinct:
            continue
        if claim.transaction == "837I" and _rank(entry) > _rank(kept):
            continue  # INF022 reports the facility hierarchy
        _initial_hit(hits, entry, kept.code, _to_subsequent(entry))
    return hits


def _initial_hit(hits, entry, first: str, fix) -> None:
    """An initial service that must become its subsequent code (INF020, INF022)."""
    hits.add(
        _code_loc(entry.line),
        entry.code,
        entry.attr("subsequent") or "a subsequent code",
        line=entry.line.number,
        day=entry.day,
        first=first,
        fix=fix,
    )


@FAMILY.edit(
    "INF021",
    name="second-initial-with-modifier",
    category="admin-hierarchy",
    severity="warning",
    scope="claim",
    applies_to="admin",
    message="Second initial service {value} on {day} carries {modifier}: the record must show "
    "a second IV site or a separate encounter",
    references=("RULES.md A.4 ADM-11",),
    examples={"fail": "96365 and 96365-XS on one date"},
)
def second_initial_with_modifier(claim, ctx):
    """
    What it checks:
        A second initial service on a date that carries a distinct-service modifier (59, XE, XS,
        XP, XU).
    Why it matters:
        Two initial services are allowed only when a second IV site was medically required or the
        encounters were separate; the modifier asserts that, and the record must support it.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for _kept, entry in _extra_initials(claim, view):
        if entry.distinct:
            modifier = next(m for m in entry.line.modifiers if m in admin.DISTINCT_MODIFIERS)
            hits.add(
                _code_loc(entry.line),
                entry.code,
                None,
                line=entry.line.number,
                day=entry.day,
                modifier=modifier,
            )
    return hits


@FAMILY.edit(
    "INF022",
    name="facility-initial-hierarchy",
    category="admin-hierarchy",
    severity="error",
    scope="claim",
    applies_to="admin",
    transactions=("837I",),
    fix="safe",
    message="{value} is billed as an initial service but {first} outranks it on {day} (chemo/complex > "
    "therapeutic > hydration; infusion > push): bill {expected}",
    references=("RULES.md A.4 ADM-13", "RULES.md F.1 INST-04"),
    examples={"fail": "837I: 96365 (antibiotic 09:00-09:40) + 96413 (rituximab 10:00-12:00)"},
)
def facility_initial_hierarchy(claim, ctx):
    """
    What it checks:
        On a facility claim (837I) the initial service is the highest in the CPT facility
        hierarchy, not the first by the clock: chemotherapy/complex before therapeutic before
        hydration, and within a family infusion before push before injection. That covers a
        lower-ranked second initial, and an initial outranked by a service billed as sequential
        (a push billed 96374 while the infusion is billed 96367: bill 96365 + 96375).
    Why it matters:
        Hospitals must report the initial code by hierarchy; an initial code lower in it is paid
        at the wrong rate and rejected by outpatient code editors. The fix turns the lower
        initial into its subsequent code (and the outranking sequential service into its
        initial code); re-check the add-on hours afterwards.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for kept, entry in _extra_initials(claim, view):
        if entry.distinct or _rank(entry) <= _rank(kept):
            continue
        _initial_hit(hits, entry, kept.code, _to_subsequent(entry))
    for kept, better, initial in _outranking_sequential(view):
        fix = _to_subsequent(kept)
        if fix is not None:
            loc = _code_loc(better.line)
            also = Fix("set", loc, initial, better.code, "safe", "")
            title = f"Bill {initial} (initial) instead of {better.code}, {fix.value} instead of {kept.code}"
            fix = Fix(fix.op, fix.loc, fix.value, fix.expect, "safe", title, more=(also,))
        _initial_hit(hits, kept, better.code, fix)
    return hits


@cache
def _initial_of() -> dict[str, str]:
    """Sequential code -> the initial code it is the subsequent of (96367 -> 96365, 96375 -> 96374)."""
    rows = tables.get("admin_codes").rows.values()
    return {r[0].values["subsequent"]: r[0].key[0] for r in rows if r[0].values["subsequent"]}


def _outranking_sequential(view):
    """(billed initial, sequential line that outranks it, that line's initial code) per date."""
    for day in view.days:
        initials = _initials(view, day)
        if not initials:
            continue
        kept = _kept_initial(initials)
        better = [
            a
            for a in view.on_day(day)
            if a.kind == "sequential" and a.code in _initial_of() and _rank(a) < _rank(kept)
        ]
        if better:
            best = min(better, key=_rank)
            yield kept, best, _initial_of()[best.code]


def _addon_problems(view):
    """Add-ons without an allowed primary, computed once per claim."""
    found = view.cache.get("addon_problems")
    if found is None:
        found = view.cache["addon_problems"] = list(_find_addon_problems(view))
    return found


def _find_addon_problems(view):
    """(add-on entry, the add-on the billed primaries call for or None), for add-ons without a primary."""
    for entry in view.lines:
        if entry.kind not in ("addon-hour", "sequential", "concurrent", "addon-setup"):
            continue
        day_codes = {a.code for a in view.on_day(entry.day) if a is not entry}
        if day_codes.intersection(entry.primaries):
            continue
        right = None
        if entry.kind == "addon-hour":
            right = next(
                (
                    a.attr("addon_hour")
                    for a in view.on_day(entry.day)
                    if a.attr("addon_hour")
                    and a.attr("addon_hour") != entry.code
                    and a.family != "hydration"
                    and entry.family != "hydration"
                ),
                None,
            )
        yield entry, right


@FAMILY.edit(
    "INF023",
    name="addon-without-primary",
    category="admin-hierarchy",
    severity="error",
    scope="claim",
    applies_to="admin",
    message="Add-on {value} has no allowed primary on {day} (one of {expected})",
    references=("RULES.md A.2", "RULES.md A.3 ADM-06", "CMS NCCI add-on code file"),
    examples={"fail": "96375 billed alone, with no 96365/96374/96409/96413 on the date"},
)
def addon_without_primary(claim, ctx):
    """
    What it checks:
        Every add-on administration code (96361, 96366-96368, 96370, 96371, 96375, 96376, 96411,
        96415, 96417, 96423, 99602) has one of its allowed primary codes on the claim for the
        same date. Add-on hours that belong to another family are INF024.
    Why it matters:
        An add-on code is never paid alone; without its primary the line is denied (CMS NCCI
        add-on code edits).
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for entry, right in _addon_problems(view):
        if right is None:
            hits.add(
                _code_loc(entry.line),
                entry.code,
                ", ".join(entry.primaries),
                line=entry.line.number,
                day=entry.day,
            )
    return hits


@FAMILY.edit(
    "INF024",
    name="addon-wrong-family",
    category="admin-hierarchy",
    severity="error",
    scope="claim",
    applies_to="admin",
    fix="safe",
    message="Add-on {value} does not extend the services billed on {day}; their add-on hour is {expected}",
    references=("RULES.md A.3 ADM-07",),
    examples={"fail": "96413 + 96366 (the chemo infusion's added hour is 96415)"},
)
def addon_wrong_family(claim, ctx):
    """
    What it checks:
        An add-on hour code that belongs to another family than the infusion it extends: 96366
        with only 96413 (should be 96415), 96415 with only 96365 (should be 96366).
    Why it matters:
        The add-on is denied for lack of its primary, and the hour the infusion did run goes
        unpaid. The fix changes the add-on to the billed infusion's add-on hour code.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    for entry, right in _addon_problems(view):
        if right is not None:
            loc = _code_loc(entry.line)
            hits.add(
                loc,
                entry.code,
                right,
                line=entry.line.number,
                day=entry.day,
                fix=Fix("set", loc, right, entry.code, "safe", f"Bill {right} instead of {entry.code}"),
            )
    return hits


def _therapeutic_infusion(entry) -> bool:
    """96365 / 96367: a therapeutic IV infusion that starts an administration (not an add-on hour)."""
    return (
        entry.family == "therapeutic"
        and entry.attr("method") == "iv-infusion"
        and entry.kind
        in (
            "initial",
            "sequential",
        )
    )


def _is_drug_code(code: str) -> bool:
    """A HCPCS drug code: J codes and the Q5 biosimilars."""
    return code.startswith(("J", "Q5"))


def _drug_lines(view, day):
    return [(a, a.drug_family) for a in view.on_day(day) if a.info is None]


@FAMILY.edit(
    "INF025",
    name="complex-drug-therapeutic-codes",
    category="admin-hierarchy",
    severity="warning",
    scope="claim",
    applies_to="drug",
    message="{drug} ({value}) is on the complex-biologic list but its administration is billed "
    "as therapeutic {code}; Medicare pays 96413/96415 when the complexity is documented",
    references=("RULES.md A.6 ADM-24",),
    examples={"fail": "J1745 (infliximab) with 96365 + 96366"},
)
def complex_drug_therapeutic_codes(claim, ctx):
    """
    What it checks:
        A drug on the complex-biologic list (rituximab, infliximab and biosimilars, abatacept,
        tocilizumab, ocrelizumab, natalizumab, eculizumab, belimumab) administered on a date
        whose infusion codes are therapeutic (96365, 96367) and no complex administration code is
        billed (then the therapeutic code belongs to another drug).
    Why it matters:
        Possible under-coding: since CMS TDL 12397 / CR 13468 such drugs are paid as complex
        administration when the documentation supports it. Never upgraded automatically: some
        commercial payers require the therapeutic codes, and the complexity must be documented.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    drugs = tables.get("drug_admin_family")
    for day in view.days:
        complex_drugs = [a for a, fam in _drug_lines(view, day) if fam == "complex"]
        if not complex_drugs or any(a.family == "complex" for a in view.on_day(day)):
            continue  # no complex drug, or its administration is billed with complex codes
        for entry in view.on_day(day):
            if _therapeutic_infusion(entry):
                drug = complex_drugs[0]
                name = drugs.lookup(drug.code, on=day).values["drug"]
                hits.add(
                    _code_loc(entry.line),
                    drug.code,
                    None,
                    line=entry.line.number,
                    drug=name,
                    code=entry.code,
                )
    return hits


def _non_complex_with_chemo(claim, ctx):
    view = admin.for_claim(ctx)
    for day in view.days:
        chemo = [a for a in view.on_day(day) if a.family == "complex"]
        drugs = _drug_lines(view, day)
        if not chemo or not drugs or any(fam in ("complex", "chemo") for _, fam in drugs):
            continue
        if any(fam is None and _is_drug_code(a.code) for a, fam in drugs):
            continue  # a drug the table does not classify (oxaliplatin, a typo): the codes may be right
        plain = [a for a, fam in drugs if fam in ("therapeutic", "hydration")]
        if plain:
            entry = chemo[0]
            yield hit(
                _code_loc(entry.line),
                entry.code,
                None,
                line=entry.line.number,
                drugs=", ".join(a.code for a in plain),
            )


_NON_COMPLEX_DOC = """
    What it checks:
        Chemotherapy/complex administration codes (964xx) on a date whose only drugs are
        non-complex ones (antibiotics, IVIG, anti-emetics, G-CSF, iron, saline). A date with a drug
        the table does not classify is left alone.
    Why it matters:
        Anti-infectives, supportive drugs and fluids are therapeutic administration (96365-96379);
        billing them with chemotherapy codes is over-coding. {why}
"""
for _id, _name, _sev, _payers, _why in (
    (
        "INF026",
        "non-complex-drug-chemo-codes-medicare",
        "error",
        ("medicare",),
        "Medicare denies or recovers it.",
    ),
    (
        "INF027",
        "non-complex-drug-chemo-codes",
        "warning",
        ("medicaid", "commercial"),
        "Most payers follow Medicare; check the payer's policy.",
    ),
):
    FAMILY.edit(
        _id,
        name=_name,
        category="admin-hierarchy",
        severity=_sev,
        scope="claim",
        applies_to="admin",
        payers=_payers,
        message="{value} (chemotherapy/complex administration) with only non-complex drugs ({drugs})",
        references=("RULES.md A.6 ADM-25",),
        examples={"fail": "96413 with J2185 (meropenem) as the only drug"},
    )(_non_complex_with_chemo, _NON_COMPLEX_DOC.format(why=_why))


@FAMILY.edit(
    "INF028",
    name="drug-without-administration",
    category="admin-hierarchy",
    severity="warning",
    scope="claim",
    applies_to="drug",
    message="Drug {value} on {day} has no administration line on that date",
    references=("RULES.md A.5 ADM-22",),
    examples={"fail": "J1745 x40 with no 9636x/9641x line on the date"},
)
def drug_without_administration(claim, ctx):
    """
    What it checks:
        A drug line (a HCPCS drug code, J or Q5) on a date with no administration line (963xx,
        964xx, 99601) and no home-infusion per diem (S93xx-S95xx). Fluids (saline, the hydration
        family of the drug table) are left alone: fluid that only carries a drug or keeps a vein
        open, and hydration under 31 minutes, have no reportable administration (RULES.md A.1).
    Why it matters:
        Payers expect the drug and the service that gave it on the same claim; a drug alone is
        often denied or pended, or the administration was simply not billed (lost revenue).
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    drugs = tables.get("drug_admin_family")
    for day in view.days:
        entries = view.on_day(day)
        if any(a.info is not None or a.code.startswith(PER_DIEM_PREFIXES) for a in entries):
            continue
        for entry in entries:
            code = entry.code
            if entry.drug_family == "hydration":
                continue
            if drugs.lookup(code, on=day) is not None or _is_drug_code(code):
                hits.add(_code_loc(entry.line), code, None, line=entry.line.number, day=day)
    return hits


@FAMILY.edit(
    "INF029",
    name="admin-in-facility-setting",
    category="admin-hierarchy",
    severity="error",
    scope="claim",
    applies_to="admin",
    transactions=("837P",),
    message="{value} is a facility place of service; the physician does not report drug administration "
    "{codes} there (the facility bills it on the 837I)",
    references=("RULES.md A.5 ADM-20",),
    examples={"fail": "837P POS 22 (outpatient hospital) with 96413"},
)
def admin_in_facility_setting(claim, ctx):
    """
    What it checks:
        Drug administration codes (96360-96379, 96401-96425, 96521-96523) on an 837P whose place of
        service is a facility setting (hospital outpatient 19/22, inpatient 21, ER 23, ASC 24,
        SNF 31 and the other facility places of service).
    Why it matters:
        In a facility the hospital reports the administration on its institutional claim; the
        physician's line is denied (CPT guidance, MAC articles). Some payers only warn.
    """
    hits = Hits()
    view = admin.for_claim(ctx)
    pos = tables.get("place_of_service")
    for entry in view.lines:
        if entry.info is None or entry.family == "home":
            continue
        place = entry.line.place_of_service or claim.facility_code
        row = pos.lookup(place, on=entry.day)
        if row is not None and row.values["pfs_setting"] == "facility":
            hits.add(_code_loc(entry.line), place, None, line=entry.line.number, codes=entry.code)
    return hits
