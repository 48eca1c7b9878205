"""Import a CMS quarterly MUE, NCCI procedure-to-procedure or HCPCS file into the reference tables.

The CMS files open with a licence preamble; the header row is found by its column names
(``HCPCS/CPT Code`` for MUE, ``Column 1`` / ``Column 2`` for PTP).  CSV and tab-separated text are
read.  The rows replace the named table's rows (practitioner, facility / hospital) in a new
release file of ``edits/data/mue`` or ``edits/data/ncci_ptp``; the other table's rows are kept,
and the folder's manifest fragment is rewritten with the new release, source note and sha256.
The HCPCS Level II file is handled by ``import_hcpcs`` (scrubber/importer_hcpcs.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import yaml

from .tables import DATA_DIR, TableError, load_table, read_manifest, sha256

KINDS = {
    "mue": {"folder": "mue", "tables": ("practitioner", "facility", "dme")},
    "ncci": {"folder": "ncci_ptp", "tables": ("practitioner", "hospital")},
}


def _rows(path: Path, marker: str, *more: str) -> tuple[list[str], list[list[str]]]:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = text.splitlines()
    needles = [m.lower() for m in (marker, *more)]
    start = next((i for i, line in enumerate(lines) if all(n in line.lower() for n in needles)), None)
    if start is None:
        raise TableError(f"{path}: no header row with {marker!r}; is this the CMS file?")
    body = "\n".join(lines[start:])
    dialect = "excel-tab" if lines[start].count("\t") > lines[start].count(",") else "excel"
    reader = csv.reader(io.StringIO(body), dialect)
    header = [h.strip() for h in next(reader)]
    return header, [r for r in reader if any(c.strip() for c in r)]


def _column(header: list[str], *needles: str) -> int:
    for i, name in enumerate(header):
        if all(n.lower() in name.lower() for n in needles):
            return i
    raise TableError(f"no column with {' '.join(needles)!r} in {header}")


def _cms_date(text: str) -> str:
    text = text.strip()
    if not text or text.startswith("*"):
        return ""
    if re.fullmatch(r"\d{8}", text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return dt.date.fromisoformat(text).isoformat()


def parse_mue(path: Path, table: str, effective_from: str) -> list[list[str]]:
    header, rows = _rows(path, "HCPCS/CPT Code")
    code, value = _column(header, "HCPCS"), _column(header, "MUE Value")
    mai, why = _column(header, "Adjudication"), _column(header, "Rationale")
    out = []
    for r in rows:
        indicator = re.match(r"\s*(\d)", r[mai])
        if not r[code].strip() or not r[value].strip().isdigit() or not indicator:
            continue
        out.append(
            [table, r[code].strip(), effective_from, "", r[value].strip(), indicator.group(1), r[why].strip()]
        )
    return out


def parse_ncci(path: Path, table: str, effective_from: str) -> list[list[str]]:
    header, rows = _rows(path, "Column 1")
    c1, c2 = _column(header, "Column 1"), _column(header, "Column 2")
    start, end = _column(header, "Effective"), _column(header, "Deletion")
    modifier, why = _column(header, "Modifier"), _column(header, "Rationale")
    out = []
    for r in rows:
        if not r[c1].strip() or not r[c2].strip():
            continue
        indicator = r[modifier].strip()[:1]
        begins = _cms_date(r[start]) or effective_from
        out.append(
            [table, r[c1].strip(), r[c2].strip(), begins, _cms_date(r[end]), indicator, r[why].strip()]
        )
    return out


def import_file(
    kind: str, path: str, table: str, release: str, effective_from: str, data_dir: Path = DATA_DIR
) -> tuple[int, Path]:
    """Import ``path`` as ``table`` rows of the ``kind`` (mue / ncci) reference table."""
    spec = KINDS[kind]
    if table not in spec["tables"]:
        raise TableError(f"{kind} table must be one of {', '.join(spec['tables'])}")
    folder = data_dir / spec["folder"]
    name = {"mue": "mue", "ncci": "ncci_ptp"}[kind]
    meta = read_manifest(data_dir)[name]
    current = load_table(name, meta, data_dir)
    parse = parse_mue if kind == "mue" else parse_ncci
    new_rows = parse(Path(path), table, effective_from)
    if not new_rows:
        raise TableError(f"{path}: no rows found")
    kept = []
    for rows in current.rows.values():
        for row in rows:
            if row.key[0] != table:
                values = [row.values.get(c, "") for c in current.columns[len(current.key) + 2 :]]
                kept.append(
                    [
                        *row.key,
                        row.effective_from.isoformat() if row.effective_from else "",
                        row.effective_to.isoformat() if row.effective_to else "",
                        *values,
                    ]
                )
    target = folder / f"{release}.csv"
    tmp = target.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(current.columns)
        writer.writerows(sorted(kept + new_rows))
    tmp.replace(target)
    fragment = folder / "manifest.yaml"
    doc = yaml.safe_load(fragment.read_text(encoding="utf-8"))
    entry = doc["tables"][name]
    entry["file"] = target.name
    entry["release"] = release
    entry["note"] = (
        f"{table} rows imported from {Path(path).name} ({len(new_rows)} rows, effective "
        f"{effective_from}) on {dt.date.today().isoformat()}; other tables' rows kept from "
        f"release {meta['release']}."
    )
    entry["sha256"] = sha256(target)
    fragment.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    read_manifest.cache_clear()
    load_table(name, read_manifest(data_dir)[name], data_dir, verify=True)  # the result must load
    return len(new_rows), target
