"""The CSV report (standard library csv) gives the bytes pandas' to_csv gave, on awkward values."""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import pytest
from reportkit import findings, result

from scrubber.model import Loc
from scrubber.report import csv_report
from scrubber.report.csv_report import COLUMNS


def by_pandas(res, chunk: int = 10000) -> str:
    """The report as the pandas writer wrote it: a frame per chunk, line and ordinal as Int64."""
    items = list(res.findings)
    out = io.StringIO()
    for start in range(0, max(len(items), 1), chunk):
        rows = [dict(zip(COLUMNS, csv_report.row(f), strict=True)) for f in items[start : start + chunk]]
        frame = pd.DataFrame(rows, columns=COLUMNS)
        frame["line"] = frame["line"].astype("Int64")
        frame["ordinal"] = frame["ordinal"].astype("Int64")
        frame.to_csv(out, index=False, header=start == 0, lineterminator="\n")
    return out.getvalue()


def by_csv(res) -> str:
    out = io.StringIO()
    csv_report.write(res, out)
    return out.getvalue()


@pytest.mark.parametrize("count", [0, 1, 2, None, 5001])
def test_csv_equals_pandas_to_csv(count):
    res = result(findings(count))
    assert by_csv(res) == by_pandas(res)


def test_the_awkward_values_are_in_the_rows():
    text = by_csv(result(findings()))
    for value in (
        '"a ""quoted"" word"',
        '"comma, then more"',
        '"line\nbreak"',
        "=SUM(A1:A9)",
        "\udcff",
        "漢字",
    ):
        assert value in text
    assert str(2**62) in text and ",,," in text  # a large line number; None as an empty field


def test_columns_of_none_alone_and_of_large_numbers():
    """Columns pandas sees as all missing (claim, line, location, value, fix), and line numbers and
    ordinals near the top of Int64."""
    blank = [replace(f, claim_id=None, line=None, loc=None, value=None, fix=None) for f in findings(20)]
    assert by_csv(result(blank)) == by_pandas(result(blank))
    big = [replace(f, line=2**63 - 1 - k, loc=Loc(2**62 + k, "LX")) for k, f in enumerate(findings(20))]
    assert by_csv(result(big)) == by_pandas(result(big))
    assert str(2**63 - 1) in by_csv(result(big))
