"""Long mutation fuzz of check, fix and gate: ``make fuzz N=20000`` (see tests/fuzzkit.py).

Runs N damaged copies of the samples through the three commands in worker processes, prints the
counts, saves every failing case (input, mutations, problems) under --out, and exits 1 when any
case failed.  Case i of a seed is reproducible alone: ``--seed S --start i -n 1``.

    python benchmarks/fuzz.py -n 20000 [--jobs 2] [--seed 14] [--judge-every 200] [--out fuzz-failures]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzzkit  # noqa: E402


def _work(job: tuple[int, int, int, str]) -> tuple[int, dict[str, int], list[str], dict | None]:
    seed, index, judge_every, out = job
    inputs = fuzzkit.samples()
    mutator = fuzzkit.Mutator(fuzzkit.case_seed(seed, index))
    source = inputs[mutator.rng.randrange(len(inputs))]
    data, done = source.read_bytes(), ["(mutation failed)"]
    judge = bool(judge_every) and index % judge_every == 0
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        try:
            data, done = mutator.mutate(data)
            outcome = fuzzkit.run_case(data, Path(tmp), judge=judge)
        except Exception as exc:  # noqa: BLE001 - the harness itself must report, not die
            outcome = fuzzkit.Outcome(problems=[f"harness: {type(exc).__name__}: {exc}"])
        failed = None
        if outcome.problems:
            folder = Path(out) / f"case-{seed}-{index}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "input.x12").write_bytes(data)
            failed = {
                "seed": seed,
                "index": index,
                "sample": source.name,
                "mutations": done,
                "problems": outcome.problems,
                "exits": outcome.exits,
            }
            (folder / "case.json").write_text(json.dumps(failed, indent=2, ensure_ascii=False) + "\n")
            for name in ("check.json", "fix.json", "gate.json"):
                if (Path(tmp) / name).is_file():
                    shutil.copy(Path(tmp) / name, folder / name)
    return index, outcome.exits, outcome.problems, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1000, help="mutations to run")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--start", type=int, default=0, help="first case index")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--judge-every", type=int, default=200, help="pyx12-judge every k-th case (0: never)")
    parser.add_argument("--out", default="fuzz-failures", help="folder for failing cases")
    args = parser.parse_args(argv)

    for old in Path(args.out).glob("case-*"):  # the failures of an earlier run
        shutil.rmtree(old)
    started = time.monotonic()
    jobs = [(args.seed, i, args.judge_every, args.out) for i in range(args.start, args.start + args.n)]
    exits: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    failed = 0
    with multiprocessing.get_context("spawn").Pool(max(1, args.jobs), maxtasksperchild=500) as pool:
        for done, (_index, codes, found, case) in enumerate(pool.imap_unordered(_work, jobs, chunksize=8), 1):
            exits.update(f"{cmd}={code}" for cmd, code in codes.items())
            if case is not None:
                failed += 1
                problems.update(p.split(" (")[0][:90] for p in found)
            if done % 1000 == 0:
                print(
                    f"  {done}/{args.n} cases, {failed} failing, {time.monotonic() - started:.0f} s",
                    flush=True,
                )
    elapsed = time.monotonic() - started
    print(f"fuzz: {args.n} cases (seed {args.seed}) in {elapsed:.0f} s with {args.jobs} process(es)")
    print("exit codes: " + ", ".join(f"{k} x{v}" for k, v in sorted(exits.items())))
    if failed:
        print(f"{failed} failing case(s) saved under {args.out}/:")
        for problem, count in problems.most_common():
            print(f"  {count:6d}  {problem}")
        return 1
    print("no failing case")
    return 0


if __name__ == "__main__":
    sys.exit(main())
