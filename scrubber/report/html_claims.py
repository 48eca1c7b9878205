"""The HTML report's claim sections (header, service lines, findings at their line), the fix audit
trail, and the edits' explain blocks."""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from ..pipeline import Result
from ..registry import catalog
from . import claims as claim_data
from .claims import money_text
from .html_build import attr, badge, badge_text, el, esc, finding_block, finding_text, html, plain_href, table


def _placed(findings: list, lines) -> tuple[dict, set, list]:
    """The findings by line number, the claim's line numbers, and the findings on no line of it."""
    by_line = defaultdict(list)
    for f in findings:
        by_line[f.line].append(f)
    known = {ln.number for ln in lines}
    return by_line, known, [f for ln, fs in by_line.items() if ln not in known for f in fs]


def _line_cells(ln) -> tuple[str, ...]:
    """A service line's cells in the claim section's table (_LINE_COLUMNS)."""
    code = " ".join((ln.code, *ln.modifiers)) if ln.modifiers else ln.code
    return (
        "" if ln.number is None else str(ln.number),
        code,
        ln.units,
        ln.charge,
        ln.pointers,
        ln.ndc,
        ln.times or "-",
        ln.date,
    )


def _head_fields(row) -> tuple[tuple[str, str], ...]:
    """The claim section's header: (label, value) pairs."""
    d = row.detail
    return (
        ("file", row.file),
        ("transaction", row.transaction),
        ("payer", d.payer or "-"),
        ("profile", row.profile),
        ("date of service", row.service_date or "-"),
        ("facility", d.facility or "-"),
        ("total charge", money_text(row.charge or 0)),
        ("status", row.status),
    )


def claim_section(anchor: str, row, findings: list, changes: list) -> str:
    """A claim's section as text: what ``html(claim_element(...))`` writes (2,000 sections on a
    large run, which lxml takes three times as long to build); a claim with a finding of an edit
    id that an href would escape goes through lxml."""
    if not all(plain_href(f.edit) for f in findings):
        return html(claim_element(anchor, row, findings, changes))
    d = row.detail
    status = row.status
    head = "".join(f"<span><i>{esc(f'{k}: ')}</i>{esc(v)}</span>" for k, v in _head_fields(row))
    claim_attr = "" if row.claim_id is None else f" data-claim={attr(row.claim_id)}"
    out = [
        f'<section class="claim" id={attr(anchor)}{claim_attr}>'
        f"<h3>Claim <code>{esc(row.claim_id)}</code> {badge_text(status)}</h3>"
        f'<div class="claim-head">{head}</div>'
    ]
    by_line, known, claim_level = _placed(findings, d.lines)
    if claim_level:
        items = "".join(
            f'<li class="finding {esc(f.severity.label)}">{finding_text(f)}</li>' for f in claim_level
        )
        out.append(f"<ul>{items}</ul>")
    out.append(f"<table><thead><tr>{_LINE_HEADS}</tr></thead><tbody>")
    for ln in d.lines:
        out.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in _line_cells(ln)) + "</tr>")
        for f in by_line.get(ln.number, ()) if ln.number in known else ():
            out.append(
                f'<tr class="finding {esc(f.severity.label)}">'
                f'<td colspan="{len(_LINE_COLUMNS)}">{finding_text(f)}</td></tr>'
            )
    out.append("</tbody></table>")
    if changes:
        out.append(html(changes_table(changes)))
    out.append("</section>")
    return "".join(out)


_LINE_COLUMNS = ("LX", "code + modifiers", "units", "charge", "pointers", "NDC", "documented times", "date")
_LINE_HEADS = "".join(f"<th>{esc(c)}</th>" for c in _LINE_COLUMNS)


def claim_element(anchor: str, row, findings: list, changes: list) -> etree._Element:
    d = row.detail
    head = el(
        "div",
        {"class": "claim-head"},
        *(el("span", None, el("i", None, f"{k}: "), v) for k, v in _head_fields(row)),
    )
    sec = el(
        "section",
        {"class": "claim", "id": anchor, "data-claim": row.claim_id},
        el("h3", None, "Claim ", el("code", None, row.claim_id), " ", badge(row.status)),
        head,
    )
    by_line, known, claim_level = _placed(findings, d.lines)
    if claim_level:
        sec.append(
            el(
                "ul",
                None,
                *(el("li", {"class": f"finding {f.severity.label}"}, *finding_block(f)) for f in claim_level),
            )
        )
    cols = _LINE_COLUMNS
    body = el("tbody")
    for ln in d.lines:
        body.append(el("tr", None, *(el("td", None, v) for v in _line_cells(ln))))
        for f in by_line.get(ln.number, ()) if ln.number in known else ():
            body.append(
                el(
                    "tr",
                    {"class": f"finding {f.severity.label}"},
                    el("td", {"colspan": len(cols)}, *finding_block(f)),
                )
            )
    sec.append(el("table", None, el("thead", None, el("tr", None, *(el("th", None, c) for c in cols))), body))
    if changes:
        sec.append(changes_table(changes))
    return sec


def changes_table(changes: list) -> etree._Element:
    rows = el("tbody")
    for c in changes:
        rows.append(
            el(
                "tr",
                None,
                el("td", None, "" if c["line"] is None else str(c["line"])),
                el("td", None, c["edit"]),
                el("td", None, c["title"]),
                el("td", {"class": "before"}, c["before"]),
                el("td", {"class": "after"}, c["after"]),
            )
        )
    head = el("tr", None, *(el("th", None, h) for h in ("line", "edit", "change", "before", "after")))
    return el("table", {"class": "changes"}, el("thead", None, head), rows)


def explain(edit_ids) -> etree._Element:
    by_id = {e.id: e for e in catalog()}
    sec = el("section", {"id": "explain"}, el("h2", None, "What each edit checks"))
    for eid in sorted(edit_ids):
        e = by_id.get(eid)
        if e is None:
            continue
        body = [
            f"{e.category}, {e.severity.label}, scope {e.scope}, fix {e.fix or 'none'}, "
            f"payers {', '.join(e.payers) if e.payers else 'all'}"
        ]
        for title in ("What it checks", "Why it matters"):
            if e.doc_section(title):
                body += [f"\n\n{title}: ", e.doc_section(title)]
        for kind, sample in e.examples.items():
            body.append(f"\n\nExample ({'failing' if kind == 'fail' else kind}): {sample}")
        if e.references:
            body.append("\n\nReferences: " + "; ".join(e.references))
        sec.append(
            el(
                "details",
                {"class": "explain", "id": f"explain-{eid}"},
                el("summary", None, f"{eid} {e.name}"),
                el("pre", None, *body),
            )
        )
    return sec


def audit(result: Result, changes: dict) -> etree._Element:
    sec = el("section", {"id": "audit"}, el("h2", None, "Audit trail: every change, before and after"))
    if not result.changes:
        sec.append(el("p", None, "No change was made."))
    for n, (claim_id, items) in enumerate(changes.items()):
        if n >= claim_data.DETAIL_CAP:
            sec.append(
                el("p", {"class": "note"}, f"{len(changes) - n:,} more claims changed: see the JSON report.")
            )
            break
        title = f"Claim {claim_id}" if claim_id else "Envelope"
        sec.append(el("div", {"class": "claim"}, el("h3", None, title), changes_table(items)))
    if result.fix_skipped:
        sec.append(el("h3", None, "Fixes not applied"))
        sec.append(
            table(
                ("claim", "edit", "reason"),
                [(s["claim_id"] or "", s["edit"], s["reason"]) for s in result.fix_skipped],
            )
        )
    return sec
