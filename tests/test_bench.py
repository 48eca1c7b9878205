"""benchmarks/bench.py: a small run end to end, the JSON header reader and the targets' summary."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(spec)
sys.modules["bench"] = bench
spec.loader.exec_module(bench)


def run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = bench.main(argv)
    return code, out.getvalue()


@pytest.mark.skipif(not (bench.BIN / "scrub").is_file(), reason="scrub is not installed next to python")
def test_small_run_of_check_in_every_format_on_both_generators(tmp_path):
    code, out = run(["--sizes", "40", "--tools", "check,gate", "--workdir", str(tmp_path)])
    assert code == 0, out
    rows = [line for line in out.splitlines() if line.startswith(("gen837 40 ", "shared 40 "))]
    tools = {" ".join(line.split()[2:4]) if line.split()[2] == "check" else line.split()[2] for line in rows}
    assert {"check json", "check csv", "check text", "gate"} <= tools
    if bench.SHARED_GENERATOR.is_file():
        shared = [line for line in rows if line.startswith("shared") and "check csv" in line][0]
        json_row = [line for line in rows if line.startswith("shared") and "check json" in line][0]
        assert "ok: exit 1; rows=" in shared and "error=" in json_row
    else:
        assert "note: the shared generator's files were skipped" in out
    assert "Targets (issue 13: check)" in out and "not measured (no such run)" in out


def test_missing_shared_generator_is_a_note(tmp_path):
    if not (bench.BIN / "scrub").is_file():
        pytest.skip("scrub is not installed next to python")
    missing = tmp_path / "nowhere.py"
    args = ["--sizes", "5", "--tools", "check", "--formats", "json"]
    code, out = run([*args, "--shared-generator", str(missing), "--workdir", str(tmp_path)])
    assert code == 0 and f"skipped: {missing} not found" in out and "shared 5" not in out


@pytest.mark.parametrize("argv", [["--tools", "check,nope"], ["--formats", "xml"], ["--sizes", "0"]])
def test_bad_arguments_exit_2(argv):
    with pytest.raises(SystemExit) as exc, redirect_stderr(io.StringIO()):
        bench.main(argv)
    assert exc.value.code == 2


def test_scrub_is_check_as_before():
    assert bench._subset(None, "--tools", "scrub,gate,check", bench.TOOLS) == ["check", "gate"]


def test_read_header_stops_before_the_findings(tmp_path):
    doc = {"schema_version": 1, "summary": {"claims": 3}, "files": []}
    head = json.dumps(doc, indent=2)
    report = tmp_path / "r.json"
    report.write_text(head[:-2] + bench.FINDINGS_MARK + "\n    {not json, never read}" * 5000 + "\n  ]\n}\n")
    assert bench.read_header(report) == doc
    empty = tmp_path / "e.json"
    empty.write_text(head[:-2] + ',\n  "findings": []\n}\n')
    assert bench.read_header(empty) == doc
    whole = tmp_path / "w.json"
    whole.write_text(json.dumps({"summary": {"claims": 1}, "changes": [1, 2]}))
    assert bench.read_header(whole)["changes"] == [1, 2]
    assert bench.brief(whole) == {"summary": {"claims": 1}, "gate": None, "changes": 2}
    with pytest.raises(ValueError):
        bench.brief(tmp_path / "missing.json")


def sample(source: str, size: int) -> bench.Sample:
    return bench.Sample(source, size, Path(f"/x/{source}_{size}"), None, 1.0, 10, 0.1)


def result(s: bench.Sample, tool: str, seconds: float, peak: float) -> bench.Result:
    return bench.Result(s, tool, seconds, seconds, peak, True, "ok", 100)


def targets(results: list[bench.Result], samples: list[bench.Sample]) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        bench.print_targets(samples, results)
    return out.getvalue()


def test_targets_summary():
    g10, g100, s10, s100 = (
        sample("gen837", 10_000),
        sample("gen837", 100_000),
        sample("shared", 10_000),
        sample("shared", 100_000),
    )
    results = [
        result(g10, "x12valid", 40.0, 30),
        result(g10, "check json", 1.6, 50),
        result(g100, "check json", 16.0, 55),
        result(s10, "x12valid", 40.0, 30),
        result(s10, "check json", 2.5, 58),
        result(s100, "check json", 25.0, 60),
    ]
    text = targets(results, [g10, g100, s10, s100])
    assert "x12valid at 10,000 claims: NO (gen837 json 25.0x, shared json 16.0x; wall time)" in text
    assert "peak memory < 100 MB: yes (largest 60 MB: shared 100,000 check json)" in text
    assert "memory flat" in text and ": yes (most growth +5 MB: gen837 check json" in text
    results[4] = result(s10, "check json", 1.9, 58)
    results[5] = result(s100, "check json", 19.0, 120)
    text = targets(results, [g10, g100, s10, s100])
    assert "claims: yes (gen837 json 25.0x, shared json 21.1x" in text
    assert (
        "peak memory < 100 MB: NO (largest 120 MB" in text
        and "flat" in text
        and "NO (most growth +62 MB" in text
    )
    assert "Targets (issue 14" not in text  # no gate or fix run: nothing to say of them


def test_targets_gate_and_fix_apart_from_check():
    """gate and fix are held to issue 14's targets (5x, 150 MB), never to check's."""
    g10, g100 = sample("gen837", 10_000), sample("gen837", 100_000)
    results = [
        result(g10, "x12valid", 40.0, 30),
        result(g10, "check json", 1.6, 50),
        result(g100, "check json", 16.0, 52),
        result(g10, "gate", 5.0, 60),
        result(g100, "gate", 50.0, 65),
        result(g10, "fix", 10.0, 120),
        result(g100, "fix", 100.0, 140),
    ]
    text = targets(results, [g10, g100])
    check, gate_fix = text.split("Targets (issue 14: gate and fix)")
    assert "check >= 20x x12valid at 10,000 claims: yes (gen837 json 25.0x" in check
    assert "peak memory < 100 MB: yes (largest 52 MB" in check and "most growth +2 MB" in check
    assert "gate / fix >= 5x x12valid at 10,000 claims: NO (gen837 gate 8.0x, gen837 fix 4.0x" in gate_fix
    assert "peak memory < 150 MB: yes (largest 140 MB: gen837 100,000 fix)" in gate_fix
    assert "NO (most growth +20 MB: gen837 fix" in gate_fix
