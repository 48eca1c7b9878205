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
