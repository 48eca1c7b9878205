"""Implementation-guide validation of an X12 file with pyx12 (the optional IG stage).

:func:`validate` runs pyx12's full validator (``pyx12.x12n_document.x12n_document``, what the
``x12valid`` script runs) in-process and returns its verdict, every error it reported and, on
request, the 999 (997 for a 4010 group) it generates.

How it is run
    * Parameters are built in code (:class:`_Params`): ``pyx12.params.params()`` would read
      ``<sys.prefix>/etc/pyx12.conf.xml`` and ``~/.pyx12.conf.xml`` in its constructor, so it is
      not used; no configuration file is read.  The values are pyx12's defaults, which is what
      ``x12valid`` runs with when there is no configuration file (extended character set, no
      external code list excluded, maps from the installed package).
    * The data goes to pyx12 as an in-memory text stream and the acknowledgement into a string
      buffer: nothing is written anywhere (``x12valid`` writes ``<input>.997`` next to the input).
    * A UTF-8 byte-order mark and leading white space are removed first (pyx12 requires the first
      106 characters to be the ISA).  The rest is decoded as UTF-8; pyx12 then reports any
      character outside the X12 character sets as an element error.
    * pyx12's logging is silenced, and stdout/stderr captured, for the duration of the call.

Errors and positions
    pyx12's "line" (``X12Reader.get_cur_line()``, the ``Line:`` of its log) is not a text line: it
    counts the segments it has read, the ISA being 1, across all interchanges of the file.  That is
    the scrubber's segment ordinal (``scrubber.read``: every non-empty segment, ISA = 1) with two
    exceptions, both handled here by splitting the text the way each reader does:

    * pyx12 stops reading at the first empty segment (two terminators in a row, or only line breaks
      between them) and silently ignores everything after it; the scrubber skips it and goes on.
      If segments are left unread, a file-level ``NOT_READ`` error is added and ``ok`` is False,
      because pyx12's verdict then covers only part of the file.
    * A segment holding only blanks/tabs is read (or crashes) by pyx12 but has no scrubber ordinal
      (its errors get ``ordinal=None``).

    The 999's IK302 is a different count: the position inside the transaction set (ST = 1).

    Every error reaches pyx12's error handler while the segment it belongs to is processed, and
    pyx12 calls the document callback once each segment is done, so each error gets the ordinal of
    the segment being processed (or the line pyx12 gave with it).  Errors raised after the last
    segment (missing SE/GE/IEA trailers) are file-level (``ordinal=None``, segment = the missing
    trailer).  ``IGError.segment`` is the id of the segment at ``ordinal``; for "Mandatory
    segment/loop missing" pyx12 names the missing segment in the message (and in the 999 IK301)
    but reports it at the segment where it noticed the gap.  ``IGError.element`` is pyx12's
    reference designator (``NM108``, ``CLM05-01``) for element errors, None otherwise.  Codes are
    pyx12's and overlap between levels (interchange ``001``-``031``, group/transaction/segment
    ``1``-``8`` and pyx12's own ``HL1``, ``HL2``, ``LX``, ``SEG1``, element ``1``-``10``).  Messages
    are pyx12's and may quote data values (an invalid code, an invalid character).

    ``ok`` is pyx12's verdict, so ``errors`` can be non-empty while ``ok`` is True: pyx12 reports
    a segment-level error on an envelope segment (a leading space before GS, ST, GE, IEA) but drops
    it from its own error tree, which decides the verdict and the 999.

    When pyx12 cannot process a file at all (not an X12 interchange, undecodable bytes, no map for
    the version: pyx12 4.0 has no map for ``005010X222A2``, only ``X222A1``) the result is
    ``ok=False`` with a file-level error whose code is ``X12Error``, ``UnicodeDecodeError``,
    ``EngineError`` (...) and whose message says why.  Nothing is raised.

Performance
    pyx12 validates about 250-300 claims a second on one core (map walking), plus a fixed cost per
    call to load the maps: ~0.15 s for an 837 map, parsed from its XML on every call.  The maps are
    loaded once per process here instead (:data:`MAP_CACHE`): pyx12 4.0 keeps its walk's counts in
    the walker (``nodeCounter``), not in the map, so a map object serves any number of documents
    (tests/test_validate.py checks that a cached run reports what fresh maps do, errors and 999s).
    pyx12's streaming tokenizer alone reads ~50,000 claims/s (DESIGN.md section 3).  This stage
    is optional: run it when an implementation-guide verdict or a 999 is wanted, and to judge a
    corrected file.  Calls are serialised by a lock (pyx12's error-handler class and map loader are
    swapped during the call); run files in separate processes to use several cores.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyx12.error_handler
import pyx12.errors
import pyx12.map_if
import pyx12.params
import pyx12.rawx12file
import pyx12.x12n_document

__all__ = ["IGError", "Validation", "validate", "validate_file"]

_BOM = b"\xef\xbb\xbf"
NOT_READ = "NOT_READ"
# The trailer whose absence pyx12 reports, at end of file, as an interchange/group/set error.
_TRAILER = {"isa": "IEA", "gs": "GE", "st": "SE"}


@dataclass(frozen=True)
class IGError:
    ordinal: int | None  # 1-based segment ordinal (ISA = 1, as the scrubber counts); None: file-level
    segment: str  # segment id, e.g. "NM1" ("" when the file could not be read)
    element: str | None  # e.g. "NM108" or None
    code: str  # pyx12's error code
    message: str  # pyx12's message (one line)


@dataclass
class Validation:
    ok: bool  # pyx12's verdict (what x12valid prints as OK / Failure)
    errors: list[IGError]
    ack: str | None  # the 999 acknowledgement text when requested


# --------------------------------------------------------------------------------------------------
# pyx12 plumbing


class _Params(pyx12.params.ParamsBase):
    """pyx12 run-time parameters, set here and nowhere else.

    ``ParamsBase.__init__`` is deliberately not called (it guesses a map directory from
    ``sys.argv[0]``), and no configuration file is read (``ParamsUnix`` reads two).
    """

    def __init__(self) -> None:
        self.logger = logging.getLogger("pyx12.params")
        self.params = {
            "map_path": None,  # unused by x12n_document: maps come from the pyx12 package
            "exclude_external_codes": None,
            "charset": "E",
            "simple_dtd": "",
            "xmlout": "simple",
        }


class _Collector:
    """Errors as pyx12 reports them, each tagged with pyx12's line (segments read, ISA = 1)."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str, str, str | None, int | None]] = []
        self.found: list[tuple[int | None, str, str, str, str | None]] = []  # line, kind, code, msg, ele
        self.seg_ids: dict[int, str] = {}
        self.lines_read = 0

    def add(self, kind: str, code: Any, msg: Any, element: str | None = None, line: int | None = None):
        self.pending.append((kind, str(code), _one_line(msg), element, line))

    def segment_done(self, seg: Any, src: Any, node: Any, valid: Any) -> None:
        """pyx12's document callback: called after each segment, its errors all reported."""
        line = src.get_cur_line()
        self.lines_read = line
        self.seg_ids[line] = seg.get_seg_id()
        self.flush(line)

    def flush(self, line: int | None) -> None:
        for kind, code, msg, element, src_line in self.pending:
            self.found.append((src_line or line, kind, code, msg, element))
        self.pending.clear()


_local = threading.local()
_LOCK = threading.Lock()
MAP_CACHE = True  # reuse each pyx12 map object across calls (False: pyx12 parses it every call)
_MAPS: dict[tuple[str, str | None], Any] = {}
_load_map = pyx12.map_if.load_map_file


def _cached_map(map_file: str, param: Any, map_path: str | None = None) -> Any:
    """pyx12's ``load_map_file``, once per map file and folder in this process (the parameters
    are always :class:`_Params`' defaults)."""
    key = (map_file, map_path)
    found = _MAPS.get(key)
    if found is None:
        found = _MAPS[key] = _load_map(map_file, param, map_path)
    return found


class _RecordingErrHandler(pyx12.error_handler.err_handler):
    """pyx12's error handler, also telling the collector of this thread's call every error."""

    def __init__(self) -> None:
        super().__init__()
        self._collector: _Collector | None = getattr(_local, "collector", None)

    def isa_error(self, err_cde, err_str):
        if self._collector is not None:
            self._collector.add("isa", err_cde, err_str)
        super().isa_error(err_cde, err_str)

    def gs_error(self, err_cde, err_str):
        if self._collector is not None:
            self._collector.add("gs", err_cde, err_str)
        super().gs_error(err_cde, err_str)

    def st_error(self, err_cde, err_str):
        if self._collector is not None:
            self._collector.add("st", err_cde, err_str)
        super().st_error(err_cde, err_str)

    def seg_error(self, err_cde, err_str, err_value=None, src_line=None):
        if self._collector is not None:
            self._collector.add("seg", err_cde, err_str, None, src_line)
        super().seg_error(err_cde, err_str, err_value, src_line)

    def ele_error(self, err_cde, err_str, bad_value, refdes=None):
        if self._collector is not None:
            self._collector.add("ele", err_cde, err_str, refdes or None)
        super().ele_error(err_cde, err_str, bad_value, refdes)


@contextlib.contextmanager
def _pyx12_session(collector: _Collector) -> Iterator[None]:
    """Serialise the call, install the recording error handler, silence pyx12 and stdio."""
    with _LOCK:
        logger = logging.getLogger("pyx12")
        saved = (logger.level, logger.propagate, logger.handlers)
        original = pyx12.error_handler.err_handler
        _local.collector = collector
        pyx12.error_handler.err_handler = _RecordingErrHandler
        if MAP_CACHE:
            pyx12.map_if.load_map_file = _cached_map
        # Children without a level of their own are cut off by the level; those that set one
        # (pyx12.error_997/999 set DEBUG) reach only the NullHandler, so logging's last-resort
        # handler never prints to stderr either.
        logger.handlers = [logging.NullHandler()]
        logger.propagate = False
        logger.setLevel(logging.CRITICAL + 1)
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                yield
        finally:
            pyx12.error_handler.err_handler = original
            pyx12.map_if.load_map_file = _load_map
            _local.collector = None
            logger.handlers = saved[2]
            logger.propagate = saved[1]
            logger.setLevel(saved[0])


# --------------------------------------------------------------------------------------------------
# segment layout: pyx12 lines -> scrubber ordinals


@dataclass
class _Layout:
    ordinals: list[int | None]  # scrubber ordinal of pyx12 line i + 1 (None: blank segment)
    ids: list[str]  # segment id of pyx12 line i + 1, as split here
    read_upto: int  # last scrubber ordinal before pyx12 stops reading
    total: int  # scrubber ordinals in the file (with an unterminated last segment)
    stopped: bool  # pyx12 stops at an empty segment
    tail_id: str | None  # id of an unterminated last segment, which pyx12 never reads


def _layout(text: str, seg_term: str, ele_term: str) -> _Layout:
    drop_breaks = seg_term not in "\r\n"
    pieces = text.split(seg_term)
    tail = pieces.pop()  # after the last terminator: pyx12 does not read it
    ordinals: list[int | None] = []
    ids: list[str] = []
    n = 0
    read_upto: int | None = None
    for piece in pieces:
        clean = piece.replace("\r", "").replace("\n", "") if drop_breaks else piece
        counted = bool(clean.strip(" \t\r\n"))
        if counted:
            n += 1
        if read_upto is None:
            seen = piece.lstrip("\n\r")  # RawX12File
            if not seen:
                read_upto = n
                continue
            ordinals.append(n if counted else None)
            ids.append(seen.lstrip().split(ele_term, 1)[0])
    stopped = read_upto is not None
    if read_upto is None:
        read_upto = n
    tail_clean = tail.replace("\r", "").replace("\n", "") if drop_breaks else tail
    tail_id = None
    if tail_clean.strip():
        n += 1
        tail_id = tail_clean.strip().split(ele_term, 1)[0]
    return _Layout(ordinals, ids, read_upto, n, stopped, tail_id)


# --------------------------------------------------------------------------------------------------
# public API


def validate(data: bytes, *, want_ack: bool = False) -> Validation:
    """Validate X12 bytes against pyx12's implementation-guide maps.  Never raises."""
    try:
        return _validate(data, want_ack)
    except Exception as exc:  # defensive: any surprise is a file-level failure, not a crash
        return _failed(type(exc).__name__, f"validation failed: {exc}")


def validate_file(path: str, *, want_ack: bool = False) -> Validation:
    """Validate the file at ``path`` (read only; nothing is written next to it).  Never raises."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return _failed(type(exc).__name__, f"cannot read the file: {exc.strerror or exc}")
    return validate(data, want_ack=want_ack)


def _failed(code: str, message: str, errors: list[IGError] | None = None) -> Validation:
    return Validation(False, [*(errors or []), IGError(None, "", None, code, _one_line(message))], None)


def _one_line(value: Any) -> str:
    return " ".join(str(value).splitlines()).strip()


def _validate(data: bytes, want_ack: bool) -> Validation:
    skipped = 0
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
        skipped = len(_BOM)
    stripped = data.lstrip()
    skipped += len(data) - len(stripped)
    if not stripped:
        return _failed("X12Error", "empty file: no ISA segment")
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _failed(
            "UnicodeDecodeError",
            f"not a text file pyx12 can read: undecodable byte 0x{stripped[exc.start]:02x} "
            f"at byte {skipped + exc.start}",
        )
    try:
        raw = pyx12.rawx12file.RawX12File(io.StringIO(text))
    except pyx12.errors.X12Error as exc:
        return _failed("X12Error", f"not an X12 interchange pyx12 can read: {exc}")
    layout = _layout(text, raw.seg_term, raw.ele_term)

    collector = _Collector()
    ack_buffer = io.StringIO() if want_ack else None
    failure: Exception | None = None
    ok = False
    with _pyx12_session(collector):
        try:
            ok = bool(
                pyx12.x12n_document.x12n_document(
                    _Params(),
                    io.StringIO(text),
                    ack_buffer,
                    None,
                    map_path=None,
                    callback=collector.segment_done,
                )
            )
        except Exception as exc:  # pyx12 gave up part-way: EngineError "Map not found", ...
            failure = exc
    # Errors still pending belong to the segment pyx12 was on when it raised, or, after a normal
    # end, to no segment (trailers missing at end of file).
    collector.flush(collector.lines_read + 1 if failure is not None else None)

    errors = [_ig_error(layout, collector, *found) for found in collector.found]
    if failure is not None:
        at = _position(layout, collector.lines_read + 1)
        return _failed(type(failure).__name__, f"pyx12 cannot validate this file{at}: {failure}", errors)

    if layout.stopped and layout.total > layout.read_upto:
        first = layout.read_upto + 1
        unread = f"segment {first}" if first == layout.total else f"segments {first}-{layout.total}"
        errors.append(
            IGError(
                None,
                "",
                None,
                NOT_READ,
                f"pyx12 stops reading at an empty segment (a doubled segment terminator) after segment "
                f"{layout.read_upto}: {unread} not validated",
            )
        )
        ok = False
    elif layout.tail_id is not None:
        errors.append(
            IGError(
                layout.total,
                layout.tail_id,
                None,
                NOT_READ,
                "the last segment has no segment terminator: pyx12 does not read it",
            )
        )
        ok = False

    ack = ack_buffer.getvalue() if ack_buffer is not None else None
    return Validation(ok, errors, ack or None)


def _position(layout: _Layout, line: int) -> str:
    """Where pyx12 line ``line`` is, in the scrubber's terms, for a message."""
    if not 1 <= line <= len(layout.ordinals):
        return ""
    ordinal = layout.ordinals[line - 1]
    if ordinal is not None:
        return f" at segment {ordinal}"
    before = next((o for o in reversed(layout.ordinals[: line - 1]) if o is not None), 0)
    return f" at a segment of blanks after segment {before}"


def _ig_error(
    layout: _Layout,
    collector: _Collector,
    line: int | None,
    kind: str,
    code: str,
    message: str,
    element: str | None,
) -> IGError:
    if line is None or not 1 <= line <= len(layout.ordinals):
        return IGError(None, _TRAILER.get(kind, ""), element, code, message)
    segment = collector.seg_ids.get(line) or layout.ids[line - 1]
    return IGError(layout.ordinals[line - 1], segment, element, code, message)
