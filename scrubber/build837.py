"""Segments -> claim model, for 837P (005010X222) and 837I (005010X223) in one place.

A small loop builder instead of pyx12's map walker: HL levels 20/22/23 open the provider,
subscriber and patient loops, CLM opens 2300, LX opens 2400, LIN opens 2410, NM1 qualifiers name
the 2010/2310/2420 loops, SBR inside a claim opens 2320 (other payers, not modelled further).

``build(segments, file)`` is a generator of records in file order: a :class:`Claim` when the
claim is complete, a :class:`Trailer` when an ST, GS or ISA closes (or is left open at the end of
the file) and a final :class:`FileEnd`.  Bad business data never raises; only input that is not a
5010 837 at all raises :class:`~scrubber.read.InputError` (another transaction set, version 4010).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .model import (
    Claim,
    Diagnosis,
    Drug,
    Envelope,
    HLNode,
    Loc,
    Note,
    Party,
    SegRef,
    ServiceLine,
    Subscriber,
    Trailer,
    date_span,
    service_date,
    to_count,
)
from .read import InputError, Segment, SegmentReader

DX_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN", "BK", "BF", "BJ", "PR", "BN"})
POINTER_DX_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})
ENVELOPE_SEGMENTS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA", "HL"})
HI_ELEMENTS = tuple(f"HI{index:02d}-2" for index in range(13))  # HI01-2 .. HI12-2, by element index


@dataclass(frozen=True, slots=True)
class FileEnd:
    last: SegRef | None
    unterminated: bool  # the last segment had no segment terminator


def transaction_kind(version: str) -> str | None:
    if "X222" in version:
        return "837P"
    if "X223" in version:
        return "837I"
    return None


# the widths of ISA (the id) and ISA01..ISA16: 106 characters with separators and terminator
ISA_WIDTHS = (3, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


class _Open:
    """An envelope level being read."""

    __slots__ = ("kind", "ref", "control", "count", "version", "group_version", "hl")

    def __init__(self, kind: str, ref: SegRef, control: str, version: str = "", group_version: str = ""):
        self.kind = kind
        self.ref = ref
        self.control = control
        self.count = 0
        self.version = version
        self.group_version = group_version
        self.hl: list[HLNode] = []

    def close(self, trailer: Segment | None, counted: int) -> Trailer:
        return Trailer(
            kind=self.kind,
            header=self.ref,
            control=self.control,
            trailer=SegRef(trailer.ordinal, trailer.id, "") if trailer else None,
            trailer_control=trailer.get(2) if trailer else "",
            declared_count=trailer.get(1) if trailer else "",
            counted=counted,
            version=self.version,
            group_version=self.group_version,
            hl_nodes=tuple(self.hl),
        )


class _LineDraft:
    """A 2400 loop being read: the handlers fill in ``record`` (a ServiceLine) as its segments come;
    ``finish`` adds the repeated parts."""

    __slots__ = ("record", "notes", "drugs", "others")

    def __init__(self, lx: Segment, loop: str):
        text = lx.elements[1] if len(lx.elements) > 1 else ""
        number = to_count(text, 9)
        self.record = ServiceLine(number, SegRef(lx.ordinal, "LX", loop), None)
        self.notes: list[Note] = []
        self.drugs: list[Drug] = []
        self.others: list[Party] = []

    def finish(self) -> ServiceLine:
        line = self.record
        if self.notes:
            line.notes = tuple(self.notes)
        if self.drugs:
            line.drugs = tuple(self.drugs)
        if self.others:
            line.other_parties = tuple(self.others)
        return line


class _ClaimDraft:
    """A 2300 loop being read: ``record`` (a Claim) is filled in by the handlers."""

    __slots__ = ("record", "diagnoses", "notes", "others", "lines", "last_ordinal")

    def __init__(self, clm: Segment, comp: str, builder: Builder, envelope: Envelope):
        e = clm.padded(6)
        facility = e[5].split(comp)
        self.record = Claim(
            builder.kind or "837P",
            builder.file,
            envelope,
            SegRef(clm.ordinal, "CLM", "2300"),
            e[1],
            e[2],
            facility[0],
            facility[1] if len(facility) > 1 else "",
            facility[2] if len(facility) > 2 else "",
            builder.hl,
            builder.submitter,
            builder.billing,
            builder.subscriber,
            builder.patient,
        )
        self.diagnoses: list[Diagnosis] = []
        self.notes: list[Note] = []
        self.others: list[Party] = []
        self.lines: list[_LineDraft] = []
        self.last_ordinal = clm.ordinal

    def finish(self) -> Claim:
        claim = self.record
        lines = tuple([d.finish() for d in self.lines])
        missing = []
        if claim.hl is None:
            missing.append("2000B subscriber HL before the claim")
        if claim.billing_provider is None:
            missing.append("2010AA billing provider (NM1*85)")
        sub = claim.subscriber
        if sub is None or sub.person is None:
            missing.append("2010BA subscriber (NM1*IL)")
        if sub is None or sub.payer is None:
            missing.append("2010BB payer (NM1*PR)")
        if not self.diagnoses:
            missing.append("2300 HI diagnosis codes")
        if not lines:
            missing.append("2400 service line (LX)")
        elif any(ln.service is None for ln in lines):
            missing.append("2400 service segment (SV1/SV2) on a line")
        claim.diagnoses = tuple(self.diagnoses)
        claim.notes = tuple(self.notes)
        claim.other_parties = tuple(self.others)
        claim.lines = lines
        claim.segments = self.last_ordinal - claim.ref.ordinal + 1
        claim.missing = tuple(missing)
        claim.service_date = service_date(lines, claim.statement_from)
        return claim


class Builder:
    """Feed segments, get records.  One instance per file."""

    def __init__(self, file: str, component: str = ":", claims: bool = True):
        """``claims=False`` reads only the envelope and HL hierarchy (scrubber/parallel.py builds
        the claims in worker processes)."""
        self.file = file
        self.comp = component
        self.isa: _Open | None = None
        self.gs: _Open | None = None
        self.st: _Open | None = None
        self.kind = ""
        self.area = ""
        self.submitter: Party | None = None
        self.billing: Party | None = None
        self.subscriber: Subscriber | None = None
        self.patient: Party | None = None
        self.hl: SegRef | None = None
        self.claim: _ClaimDraft | None = None
        self.line: _LineDraft | None = None
        self.last: Segment | None = None
        self._handlers = {name[5:]: getattr(self, name) for name in dir(self) if name.startswith("_seg_")}
        if not claims:
            self._handlers = {k: v for k, v in self._handlers.items() if k in ENVELOPE_SEGMENTS}

    # -- helpers -------------------------------------------------------------------------------
    def _party(self, seg: Segment, loop: str) -> Party:
        e = seg.padded(10)
        return Party(e[1], SegRef(seg.ordinal, "NM1", loop), e[3], e[4], e[8], e[9])

    def _close_claim(self, end: int) -> list[Claim]:
        """Finish the open claim, whose last segment is at ordinal ``end``."""
        if self.claim is None:
            return []
        claim, self.claim, self.line = self.claim, None, None
        claim.last_ordinal = end
        return [claim.finish()]

    # -- main loop -----------------------------------------------------------------------------
    def finish(self, unterminated: bool = False) -> Iterator:
        end = self.last.ordinal if self.last is not None else 0
        yield from self._close_levels("isa", end)
        last = self.last
        yield FileEnd(SegRef(last.ordinal, last.id, "") if last else None, unterminated)

    # -- envelope ------------------------------------------------------------------------------
    def _seg_ISA(self, seg: Segment):
        # the file's first ISA was measured by the reader; a later one must be as fixed width, or
        # the control numbers read from it (and what gate and fix write from it) are shifted
        if len(seg.elements) != 17 or tuple(map(len, seg.elements)) != ISA_WIDTHS:
            raise InputError(
                "ISA is not fixed width; a 5010 ISA is 16 elements in exactly 106 characters",
                segment=seg.ordinal,
            )
        if seg.elements[16] != self.comp:
            raise InputError(
                "ISA16 names another component separator than the file's first ISA", segment=seg.ordinal
            )
        out = self._close_levels("isa", seg.ordinal - 1)
        self.isa = _Open("ISA", SegRef(seg.ordinal, "ISA", ""), seg.get(13), version=seg.get(12))
        return out

    def _st_segments(self, end: int) -> int:
        """Segments from the open ST through ordinal ``end``: what SE01 should say."""
        return end - self.st.ref.ordinal + 1 if self.st is not None else 0

    def _seg_GS(self, seg: Segment):
        out = self._close_levels("gs", seg.ordinal - 1)
        version = seg.get(8)
        if version.startswith("00401"):
            raise InputError(
                f"version 4010 functional group (GS08 {version}); only 5010 837 files are supported",
                segment=seg.ordinal,
            )
        if self.isa is not None:
            self.isa.count += 1
        self.gs = _Open("GS", SegRef(seg.ordinal, "GS", ""), seg.get(6), version=version)
        return out

    def _seg_ST(self, seg: Segment):
        out = self._close_levels("st", seg.ordinal - 1)
        st01, version = seg.get(1), seg.get(3)
        group_version = self.gs.version if self.gs else ""
        if st01 != "837":
            raise InputError(f"transaction set {st01 or '(blank)'} is not an 837 claim", segment=seg.ordinal)
        effective = version or group_version
        if effective.startswith("00401"):
            raise InputError(
                f"version 4010 transaction ({effective}); only 5010 837 files are supported",
                segment=seg.ordinal,
            )
        kind = transaction_kind(effective) or transaction_kind(group_version)
        if kind is None:
            raise InputError(
                f"unsupported 837 implementation guide {effective or '(blank)'}; "
                "expected 005010X222 (837P) or 005010X223 (837I)",
                segment=seg.ordinal,
            )
        if self.gs is not None:
            self.gs.count += 1
        self.kind = kind
        self.st = _Open(
            "ST", SegRef(seg.ordinal, "ST", ""), seg.get(2), version=version, group_version=group_version
        )
        self.area = "header"
        self.billing = self.subscriber = self.patient = self.submitter = None
        self.hl = None
        return out

    def _close_levels(self, upto: str, end: int, trailer: Segment | None = None) -> list:
        """Close the open claim and the envelope levels from ST out to ``upto`` ("st", "gs" or
        "isa"); ``trailer`` is the SE/GE/IEA that closes ``upto`` itself (None: it was missing).
        ``end`` is the ordinal of the last segment inside the closed levels."""
        out = self._close_claim(end)
        for name in ("st", "gs", "isa"):
            level = getattr(self, name)
            if level is not None:
                own = trailer if name == upto else None
                counted = self._st_segments(own.ordinal if own else end) if name == "st" else level.count
                out.append(level.close(own, counted))
                setattr(self, name, None)
            if name == upto:
                break
        return out

    def _seg_SE(self, seg: Segment):
        self.area = ""
        return self._close_levels("st", seg.ordinal - 1, seg)

    def _seg_GE(self, seg: Segment):
        return self._close_levels("gs", seg.ordinal - 1, seg)

    def _seg_IEA(self, seg: Segment):
        return self._close_levels("isa", seg.ordinal - 1, seg)

    # -- hierarchy -----------------------------------------------------------------------------
    def _seg_HL(self, seg: Segment):
        out = self._close_claim(seg.ordinal - 1)
        ref = SegRef(seg.ordinal, "HL", "")
        e = seg.padded(5)
        level = e[3]
        if self.st is not None:
            self.st.hl.append(HLNode(ref, e[1], e[2], level, e[4]))
        if level == "20":
            self.area = "2000A"
            self.billing = None
            self.subscriber = None
            self.patient = None
            self.hl = None
        elif level == "22":
            self.area = "2000B"
            self.subscriber = None
            self.patient = None
            self.hl = SegRef(seg.ordinal, "HL", "2000B")
        elif level == "23":
            self.area = "2000C"
            self.patient = None
            self.hl = SegRef(seg.ordinal, "HL", "2000C")
        else:
            self.area = "2000?"
        return out

    def _seg_SBR(self, seg: Segment):
        if self.claim is not None:
            self.area = "2320"  # other subscriber information: not modelled
            return None
        e = seg.padded(10)
        self.subscriber = Subscriber(SegRef(seg.ordinal, "SBR", "2000B"), e[1], e[2], e[9])
        return None

    def _seg_NM1(self, seg: Segment):
        entity = seg.get(1)
        area = self.area
        if area == "header":
            if entity == "41":
                self.submitter = self._party(seg, "1000A")
            return None
        if area in ("2000A", "2010AA", "2010AB"):
            if entity == "85":
                self.billing = self._party(seg, "2010AA")
                self.area = "2010AA"
            else:
                self.area = "2010AB"
            return None
        if area in ("2000B", "2010BA", "2010BB"):
            if entity == "IL" and self.subscriber is not None:
                self.subscriber.person = self._party(seg, "2010BA")
                self.area = "2010BA"
            elif entity == "PR" and self.subscriber is not None:
                self.subscriber.payer = self._party(seg, "2010BB")
                self.area = "2010BB"
            else:
                self.area = "2010B?"
            return None
        if area in ("2000C", "2010CA"):
            if entity == "QC":
                self.patient = self._party(seg, "2010CA")
                self.area = "2010CA"
            return None
        claim = self.claim
        if claim is None or area in ("2320", "2330"):
            if area == "2320":
                self.area = "2330"
            return None
        if self.line is not None:
            party = self._party(seg, "2300/2400/2420")
            record = self.line.record
            if entity == "82":
                record.rendering = party
            elif entity == "DQ":
                record.supervising = party
            else:
                self.line.others.append(party)
            self.area = "2420"
            return None
        party = self._party(seg, "2300/2310")
        if entity == "82":
            claim.record.rendering = party
        elif entity == "DQ":
            claim.record.supervising = party
        elif entity == "71":
            claim.record.attending = party
        else:
            claim.others.append(party)
        self.area = "2310"
        return None

    def _seg_REF(self, seg: Segment):
        qual = seg.get(1)
        if self.line is not None and self.area in ("2400",):
            if qual == "6R":
                self.line.record.ref_6r = seg.get(2)
            elif qual == "G1":
                self.line.record.prior_auth = seg.get(2)
                self.line.record.prior_auth_ref = SegRef(seg.ordinal, "REF", "2300/2400")
        elif self.claim is not None and self.area == "2300":
            if qual == "G1":
                self.claim.record.prior_auth = seg.get(2)
        elif self.area == "2010AA" and self.billing is not None and qual in ("EI", "SY"):
            self.billing.tax_id = seg.get(2)
        return None

    # -- claim ---------------------------------------------------------------------------------
    def _seg_CLM(self, seg: Segment):
        out = self._close_claim(seg.ordinal - 1)
        st = self.st
        envelope = Envelope(
            self.isa.control if self.isa else "",
            self.gs.control if self.gs else "",
            st.control if st else "",
            (st.version or st.group_version) if st else "",
        )
        self.claim = _ClaimDraft(seg, self.comp, self, envelope)
        self.line = None
        self.area = "2300"
        return out

    def _seg_HI(self, seg: Segment):
        claim = self.claim
        if claim is None or self.area != "2300":
            return None
        comp = self.comp
        dxs = claim.diagnoses
        for index, element in enumerate(seg.elements[1:], start=1):
            if not element:
                continue
            parts = element.split(comp)
            qual = parts[0]
            if qual not in DX_QUALIFIERS:
                continue
            if self.kind == "837P" and qual not in POINTER_DX_QUALIFIERS:
                continue
            dxs.append(
                Diagnosis(
                    len(dxs) + 1,
                    qual,
                    parts[1] if len(parts) > 1 else "",
                    Loc(seg.ordinal, "HI", HI_ELEMENTS[index] if index < 13 else f"HI{index:02d}-2", "2300"),
                )
            )
        return None

    def _seg_NTE(self, seg: Segment):
        if self.line is not None and self.area == "2400":
            e = seg.padded(3)
            self.line.notes.append(Note(e[1], e[2], Loc(seg.ordinal, "NTE", "NTE02", "2300/2400")))
        elif self.claim is not None and self.area == "2300":
            e = seg.padded(3)
            self.claim.notes.append(Note(e[1], e[2], Loc(seg.ordinal, "NTE", "NTE02", "2300")))
        return None

    def _seg_DTP(self, seg: Segment):
        e = seg.padded(4)
        qual = e[1]
        if self.line is not None and self.area == "2400":
            if qual == "472":
                record = self.line.record
                record.date_from, record.date_to = date_span(e[2], e[3])
                record.date_ref = SegRef(seg.ordinal, "DTP", "2300/2400")
        elif self.claim is not None and self.area == "2300" and qual == "434":
            record = self.claim.record
            record.statement_from, record.statement_to = date_span(e[2], e[3])
        return None

    def _seg_LX(self, seg: Segment):
        if self.claim is None:
            return None
        self.line = _LineDraft(seg, "2300/2400")
        self.claim.lines.append(self.line)
        self.area = "2400"
        return None

    def _seg_SV1(self, seg: Segment):
        if self.line is None:
            return None
        comp = self.comp
        e = seg.padded(8)
        proc = e[1].split(comp)
        line = self.line.record
        line.service = SegRef(seg.ordinal, "SV1", "2300/2400")
        line.proc_qualifier = proc[0]
        if len(proc) > 1:
            line.code = proc[1]
            if len(proc) > 2:
                line.modifiers = tuple(filter(None, proc[2:6]))
        line.charge_text = e[2]
        line.unit_basis = e[3]
        line.units_text = e[4]
        line.place_of_service = e[5]
        if e[7]:
            line.pointers = tuple(e[7].split(comp))
        return None

    def _seg_SV2(self, seg: Segment):
        if self.line is None:
            return None
        e = seg.padded(6)
        proc = e[2].split(self.comp) if e[2] else [""]
        line = self.line.record
        line.service = SegRef(seg.ordinal, "SV2", "2300/2400")
        line.revenue_code = e[1]
        line.proc_qualifier = proc[0]
        line.code = proc[1] if len(proc) > 1 else ""
        line.modifiers = tuple(filter(None, proc[2:6]))
        line.charge_text = e[3]
        line.unit_basis = e[4]
        line.units_text = e[5]
        return None

    def _seg_LIN(self, seg: Segment):
        if self.line is not None:
            e = seg.padded(4)
            self.line.drugs.append(Drug(SegRef(seg.ordinal, "LIN", "2300/2400/2410"), e[2], e[3]))
            self.area = "2410"
        return None

    def _seg_CTP(self, seg: Segment):
        if self.line is not None and self.area == "2410" and self.line.drugs:
            drug = self.line.drugs[-1]
            e = seg.padded(6)
            self.line.drugs[-1] = Drug(
                drug.ref,
                drug.qualifier,
                drug.ndc,
                SegRef(seg.ordinal, "CTP", "2300/2400/2410"),
                e[4],
                e[5].split(self.comp)[0],
            )
        return None

    def _seg_SVD(self, seg: Segment):
        if self.line is not None:
            self.area = "2430"
        return None

    def _seg_LQ(self, seg: Segment):
        if self.line is not None:
            self.area = "2440"
        return None


def build(reader: SegmentReader, file: str) -> Iterator:
    """Records of one file, in order; ``reader`` is consumed."""
    delimiters = reader.delimiters
    return build_runs(
        reader.blocks(), file, delimiters.element, delimiters.component, lambda: reader.unterminated
    )


def build_runs(
    runs: Iterable[tuple[int, list[str]]],
    file: str,
    element: str,
    component: str,
    unterminated: Callable[[], bool] = lambda: False,
    claims: bool = True,
) -> Iterator:
    """Records from runs of segment texts, each run ``(ordinal of its first, texts)``;
    ``unterminated`` is asked at the end of the stream.

    The per-segment loop lives here rather than in a method: it runs for every segment of every
    file.  A segment becomes a :class:`Segment` only when a handler reads it; most of a claim's
    segments (N3, N4, DMG, PRV, ...) have none.
    """
    builder = Builder(file, component, claims)
    handlers = builder._handlers
    elements: list[str] | None = None
    ordinal = 0
    for first, texts in runs:
        for ordinal, text in enumerate(texts, first):
            elements = text.split(element)
            handler = handlers.get(elements[0])
            if handler is not None:
                out = handler(Segment(ordinal, elements))
                if out:
                    yield from out
    builder.last = Segment(ordinal, elements) if elements is not None else None
    yield from builder.finish(unterminated())
