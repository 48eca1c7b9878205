"""Which drug each administration line gives (RULES.md G DX-02: the administration line that gives
a drug, not every administration line of the day).

In order: the administration record's ``drug`` column for the line; for an add-on hour line, the
drug of the infusion it extends; else the drug lines of the same date whose administration family
fits the line's (chemo/complex administration: complex or chemo drugs; therapeutic: therapeutic or
complex drugs; hydration: saline), narrowed by time overlap when both lines are timed.  When that
leaves more than one drug, or a drug the tables do not know, the line is not matched: guessing
would ask an antiemetic push to point at the biologic's diagnosis.
"""

from __future__ import annotations

from . import admin, tables

# administration family (admin_codes) -> drug administration families (drugs table) it can give
FITS = {
    "complex": frozenset({"complex", "chemo"}),
    "therapeutic": frozenset({"therapeutic", "complex"}),
    "hydration": frozenset({"hydration"}),
}


def given(ctx) -> dict[int, str | None]:
    """id(administration line) -> the HCPCS of the one drug it gives, or None when not known; once
    per claim."""
    return ctx.once("admin-drugs", lambda: _match(ctx))


def _recorded(ctx, line) -> set[str]:
    times = ctx.times
    if not times.rows:
        return set()
    return {r.drug.upper() for r in times.for_line(ctx.claim.claim_id, line.number, line.ref_6r) if r.drug}


def _overlaps(a, b) -> bool:
    return any(i.overlap(j) > 0 for i in a.times.intervals for j in b.times.intervals)


def _match(ctx) -> dict[int, str | None]:
    view = admin.for_claim(ctx)
    drugs = [
        a for a in view.lines if a.line.service is not None and tables.code_kind(a.code, a.day) == "drug"
    ]
    out: dict[int, str | None] = {}
    addon_of = {id(addon.line): adm.primary for adm in view.administrations() for addon in adm.addons}
    pending = []
    for a in view.lines:
        if a.info is None or a.line.service is None:
            continue
        recorded = _recorded(ctx, a.line)
        if recorded:
            out[id(a.line)] = next(iter(recorded)) if len(recorded) == 1 else None
        elif id(a.line) in addon_of:
            pending.append(a)
        else:
            out[id(a.line)] = _by_family(a, [d for d in drugs if d.day == a.day])
    for a in pending:  # an add-on hour gives what its primary gives
        out[id(a.line)] = out.get(id(addon_of[id(a.line)].line))
    return out


def _by_family(a, same_day) -> str | None:
    fits = FITS.get(a.family)
    if fits is None:
        return None  # home visits and unknown families serve every therapy of the day
    candidates = []
    for d in same_day:
        family = d.drug_family  # drug_admin_family table
        if family is None:
            return None  # a drug the tables do not know could be the one given
        if family in fits:
            candidates.append(d)
    codes = {d.code for d in candidates}
    if len(codes) > 1 and a.times.intervals:
        timed = {d.code for d in candidates if d.times.intervals and _overlaps(a, d)}
        codes = timed or codes
    return next(iter(codes)) if len(codes) == 1 else None
