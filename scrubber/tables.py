"""Versioned reference tables with effective dates (``edits/data``).

Each table is one CSV per release, listed in ``edits/data/manifest.yaml`` with its source,
release, licence note and sha256.  Key columns come first, then ``effective_from`` /
``effective_to`` (ISO dates, ``effective_to`` may be blank = open), then values.  Lookups take
the **date of service**, never today.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

from .model import in_window

DATA_DIR = Path(__file__).resolve().parent.parent / "edits" / "data"


class TableError(Exception):
    """A reference table that does not match its manifest."""


@dataclass(frozen=True)
class Row:
    key: tuple[str, ...]
    effective_from: dt.date | None
    effective_to: dt.date | None
    values: dict[str, str]

    def covers(self, day: dt.date | None) -> bool:
        return in_window(day, self.effective_from, self.effective_to)


@dataclass
class Table:
    name: str
    release: str
    source: str
    path: Path
    key: tuple[str, ...]
    columns: tuple[str, ...]
    meta: dict
    rows: dict[tuple[str, ...], list[Row]] = field(default_factory=dict)

    def lookup(self, *key: str, on: dt.date | None = None) -> Row | None:
        """The row for ``key`` in force on ``on`` (any row when ``on`` is None)."""
        rows = self.rows.get(key)
        if rows is None:
            return None
        if on is None:
            return rows[0]
        for row in rows:  # in_window, inlined: edits look rows up tens of times per claim
            start, end = row.effective_from, row.effective_to
            if (start is None or start <= on) and (end is None or on <= end):
                return row
        return None

    def known(self, *key: str) -> bool:
        return tuple(key) in self.rows

    def __len__(self) -> int:
        return sum(len(v) for v in self.rows.values())


def _date(text: str, where: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TableError(f"{where}: {text!r} is not an ISO date") from None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(data_dir: Path = DATA_DIR) -> dict:
    """Table name -> manifest entry, from ``manifest.yaml`` and any per-table ``<folder>/manifest.yaml``.

    The per-folder fragments let a table travel with its own entry; a name may be defined once.
    Read once per folder (``read_manifest.cache_clear()`` after changing a manifest)."""
    return dict(_manifest(Path(data_dir)))


@cache
def _manifest(data_dir: Path) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    tables: dict = {}
    for path in [data_dir / "manifest.yaml", *sorted(data_dir.glob("*/manifest.yaml"))]:
        if not path.is_file():
            continue
        with open(path, encoding="utf-8") as fh:
            entries = (yaml.load(fh, Loader=loader) or {}).get("tables", {})
        for name, meta in entries.items():
            if name in tables:
                raise TableError(f"table {name!r} is defined twice in the manifests")
            if path.parent != data_dir:
                meta = {**meta, "file": f"{path.parent.name}/{meta['file']}"}
            tables[name] = meta
    return tables


read_manifest.cache_clear = _manifest.cache_clear


def load_table(name: str, meta: dict, data_dir: Path = DATA_DIR, verify: bool = False) -> Table:
    path = data_dir / meta["file"]
    key = tuple(meta["key"])
    if verify and meta.get("sha256") and sha256(path) != meta["sha256"]:
        raise TableError(f"{name}: {path.name} does not match the sha256 in manifest.yaml")
    table = Table(name, str(meta["release"]), meta["source"], path, key, tuple(meta["columns"]), meta)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != table.columns:
            raise TableError(
                f"{name}: columns {reader.fieldnames} differ from the manifest {list(table.columns)}"
            )
        for number, record in enumerate(reader, start=2):
            where = f"{path.name}:{number}"
            row = Row(
                tuple(record[k] for k in key),
                _date(record["effective_from"], where),
                _date(record["effective_to"], where),
                {k: v for k, v in record.items() if k not in key},
            )
            if row.effective_from and row.effective_to and row.effective_to < row.effective_from:
                raise TableError(f"{where}: effective_to is before effective_from")
            table.rows.setdefault(row.key, []).append(row)
    for rows in table.rows.values():
        rows.sort(key=lambda r: r.effective_from or dt.date.min)
        for before, after in zip(rows, rows[1:], strict=False):
            starts = after.effective_from
            if before.effective_to is None or (starts and before.effective_to >= starts):
                raise TableError(f"{name}: overlapping effective windows for key {before.key}")
    return table


@cache
def get(name: str) -> Table:
    manifest = read_manifest()
    if name not in manifest:
        raise TableError(f"no table named {name!r} in manifest.yaml")
    return load_table(name, manifest[name])


def releases() -> dict[str, str]:
    """Table name -> release, for the report's ``run.tables``."""
    out = {name: str(meta["release"]) for name, meta in read_manifest().items()}
    from . import icd10

    out["icd10cm"] = f"{icd10.release()} (simple-icd-10-cm {icd10.package_version()})"
    return out


@cache
def _boundaries() -> tuple[dt.date, ...]:
    """Every day on which a lookup in some reference table may answer differently from the day
    before: each row's ``effective_from`` and the day after its ``effective_to``."""
    found: set[dt.date] = set()
    for name in read_manifest():
        for rows in get(name).rows.values():
            for row in rows:
                if row.effective_from is not None:
                    found.add(row.effective_from)
                if row.effective_to is not None and row.effective_to < dt.date.max:
                    found.add(row.effective_to + dt.timedelta(days=1))
    return tuple(sorted(found))


@lru_cache(maxsize=1 << 12)
def epoch(day: dt.date | None) -> dt.date | None:
    """The first day of the period between two table boundaries (``_boundaries``) that holds ``day``
    (``date.min`` before the first): every table lookup answers on it as on ``day``.  A cache of a
    pure function of table lookups is keyed by ``(code, epoch(day))``, so a batch whose dates of
    service spread over months still hits it.  None stays None (a lookup on no date)."""
    if day is None:
        return None
    bounds = _boundaries()
    index = bisect.bisect_right(bounds, day)
    return bounds[index - 1] if index else dt.date.min


@lru_cache(maxsize=1024)
def cell_list(text: str) -> tuple[str, ...]:
    """The items of a ';'-separated table cell (``commercial;medicaid``), stripped, blanks dropped;
    cached, since edits read the same few cells on every line."""
    return tuple(item for item in (part.strip() for part in text.split(";")) if item)


@lru_cache(maxsize=1 << 16)
def code_kind(code: str, on: dt.date | None = None) -> str | None:
    """The kind of service a code is (em, admin, drug, per-diem) from the code_kinds range table."""
    for row in _kind_rows(code):
        if row.covers(on):
            return row.values["kind"]
    return None


@lru_cache(maxsize=1 << 14)
def _kind_rows(code: str) -> tuple[Row, ...]:
    """The code_kinds rows whose range holds ``code``, in table order (cached by code alone: a
    batch has few codes but many dates of service)."""
    return tuple(
        row
        for (start, end), rows in get("code_kinds").rows.items()
        if len(code) == len(start) and start <= code <= end
        for row in rows
    )
