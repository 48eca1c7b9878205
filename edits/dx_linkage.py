"""Diagnosis pointers (837P SV107): do they point at diagnoses that exist?"""

from functools import lru_cache

from scrubber import admin_drugs, tables
from scrubber.findings import Fix, Hits, hit
from scrubber.model import to_count
from scrubber.registry import Family

FAMILY = Family("dx-linkage", "Line diagnosis pointers and the diagnoses they reach")

MAX_POINTERS_TARGETS = 12


def _pointer_loc(line, index: int):
    return line.service.at(f"SV107-{index + 1}")


@lru_cache(maxsize=4096)
def _out_of_range(pointers: tuple[str, ...], count: int) -> tuple[tuple[int, str], ...]:
    """(index, pointer text) for every filled SV107 component that points at none of ``count``
    diagnoses (``_in_range``); cached, since a batch repeats the same few pointer lists."""
    return tuple((i, p) for i, p in enumerate(pointers) if p and not _in_range(p, count))


@lru_cache(maxsize=4096)
def _repeats(pointers: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(each filled pointer once, in order; the repeated ones, in order of repetition)."""
    seen: list[str] = []
    repeated: list[str] = []
    for pointer in pointers:
        if pointer:
            (repeated if pointer in seen else seen).append(pointer)
    return tuple(seen), tuple(repeated)


@lru_cache(maxsize=1024)
def _numbers(pointers: tuple[str, ...]) -> frozenset:
    """The diagnosis positions an SV107 names (``to_count`` of each pointer, None for one that is
    not a number); cached, since a batch repeats the same few pointer lists."""
    return frozenset(to_count(p) for p in pointers)


def _in_range(pointer: str, count: int) -> bool:
    number = to_count(pointer)
    return number is not None and 1 <= number <= min(count, MAX_POINTERS_TARGETS)


def _kept(pointers, count: int) -> list[str]:
    """The pointers a fix writes back: each once, in order, without those that point at no
    diagnosis (DX001); all of them (each once) when none is in range, so that a fix never leaves
    the line without a first pointer."""
    unique = list(dict.fromkeys(p for p in pointers if p))
    valid = [p for p in unique if _in_range(p, count)]
    return valid or unique


def _with_pointer(line, position: int, count: int) -> str | None:
    """SV107 with ``position`` added after the line's valid pointers (an out-of-range one is dropped
    or replaced); None when the four slots hold valid pointers already."""
    valid = [p for p in dict.fromkeys(line.pointers) if p and _in_range(p, count)]
    if len(valid) >= 4:
        return None
    return ":".join([*valid, str(position)])


@FAMILY.edit(
    "DX001",
    name="pointer-out-of-range",
    category="dx-linkage",
    severity="error",
    scope="line",
    transactions=("837P",),
    message="Diagnosis pointer {value} points at no diagnosis: the claim has {count} diagnosis code(s)",
    references=("RULES.md G DX-01",),
    examples={"fail": "HI*ABK:M0579*ABF:Z79899~ … SV1*HC:96413*310*UN*1***3~"},
)
def pointer_out_of_range(line, ctx):
    """
    What it checks:
        Every SV107 pointer is a number from 1 to 12 that names an existing position in the
        claim's HI diagnosis list (pointer 5 with four diagnoses is wrong).
    Why it matters:
        The pointer is how the payer knows why the service was given; a pointer to nothing fails
        front-end edits, and the line has no diagnosis to justify the drug or procedure.
    """
    if line.service is None:
        return None
    hits = Hits()
    count = len(ctx.claim.diagnoses)
    for index, pointer in _out_of_range(line.pointers, count):
        hits.add(_pointer_loc(line, index), pointer, f"1-{count}" if count else None, count=count)
    return hits


@FAMILY.edit(
    "DX002",
    name="pointer-duplicate",
    category="dx-linkage",
    severity="warning",
    scope="line",
    transactions=("837P",),
    fix="safe",
    message="Diagnosis pointer {value} is repeated on the line",
    references=("RULES.md G", "005010X222A1 SV107"),
    examples={"fail": "SV1*HC:96365*190*UN*1***1:1~"},
)
def pointer_duplicate(line, ctx):
    """
    What it checks:
        A line does not point at the same diagnosis twice in SV107.
    Why it matters:
        A repeated pointer takes one of the four slots and some payers reject the line as
        malformed. The fix keeps the first occurrence of each pointer, in order, and drops a
        pointer that points at no diagnosis (DX001) when a valid one remains.
    """
    if line.service is None:
        return None
    hits = Hits()
    seen, repeated = _repeats(line.pointers)
    if repeated:
        loc = line.service.at("SV107")
        value = ":".join(_kept(seen, len(ctx.claim.diagnoses)))
        hits.add(
            loc,
            repeated[0],
            value,
            fix=Fix("set", loc, value, ":".join(line.pointers), "safe", f"Set SV107 to {value}"),
        )
    return hits


@FAMILY.edit(
    "DX003",
    name="first-pointer-missing",
    category="dx-linkage",
    severity="error",
    scope="line",
    transactions=("837P",),
    fix="safe",
    message="SV107-1, the first diagnosis pointer, is empty",
    references=("RULES.md G", "005010X222A1 SV107-1 required"),
    examples={"fail": "SV1*HC:96365*190*UN*1***:2~ or SV1*HC:96365*190*UN*1~"},
)
def first_pointer_missing(line, ctx):
    """
    What it checks:
        Every 837P service line has its first diagnosis pointer (SV107-1, required by the guide).
    Why it matters:
        Without a first pointer the line has no primary diagnosis and is rejected. When later
        pointers are present the fix moves them up (dropping any that point at no diagnosis
        while a valid one remains); when the claim has a single diagnosis the fix points at it;
        otherwise the biller must choose.
    """
    if line.service is None or (line.pointers and line.pointers[0]) or not ctx.claim.diagnoses:
        return None  # a claim with no diagnoses at all is STR009's finding
    hits = Hits()
    loc = line.service.at("SV107-1")
    count = len(ctx.claim.diagnoses)
    filled = _kept(line.pointers, count)
    if count == 1 and not any(_in_range(p, count) for p in filled):
        filled = []  # nothing valid to move up: point at the only diagnosis
    fix = None
    if filled:
        value = ":".join(filled)
        fix = Fix(
            "set",
            line.service.at("SV107"),
            value,
            ":".join(line.pointers),
            "safe",
            f"Move the pointers up: SV107 = {value}",
        )
    elif count == 1:
        fix = Fix(
            "set",
            line.service.at("SV107"),
            "1",
            ":".join(line.pointers),
            "safe",
            "Point the line at the only diagnosis (1)",
        )
    hits.add(loc, ":".join(line.pointers) or None, None, fix=fix)
    return hits


@lru_cache(maxsize=4096)
def _prefixes(code: str, day) -> tuple[str, ...]:
    """The diagnosis codes or prefixes that support a drug with a coverage list (drugs table
    ``dx_policy`` = coverage); () for a drug whose list is illustrative or that has none.  ``day`` is
    a ``tables.epoch``."""
    row = tables.get("drugs").lookup(code, on=day)
    if row is None or row.values.get("dx_policy", "") != "coverage":
        return ()
    found = (p.replace(".", "") for p in tables.cell_list(row.values.get("supporting_dx", "")))
    return tuple(p for p in found if p)


def _supporting(claim, code, day):
    """(prefixes that support the drug, positions of claim diagnoses that match one) or None."""
    prefixes = _prefixes(code, tables.epoch(day))
    if not prefixes:
        return None
    positions = [dx.position for dx in claim.diagnoses if dx.code.replace(".", "").startswith(prefixes)]
    return prefixes, positions


def _drug_lines(claim, ctx) -> list:
    """(line, date, (prefixes, positions)) for the claim's drug lines with a coverage list; once per
    claim for DX004 and DX005."""
    return ctx.once("dx-drugs", lambda: list(_find_drug_lines(claim)))


def _find_drug_lines(claim):
    for line in claim.lines:
        day = claim.line_date(line)
        if line.service is not None and tables.code_kind(line.code, day) == "drug":
            found = _supporting(claim, line.code, day)
            if found is not None:
                yield line, day, found


@FAMILY.edit(
    "DX004",
    name="drug-diagnosis-not-supported",
    category="dx-linkage",
    severity="error",
    scope="claim",
    applies_to="drug",
    message="No diagnosis on the claim supports {value} ({drug}); expected one of {expected}",
    references=("RULES.md G DX-02", "RULES.md D", "RULES.md G DX-05"),
    examples={"fail": "HI*ABK:Z79899~ with SV1*HC:J9312*9250*UN*100***1~ (rituximab needs RA or lymphoma)"},
)
def drug_diagnosis_not_supported(claim, ctx):
    """
    What it checks:
        For every drug whose diagnosis list in the drugs table is a coverage list (dx_policy =
        coverage: the biologics and biosimilars, IVIG, chemotherapy, whose LCD or payer policy
        names the diagnoses), at least one of the claim's diagnoses (837P HI, 837I principal and
        other diagnoses) is on it (a code or a category prefix: M05.79 supports rituximab for
        rheumatoid arthritis). Anti-infectives (meropenem, vancomycin, ceftriaxone ...) and
        supportive drugs (saline, antiemetics, diphenhydramine) have an illustrative list and
        are not checked: any infection diagnosis supports an antibiotic (RULES.md D).
    Why it matters:
        Payers pay costly drugs only for covered indications (LCD billing and coding articles,
        payer medical policies); a drug with no supporting diagnosis on the claim is denied.
    """
    hits = Hits()
    if not claim.diagnoses:
        return hits  # a claim with no diagnoses at all is STR009's finding
    for line, day, (prefixes, positions) in _drug_lines(claim, ctx):
        if not positions:
            drug = tables.get("drugs").lookup(line.code, on=day).values.get("drug", line.code)
            shown = ", ".join(prefixes[:6]) + (" …" if len(prefixes) > 6 else "")
            hits.add(line.service.at(f"{line.code_element}-2"), line.code, shown, line=line.number, drug=drug)
    return hits


@FAMILY.edit(
    "DX005",
    name="supporting-diagnosis-not-pointed",
    category="dx-linkage",
    severity="warning",
    scope="claim",
    applies_to="drug",
    transactions=("837P",),
    fix="safe",
    message="Line {line} ({code}) does not point at diagnosis {expected}, which supports {value}",
    references=("RULES.md G DX-02", "RULES.md G DX-03"),
    examples={"fail": "HI*ABK:Z79899*ABF:M0579~ … SV1*HC:J9312*9250*UN*100***1~ (points at Z79.899 only)"},
)
def supporting_diagnosis_not_pointed(claim, ctx):
    """
    What it checks:
        On 837P, for a drug with a coverage list (DX004), the drug line and the administration
        line that gives that drug point (SV107) at a diagnosis that supports it, when the claim
        has one. The administration line is matched to its drug by the administration record's
        drug column, else (an add-on hour) by the infusion it extends, else by administration
        family (chemo/complex or therapeutic codes for a biologic, hydration codes for saline)
        and time overlap on the same date; a line that could give more than one drug (an
        antiemetic push beside a biologic infusion) is not asked to point at the biologic's
        diagnosis.
    Why it matters:
        The payer reads the pointed diagnoses as the reason for each line; a drug pointing only
        at an unrelated diagnosis (Z79.899 long-term drug therapy) is denied even though the
        supporting diagnosis is on the claim. The fix adds the pointer when a slot is free,
        replacing a pointer that points at no diagnosis (DX001) rather than keeping it.
    """
    return sorted(_unpointed(claim, ctx), key=lambda h: (h.line is None, h.line or 0))


def _unpointed(claim, ctx):
    flagged = set()
    count = len(claim.diagnoses)
    for line, day, (_prefixes, positions) in _drug_lines(claim, ctx):
        if not positions:
            continue
        wanted = set(positions)
        missing = [
            ln
            for ln in claim.lines
            if ln.service is not None
            and id(ln) not in flagged
            and claim.line_date(ln) == day
            and wanted.isdisjoint(_numbers(ln.pointers))
        ]
        if not missing:
            continue
        others = [ln for ln in missing if ln is not line]
        gives = admin_drugs.given(ctx) if others else {}  # matched once per claim, only when needed
        for target in missing:
            if target is not line and gives.get(id(target)) != line.code:
                continue
            flagged.add(id(target))
            value = _with_pointer(target, positions[0], count)
            fix = None
            if value is not None:
                fix = Fix(
                    "set",
                    target.service.at("SV107"),
                    value,
                    ":".join(target.pointers),
                    "safe",
                    f"Point line {target.number} at diagnosis {positions[0]} as well",
                )
            yield hit(
                target.service.at("SV107"),
                line.code,
                positions[0],
                line=target.number,
                code=target.code,
                fix=fix,
            )
