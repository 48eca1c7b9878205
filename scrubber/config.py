"""Run configuration: ``[tool.scrubber]`` in pyproject.toml, or a ``scrubber.toml``.

Keys (all optional)::

    [tool.scrubber]
    select = ["STR", "CS"]          # edit id prefixes to run (default: all)
    ignore = ["CS005"]              # edit id prefixes to skip
    fail_on = "error"               # error | warning | never
    payer = "medicare"              # force one payer profile for every claim
    times = "admin_times.csv"       # administration record (see scrubber/times.py)
    jobs = 0                        # processes for one large file: 0 = one per core, 1 = no workers
    validate = false                # pyx12 implementation-guide validation as a stage (STR012)

    [tool.scrubber.severity]        # per-edit severity overrides
    CS005 = "warning"

    [tool.scrubber.payers]          # payer id (NM109 of 2010BB) -> profile
    "SKCO0" = "medicaid"

    [tool.scrubber.policy.commercial]   # per-profile policy over the *_policy tables (policy.py)
    ndc_required = "yes"
    ndc_units = "F2;GR;ML;UN"

    [[tool.scrubber.waivers]]       # approved exceptions, each with a reason (see waivers.py)
    edit = "MOD002"
    payer_id = "SKCO0"
    reason = "Payer accepts these modifiers (contract 2026-14)"
    expires = 2026-12-31

In a ``scrubber.toml`` the same keys sit at the top level (or under ``[tool.scrubber]``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Severity
from .registry import PAYER_PROFILES

FAIL_ON = ("error", "warning", "never")


class ConfigError(Exception):
    """A configuration problem; ``str()`` is one line."""


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    payer: str | None = None
    payers: dict[str, str] = field(default_factory=dict)
    policy: dict[str, dict[str, str]] = field(default_factory=dict)  # profile -> policy setting -> value
    fail_on: str = "error"
    times: str | None = None
    jobs: int = 0  # worker processes for one large file; 0 = parallel.default_jobs(), 1 = none
    validate: bool = False  # run pyx12's implementation-guide validation as a stage (STR012)
    source: str | None = None
    waivers: list = field(default_factory=list)  # waivers.Waiver records, in configuration order

    def merge_cli(
        self,
        *,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        payer: str | None = None,
        fail_on: str | None = None,
        times: str | None = None,
        jobs: int | None = None,
    ) -> None:
        if select:
            self.select = select
        if ignore:
            self.ignore = [*self.ignore, *ignore]
        if payer:
            self.payer = _profile(payer, "--payer")
        if fail_on:
            if fail_on not in FAIL_ON:
                raise ConfigError(f"--fail-on must be one of {', '.join(FAIL_ON)}")
            self.fail_on = fail_on
        if times:
            self.times = times
        if jobs is not None:
            if jobs < 0:
                raise ConfigError("--jobs must be 0 (one per core) or more")
            self.jobs = jobs


SETTINGS = frozenset(
    {"select", "ignore", "severity", "payer", "payers", "policy", "fail_on", "times", "jobs", "validate"}
    | {"waivers"}
)


def _profile(value: object, where: str) -> str:
    text = str(value).strip().lower()
    if text not in PAYER_PROFILES:
        raise ConfigError(f"{where}: unknown payer profile {value!r} (use {', '.join(PAYER_PROFILES)})")
    return text


def _list(value: object, key: str) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{key} must be a list of edit id prefixes")


def _policy(value: object, source: str) -> dict[str, dict[str, str]]:
    """[tool.scrubber.policy.<profile>]: settings named after the policy tables' columns."""
    from .policy import columns

    if not isinstance(value, dict):
        raise ConfigError(f"{source}: policy must be a table of payer profiles")
    known = columns()
    out: dict[str, dict[str, str]] = {}
    for profile, settings in value.items():
        name = _profile(profile, f"{source}: policy")
        if not isinstance(settings, dict):
            raise ConfigError(f"{source}: policy.{profile} must be a table of settings")
        for key, setting in settings.items():
            if key not in known:
                choices = ", ".join(sorted(known))
                raise ConfigError(f"{source}: policy.{profile}.{key} is not a policy setting (use {choices})")
            if isinstance(setting, bool):
                setting = "yes" if setting else "no"
            elif isinstance(setting, list):
                setting = ";".join(str(v) for v in setting)
            out.setdefault(name, {})[key] = str(setting)
    return out


def from_table(table: dict, source: str) -> Config:
    cfg = Config(source=source)
    unknown = set(table) - SETTINGS
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}")
    if "select" in table:
        cfg.select = _list(table["select"], "select")
    if "ignore" in table:
        cfg.ignore = _list(table["ignore"], "ignore")
    try:
        cfg.severity = {k.upper(): Severity.parse(str(v)) for k, v in dict(table.get("severity", {})).items()}
    except ValueError as exc:
        raise ConfigError(f"{source}: severity: {exc}") from None
    if "payer" in table:
        cfg.payer = _profile(table["payer"], f"{source}: payer")
    cfg.payers = {
        str(k): _profile(v, f"{source}: payers.{k}") for k, v in dict(table.get("payers", {})).items()
    }
    if "policy" in table:
        cfg.policy = _policy(table["policy"], source)
    if "fail_on" in table:
        if table["fail_on"] not in FAIL_ON:
            raise ConfigError(f"{source}: fail_on must be one of {', '.join(FAIL_ON)}")
        cfg.fail_on = table["fail_on"]
    if "times" in table:
        cfg.times = str(table["times"])
    if "validate" in table:
        if not isinstance(table["validate"], bool):
            raise ConfigError(f"{source}: validate must be true or false")
        cfg.validate = table["validate"]
    if "jobs" in table:
        if not isinstance(table["jobs"], int) or table["jobs"] < 0:
            raise ConfigError(f"{source}: jobs must be a whole number, 0 for one per core")
        cfg.jobs = table["jobs"]
    if "waivers" in table:
        from .registry import catalog
        from .waivers import WaiverError, parse

        try:
            cfg.waivers = parse(table["waivers"], source, [e.id for e in catalog()])
        except WaiverError as exc:
            raise ConfigError(str(exc)) from None
    return cfg


def load(path: str | None = None, cwd: Path | None = None) -> Config:
    """The explicit file, else ./scrubber.toml, else ./pyproject.toml's [tool.scrubber], else defaults."""
    if path:
        candidates = [Path(path)]
        if not candidates[0].is_file():
            raise ConfigError(f"{path}: configuration file not found")
    else:
        base = cwd or Path.cwd()
        candidates = [base / "scrubber.toml", base / "pyproject.toml"]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{candidate}: not valid TOML ({exc})") from None
        table = data.get("tool", {}).get("scrubber")
        if table is None and candidate.name != "pyproject.toml":
            table = data
        if table is None:
            continue
        return from_table(table, str(candidate))
    return Config()
