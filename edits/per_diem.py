"""Home infusion per diems: concurrent therapies and SH/SJ (RULES.md J HIT-03,
HIT-04; L open question 3).

The per diem codes and their dosing frequency come from the ``per_diems`` table; which per diem is
the primary, the modifiers of the second and third therapy and their payment fractions from the
``per_diem_policy`` table, one row per payer profile.  A profile with no policy row (medicare:
S-codes are not accepted, PP001) is not checked here.  SH/SJ on a code that is not a per diem is
MOD009 (edits/modifier.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from scrubber import policy as profile_policy
from scrubber import tables
from scrubber.findings import Fix, Hits
from scrubber.model import to_count
from scrubber.registry import Family

FAMILY = Family("per-diem", "Home infusion per diems: concurrent therapies, SH/SJ, per diem days")

MAX_MODIFIERS = 4  # SV101-3..6 / SV202-3..6


@dataclass
class PerDiem:
    """A per diem line with what the tables say about its code."""

    line: object
    index: int  # billed order on the claim
    doses: int | None  # doses a day implied by the code (None when it names no frequency)
    start: object
    end: object
    rank_modifier: str = ""  # the policy's second or third modifier on the line, "" for none

    @property
    def code(self) -> str:
        return self.line.code


@dataclass
class Policy:
    order: str  # "frequency" or "billed"
    second: str
    third: str
    second_fraction: str
    third_fraction: str


def _policy(ctx, day) -> Policy | None:
    v = profile_policy.values(ctx, "per_diem_policy", day)
    if v is None:
        return None
    return Policy(
        v.get("primary_order", "frequency").strip().lower(),
        v.get("second_modifier", "").strip(),
        v.get("third_modifier", "").strip(),
        v.get("second_fraction", "").strip(),
        v.get("third_fraction", "").strip(),
    )


def _doses(text: str) -> int | None:
    return to_count(text.strip(), 9)


def _per_diems(claim, ctx, policy: Policy) -> list[PerDiem]:
    table = tables.get("per_diems")
    found = []
    for index, line in enumerate(claim.lines):
        start = claim.line_date(line)
        row = table.lookup(line.code, on=start) if line.code else None
        if row is None:
            continue
        end = line.date_to if line.date_to and start and line.date_to >= start else start
        mods = line.modifiers
        rank = policy.second if policy.second in mods else policy.third if policy.third in mods else ""
        found.append(PerDiem(line, index, _doses(row.values["doses_per_day"]), start, end, rank))
    return found


def _groups(claim, ctx) -> tuple[Policy | None, list[list[PerDiem]]]:
    """The claim's per diems in groups of overlapping service spans (concurrent therapies), computed
    once per claim, with the payer profile's policy."""
    cached = ctx.cache.get("per_diem_groups")
    if cached is not None:
        return cached
    policy = _policy(ctx, claim.service_date)
    groups: list[list[PerDiem]] = []
    if policy is not None:
        dated = sorted(_per_diems(claim, ctx, policy), key=lambda p: (p.start is None, p.start or 0, p.index))
        last_end = None
        for entry in dated:
            if groups and entry.start is not None and last_end is not None and entry.start <= last_end:
                groups[-1].append(entry)
                last_end = max(last_end, entry.end)
            else:
                groups.append([entry])
                last_end = entry.end
        for group in groups:
            group.sort(key=lambda p: p.index)
    ctx.cache["per_diem_groups"] = (policy, groups)
    return policy, groups


def _order(entry: PerDiem, policy: Policy) -> tuple:
    """Sort key of the primary order: the most doses a day first (a code that names no frequency
    after those that do), ties in billed order; or billed order alone."""
    if policy.order == "billed":
        return (entry.index,)
    return (-(entry.doses or 0), entry.index)


def _code_loc(line):
    return line.service.at(line.code_element + "-2")


def _modifier_loc(line, position: int):
    """Location of modifier ``position`` (0-based) of a line: SV101-3.. / SV202-3.."""
    return line.service.at(f"{line.code_element}-{3 + position}")


def _add_modifier(line, modifier: str, safety: str = "safe") -> Fix | None:
    position = len(line.modifiers)
    if position >= MAX_MODIFIERS or line.service is None:
        return None
    return Fix("set", _modifier_loc(line, position), modifier, "", safety, f"Add {modifier} to {line.code}")


def _replace_modifier(line, old: str, new: str, safety: str) -> Fix | None:
    """Change (or, with ``new`` = "", drop) modifier ``old``; dropping only a last modifier, so no
    empty component is left between two others."""
    if old not in line.modifiers or line.service is None:
        return None
    position = line.modifiers.index(old)
    if not new and position != len(line.modifiers) - 1:
        return None
    title = f"{'Change' if new else 'Remove'} {old}{' to ' + new if new else ''} on {line.code}"
    return Fix("set", _modifier_loc(line, position), new, old, safety, title)


def _day(group: list[PerDiem]):
    return min((p.start for p in group if p.start), default=None)


@FAMILY.edit(
    "PD001",
    name="concurrent-per-diem-unmodified",
    category="per-diem",
    severity="error",
    scope="claim",
    applies_to="per-diem",
    fix="safe",
    message="{value} is a concurrent per diem on {day} billed without a modifier, like {primary}: "
    "only the primary per diem is unmodified; add {expected}",
    references=("RULES.md J HIT-03", "HIT-04", "RULES.md L.3"),
    examples={"fail": "S9502 x1 and S9501 x1 on one date, neither with SH"},
)
def concurrent_per_diem_unmodified(claim, ctx):
    """
    What it checks:
        Two or more home infusion per diems (S9325-S9379, S9490-S9504; per_diems table) whose
        service dates overlap are concurrent therapies: exactly one is billed without SH/SJ. When
        more than one has neither, the one the payer profile makes primary (per_diem_policy:
        the most doses a day first, by default) stays unmodified and the others are reported.
    Why it matters:
        Payers pay the primary per diem in full and the second (SH) and third or later (SJ) at a
        contracted fraction; two unmodified per diems for one day are denied as duplicates or
        overpaid. The fix adds SH to the second therapy (SJ when an SH line exists already).
    """
    hits = Hits()
    policy, groups = _groups(claim, ctx)
    for group in groups:
        bare = sorted((p for p in group if not p.rank_modifier), key=lambda p: _order(p, policy))
        if len(group) < 2 or len(bare) < 2:
            continue
        primary, others = bare[0], bare[1:]
        has_second = any(p.rank_modifier == policy.second for p in group)
        for entry in others:
            modifier = policy.third if has_second else policy.second
            has_second = True
            line = entry.line
            hits.add(
                _code_loc(line),
                entry.code,
                modifier,
                line=line.number,
                day=_day(group),
                primary=primary.code,
                fix=_add_modifier(line, modifier),
            )
    return hits


@FAMILY.edit(
    "PD002",
    name="per-diem-primary-order",
    category="per-diem",
    severity="warning",
    scope="claim",
    applies_to="per-diem",
    fix="unsafe",
    message="{value} is billed as the primary per diem on {day}, but under the {profile} profile "
    "{expected} ({doses} doses a day) is the primary; {value} takes {modifier} "
    "(paid at {fraction} of its rate)",
    references=("RULES.md J HIT-04", "RULES.md L.3"),
    examples={"fail": "S9501 x1 (every 12 hours) unmodified with S9502-SH x1 (every 8 hours)"},
)
def per_diem_primary_order(claim, ctx):
    """
    What it checks:
        Among concurrent per diems with one unmodified (primary) line, the primary is the one the
        payer profile's order puts first (per_diem_policy primary_order: "frequency" = the per
        diem with the most doses a day, e.g. S9502 every 8 hours before S9501 every 12 hours;
        "billed" = the first billed). Frequencies are compared only when both codes name one.
    Why it matters:
        The primary per diem is paid in full and the others at a fraction, so the order decides
        the payment; contracts commonly make the more intensive therapy the primary. The order is
        contract configuration (not found in a public source), hence a warning. The fix (unsafe)
        moves the modifier: the expected primary loses it, the billed primary takes it.
    """
    hits = Hits()
    policy, groups = _groups(claim, ctx)
    for group in groups:
        bare = [p for p in group if not p.rank_modifier]
        if len(bare) != 1:
            continue
        actual = bare[0]
        best = min(group, key=lambda p: _order(p, policy))
        if best is actual:
            continue
        if policy.order != "billed" and (best.doses is None or actual.doses is None):
            continue
        modifier = best.rank_modifier
        fix = _replace_modifier(best.line, modifier, "", "unsafe")
        added = _add_modifier(actual.line, modifier, "unsafe")
        if fix is not None and added is not None:
            fix = Fix(
                fix.op,
                fix.loc,
                fix.value,
                fix.expect,
                "unsafe",
                f"Bill {best.code} as the primary per diem and {actual.code} with {modifier}",
                more=(added,),
            )
        else:
            fix = None
        fraction = policy.second_fraction if modifier == policy.second else policy.third_fraction
        hits.add(
            _code_loc(actual.line),
            actual.code,
            best.code,
            line=actual.line.number,
            day=_day(group),
            profile=ctx.profile,
            doses=best.doses if best.doses is not None else "?",
            modifier=modifier,
            fraction=fraction or "a contracted share",
            fix=fix,
        )
    return hits


@FAMILY.edit(
    "PD003",
    name="per-diem-modifier-without-primary",
    category="per-diem",
    severity="error",
    scope="claim",
    applies_to="per-diem",
    fix="unsafe",
    message="{value} carries {modifier} on {day} but no per diem for those dates is billed without "
    "SH/SJ: the primary per diem ({expected}) must be unmodified",
    references=("RULES.md J HIT-03", "RULES.md C.3 (SH, SJ)"),
    examples={"fail": "S9501-SH x1 as the only per diem of the date"},
)
def per_diem_modifier_without_primary(claim, ctx):
    """
    What it checks:
        Per diems for the same dates of which every one carries SH or SJ: SH and SJ mark the
        second and later concurrent therapies, so one per diem must be the unmodified primary.
        The per diem the profile's order makes primary is reported.
    Why it matters:
        A second-therapy per diem with no primary is priced at a fraction or denied, and hides
        that the primary therapy was never billed (or was billed on another claim, which the
        payer must be able to match). The fix (unsafe: the primary may sit on another claim)
        removes the modifier when the per diem is the only one for its dates.
    """
    hits = Hits()
    policy, groups = _groups(claim, ctx)
    for group in groups:
        if any(not p.rank_modifier for p in group):
            continue
        best = min(group, key=lambda p: _order(p, policy))
        line = best.line
        fix = _replace_modifier(line, best.rank_modifier, "", "unsafe") if len(group) == 1 else None
        hits.add(
            _code_loc(line),
            best.code,
            best.code,
            line=line.number,
            day=_day(group),
            modifier=best.rank_modifier,
            fix=fix,
        )
    return hits


@FAMILY.edit(
    "PD004",
    name="per-diem-modifier-sequence",
    category="per-diem",
    severity="error",
    scope="claim",
    applies_to="per-diem",
    fix="safe",
    message="{value} on {day} carries {current}: with a primary per diem, exactly one concurrent "
    "per diem takes {second} and the others {third}; expected {expected}",
    references=("RULES.md J HIT-03", "RULES.md C.3 (SH, SJ)"),
    examples={"fail": "S9502 x1, S9501-SH x1 and S9500-SH x1 on one date (the third needs SJ)"},
)
def per_diem_modifier_sequence(claim, ctx):
    """
    What it checks:
        Concurrent per diems with one unmodified primary: exactly one of the others carries SH
        (second therapy) and the rest SJ (third or more). Two SH lines, or SJ with no SH line, are
        reported; which line keeps or takes SH follows the profile's primary order.
    Why it matters:
        SH and SJ set the payment fraction of each additional therapy; a third therapy billed
        with SH is overpaid, a second billed with SJ underpaid, and payers reject the sequence.
        The fix sets the modifier the sequence needs.
    """
    hits = Hits()
    policy, groups = _groups(claim, ctx)
    for group in groups:
        if sum(1 for p in group if not p.rank_modifier) != 1:
            continue
        extra = sorted((p for p in group if p.rank_modifier), key=lambda p: _order(p, policy))
        if not extra:
            continue
        seconds = [p for p in extra if p.rank_modifier == policy.second]
        keep = seconds[0] if seconds else extra[0]
        for entry in extra:
            expected = policy.second if entry is keep else policy.third
            if entry.rank_modifier == expected:
                continue
            line = entry.line
            hits.add(
                _code_loc(line),
                entry.code,
                expected,
                line=line.number,
                day=_day(group),
                current=entry.rank_modifier,
                second=policy.second,
                third=policy.third,
                fix=_replace_modifier(line, entry.rank_modifier, expected, "safe"),
            )
    return hits
