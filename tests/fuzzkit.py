"""Mutation fuzzing of 837 files through ``scrub check``, ``scrub fix`` and ``scrub gate``.

``Mutator(seed).mutate(data)`` damages an 837 in one to three ways (byte flips, segment deletion,
duplication and swap, truncation, element values replaced by huge, empty, non-ASCII, NUL and
delimiter-laden strings, repeated loops, deep HL nesting, broken dates and times) and says how.
``run_case(data, folder)`` runs the three commands in-process on the damaged file and returns the
broken promises: a traceback, an exit code other than 0/1/2, an ENG001 finding, gate's clean and
held claims not adding up to the claims ``check`` counted, an input file changed, and (with
``judge=True``) a corrected file that pyx12 rejects although it accepted the input.

Used by tests/test_fuzz.py (a small fixed budget) and benchmarks/fuzz.py (``make fuzz N=...``).
Case ``i`` of seed ``s`` is reproducible alone: ``Mutator(case_seed(s, i))``.
"""

from __future__ import annotations

import hashlib
import json
import random
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_837"
TIMES = SAMPLES / "admin_times.csv"
ENGINE_CRASH = "ENG001"

# Element values that have broken parsers before, or could: numbers past int()'s 4,300 digits,
# Decimal specials, signs and zeros, digits str.isdigit accepts and int() does not, non-ASCII,
# control characters, and ``{e}``/``{c}``/``{s}``/``{r}`` for the file's own delimiters.
VALUES = (
    "9" * 5000,
    "0" * 4999 + "1",
    "1" + "0" * 10000,
    "1E999",
    "-1E999",
    "1e-999",
    "1E+18",
    "NaN",
    "sNaN",
    "-Infinity",
    "-0",
    "-0.00",
    "0",
    "-1",
    "00",
    "",
    " ",
    "٣",
    "²",
    "1_000",
    "12.3.4",
    "+5",
    ".",
    "-",
    "999999999999999999.99",
    "0.000000000000000000000000000001",
    "Ünïcødé",
    "日本語",
    "\x00",
    "\x7f",
    "\x0b",
    "\udcff",
    "{e}X",
    "{c}{c}{c}",
    "A{c}B{c}C{c}D{c}E{c}F{c}G",
    "{s}",
    "{r}",
    "1{c}2{c}3{c}4{c}5",
    "X" * 3000,
)
DATES = (
    "20261301",
    "20260230",
    "20260000",
    "99999999",
    "00000000",
    "2026",
    "2026110",
    "202611033",
    "20261103-20261101",
    "20261103-",
    "-20261103",
    "ABCDEFGH",
    "2O261103",
    "",
)
TIMES_OF_DAY = ("2599", "0960", "9999", "", "24:00", "-100", "12345", "AB")
NOTES = (
    "START 2599 STOP 0000",
    "START 1000 STOP 0900",
    "START 0900 STOP 0900",
    "START STOP",
    "START 10:00 STOP 10:00 START 09:00",
    "START " + "9" * 400,
    "STOP 1100",
    "START 0000 STOP 2359 PAUSE 1200 RESUME 1100",
)
# Elements worth aiming at: money, units, counts, pointers, control numbers, HL links, dates.
TARGETS = (
    ("CLM", 2),
    ("CLM", 1),
    ("CLM", 5),
    ("SV1", 1),
    ("SV1", 2),
    ("SV1", 3),
    ("SV1", 4),
    ("SV1", 7),
    ("SV2", 1),
    ("SV2", 2),
    ("SV2", 3),
    ("SV2", 5),
    ("LX", 1),
    ("SE", 1),
    ("SE", 2),
    ("GE", 1),
    ("GE", 2),
    ("IEA", 1),
    ("IEA", 2),
    ("ST", 2),
    ("ST", 3),
    ("GS", 6),
    ("GS", 8),
    ("HL", 1),
    ("HL", 2),
    ("HL", 3),
    ("HL", 4),
    ("HI", 1),
    ("HI", 2),
    ("CTP", 4),
    ("CTP", 5),
    ("LIN", 3),
    ("NM1", 9),
    ("SBR", 9),
    ("REF", 2),
    ("NTE", 2),
    ("DTP", 3),
)
# (element, component, repetition, terminator, layout) sets a sender might use
DELIMITERS = (
    ("*", ":", "^", "~", ""),
    ("*", ":", "^", "~", "\r\n"),
    ("|", ">", "^", "\n", ""),
    ("\x07", "\x1f", "\x1e", "\x1c", ""),
    ("!", "@", "#", "'", "\n"),
    ("*", ">", "{", "\r", ""),
)
CLAIM_END = ("CLM", "HL", "SE", "GE", "IEA", "ISA", "GS", "ST")


def samples() -> list[Path]:
    """The 837 samples the fuzz starts from."""
    return sorted(SAMPLES.glob("*.x12"))


def case_seed(seed: int, index: int) -> int:
    return seed * 1_000_003 + index


@dataclass
class Parsed:
    """An 837's segments (texts without terminator) and its delimiters."""

    segments: list[str]
    element: str
    component: str
    terminator: str
    repetition: str
    layout: str  # what follows each terminator ("" or a line break)

    @classmethod
    def parse(cls, data: bytes) -> Parsed | None:
        text = data.decode("utf-8", errors="surrogateescape")
        if len(text) < 106 or not text.startswith("ISA"):
            return None
        # delimiters after ISA16 rather than at fixed offsets: outputs of damaged inputs may hold
        # an ISA that is not fixed width
        element = text[3]
        isa = text.split(element, 16)
        if len(isa) < 17 or len(isa[16]) < 2 or len(isa[11]) < 1:
            return None
        repetition, component, terminator = isa[11][0], isa[16][0], isa[16][1]
        end = len(element.join(isa[:16])) + 3
        layout = "\r\n" if text[end : end + 2] == "\r\n" else "\n" if text[end : end + 1] == "\n" else ""
        parts = [p.strip("\r\n") for p in text.split(terminator)]
        return cls([p for p in parts if p], element, component, terminator, repetition, layout)

    def to_bytes(self) -> bytes:
        sep = self.terminator + self.layout
        return (sep.join(self.segments) + sep).encode("utf-8", errors="surrogateescape")

    def ids(self) -> list[str]:
        return [s.split(self.element, 1)[0] for s in self.segments]

    def fill(self, value: str) -> str:
        return value.format(e=self.element, c=self.component, s=self.terminator, r=self.repetition)


class Mutator:
    """Seeded damage to an 837; ``mutate`` returns the damaged bytes and what was done."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ops = (
            (self.flip, 4),
            (self.delete, 3),
            (self.duplicate, 3),
            (self.swap, 3),
            (self.truncate, 2),
            (self.element, 10),
            (self.component, 3),
            (self.repeat_loop, 2),
            (self.deep_hl, 1),
            (self.dates, 3),
            (self.note_times, 2),
            (self.isa, 2),
            (self.redelimit, 2),
        )

    def mutate(self, data: bytes, rounds: int | None = None) -> tuple[bytes, list[str]]:
        done: list[str] = []
        for _ in range(rounds or self.rng.choice((1, 1, 2, 3))):
            op = self.rng.choices([o for o, _ in self.ops], [w for _, w in self.ops])[0]
            data, what = op(data)
            done.append(what)
        return data, done

    # -- byte level ------------------------------------------------------------------------------
    def flip(self, data: bytes) -> tuple[bytes, str]:
        out = bytearray(data)
        spots = []
        for _ in range(self.rng.choice((1, 1, 2, 5))):
            if not out:
                break
            i = self.rng.randrange(len(out))
            value = self.rng.choice((self.rng.randrange(256), *b"\x00\x0b\x0c\xff ~*:^\r\n"))
            out[i] = value
            spots.append(f"{i}={value:#04x}")
        return bytes(out), "flip " + ",".join(spots)

    def truncate(self, data: bytes) -> tuple[bytes, str]:
        cut = self.rng.randrange(len(data) + 1)
        return data[:cut], f"truncate at {cut}"

    # -- segment level ---------------------------------------------------------------------------
    def _segments(self, data: bytes, op):
        parsed = Parsed.parse(data)
        if parsed is None or len(parsed.segments) < 3:
            return self.flip(data)
        what = op(parsed)
        return parsed.to_bytes(), what

    def _pick(self, parsed: Parsed, ids: tuple[str, ...] | None = None) -> int | None:
        found = parsed.ids()
        choices = [i for i, s in enumerate(found) if i > 0 and (ids is None or s in ids)]
        return self.rng.choice(choices) if choices else None

    def isa(self, data: bytes):
        """An interchange header damaged: an element one character short or long, ISA16 or
        ISA11 equal to another delimiter, a value from VALUES, an element missing."""

        def op(p: Parsed) -> str:
            found = [i for i, sid in enumerate(p.ids()) if sid == "ISA"]
            i = self.rng.choice(found) if found else 0
            parts = p.segments[i].split(p.element)
            how = self.rng.choice(("short", "long", "isa16", "isa11", "value", "drop"))
            k = self.rng.randrange(1, len(parts)) if len(parts) > 1 else 0
            if how == "short" and k:
                parts[k] = parts[k][:-1]
            elif how == "long" and k:
                parts[k] += self.rng.choice((" ", "0", "X"))
            elif how == "isa16" and len(parts) > 16:
                parts[16] = self.rng.choice((p.terminator, p.element, p.repetition, " ", ""))
            elif how == "isa11" and len(parts) > 11:
                parts[11] = self.rng.choice((p.component, p.element, p.terminator, "U", " "))
            elif how == "value" and k:
                parts[k] = p.fill(self.rng.choice(VALUES))
            elif len(parts) > 2:
                del parts[k or 1]
            p.segments[i] = p.element.join(parts)
            return f"ISA at segment {i + 1}: {how} ISA{k:02d}"

        return self._segments(data, op)

    def redelimit(self, data: bytes):
        """The same interchange written with another set of delimiters and line breaks."""

        def op(p: Parsed) -> str:
            ele, comp, rep, term, layout = self.rng.choice(DELIMITERS)
            table = str.maketrans({p.element: ele, p.component: comp, p.repetition: rep})
            for i, seg in enumerate(p.segments):
                if seg.startswith("ISA") and len(seg) >= 105:
                    seg = seg[:82] + rep + seg[83:104] + comp + seg[105:]
                    seg = seg.replace(p.element, ele)
                else:
                    seg = seg.translate(table)
                p.segments[i] = seg
            p.element, p.component, p.repetition, p.terminator, p.layout = ele, comp, rep, term, layout
            return f"delimiters {ele!r} {comp!r} {rep!r} {term!r} {layout!r}"

        return self._segments(data, op)

    def delete(self, data: bytes):
        def op(p: Parsed) -> str:
            i = self._pick(p)
            seg = p.ids()[i]
            del p.segments[i]
            return f"delete segment {i + 1} ({seg})"

        return self._segments(data, op)

    def duplicate(self, data: bytes):
        def op(p: Parsed) -> str:
            i = self._pick(p)
            times = self.rng.choice((1, 1, 2, 10))
            p.segments[i:i] = [p.segments[i]] * times
            return f"duplicate segment {i + 1} ({p.ids()[i]}) x{times}"

        return self._segments(data, op)

    def swap(self, data: bytes):
        def op(p: Parsed) -> str:
            i = self._pick(p)
            j = min(len(p.segments) - 1, i + 1) if self.rng.random() < 0.6 else self._pick(p)
            p.segments[i], p.segments[j] = p.segments[j], p.segments[i]
            return f"swap segments {i + 1} and {j + 1}"

        return self._segments(data, op)

    def element(self, data: bytes):
        def op(p: Parsed) -> str:
            ids = p.ids()
            if self.rng.random() < 0.7:
                seg, index = self.rng.choice(TARGETS)
                i = self._pick(p, (seg,))
            else:
                i = self._pick(p)
                index = None
            if i is None:
                i = self._pick(p)
            parts = p.segments[i].split(p.element)
            if index is None or index >= len(parts) + 2:
                index = self.rng.randrange(1, len(parts) + 1)
            parts += [""] * (index + 1 - len(parts))
            value = p.fill(self.rng.choice(VALUES))
            parts[index] = value
            p.segments[i] = p.element.join(parts)
            return f"{ids[i]}{index:02d} of segment {i + 1} := {value[:20]!r} ({len(value)} chars)"

        return self._segments(data, op)

    def component(self, data: bytes):
        def op(p: Parsed) -> str:
            i = self._pick(p, ("CLM", "SV1", "SV2", "HI", "CTP"))
            if i is None:
                i = self._pick(p)
            parts = p.segments[i].split(p.element)
            composite = [k for k, v in enumerate(parts) if k and p.component in v] or [len(parts) - 1]
            k = self.rng.choice(composite)
            comps = parts[k].split(p.component)
            c = self.rng.randrange(len(comps) + 1)
            comps += [""] * (c + 1 - len(comps))
            comps[c] = p.fill(self.rng.choice(VALUES))
            parts[k] = p.component.join(comps)
            p.segments[i] = p.element.join(parts)
            return f"component {c + 1} of element {k} of segment {i + 1} ({p.ids()[i]})"

        return self._segments(data, op)

    def repeat_loop(self, data: bytes):
        def op(p: Parsed) -> str:
            ids = p.ids()
            kind = self.rng.choice(("CLM", "LX"))
            i = self._pick(p, (kind,))
            if i is None:
                return "repeat: no loop"
            ends = CLAIM_END if kind == "CLM" else (*CLAIM_END, "LX")
            end = i + 1
            while end < len(ids) and ids[end] not in ends:
                end += 1
            times = self.rng.choice((2, 5, 60))
            p.segments[i:i] = p.segments[i:end] * (times - 1)
            return f"repeat {kind} loop at segment {i + 1} x{times}"

        return self._segments(data, op)

    def deep_hl(self, data: bytes):
        def op(p: Parsed) -> str:
            i = self._pick(p, ("CLM",))
            if i is None:
                return "deep HL: no claim"
            depth = self.rng.choice((20, 200, 1000))
            start = 9000
            chain = [
                p.element.join(("HL", str(start + k), str(start + k - 1) if k else "1", "23", "1"))
                for k in range(depth)
            ]
            p.segments[i:i] = chain
            return f"deep HL chain of {depth} before segment {i + 1}"

        return self._segments(data, op)

    def dates(self, data: bytes):
        def op(p: Parsed) -> str:
            i = self._pick(p, ("DTP", "DMG", "BHT", "GS"))
            if i is None:
                i = self._pick(p)
            parts = p.segments[i].split(p.element)
            seg = parts[0]
            index = {"DTP": 3, "DMG": 2, "BHT": 4, "GS": self.rng.choice((4, 5))}.get(seg, 1)
            parts += [""] * (index + 1 - len(parts))
            pool = TIMES_OF_DAY if (seg, index) in (("GS", 5), ("BHT", 5)) else DATES
            parts[index] = self.rng.choice(pool)
            if seg == "DTP" and self.rng.random() < 0.3:
                parts[2] = self.rng.choice(("D8", "RD8", "DT", "XX", ""))
            p.segments[i] = p.element.join(parts)
            return f"date {seg}{index:02d} of segment {i + 1} := {parts[index]!r}"

        return self._segments(data, op)

    def note_times(self, data: bytes):
        def op(p: Parsed) -> str:
            i = self._pick(p, ("NTE",))
            if i is None:
                i = self._pick(p, ("LX",))
                if i is None:
                    return "note: no line"
                i = min(i + 2, len(p.segments))
                p.segments.insert(i, p.element.join(("NTE", "ADD", "")))
            parts = p.segments[i].split(p.element)
            parts += [""] * (3 - len(parts))
            parts[2] = self.rng.choice(NOTES)
            p.segments[i] = p.element.join(parts)
            return f"NTE02 of segment {i + 1} := {parts[2][:30]!r}"

        return self._segments(data, op)


# -- running the commands --------------------------------------------------------------------------
@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    exits: dict[str, int] = field(default_factory=dict)
    judged: bool = False


_RUNNER = CliRunner()


def _invoke(args: list[str], name: str, out: Outcome) -> int | None:
    from scrubber.cli import app

    result = _RUNNER.invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        where = traceback.extract_tb(exc.__traceback__)[-1]
        out.problems.append(
            f"{name}: traceback {type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
        )
        return None
    code = result.exit_code
    out.exits[name] = code
    if code not in (0, 1, 2):
        out.problems.append(f"{name}: exit code {code}")
    if "Traceback" in (result.stderr or ""):
        out.problems.append(f"{name}: traceback on stderr")
    return code


def _report(path: Path, name: str, out: Outcome) -> dict | None:
    try:
        report = json.loads(path.read_text(encoding="utf-8", errors="surrogateescape"))
    except (OSError, ValueError):
        out.problems.append(f"{name}: no readable report")
        return None
    crashes = []
    for f in report.get("findings", []):
        if f.get("edit") == ENGINE_CRASH:
            crashes.append(f.get("message", ""))
    if crashes:
        out.problems.append(f"{name}: {ENGINE_CRASH} {sorted(set(crashes))[:3]}")
    return report


def count_claims(data: bytes) -> int:
    parsed = Parsed.parse(data)
    return parsed.ids().count("CLM") if parsed else 0


def run_case(data: bytes, folder: Path, *, judge: bool = False, times: bool = True) -> Outcome:
    """check, fix and gate on ``data`` (written to ``folder``); the promises they broke."""
    out = Outcome()
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "input.x12"
    source.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    extra = ["--times", str(TIMES)] if times else []

    report = folder / "check.json"
    code = _invoke(
        ["check", str(source), "--format", "json", "-o", str(report), "--jobs", "1", *extra], "check", out
    )
    claims = None
    if code is not None:
        checked = _report(report, "check", out)
        if checked is not None and code != 2:
            claims = checked["summary"]["claims"]

    fixed, fix_report = folder / "fixed.x12", folder / "fix.json"
    validate = "--validate" if judge else "--no-validate"
    code = _invoke(
        ["fix", str(source), "-o", str(fixed), "--report", str(fix_report), validate, *extra], "fix", out
    )
    if code in (0, 1):
        _report(fix_report, "fix", out)
        if not fixed.is_file():
            out.problems.append("fix: exit 0/1 but no corrected file")

    clean, held, gate_report = folder / "clean.x12", folder / "held.x12", folder / "gate.json"
    code = _invoke(
        [
            "gate",
            str(source),
            "--clean",
            str(clean),
            "--held",
            str(held),
            "--report",
            str(gate_report),
            *extra,
        ],
        "gate",
        out,
    )
    if code in (0, 1):
        gated = _report(gate_report, "gate", out)
        if not (clean.is_file() and held.is_file()):
            out.problems.append("gate: exit 0/1 but an output is missing")
        elif claims is not None:
            landed = count_claims(clean.read_bytes()) + count_claims(held.read_bytes())
            totals = (gated or {}).get("gate") or {}
            if landed != claims:
                out.problems.append(f"gate: {landed} claims in clean + held, check counted {claims}")
            if totals and totals.get("clean_claims", 0) + totals.get("held_claims", 0) != claims:
                out.problems.append(f"gate: report says {totals}, check counted {claims}")
    if "check" in out.exits and "gate" in out.exits and (out.exits["check"] == 2) != (out.exits["gate"] == 2):
        out.problems.append(f"check exit {out.exits['check']} but gate exit {out.exits['gate']}")

    if hashlib.sha256(source.read_bytes()).hexdigest() != digest:
        out.problems.append("input file changed")

    if judge and fixed.is_file() and out.exits.get("fix") in (0, 1):
        from scrubber.validate import validate as pyx12

        out.judged = True
        if not pyx12(data).errors:
            errors = pyx12(fixed.read_bytes()).errors
            if errors:
                out.problems.append(f"fix: pyx12 rejects the corrected file ({errors[0].code})")
    return out
