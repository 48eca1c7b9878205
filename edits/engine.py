"""Findings the engine itself raises (category ``engine``).  They have no check function: the
pipeline emits them; they are declared here so that ``scrub edits``, ``scrub explain`` and
select/ignore treat them like any other edit."""

from scrubber.registry import Family

FAMILY = Family("engine", "Problems in the scrubber run itself")

FAMILY.declare(
    "ENG001",
    name="edit-crashed",
    category="engine",
    severity="error",
    scope="claim",
    message="Edit {edit} failed on this claim ({error} at {where}); the claim was not fully checked",
    references=("DESIGN.md 1.7",),
    doc="""
    What it checks:
        Emitted by the engine when an edit raises an exception on a claim. The claim's other edits
        still run; the exception type and the place in the edit's code are reported, never the
        exception text (it could quote claim data).
    Why it matters:
        A claim that was not fully checked must not pass a gate as clean. Report the message to
        the scrubber's maintainers with the edit id.
    """,
)

FAMILY.declare(
    "ENG002",
    name="waiver-unused",
    category="engine",
    severity="warning",
    scope="batch",
    message="{waiver} waived no finding in this run; remove it or correct its scope",
    references=("DESIGN.md 1.8", "README.md Waivers"),
    doc="""
    What it checks:
        Emitted by the engine after the run for every configured waiver
        ([[tool.scrubber.waivers]]) that matched no finding: its edit, claim, payer or code no
        longer occurs. The finding's file is the configuration file.
    Why it matters:
        A stale waiver would silently let through the next claim that happens to match it. Like
        ruff's unused-noqa, unused exceptions are reported so that they are removed.
    """,
)

FAMILY.declare(
    "ENG003",
    name="waiver-expired",
    category="engine",
    severity="warning",
    scope="batch",
    message="{waiver} expired on {expires}: {count} finding(s) with a later date of service were not waived",
    references=("DESIGN.md 1.8", "README.md Waivers"),
    doc="""
    What it checks:
        Emitted by the engine after the run for every waiver whose expires date (inclusive,
        compared with each finding's date of service) excluded findings it would otherwise have
        waived; those findings count as usual. A finding with no date of service is not waived
        by a waiver that expires.
    Why it matters:
        An exception approved until a date must stop applying after it, and the people who
        approved it need to know it is being hit so they can renew or retire it.
    """,
)
