"""The HTML report (``--format html``), parsed back with lxml: every claim with an error or warning
has its section, every finding is in the table, nothing points outside the page, values are
escaped, the claim sections are capped; on check, fix (--report) and gate (--report)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html
from typer.testing import CliRunner

from scrubber import parallel, pipeline
from scrubber.cli import app
from scrubber.config import Config
from scrubber.report import claims as claim_data
from scrubber.times import AdminTimes

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
TIMES = SAMPLES / "admin_times.csv"
DEFECTS = SAMPLES / "837p_defects.x12"
RUNNER = CliRunner()


def invoke(*args) -> object:
    return RUNNER.invoke(app, [str(a) for a in args], catch_exceptions=False)


def reports(tmp_path, *paths, cmd="check", extra=()) -> tuple[dict, html.HtmlElement]:
    """The JSON and the HTML report of the same run."""
    docs = {}
    for fmt in ("json", "html"):
        out = tmp_path / f"report.{fmt}"
        if cmd == "check":
            args = ["check", *paths, "--times", TIMES, "-f", fmt, "-o", out, "--fail-on", "never"]
        elif cmd == "fix":
            args = ["fix", *paths, "--no-validate", "-o", tmp_path / "fixed.x12", "--report", out, "-f", fmt]
        else:
            args = ["gate", *paths, "--clean", tmp_path / "c.x12", "--held", tmp_path / "h.x12"]
            args += ["--report", out, "-f", fmt]
        result = invoke(*args, *extra)
        assert result.exit_code in (0, 1), result.stderr
        docs[fmt] = out.read_bytes()
    return json.loads(docs["json"]), html.fromstring(docs["html"])


def table_rows(page) -> list[tuple]:
    rows = page.xpath('//table[@id="findings-table"]/tbody/tr')
    return [tuple(td.text_content().strip() for td in row.xpath("td")) for row in rows]


def check_page(doc: dict, page) -> None:
    """What every HTML report must hold, against the JSON report of the same run."""
    findings = doc["findings"]
    rows = table_rows(page)
    assert len(rows) == len(findings)
    for f, row in zip(findings, rows, strict=True):
        assert row[1] == (f["claim_id"] or "")
        assert row[2] == ("" if f["line"] is None else str(f["line"]))
        assert row[3] == f["severity"] and row[4] == f["category"]
        assert row[5].split()[0] == f["edit"] and row[6] == f["message"]
    sections = {s.get("data-claim"): s for s in page.xpath('//section[@class="claim"]')}
    flagged = {f["claim_id"] for f in findings if f["claim_id"] and f["severity"] in ("error", "warning")}
    assert flagged <= set(sections)
    for f in findings:
        if f["claim_id"] in sections:
            assert f["message"] in sections[f["claim_id"]].text_content()
    # every edit named has its explain block, and every in-page link has its target
    ids = set(page.xpath("//@id"))
    for href in page.xpath("//a/@href"):
        assert href.startswith("#") and href[1:] in ids, href
    # nothing outside the page: no URL in any attribute, no external script, style or image
    for value in page.xpath("//@*"):
        assert "://" not in value and not value.startswith("//"), value
    assert not page.xpath("//script[@src] | //link | //img | //iframe")
    for style in page.xpath("//style/text()"):
        assert "url(" not in style and "@import" not in style
    summary = page.get_element_by_id("summary").text_content()
    assert f"{doc['summary']['money_at_risk']['claims_with_errors_charge']:,.2f}" in summary


def test_check_html_has_every_claim_and_finding(tmp_path):
    doc, page = reports(tmp_path, SAMPLES)
    assert doc["findings"] and doc["summary"]["claims_with_errors"]
    check_page(doc, page)
    assert page.xpath('//svg[@aria-label="Findings by category"]')
    assert page.xpath('//svg[@aria-label="Findings by edit (top 25)"]')
    explain = {d.get("id") for d in page.xpath('//details[@class="explain"]')}
    assert explain == {f"explain-{f['edit']}" for f in doc["findings"]}
    assert "This file: about" in page.xpath("//footer")[0].text_content()


def test_claim_section_shows_its_lines_and_findings_at_the_line(tmp_path):
    doc, page = reports(tmp_path, DEFECTS)
    section = next(
        s for s in page.xpath('//section[@class="claim"]') if s.get("data-claim") == "DEF-CS004-BADPROC"
    )
    text = section.text_content()
    for value in ("SYNTHETIC COMMERCIAL HEALTH PLAN", "commercial", "2026-11-11", "7,327.00"):
        assert value in text
    lines = section.xpath(".//table/tbody/tr[not(contains(@class, 'finding'))]")
    assert [tr.xpath("td")[0].text_content() for tr in lines] == ["1", "2", "3", "4", "5"]
    assert "50242005121 70ML" in lines[3].text_content()  # NDC with its CTP quantity
    assert "09:30-12:05 = 155 min (note)" in lines[0].text_content()  # documented times
    after_line_4 = lines[3].getnext()
    assert "finding" in after_line_4.get("class") and "CS004" in after_line_4.text_content()
    assert "fix (unsafe)" in section.text_content()


def test_script_in_a_claim_id_stays_text(tmp_path):
    evil = "<script>alert(1)</script>&<marquee>"
    data = DEFECTS.read_text().replace("CLM*DEF-BAL001*", f"CLM*{evil}*")
    path = tmp_path / "evil.x12"
    path.write_text(data)
    doc, page = reports(tmp_path, path)
    assert evil in {f["claim_id"] for f in doc["findings"]}
    check_page(doc, page)
    assert len(page.xpath("//script")) == 1 and not page.xpath("//marquee")
    section = next(s for s in page.xpath('//section[@class="claim"]') if s.get("data-claim") == evil)
    assert evil in section.xpath(".//h3/code")[0].text


def test_fix_html_has_the_audit_trail(tmp_path):
    doc, page = reports(tmp_path, DEFECTS, cmd="fix")
    assert doc["changes"]
    audit = page.get_element_by_id("audit")
    befores = [td.text_content() for td in audit.xpath('.//td[@class="before"]')]
    afters = [td.text_content() for td in audit.xpath('.//td[@class="after"]')]
    assert befores == [c["before"] for c in doc["changes"]]
    assert afters == [c["after"] for c in doc["changes"]]
    check_page(doc, page)


def test_gate_html_states_the_held_charge(tmp_path):
    doc, page = reports(tmp_path, SAMPLES, cmd="gate", extra=["--times", TIMES])
    summary = page.get_element_by_id("summary").text_content()
    assert "charge on held claims" in summary and f"{doc['gate']['held_claims']} held" in summary
    check_page(doc, page)


def test_claim_sections_are_capped_and_the_rest_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(claim_data, "DETAIL_CAP", 3)
    doc, page = reports(tmp_path, DEFECTS)
    sections = page.xpath('//section[@class="claim"]')
    flagged = {f["claim_id"] for f in doc["findings"] if f["claim_id"] and f["severity"] != "info"}
    assert len(sections) == 3 < len(flagged)
    assert f"The first 3 of {len(flagged)} claims" in page.get_element_by_id("claims").text_content()
    assert len(table_rows(page)) == len(doc["findings"])  # the table still lists every finding


def test_no_findings_gives_a_page_with_empty_table(tmp_path):
    out = tmp_path / "clean.html"
    assert invoke("check", SAMPLES / "837p_clean.x12", "-f", "html", "-o", out).exit_code == 0
    page = html.fromstring(out.read_bytes())
    assert table_rows(page) == [] and "0 of 0" not in page.text_content()  # the script fills it in
    assert not page.xpath('//section[@class="claim"]')


def collected(paths, jobs):
    engine = pipeline.Engine(Config(jobs=jobs), AdminTimes.load(str(TIMES)))
    claim_data.install(engine)
    result = engine.scrub([str(p) for p in paths])
    return list(result.claim_rows), result.at_risk


def test_claim_rows_and_money_are_the_same_on_workers(monkeypatch):
    files = sorted(SAMPLES.glob("*.x12"))
    sequential = collected(files, 1)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 1)
    assert collected(files, 2) == sequential
    rows, risk = sequential
    assert len(rows) == 36 and sum(r.detail is not None for r in rows) == sum(
        bool(r.errors or r.warnings) for r in rows
    )
    assert risk["charge"] == sum(r.charge for r in rows if r.errors)


@pytest.mark.parametrize("cap", [0, 2])
def test_worker_rows_past_the_cap_lose_their_lines(monkeypatch, cap):
    monkeypatch.setattr(claim_data, "DETAIL_CAP", cap)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 1)
    rows, _ = collected([DEFECTS], 2)
    with_lines = [r for r in rows if r.detail is not None]
    assert len(with_lines) == cap
    assert with_lines == [r for r in rows if r.errors or r.warnings][:cap] or cap == 0


def test_workers_stop_building_lines_once_the_main_process_holds_the_cap(monkeypatch):
    """The workers read the main process's count: past the cap (and the batches already in flight)
    their rows come without lines; a second run of the same engine starts at none again."""
    monkeypatch.setattr(claim_data, "DETAIL_CAP", 2)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 1)
    arrived = []
    merge = claim_data.Collector.merge

    def counting(self, result, rows):
        arrived.extend(r for r in rows if r.detail is not None)
        merge(self, result, rows)

    monkeypatch.setattr(claim_data.Collector, "merge", counting)
    files = [str(p) for p in sorted(SAMPLES.glob("*.x12"))]
    engine = pipeline.Engine(Config(jobs=2), AdminTimes.load(str(TIMES)))
    claim_data.install(engine, "html")
    for _ in range(2):
        arrived.clear()
        rows = list(engine.scrub(files).claim_rows)
        flagged = [r for r in rows if r.errors or r.warnings]
        assert [r for r in rows if r.detail is not None] == flagged[:2]
        assert 2 <= len(arrived) <= 2 + 2 * 2 * 2 < len(flagged)  # the cap, and the batches in flight


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_each_format_keeps_only_what_it_shows(fmt):
    engine = pipeline.Engine(Config(jobs=1), AdminTimes.load(str(TIMES)))
    claim_data.install(engine, fmt)
    result = engine.scrub([str(p) for p in sorted(SAMPLES.glob("*.x12"))])
    rows = list(result.claim_rows)
    if fmt == "html":  # the page: claims with findings, with their lines
        assert rows and all(r.errors or r.warnings or r.infos for r in rows)
        assert all(r.detail is not None for r in rows if r.errors or r.warnings)
    else:  # the workbook: every claim, no lines
        assert len(rows) == result.claims and all(r.detail is None for r in rows)


# -- the findings table's rows, written as text: the same bytes as lxml's --------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "&amp; & &{x} &#65; &lt;",
    '"double"',
    "'single'",
    "both \" and ' quotes",
    "a\rb\nc\td",
    "\x00\x01\x07\x0b\x0c\x1b\x7f controls",
    "\x85\xa0\u2028\u2029\ufeff\u200b",
    "\udcff\udc80 surrogate-escaped bytes",
    "\ud800 lone \udfff",
    "\ufffe\uffff not XML",
    "été — 😀 \U0010ffff",
    "]]><!-- --></td></tr>",
    "",
    " ",
]


def _lxml_cell(value) -> str:
    from scrubber.report.html_build import el, html

    return html(el("td", {"class": value}, value))


def test_text_and_attribute_escaping_equal_lxmls_on_every_code_point_and_hostile_values():
    from scrubber.report.html_build import attr, esc

    points = [*range(0x3000), *range(0x3000, 0x110000, 97), 0xFFFD, 0xFFFE, 0xFFFF, 0x10FFFF]
    values = [f"a{chr(cp)}b" for cp in points] + HOSTILE
    values += [a + b for a in HOSTILE for b in HOSTILE[:6]]
    for value in values:
        assert f"<td class={attr(value)}>{esc(value)}</td>" == _lxml_cell(value), ascii(value)
    assert esc(None) == "" and esc(12) == "12" and attr(-1) == '"-1"'


@pytest.mark.parametrize("anchor", [None, "claim-7"])
def test_a_text_row_is_the_lxml_row_on_hostile_values(anchor):
    from scrubber.findings import Finding, Fix, Severity
    from scrubber.model import Loc
    from scrubber.report import html_report
    from scrubber.report.html_build import html

    edits = ["BAL001", "X-9_z", "", "<b>", 'E"1', "E 1", "É1"]  # the last four go through lxml
    for n, (value, edit) in enumerate(zip(HOSTILE * 2, edits * 5, strict=False)):
        other = HOSTILE[(n + 3) % len(HOSTILE)]
        fix = None if n % 3 == 0 else Fix("set", Loc(1, "CLM"), "x", None, value or "safe", other)
        finding = Finding(
            edit=edit,
            name=other,
            category=value,
            severity=Severity(n % 3),
            message=value + other,
            file=other,
            claim_id=None if n % 4 == 0 else value,
            line=None if n % 2 else n,
            loc=None,
            value=None if n % 5 == 0 else value,
            expected=other,
            fix=fix,
        )
        row = html_report._finding_row(finding, anchor)
        assert row == html(html_report._finding_element(finding, anchor)), ascii(finding)
    assert html_report._row_parts.cache_info().currsize  # the per-edit parts were cached


@pytest.mark.parametrize("edits", [("BAL001", "CS004", "NO-SUCH_1"), ("BAL001", "<b>")])  # <b>: lxml
def test_a_text_claim_section_is_the_lxml_one_on_hostile_values(edits):
    from decimal import Decimal

    from scrubber.findings import Finding, Fix, Severity
    from scrubber.model import Loc
    from scrubber.report import html_claims
    from scrubber.report.html_build import html

    for n, value in enumerate(HOSTILE):
        other = HOSTILE[(n + 5) % len(HOSTILE)]
        lines = tuple(
            claim_data.LineRow(
                None if k == 2 else k + 1,
                value,
                (other, value) if k else (),
                other,
                value,
                other,
                value,
                "" if k else other,
                value,
            )
            for k in range(3)
        )
        detail = claim_data.ClaimDetail(value, "" if n % 2 else other, lines)
        charge = None if n % 2 else Decimal("1234.5")
        claim_id = None if n == 3 else value
        day = value[: n % 3]
        row = claim_data.ClaimRow(other, claim_id, value, other, day, charge, 3, n % 2, 1, 0, (), detail)
        findings = [
            Finding(
                edit=edits[k % len(edits)],
                name=value,
                category=other,
                severity=Severity(k % 3),
                message=other + value,
                file=value,
                claim_id=value,
                line=(None, 1, 2, 9)[k % 4],
                loc=None if k % 2 else Loc(k, value, other, value),
                value=(None, "", value)[k % 3],
                expected=(other, None)[k % 2],
                fix=None if k % 2 else Fix("set", Loc(1, "CLM"), "x", None, value, other),
            )
            for k in range(6)
        ]
        change = {"line": 1, "edit": "BAL001", "title": value, "before": other, "after": value}
        changes = [] if n % 2 else [change]
        anchor = f"claim-{n + 1}"
        text = html_claims.claim_section(anchor, row, findings, changes)
        assert text == html(html_claims.claim_element(anchor, row, findings, changes)), ascii(value)
