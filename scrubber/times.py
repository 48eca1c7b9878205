"""Administration times: the ``--times`` record (CSV).

Columns (header required): ``claim_id`` (CLM01), ``line`` (LX01), ``start``, ``stop``; optional
``ref_6r`` (REF*6R line control number, an alternative key), ``interruptions_min``, ``route``,
``drug``.  ``start``/``stop`` are ISO-8601 date-times (``2026-11-15T09:00``) or times of day
(``09:00``, ``0900``) taken on the line's date of service.  Several rows may describe one line.

This module reads and indexes the record; the infusion edits interpret the times.  An empty file
is an empty record.  A file without the required columns is a usage error.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

REQUIRED = ("claim_id", "line", "start", "stop")
# csv's default field limit is 128 KiB; a free-text cell (a drug name, a pasted note) may be
# longer.  A cell past this limit is refused with its line number.
FIELD_LIMIT = 16 << 20
OPTIONAL = ("ref_6r", "interruptions_min", "route", "drug")


class TimesError(Exception):
    """The record cannot be used at all; ``str()`` is one line naming the file."""


def _bad_utf8(file: Path) -> str:
    """``line N: `` of the first byte that is not UTF-8 (the decoder reports it per chunk)."""
    try:
        data = file.read_bytes()
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f"line {line}: "
    except OSError:
        pass
    return ""


class TimeRow(NamedTuple):
    """One record row.  A named tuple, and its repeated strings interned: a record for a large
    batch has hundreds of thousands of rows."""

    row: int  # 1-based data row number in the file (header is row 0)
    claim_id: str
    line: str
    start: str
    stop: str
    ref_6r: str = ""
    interruptions_min: str = ""
    route: str = ""
    drug: str = ""


@dataclass
class AdminTimes:
    source: str | None = None
    rows: list[TimeRow] = field(default_factory=list)
    # (claim_id, line) -> its rows; a single row is stored bare, several as a tuple
    by_line: dict[tuple[str, str], TimeRow | tuple[TimeRow, ...]] = field(default_factory=dict)
    by_ref: dict[str, list[TimeRow]] = field(default_factory=dict)
    matched: set[int] = field(default_factory=set)  # row numbers that a claim line used

    @classmethod
    def empty(cls) -> AdminTimes:
        return cls()

    @classmethod
    def load(cls, path: str) -> AdminTimes:
        file = Path(path)
        if not file.is_file():
            raise TimesError(f"{path}: administration record not found")
        record = cls(source=path)
        reader = None
        limit = csv.field_size_limit()
        try:
            csv.field_size_limit(max(limit, FIELD_LIMIT))
            with open(file, encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader, None)
                if header is None or not any(h.strip() for h in header):
                    return record
                record._read(reader, [h.strip().lower() for h in header], path)
        except csv.Error as exc:
            # csv's messages name the problem, never the cell's content
            where = f"line {reader.line_num}: " if reader is not None and reader.line_num else ""
            raise TimesError(f"{path}: {where}cannot read administration record: {exc}") from None
        except UnicodeDecodeError:
            raise TimesError(
                f"{path}: {_bad_utf8(file)}cannot read administration record: not UTF-8 text"
            ) from None
        except OSError as exc:
            raise TimesError(
                f"{path}: cannot read administration record ({exc.strerror or type(exc).__name__})"
            ) from None
        finally:
            csv.field_size_limit(limit)
        return record

    def _read(self, reader, header: list[str], path: str) -> None:
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise TimesError(f"{path}: line 1: administration record lacks column(s) {', '.join(missing)}")
        # a column the header lacks reads the blank cell appended to every row (index -1)
        where = [header.index(c) if c in header else -1 for c in (*REQUIRED, *OPTIONAL)]
        pick = itemgetter(*where)
        width = len(header)
        intern, strip, make = sys.intern, str.strip, tuple.__new__
        by_line = self.by_line
        for number, cells in enumerate(reader, start=1):
            if not any(cells):
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            cells.append("")
            # C-level loops and tuple.__new__: this runs for each of a large record's rows
            row = make(TimeRow, (number, *map(intern, map(strip, pick(cells)))))
            self.rows.append(row)
            key = (row.claim_id, row.line)
            found = by_line.get(key)
            if found is None:
                by_line[key] = row
            else:
                by_line[key] = found + (row,) if type(found) is tuple else (found, row)
            if row.ref_6r:
                self.by_ref.setdefault(row.ref_6r, []).append(row)

    def renumbered(self, moves: dict[tuple[str, str], str | None]) -> AdminTimes:
        """A copy whose rows follow renumbered claim lines: ``moves`` maps (claim_id, old LX01) to
        the new LX01, or to None for a line that was removed (its rows are left out)."""
        copy = AdminTimes(source=self.source)
        for row in self.rows:
            key = (row.claim_id, row.line)
            if key in moves:
                if moves[key] is None:
                    continue
                row = row._replace(line=moves[key])
            copy.rows.append(row)
            found = copy.by_line.get((row.claim_id, row.line))
            if found is None:
                copy.by_line[(row.claim_id, row.line)] = row
            else:
                copy.by_line[(row.claim_id, row.line)] = (
                    found + (row,) if type(found) is tuple else (found, row)
                )
            if row.ref_6r:
                copy.by_ref.setdefault(row.ref_6r, []).append(row)
        return copy

    def for_line(self, claim_id: str, line: int | None, ref_6r: str = "") -> list[TimeRow]:
        found = self.by_line.get((claim_id, str(line)), ())
        rows = list(found) if type(found) is tuple else [found]
        if ref_6r:
            rows += [r for r in self.by_ref.get(ref_6r, ()) if r not in rows]
        return rows


# --- Parsing start/stop values -------------------------------------------------------------------
#
# Pure functions: the record's ``start``/``stop`` cells, clock times as billers write them, and the
# start/stop pairs of a free-text NTE note.  None of the parsers raises on bad text; they return None.

_MERIDIEM = r"(?P<mer>[AP])\.?\s*M\.?"
_CLOCK = re.compile(
    r"\s*(?:(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?|(?P<digits>[0-9]{1,4}|[0-9]{6}))"
    rf"\s*(?:{_MERIDIEM})?\s*",
    re.ASCII | re.IGNORECASE,
)
_ISO = re.compile(
    r"\s*(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<h>[0-9]{2}):(?P<m>[0-9]{2})"
    r"(?::(?P<s>[0-9]{2})(?:[.,](?P<frac>[0-9]{1,6}))?)?"
    r"\s*(?:Z|[+-](?P<oh>[0-9]{2})(?::?(?P<om>[0-9]{2}))?)?\s*",
    re.ASCII | re.IGNORECASE,
)
_DATE_AND_CLOCK = re.compile(r"\s*(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})\s+(?P<clock>\S.*)", re.ASCII)


def _make_time(hour: int, minute: int, second: int = 0, meridiem: str | None = None) -> dt.time | None:
    """A time of day from its parts; ``meridiem`` is "A", "P" or None (24-hour clock)."""
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.upper() == "P" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def _clock_parts(match: re.Match[str]) -> tuple[int, int, int] | None:
    """(hour, minute, second) from a ``_CLOCK`` match: ``9:00``, ``09:00:30``, ``9``, ``900``,
    ``0900``, ``090030``; None for five digits."""
    if match["h"] is not None:
        return int(match["h"]), int(match["m"]), int(match["s"] or 0)
    digits = match["digits"]
    if len(digits) <= 2:
        return int(digits), 0, 0
    if len(digits) == 3:
        return int(digits[0]), int(digits[1:]), 0
    if len(digits) == 4:
        return int(digits[:2]), int(digits[2:]), 0
    if len(digits) == 6:
        return int(digits[:2]), int(digits[2:4]), int(digits[4:])
    return None


def parse_clock(text: str) -> dt.time | None:
    """A time of day as billers write it, or None.

    Accepted: ``09:00``, ``9:00``, ``0900``, ``900``, ``9``, ``09:00:30`` (``090030``), each with
    or without AM/PM in any case and spacing (``9:05 AM``, ``0905am``, ``9PM``, ``9 a.m.``).  With
    AM/PM the hour must be 1-12 (``12:10 am`` is 00:10, ``12 PM`` is 12:00, ``1730 PM`` and
    ``0:10 AM`` are None); without it the clock is 24-hour (``1730``).  Hours over 23 (so ``2400``),
    minutes or seconds over 59 and anything else are None.
    """
    if not isinstance(text, str):
        return None
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    parts = _clock_parts(match)
    return _make_time(*parts, match["mer"]) if parts else None


@lru_cache(maxsize=1 << 14)  # a record repeats the same few clock texts on the same days
def parse_record_time(text: str, day: dt.date | None) -> dt.datetime | None:
    """A ``start``/``stop`` value of the administration record as a naive datetime, or None.

    * ISO-8601 date-time: ``2026-11-15T09:00``, ``2026-11-15 09:00``, with seconds (and a
      fraction), with a UTC offset (``+05:00``, ``+0500``, ``+05``, ``Z``).  The offset is dropped:
      the wall-clock time is kept as written.  ``day`` is not used.
    * A date, white space and any ``parse_clock`` form: ``2026-11-15 9:00 AM``, ``2026-11-15 0900``.
    * A time of day in any ``parse_clock`` form, taken on ``day``; None when ``day`` is None.

    Impossible dates or times (``2026-02-30T09:00``, ``T24:00``) and other text are None.
    """
    if not isinstance(text, str):
        return None
    match = _ISO.fullmatch(text)
    if match is not None:
        if match["oh"] is not None and (int(match["oh"]) > 23 or int(match["om"] or 0) > 59):
            return None
        return _combine(
            match["date"],
            _make_time(int(match["h"]), int(match["m"]), int(match["s"] or 0)),
            int((match["frac"] or "0").ljust(6, "0")),
        )
    match = _DATE_AND_CLOCK.fullmatch(text)
    if match is not None:
        return _combine(match["date"], parse_clock(match["clock"]))
    clock = parse_clock(text)
    if clock is None or day is None:
        return None
    return dt.datetime.combine(day, clock)


def _combine(date_text: str, clock: dt.time | None, microsecond: int = 0) -> dt.datetime | None:
    if clock is None:
        return None
    try:
        day = dt.date.fromisoformat(date_text)
    except ValueError:
        return None
    return dt.datetime.combine(day, clock.replace(microsecond=microsecond))


_MINUTE = dt.timedelta(minutes=1)


def minutes_between(start: dt.datetime, stop: dt.datetime) -> int:
    """Whole minutes from ``start`` to ``stop``: the floor of seconds / 60 (negative when ``stop`` is
    earlier: 30 seconds before is -1)."""
    return (stop - start) // _MINUTE


# --- NTE notes ------------------------------------------------------------------------------------


class NotePair(NamedTuple):
    """One start/stop pair of a note; unpacks as ``(start, stop, interruption)``."""

    start: dt.time
    stop: dt.time
    interruption: bool = False  # a pause in the running time (PAUSED 1240-1355), to subtract


_NOTE_TOKEN = re.compile(
    r"""
    (?P<time>
        (?<![A-Z0-9.])(?<![0-9]:)                      # not inside a word, a number or a clock
        (?P<pre>[SE](?=[0-9]))?                        # S0905 E1040
        (?:(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?|(?P<digits>[0-9]{1,4}))
        (?![0-9:]|\.[0-9])
        (?:\s*(?P<mer>[AP])\.?\s*M\.?|(?P<hrs>\s*HRS?|H))?  # 0900AM, 9:00 a.m., 0900 HRS, 0900H
        (?![A-Z0-9])
    )
    | (?P<word>[A-Z]+)
    | (?P<dash>[-\u2013\u2014])
    | (?P<num>[0-9][0-9.:]*)
    | (?P<punct>\S)
    """,
    re.ASCII | re.VERBOSE,
)

_START_WORDS = frozenset("START STARTS STARTED STRT STRTD BEGIN BEGINS BEGAN BEG BGN".split())
_STOP_WORDS = frozenset("STOP STOPS STP END ENDS ENDED FINISH FINISHED".split())
_PAUSE_WORDS = frozenset("PAUSE PAUSES PAUSED HOLD HELD STOPPED INTERRUPT INTERRUPTED INTERRUPTION".split())
_RESUME_WORDS = frozenset("RESUME RESUMES RESUMED RESTART RESTARTS RESTARTED".split())
_RANGE_WORDS = frozenset("TO THRU THROUGH".split())
_FILLER_WORDS = frozenset("TIME TM AT".split())
_FILLER_PUNCT = frozenset(":=@#")
_UNIT_WORDS = frozenset(
    "MG MCG GM GRAM GRAMS KG ML CC UNIT UNITS IU MEQ MMOL MIN MINS MINUTE MINUTES GTT".split()
)
_WORD_KINDS = {
    word: kind
    for kind, words in (
        ("start", _START_WORDS),
        ("stop", _STOP_WORDS),
        ("pause", _PAUSE_WORDS),
        ("resume", _RESUME_WORDS),
        ("range", _RANGE_WORDS),
        ("filler", _FILLER_WORDS),
    )
    for word in words
}
_MARKER_GAP = frozenset({"FROM", "BETWEEN"})  # words allowed between a pause word and its pair
_GLUED = re.compile(
    r"\b("
    + "|".join(sorted(_START_WORDS | _STOP_WORDS | _PAUSE_WORDS | _RESUME_WORDS, key=len, reverse=True))
    + r")(?=[0-9])",
    re.ASCII,
)


class _Tok(NamedTuple):
    kind: str  # time, start, stop, pause, resume, range, filler, word, dash, num, punct
    text: str
    parts: tuple[int, int, int] | None = None  # time: (hour, minute, second) as written
    mer: str | None = None  # time: "A", "P" or None
    strong: bool = False  # time: a colon, 3-4 digits, AM/PM or HRS: usable without a keyword
    prefix: str | None = None  # time: "S" or "E" of S0905 / E1040


def _note_tokens(text: str) -> list[_Tok]:
    tokens = []
    for match in _NOTE_TOKEN.finditer(_GLUED.sub(r"\1 ", text.upper())):  # START0900 -> START 0900
        if match["time"] is not None:
            parts = _clock_parts(match)
            strong = bool(match["h"] or match["mer"] or match["hrs"] or len(match["digits"]) >= 3)
            tokens.append(_Tok("time", match["time"], parts, match["mer"], strong, match["pre"]))
        elif match["word"] is not None:
            word = match["word"]
            kind = _WORD_KINDS.get(word, "word")
            tokens.append(_Tok(kind, word))
        elif match["dash"] is not None:
            tokens.append(_Tok("dash", match["dash"]))
        elif match["num"] is not None:
            tokens.append(_Tok("num", match["num"]))
        else:
            punct = match["punct"]
            tokens.append(_Tok("filler" if punct in _FILLER_PUNCT else "punct", punct))
    return tokens


def _resolve_pair(a: _Tok, b: _Tok) -> tuple[dt.time, dt.time] | None:
    """Both times of a pair.  When only one side has AM/PM, the other side (hour 1-12) takes the
    meridiem that gives the shorter running time: ``1:00-2:30 PM`` is 13:00-14:30, ``11:00-1:00 PM``
    11:00-13:00, ``START 1:00 PM STOP 2:30`` 13:00-14:30."""
    if a.parts is None or b.parts is None:
        return None
    if (a.mer is None) != (b.mer is None):
        bare, marked = (a, b) if a.mer is None else (b, a)
        fixed = _make_time(*marked.parts, marked.mer)
        if fixed is not None and 1 <= bare.parts[0] <= 12:
            best = None
            for mer in ("A", "P"):
                other = _make_time(*bare.parts, mer)
                if other is None:
                    continue
                start, stop = (other, fixed) if bare is a else (fixed, other)
                span = (_seconds(stop) - _seconds(start)) % 86400
                if best is None or span < best[0]:
                    best = (span, start, stop)
            return (best[1], best[2]) if best else None
    start, stop = _make_time(*a.parts, a.mer), _make_time(*b.parts, b.mer)
    return (start, stop) if start is not None and stop is not None else None


def _seconds(clock: dt.time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def parse_note(text: str) -> list[NotePair] | None:
    """Start/stop pairs of a free-text NTE note (837P 2400 NTE*ADD, 2300 NTE), in the order their
    start appears; None when the note has no recognisable pair.  Never raises.

    Case-insensitive.  A time is ``0900``, ``900``, ``9:00`` or ``09:00:30``, optionally followed by
    AM/PM (``0900AM``, ``9:00 a.m.``) or HRS; a one- or two-digit hour (``9``) counts only after a
    keyword or with AM/PM.  A colon is rare in notes (it is the X12 component separator) but allowed.
    Recognised forms:

    * keywords: START/STRT/BEGIN/BEGAN ... STOP/STP/END/ENDED/FINISHED, with TIME, AT, ``:``, ``=``,
      ``@`` or ``-`` allowed between a keyword and its time (``START TIME 0900``, ``START: 0900``,
      ``START0900``); other text may stand between the start and the stop.  RESTART/RESUME with
      no open pause starts a new pair.  A start without a stop, or a stop without a start, is
      dropped (of two starts in a row the later one counts);
    * ranges: ``0900-1000``, ``0900 - 1000``, ``0900 TO 1000`` (also THRU, THROUGH), several per
      note (``0900-0940, 1000-1100``).  A range that continues with ``-`` and a number
      (``2026-11-15``, ``555-1234-...``) or is followed by a unit (``100-200 ML/HR``) is not a time;
    * ``S0905 E1040``: S and E directly before the times, next to each other (``INF S0905 E1040
      R095 MIN``; R095, running minutes, is ignored);
    * AM/PM on only one side of a pair applies to the other (see ``_resolve_pair``).

    Interruptions: a pair right after PAUSE/PAUSED/HOLD/HELD/STOPPED/INTERRUPT(ED) - with only TIME,
    AT, FROM, BETWEEN, ``:`` or ``-`` between - is an interruption (``PAUSED 1240-1355``,
    ``HOLD: START 1240 STOP 1300``), and so is PAUSED/HOLD/STOPPED <time> ... RESUMED/RESTARTED
    <time>.  STOPPED <time> with a start open and no RESUME/RESTART following is the stop of that
    start (``START 0900 STOPPED 1000``).  Interruption pairs are returned like the others, with
    ``interruption=True``; the caller decides what to do with them:
    ``RITUXIMAB START 1120 STOP 1640 PAUSED 1240-1355`` gives
    [(11:20, 16:40, False), (12:40, 13:55, True)].

    A pair's stop may be earlier than its start (``START 2330 STOP 0030``): a note carries no date.
    """
    if not isinstance(text, str) or not text:
        return None
    plain = _PLAIN_NOTE.fullmatch(text)
    if plain is not None:  # the common written form, without the tokenizer (same result)
        start = _make_time(int(plain["h1"]), int(plain["m1"]))
        stop = _make_time(int(plain["h2"]), int(plain["m2"]))
        if start is not None and stop is not None:
            return [NotePair(start, stop)]
    return _parse_note(text)


# ``START 0900 STOP 1000`` / ``BEGIN 0900 END 1000`` with four-digit 24-hour times: most notes.
_PLAIN_NOTE = re.compile(
    r"\s*(?:START|BEGIN)\s+(?P<h1>[0-9]{2})(?P<m1>[0-9]{2})"
    r"\s+(?:STOP|END)\s+(?P<h2>[0-9]{2})(?P<m2>[0-9]{2})\s*",
    re.ASCII | re.IGNORECASE,
)


def _parse_note(text: str) -> list[NotePair] | None:
    """parse_note's general case: tokens, then ranges and keyword pairs."""
    tokens = _note_tokens(text)
    used: set[int] = set()  # token indexes that belong to a pair or gave a keyword its meaning
    found: list[tuple[int, int, NotePair]] = []  # (index of the start time, index that the pair begins at)

    def emit(start_index: int, stop_index: int, begins: int, interruption: bool = False) -> None:
        times = _resolve_pair(tokens[start_index], tokens[stop_index])
        if times is not None:
            used.update((start_index, stop_index))
            found.append((start_index, begins, NotePair(times[0], times[1], interruption)))

    _note_ranges(tokens, used, emit)
    _note_keywords(tokens, used, emit)
    if not found:
        return None
    found.sort(key=lambda item: item[0])
    pairs = []
    for _, begins, pair in found:
        if not pair.interruption and _paused_before(tokens, used, begins):
            pair = pair._replace(interruption=True)
        pairs.append(pair)
    return pairs


def _note_ranges(tokens: list[_Tok], used: set[int], emit) -> None:
    """``0900-1000``, ``0900 TO 1000`` and ``S0905 E1040``."""
    count = len(tokens)
    for i in range(count - 1):
        first = tokens[i]
        if first.kind != "time" or i in used:
            continue
        if first.prefix == "S":
            j = _skip(tokens, i + 1, ("filler", "dash"))
            if j < count and tokens[j].kind == "time" and tokens[j].prefix == "E":
                emit(i, j, i)
            continue
        if first.prefix or i + 2 >= count or tokens[i + 1].kind not in ("dash", "range"):
            continue
        second = tokens[i + 2]
        if second.kind != "time" or second.prefix or not second.strong:
            continue
        if not first.strong and second.mer is None:
            continue
        if i >= 2 and tokens[i - 1].kind == "dash" and tokens[i - 2].kind in ("time", "num"):
            continue  # 2026-11-15, a phone number
        after = tokens[i + 3] if i + 3 < count else None
        if i + 4 < count and after.kind == "dash" and tokens[i + 4].kind in ("time", "num"):
            continue
        if after is not None and (after.text in _UNIT_WORDS or after.text == "%"):
            continue  # 100-200 ML/HR
        emit(i, i + 2, i)


def _note_keywords(tokens: list[_Tok], used: set[int], emit) -> None:
    """START ... STOP, PAUSED ... RESUMED, RESTART ... STOP."""
    run: tuple[int, int] | None = None  # (keyword index, time index) of an open start
    pause: tuple[int, int] | None = None  # the same for an open interruption
    for i, tok in enumerate(tokens):
        if tok.kind not in ("start", "stop", "pause", "resume"):
            continue
        t = _keyword_time(tokens, used, i)
        if t is None:
            continue
        if tok.kind == "start":
            run = (i, t)
        elif tok.kind == "stop" or (tok.text == "STOPPED" and run is not None and not _resumes(tokens, t)):
            if run is not None:
                used.add(i)
                used.add(run[0])
                emit(run[1], t, run[0])
                run = None
        elif tok.kind == "pause":
            pause = (i, t)
        elif pause is not None:  # resume
            used.add(i)
            used.add(pause[0])
            emit(pause[1], t, pause[0], interruption=True)
            pause = None
        else:  # RESTART 1355 with no pause open: a new start
            run = (i, t)


def _keyword_time(tokens: list[_Tok], used: set[int], i: int) -> int | None:
    """Index of the time that follows keyword ``i`` (after TIME, AT, ``:``, ``-`` ...), if free."""
    j = _skip(tokens, i + 1, ("filler", "dash"))
    if j < len(tokens) and tokens[j].kind == "time" and not tokens[j].prefix and j not in used:
        return j
    return None


def _resumes(tokens: list[_Tok], after: int) -> bool:
    """A RESUME/RESTART keyword follows before the next start or stop keyword."""
    for tok in tokens[after + 1 :]:
        if tok.kind == "resume":
            return True
        if tok.kind in ("start", "stop") or tok.text == "STOPPED":
            return False
    return False


def _paused_before(tokens: list[_Tok], used: set[int], begins: int) -> bool:
    """A pause word, free of its own pair, stands just before token ``begins`` (TIME, AT, ``:``, ``-``,
    FROM or BETWEEN may stand between)."""
    i = begins - 1
    while i >= 0 and (tokens[i].kind in ("filler", "dash") or tokens[i].text in _MARKER_GAP):
        i -= 1
    return i >= 0 and tokens[i].kind == "pause" and i not in used


def _skip(tokens: list[_Tok], i: int, kinds: tuple[str, ...]) -> int:
    while i < len(tokens) and tokens[i].kind in kinds:
        i += 1
    return i
