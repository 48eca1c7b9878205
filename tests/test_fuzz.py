"""A small fixed-seed mutation fuzz of check, fix and gate (tests/fuzzkit.py; ``make fuzz`` runs
a long one).

Each case damages a sample in one to three ways and runs the three commands in-process: no
traceback, exit 0/1/2, no ENG001, gate's clean + held claims equal to the claims ``check``
counted, the input unchanged, and on every JUDGE-th case a corrected file that pyx12 accepts when
it accepted the input.
"""

from __future__ import annotations

import pytest
from fuzzkit import Mutator, Outcome, case_seed, count_claims, run_case, samples

SEED = 14
CHUNKS = 15
PER_CHUNK = 20  # 300 cases in all
JUDGE = 60  # pyx12 judges 5 of them


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_fuzz_chunk(tmp_path, chunk):
    inputs = samples()
    problems: list[str] = []
    judged = 0
    for index in range(chunk * PER_CHUNK, (chunk + 1) * PER_CHUNK):
        mutator = Mutator(case_seed(SEED, index))
        source = inputs[mutator.rng.randrange(len(inputs))]
        data, done = mutator.mutate(source.read_bytes())
        outcome: Outcome = run_case(data, tmp_path / str(index), judge=index % JUDGE == 0)
        judged += outcome.judged
        for problem in outcome.problems:
            problems.append(f"case {index} ({source.name}: {'; '.join(done)}): {problem}")
    assert not problems, "\n".join(problems)


def test_mutations_are_reproducible():
    data = samples()[0].read_bytes()
    first = Mutator(case_seed(SEED, 7)).mutate(data)
    assert Mutator(case_seed(SEED, 7)).mutate(data) == first
    assert Mutator(case_seed(SEED, 8)).mutate(data) != first


def test_every_kind_of_mutation_runs():
    """Each mutation on each sample: it returns bytes and says what it did."""
    mutator = Mutator(SEED)
    for source in samples():
        data = source.read_bytes()
        for op, _weight in mutator.ops:
            out, what = op(data)
            assert isinstance(out, bytes) and what
    assert count_claims(samples()[0].read_bytes()) >= 1
