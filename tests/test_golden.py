"""fix and gate give the outputs recorded in tests/golden/outputs.json (see tests/goldkit.py).

The goldens were recorded with the code before gate and fix were made to stream, on every sample,
YAML case and public corpus file: the exit code and a SHA-256 of the corrected file, the clean
and held interchanges and the JSON report (without its start time).  Corpus runs skip when
../shared is not there.  pyx12 is slow to start, so ``fix`` with its judge on runs here on the
samples, the corpus and every fourth YAML case (without it on every other case, gate on all);
``check`` keeps its json, csv and text reports byte for byte (the json on every case, csv and text
on alternate cases; all of them on the samples, the corpus and the shared generator's dirty files);
``SCRUB_GOLDEN_ALL=1`` (or ``python tests/goldkit.py --check``) runs them all.
"""

from __future__ import annotations

import json
import os

import pytest
from goldkit import GOLDEN, inputs, run_one, runs

WANT = json.loads(GOLDEN.read_text())
EVERY = os.environ.get("SCRUB_GOLDEN_ALL") == "1"


def _params():
    items = inputs()
    cases = {i["key"]: n for n, i in enumerate(i for i in items if i["key"].startswith("case/"))}
    for item in items:
        n = cases.get(item["key"])
        for name, args, outputs in runs(item):
            # the YAML cases: gate on all, fix without the judge on every other, with it on every fourth
            # check: json on all, csv and text on every other (one each)
            wanted = (
                n is None
                or name in ("gate", "check-json")
                or (
                    n % 2 == 1
                    if name in ("fix-no-validate", "check-csv")
                    else n % 2 == 0
                    if name == "check-text"
                    else n % 4 == 0
                )
            )
            if not (wanted or EVERY):
                continue
            key = f"{item['key']}::{name}"
            yield pytest.param(item, name, args, outputs, key, id=key)


@pytest.mark.parametrize(("item", "name", "args", "outputs", "key"), list(_params()))
def test_outputs_unchanged(item, name, args, outputs, key, tmp_path):
    if key not in WANT:
        pytest.skip("no golden recorded for this input (a corpus file added since)")
    got = run_one(item, name, args, outputs, tmp_path, None)
    assert got == WANT[key]


def test_reports_do_not_depend_on_hash_order(tmp_path):
    """The same run in two interpreters with different string hashing writes the same bytes (the
    money-at-risk line once listed tied categories in a set's order)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    scrub = Path(sys.executable).with_name("scrub")
    import yaml
    from casekit import base, patch, renumber

    spec = yaml.safe_load((root / "tests" / "cases" / "CS001.yml").read_text())
    case = next(c for c in spec["cases"] if c["id"] == "principal_unknown_837i")  # three categories tie
    tied = tmp_path / "tied.x12"
    tied.write_text(renumber(patch(base(case["base"]), case.get("patch"))))
    outs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"r{seed}.txt"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([scrub, "check", tied, "--format", "text", "--output", out], env=env, check=False)
        outs.append(out.read_bytes())
    assert outs[0] and outs[0] == outs[1] == outs[2]
