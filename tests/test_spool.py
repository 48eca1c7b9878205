"""Findings pickle compactly and whole; the findings spool keeps emission order across packed
worker chunks, single findings and spills."""

from __future__ import annotations

import copy
import pickle

from scrubber.findings import Finding, Fix, Severity
from scrubber.model import Loc
from scrubber.pipeline import FindingSink


def _finding(n: int, waived: bool = False) -> Finding:
    loc = Loc(40 + n, "SV1", "SV104", "2400")
    more = (Fix("delete", Loc(41 + n, "NTE", None, "2400"), None, "x", "unsafe", "drop the note"),)
    fix = Fix("set", loc, "2", "3", "safe", "units to 2", more)
    return Finding(
        f"DU{n:03}",
        "units",
        "drug-units",
        Severity.WARNING,
        f"message {n}",
        "in.x12",
        f"CLM-{n}",
        n,
        loc,
        "3",
        "2",
        fix,
        ("000000001", "1", "0001"),
        "waiver #1: agreed" if waived else None,
    )


def test_a_finding_round_trips_through_pickle_with_every_field():
    for finding in (
        _finding(1, waived=True),
        Finding("STR004", "n", "structure", Severity.ERROR, "m", "f", None, None, None, None, None, None),
    ):
        back = pickle.loads(pickle.dumps(finding, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == finding and back.as_dict() == finding.as_dict()
        assert back.severity is finding.severity and back.fix == finding.fix
        assert copy.deepcopy(finding) == finding


def test_findings_pickle_as_tuples_not_field_by_field():
    """The compact form: the class and a tuple of values (no dataclass state dict per object)."""
    finding = _finding(2)
    assert finding.__reduce__()[0] is Finding and finding.loc.__reduce__()[0] is Loc
    assert finding.fix.__reduce__()[0] is Fix
    assert Finding(*finding.__reduce__()[1]) == finding


def test_the_severity_label_is_the_lower_case_name():
    assert [s.label for s in Severity] == ["info", "warning", "error"]
    assert pickle.loads(pickle.dumps(Severity.ERROR)).label == "error"


def _packed(findings) -> tuple[bytes, int, int]:
    worker = FindingSink(limit=1 << 62)
    for finding in findings:
        worker.add(finding)
    return worker.packed(), worker.count, worker.waived


def test_the_sink_keeps_order_across_packed_chunks_single_findings_and_spills():
    made = [_finding(n, waived=n % 5 == 0) for n in range(40)]
    sink = FindingSink(limit=4)
    sink.add(made[0])
    sink.add_packed(*_packed(made[1:10]))  # a worker batch after a finding held in memory
    sink.add_packed(*_packed([]))  # a batch without findings
    for finding in made[10:17]:  # past the limit: spilled
        sink.add(finding)
    sink.add_packed(*_packed(made[17:30]))
    assert list(sink) == made[:30]
    first = next(iter(sink))  # an iteration left part-way ...
    assert first == made[0]
    for finding in made[30:35]:
        sink.add(finding)
    sink.add_packed(*_packed(made[35:]))  # ... does not misplace what comes after
    assert list(sink) == made and list(sink) == made
    assert len(sink) == 40 and sink.waived == 8


def test_claim_row_sinks_count_no_waivers():
    rows = FindingSink(limit=2, waivable=False)
    rows.add_packed(*_packed([_finding(0, waived=True)]))
    assert len(rows) == 1 and rows.waived == 0
