"""Helpers for the per-edit YAML cases: patch a base claim file, scrub it, apply fix records."""

from __future__ import annotations

import re
from pathlib import Path

from scrubber.config import Config
from scrubber.findings import Finding, Fix
from scrubber.fixer import recount
from scrubber.pipeline import Engine, Result
from scrubber.rawfile import RawFile
from scrubber.read import InputError
from scrubber.times import AdminTimes

FIXTURES = Path(__file__).parent / "fixtures"
TERM = "~\n"


def base(name: str) -> str:
    return (FIXTURES / f"base_{name}.x12").read_text()


def patch(text: str, patches: list) -> str:
    for item in patches or ():
        old, new = item[0], item[1]
        count = item[2] if len(item) > 2 else 1
        found = text.count(old)
        if found != count:
            raise AssertionError(f"patch {old!r} matches {found} times, expected {count}")
        text = text.replace(old, new)
    return text


def segments(text: str) -> list[str]:
    return [s for s in text.split(TERM) if s]


def renumber(text: str) -> str:
    """Recompute SE01, GE01 and IEA01 so that patches that add or drop segments stay well formed."""
    raw = RawFile.parse(text.encode())
    recount(raw)
    return raw.to_bytes().decode()


ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "public"


def sample_and_corpus_files() -> list[Path]:
    """The synthetic samples, and the public corpus when ../shared is there."""
    corpus = sorted(CORPUS.glob("*.x12")) if CORPUS.is_dir() else []
    return sorted((ROOT / "sample_837").glob("*.x12")) + corpus


def readable(path: Path) -> bool:
    """Whether the scrubber reads the file (the fix and gate tests take only those)."""
    try:
        RawFile.parse(path.read_bytes())
    except InputError:
        return False
    return Engine(Config(jobs=1)).scrub([str(path)]).files[0].error is None


def scrub_text(
    text: str, tmp_path: Path, config: Config | None = None, name: str = "case.x12", times: str | None = None
) -> Result:
    path = tmp_path / name
    path.write_text(text)
    record = None
    if times is not None:
        (tmp_path / "times.csv").write_text(times)
        record = AdminTimes.load(str(tmp_path / "times.csv"))
    return Engine(config or Config(), record).scrub([str(path)])


def findings_for(result: Result, edit: str) -> list[Finding]:
    return [f for f in result.findings if f.edit == edit]


_ELEMENT = re.compile(r"^([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d+))?$")


def _loop_end(segs: list[str], start: int) -> int:
    """Index after the 2400 loop that starts at ``start`` (an LX)."""
    end = start + 1
    while end < len(segs) and segs[end].split("*", 1)[0] not in ("LX", "CLM", "HL", "SE"):
        end += 1
    return end


def apply_fix(text: str, fix: Fix) -> str:
    """Apply a fix record (and the changes it carries in ``more``) to the file text.

    ``set`` changes an element, or one component of it, of the segment at the fix's ordinal;
    ``delete`` at an LX removes the whole service line.  Fix values use ':' between components,
    as the fixtures do.  Fixes of one record are applied from the last ordinal back, so earlier
    ordinals stay valid."""
    segs = segments(text)
    for one in sorted((fix, *fix.more), key=lambda f: -f.loc.ordinal):
        index = one.loc.ordinal - 1
        if one.op == "delete":
            assert segs[index].startswith(one.loc.segment + "*"), segs[index]
            end = _loop_end(segs, index) if one.loc.segment == "LX" else index + 1
            del segs[index:end]
            continue
        assert one.op == "set", one
        segs[index] = _set_element(segs[index], one)
    return TERM.join(segs) + TERM


def _set_element(segment: str, fix: Fix) -> str:
    els = segment.split("*")
    assert els[0] == fix.loc.segment, (els[0], fix.loc)
    match = _ELEMENT.match(fix.loc.element)
    assert match, fix.loc.element
    pos = int(match.group(2))
    while len(els) <= pos:
        els.append("")
    if match.group(3):
        comps = els[pos].split(":")
        cpos = int(match.group(3)) - 1
        while len(comps) <= cpos:
            comps.append("")
        assert fix.expect is None or comps[cpos] == fix.expect, (comps[cpos], fix.expect)
        comps[cpos] = fix.value
        els[pos] = ":".join(comps)
    else:
        assert fix.expect is None or els[pos] == fix.expect, (els[pos], fix.expect)
        els[pos] = fix.value
    return "*".join(els)
