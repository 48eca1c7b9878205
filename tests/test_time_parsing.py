"""Parsing of administration times: clock values, record start/stop cells and NTE note pairs."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from scrubber.times import NotePair, minutes_between, parse_clock, parse_note, parse_record_time

T = dt.time
D = dt.datetime
DAY = dt.date(2026, 11, 15)


def P(start: str, stop: str, interruption: bool = False) -> NotePair:  # noqa: N802 - reads like the tuple
    """A NotePair from ``"hh:mm"`` strings."""
    return NotePair(T.fromisoformat(start), T.fromisoformat(stop), interruption)


# --- parse_clock ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 24-hour forms
        ("09:00", T(9, 0)),
        ("9:00", T(9, 0)),
        ("0900", T(9, 0)),
        ("900", T(9, 0)),
        ("9", T(9, 0)),
        ("09", T(9, 0)),
        ("0", T(0, 0)),
        ("00:00", T(0, 0)),
        ("0000", T(0, 0)),
        ("1730", T(17, 30)),
        ("17:30", T(17, 30)),
        ("23:59", T(23, 59)),
        ("2359", T(23, 59)),
        ("12", T(12, 0)),
        ("905", T(9, 5)),
        # seconds
        ("09:00:30", T(9, 0, 30)),
        ("9:00:30", T(9, 0, 30)),
        ("090030", T(9, 0, 30)),
        ("23:59:59", T(23, 59, 59)),
        # AM/PM in any case and spacing
        ("9:05 AM", T(9, 5)),
        ("9:05AM", T(9, 5)),
        ("0905am", T(9, 5)),
        ("0905 am", T(9, 5)),
        ("9PM", T(21, 0)),
        ("9 pm", T(21, 0)),
        ("9 Pm", T(21, 0)),
        ("905pM", T(21, 5)),
        ("9 a.m.", T(9, 0)),
        ("9 P.M.", T(21, 0)),
        ("9:05 A M", T(9, 5)),
        ("09:00:30 PM", T(21, 0, 30)),
        ("1:30 PM", T(13, 30)),
        ("11:59 PM", T(23, 59)),
        # the twelve o'clocks
        ("12:10 am", T(0, 10)),
        ("12 AM", T(0, 0)),
        ("12 PM", T(12, 0)),
        ("12:30pm", T(12, 30)),
        ("1200AM", T(0, 0)),
        ("1200 PM", T(12, 0)),
        # surrounding white space
        ("  0900 ", T(9, 0)),
        ("\t9:05 am\n", T(9, 5)),
    ],
)
def test_parse_clock(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # out of range
        "2400",
        "24:00",
        "24",
        "2500",
        "25",
        "0960",
        "09:60",
        "960",
        "99",
        "09:00:60",
        "090060",
        # AM/PM with a 24-hour value or hour 0
        "1730 PM",
        "17:30 pm",
        "13 AM",
        "0:10 AM",
        "00:10 am",
        "0 PM",
        "0010AM",
        # malformed
        "",
        " ",
        "AM",
        "PM",
        ":",
        "9:",
        ":30",
        "9:5",
        "09:0",
        "9:000",
        "12345",
        "1234567",
        "09.00",
        "9h",
        "9:00 XM",
        "9:00 AMX",
        "9 AM PM",
        "-9",
        "+9",
        "9:00-",
        "09:00:30:00",
        "0900 HRS",
        "nine",
        "9 00",
        "１２:００",  # full-width digits
        "2026-11-15T09:00",
    ],
)
def test_parse_clock_rejects(text):
    assert parse_clock(text) is None


def test_parse_clock_non_string():
    assert parse_clock(None) is None  # type: ignore[arg-type]
    assert parse_clock(900) is None  # type: ignore[arg-type]


# --- parse_record_time ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        # ISO-8601 date-times; the date in the text wins over ``day``
        ("2026-11-15T09:00", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15 09:00", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15t09:00", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15T09:00:30", None, D(2026, 11, 15, 9, 0, 30)),
        ("2026-11-15T09:00:30.5", None, D(2026, 11, 15, 9, 0, 30, 500000)),
        ("2026-11-15T09:00", dt.date(2020, 1, 1), D(2026, 11, 15, 9, 0)),
        ("2026-11-03T23:30", DAY, D(2026, 11, 3, 23, 30)),
        ("2026-02-28T00:00", None, D(2026, 2, 28, 0, 0)),
        ("2028-02-29T12:00", None, D(2028, 2, 29, 12, 0)),
        ("  2026-11-15T09:00  ", None, D(2026, 11, 15, 9, 0)),
        # UTC offsets are dropped; the wall-clock time is kept as written
        ("2026-11-15T09:00+05:00", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15T09:00-05:00", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15T09:00+0500", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15T09:00+05", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15T09:00Z", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15T09:00z", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15T09:00:30Z", None, D(2026, 11, 15, 9, 0, 30)),
        ("2026-11-15 23:30:00-08:00", None, D(2026, 11, 15, 23, 30)),
        # a date and a clock time as billers write it
        ("2026-11-15 9:00 AM", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15 0900", None, D(2026, 11, 15, 9, 0)),
        ("2026-11-15  09:00", None, D(2026, 11, 15, 9, 0)),
        # a time of day, taken on ``day``
        ("09:00", DAY, D(2026, 11, 15, 9, 0)),
        ("0900", DAY, D(2026, 11, 15, 9, 0)),
        ("900", DAY, D(2026, 11, 15, 9, 0)),
        ("9", DAY, D(2026, 11, 15, 9, 0)),
        ("09:00:30", DAY, D(2026, 11, 15, 9, 0, 30)),
        ("9:05 PM", DAY, D(2026, 11, 15, 21, 5)),
        ("12:10 am", DAY, D(2026, 11, 15, 0, 10)),
        ("1730", DAY, D(2026, 11, 15, 17, 30)),
        (" 0900 ", DAY, D(2026, 11, 15, 9, 0)),
    ],
)
def test_parse_record_time(text, day, expected):
    assert parse_record_time(text, day) == expected


def test_parse_record_time_is_naive():
    value = parse_record_time("2026-11-15T09:00+05:00", None)
    assert value is not None and value.tzinfo is None


def test_parse_record_time_takes_the_date_of_a_datetime_day():
    assert parse_record_time("0900", D(2026, 11, 15, 18, 45)) == D(2026, 11, 15, 9, 0)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # a time of day needs a day
        ("09:00", None),
        ("0900", None),
        ("9 PM", None),
        # impossible dates and times
        ("2026-02-30T09:00", None),
        ("2026-13-01T09:00", None),
        ("2026-00-10T09:00", None),
        ("2027-02-29T09:00", None),
        ("2026-11-15T24:00", None),
        ("2026-11-15T09:60", None),
        ("2026-11-15T09:00:60", None),
        ("2026-11-15 1730 PM", None),
        ("2026-11-15T09:00+24:00", None),
        ("2026-11-15T09:00+05:60", None),
        # not a date-time
        ("", DAY),
        ("   ", DAY),
        ("garbage", DAY),
        ("2026-11-15", DAY),
        ("2026-11-15T", DAY),
        ("T09:00", DAY),
        ("2026-11-15T9:00", DAY),
        ("2026/11/15 09:00", DAY),
        ("15-11-2026 09:00", DAY),
        ("20261115T0900", DAY),
        ("2026-11-15T09", DAY),
        ("2026-11-15T09:00+", DAY),
        ("2026-11-15T09:00 PST", DAY),
        ("2400", DAY),
        ("1730 PM", DAY),
        ("09:00 to 10:00", DAY),
        ("2026-11-15T09:00:30.1234567", DAY),
    ],
)
def test_parse_record_time_rejects(text, day):
    assert parse_record_time(text, day) is None


def test_parse_record_time_non_string():
    assert parse_record_time(None, DAY) is None  # type: ignore[arg-type]


# --- minutes_between ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "stop", "expected"),
    [
        (D(2026, 11, 15, 9, 0), D(2026, 11, 15, 10, 0), 60),
        (D(2026, 11, 15, 9, 5), D(2026, 11, 15, 10, 40), 95),
        (D(2026, 11, 15, 9, 0), D(2026, 11, 15, 9, 0), 0),
        (D(2026, 11, 15, 9, 0), D(2026, 11, 15, 9, 0, 59), 0),
        (D(2026, 11, 15, 9, 0), D(2026, 11, 15, 9, 1, 59), 1),
        (D(2026, 11, 15, 9, 0, 30), D(2026, 11, 15, 10, 30, 29), 89),
        (D(2026, 11, 15, 9, 0, 30), D(2026, 11, 15, 10, 30, 30), 90),
        (D(2026, 11, 15, 9, 0), D(2026, 11, 15, 9, 0, 59, 999999), 0),
        (D(2026, 11, 3, 23, 30), D(2026, 11, 4, 0, 30), 60),
        (D(2026, 11, 15, 0, 0), D(2026, 11, 17, 0, 0), 2880),
        # floor, so a stop before the start is negative and rounds down
        (D(2026, 11, 15, 10, 0), D(2026, 11, 15, 9, 0), -60),
        (D(2026, 11, 15, 9, 0, 30), D(2026, 11, 15, 9, 0), -1),
    ],
)
def test_minutes_between(start, stop, expected):
    result = minutes_between(start, stop)
    assert result == expected and type(result) is int


# --- parse_note -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the forms billers use
        ("START 0900 STOP 1000", [P("09:00", "10:00")]),
        ("START 0900 END 1020", [P("09:00", "10:20")]),
        ("BEGIN 0900 END 1000", [P("09:00", "10:00")]),
        ("START TIME 0900 STOP TIME 1000", [P("09:00", "10:00")]),
        ("START: 0900 STOP: 1000", [P("09:00", "10:00")]),
        ("0900-1000", [P("09:00", "10:00")]),
        ("0900 - 1000", [P("09:00", "10:00")]),
        ("0900 TO 1000", [P("09:00", "10:00")]),
        ("S0900 E1040", [P("09:00", "10:40")]),
        ("STRT 0900 STP 1000", [P("09:00", "10:00")]),
        ("INF S0905 E1040 R095 MIN", [P("09:05", "10:40")]),
        ("START 9:00 AM STOP 10:15 AM", [P("09:00", "10:15")]),
        ("START 0900AM STOP 1000 AM", [P("09:00", "10:00")]),
        # case, spacing and fillers
        ("start 0900 stop 1000", [P("09:00", "10:00")]),
        ("Start 0900 Stop 1000", [P("09:00", "10:00")]),
        ("  START   0900    STOP   1000  ", [P("09:00", "10:00")]),
        ("START:0900 STOP:1000", [P("09:00", "10:00")]),
        ("START0900 STOP1000", [P("09:00", "10:00")]),
        ("START-0900 STOP-1000", [P("09:00", "10:00")]),
        ("START=0900 STOP=1000", [P("09:00", "10:00")]),
        ("START @ 0900 STOP @ 1000", [P("09:00", "10:00")]),
        ("START AT 0900 STOP AT 1000", [P("09:00", "10:00")]),
        ("START TIME: 0900 END TIME: 1000", [P("09:00", "10:00")]),
        ("START 0900, STOP 1000", [P("09:00", "10:00")]),
        ("START 0900 - STOP 1000", [P("09:00", "10:00")]),
        ("STARTED 0900 ENDED 1000", [P("09:00", "10:00")]),
        ("BEGAN 0900 FINISHED 1000", [P("09:00", "10:00")]),
        ("START 0900 STOPPED 1000", [P("09:00", "10:00")]),
        ("START 0900HRS STOP 1000 HRS", [P("09:00", "10:00")]),
        ("0900H-1000H", [P("09:00", "10:00")]),
        ("FROM 0900 THRU 1000", [P("09:00", "10:00")]),
        ("0900 THROUGH 1000", [P("09:00", "10:00")]),
        ("0900\u20131000", [P("09:00", "10:00")]),  # en dash
        ("900-1000", [P("09:00", "10:00")]),
        ("START 900 STOP 1005", [P("09:00", "10:05")]),
        # colons (the X12 component separator, but sometimes there)
        ("START 09:00 STOP 10:05", [P("09:00", "10:05")]),
        ("09:00-10:05", [P("09:00", "10:05")]),
        ("START 09:00:30 STOP 10:00:45", [NotePair(T(9, 0, 30), T(10, 0, 45), False)]),
        # AM/PM
        ("START 9 AM STOP 10 AM", [P("09:00", "10:00")]),
        ("START 1:00 PM STOP 2:30 PM", [P("13:00", "14:30")]),
        ("START 12:30 PM STOP 1:15 PM", [P("12:30", "13:15")]),
        ("START 9:00 a.m. STOP 10:15 a.m.", [P("09:00", "10:15")]),
        ("START 11:45 PM STOP 12:15 AM", [P("23:45", "00:15")]),
        ("0900am-1000am", [P("09:00", "10:00")]),
        ("9-10 AM", [P("09:00", "10:00")]),
        ("9-11PM", [P("21:00", "23:00")]),
        # AM/PM on one side only: the other side takes the meridiem that gives the shorter time
        ("1:00-2:30 PM", [P("13:00", "14:30")]),
        ("11:00-1:00 PM", [P("11:00", "13:00")]),
        ("START 1:00 PM STOP 2:30", [P("13:00", "14:30")]),
        ("START 1130AM STOP 0100", [P("11:30", "13:00")]),
        ("START 1300 STOP 2:00 PM", [P("13:00", "14:00")]),
        # 24-hour, including a pair that crosses midnight (the caller reports it)
        ("START 1330 STOP 1515", [P("13:30", "15:15")]),
        ("START 2330 STOP 0030", [P("23:30", "00:30")]),
        # a one- or two-digit hour after a keyword
        ("START 9 STOP 10", [P("09:00", "10:00")]),
        # several pairs in one note
        ("START 0900 STOP 0940 START 1000 STOP 1100", [P("09:00", "09:40"), P("10:00", "11:00")]),
        ("0900-0940, 1000-1100", [P("09:00", "09:40"), P("10:00", "11:00")]),
        ("0900-0940;1000-1100", [P("09:00", "09:40"), P("10:00", "11:00")]),
        ("S0900 E0940 S1000 E1100", [P("09:00", "09:40"), P("10:00", "11:00")]),
        ("START 0900 STOP 0940 1000-1100", [P("09:00", "09:40"), P("10:00", "11:00")]),
        ("START 1120 STOP 1240 RESTART 1355 STOP 1640", [P("11:20", "12:40"), P("13:55", "16:40")]),
        # text around the times
        ("RITUXIMAB 375MG/M2 IV START 1120 STOP 1640", [P("11:20", "16:40")]),
        ("PT TOLERATED WELL. START 0900 STOP 1000. NO REACTION", [P("09:00", "10:00")]),
        ("START 0900 PREMEDS GIVEN RATE 100 STOP 1000", [P("09:00", "10:00")]),
        ("IVIG 0900-1130 VIA PORT", [P("09:00", "11:30")]),
        ("PATIENT STOPPED EATING START 0900 STOP 1000", [P("09:00", "10:00")]),
        # interruptions
        ("RITUXIMAB START 1120 STOP 1640 PAUSED 1240-1355", [P("11:20", "16:40"), P("12:40", "13:55", True)]),
        ("START 1120 PAUSED 1240-1355 STOP 1640", [P("11:20", "16:40"), P("12:40", "13:55", True)]),
        ("START 1120 PAUSED 1240 RESUMED 1355 STOP 1640", [P("11:20", "16:40"), P("12:40", "13:55", True)]),
        (
            "START 1120 STOPPED 1240 RESTARTED 1355 STOP 1640",
            [P("11:20", "16:40"), P("12:40", "13:55", True)],
        ),
        ("START 0900 STOP 1100 HOLD 0930-0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("START 0900 STOP 1100 HOLD: 0930-0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("START 0900 STOP 1100 PAUSE FROM 0930 TO 0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("START 0900 STOP 1100 INTERRUPTED 0930-0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("START 0900 STOP 1100 INTERRUPT 0930-0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("START 0900 STOP 1100 STOPPED 0930-0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("START 0900 STOP 1100 HOLD START 0930 STOP 0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("START 0900 STOP 1100 PAUSED S0930 E0945", [P("09:00", "11:00"), P("09:30", "09:45", True)]),
        ("paused 1240-1355", [P("12:40", "13:55", True)]),
        (
            "0900-1100 PAUSED 0930-0945, 1000-1010",  # the pause word marks only the pair right after it
            [P("09:00", "11:00"), P("09:30", "09:45", True), P("10:00", "10:10")],
        ),
    ],
)
def test_parse_note(text, expected):
    assert parse_note(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # nothing that is a pair
        "",
        " ",
        "PATIENT TOLERATED WELL",
        "NO REACTION",
        "START",
        "START STOP",
        "START 0900",
        "START 0900 STOP",
        "STOP 1000",
        "STOP 1000 START 0900",
        "START TIME 0900 NO STOP DOCUMENTED",
        "0900",
        "AT 0900",
        "S0900",
        "E1040",
        "S0900 PUMP E1040",
        # numbers that are not times
        "RITUXIMAB 375 MG",
        "100-200 ML/HR",
        "RATE 100-200 MG",
        "1000-1500 UNITS",
        "0.5-1.5",
        "1.5-2.5 MG",
        "DOB 2026-11-15",
        "11-15-2026",
        "CALL 555-1234-5678",
        "BP 120-80",
        "5-10",
        "3 TO 4",
        "R095 MIN",
        "X1000-1100",
        "E119 DIABETES",
        "LOT 12345-6789",
        "NDC 12345-6789-01",
        # invalid times
        "START 2500 STOP 2600",
        "2500-2600",
        "START 0960 STOP 1000",
        "START 2400 STOP 0100",
        "START 1730 PM STOP 1830 PM",
        "START 0900AMX STOP 1000",
    ],
)
def test_parse_note_none(text):
    assert parse_note(text) is None


def test_parse_note_non_string():
    assert parse_note(None) is None  # type: ignore[arg-type]
    assert parse_note(b"START 0900 STOP 1000") is None  # type: ignore[arg-type]


def test_note_pair_unpacks_and_names_its_fields():
    pairs = parse_note("RITUXIMAB START 1120 STOP 1640 PAUSED 1240-1355")
    assert pairs is not None
    (start, stop, interruption), pause = pairs
    assert (start, stop, interruption) == (T(11, 20), T(16, 40), False)
    assert pause.start == T(12, 40) and pause.stop == T(13, 55) and pause.interruption is True
    assert isinstance(pause, tuple) and NotePair._fields == ("start", "stop", "interruption")
    assert NotePair(T(9), T(10)).interruption is False


_FUZZ_PIECES = [
    "START",
    "STOP",
    "STRT",
    "STP",
    "BEGIN",
    "END",
    "S",
    "E",
    "R",
    "TO",
    "THRU",
    "PAUSED",
    "HOLD",
    "STOPPED",
    "RESUMED",
    "RESTART",
    "TIME",
    "AT",
    "AM",
    "PM",
    "A.M.",
    "HRS",
    "MG",
    "ML",
    "MIN",
    "0900",
    "900",
    "9",
    "12",
    "2400",
    "9999",
    "09:00",
    "9:",
    ":",
    "-",
    "--",
    "\u2013",
    ",",
    ".",
    ";",
    "*",
    "~",
    "^",
    " ",
    "  ",
    "\t",
    "\n",
    "0",
    "00000",
    "1.5",
    "é",
    "ß",
    "\u00a0",
    "\x00",
    "１２",
    "S0905",
    "E1040",
    "R095",
]


def test_parse_note_never_raises_on_random_text():
    rng = random.Random(837)
    alphabet = "0123456789:-AaMmPpSsEeRrTtOoHh .,;*~^/\u2013\u00e9\x00"
    for _ in range(3000):
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        else:
            text = rng.choice(["", " "]).join(rng.choice(_FUZZ_PIECES) for _ in range(rng.randint(0, 20)))
        result = parse_note(text)
        assert result is None or (
            result
            and all(
                isinstance(p, NotePair)
                and isinstance(p.start, T)
                and isinstance(p.stop, T)
                and isinstance(p.interruption, bool)
                for p in result
            )
        ), text
        parse_clock(text)
        parse_record_time(text, DAY)


def test_parse_note_handles_a_long_note():
    text = "START 0900 STOP 0910 " * 2000 + "PAUSED " * 2000 + "STOPPED 1000 " * 500
    pairs = parse_note(text)
    assert pairs is not None and len(pairs) == 2000 and pairs[0] == P("09:00", "09:10")


def test_plain_note_fast_path_agrees_with_the_tokenizer():
    """parse_note reads ``START hhmm STOP hhmm`` without the tokenizer; the result is the same."""
    from scrubber.times import _parse_note

    rng = random.Random(7)
    texts = [
        f"{pad}{start}{gap}{h1:02d}{m1:02d}{gap2}{stop}{gap}{h2:02d}{m2:02d}{pad}"
        for start in ("START", "start", "Begin", "BEGIN")
        for stop in ("STOP", "stop", "END", "End")
        for pad, gap, gap2 in (("", " ", " "), ("  ", "  ", "   "), (" ", " ", "\t"))
        for h1, m1, h2, m2 in [
            (rng.randrange(30), rng.randrange(70), rng.randrange(30), rng.randrange(70)) for _ in range(12)
        ]
        + [(9, 0, 10, 0), (23, 30, 0, 30), (24, 0, 1, 0), (9, 60, 10, 0), (0, 0, 0, 0)]
    ]
    for text in texts:
        assert parse_note(text) == _parse_note(text), text
