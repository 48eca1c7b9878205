"""Engine behaviour: edit isolation, config, payer profiles, effective dates, the claim model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from casekit import base, patch, renumber

from scrubber.build837 import build
from scrubber.config import Config, ConfigError, from_table, load
from scrubber.findings import Severity
from scrubber.model import Claim
from scrubber.pipeline import Engine, FindingSink, exit_code
from scrubber.read import SegmentReader
from scrubber.registry import Family, catalog, select


def claims_of(text: str) -> list[Claim]:
    reader = SegmentReader(BytesIO(text.encode()), "t.x12")
    return [r for r in build(reader, "t.x12") if isinstance(r, Claim)]


def inf_837p_authorized() -> str:
    """The inf_837p base with a claim prior authorization (REF*G1): the base leaves it out for
    PA001's case, and these tests want a claim with no findings of their own."""
    return renumber(patch(base("inf_837p"), [["HI*ABK:M0579~\n", "REF*G1*PASYN0099~\nHI*ABK:M0579~\n"]]))


def scrub(text, tmp_path, config=None, edits=None):
    path = tmp_path / "t.x12"
    path.write_text(text)
    return Engine(config or Config(), edits=edits).scrub([str(path)])


def test_837p_model_values_and_locations():
    (claim,) = claims_of(base("837p"))
    assert claim.transaction == "837P"
    assert claim.claim_id == "CLEAN-RA-001" and claim.charge == Decimal("3330.00")
    assert claim.facility_code == "11" and claim.frequency == "1"
    assert claim.prior_auth == "PASYN0001"
    assert claim.envelope.isa13 == "000000101" and claim.envelope.st02 == "0001"
    assert claim.billing_provider.npi == "1990000014" and claim.billing_provider.tax_id == "990000101"
    assert claim.filing_indicator == "CI" and claim.payer.identifier == "SYNCI01"
    assert claim.rendering.npi == "1990000022"
    assert [(d.position, d.qualifier, d.code) for d in claim.diagnoses] == [
        (1, "ABK", "D839"),
        (2, "ABF", "Z79899"),
    ]
    assert claim.diagnoses[1].loc.path == "2300/HI02-2"
    line1, line2 = claim.lines
    assert (line1.number, line1.code, line1.units, line1.pointers) == (1, "96365", Decimal("1"), ("1", "2"))
    assert line1.date_from == dt.date(2026, 11, 3)
    assert line1.service.ordinal == 27 and line1.service.at("SV104").path == "2300/2400/SV104"
    assert line2.drugs[0].ndc == "00944270005" and line2.drugs[0].quantity == "300"
    assert line2.drugs[0].unit == "ML"
    assert claim.missing == ()


def test_837i_model():
    (claim,) = claims_of(base("837i"))
    assert claim.transaction == "837I" and claim.type_of_bill == "131"
    assert claim.attending.npi == "1990000063"
    assert claim.statement_from == dt.date(2026, 11, 3)
    assert [ln.revenue_code for ln in claim.lines] == ["0335", "0335", "0636"]
    assert claim.lines[2].code == "J9312" and claim.lines[2].units == Decimal("70")
    assert claim.filing_indicator == "MA"


def test_bad_business_data_never_raises():
    text = patch(
        base("837p"),
        [
            ["SV1*HC:96365*250.00*UN*1***1:2", "SV1*:::*X*Y*Z*Q*R*::"],
            ["DTP*472*D8*20261103", "DTP*472*D8*2026XX03", 2],
            ["LX*1", "LX*ONE"],
            ["HI*ABK:D839*ABF:Z79899", "HI*ABK*:*ABF"],
        ],
    )
    (claim,) = claims_of(text)
    assert claim.lines[0].number is None and claim.lines[0].date_from is None


def test_crashing_edit_becomes_engine_finding(tmp_path):
    family = Family("test", "test")

    @family.edit(
        "TST001",
        name="boom",
        category="engine",
        severity="error",
        scope="claim",
        message="never",
        references=("test",),
    )
    def boom(claim, ctx):
        raise RuntimeError("member SMITH 123")  # message must not leak into the report

    edits = [*catalog(), *family.edits]
    result = scrub(base("837p"), tmp_path, edits=edits)
    (finding,) = [f for f in result.findings if f.edit == "ENG001"]
    assert finding.claim_id == "CLEAN-RA-001" and finding.category == "engine"
    assert "TST001" in finding.message and "RuntimeError" in finding.message
    assert "SMITH" not in finding.message
    assert result.claims == 1


def test_select_ignore_by_prefix():
    edits = catalog()
    assert {e.id[:2] for e in select(edits, ["CS"])} == {"CS"}
    assert not [e for e in select(edits, [], ["STR", "cs00"]) if e.id.startswith(("STR", "CS00"))]
    assert [e.id for e in select(edits, ["BAL001"])] == ["BAL001"]


def test_severity_override_and_fail_on(tmp_path):
    text = patch(base("837p"), [["CLM*CLEAN-RA-001*3330.00", "CLM*CLEAN-RA-001*3331.00"]])
    cfg = from_table({"severity": {"BAL001": "warning"}}, "test")
    result = scrub(text, tmp_path, cfg)
    (finding,) = [f for f in result.findings if f.edit == "BAL001"]
    assert finding.severity is Severity.WARNING
    assert exit_code(result, "error") == 0 and exit_code(result, "warning") == 1
    assert exit_code(result, "never") == 0 and result.claims_with_errors == 0


def test_payer_profiles(tmp_path):
    family = Family("test", "test")

    @family.edit(
        "TST002",
        name="medicare-only",
        category="payer-policy",
        severity="info",
        scope="claim",
        payers=("medicare",),
        message="medicare claim",
        references=("test",),
    )
    def medicare_only(claim, ctx):
        yield from ()
        if ctx.profile == "medicare":
            from scrubber.findings import hit

            yield hit(claim.ref.at())

    def count(text, cfg):
        result = scrub(text, tmp_path, cfg, edits=family.edits)
        return len([f for f in result.findings if f.edit == "TST002"])

    commercial = base("837p")
    medicare = patch(commercial, [["******CI~", "******MB~"]])
    assert count(commercial, Config()) == 0
    assert count(medicare, Config()) == 1
    assert count(commercial, from_table({"payer": "medicare"}, "t")) == 1
    assert count(commercial, from_table({"payers": {"SYNCI01": "medicare"}}, "t")) == 1
    assert count(medicare, from_table({"payers": {"SYNCI01": "medicaid"}}, "t")) == 0  # payer id wins


def test_effective_dates_use_date_of_service(tmp_path):
    text = patch(base("837p"), [["HI*ABK:D839", "HI*BK:D839"]])
    assert [f.edit for f in scrub(text, tmp_path).findings] == ["CS007"]
    old = renumber(patch(text, [["20261103", "20150930", 2]]))
    assert [f.edit for f in scrub(old, tmp_path).findings] == []


def test_finding_sink_spills_and_keeps_order(tmp_path):
    text = patch(base("837p"), [["ABK:D839", "ABK:D83"]])
    finding = next(iter(scrub(text, tmp_path).findings))
    sink = FindingSink(limit=3)
    for _ in range(10):
        sink.add(finding)
    assert len(sink) == 10 and len(list(sink)) == 10 and len(list(sink)) == 10


def test_config_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.scrubber]\nignore = ["CS"]\nfail_on = "warning"\n')
    cfg = load(cwd=tmp_path)
    assert cfg.ignore == ["CS"] and cfg.fail_on == "warning"
    (tmp_path / "scrubber.toml").write_text('select = "BAL,STR"\n[severity]\nSTR004 = "info"\n')
    cfg = load(cwd=tmp_path)
    assert cfg.select == ["BAL", "STR"] and cfg.severity == {"STR004": Severity.INFO}
    (tmp_path / "bad.toml").write_text('[tool.scrubber]\nfail_on = "sometimes"\n')
    with pytest.raises(ConfigError, match="fail_on"):
        load(str(tmp_path / "bad.toml"))


def test_policy_settings_in_config(tmp_path):
    (tmp_path / "scrubber.toml").write_text(
        '[policy.commercial]\nndc_required = true\nndc_units = ["UN", "ML"]\n'
        '[policy.medicaid]\nrequires_supervising_for_complex = "no"\n'
    )
    cfg = load(cwd=tmp_path)
    assert cfg.policy == {
        "commercial": {"ndc_required": "yes", "ndc_units": "UN;ML"},
        "medicaid": {"requires_supervising_for_complex": "no"},
    }
    for text, message in [
        ("[policy.commercial]\nndc_needed = true\n", "not a policy setting"),
        ("[policy.tricare]\nndc_required = true\n", "unknown payer profile"),
        ('policy = "strict"\n', "table of payer profiles"),
    ]:
        (tmp_path / "bad.toml").write_text(text)
        with pytest.raises(ConfigError, match=message):
            load(str(tmp_path / "bad.toml"))


def test_findings_are_deterministic(tmp_path):
    text = patch(base("837p"), [["ABK:D839", "ABK:D83"], ["IEA*1*000000101", "IEA*1*000000102"]])
    first = [f.as_dict() for f in scrub(text, tmp_path).findings]
    second = [f.as_dict() for f in scrub(text, tmp_path).findings]
    assert first == second and len(first) == 2


def _record(tmp_path, text):
    from scrubber.times import AdminTimes

    (tmp_path / "t.csv").write_text(text)
    return AdminTimes.load(str(tmp_path / "t.csv"))


def test_unmatched_record_rows_are_reported_once(tmp_path):
    record = _record(
        tmp_path,
        "claim_id,line,start,stop\nINF-RA-001,1,09:00,10:30\nNO-SUCH,1,09:00,10:00\n"
        "INF-RA-001,7,09:00,10:00\n",
    )
    path = tmp_path / "c.x12"
    path.write_text(inf_837p_authorized())
    result = Engine(Config(), record).scrub([str(path)])
    unmatched = [f for f in result.findings if f.edit == "INF005"]
    assert [f.message for f in unmatched] == [
        "Administration record row 2 names claim NO-SUCH line 1, which is not in the files scrubbed",
        "Administration record row 3 names claim INF-RA-001 line 7, which is not in the files scrubbed",
    ]
    assert all(f.file.endswith("t.csv") and f.severity is Severity.WARNING for f in unmatched)
    assert [f.edit for f in result.findings if f.edit != "INF005"] == []


def test_record_rows_match_by_line_control_number(tmp_path):
    text = patch(inf_837p_authorized(), [["NTE*ADD*START 0900 STOP 1030~\n", "REF*6R*LINE-A1~\n"]])
    record = _record(tmp_path, "claim_id,line,start,stop,ref_6r\n,,09:00,10:30,LINE-A1\n")
    path = tmp_path / "c.x12"
    path.write_text(renumber(text))
    result = Engine(Config(), record).scrub([str(path)])
    assert [f.edit for f in result.findings] == []


def test_record_wins_over_note_and_units_follow_it(tmp_path):
    text = patch(
        inf_837p_authorized(),
        [["LX*2~\n", "LX*3~\nSV1*HC:96415*85*UN*1***1~\nDTP*472*D8*20261103~\nLX*2~\n"]],
    )
    record = _record(tmp_path, "claim_id,line,start,stop\nINF-RA-001,1,09:00,10:40\n")
    path = tmp_path / "c.x12"
    path.write_text(renumber(text))
    result = Engine(Config(), record).scrub([str(path)])
    # 100 record minutes support 96415 x1 (the added line is not in CLM02: BAL001)
    assert sorted(f.edit for f in result.findings) == ["BAL001", "INF006"]


@pytest.mark.parametrize(
    ("name", "times", "expected"),
    [
        ("837p", None, []),
        ("837i", "CLEAN-I-ONC-MCR-001,1,09:00,11:40\n", []),
        ("inf_837i", "INF-I-001,1,10:00,12:00\n", []),
        # no REF*G1 on purpose: PA001's case biologic_without_auth scrubs the base as it is
        ("inf_837p", None, ["PA001"]),
    ],
)
def test_base_fixtures_have_no_findings_of_their_own(tmp_path, name, times, expected):
    """The case and scenario bases are clean claims under every edit, so a case's patch is the
    only defect (with its administration record where the base is an 837I)."""
    record = _record(tmp_path, "claim_id,line,start,stop\n" + times) if times else None
    path = tmp_path / "c.x12"
    path.write_text(base(name))
    result = Engine(Config(), record).scrub([str(path)])
    assert [f.edit for f in result.findings] == expected, [f.message for f in result.findings]
