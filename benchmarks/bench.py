"""Throughput and memory benchmark: ``scrub check`` (json, csv, text), ``gate`` and ``fix`` against
pyx12 ``x12valid``, on the project's generator's clean files and the shared generator's dirty ones.

For each size two deterministic files are generated (each in a child process):

  gen837     benchmarks/gen837.py --kind P|I --seed 837, with its administration record: clean claims
  shared     ../shared/tools/gen_837p.py --seed 49 (when it exists; a note says so when it does not):
             837P claims of which about 80% have findings (~2.7 per claim), so the report is large

then each tool runs in its own child process, found next to the running interpreter
(``Path(sys.executable).parent``, i.e. the virtualenv's bin directory):

  check FMT  <bin>/scrub check FILE --format FMT --output OUT   (FMT json, csv, text; exit 0 or 1 = success)
  gate       <bin>/scrub gate FILE --clean C --held H --report OUT.json (and clean + held = claims)
  fix        <bin>/scrub fix FILE -o FIXED --report OUT.json            (pyx12 judge on, the default)
  x12valid   <bin>/x12valid FILE, on a copy in a scratch directory because it writes its
             acknowledgement next to the input; only for sizes <= --x12valid-max (~300 claims/s)

Wall time is measured around each child, interpreter start-up included; CPU time (user + system,
the child's and its workers') and peak memory (ru_maxrss) come from os.wait4. Linux folds the
parent's resident size at spawn time into a child's ru_maxrss, so the harness keeps itself small
(it reads a JSON report's header only, never its findings) and prints its own size as the floor
below which no peak can read.  The summary says whether the issues' targets hold (it prints; it
does not fail on a missed target): issue 13, check at least 20 times as fast as x12valid on the
10,000-claim files, peak memory under 100 MB, and flat from the smallest size to the largest;
issue 14, gate and fix each at least 5 times as fast, under 150 MB, and flat.

Exit status: 0 when every run succeeded, 1 when a run failed (scrub exited 2 or above or was
killed, wrote no readable report, counted a different number of claims, or the csv report's rows
differ from the json report's findings; x12valid did not print "FILE: OK"; a generator failed),
2 when a tool is missing or the arguments are wrong.

Usage:
  python benchmarks/bench.py [--sizes 10000,100000] [--kind P] [--x12valid-max 10000] [--workdir DIR]
                             [--tools check,gate,fix,x12valid] [--formats json,csv,text] [--seed 837]
                             [--shared-generator PATH | --no-shared] [--shared-seed 49]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "gen837.py"
SHARED_GENERATOR = HERE.parent.parent / "shared" / "tools" / "gen_837p.py"
TOOLS = ("check", "gate", "fix", "x12valid")
ALIASES = {"scrub": "check"}  # the name check had here before
FORMATS = ("json", "csv", "text")
RSS_UNIT = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
TARGET_RATIO = 20.0  # issue 13: check at least 20x x12valid on the 10,000-claim files
TARGET_PEAK_MB = 100.0  # issue 13: peak memory under 100 MB ...
FLAT_MB = 10.0  # ... and flat: the largest size's peak at most this much above the smallest's
GATE_FIX_RATIO = 5.0  # issue 14: gate and fix each at least 5x x12valid at 10,000 claims ...
GATE_FIX_PEAK_MB = 150.0  # ... peak memory under 150 MB, and flat (FLAT_MB)
RATIO_SIZE = 10_000
FINDINGS_MARK = ',\n  "findings": ['  # where the JSON report's header ends (report/json_report.py)


@dataclass(slots=True)
class Sample:
    """One generated input file."""

    source: str  # "gen837" or "shared"
    size: int
    path: Path
    times: Path | None  # the administration record, when the generator writes one
    megabytes: float
    segments: int
    seconds: float

    @property
    def label(self) -> str:
        return f"{self.source} {self.size:,}"


@dataclass(slots=True)
class Result:
    """One timed tool run."""

    sample: Sample
    tool: str  # "check json", "check csv", "check text", "gate", "fix", "x12valid"
    seconds: float
    cpu: float
    peak_mb: float
    ok: bool
    detail: str
    findings: int | None = None

    @property
    def rate(self) -> float:
        return self.sample.size / self.seconds if self.seconds > 0 else float("inf")

    @property
    def finding_rate(self) -> float | None:
        if self.findings is None or self.seconds <= 0:
            return None
        return self.findings / self.seconds


class GeneratorError(RuntimeError):
    pass


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be comma-separated integers, not {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def run_child(argv: list[str], cwd: Path, log: Path) -> tuple[float, float, float, int]:
    """Run argv to completion; return (wall seconds, CPU seconds, peak RSS in MB, exit code or -signal)."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # already reaped by wait4
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / RSS_UNIT, code


def own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / RSS_UNIT


def log_tail(log: Path, lines: int = 5) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(text[-lines:])


def count_segments(path: Path) -> int:
    """Segments in an X12 file: occurrences of the terminator named by the ISA (its 106th byte)."""
    with path.open("rb") as f:
        terminator = f.read(106)[105:106]
        f.seek(0)
        return sum(chunk.count(terminator) for chunk in iter(lambda: f.read(1 << 20), b""))


def times_path(claims: Path) -> Path:
    """The administration record generated beside a claim file (837I times live only there)."""
    return claims.with_suffix(".times.csv")


def _generate(source: str, argv: list[str], path: Path, size: int, times: Path | None) -> Sample:
    start = time.perf_counter()
    done = subprocess.run([*argv, "-o", str(path)], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise GeneratorError(f"{Path(argv[1]).name} exited {done.returncode}: {done.stderr.strip()}")
    return Sample(source, size, path, times, path.stat().st_size / 1e6, count_segments(path), seconds)


def make_sample(kind: str, size: int, seed: int, workdir: Path) -> Sample:
    """The project's generator: clean claims and their administration record."""
    path = workdir / f"claims_{kind}_{size}.837"
    argv = [sys.executable, str(GENERATOR), "--kind", kind, "-n", str(size), "--seed", str(seed)]
    argv += ["--times-out", str(times_path(path))]
    return _generate("gen837", argv, path, size, times_path(path))


def make_shared_sample(generator: Path, size: int, seed: int, workdir: Path) -> Sample:
    """The shared generator's dirty 837P (no administration record)."""
    path = workdir / f"shared_{size}.837"
    argv = [sys.executable, str(generator), "-n", str(size), "--seed", str(seed)]
    return _generate("shared", argv, path, size, None)


def _scrub_argv(tool: str, sample: Sample, workdir: Path, report: Path) -> list[str]:
    """The command line of one scrub run: check FMT, gate or fix, with the sample's administration record."""
    scrub, path = str(BIN / "scrub"), str(sample.path)
    times = ["--times", str(sample.times)] if sample.times else []
    stem = f"{sample.source}_{sample.size}"
    if tool == "gate":
        outputs = ["--clean", str(workdir / f"clean_{stem}.837"), "--held", str(workdir / f"held_{stem}.837")]
        return [scrub, "gate", path, *outputs, "--report", str(report), *times]
    if tool == "fix":
        return [scrub, "fix", path, "-o", str(workdir / f"fixed_{stem}.837"), "--report", str(report), *times]
    fmt = tool.split()[1]
    return [scrub, "check", path, "--format", fmt, "--output", str(report), *times]


def read_header(report: Path) -> dict:
    """A JSON report without its findings: the text before them, closed; a report without
    findings is read whole."""
    with report.open(encoding="utf-8", errors="surrogateescape") as f:
        head, seen = "", 0
        while (at := head.find(FINDINGS_MARK, max(0, seen - len(FINDINGS_MARK)))) < 0:
            seen = len(head)
            chunk = f.read(1 << 16)
            if not chunk:
                return json.loads(head)
            head += chunk
    return json.loads(head[:at] + "\n}")


def brief(report: Path) -> dict:
    """What the harness checks in a JSON report: the summary, the gate object and the number of
    changes.  Read in a child process, so that a large header (a fix's audit trail) never grows the
    harness, whose size every later child's peak would include."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--brief", str(report)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise ValueError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output")
    return json.loads(done.stdout)


def _brief(report: Path) -> int:
    doc = read_header(report)
    print(
        json.dumps(
            {"summary": doc["summary"], "gate": doc.get("gate"), "changes": len(doc.get("changes") or [])}
        )
    )
    return 0


def count_csv_rows(report: Path) -> int:
    with report.open(encoding="utf-8", errors="surrogateescape", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1  # the header


def run_scrub(sample: Sample, workdir: Path, tool: str, findings: int | None = None) -> Result:
    """One scrub run on the sample, judged by its exit code and its report: the claim counts of a
    JSON report, the rows of a CSV one (against ``findings``, the JSON report's count, when known),
    the summary table of a text one."""
    stem = f"{tool.replace(' ', '_')}_{sample.source}_{sample.size}"
    report = workdir / (f"{stem}.{tool.split()[1]}" if tool.startswith("check") else f"{stem}.json")
    log = workdir / f"{stem}.log"
    report.unlink(missing_ok=True)
    seconds, cpu, peak, code = run_child(_scrub_argv(tool, sample, workdir, report), workdir, log)

    def result(ok: bool, detail: str, found: int | None = None) -> Result:
        return Result(sample, tool, seconds, cpu, peak, ok, detail, found)

    if code < 0:
        return result(False, f"killed by signal {-code}; {log_tail(log)}")
    if code not in (0, 1):
        return result(False, f"exit {code}: {log_tail(log)}")
    if tool == "check csv":
        try:
            rows = count_csv_rows(report)
        except (OSError, csv.Error) as exc:
            return result(False, f"exit {code}, no readable report ({type(exc).__name__}: {exc})")
        if findings is not None and rows != findings:
            return result(
                False, f"exit {code}; {rows} rows, expected {findings} (the json report's findings)"
            )
        return result(True, f"exit {code}; rows={rows}", rows)
    if tool == "check text":
        try:
            with report.open("rb") as f:
                f.seek(max(0, report.stat().st_size - (1 << 16)))
                tail = f.read()
        except OSError as exc:
            return result(False, f"exit {code}, no readable report ({type(exc).__name__}: {exc})")
        if b"Summary" not in tail:
            return result(False, f"exit {code}; no summary table at the end of the report")
        return result(True, f"exit {code}; {report.stat().st_size / 1e6:.1f} MB", findings)
    try:
        doc = brief(report)
        summary = doc["summary"]
        claims, counts = summary["claims"], summary.get("findings", {})
        total = sum(counts.get(level, 0) for level in ("error", "warning", "info")) + summary.get("waived", 0)
        gate = doc.get("gate") or {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return result(False, f"exit {code}, no readable report ({type(exc).__name__}: {exc})")
    found = " ".join(f"{level}={counts.get(level, '?')}" for level in ("error", "warning", "info"))
    detail = f"exit {code}; claims={claims} {found}"
    if tool == "gate":
        detail += f" clean={gate.get('clean_claims')} held={gate.get('held_claims')}"
        if (
            gate.get("input_claims") != sample.size
            or gate.get("clean_claims", 0) + gate.get("held_claims", 0) != sample.size
        ):
            return result(False, f"{detail} (expected {sample.size} claims in the outputs)", total)
    if tool == "fix":
        detail += f" changes={doc['changes']}"
    if claims != sample.size:
        return result(False, f"{detail} (expected {sample.size} claims)", total)
    return result(True, detail, total)


def run_x12valid(sample: Sample, workdir: Path) -> Result:
    scratch = workdir / f"x12valid_{sample.source}_{sample.size}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    target = scratch / sample.path.name
    shutil.copyfile(sample.path, target)
    log = workdir / f"x12valid_{sample.source}_{sample.size}.log"
    # pyx12's console script exits 1 on success too, so the verdict is its "<file>: OK" line
    seconds, cpu, peak, code = run_child([str(BIN / "x12valid"), target.name], scratch, log)
    if code < 0:
        return Result(sample, "x12valid", seconds, cpu, peak, False, f"killed by signal {-code}")
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    if f"{target.name}: OK" in lines:
        return Result(sample, "x12valid", seconds, cpu, peak, True, f"{target.name}: OK")
    return Result(sample, "x12valid", seconds, cpu, peak, False, f"not OK: {log_tail(log)}")


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def print_report(kind: str, samples: list[Sample], results: list[Result], notes: list[str]) -> None:
    print(f"\nInput files (gen837: 837{kind}, clean; shared: gen_837p.py 837P, dirty)")
    print(f"{'input':<16}  {'file MB':>8}  {'segments':>10}  {'generate s':>10}")
    for s in samples:
        print(f"{s.label:<16}  {s.megabytes:>8.1f}  {s.segments:>10,}  {s.seconds:>10.2f}")
    for note in notes:
        print(f"note: {note}")

    print(
        f"\nRuns (python {sys.version.split()[0]}; wall seconds incl. start-up; CPU = user + system of "
        "the child and its workers; peak RSS of the child)"
    )
    head = f"{'input':<16}  {'tool':<10}  {'wall s':>7}  {'CPU s':>7}  {'claims/s':>8}  {'findings/s':>10}"
    print(f"{head}  {'x12valid':>8}  {'peak MB':>7}  result")
    valid = {r.sample.path: r for r in results if r.tool == "x12valid" and r.ok}
    for r in results:
        ref = valid.get(r.sample.path)
        ratio = f"{ref.seconds / r.seconds:.1f}x" if ref is not None and r.tool != "x12valid" else "-"
        row = (
            f"{r.sample.label:<16}  {r.tool:<10}  {r.seconds:>7.2f}  {r.cpu:>7.2f}  {r.rate:>8,.0f}  "
            f"{_rate(r.finding_rate):>10}  {ratio:>8}  {r.peak_mb:>7.1f}"
        )
        print(f"{row}  {'ok' if r.ok else 'FAILED'}: {r.detail}")
    print(f"(peak MB cannot read below {own_peak_mb():.0f} MB, this harness's own size; x12valid: its")
    print(" seconds over the tool's, on the same file)")
    print_targets(samples, results)


@dataclass(frozen=True, slots=True)
class Target:
    """One issue's performance criteria for some tools: speed against x12valid at RATIO_SIZE claims,
    a memory ceiling, and flat memory from the smallest size to the largest."""

    title: str
    tools: tuple[str, ...]  # tool names, or prefixes of them ("check" covers every format)
    ratio: float
    peak_mb: float


TARGETS = (
    Target("issue 13: check", ("check",), TARGET_RATIO, TARGET_PEAK_MB),
    Target("issue 14: gate and fix", ("gate", "fix"), GATE_FIX_RATIO, GATE_FIX_PEAK_MB),
)


def print_targets(samples: list[Sample], results: list[Result]) -> None:
    """Each issue's targets, with the figures that decide them (printed, never asserted)."""
    for target in TARGETS:
        mine = [r for r in results if r.ok and r.tool.startswith(target.tools)]
        if mine:
            _print_target(target, samples, mine, [r for r in results if r.tool == "x12valid" and r.ok])


def _print_target(
    target: Target, samples: list[Sample], mine: list[Result], valid_runs: list[Result]
) -> None:
    print(f"\nTargets ({target.title})")
    what = " / ".join(target.tools)
    valid = {r.sample.path: r for r in valid_runs}
    pairs = [
        (r, valid[r.sample.path]) for r in mine if r.sample.size == RATIO_SIZE and r.sample.path in valid
    ]
    head = f"  {what} >= {target.ratio:.0f}x x12valid at {RATIO_SIZE:,} claims"
    if pairs:
        name = (lambda r: r.tool[6:]) if target.tools == ("check",) else (lambda r: r.tool)
        verdicts = [f"{r.sample.source} {name(r)} {v.seconds / r.seconds:.1f}x" for r, v in pairs]
        held = all(v.seconds / r.seconds >= target.ratio for r, v in pairs)
        sources = {r.sample.source for r, _ in pairs}
        print(
            f"{head}: {'yes' if held else 'NO'} "
            f"({', '.join(verdicts)}; wall time{'' if len(sources) > 1 else '; one generator only'})"
        )
    else:
        print(f"{head}: not measured (no such run)")
    top = max(mine, key=lambda r: r.peak_mb)
    print(
        f"  peak memory < {target.peak_mb:.0f} MB: {'yes' if top.peak_mb < target.peak_mb else 'NO'} "
        f"(largest {top.peak_mb:.0f} MB: {top.sample.label} {top.tool})"
    )
    growth = []
    for source in dict.fromkeys(s.source for s in samples):
        sizes = sorted({s.size for s in samples if s.source == source})
        if len(sizes) < 2:
            continue
        for tool in dict.fromkeys(r.tool for r in mine):
            by_size = {r.sample.size: r for r in mine if r.sample.source == source and r.tool == tool}
            if sizes[0] in by_size and sizes[-1] in by_size:
                small, large = by_size[sizes[0]], by_size[sizes[-1]]
                growth.append((large.peak_mb - small.peak_mb, source, tool, small, large))
    if growth:
        worst = max(growth, key=lambda g: g[0])
        delta, source, tool, small, large = worst
        flat = all(g[0] <= FLAT_MB for g in growth)
        print(
            f"  memory flat (largest size's peak within {FLAT_MB:.0f} MB of the smallest's): "
            f"{'yes' if flat else 'NO'} (most growth {delta:+.0f} MB: {source} {tool}, "
            f"{small.peak_mb:.0f} MB at {small.sample.size:,} -> "
            f"{large.peak_mb:.0f} MB at {large.sample.size:,})"
        )
    else:
        print("  memory flat: not measured (one size only)")


def run_sample(sample: Sample, args: argparse.Namespace, workdir: Path, results: list[Result]) -> None:
    findings = None
    if "check" in args.tools:
        for fmt in args.formats:
            tool = f"check {fmt}"
            print(f"  scrub {tool} ({sample.label}) ...", file=sys.stderr, flush=True)
            result = run_scrub(sample, workdir, tool, findings)
            findings = findings if findings is not None else result.findings
            results.append(result)
    for tool in (t for t in ("gate", "fix") if t in args.tools):
        print(f"  scrub {tool} ({sample.label}) ...", file=sys.stderr, flush=True)
        results.append(run_scrub(sample, workdir, tool))
    if "x12valid" in args.tools and sample.size <= args.x12valid_max:
        print(f"  x12valid ({sample.label}) ...", file=sys.stderr, flush=True)
        results.append(run_x12valid(sample, workdir))


def benchmark(args: argparse.Namespace, workdir: Path, keep: bool) -> int:
    samples: list[Sample] = []
    results: list[Result] = []
    notes = []
    shared = args.shared_generator
    if shared is not None and not shared.is_file():
        notes.append(f"the shared generator's files were skipped: {shared} not found")
        shared = None
    started = time.perf_counter()
    try:
        for size in args.sizes:
            print(f"generating {size:,} 837{args.kind} claims (gen837) ...", file=sys.stderr, flush=True)
            samples.append(make_sample(args.kind, size, args.seed, workdir))
            run_sample(samples[-1], args, workdir, results)
            if shared is not None:
                print(f"generating {size:,} 837P claims (shared) ...", file=sys.stderr, flush=True)
                samples.append(make_shared_sample(shared, size, args.shared_seed, workdir))
                run_sample(samples[-1], args, workdir, results)
    except GeneratorError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    print_report(args.kind, samples, results, notes)
    print(f"\n(the whole run took {time.perf_counter() - started:.0f} s)")
    failed = [r for r in results if not r.ok]
    if failed:
        where = f"logs are in {workdir}" if keep else "rerun with --workdir DIR to keep the logs"
        print(f"\n{len(failed)} run(s) FAILED; {where}", file=sys.stderr)
        return 1
    return 0


def _subset(ap: argparse.ArgumentParser, option: str, text: str, allowed: tuple[str, ...]) -> list[str]:
    picked = [ALIASES.get(t.strip(), t.strip()) for t in text.split(",") if t.strip()]
    if not picked or set(picked) - set(allowed):
        ap.error(f"{option} takes a comma-separated subset of {', '.join(allowed)}")
    return list(dict.fromkeys(picked))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--brief"] and len(argv) == 2:  # the child process of brief()
        return _brief(Path(argv[1]))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[10_000, 100_000],
        help="comma-separated claim counts (default 10000,100000)",
    )
    ap.add_argument("--kind", choices=("P", "I"), default="P", help="gen837.py's 837P or 837I (default P)")
    ap.add_argument(
        "--x12valid-max",
        type=int,
        default=10_000,
        metavar="N",
        help="run x12valid only for sizes <= N (default 10000)",
    )
    ap.add_argument(
        "--workdir", type=Path, help="keep inputs, reports and logs here (default: a temporary directory)"
    )
    ap.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="tools to run, comma-separated: check, gate, fix, x12valid (default all)",
    )
    ap.add_argument(
        "--formats", default=",".join(FORMATS), help="check's report formats: json, csv, text (default all)"
    )
    ap.add_argument("--seed", type=int, default=837, help="gen837.py's seed (default 837)")
    ap.add_argument(
        "--shared-generator",
        type=Path,
        default=SHARED_GENERATOR,
        metavar="PATH",
        help="the shared generator (default ../shared/tools/gen_837p.py; skipped with a note when missing)",
    )
    ap.add_argument(
        "--no-shared",
        dest="shared_generator",
        action="store_const",
        const=None,
        help="only gen837.py's files",
    )
    ap.add_argument("--shared-seed", type=int, default=49, help="the shared generator's seed (default 49)")
    args = ap.parse_args(argv)

    args.tools = _subset(ap, "--tools", args.tools, TOOLS)
    args.formats = _subset(ap, "--formats", args.formats, FORMATS)
    needed = {"scrub" if t != "x12valid" else t for t in args.tools}
    missing = sorted(t for t in needed if not (BIN / t).is_file())
    for tool in missing:
        print(
            f"bench: {BIN / tool} not found. Install the project into this interpreter's environment "
            f"('{sys.executable} -m pip install -e .') or run bench.py with the virtualenv's python.",
            file=sys.stderr,
        )
    if missing:
        return 2

    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return benchmark(args, args.workdir.resolve(), keep=True)
    with tempfile.TemporaryDirectory(prefix="scrub-bench-") as tmp:
        return benchmark(args, Path(tmp), keep=False)


if __name__ == "__main__":
    sys.exit(main())
