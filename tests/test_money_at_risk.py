"""Money at risk (JSON ``summary.money_at_risk``, text summary): the total CLM02 of the claims with
an error, overall and per category, computed here from the claim files themselves."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scrubber.cli import app

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
RUNNER = CliRunner()


def clm02(path: Path) -> dict[str, Decimal]:
    """CLM01 -> CLM02 of a sample (element '*', terminator '~')."""
    text = path.read_text()
    claims = {}
    for seg in text.replace("\n", "").split("~"):
        parts = seg.split("*")
        if parts[0] == "CLM":
            claims[parts[1]] = Decimal(parts[2])
    return claims


@pytest.mark.parametrize("name", ["837p_defects.x12", "837i_defects.x12", "837p_clean.x12"])
def test_money_at_risk_is_the_charge_of_the_claims_with_errors(name):
    path = SAMPLES / name
    result = RUNNER.invoke(app, ["check", str(path), "-f", "json"], catch_exceptions=False)
    doc = json.loads(result.stdout)
    charges = clm02(path)
    errors = defaultdict(set)
    for f in doc["findings"]:
        if f["severity"] == "error" and f["claim_id"] is not None:
            errors[f["category"]].add(f["claim_id"])
    with_errors = set().union(*errors.values()) if errors else set()
    money = doc["summary"]["money_at_risk"]
    assert money["claims_with_errors_charge"] == pytest.approx(float(sum(charges[c] for c in with_errors)))
    expected = {cat: float(sum(charges[c] for c in ids)) for cat, ids in errors.items()}
    assert money["by_category"] == pytest.approx(expected)
    if name == "837p_clean.x12":
        assert money == {"claims_with_errors_charge": 0.0, "by_category": {}}


def test_warnings_alone_put_no_money_at_risk():
    path = SAMPLES / "837p_defects.x12"
    doc = json.loads(RUNNER.invoke(app, ["check", str(path), "-f", "json", "--select", "DX002"]).stdout)
    assert doc["summary"]["findings"]["warning"] and not doc["summary"]["findings"]["error"]
    assert doc["summary"]["money_at_risk"]["claims_with_errors_charge"] == 0


def test_text_report_prints_the_money_at_risk():
    out = RUNNER.invoke(app, ["check", str(SAMPLES / "837p_defects.x12")]).stdout
    assert "Money at risk: " in out and "on claims with errors" in out
