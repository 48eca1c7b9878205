"""Helpers for the per-edit YAML cases: patch a base claim file, scrub it, apply fix records."""

from __future__ import annotations

import re
from pathlib import Path

from scrubber.config import Config
from scrubber.findings import Finding, Fix
from scrubber.pipeline import Engine, Result

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
    segs = segments(text)
    st_at = gs_sts = isa_gss = 0
    for i, seg in enumerate(segs):
        sid = seg.split("*", 1)[0]
        if sid == "ISA":
            isa_gss = 0
        elif sid == "GS":
            gs_sts = 0
            isa_gss += 1
        elif sid == "ST":
            st_at = i
            gs_sts += 1
        elif sid == "SE":
            els = seg.split("*")
            els[1] = str(i - st_at + 1)
            segs[i] = "*".join(els)
        elif sid == "GE":
            els = seg.split("*")
            els[1] = str(gs_sts)
            segs[i] = "*".join(els)
        elif sid == "IEA":
            els = seg.split("*")
            els[1] = str(isa_gss)
            segs[i] = "*".join(els)
    return TERM.join(segs) + TERM


def scrub_text(text: str, tmp_path: Path, config: Config | None = None, name: str = "case.x12") -> Result:
    path = tmp_path / name
    path.write_text(text)
    return Engine(config or Config()).scrub([str(path)])


def findings_for(result: Result, edit: str) -> list[Finding]:
    return [f for f in result.findings if f.edit == edit]


_ELEMENT = re.compile(r"^([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d+))?$")


def apply_fix(text: str, fix: Fix) -> str:
    """Apply a ``set`` fix to the file text: the element (or one component) of the segment at the
    fix's ordinal.  Fix values use ':' between components, as the fixtures do."""
    assert fix.op == "set", fix
    segs = segments(text)
    index = fix.loc.ordinal - 1
    els = segs[index].split("*")
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
    segs[index] = "*".join(els)
    return TERM.join(segs) + TERM
