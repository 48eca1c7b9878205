"""A large file split across worker processes gives exactly the report of a sequential run."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrubber import parallel, pipeline
from scrubber.config import Config
from scrubber.times import AdminTimes

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_837"
CORPUS = ROOT.parent / "shared" / "corpus" / "public"
FILES = sorted(SAMPLES.glob("*.x12")) + (sorted(CORPUS.glob("*.x12")) if CORPUS.is_dir() else [])


def run(paths, jobs):
    record = AdminTimes.load(str(SAMPLES / "admin_times.csv"))
    result = pipeline.Engine(Config(jobs=jobs), record).scrub([str(p) for p in paths])
    return (
        [f.as_dict() for f in result.findings],
        [f.as_dict() for f in result.files],
        (result.claims, result.claims_with_errors, dict(result.counts)),
    )


@pytest.fixture
def split_everything(monkeypatch):
    """Every file goes to the workers, cut into batches of a single claim; counts the batches."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 1)
    made = []
    batches = parallel.Batcher.batches

    def counted(self):
        for job in batches(self):
            made.append(job)
            yield job

    monkeypatch.setattr(parallel.Batcher, "batches", counted)
    return made


def test_parallel_equals_sequential_on_every_sample_and_corpus_file(split_everything):
    sequential = run(FILES, jobs=1)
    assert split_everything == []
    split = run(FILES, jobs=2)
    assert len(split_everything) >= sequential[2][0]  # at least one batch per claim
    assert split[2] == sequential[2]
    assert split[1] == sequential[1]
    assert split[0] == sequential[0]
    assert sequential[2][0] > 30  # the comparison covered real claims


def test_unmatched_times_rows_see_the_workers_matches(split_everything):
    findings, _, _ = run(sorted(SAMPLES.glob("*.x12")), jobs=2)
    assert [f for f in findings if f["edit"] == "INF005"] == []
