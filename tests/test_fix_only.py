"""The fixer re-checks only the claims a pass changed (``Engine.only``, ``scrub_path(only=...)``).

Two properties hold it to the whole-file check it replaces:

* a check of some claims reports, for those claims and for the envelope, exactly the findings the
  whole file's check reports, in the same order, and nothing for the others (nor the
  administration record's rows no claim matched, which need every claim): sequentially and
  split across workers, with claims left out at batch and read-block boundaries, on every sample,
  corpus file, layout variant and a generated batch;
* ``fix`` with those partial re-checks writes the corrected file, the audit trail, the skipped
  fixes and the final findings that it writes when every re-check covers the whole file.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_parallel import CORPUS, SAMPLES, _variants

from scrubber import fixer, gate, parallel, pipeline, read
from scrubber.config import Config
from scrubber.fixer import Temps, fix_file
from scrubber.pipeline import Engine
from scrubber.times import AdminTimes

ROOT = Path(__file__).resolve().parents[1]
SHARED_GENERATOR = ROOT.parent / "shared" / "tools" / "gen_837p.py"
FILES = sorted(SAMPLES.glob("*.x12")) + (sorted(CORPUS.glob("*.x12")) if CORPUS.is_dir() else [])


def _claim_ids(path: Path) -> list[str]:
    """CLM01 of every CLM segment (every sample has ``*`` as its element separator)."""
    return sorted(set(re.findall(r"(?:^|[~!\n])CLM[*!]([^*!~\n]*)", path.read_text(errors="replace"))))


def _generated(tmp_path: Path, claims: int) -> Path:
    path = tmp_path / f"gen{claims}.x12"
    gen = ROOT / "benchmarks" / "gen837.py"
    cmd = [sys.executable, str(gen), "-n", str(claims), "--seed", "5", "-o", str(path)]
    subprocess.run(cmd, capture_output=True, check=True)
    return path


def _shared_subscribers(path: Path) -> Path:
    """The file with every second claim moved under the previous claim's subscriber (its own
    2000B loop dropped): claims that follow one another with no HL between them, where a claim
    left out must end at the next CLM."""
    segments = path.read_text().split("~")
    out: list[str] = []
    dropping, subscribers = False, 0
    for seg in segments:
        sid = seg.strip().split("*", 1)[0]
        if sid == "HL" and seg.split("*")[3:4] == ["22"]:
            subscribers += 1
            dropping = subscribers % 2 == 0
        elif sid in ("CLM", "SE"):
            dropping = False
        if not dropping:
            out.append(seg)
    shared = path.with_name(f"shared-{path.name}")
    shared.write_text("~".join(out))
    return shared


def _dirty(tmp_path: Path, claims: int) -> Path:
    if not SHARED_GENERATOR.is_file():
        pytest.skip("../shared/tools/gen_837p.py is not here")
    out = subprocess.run(
        [sys.executable, str(SHARED_GENERATOR), "-n", str(claims), "--seed", "49"],
        capture_output=True,
        check=True,
    )
    path = tmp_path / f"dirty{claims}.x12"
    path.write_bytes(out.stdout)
    return path


def _reported(finding: dict, only: frozenset) -> bool:
    """Whether a check of ``only`` reports a finding of the whole check: the claims' own and the
    envelope's, not the administration record's unmatched rows (INF005 on no claim), which only a
    check of every claim can tell."""
    if finding["claim_id"] is None:
        return finding["edit"] != "INF005"
    return finding["claim_id"] in only


@pytest.mark.parametrize(
    ("jobs", "batch", "chunk"), [(1, 500, read.CHUNK), (2, 1, 97), (2, 3, 512), (2, 1000, 200)]
)
def test_a_check_of_some_claims_reports_what_the_whole_check_reports_for_them(
    tmp_path, monkeypatch, jobs, batch, chunk
):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH_CLAIMS", batch)
    monkeypatch.setattr(read, "CHUNK", chunk)  # read blocks end inside claims
    monkeypatch.setattr(parallel, "ONLY_SPAN", 3)  # batches cut among claims left out, some empty
    record = AdminTimes.load(str(SAMPLES / "admin_times.csv"))
    engine = Engine(Config(jobs=jobs), record)
    rng = random.Random(837)
    checked = 0
    try:
        generated = _generated(tmp_path, 60)
        for path in [*FILES, *_variants(tmp_path), generated, _shared_subscribers(generated)]:
            whole = [f.as_dict() for f in gate.scrub_path(engine, str(path), path.name).findings]
            ids = _claim_ids(path)
            for pick in (
                set(),
                set(ids),
                set(rng.sample(ids, len(ids) // 2)),
                {rng.choice(ids)} if ids else set(),
            ):
                only = frozenset(pick | {"NOT-IN-THE-FILE"})
                part = [
                    f.as_dict() for f in gate.scrub_path(engine, str(path), path.name, only=only).findings
                ]
                assert part == [f for f in whole if _reported(f, only)], path.name
                checked += len(part)
    finally:
        engine.close()
    assert checked > 100


def _fixed(path: Path, tmp_path: Path, jobs: int, whole: bool, monkeypatch) -> tuple:
    if whole:  # every re-check of the whole file, as before the partial re-check
        real = gate.scrub_path
        monkeypatch.setattr(fixer, "scrub_path", lambda engine, p, name, only=None: real(engine, p, name))
    engine = Engine(Config(jobs=jobs))
    try:
        from scrubber.cli_fix import _validator

        outcome = fix_file(
            str(path), path.name, engine, validator=_validator(True), temps=Temps(str(tmp_path))
        )
    finally:
        engine.close()
        monkeypatch.undo()
    data = Path(outcome.path).read_bytes()
    return (
        data,
        [c.as_dict() for c in outcome.changes],
        [s.as_dict() for s in outcome.skipped],
        [f.as_dict() for f in outcome.result.findings],
        outcome.passes,
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_fix_with_partial_rechecks_writes_what_whole_rechecks_write(tmp_path, monkeypatch, jobs):
    path = _dirty(tmp_path, 400 if jobs == 1 else 4000)  # 4,000 claims: split across workers
    if jobs == 2:
        assert path.stat().st_size >= pipeline.PARALLEL_MIN_BYTES
    partial = _fixed(path, tmp_path, jobs, False, monkeypatch)
    whole = _fixed(path, tmp_path, jobs, True, monkeypatch)
    assert partial[4] >= 2  # a second pass, re-checked in part, found fixes to apply
    assert partial[1] and partial[3]
    assert partial == whole


def test_every_finding_with_a_fix_comes_from_an_edit_that_declares_one(tmp_path):
    """The fixer looks for fixes with only the edits whose ``Edit.fix`` says they can propose one
    (``fixer._seeker``): no other edit may attach a fix, on any case, scenario, sample, corpus file
    or dirty batch (else that fix would silently never be applied)."""
    from claimsuite import claims

    from scrubber.registry import catalog

    declared = {e.id for e in catalog() if e.fix}
    seen: set[str] = set()

    def look(findings, where):
        for f in findings:
            if f.fix is not None:
                assert f.edit in declared, f"{where}: {f.edit} attaches a fix but declares none"
                seen.add(f.edit)

    for claim in claims():
        look(Engine(claim.config).scrub_data(claim.text.encode(), "c.x12").findings, claim.id)
    record = AdminTimes.load(str(SAMPLES / "admin_times.csv"))
    engine = Engine(Config(jobs=1), record)
    for path in FILES:
        look(gate.scrub_path(engine, str(path), path.name).findings, path.name)
    if SHARED_GENERATOR.is_file():
        dirty = _dirty(tmp_path, 300)
        look(gate.scrub_path(engine, str(dirty), dirty.name).findings, dirty.name)
    assert len(seen) > 20  # the suite exercises most fixing edits


def test_fix_seeks_with_the_fixing_edits_and_reports_with_all(tmp_path):
    """The seeker has only the fixing edits, the main engine's waivers and no pyx12 stage; the
    report is the whole engine's."""
    from scrubber.config import Config as Cfg

    engine = Engine(Cfg(jobs=1, validate=True, ignore=["INF012"]))
    seeker = fixer._seeker(engine)
    ids = {e.id for e in (*seeker.claim_edits, *seeker.line_edits, *seeker.batch_edits)}
    assert ids and all(seeker.by_id[i].fix for i in ids) and "INF012" not in ids
    assert not seeker.config.validate and engine.config.validate
    outcome = fixer.fix_data((SAMPLES / "837p_defects.x12").read_bytes(), "d.x12", Engine(Cfg(jobs=1)))
    assert any(not f.fix for f in outcome.result.findings)  # findings of the other edits too
