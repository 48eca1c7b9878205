"""The Excel workbook (``--format xlsx``) read back with pandas: its Findings rows equal the JSON
findings, Claims has one row per claim, Summary carries the money at risk, Changes the audit
trail; header frozen, autofilter on; text that looks like a formula stays text; written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from scrubber.cli import app
from scrubber.report.csv_report import COLUMNS

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
TIMES = SAMPLES / "admin_times.csv"
DEFECTS = SAMPLES / "837p_defects.x12"
RUNNER = CliRunner()


def invoke(*args):
    return RUNNER.invoke(app, [str(a) for a in args], catch_exceptions=False)


def both(tmp_path, args: list, report_flag: str = "-o") -> tuple[dict, dict[str, pd.DataFrame]]:
    out = {}
    for fmt in ("json", "xlsx"):
        path = tmp_path / f"report.{fmt}"
        result = invoke(*args, report_flag, path, "-f", fmt)
        assert result.exit_code in (0, 1), result.stderr
        out[fmt] = path
    sheets = pd.read_excel(out["xlsx"], sheet_name=None, dtype=str, keep_default_na=False)
    return json.loads(out["json"].read_text()), sheets


def _s(value) -> str:
    return "" if value is None else str(value)


def test_findings_sheet_rows_equal_the_json_findings(tmp_path):
    doc, sheets = both(tmp_path, ["check", SAMPLES, "--times", TIMES, "--fail-on", "never"])
    assert list(sheets) == ["Summary", "Findings", "Claims"]
    frame = sheets["Findings"]
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(doc["findings"]) > 0
    for f, (_, row) in zip(doc["findings"], frame.iterrows(), strict=True):
        assert row["file"] == f["file"] and row["claim_id"] == _s(f["claim_id"])
        assert row["line"] == _s(f["line"]) and row["edit"] == f["edit"]
        assert row["severity"] == f["severity"] and row["message"] == f["message"]
        assert row["value"] == _s(f["value"]) and row["expected"] == _s(f["expected"])
        assert row["fix_title"] == _s(f["fix"] and f["fix"]["title"])


def test_claims_sheet_has_one_row_per_claim_and_summary_the_money(tmp_path):
    doc, sheets = both(tmp_path, ["check", SAMPLES, "--times", TIMES, "--fail-on", "never"])
    claims = sheets["Claims"]
    assert len(claims) == doc["summary"]["claims"]
    assert (claims["status"] == "error").sum() == doc["summary"]["claims_with_errors"]
    at_risk = claims.loc[claims["status"] == "error", "charge"].astype(float).sum()
    money = doc["summary"]["money_at_risk"]
    assert at_risk == pytest.approx(money["claims_with_errors_charge"])
    summary = summary_of(tmp_path / "report.xlsx")
    assert summary["charge on claims with errors"] == pytest.approx(money["claims_with_errors_charge"])
    assert summary["claims"] == doc["summary"]["claims"]
    raw = pd.read_excel(tmp_path / "report.xlsx", sheet_name="Summary", header=None)
    start = raw.index[raw[0] == "category"][0]
    by_cat = raw.iloc[start + 1 :]
    assert dict(zip(by_cat[0], by_cat[4].astype(float), strict=True)) == pytest.approx(money["by_category"])


def summary_of(path) -> dict:
    """The Summary sheet's measure -> value rows (above its table by category)."""
    raw = pd.read_excel(path, sheet_name="Summary", header=None)
    end = raw.index[raw[0] == "category"][0]
    return {k: v for k, v in zip(raw[0][1:end], raw[1][1:end], strict=True) if isinstance(k, str)}


def test_fix_workbook_has_the_changes(tmp_path):
    doc, sheets = both(tmp_path, ["fix", DEFECTS, "--no-validate", "-o", tmp_path / "fixed.x12"], "--report")
    assert list(sheets) == ["Summary", "Findings", "Claims", "Changes", "Skipped"]
    changes = sheets["Changes"]
    assert len(changes) == len(doc["changes"]) > 0
    assert list(changes["before"]) == [c["before"] for c in doc["changes"]]
    assert list(changes["after"]) == [c["after"] for c in doc["changes"]]
    assert len(sheets["Findings"]) == len(doc["findings"])


def test_gate_workbook_states_held_claims(tmp_path):
    args = ["gate", SAMPLES, "--times", TIMES, "--clean", tmp_path / "c.x12", "--held", tmp_path / "h.x12"]
    doc, sheets = both(tmp_path, args, "--report")
    summary = summary_of(tmp_path / "report.xlsx")
    assert summary["claims held"] == doc["gate"]["held_claims"]
    assert "charge on held claims" in summary


def test_sheets_are_frozen_filtered_and_formula_text_stays_text(tmp_path):
    data = DEFECTS.read_text().replace("CLM*DEF-BAL001*", "CLM*=1+1*")
    path = tmp_path / "formula.x12"
    path.write_text(data)
    out = tmp_path / "r.xlsx"
    assert invoke("check", path, "-f", "xlsx", "-o", out).exit_code == 1
    book = load_workbook(out)
    for name in ("Findings", "Claims"):
        ws = book[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
        assert ws.column_dimensions["A"].width > 10
    cells = [c for row in book["Claims"].iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_xlsx_replaces_an_old_report_atomically(tmp_path):
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"old")
    assert invoke("check", DEFECTS, "-f", "xlsx", "-o", out).exit_code == 1
    assert out.read_bytes()[:2] == b"PK" and sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


# -- the rows the writer puts in the sheets itself (not through XlsxWriter's cells) -----------------

TRICKY = [
    "<b>&amp;</b> & < > ]]>",
    "say \"hi\" and 'bye'",
    "a\x01b\x08c\x0bd\x1fe\x7ff",  # control characters: U+FFFD, as in every report
    "tab\there, line\nbreak, return\rhere",
    "non-ASCII: é ü ß 中文 😀 … ₹",
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://x")',
    " leading",
    "trailing ",
    "\u00a0nbsp\u00a0",
    "_x0041_ stays as written",
    "<r>not rich text</r>",
    "bytes \udcff\udc80 not UTF-8",  # undecodable bytes read with surrogateescape
    "non-characters \ufffe \uffff",
    "zero\u200bwidth",
    "00123",  # looks like a number: stays text
    "x" * 40_000,  # past Excel's 32,767 characters: cut, as XlsxWriter cuts it
    "😀" * 20_000,  # 40,000 UTF-16 units: cut without splitting a character
]


def tricky_result(values=TRICKY, claims=3):
    from decimal import Decimal

    from scrubber.findings import Finding, Fix, Severity
    from scrubber.model import Loc
    from scrubber.pipeline import Result
    from scrubber.report.claims import ClaimRow

    result = Result(inputs=["in.837"], started="2026-01-01T00:00:00+00:00")
    for i, v in enumerate(values):
        loc = Loc(ordinal=i + 1, segment="SV1", element="SV102", loop="2300/2400")
        fix = Fix("set", loc, v, None, "safe", f"fix {v}") if i % 2 else None
        result.findings.add(
            Finding(
                edit="T001",
                name="tricky",
                category="structure",
                severity=Severity.ERROR,
                message=f"message {v}",
                file="in.837",
                claim_id=v,
                line=i,
                loc=loc,
                value=v,
                expected=None if i % 3 else "",
                fix=fix,
                control=("000000001", "1", "0001"),
            )
        )
    for i in range(claims):
        result.claim_rows.add(
            ClaimRow(
                "in.837",
                values[i % len(values)],
                "837P",
                "commercial",
                "",
                Decimal("1234.5"),
                2,
                1,
                0,
                0,
                ("ndc",),
            )
        )
    return result


def _reference(tmp_path, values) -> dict:
    """What XlsxWriter writes for each value cell by cell, read back by openpyxl."""
    import xlsxwriter

    from scrubber.report.html_build import text

    path = tmp_path / "reference.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    ws = book.add_worksheet()
    for row, v in enumerate(values):
        ws.write_string(row, 0, text(v))
    book.close()
    ws = load_workbook(path)["Sheet1"]
    ref = {v: ws.cell(row + 1, 1).value for row, v in enumerate(values)}
    # XlsxWriter's constant-memory mode writes a text that starts "<r>" and ends "</r>" unescaped,
    # as rich-text markup (here: a blank cell; a "<" inside breaks the file); the rows keep the text
    return ref | {v: v for v in values if v.startswith("<r>") and v.endswith("</r>")}


def write_workbook(result, path):
    from scrubber.report import xlsx_report

    with open(path, "wb") as fh:
        xlsx_report.write(result, fh)


def test_tricky_text_is_written_as_xlsxwriter_writes_it_and_stays_text(tmp_path):
    reference = _reference(tmp_path, TRICKY)
    out = tmp_path / "t.xlsx"
    write_workbook(tricky_result(), out)
    book = load_workbook(out)
    ws = book["Findings"]
    col = {name: i + 1 for i, name in enumerate(COLUMNS)}
    assert ws.max_row == len(TRICKY) + 1
    for row, v in enumerate(TRICKY, start=2):
        for name in ("claim_id", "value"):
            cell = ws.cell(row, col[name])
            assert cell.value == reference[v] and cell.data_type == "s", (name, v[:40])
        assert ws.cell(row, col["message"]).value == _reference_of(tmp_path, f"message {v}")
        line = ws.cell(row, col["line"])
        assert line.value == row - 2 and line.data_type == "n"
        assert ws.cell(row, col["ordinal"]).value == row - 1
        assert ws.cell(row, col["path"]).value == "2300/2400/SV102"
        assert ws.cell(row, col["expected"]).value is None  # None and "" are both left blank
    assert len(ws.cell(len(TRICKY), col["value"]).value) == 32_767
    assert ws.cell(len(TRICKY) + 1, col["value"]).value == "😀" * 16_383


def _reference_of(tmp_path, value) -> str:
    return _reference(tmp_path, [value])[value]


def test_tricky_rows_read_back_with_pandas(tmp_path):
    values = TRICKY[:-2]  # the cut ones are checked above
    reference = _reference(tmp_path, values)
    out = tmp_path / "t.xlsx"
    write_workbook(tricky_result(values), out)
    sheets = pd.read_excel(out, sheet_name=None, dtype=object)
    assert list(sheets) == ["Summary", "Findings", "Claims"]
    frame = sheets["Findings"]
    assert list(frame["value"]) == [reference[v] for v in values]
    for v in ("=1+1", "+1", "-1", "@SUM(A1:A2)", "00123", "<b>&amp;</b> & < > ]]>", "say \"hi\" and 'bye'"):
        assert reference[v] == v  # the text itself, never a formula's result or a number
    assert list(frame["line"]) == list(range(len(TRICKY) - 2))
    claims = sheets["Claims"]
    assert len(claims) == 3 and list(claims["charge"]) == [1234.5] * 3
    assert list(claims["status"]) == ["error"] * 3 and list(claims["error_categories"]) == ["ndc"] * 3


def test_numbers_are_numbers_and_charge_has_its_format(tmp_path):
    out = tmp_path / "t.xlsx"
    write_workbook(tricky_result(claims=2), out)
    ws = load_workbook(out)["Claims"]
    header = [c.value for c in ws[1]]
    charge = ws.cell(2, header.index("charge") + 1)
    assert charge.value == 1234.5 and charge.data_type == "n" and charge.number_format == "#,##0.00"
    assert ws.cell(2, header.index("lines") + 1).value == 2
    assert ws.cell(2, header.index("status") + 1).value == "error"


def test_dimension_and_autofilter_cover_the_rows(tmp_path):
    out = tmp_path / "t.xlsx"
    write_workbook(tricky_result(claims=5), out)
    book = load_workbook(out, read_only=True)
    assert book["Findings"].calculate_dimension() == f"A1:S{len(TRICKY) + 1}"
    assert book["Claims"].calculate_dimension() == "A1:L6"
    book = load_workbook(out)
    assert book["Findings"].auto_filter.ref == f"A1:S{len(TRICKY) + 1}"
    assert book["Claims"].auto_filter.ref == "A1:L6"
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)


def test_an_empty_run_has_header_only_sheets(tmp_path):
    out = tmp_path / "t.xlsx"
    write_workbook(tricky_result(values=[], claims=0), out)
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets["Findings"].columns) == COLUMNS and sheets["Findings"].empty
    assert sheets["Claims"].empty


def test_excel_row_limit_is_kept_and_stated(tmp_path, monkeypatch):
    from scrubber.report import xlsx_report

    monkeypatch.setattr(xlsx_report, "MAX_ROWS", 4)
    out = tmp_path / "t.xlsx"
    write_workbook(tricky_result(claims=6), out)
    sheets = pd.read_excel(out, sheet_name=None)
    assert len(sheets["Findings"]) == 4 and len(sheets["Claims"]) == 4
    summary = summary_of(out)
    assert summary["findings listed (Excel's row limit)"] == 4
    assert summary["errors"] == 0  # the counts are the run's (none were tallied here), not the sheet's


def test_workbook_streams_to_an_unseekable_output(tmp_path):
    import io

    from scrubber.report import xlsx_report

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    pipe = Pipe()
    xlsx_report.write(tricky_result(TRICKY[:5]), pipe)
    out = tmp_path / "piped.xlsx"
    out.write_bytes(bytes(pipe.data))
    assert len(pd.read_excel(out, sheet_name="Findings")) == 5


def test_values_of_an_unexpected_type_are_written_as_before(tmp_path):
    """A number in a text column is a number (0 too), anything else is its text; None is blank."""
    from decimal import Decimal

    result = tricky_result(TRICKY[:2], claims=1)
    result.changes = [
        {"claim_id": 0, "line": True, "segment": "SV1", "ordinal": 7, "before": Decimal("1.50")}
        | {"after": None, "edit": "T001", "title": "a & b"},
        {"claim_id": "C2", "line": 2, "segment": 5, "ordinal": None, "before": "x", "after": "=1+1"}
        | {"edit": "T001", "title": ""},
    ]
    result.fix_skipped = [{"claim_id": "C3", "edit": "T002", "reason": "stale <value>"}]
    out = tmp_path / "t.xlsx"
    write_workbook(result, out)
    book = load_workbook(out)
    rows = [[c.value for c in row] for row in book["Changes"].iter_rows(min_row=2)]
    assert rows == [
        [0, 1, "SV1", 7, "1.50", None, "T001", "a & b"],
        ["C2", 2, 5, None, "x", "=1+1", "T001", None],
    ]
    assert book["Changes"]["F3"].data_type == "s"
    assert [c.value for c in book["Skipped"][2]] == ["C3", "T002", "stale <value>"]
