"""Modifiers: the code set, the kind of line each belongs on, JW/JZ wastage rules, conflicts
(RULES.md C.1-C.3, B.1 NCCI-03/04).  Which modifiers exist and where they belong come from the
``modifiers`` and ``code_kinds`` tables; single-dose drugs from the ``drugs`` table."""

import re

from scrubber import tables
from scrubber.findings import Fix, Hits
from scrubber.registry import Family

FAMILY = Family("modifier", "Modifier code set, placement, wastage (JW/JZ) and conflicts")

FORM = re.compile(r"^[A-Z0-9]{2}$")
DISTINCT = ("59", "XE", "XP", "XS", "XU")


def _info(modifier, day):
    row = tables.get("modifiers").lookup(modifier, on=day)
    return row.values if row else None


def _code_element(line) -> str:
    return "SV202" if line.service.segment == "SV2" else "SV101"


def _without(line, drop: set[str], title: str) -> Fix:
    """A fix that rewrites the procedure composite without the given modifiers (first of each kept)."""
    kept, seen = [], set()
    for m in line.modifiers:
        if m not in drop and m not in seen:
            kept.append(m)
        seen.add(m)
    element = _code_element(line)
    value = ":".join([line.proc_qualifier, line.code, *kept])
    before = ":".join([line.proc_qualifier, line.code, *line.modifiers])
    return Fix("set", line.service.at(element), value, before, "safe", title)


def _mod_loc(line, index):
    return line.service.at(f"{_code_element(line)}-{index + 3}")


@FAMILY.edit(
    "MOD001",
    name="modifier-malformed",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    message="Modifier {value!r} is not two letters or digits",
    references=("RULES.md C.1", "X12 element 1339"),
    examples={"fail": "SV1*HC:J1745:J*880*UN*40***1~"},
)
def modifier_malformed(line, ctx):
    """
    What it checks:
        Every procedure modifier (SV101-3..6, SV202-3..6) is exactly two letters or digits.
    Why it matters:
        A malformed modifier fails the implementation guide and the line is rejected.
    """
    hits = Hits()
    if line.service is None:
        return hits
    for i, m in enumerate(line.modifiers):
        if not FORM.match(m):
            hits.add(_mod_loc(line, i), m)
    return hits


@FAMILY.edit(
    "MOD002",
    name="modifier-unknown",
    category="modifier",
    severity="warning",
    scope="line",
    applies_to="modified",
    message="Modifier {value} is not in the modifier table ({release}) for the date of service",
    references=("RULES.md C.3", "CMS HCPCS modifiers", "AMA CPT modifiers"),
    examples={"fail": "SV1*HC:96413:ZQ*410*UN*1***1~"},
)
def modifier_unknown(line, ctx):
    """
    What it checks:
        Every well-formed modifier is in the modifier table in effect on the date of service.
    Why it matters:
        An unknown or retired modifier is rejected by the payer. The shipped table is a curated
        subset of the CPT and HCPCS modifier sets, so this is a warning: confirm the modifier or
        load the full HCPCS modifier file.
    """
    hits = Hits()
    if line.service is None:
        return hits
    release = tables.get("modifiers").release
    for i, m in enumerate(line.modifiers):
        if FORM.match(m) and _info(m, ctx.claim.line_date(line)) is None:
            hits.add(_mod_loc(line, i), m, release=release)
    return hits


def _misplaced(line, ctx, kind: str) -> Hits:
    """Modifiers of ``kind`` (em, drug, per-diem) on a line whose code is not of that kind, each with a
    safe fix that removes it (MOD003, MOD004, MOD009)."""
    hits = Hits()
    if line.service is None:
        return hits
    day = ctx.claim.line_date(line)
    if tables.code_kind(line.code, day) == kind:
        return hits
    for i, m in enumerate(line.modifiers):
        if (_info(m, day) or {}).get("kind") == kind:
            hits.add(_mod_loc(line, i), m, code=line.code, fix=_without(line, {m}, f"Remove modifier {m}"))
    return hits


@FAMILY.edit(
    "MOD003",
    name="em-modifier-not-on-em",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    fix="safe",
    message="Modifier {value} belongs on an evaluation and management service, not on {code}",
    references=("RULES.md C.3", "RULES.md B.1 NCCI-04", "RULES.md A.5 ADM-19"),
    examples={"fail": "SV1*HC:96413:25*410*UN*1***1~"},
)
def em_modifier_not_on_em(line, ctx):
    """
    What it checks:
        E/M modifiers (25 and the other E/M-only modifiers of the table) sit on E/M codes only
        (99202-99499).
    Why it matters:
        25 says the E/M service was significant and separate from the procedure; on the
        procedure line itself it is meaningless and the line is denied. The fix removes it.
    """
    return _misplaced(line, ctx, "em")


@FAMILY.edit(
    "MOD004",
    name="drug-modifier-not-on-drug",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    fix="safe",
    message="Modifier {value} belongs on a drug line, not on {code}",
    references=("RULES.md C.2 MOD-02",),
    examples={"fail": "SV1*HC:96413:JZ*410*UN*1***1~"},
)
def drug_modifier_not_on_drug(line, ctx):
    """
    What it checks:
        Drug modifiers (JW, JZ, JA, JB, JE, JG, TB) sit on drug lines only (HCPCS J codes and
        biosimilar Q codes), never on administration, E/M or per diem lines.
    Why it matters:
        JW/JZ describe the discarded amount of a drug; on an administration line they are
        invalid and the line is rejected. The fix removes the modifier.
    """
    return _misplaced(line, ctx, "drug")


@FAMILY.edit(
    "MOD005",
    name="jw-and-jz-on-one-line",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    message="JW (amount discarded) and JZ (nothing discarded) contradict each other on one line",
    references=("RULES.md C.2 MOD-01",),
    examples={"fail": "SV1*HC:J1745:JW:JZ*110*UN*5***1~"},
)
def jw_and_jz_on_one_line(line, ctx):
    """
    What it checks:
        A line does not carry both JW and JZ.
    Why it matters:
        The two modifiers assert opposite things; the line is rejected. Which one is true is a
        clinical fact from the administration record, so there is no automatic fix.
    """
    hits = Hits()
    if "JW" in line.modifiers and "JZ" in line.modifiers:
        hits.add(_mod_loc(line, line.modifiers.index("JZ")), "JW+JZ")
    return hits


def _drug_groups(claim, ctx):
    """(hcpcs, day) -> lines of that drug on that date."""
    groups: dict = {}
    for line in claim.lines:
        if line.service is not None and tables.code_kind(line.code, ctx.claim.line_date(line)) == "drug":
            groups.setdefault((line.code, ctx.claim.line_date(line)), []).append(line)
    return groups


@FAMILY.edit(
    "MOD006",
    name="single-dose-wastage-modifier-missing",
    category="modifier",
    severity="error",
    scope="claim",
    applies_to="drug",
    payers=("medicare",),
    effective_from="2023-07-01",
    fix="unsafe",
    message="{value} is a single-dose drug: bill it with JZ (nothing discarded) or with an administered line "
    "plus a JW line for the discarded amount",
    references=("RULES.md C.2 MOD-03", "CMS JW/JZ policy (required from 2023-07-01)"),
    examples={"fail": "Medicare, DOS 2023-08-15: SV1*HC:J9312*9250*UN*100***1~ with no JW or JZ line"},
)
def single_dose_wastage_modifier_missing(claim, ctx):
    """
    What it checks:
        On Medicare claims for dates of service from 2023-07-01, each single-dose-container drug
        (drugs table single_dose = yes, from the FDA labels: the biologics, immune globulins,
        meropenem and the other single-dose vials) on a date has either one line with JZ, or an
        administered line without JW/JZ plus a JW line for the discarded amount. Codes whose
        products come in both single- and multiple-dose vials (single_dose = mixed: ondansetron,
        gentamicin) are not checked.
    Why it matters:
        CMS requires JZ when nothing was discarded and JW for the discarded amount; claims
        without either are returned or denied. Adding JZ asserts that nothing was discarded, so
        the fix is unsafe: apply it only when the record shows no waste.
    """
    hits = Hits()
    drugs = tables.get("drugs")
    for (code, day), lines in _drug_groups(claim, ctx).items():
        row = drugs.lookup(code, on=day)
        if row is None or row.values.get("single_dose") != "yes":
            continue
        if any("JZ" in ln.modifiers for ln in lines):
            continue
        plain = [ln for ln in lines if "JW" not in ln.modifiers]
        if plain and any("JW" in ln.modifiers for ln in lines):
            continue
        if not plain:
            continue  # only JW lines: MOD007
        target = plain[0]
        fix = None
        if len(plain) == 1 and len(target.modifiers) < 4:
            value = ":".join([target.proc_qualifier, target.code, *target.modifiers, "JZ"])
            before = ":".join([target.proc_qualifier, target.code, *target.modifiers])
            fix = Fix(
                "set",
                target.service.at(_code_element(target)),
                value,
                before,
                "unsafe",
                f"Add JZ to {code} (asserts nothing was discarded)",
            )
        hits.add(
            target.service.at(_code_element(target) + "-2"), code, "JZ or JW", line=target.number, fix=fix
        )
    return hits


@FAMILY.edit(
    "MOD007",
    name="jw-without-administered-line",
    category="modifier",
    severity="error",
    scope="claim",
    applies_to="drug",
    message="The JW (discarded) line for {value} has no administered line for the same drug and date",
    references=("RULES.md C.2 MOD-04",),
    examples={"fail": "SV1*HC:J1745:JW*110*UN*5***1~ as the only J1745 line"},
)
def jw_without_administered_line(claim, ctx):
    """
    What it checks:
        A drug line with JW (amount discarded) has a line for the same HCPCS and date without
        JW/JZ (the amount administered).
    Why it matters:
        Waste is paid only alongside the administered dose; a claim with only the JW line is
        rejected.
    """
    hits = Hits()
    for (code, _), lines in _drug_groups(claim, ctx).items():
        jw = [ln for ln in lines if "JW" in ln.modifiers and "JZ" not in ln.modifiers]  # JW+JZ is MOD005
        if jw and not [ln for ln in lines if "JW" not in ln.modifiers and "JZ" not in ln.modifiers]:
            for ln in jw:
                hits.add(ln.service.at(_code_element(ln) + "-2"), code, None, line=ln.number)
    return hits


@FAMILY.edit(
    "MOD008",
    name="jz-and-jw-lines-same-drug",
    category="modifier",
    severity="error",
    scope="claim",
    applies_to="drug",
    message="{value} has a JZ line (nothing discarded) and a JW line (amount discarded) on the same date",
    references=("RULES.md C.2 MOD-07",),
    examples={"fail": "SV1*HC:J1745:JZ*3080*UN*35***1~ and SV1*HC:J1745:JW*440*UN*5***1~"},
)
def jz_and_jw_lines_same_drug(claim, ctx):
    """
    What it checks:
        The same drug on the same date is not billed with JZ on one line and JW on another.
    Why it matters:
        JZ says nothing was discarded; a JW line for the same drug contradicts it and the claim
        is denied or audited.
    """
    hits = Hits()
    for (code, _), lines in _drug_groups(claim, ctx).items():
        jz = [ln for ln in lines if "JZ" in ln.modifiers and "JW" not in ln.modifiers]
        jw = [ln for ln in lines if "JW" in ln.modifiers and "JZ" not in ln.modifiers]
        if jz and jw:
            hits.add(jw[0].service.at(_code_element(jw[0]) + "-2"), code, None, line=jw[0].number)
    return hits


@FAMILY.edit(
    "MOD009",
    name="per-diem-modifier-not-on-per-diem",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    fix="safe",
    message="Modifier {value} marks a concurrent home infusion therapy; it belongs on a per diem code, "
    "not {code}",
    references=("RULES.md C.3", "RULES.md J"),
    examples={"fail": "SV1*HC:J2185:SH*600*UN*30***1~"},
)
def per_diem_modifier_not_on_per_diem(line, ctx):
    """
    What it checks:
        SH and SJ (second / third concurrent home infusion therapy) sit on home-infusion per
        diem codes only (S9325-S9379, S9490-S9504).
    Why it matters:
        On a drug or nursing line they have no meaning and the line is denied. The fix removes
        the modifier.
    """
    return _misplaced(line, ctx, "per-diem")


@FAMILY.edit(
    "MOD010",
    name="modifier-repeated",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    fix="safe",
    message="Modifier {value} is repeated on the line",
    references=("RULES.md C.1",),
    examples={"fail": "SV1*HC:J1745:JZ:JZ*3520*UN*40***1~"},
)
def modifier_repeated(line, ctx):
    """
    What it checks:
        A modifier appears at most once on a line.
    Why it matters:
        A repeated modifier wastes one of the four slots and some payers reject the line. The
        fix keeps the first occurrence.
    """
    hits = Hits()
    seen = set()
    for i, m in enumerate(line.modifiers):
        if m in seen:
            hits.add(_mod_loc(line, i), m, fix=_without(line, set(), f"Keep one {m}"))
            return hits
        seen.add(m)
    return hits


@FAMILY.edit(
    "MOD011",
    name="distinct-modifiers-conflict",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    fix="safe",
    message="Distinct-service modifiers {value} conflict: use one, and an X modifier rather than 59",
    references=("RULES.md B.1 NCCI-03",),
    examples={"fail": "SV1*HC:96365:59:XS*190*UN*1***1~"},
)
def distinct_modifiers_conflict(line, ctx):
    """
    What it checks:
        A line carries at most one distinct-service modifier: never 59 together with XE, XS, XP
        or XU, nor two X modifiers.
    Why it matters:
        CMS asks for the more specific X modifier instead of 59, and payers reject lines with
        conflicting distinct-service modifiers. The fix keeps the first X modifier.
    """
    hits = Hits()
    present = [m for m in line.modifiers if m in DISTINCT]
    if len(present) < 2:
        return hits
    keep = next((m for m in present if m != "59"), present[0])
    drop = set(present) - {keep}
    hits.add(
        _mod_loc(line, line.modifiers.index(present[1])),
        "+".join(present),
        keep,
        fix=_without(line, drop, f"Keep {keep} only"),
    )
    return hits


@FAMILY.edit(
    "MOD012",
    name="distinct-modifier-on-em",
    category="modifier",
    severity="error",
    scope="line",
    applies_to="modified",
    fix="safe",
    message="Modifier {value} (distinct procedural service) does not go on an E/M code ({code}); use 25",
    references=("RULES.md B.1 NCCI-04",),
    examples={"fail": "SV1*HC:99213:59*135*UN*1***1~"},
)
def distinct_modifier_on_em(line, ctx):
    """
    What it checks:
        59 and the X modifiers are not used on evaluation and management codes.
    Why it matters:
        NCCI reserves 59/X for procedures; a separately identifiable E/M is marked with 25.
        The fix removes the distinct-service modifier (add 25 if the visit qualifies).
    """
    hits = Hits()
    if line.service is None or tables.code_kind(line.code, ctx.claim.line_date(line)) != "em":
        return hits
    for i, m in enumerate(line.modifiers):
        if m in DISTINCT:
            hits.add(_mod_loc(line, i), m, code=line.code, fix=_without(line, {m}, f"Remove modifier {m}"))
    return hits
