"""Import the CMS HCPCS Level II file (quarterly update, "Alpha-Numeric HCPCS" file) into the dated
``hcpcs`` table.

The file is read as CSV or tab-separated text with a header row holding ``HCPC`` and ``TERM``
(``HCPC, SEQNUM, RECID, LONG DESCRIPTION, SHORT DESCRIPTION, … ADD DT, ACT EFF DT, TERM DT,
ACTION CD``; export the spreadsheet of the CMS zip as CSV).  Only the first record of each
procedure code (RECID 3; modifiers and continuation lines are skipped) gives a row: the code,
``ADD DT`` as effective_from, ``TERM DT`` as effective_to and the short description.

A complete file (the default) holds every Level II code in effect for the release, so the table
claims completeness for A0000-V9999: a code then missing from it is reported (CS009).  Codes of the
previous release that the file no longer lists keep their dated rows; one still open-ended is
closed the day before ``--effective-from`` (it was deleted by then; the CMS file does not say
when).  ``--partial`` imports a file of some codes only: its rows replace those codes' rows and
nothing else changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import yaml

from .importer import _column, _rows
from .tables import DATA_DIR, TableError, load_table, read_manifest, sha256

LEVEL2 = re.compile(r"^[A-V]\d{4}$")
FULL_RANGE = "A0000-V9999"


def _date(text: str) -> str:
    text = (text or "").strip()
    if re.fullmatch(r"\d{8}", text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if not text:
        return ""
    return dt.date.fromisoformat(text).isoformat()


def parse_hcpcs(path: Path) -> dict[str, list[str]]:
    """Code -> [effective_from, effective_to, label] from the CMS file."""
    header, rows = _rows(path, "HCPC", "TERM")
    code = _column(header, "HCPC")
    recid = next((i for i, h in enumerate(header) if h.upper().replace("_", " ") == "RECID"), None)
    short = _column(header, "SHORT")
    added, ended = _column(header, "ADD"), _column(header, "TERM")
    out: dict[str, list[str]] = {}
    for r in rows:
        if len(r) <= max(code, short, added, ended):
            continue
        hcpc = r[code].strip().upper()
        if not LEVEL2.match(hcpc) or (recid is not None and r[recid].strip() not in ("3", "")):
            continue
        try:
            window = [_date(r[added]), _date(r[ended])]
        except ValueError:
            raise TableError(f"{path}: code {hcpc}: unreadable date {r[added]!r} / {r[ended]!r}") from None
        out.setdefault(hcpc, [*window, r[short].strip()])
    return out


def import_hcpcs(
    path: str, release: str, effective_from: str, partial: bool = False, data_dir: Path = DATA_DIR
) -> tuple[int, Path]:
    """Import ``path`` into the hcpcs table as release ``release``; returns (codes read, new file)."""
    start = dt.date.fromisoformat(effective_from)
    meta = read_manifest(data_dir)["hcpcs"]
    current = load_table("hcpcs", meta, data_dir)
    new = parse_hcpcs(Path(path))
    if not new:
        raise TableError(f"{path}: no HCPCS Level II procedure rows found")
    out = []
    for (code,), rows in current.rows.items():
        if code in new:
            continue
        for row in rows:
            ends = row.effective_to
            if not partial and ends is None:
                ends = start - dt.timedelta(days=1)  # gone from a complete file: deleted by then
                if row.effective_from and ends < row.effective_from:
                    continue
            out.append(
                [
                    code,
                    row.effective_from.isoformat() if row.effective_from else "",
                    ends.isoformat() if ends else "",
                    row.values.get("label", ""),
                    row.values.get("replaced_by", ""),
                ]
            )
    for code, (begins, ends, label) in new.items():
        replaced = next((r.values.get("replaced_by", "") for r in current.rows.get((code,), ())), "")
        out.append([code, begins, ends, label, replaced])
    folder = data_dir / Path(meta["file"]).parent
    target = folder / f"{release}.csv"
    tmp = target.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(current.columns)
        writer.writerows(sorted(out))
    tmp.replace(target)
    fragment = folder / "manifest.yaml"
    doc = yaml.safe_load(fragment.read_text(encoding="utf-8"))
    entry = doc["tables"]["hcpcs"]
    entry["file"] = target.name
    entry["release"] = release
    if not partial:
        entry["complete_ranges"] = [FULL_RANGE]
    entry["note"] = (
        f"{len(new)} codes imported from {Path(path).name} ({'partial' if partial else 'complete'} file, "
        f"release effective {effective_from}) on {dt.date.today().isoformat()}; rows of release "
        f"{meta['release']} kept for codes the file does not list"
        + ("." if partial else f" (open-ended ones closed on {start - dt.timedelta(days=1)}).")
    )
    entry["sha256"] = sha256(target)
    tmp_fragment = fragment.with_suffix(".yaml.tmp")
    tmp_fragment.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    tmp_fragment.replace(fragment)
    read_manifest.cache_clear()
    load_table("hcpcs", read_manifest(data_dir)["hcpcs"], data_dir, verify=True)  # the result must load
    return len(new), target
