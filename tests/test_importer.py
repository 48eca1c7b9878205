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
