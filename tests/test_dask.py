"""--executor dask gives exactly the report of a local run (skipped when dask is not installed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from casekit import base, patch, renumber
from test_parallel import split_everything  # noqa: F401  (the fixture that counts the batches)
from typer.testing import CliRunner

import scrubber
from scrubber import parallel, pipeline
from scrubber.cli import app
from scrubber.config import Config, from_table
from scrubber.times import AdminTimes

distributed = pytest.importorskip("distributed")
dask_exec = pytest.importorskip("scrubber.dask_exec")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_837"
CORPUS = ROOT.parent / "shared" / "corpus" / "public"
TIMES = SAMPLES / "admin_times.csv"
FILES = sorted(SAMPLES.glob("*.x12")) + (sorted(CORPUS.glob("*.x12")) if CORPUS.is_dir() else [])
RUNNER = CliRunner()


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded in-process workers: fast to start, and the workers share nothing with
    the client's engine but what is sent."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as local:
        yield local


def report(result) -> tuple:
    return (
        [f.as_dict() for f in result.findings],
        [f.as_dict() for f in result.files],
        (result.claims, result.claims_with_errors, dict(result.counts), result.findings.waived),
    )


def both(paths, cluster, config: Config | None = None, times=str(TIMES)) -> tuple:
    paths = [str(p) for p in paths]

    def record():
        return AdminTimes.load(times) if times else None

    local = pipeline.Engine(config or Config(jobs=1), record()).scrub(paths)
    dask = dask_exec.DaskEngine(config or Config(), record(), cluster=cluster).scrub(paths)
    return report(local), report(dask)


def test_samples_and_corpus_whole_files(cluster):
    local, dask = both(FILES, cluster)
    assert dask == local
    assert local[2][0] > 30


def test_samples_and_corpus_in_batches(cluster, monkeypatch, split_everything):  # noqa: F811
    """Every file cut into batches of a few claims, as parallel.py cuts them, and sent to the
    cluster (never to a local process pool)."""
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", 4)  # split_everything's single claims are slow here
    monkeypatch.setattr(parallel, "TAIL_BATCH_CLAIMS", 1)
    monkeypatch.setattr(dask_exec, "WHOLE_FILE_MAX_BYTES", 0)  # never a whole file, however many
    monkeypatch.setattr(parallel, "Pool", None)  # a local pool would fail (the local run has jobs=1)
    local, dask = both(FILES, cluster)
    assert dask == local
    assert len(split_everything) >= local[2][0] / 4


def test_large_files_go_whole_when_there_are_files_for_every_worker(cluster, monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)  # every file is "large"
    made = []
    batches = parallel.Batcher.batches
    monkeypatch.setattr(parallel.Batcher, "batches", lambda self: made.append(1) or batches(self))
    local, dask = both(FILES, cluster, Config(jobs=1))
    assert dask == local and made == []
    local, dask = both(FILES[:1], cluster, Config(jobs=1))  # one file for two workers: in batches
    assert dask == local and made == [1]


def _cases(tmp_path: Path) -> list[Path]:
    """Every YAML case that needs no configuration or administration record, as a file."""
    out = []
    for spec_path in sorted((ROOT / "tests" / "cases").glob("*.yml")):
        spec = yaml.safe_load(spec_path.read_text())
        for case in spec["cases"]:
            if "config" in case or "times" in case:
                continue
            text = patch(base(case.get("base", "837p")), case.get("patch"))
            text = renumber(text) if case.get("renumber", True) else text
            path = tmp_path / f"{spec['edit']}-{case['id']}.x12"
            path.write_text(text)
            out.append(path)
    return out


def test_yaml_cases(cluster, tmp_path):
    files = _cases(tmp_path)
    local, dask = both(files, cluster, times=None)
    assert dask == local
    assert len(files) > 100


def test_waivers_and_baseline_travel_to_the_workers(cluster, monkeypatch):
    waivers = from_table(
        {"waivers": [{"edit": "DX", "reason": "r"}, {"edit": "CS", "claim_id": "NONE", "reason": "unused"}]},
        "scrubber.toml",
    ).waivers
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 1 << 12)  # the larger samples in batches
    monkeypatch.setattr(dask_exec, "WHOLE_FILE_MAX_BYTES", 0)
    local, dask = both(FILES, cluster, Config(waivers=waivers, jobs=1))
    assert dask == local and local[2][3] > 0
    assert [f["edit"] for f in local[0] if f["category"] == "engine"] == ["ENG002"]


def test_cli_dask_report_equals_the_local_one(cluster, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["check", str(SAMPLES), "--times", str(TIMES), "--format", "json"]
    local = RUNNER.invoke(app, args)
    dask = RUNNER.invoke(app, [*args, "--executor", "dask", "--scheduler", cluster.scheduler_address])
    assert dask.exit_code == local.exit_code == 1, dask.stderr
    first, second = json.loads(local.stdout), json.loads(dask.stdout)
    first["run"]["started"] = second["run"]["started"] = ""
    assert first == second


def test_without_dask_installed_it_is_a_usage_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = RUNNER.invoke(app, ["check", str(SAMPLES / "837p_clean.x12"), "--executor", "dask"])
    assert result.exit_code == 2
    assert "pip install 'infusion-scrubber[dask]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_scheduler_needs_the_dask_executor():
    result = RUNNER.invoke(app, ["check", str(SAMPLES / "837p_clean.x12"), "--scheduler", "tcp://x:8786"])
    assert result.exit_code == 2 and "--scheduler needs --executor dask" in result.stderr


def test_an_unreachable_scheduler_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(dask_exec, "CONNECT_TIMEOUT", "0.5s")
    args = [
        "check",
        str(SAMPLES / "837p_clean.x12"),
        "--executor",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
    ]
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def test_a_worker_with_other_tables_stops_the_run_with_one_line(cluster, monkeypatch):
    calls = iter(range(1000))
    monkeypatch.setattr(dask_exec, "fingerprint", lambda: {"version": next(calls)})  # never the same
    path = str(SAMPLES / "837p_clean.x12")
    result = RUNNER.invoke(
        app, ["check", path, "--executor", "dask", "--scheduler", cluster.scheduler_address]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"scrub: a Dask worker has infusion-scrubber {scrubber.__version__} with other reference tables "
        "than the client: install the same version on every worker"
    ]


def test_a_worker_with_other_tables_refuses_to_run():
    payload = dask_exec.Payload("t", Config(), AdminTimes.empty(), None, False, {"version": "0"})
    with pytest.raises(dask_exec.ExecutorError, match="same version on every worker"):
        dask_exec._engine(payload)
