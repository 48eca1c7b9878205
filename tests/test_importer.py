"""scrub tables import: CMS-layout MUE and PTP files become a new table release."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from scrubber import tables
from scrubber.cli import app

DATA = Path(tables.DATA_DIR)

MUE = """CPT codes, descriptions and other data only are copyright American Medical Association.
Medically Unlikely Edits - Practitioner Services
"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"
"96365","1","2 Date of Service Edit: Policy","Nature of Service/Procedure"
"96366","8","3 Date of Service Edit: Clinical","Clinical: Data"
"J9312","150","3 Date of Service Edit: Clinical","Clinical: Data"
"""

PTP = (
    (
        "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
        "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
    )
    + """96413\t36000\t\t20240101\t*\t1\tMisuse of column two code with column one code
96413\t96523\t\t20240101\t20241231\t0\tStandards of medical / surgical practice
"""
)


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_import_mue_and_ncci(tmp_path):
    data = copy_data(tmp_path)
    (tmp_path / "mue.csv").write_text(MUE)
    (tmp_path / "ptp.txt").write_text(PTP)
    runner = CliRunner()
    out = runner.invoke(
        app,
        [
            "tables",
            "import",
            "mue",
            str(tmp_path / "mue.csv"),
            "--table",
            "practitioner",
            "--release",
            "2027Q1",
            "--effective-from",
            "2027-01-01",
            "--data-dir",
            str(data),
        ],
    )
    assert out.exit_code == 0, out.output
    manifest = tables.read_manifest(data)
    mue = tables.load_table("mue", manifest["mue"], data, verify=True)
    assert manifest["mue"]["release"] == "2027Q1"
    assert mue.lookup("practitioner", "J9312").values["mue_value"] == "150"
    assert mue.lookup("practitioner", "96413") is None  # the practitioner rows were replaced
    assert mue.lookup("facility", "96413") is not None  # the facility rows were kept
    out = runner.invoke(
        app,
        [
            "tables",
            "import",
            "ncci",
            str(tmp_path / "ptp.txt"),
            "--table",
            "practitioner",
            "--release",
            "2027Q1",
            "--effective-from",
            "2027-01-01",
            "--data-dir",
            str(data),
        ],
    )
    assert out.exit_code == 0, out.output
    ptp = tables.load_table("ncci_ptp", tables.read_manifest(data)["ncci_ptp"], data, verify=True)
    import datetime as dt

    row = ptp.lookup("practitioner", "96413", "96523", on=dt.date(2024, 6, 1))
    assert row.values["modifier_indicator"] == "0"
    assert ptp.lookup("practitioner", "96413", "96523", on=dt.date(2025, 6, 1)) is None  # deleted 2024-12-31
    assert (DATA / "mue" / "2026Q4.csv").is_file() and not (DATA / "mue" / "2027Q1.csv").exists()


def test_import_refuses_a_file_that_is_not_cms(tmp_path):
    data = copy_data(tmp_path)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    out = CliRunner().invoke(
        app,
        [
            "tables",
            "import",
            "mue",
            str(tmp_path / "x.csv"),
            "--table",
            "practitioner",
            "--release",
            "X",
            "--effective-from",
            "2027-01-01",
            "--data-dir",
            str(data),
        ],
    )
    assert out.exit_code == 2 and "no header row" in out.stderr


HCPCS = """HCPC\tSEQNUM\tRECID\tLONG DESCRIPTION\tSHORT DESCRIPTION\tADD DT\tACT EFF DT\tTERM DT\tACTION CD
J2506\t0010\t3\tInjection, pegfilgrastim, 0.5 mg\tInj pegfilgrast ex bio 0.5mg\t20220101\t20220101\t\tN
J2506\t0020\t4\t(continuation)\t\t\t\t\t
J9312\t0010\t3\tInjection, rituximab, 10 mg\tInj rituximab 10 mg\t20190101\t20190101\t\tN
J9999\t0010\t3\tExample code deleted this year\tExample deleted\t20100101\t20270101\t20270331\tD
GA\t0010\t7\tWaiver of liability statement\tWaiver of liability\t19950101\t\t\tN
"""


def _import_hcpcs(data, source, *extra):
    return CliRunner().invoke(
        app,
        [
            "tables",
            "import",
            "hcpcs",
            str(source),
            "--release",
            "2027Q2",
            "--effective-from",
            "2027-04-01",
            "--data-dir",
            str(data),
            *extra,
        ],
    )


def test_import_hcpcs_complete_file(tmp_path):
    import datetime as dt

    from edits.code_set import status_in

    data = copy_data(tmp_path)
    (tmp_path / "hcpcs.txt").write_text(HCPCS)
    out = _import_hcpcs(data, tmp_path / "hcpcs.txt")
    assert out.exit_code == 0, out.output
    meta = tables.read_manifest(data)["hcpcs"]
    assert meta["release"] == "2027Q2" and meta["complete_ranges"] == ["A0000-V9999"]
    table = tables.load_table("hcpcs", meta, data, verify=True)
    day = dt.date(2027, 5, 1)
    assert table.lookup("J2506", on=day).values["label"] == "Inj pegfilgrast ex bio 0.5mg"
    assert table.lookup("GA") is None  # modifiers are not procedure codes
    assert status_in(table, "J2506", day) is None
    assert status_in(table, "J9999", dt.date(2027, 3, 1)) is None
    assert status_in(table, "J9999", day)[0].startswith("in effect 2010-01-01 to 2027-03-31")
    # kept from the shipped release: the deleted J2505 with its date and replacement
    assert status_in(table, "J2505", day) == ("in effect … to 2021-12-31", "J2506")
    # an open-ended code of the previous release that the complete file no longer lists was deleted
    assert table.lookup("J1745", on=dt.date(2027, 3, 31)) is not None
    assert status_in(table, "J1745", day) is not None
    # the file is complete: a Level II code it does not hold is unknown; CPT codes are not its business
    assert status_in(table, "J0001", day) == ("not in HCPCS Level II release 2027Q2", "")
    assert (DATA / "hcpcs" / "2026Q4.csv").is_file() and not (DATA / "hcpcs" / "2027Q2.csv").exists()


def test_import_hcpcs_partial_file_claims_nothing(tmp_path):
    import datetime as dt

    from edits.code_set import status_in

    data = copy_data(tmp_path)
    (tmp_path / "hcpcs.txt").write_text(HCPCS)
    out = _import_hcpcs(data, tmp_path / "hcpcs.txt", "--partial")
    assert out.exit_code == 0, out.output
    meta = tables.read_manifest(data)["hcpcs"]
    assert meta["complete_ranges"] == []
    table = tables.load_table("hcpcs", meta, data, verify=True)
    day = dt.date(2027, 5, 1)
    assert status_in(table, "J0001", day) is None  # absent from a partial table: not judged
    assert status_in(table, "J1745", day) is None  # rows the file does not list are kept as they were


def test_import_hcpcs_refuses_a_file_that_is_not_cms(tmp_path):
    data = copy_data(tmp_path)
    (tmp_path / "x.csv").write_text("code,name\nJ2506,x\n")
    out = _import_hcpcs(data, tmp_path / "x.csv")
    assert out.exit_code == 2 and "no header row" in out.stderr
    assert tables.read_manifest(data)["hcpcs"]["release"] == "2026Q4-partial"


def test_the_shipped_hcpcs_table_holds_every_drug_and_per_diem_code():
    hcpcs = tables.get("hcpcs")
    for name in ("drugs", "per_diems"):
        for (code,) in tables.get(name).rows:
            assert hcpcs.known(code), (name, code)
