"""The engine's ``applies_to`` prefilters only skip work: every edit run on every claim and line
gives the same findings, in the same order, on every case, sample and public file."""

from __future__ import annotations

import pytest
import yaml
from casekit import FIXTURES, sample_and_corpus_files
from test_edits import CASES_DIR, build_text, case_config

from scrubber.pipeline import Engine
from scrubber.times import AdminTimes

ROOT = FIXTURES.parents[1]


def _findings(data: bytes, config, record: AdminTimes, prefilter: bool) -> list[tuple]:
    config.jobs = 1
    engine = Engine(config, record)
    engine.prefilter = prefilter
    result = engine.scrub_data(data, "case.x12")
    return [(f.edit, f.claim_id, f.line, f.message, f.value, f.expected, f.fix) for f in result.findings]


def _record(tmp_path, text: str | None) -> AdminTimes:
    if text is None:
        return AdminTimes.empty()
    path = tmp_path / "times.csv"
    path.write_text(text)
    return AdminTimes.load(str(path))


def test_cases_find_the_same_without_prefilters(tmp_path):
    compared = 0
    for spec_path in sorted(CASES_DIR.glob("*.yml")):
        for case in yaml.safe_load(spec_path.read_text())["cases"]:
            data = build_text(case).encode()
            runs = [
                _findings(data, case_config(case), _record(tmp_path, case.get("times")), prefilter)
                for prefilter in (True, False)
            ]
            assert runs[0] == runs[1], f"{spec_path.name}: {case['id']}"
            compared += 1
    assert compared > 250


@pytest.mark.parametrize("path", sample_and_corpus_files(), ids=lambda p: p.name)
def test_files_find_the_same_without_prefilters(path):
    from scrubber.config import Config

    times = ROOT / "sample_837" / "admin_times.csv"
    record = AdminTimes.load(str(times)) if "sample_837" in str(path) else AdminTimes.empty()
    data = path.read_bytes()
    assert _findings(data, Config(), record, True) == _findings(data, Config(), record, False)
