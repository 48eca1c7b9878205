"""Every claim of the YAML case suite (tests/cases) and the scenarios (tests/scenarios*.yml) as
(id, claim text, administration record text or None, Config): the inputs of the suite-wide
property tests (tests/test_fix_recheck.py, tests/test_one_clock.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

import yaml
from casekit import base, patch, renumber

from scrubber.config import Config, from_table

HERE = Path(__file__).parent


class SuiteClaim(NamedTuple):
    id: str
    text: str
    times: str | None
    config: Config


def _scenario_config(scenario: dict) -> Config:
    table = tomllib.loads(scenario["config"]) if "config" in scenario else {}
    config = from_table(table.get("tool", {}).get("scrubber", table), "scenario")
    args = scenario.get("args", [])
    for flag, value in zip(args, args[1:], strict=False):
        if flag == "--payer":
            config.merge_cli(payer=value)
    return config


def claims() -> list[SuiteClaim]:
    found = []
    for path in sorted((HERE / "cases").glob("*.yml")):
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            text = patch(base(case.get("base", "837p")), case.get("patch"))
            text = renumber(text) if case.get("renumber", True) else text
            config = from_table(case["config"], "case") if "config" in case else Config()
            found.append(SuiteClaim(f"{spec['edit']}-{case['id']}", text, case.get("times"), config))
    for path in sorted(HERE.glob("scenarios*.yml")):
        for scenario in yaml.safe_load(path.read_text())["scenarios"]:
            text = renumber(patch(base(scenario["base"]), scenario.get("patch")))
            found.append(SuiteClaim(scenario["id"], text, scenario.get("times"), _scenario_config(scenario)))
    for claim in found:
        claim.config.jobs = 1
    return found
