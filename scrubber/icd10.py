"""ICD-10-CM validity and billability, from the code list that simple-icd-10-cm ships.

Importing simple-icd-10-cm parses its whole tabular XML (about 2.5 s and 200 MB), which would
dominate a scrub run.  The package also ships the flat list of every code it knows (chapters,
blocks, categories, subcategories, 7th-character extensions).  This module reads that list
directly, without importing the package: a code is *billable* when no longer code extends it,
a *header* when one does.  ``tests/test_icd10.py`` checks this against the package's own
``is_valid_item`` / ``is_leaf`` for every code, so a change in the package's data is caught.
"""

from __future__ import annotations

import bisect
import importlib.util
import re
from functools import cache, lru_cache
from pathlib import Path

from . import tables

PACKAGE = "simple_icd_10_cm"


def _code_list_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("simple-icd-10-cm is not installed")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    found = sorted(data.glob("code-list-*.txt"))
    if not found:
        raise RuntimeError("simple-icd-10-cm ships no code list")
    return found[-1]


@cache
def _codes() -> tuple[list[str], frozenset[str]]:
    words = _code_list_path().read_text(encoding="utf-8").upper().split()  # split() drops white space
    codes = list(dict.fromkeys(w for w in words if "-" not in w and not w.isdigit()))  # no blocks, chapters
    codes.sort()  # the list is nearly in order already, which sorts fast
    return codes, frozenset(codes)


def package_version() -> str:
    """The installed simple-icd-10-cm version, read from its dist-info folder's name beside the
    package (importing importlib.metadata for it costs a run more than the scrub of a small file);
    importlib.metadata when the folder is not there."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        site = Path(next(iter(spec.submodule_search_locations))).parent
        found = sorted(site.glob(f"{PACKAGE}-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len(PACKAGE) + 1 : -len(".dist-info")]
    from importlib.metadata import version

    return version("simple-icd-10-cm")


def release() -> str:
    """The release named in the package's code list, e.g. 'April-2026'."""
    match = re.search(r"code-list-(.+)\.txt$", _code_list_path().name)
    return match.group(1) if match else "unknown"


def _normal(code: str) -> str:
    return code.replace(".", "").strip().upper()


@cache
def status(code: str) -> str:
    """'billable', 'header' (has children) or 'unknown'."""
    code = _normal(code)
    ordered, known = _codes()
    if not code or code not in known:
        return "unknown"
    at = bisect.bisect_right(ordered, code)
    return "header" if at < len(ordered) and ordered[at].startswith(code) else "billable"


def billable_children(code: str, limit: int = 6) -> list[str]:
    code = _normal(code)
    ordered, _ = _codes()
    out = []
    at = bisect.bisect_right(ordered, code)
    while at < len(ordered) and ordered[at].startswith(code) and len(out) < limit:
        if status(ordered[at]) == "billable":
            out.append(ordered[at])
        at += 1
    return out


@lru_cache(maxsize=1 << 16)
def status_on(code: str, day) -> str:
    """``status`` for a date of service: the icd10cm_history table's dated rows win over the
    package's single release (a code used before it took effect is unknown).  Cached: callers
    pass the ``tables.epoch`` of the date of service, on which the table answers alike."""
    code = _normal(code)
    rows = tables.get("icd10cm_history").rows.get((code,))
    if rows and day is not None:
        for row in rows:
            if row.covers(day):
                return row.values["status"]
        first = min((r.effective_from for r in rows if r.effective_from), default=None)
        if first is not None and day < first:
            return "unknown"
    return status(code)
