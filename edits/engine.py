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
