"""Golden outputs of ``scrub fix`` and ``scrub gate`` (tests/golden/outputs.json).

Every sample, every YAML case (tests/cases) and, when ../shared is there, every public corpus file
and two files of the shared generator (``gen_837p.py --seed 49``: a dirty batch, one of them large
enough to be split across worker processes) is run through the CLI: ``fix`` (pyx12 judge on and
off), ``gate`` (and ``gate --validate`` on the samples) and ``check`` in each of the json, csv and
text formats.  What is kept per run is the exit code and a SHA-256 of each output: the corrected
file, the clean and held interchanges, the JSON report of fix and gate without its start time, and
the check reports byte for byte (only the start time blanked).  The files are run
under fixed names in a scratch directory, so the reports do not depend on where they ran.

Regenerate (only when a change of behaviour is intended)::

    .venv/bin/python tests/goldkit.py            # writes tests/golden/outputs.json
    .venv/bin/python tests/goldkit.py --dump DIR # also keeps every output under DIR, for a diff
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "outputs.json"
GENERATOR = HERE.parent.parent / "shared" / "tools" / "gen_837p.py"
DIRTY = ((300, "gen49-300"), (4000, "gen49-4000"))  # (claims, key): 4,000 claims is over 2 MB
CHECK_FORMATS = ("json", "csv", "text")
STARTED = re.compile(rb'"started": "[^"]*"')
sys.path.insert(0, str(HERE))

from casekit import CORPUS, ROOT, base, patch, renumber  # noqa: E402

TIMES = ROOT / "sample_837" / "admin_times.csv"


def _toml(table: dict, prefix: str = "tool.scrubber") -> str:
    """The few shapes a case's ``config`` takes, as a [tool.scrubber] TOML file."""
    plain, nested = [], []
    for key, value in table.items():
        if isinstance(value, dict):
            nested.append(_toml(value, f"{prefix}.{key}"))
        else:
            plain.append(f"{key} = {json.dumps(value)}")
    head = f"[{prefix}]\n" + "".join(f"{line}\n" for line in plain)
    return head + "".join(nested)


def inputs() -> list[dict]:
    """Every input: name, text (bytes), optional config TOML and times CSV, and which runs."""
    out = []
    for path in sorted((ROOT / "sample_837").glob("*.x12")):
        out.append({"key": f"sample/{path.name}", "data": path.read_bytes(), "sample": True})
        out.append(
            {
                "key": f"sample+times/{path.name}",
                "data": path.read_bytes(),
                "times": TIMES.read_text(),
                "sample": True,
            }
        )
    for spec_path in sorted((HERE / "cases").glob("*.yml")):
        spec = yaml.safe_load(spec_path.read_text())
        for case in spec["cases"]:
            text = patch(base(case.get("base", "837p")), case.get("patch"))
            text = renumber(text) if case.get("renumber", True) else text
            item = {"key": f"case/{spec['edit']}-{case['id']}", "data": text.encode()}
            if "config" in case:
                item["config"] = _toml(case["config"])
            if case.get("times") is not None:
                item["times"] = case["times"]
            out.append(item)
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.x12")):
            out.append({"key": f"corpus/{path.name}", "data": path.read_bytes()})
    if GENERATOR.is_file():
        for claims, key in DIRTY:
            out.append({"key": f"shared/{key}", "data": _generate(claims), "check_only": True})
    return out


def _generate(claims: int) -> bytes:
    """The shared generator's dirty batch (deterministic for a seed), read from its stdout."""
    cmd = [sys.executable, str(GENERATOR), "-n", str(claims), "--seed", "49"]
    return subprocess.run(cmd, check=True, capture_output=True).stdout


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _report(path: Path) -> str | None:
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    doc.get("run", {}).pop("started", None)
    return _sha(json.dumps(doc, sort_keys=True).encode())


def runs(item: dict) -> list[tuple[str, list[str], list[str]]]:
    """(run name, arguments, output files) for one input, run in a scratch directory."""
    extra = []
    if "config" in item:
        extra += ["--config", "scrubber.toml"]
    if "times" in item:
        extra += ["--times", "times.csv"]
    checks = [
        (
            f"check-{fmt}",
            ["check", "in.x12", "--format", fmt, "--output", f"check.{fmt}", *extra],
            [f"check.{fmt}"],
        )
        for fmt in CHECK_FORMATS
    ]
    if item.get("check_only"):
        return checks
    out = checks + [
        ("fix", ["fix", "in.x12", "-o", "out.x12", "--report", "r.json", *extra], ["out.x12"]),
        (
            "fix-no-validate",
            ["fix", "in.x12", "-o", "out.x12", "--report", "r.json", "--no-validate", *extra],
            ["out.x12"],
        ),
        (
            "gate",
            ["gate", "in.x12", "--clean", "c.x12", "--held", "h.x12", "--report", "r.json", *extra],
            ["c.x12", "h.x12"],
        ),
    ]
    if item.get("sample"):
        out.append(
            (
                "gate-validate",
                ["gate", "in.x12", "--clean", "c.x12", "--held", "h.x12", "--report", "r.json", "--validate"]
                + extra,
                ["c.x12", "h.x12"],
            )
        )
    return out


def run_one(item: dict, name: str, args: list[str], outputs: list[str], work: Path, dump: Path | None):
    """Run one CLI command on one input in ``work`` (emptied first); the golden record."""
    from typer.testing import CliRunner

    from scrubber.cli import app

    for old in work.iterdir():
        old.unlink()
    (work / "in.x12").write_bytes(item["data"])
    if "config" in item:
        (work / "scrubber.toml").write_text(item["config"])
    if "times" in item:
        (work / "times.csv").write_text(item["times"])
    here = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(here)
    record = {"exit": result.exit_code, "report": _report(work / "r.json")}
    for out in outputs:
        target = work / out
        data = target.read_bytes() if target.exists() else None
        if data is not None and out.endswith(".json"):
            data = STARTED.sub(b'"started": ""', data, count=1)
        record[out] = _sha(data) if data is not None else None
    if dump is not None:
        keep = dump / item["key"].replace("/", "__") / name
        keep.mkdir(parents=True, exist_ok=True)
        for f in work.iterdir():
            (keep / f.name).write_bytes(f.read_bytes())
        (keep / "stderr.txt").write_text(result.stderr if result.stderr_bytes is not None else "")
    return record


def main(argv: list[str]) -> int:
    import tempfile

    dump = Path(argv[argv.index("--dump") + 1]) if "--dump" in argv else None
    golden: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for item in inputs():
            for name, args, outputs in runs(item):
                golden[f"{item['key']}::{name}"] = run_one(item, name, args, outputs, work, dump)
    if "--check" in argv:
        want = json.loads(GOLDEN.read_text())
        bad = sorted(k for k in want if golden.get(k) != want[k])
        print("\n".join(bad) or "all equal")
        return 1 if bad else 0
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"{len(golden)} runs written to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
