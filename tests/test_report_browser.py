"""The HTML report in a real browser: headless Chromium renders the page, its script runs, and
the filter and the sort given in the page's fragment take effect.  Skipped where no Chromium is
installed (``make browser`` installs Debian's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html
from typer.testing import CliRunner

from scrubber.cli import app
from scrubber.report import browser

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"

pytestmark = pytest.mark.skipif(
    browser.find() is None, reason="no Chromium on PATH (`make browser` installs Debian's chromium)"
)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    args = ["check", str(SAMPLES), "--times", str(SAMPLES / "admin_times.csv"), "-f", "html", "-o", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 1
    return out


def rows(dom: str) -> list:
    return html.fromstring(dom).xpath('//table[@id="findings-table"]/tbody/tr')


def test_filter_by_severity_and_sort_by_claim_in_the_browser(report):
    page = html.fromstring(report.read_bytes())
    all_rows = rows(report.read_text())
    warnings = [r for r in all_rows if r.get("data-severity") == "warning"]
    assert warnings and len(warnings) < len(all_rows)

    dom = browser.dump_dom(report, "severity=warning&sortdesc=claim")
    shown = [r for r in rows(dom) if r.get("hidden") is None]
    assert {r.get("data-severity") for r in shown} == {"warning"}
    assert len(shown) == len(warnings) and len(rows(dom)) == len(all_rows)
    claims = [r.xpath("td")[1].text_content().lower() for r in rows(dom)]
    assert claims == sorted(claims, reverse=True)
    counter = html.fromstring(dom).get_element_by_id("shown-count").text_content()
    assert counter == f"{len(warnings)} of {len(all_rows)}"
    assert page.get_element_by_id("shown-count").text_content() == ""  # filled in by the script


def test_text_filter_in_the_browser(report):
    dom = browser.dump_dom(report, "q=j9312")
    shown = [r for r in rows(dom) if r.get("hidden") is None]
    assert shown and all("j9312" in r.text_content().lower() for r in shown)
