"""A self-contained HTML report for billers: summary, charts, a findings table, one section per claim.

Every element is built with lxml, which escapes every value (a claim id of ``<script>`` stays
text), but the findings table's rows and the claim sections, written as text with the same
escaping (html_build.esc and attr, tested against lxml's output); style and script are inline and
nothing is fetched, so the file opens from disk.  Written piece by piece, reading the findings once
from the result's spool (counted, the table's rows put in a scratch file, the claim sections'
findings kept): the table holds the first TABLE_CAP findings and the claim sections the claims the
collector kept lines for (scrubber/report/claims.py), so the page stays usable and memory flat
however large the batch."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from functools import lru_cache
from typing import TextIO

from lxml import etree

from .. import __version__
from ..findings import CATEGORIES
from ..pipeline import Result
from . import claims as claim_data
from . import html_assets
from .claims import Tallies, headline, held_charge, money_text
from .html_build import (
    Counting,
    attr,
    badge,
    badge_text,
    el,
    esc,
    fix_note,
    fix_text,
    html,
    plain_href,
    table,
)
from .html_claims import audit, claim_section, explain

TABLE_CAP = 50_000  # findings in the sortable table; the CSV and XLSX reports have them all
CHUNK = 1000
TABLE_COLUMNS = (
    "file",
    "claim",
    "line",
    "severity",
    "category",
    "edit",
    "message",
    "value",
    "expected",
    "fix",
)


def _summary(result: Result, tallies: Tallies) -> etree._Element:
    risk = result.at_risk
    cards = headline(result)
    box = el(
        "div", {"class": "cards"}, *(el("div", {"class": "card"}, el("b", None, str(v)), k) for k, v in cards)
    )
    box.append(
        el(
            "div",
            {"class": "card risk"},
            el("b", None, money_text(risk["charge"])),
            "charge on claims with errors",
        )
    )
    held = held_charge(result)
    if held is not None:
        box.append(
            el("div", {"class": "card risk"}, el("b", None, money_text(held)), "charge on held claims")
        )
    section = el("section", {"id": "summary"}, el("h2", None, "Summary"), box)
    if result.gate:
        g = result.gate
        section.append(
            el(
                "p",
                None,
                f"Gate: {g['input_claims']} claims in, {g['clean_claims']} clean -> {g['clean']}, "
                f"{g['held_claims']} held -> {g['held']} (held at {g['fail_on']} and above).",
            )
        )
    files = [
        (
            f.path,
            f.transaction or "-",
            f.claims,
            f.findings["error"],
            f.findings["warning"],
            f"not read: {f.error}"
            if f.error
            else "errors"
            if f.findings["error"]
            else "warnings"
            if f.findings["warning"]
            else "clean",
        )
        for f in result.files
    ]
    section.append(el("h3", None, "Files"))
    section.append(
        table(
            ("file", "transaction", "claims", "errors", "warnings", "status"),
            files,
            ("claims", "errors", "warnings"),
        )
    )
    cats = [
        (
            c,
            tallies.by_category_severity[(c, "error")],
            tallies.by_category_severity[(c, "warning")],
            tallies.by_category_severity[(c, "info")],
            money_text(risk["by_category"].get(c, 0)),
        )
        for c in CATEGORIES
        if tallies.by_category[c]
    ]
    section.append(el("h3", None, "Findings by category, and the money at risk"))
    section.append(
        el(
            "p",
            {"class": "note"},
            "At risk: the total charge (CLM02) of the claims with an error "
            "in the category; a claim with errors in two categories counts in both.",
        )
    )
    section.append(
        table(
            ("category", "errors", "warnings", "info", "charge at risk"),
            cats,
            ("errors", "warnings", "info", "charge at risk"),
        )
    )
    return section


def _bars(title: str, items: list[tuple[str, int]], colour: str) -> etree._Element:
    """A horizontal bar chart as inline SVG."""
    width, bar, label_w = 600, 18, 230
    top = max((n for _, n in items), default=1) or 1
    height = 28 + bar * len(items) + 4 * len(items)
    svg = el(
        "svg",
        {
            "width": width,
            "height": height,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-label": title,
        },
    )
    svg.append(el("text", {"x": 0, "y": 16, "font-weight": "bold", "font-size": 14}, title))
    for i, (name, n) in enumerate(items):
        y = 26 + i * (bar + 4)
        w = max(1, round((width - label_w - 60) * n / top))
        svg.append(el("text", {"x": label_w - 6, "y": y + 13, "text-anchor": "end", "font-size": 12}, name))
        svg.append(
            el(
                "rect",
                {"x": label_w, "y": y, "width": w, "height": bar, "fill": colour},
                el("title", None, f"{name}: {n}"),
            )
        )
        svg.append(el("text", {"x": label_w + w + 4, "y": y + 13, "font-size": 12}, str(n)))
    return el("figure", None, svg)


def _short(label: str, size: int = 34) -> str:
    return label if len(label) <= size else label[: size - 1] + "\u2026"


def _charts(tallies: Tallies) -> etree._Element:
    cats = [(c, tallies.by_category[c]) for c in CATEGORIES if tallies.by_category[c]]
    edits = [(_short(f"{e} {tallies.names[e]}"), n) for e, n in tallies.by_edit.most_common(25)]
    return el(
        "section",
        {"id": "charts"},
        el("h2", None, "Charts"),
        el(
            "div",
            {"class": "charts"},
            _bars("Findings by category", cats, "#b3261e"),
            _bars("Findings by edit (top 25)", edits, "#0b6e99"),
        ),
    )


def _finding_row(f, anchor: str | None) -> str:
    """A findings table row as text: what ``html(_finding_element(f, anchor))`` writes (the table
    has up to TABLE_CAP rows, and lxml takes three times as long); an edit id that an href would
    escape goes through lxml."""
    edit = f.edit
    if not plain_href(edit):
        return html(_finding_element(f, anchor))
    head, middle = _row_parts(f.severity, f.category, edit, f.name)
    line, fix = f.line, f.fix
    claim = f'<a href="#{anchor}">{esc(f.claim_id)}</a>' if anchor else esc(f.claim_id or "")
    sort, number = (-1, "") if line is None else (line, esc(str(line)))
    note = fix_text(fix)
    return (
        f'{head}<td>{esc(f.file)}</td><td>{claim}</td><td class="num" data-sort={attr(sort)}>{number}</td>'
        f"{middle}<td>{esc(f.message)}</td><td>{esc(f.value)}</td><td>{esc(f.expected)}</td><td>{note}</td></tr>"
    )


@lru_cache(maxsize=4096)
def _row_parts(severity, category, edit, name) -> tuple[str, str]:
    """The row's start tag, and its severity, category and edit cells (few distinct per run)."""
    attrs = (("data-severity", severity.label), ("data-category", category), ("data-edit", edit))
    head = '<tr class="row"' + "".join(f" {k}={attr(v)}" for k, v in attrs if v is not None) + ">"
    middle = (
        f"<td data-sort={attr(2 - int(severity))}>{badge_text(severity.label)}</td><td>{esc(category)}</td>"
        f'<td><a href="#explain-{edit}">{esc(edit)}</a>{esc(f" {name}")}</td>'
    )
    return head, middle


def _finding_element(f, anchor: str | None) -> etree._Element:
    claim = el("a", {"href": f"#{anchor}"}, f.claim_id) if anchor else (f.claim_id or "")
    cells = [
        el("td", None, f.file),
        el("td", None, claim),
        el(
            "td",
            {"class": "num", "data-sort": f.line if f.line is not None else -1},
            "" if f.line is None else str(f.line),
        ),
        el("td", {"data-sort": 2 - int(f.severity)}, badge(f.severity.label)),
        el("td", None, f.category),
        el("td", None, el("a", {"href": f"#explain-{f.edit}"}, f.edit), f" {f.name}"),
        el("td", None, f.message),
        el("td", None, f.value),
        el("td", None, f.expected),
        el("td", None, fix_note(f.fix)),
    ]
    return el(
        "tr",
        {"class": "row", "data-severity": f.severity.label, "data-category": f.category, "data-edit": f.edit},
        *cells,
    )


def _controls(tallies: Tallies) -> etree._Element:
    sev = el(
        "select",
        {"id": "filter-severity", "aria-label": "severity"},
        el("option", {"value": ""}, "any severity"),
        *(el("option", {"value": s}, s) for s in ("error", "warning", "info")),
    )
    cat = el(
        "select",
        {"id": "filter-category", "aria-label": "category"},
        el("option", {"value": ""}, "any category"),
        *(el("option", {"value": c}, c) for c in CATEGORIES if tallies.by_category[c]),
    )
    return el(
        "div",
        {"class": "controls"},
        el(
            "input", {"id": "filter-text", "type": "search", "placeholder": "filter: claim, code, edit, text"}
        ),
        sev,
        cat,
        el("span", None, "shown: ", el("b", {"id": "shown-count"}, "")),
    )


def write(result: Result, out: TextIO) -> None:
    out = Counting(out)
    details = {}
    anchors = {}
    with_findings = 0
    cap = claim_data.DETAIL_CAP
    for row in result.claim_rows:
        if row.errors or row.warnings:
            with_findings += 1
        if row.detail is not None and len(details) < cap:
            key = (row.file, row.claim_id)
            if key not in details:
                details[key] = row
                anchors[key] = f"claim-{len(anchors) + 1}"
    per_claim = defaultdict(list)
    # one pass over the findings: the table's rows go to a scratch file while they are counted
    # (the summary and charts, which come first, need the counts)
    rows = tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape")
    tallies = _table_rows(result.findings, details, anchors, per_claim, rows)
    changes = defaultdict(list)
    for c in result.changes or ():
        changes[c["claim_id"]].append(c)

    out.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    out.write(html(el("title", None, "Claim scrub report")))
    out.write(html(el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"})))
    out.write(html(el("style", None, html_assets.CSS)) + "</head><body>")
    inputs = ", ".join("<stdin>" if i == "-" else i for i in result.inputs[:5])
    more = f" and {len(result.inputs) - 5} more" if len(result.inputs) > 5 else ""
    out.write(html(el("h1", None, "Claim scrub report")))
    out.write(
        html(el("p", {"class": "meta"}, f"scrub {__version__}, run {result.started}; inputs: {inputs}{more}"))
    )
    out.write(html(_summary(result, tallies)))
    out.write(html(_charts(tallies)))

    total = len(result.findings)
    out.write(f'<section id="findings">{html(el("h2", None, "Findings"))}')
    out.write(html(_controls(tallies)))
    if total > TABLE_CAP:
        out.write(
            _note(
                f"The table lists the first {TABLE_CAP:,} of {total:,} findings; "
                "the CSV and XLSX reports list them all."
            )
        )
    heads = "".join(html(el("th", {"class": "num"} if h == "line" else None, h)) for h in TABLE_COLUMNS)
    out.write(f'<div class="tablewrap"><table id="findings-table"><thead><tr>{heads}</tr></thead><tbody>')
    rows.seek(0)
    while block := rows.read(1 << 20):
        out.write(block)
    rows.close()
    out.write("</tbody></table></div></section>")

    out.write(f'<section id="claims">{html(el("h2", None, "Claims with errors or warnings"))}')
    if with_findings > len(details):
        out.write(
            _note(
                f"The first {len(details):,} of {with_findings:,} claims with errors or warnings are shown "
                "line by line; the findings table lists the others."
            )
        )
    for key, row in details.items():
        out.write(claim_section(anchors[key], row, per_claim.get(key, []), changes.get(row.claim_id, [])))
    out.write("</section>")
    if result.changes is not None:
        out.write(html(audit(result, changes)))
    out.write(html(explain(tallies.by_edit)))
    out.write(html(el("script", None, html_assets.JS)))
    size = out.size + 200
    sizes = f"This file: about {size / 1e6:.2f} MB ({total:,} findings, {len(details):,} claim sections)."
    out.write(html(el("footer", {"class": "meta"}, sizes)))
    out.write("</body></html>\n")


def _note(message: str) -> str:
    return html(el("p", {"class": "note"}, message))


def _table_rows(findings, details: dict, anchors: dict, per_claim: dict, rows: TextIO) -> Tallies:
    """The findings counted, in one pass: the first TABLE_CAP are written to ``rows`` as table
    rows, and those of claims with a section are kept for it."""
    counts = {}
    chunk = []
    for i, f in enumerate(findings):
        counted = (f.edit, f.name, f.category, f.severity)  # Tallies.key, inlined
        counts[counted] = counts.get(counted, 0) + 1
        key = (f.file, f.claim_id)
        if key in details:
            per_claim[key].append(f)
        if i < TABLE_CAP:
            chunk.append(_finding_row(f, anchors.get(key)))
            if len(chunk) >= CHUNK:
                rows.write("".join(chunk))
                chunk = []
    rows.write("".join(chunk))
    return Tallies.of_counts(counts)
