"""The JSON report's findings written from the attributes are json.dumps of Finding.as_dict()."""

from __future__ import annotations

import enum
import io
import json
from dataclasses import replace

import pytest
from reportkit import findings, result

from scrubber.model import Loc
from scrubber.report import json_report
from scrubber.report.json_report import SEPARATORS, finding_json


def dumps(f) -> str:
    return json.dumps(f.as_dict(), separators=SEPARATORS)


def test_each_crafted_finding():
    items = findings()
    assert all(json_report._fast(f) == dumps(f) for f in items)  # every one on the fast path
    assert any("\\udcff" in json_report._fast(f) for f in items)


class Ordinal(enum.IntEnum):
    THREE = 3


@pytest.mark.parametrize(
    "change",
    [
        {"line": True},
        {"line": Ordinal.THREE},
        {"value": 12},
        {"expected": 1.5},
        {"loc": Loc(Ordinal.THREE, "CLM", "CLM02", "2300")},
        {"loc": Loc(4.0, "CLM")},
        {"message": 7},
    ],
)
def test_values_of_other_types_fall_back_to_json_dumps(change):
    f = replace(findings(2)[1], **change)
    with pytest.raises(TypeError):
        json_report._fast(f)
    assert finding_json(f) == dumps(f)


def old_write(res) -> str:
    """The writer before: one json.dumps of as_dict per finding, one write per piece."""
    out = io.StringIO()
    head = json.dumps(json_report.header(res), indent=2)
    out.write(head[:-2] + ',\n  "findings": [')
    first = True
    for f in res.findings:
        out.write("\n    " if first else ",\n    ")
        out.write(dumps(f))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")
    return out.getvalue()


@pytest.mark.parametrize("count", [0, 1, None, 2345])
def test_report_equals_the_one_finding_at_a_time_report(count):
    res = result(findings(count))
    out = io.StringIO()
    json_report.write(res, out)
    assert out.getvalue() == old_write(res)
    assert len(json.loads(out.getvalue())["findings"]) == len(res.findings)
