"""Edit metadata, families and selection by id prefix.

An edit is a plain function that returns its hits (a ``findings.Hits`` list, or None) plus an
:class:`Edit` record made by ``Family.edit``.  The generic
package name ``edits`` is imported only here (``catalog()``), so a rename touches one line.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from .findings import CATEGORIES, FIX_SAFETY, Severity
from .model import in_window

SCOPES = ("claim", "line", "batch")
TRANSACTIONS = frozenset({"837P", "837I"})
PAYER_PROFILES = ("medicare", "medicaid", "commercial")
APPLIES_TO = (None, "drug", "admin", "em", "per-diem", "modified", "ndc")


@dataclass(frozen=True)
class Edit:
    id: str
    name: str
    family: str
    category: str
    severity: Severity
    scope: str
    message: str
    check: Callable | None  # None for findings the engine emits itself
    transactions: frozenset[str] = TRANSACTIONS
    payers: tuple[str, ...] | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    references: tuple[str, ...] = ()
    fix: str | None = None
    examples: dict[str, str] = field(default_factory=dict)
    docstring: str = ""
    # Which lines (line scope) or claims (claim scope) the edit can concern, so the engine skips the
    # call elsewhere: a code kind of the code_kinds table ("drug", "admin", "em", "per-diem") or
    # "modified" (a line with modifiers), "ndc" (a line with a 2410 drug identification); None = every
    # line / claim.  A claim's kinds are the union of its lines'.
    applies_to: str | None = None

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.docstring or (self.check.__doc__ if self.check else "") or "")

    def doc_section(self, title: str) -> str:
        """The paragraph under ``title:`` in the check's docstring."""
        out, taking = [], False
        for row in self.doc.splitlines():
            if row.rstrip().endswith(":") and not row.startswith(" "):
                taking = row.rstrip(":").strip().lower() == title.lower()
                continue
            if taking:
                out.append(row.strip())
        return " ".join(x for x in out if x).strip()

    def applies_on(self, day: dt.date | None) -> bool:
        return in_window(day, self.effective_from, self.effective_to)

    @cached_property
    def templated(self) -> bool:
        """Whether the message has ``{field}`` placeholders (else ``render`` returns it as it is)."""
        return "{" in self.message or "}" in self.message

    def render(self, fields: dict) -> str:
        try:
            return self.message.format_map(fields)
        except (KeyError, IndexError, ValueError):
            return self.message


class Family:
    """A group of edits in one module of ``edits/``."""

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.edits: list[Edit] = []

    def edit(
        self,
        id: str,
        *,
        name: str,
        category: str,
        severity: str,
        scope: str,
        message: str,
        transactions: Iterable[str] = TRANSACTIONS,
        payers: Iterable[str] | None = None,
        effective_from: str | None = None,
        effective_to: str | None = None,
        references: Iterable[str] = (),
        fix: str | None = None,
        examples: dict[str, str] | None = None,
        applies_to: str | None = None,
    ) -> Callable:
        if applies_to not in APPLIES_TO:
            raise ValueError(f"{id}: applies_to must be one of {APPLIES_TO}")
        if category not in CATEGORIES:
            raise ValueError(f"{id}: unknown category {category!r}")
        if scope not in SCOPES:
            raise ValueError(f"{id}: unknown scope {scope!r}")
        if fix is not None and fix not in FIX_SAFETY:
            raise ValueError(f"{id}: fix must be safe, unsafe or None")
        payer_list = tuple(payers) if payers is not None else None
        if payer_list and not set(payer_list) <= set(PAYER_PROFILES):
            raise ValueError(f"{id}: unknown payer profile in {payer_list}")

        def register(fn: Callable | None, docstring: str = "") -> Callable | None:
            self.edits.append(
                Edit(
                    id=id,
                    name=name,
                    family=self.name,
                    category=category,
                    severity=Severity.parse(severity),
                    scope=scope,
                    message=message,
                    check=fn,
                    transactions=frozenset(transactions),
                    payers=payer_list,
                    effective_from=dt.date.fromisoformat(effective_from) if effective_from else None,
                    effective_to=dt.date.fromisoformat(effective_to) if effective_to else None,
                    references=tuple(references),
                    fix=fix,
                    examples=dict(examples or {}),
                    docstring=docstring,
                    applies_to=applies_to,
                )
            )
            return fn

        return register

    def declare(self, id: str, *, doc: str, **meta) -> None:
        """Register an edit with no check function: the engine emits its findings."""
        self.edit(id, **meta)(None, doc)


def catalog() -> list[Edit]:
    """Every registered edit, ordered by id.  Raises on a duplicate id."""
    package = importlib.import_module("edits")
    seen: dict[str, Edit] = {}
    for family in package.FAMILIES:
        for edit in family.edits:
            if edit.id in seen:
                raise ValueError(f"edit id {edit.id} registered twice")
            seen[edit.id] = edit
    return [seen[k] for k in sorted(seen)]


def matches(edit_id: str, prefixes: Iterable[str]) -> bool:
    return any(edit_id.upper().startswith(p.strip().upper()) for p in prefixes if p.strip())


def select(edits: list[Edit], select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Edit]:
    chosen = list(select)
    skipped = list(ignore)
    return [e for e in edits if (not chosen or matches(e.id, chosen)) and not matches(e.id, skipped)]
