"""Envelope and loop structure (SNIP types 1-2 as far as a scrubber needs them).

Batch-scoped edits receive the envelope records the builder emits: a ``Trailer`` for every
ST/SE, GS/GE and ISA/IEA pair (``trailer`` is None when the file ended first) and a final
``FileEnd``.
"""

from scrubber.build837 import FileEnd
from scrubber.findings import Fix, Hits, hit
from scrubber.model import Trailer, to_count
from scrubber.registry import Family

FAMILY = Family("structure", "Envelope control numbers, counts, HL hierarchy and required loops")

_TRAILER = {
    "ST": ("SE", "SE02", "SE01", "segments"),
    "GS": ("GE", "GE02", "GE01", "transaction sets"),
    "ISA": ("IEA", "IEA02", "IEA01", "functional groups"),
}
_HEADER_CONTROL = {"ST": "ST02", "GS": "GS06", "ISA": "ISA13"}


def _control_mismatch(kind: str):
    def check(record, ctx):
        if not isinstance(record, Trailer) or record.kind != kind or record.trailer is None:
            return
        if record.trailer_control.strip() != record.control.strip():
            element = _TRAILER[kind][1]
            loc = record.trailer.at(element)
            yield hit(
                loc,
                record.trailer_control,
                record.control,
                header=_HEADER_CONTROL[kind],
                fix=Fix(
                    "set",
                    loc,
                    record.control,
                    record.trailer_control,
                    "safe",
                    f"Set {element} to {record.control}",
                ),
            )

    return check


def _count_mismatch(kind: str):
    def check(record, ctx):
        if not isinstance(record, Trailer) or record.kind != kind or record.trailer is None:
            return
        declared = record.declared_count.strip()
        if to_count(declared) == record.counted:
            return
        element = _TRAILER[kind][2]
        loc = record.trailer.at(element)
        yield hit(
            loc,
            declared or "(blank)",
            record.counted,
            what=_TRAILER[kind][3],
            fix=Fix(
                "set",
                loc,
                str(record.counted),
                record.declared_count,
                "safe",
                f"Set {element} to {record.counted}",
            ),
        )

    return check


_CONTROL_DOC = """
    What it checks:
        The trailer's control number ({trailer}) repeats the header's ({header}).
    Why it matters:
        Receivers reject the whole {level} when the pair does not match (X12 envelope rule,
        SNIP type 1); nothing inside it is adjudicated.
"""
_COUNT_DOC = """
    What it checks:
        {element} states how many {what} the {level} holds; the scrubber counts them.
    Why it matters:
        A wrong count makes the receiver reject the {level} at the envelope check (SNIP type 1),
        usually with a TA1 or 999 rejection and no claim processed.
"""

for _kind, _cid, _nid, _level in (
    ("ISA", "STR001", "STR006", "interchange"),
    ("GS", "STR002", "STR005", "functional group"),
    ("ST", "STR003", "STR004", "transaction set"),
):
    _trailer, _tctl, _tcount, _what = _TRAILER[_kind]
    FAMILY.edit(
        _cid,
        name=f"{_kind.lower()}-{_trailer.lower()}-control-mismatch",
        category="structure",
        severity="error",
        scope="batch",
        fix="safe",
        references=("X12 5010 envelope", "RULES.md H.1"),
        message=f"{_tctl} {{value}} does not match {{header}} {{expected}}",
        examples={"fail": f"{_kind}…control 0001 … {_trailer}…control 0002"},
    )(
        _control_mismatch(_kind),
        _CONTROL_DOC.format(trailer=_tctl, header=_HEADER_CONTROL[_kind], level=_level),
    )
    FAMILY.edit(
        _nid,
        name=f"{_trailer.lower()}-count-wrong",
        category="structure",
        severity="error",
        scope="batch",
        fix="safe",
        references=("X12 5010 envelope", "RULES.md H.1"),
        message=f"{_tcount} says {{value}} {{what}}; the {_level} holds {{expected}}",
        examples={"fail": f"{_tcount} states 25 while the {_level} holds 24 {_what}"},
    )(_count_mismatch(_kind), _COUNT_DOC.format(element=_tcount, what=_what, level=_level))


_PARENT_LEVEL = {"20": "", "22": "20", "23": "22"}


@FAMILY.edit(
    "STR007",
    name="hl-chain-broken",
    category="structure",
    severity="error",
    scope="batch",
    message="HL {hl}: {problem}",
    references=("005010X222A1 2000A-2000C", "RULES.md H.1"),
    examples={"fail": "HL*1**20*1~ … HL*2*7*22*0~ (parent 7 does not exist)"},
)
def hl_chain_broken(record, ctx):
    """
    What it checks:
        Within a transaction, HL01 ids run 1, 2, 3 … without gaps or repeats; every HL02 parent
        is an earlier HL; a subscriber (22) hangs under a billing provider (20), a patient (23)
        under a subscriber (22), and a billing provider has no parent; HL04 says 1 exactly when
        the HL has children.
    Why it matters:
        The HL tree tells the payer whose claim it is. A broken chain attaches claims to the wrong
        provider or member, or gets the transaction rejected (SNIP type 2).
    """
    hits = Hits()
    if not isinstance(record, Trailer) or record.kind != "ST":
        return hits
    levels: dict[str, str] = {}
    children: set[str] = set()
    for node in record.hl_nodes:
        if node.parent:
            children.add(node.parent)
    for expected, node in enumerate(record.hl_nodes, start=1):
        loc = node.ref.at("HL01")
        if node.id != str(expected):
            hits.add(
                loc,
                node.id,
                expected,
                hl=node.id or "?",
                problem=f"id {node.id or '(blank)'} out of sequence, expected {expected}",
            )
        if node.level in _PARENT_LEVEL:
            want = _PARENT_LEVEL[node.level]
            if want == "" and node.parent:
                hits.add(
                    node.ref.at("HL02"),
                    node.parent,
                    "",
                    hl=node.id,
                    problem="a billing provider HL (20) must not have a parent",
                )
            elif want and node.parent not in levels:
                hits.add(
                    node.ref.at("HL02"),
                    node.parent or "(blank)",
                    None,
                    hl=node.id,
                    problem=f"parent {node.parent or '(blank)'} is not an earlier HL",
                )
            elif want and levels[node.parent] != want:
                hits.add(
                    node.ref.at("HL02"),
                    node.parent,
                    None,
                    hl=node.id,
                    problem=f"level {node.level} must hang under a level {want} HL, "
                    f"not {levels[node.parent]}",
                )
        else:
            hits.add(
                node.ref.at("HL03"),
                node.level,
                "20, 22 or 23",
                hl=node.id,
                problem=f"level code {node.level or '(blank)'} is not used in an 837",
            )
        has_children = node.id in children
        if node.child_code in ("0", "1") and (node.child_code == "1") != has_children:
            hits.add(
                node.ref.at("HL04"),
                node.child_code,
                "1" if has_children else "0",
                hl=node.id,
                problem=f"HL04 is {node.child_code} but the HL "
                f"{'has' if has_children else 'has no'} children",
            )
        levels.setdefault(node.id, node.level)
    return hits


@FAMILY.edit(
    "STR008",
    name="envelope-not-closed",
    category="structure",
    severity="error",
    scope="batch",
    message="The file ends before the {trailer} closing {header} {control}; it may have been cut short",
    references=("X12 5010 envelope",),
    examples={"fail": "… LX*3~SV1*HC:96375*55*UN*1***1~ (end of file, no SE/GE/IEA)"},
)
def envelope_not_closed(record, ctx):
    """
    What it checks:
        Every ST, GS and ISA has its SE, GE and IEA trailer. Claims read before the cut are still
        checked and reported.
    Why it matters:
        A file without its trailers was cut off in transfer or export; the receiver rejects it and
        claims after the cut are missing. Re-export the batch.
    """
    hits = Hits()
    if isinstance(record, Trailer) and record.trailer is None:
        trailer = _TRAILER[record.kind][0]
        hits.add(
            record.header.at(_HEADER_CONTROL[record.kind]),
            None,
            trailer,
            trailer=trailer,
            header=record.kind,
            control=record.control or "(blank)",
        )
    return hits


@FAMILY.edit(
    "STR009",
    name="claim-loop-missing",
    category="structure",
    severity="error",
    scope="claim",
    message="Claim lacks {loop}",
    references=("005010X222A1", "005010X223A2", "RULES.md H.2"),
    examples={"fail": "CLM*A1*100***11:B:1*Y*A*Y*Y~ with no HI segment"},
)
def claim_loop_missing(claim, ctx):
    """
    What it checks:
        A claim needs a billing provider (2010AA NM1*85), a subscriber (2010BA NM1*IL) and payer
        (2010BB NM1*PR) under its HL, diagnosis codes (2300 HI) and at least one service line
        with its SV1 (837P) or SV2 (837I).
    Why it matters:
        Without these loops the claim cannot be adjudicated and is rejected at intake.
    """
    hits = Hits()
    for loop in claim.missing:
        hits.add(claim.ref.at(), None, loop, loop=loop)
    return hits


@FAMILY.edit(
    "STR010",
    name="version-mismatch",
    category="structure",
    severity="warning",
    scope="batch",
    message="{what}",
    references=("X12 5010 envelope",),
    examples={"fail": "GS08 005010X222A1 with ST03 005010X223A2"},
)
def version_mismatch(record, ctx):
    """
    What it checks:
        ST03 names the same implementation guide as the enclosing GS08, and an interchange that
        carries 5010 groups says so in ISA12 (00501).
    Why it matters:
        Receivers pick the implementation guide from GS08/ST03; when they disagree, the file may
        be validated against the wrong guide (professional vs institutional) and rejected.
    """
    hits = Hits()
    if not isinstance(record, Trailer):
        return hits
    if (
        record.kind == "ST"
        and record.version
        and record.group_version
        and record.version != record.group_version
    ):
        hits.add(
            record.header.at("ST03"),
            record.version,
            record.group_version,
            what=f"ST03 {record.version} differs from GS08 {record.group_version}",
        )
    if record.kind == "ISA" and record.version == "00401" and record.counted:
        hits.add(
            record.header.at("ISA12"),
            record.version,
            "00501",
            what="ISA12 is 00401 (4010) around 5010 functional groups; use 00501",
        )
    return hits


@FAMILY.edit(
    "STR011",
    name="segment-unterminated",
    category="structure",
    severity="warning",
    scope="batch",
    message="The last segment ({segment}) has no segment terminator",
    references=("X12 5010 syntax",),
    examples={"fail": "…GE*1*1~IEA*1*000000001 (no final ~)"},
)
def segment_unterminated(record, ctx):
    """
    What it checks:
        The file's last segment ends with the segment terminator declared in the ISA.
    Why it matters:
        Strict receivers drop or reject a final segment without its terminator; when it is the
        IEA the whole interchange is rejected.
    """
    hits = Hits()
    if isinstance(record, FileEnd) and record.unterminated and record.last is not None:
        hits.add(record.last.at(), None, None, segment=record.last.segment)
    return hits


FAMILY.declare(
    "STR012",
    name="implementation-guide-error",
    category="structure",
    severity="error",
    scope="batch",
    message="pyx12 implementation-guide validation (code {value}): {detail}",
    references=("005010X222A1 / 005010X223A2 via pyx12", "RULES.md H (SNIP types 1-2)"),
    examples={"fail": "NM1*41*2*SUBMITTER*****ZZ*123~ (NM108 ZZ is not a valid code there)"},
    doc="""
    What it checks:
        Emitted when pyx12's full implementation-guide validation runs (scrub check --validate, or
        validate = true): every error pyx12 reports, on the claim that holds the segment.
    Why it matters:
        These are the SNIP type 1-2 errors a receiver's front end rejects the file or claim for
        (required loops and elements, code values, element formats, repeat counts).
    """,
)
