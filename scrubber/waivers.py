"""Waivers: approved exceptions, each with a reason, and the judge that applies them (and a baseline).

Configuration (``[[tool.scrubber.waivers]]`` in pyproject.toml, ``[[waivers]]`` in scrubber.toml)::

    [[tool.scrubber.waivers]]
    edit = "MOD002"                 # edit id or id prefix (required)
    payer_id = "SKCO0"              # optional: 2010BB NM109 of the claim
    claim_id = "A1001"              # optional: CLM01
    code = "J3490"                  # optional: HCPCS/CPT of the finding's service line
    reason = "Payer accepts the GA modifier on these lines (contract 2026-14, J. Coder)"
    expires = 2026-12-31            # optional: last date of service waived (inclusive)

A finding matches a waiver when its edit id starts with ``edit`` and every optional key given
equals the finding's claim, payer or line code.  ``expires`` is compared with the finding's date of
service (the line's DTP*472, else the claim's), never with today, and is **inclusive**: a finding
on the ``expires`` date is still waived, one on the day after is not.  A finding with no date of
service (an envelope finding) is never waived by a waiver that has ``expires``; a finding with no
service line never matches a waiver that has ``code``.

A waived finding stays in the report with ``suppressed_by`` and does not count for the exit code,
``claims_with_errors`` or the gate.  After the run a waiver that waived nothing is reported as
ENG002 (warning), one that matched findings after its expiry as ENG003 (warning).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

KEYS = ("edit", "reason", "claim_id", "payer_id", "code", "expires")
UNUSED = "ENG002"
EXPIRED = "ENG003"
HIDDEN = object()  # the judge's verdict for a finding that the baseline hides


class WaiverError(ValueError):
    """A waiver that cannot be used; ``str()`` is one line (a configuration error)."""


@dataclass(frozen=True)
class Waiver:
    number: int  # 1-based, in configuration order
    edit: str
    reason: str
    claim_id: str | None = None
    payer_id: str | None = None
    code: str | None = None
    expires: dt.date | None = None

    def describe(self) -> str:
        """``waiver 2 (MOD002, payer SKCO0, to 2026-12-31)``: how reports name it."""
        parts = [self.edit]
        parts += [f"{label} {value}" for label, value in self._scope() if value]
        if self.expires:
            parts.append(f"to {self.expires.isoformat()}")
        return f"waiver {self.number} ({', '.join(parts)})"

    def _scope(self):
        return (("claim", self.claim_id), ("payer", self.payer_id), ("code", self.code))


def _text(entry: dict, key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise WaiverError(f"{where}: {key} must be a string")
    text = str(value).strip()
    return text or None


def _date(value: object, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise WaiverError(f"{where}: expires must be a date (YYYY-MM-DD), not a date-time")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise WaiverError(f"{where}: expires must be a date (YYYY-MM-DD)") from None


def parse(value: object, source: str, known: list[str] | None = None) -> list[Waiver]:
    """The ``waivers`` array of tables; ``known`` (edit ids) lets an ``edit`` that names no edit be
    refused."""
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise WaiverError(f"{source}: waivers must be an array of tables ([[tool.scrubber.waivers]])")
    out = []
    for number, entry in enumerate(value, start=1):
        where = f"{source}: waivers[{number}]"
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise WaiverError(f"{where}: unknown key(s) {', '.join(unknown)} (use {', '.join(KEYS)})")
        edit = (_text(entry, "edit", where) or "").upper()
        if not edit:
            raise WaiverError(f"{where}: edit (an edit id or prefix) is required")
        if known is not None and not any(k.startswith(edit) for k in known):
            raise WaiverError(f"{where}: edit {edit!r} matches no edit id")
        reason = _text(entry, "reason", where)
        if not reason:
            raise WaiverError(f"{where} ({edit}): a reason is required")
        code = _text(entry, "code", where)
        out.append(
            Waiver(
                number,
                edit,
                reason,
                _text(entry, "claim_id", where),
                _text(entry, "payer_id", where),
                code.upper() if code else None,
                _date(entry.get("expires"), where),
            )
        )
    return out


@dataclass
class Tally:
    """What the judge did, mergeable across worker batches: findings waived and matched after expiry
    by waiver number, baseline keys seen and findings hidden."""

    used: Counter = field(default_factory=Counter)
    expired: Counter = field(default_factory=Counter)
    seen: set = field(default_factory=set)
    hidden: int = 0

    def merge(self, other: Tally | None) -> None:
        if other is None:
            return
        self.used.update(other.used)
        self.expired.update(other.expired)
        self.seen |= other.seen
        self.hidden += other.hidden


class Judge:
    """Decides, finding by finding, whether a waiver waives it or the baseline hides it."""

    EXEMPT = frozenset({UNUSED, EXPIRED})  # the waiver findings themselves

    def __init__(self, waivers: list[Waiver], baseline: frozenset | None = None):
        self.waivers = list(waivers)
        self.baseline = baseline
        self.tally = Tally()
        self.active = bool(self.waivers) or baseline is not None

    def verdict(self, edit: str, claim, line, number: int | None, value: str | None):
        """None (the finding counts), the text of ``suppressed_by``, or HIDDEN."""
        if edit in self.EXEMPT:
            return None
        for waiver in self.waivers:
            if self._matches(waiver, edit, claim, line, number):
                if waiver.expires is not None:
                    day = _service_date(claim, line, number)
                    if day is None or day > waiver.expires:
                        self.tally.expired[waiver.number] += 1
                        continue
                self.tally.used[waiver.number] += 1
                return f"{waiver.describe()}: {waiver.reason}"
        if self.baseline is not None:
            key = (claim.claim_id if claim is not None else None, number, edit, value)
            if key in self.baseline:
                self.tally.seen.add(key)
                self.tally.hidden += 1
                return HIDDEN
        return None

    @staticmethod
    def _matches(waiver: Waiver, edit: str, claim, line, number: int | None) -> bool:
        if not edit.startswith(waiver.edit):
            return False
        if waiver.claim_id is not None and (claim is None or claim.claim_id != waiver.claim_id):
            return False
        if waiver.payer_id is not None:
            payer = getattr(claim, "payer", None)
            if payer is None or payer.identifier.strip() != waiver.payer_id:
                return False
        if waiver.code is not None:
            line = _line(claim, line, number)
            if line is None or line.code.strip().upper() != waiver.code:
                return False
        return True

    def take(self) -> Tally:
        """The tally so far, and a fresh one (a worker hands its batch's tally back this way)."""
        tally, self.tally = self.tally, Tally()
        return tally

    def unused(self) -> list[tuple[Waiver, str]]:
        """(waiver, ENG002 or ENG003) for every waiver to report after the run."""
        out = []
        for waiver in self.waivers:
            if self.tally.expired[waiver.number]:
                out.append((waiver, EXPIRED))
            elif not self.tally.used[waiver.number]:
                out.append((waiver, UNUSED))
        return out


def _line(claim, line, number: int | None):
    if line is not None or claim is None or number is None:
        return line
    return next((ln for ln in getattr(claim, "lines", ()) if ln.number == number), None)


def _service_date(claim, line, number: int | None) -> dt.date | None:
    line = _line(claim, line, number)
    if line is not None and line.date_from is not None:
        return line.date_from
    return getattr(claim, "service_date", None)
