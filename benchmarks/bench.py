"""Throughput and memory benchmark: ``scrub check`` against pyx12 ``x12valid`` on synthetic 837 files.

For each size a deterministic file is generated with gen837.py, then each tool runs in its own
child process, found next to the running interpreter (``Path(sys.executable).parent``, i.e. the
virtualenv's bin directory):

  scrub      <bin>/scrub check FILE --format json --output OUT.json   (exit 0 or 1 = success)
  x12valid   <bin>/x12valid FILE, on a copy in a scratch directory because it writes its
             acknowledgement next to the input; only for sizes <= --x12valid-max (~300 claims/s)

Wall time is measured around the child; peak resident memory comes from os.wait4's rusage
(ru_maxrss), so it covers the child only, not this harness or the generator.

Exit status: 0 when every run succeeded, 1 when a run failed (scrub exited 2 or above or was
killed, wrote no readable report, or reported a different claim count; x12valid did not print
"FILE: OK"), 2 when a tool is missing or the arguments are wrong.

Usage:
  python benchmarks/bench.py [--sizes 10000,100000] [--kind P] [--x12valid-max 10000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gen837  # benchmarks/ is sys.path[0] when this file is run as a script

BIN = Path(sys.executable).parent
TOOLS = ("scrub", "x12valid")
RSS_UNIT = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux


@dataclass(slots=True)
class Sample:
    """One generated input file."""

    size: int
    path: Path
    megabytes: float
    segments: int
    seconds: float


@dataclass(slots=True)
class Result:
    """One timed tool run."""

    size: int
    tool: str
    seconds: float
    peak_mb: float
    ok: bool
    detail: str

    @property
    def rate(self) -> float:
        return self.size / self.seconds if self.seconds > 0 else float("inf")


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be comma-separated integers, not {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def run_child(argv: list[str], cwd: Path, log: Path) -> tuple[float, float, int]:
    """Run argv to completion; return (wall seconds, peak RSS in MB, exit code or -signal)."""
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
    return seconds, usage.ru_maxrss / RSS_UNIT, code


def log_tail(log: Path, lines: int = 5) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(text[-lines:])


def make_sample(kind: str, size: int, seed: int, workdir: Path) -> Sample:
    path = workdir / f"claims_{kind}_{size}.837"
    start = time.perf_counter()
    with path.open("w", encoding="ascii", newline="") as out:
        stats = gen837.generate(kind, size, out, seed=seed)
    seconds = time.perf_counter() - start
    return Sample(size, path, stats.bytes / 1e6, stats.segments, seconds)


def run_scrub(sample: Sample, workdir: Path) -> Result:
    report = workdir / f"scrub_{sample.size}.json"
    log = workdir / f"scrub_{sample.size}.log"
    report.unlink(missing_ok=True)
    argv = [str(BIN / "scrub"), "check", str(sample.path), "--format", "json", "--output", str(report)]
    seconds, peak, code = run_child(argv, workdir, log)
    if code < 0:
        detail = f"killed by signal {-code}; {log_tail(log)}"
        return Result(sample.size, "scrub", seconds, peak, False, detail)
    if code not in (0, 1):
        return Result(sample.size, "scrub", seconds, peak, False, f"exit {code}: {log_tail(log)}")
    try:
        summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Result(sample.size, "scrub", seconds, peak, False, f"exit {code}, no readable report: {exc}")
    claims = summary.get("claims")
    counts = summary.get("findings", {})
    detail = (
        f"exit {code}; claims={claims} errors={counts.get('error', '?')} "
        f"warnings={counts.get('warning', '?')} info={counts.get('info', '?')}"
    )
    if claims != sample.size:
        return Result(sample.size, "scrub", seconds, peak, False, f"{detail} (expected {sample.size} claims)")
    return Result(sample.size, "scrub", seconds, peak, True, detail)


def run_x12valid(sample: Sample, workdir: Path) -> Result:
    scratch = workdir / f"x12valid_{sample.size}"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir()
    target = scratch / sample.path.name
    shutil.copyfile(sample.path, target)
    log = workdir / f"x12valid_{sample.size}.log"
    # pyx12's console script exits 1 on success too, so the verdict is its "<file>: OK" line
    seconds, peak, code = run_child([str(BIN / "x12valid"), target.name], scratch, log)
    if code < 0:
        return Result(sample.size, "x12valid", seconds, peak, False, f"killed by signal {-code}")
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    if f"{target.name}: OK" in lines:
        return Result(sample.size, "x12valid", seconds, peak, True, "OK")
    return Result(sample.size, "x12valid", seconds, peak, False, f"not OK: {log_tail(log)}")


def print_report(kind: str, samples: list[Sample], results: list[Result]) -> None:
    print(f"\nInput files (837{kind}, generated by gen837.py)")
    print(f"{'claims':>10}  {'file MB':>9}  {'segments':>11}  {'generate s':>10}")
    for s in samples:
        print(f"{s.size:>10,}  {s.megabytes:>9.1f}  {s.segments:>11,}  {s.seconds:>10.2f}")

    print(f"\nRuns (wall time and peak RSS of the child process; python {sys.version.split()[0]})")
    print(f"{'claims':>10}  {'tool':<9}  {'seconds':>9}  {'claims/s':>10}  {'peak MB':>8}  result")
    for r in results:
        status = "ok" if r.ok else "FAILED"
        print(
            f"{r.size:>10,}  {r.tool:<9}  {r.seconds:>9.2f}  {r.rate:>10,.0f}  {r.peak_mb:>8.1f}  "
            f"{status}: {r.detail}"
        )

    by_key = {(r.size, r.tool): r for r in results}
    ratios = [
        (size, by_key[size, "scrub"], by_key[size, "x12valid"])
        for size in (s.size for s in samples)
        if (size, "scrub") in by_key and (size, "x12valid") in by_key
    ]
    if ratios:
        print("\nSpeed ratio (x12valid seconds / scrub seconds)")
        for size, scrub, valid in ratios:
            print(
                f"{size:>10,}  scrub is {valid.seconds / scrub.seconds:.1f}x the speed of x12valid "
                f"({scrub.seconds:.2f} s vs {valid.seconds:.2f} s; "
                f"memory {scrub.peak_mb:.0f} MB vs {valid.peak_mb:.0f} MB)"
            )


def benchmark(args: argparse.Namespace, workdir: Path, keep: bool) -> int:
    samples: list[Sample] = []
    results: list[Result] = []
    for size in args.sizes:
        print(f"generating {size:,} 837{args.kind} claims ...", file=sys.stderr, flush=True)
        sample = make_sample(args.kind, size, args.seed, workdir)
        samples.append(sample)
        if "scrub" in args.tools:
            print(f"  scrub check ({size:,} claims) ...", file=sys.stderr, flush=True)
            results.append(run_scrub(sample, workdir))
        if "x12valid" in args.tools and size <= args.x12valid_max:
            print(f"  x12valid ({size:,} claims) ...", file=sys.stderr, flush=True)
            results.append(run_x12valid(sample, workdir))
    print_report(args.kind, samples, results)
    failed = [r for r in results if not r.ok]
    if failed:
        where = f"logs are in {workdir}" if keep else "rerun with --workdir DIR to keep the logs"
        print(f"\n{len(failed)} run(s) FAILED; {where}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[10_000, 100_000],
        help="comma-separated claim counts (default 10000,100000)",
    )
    ap.add_argument("--kind", choices=("P", "I"), default="P", help="837P or 837I (default P)")
    ap.add_argument(
        "--x12valid-max",
        type=int,
        default=10_000,
        metavar="N",
        help="run x12valid only for sizes <= N (default 10000)",
    )
    ap.add_argument(
        "--workdir",
        type=Path,
        help="keep inputs, reports and logs here (default: a temporary directory, removed)",
    )
    ap.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="comma-separated tools to run: scrub, x12valid (default both)",
    )
    ap.add_argument("--seed", type=int, default=837, help="generator seed (default 837)")
    args = ap.parse_args(argv)

    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(args.tools) - set(TOOLS))
    if unknown or not args.tools:
        ap.error(f"--tools takes a comma-separated subset of {', '.join(TOOLS)}")
    missing = [t for t in args.tools if not (BIN / t).is_file()]
    if missing:
        for tool in missing:
            print(
                f"bench: {BIN / tool} not found. Install the project into this interpreter's environment "
                f"(e.g. '{sys.executable} -m pip install -e .') or run with the virtualenv's python.",
                file=sys.stderr,
            )
        return 2

    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return benchmark(args, args.workdir.resolve(), keep=True)
    with tempfile.TemporaryDirectory(prefix="scrub-bench-") as tmp:
        return benchmark(args, Path(tmp), keep=False)


if __name__ == "__main__":
    sys.exit(main())
