"""Every public corpus file (../shared/corpus/public) through the CLI: no crash, a sane exit code.

The corpus lives outside the repository and is never copied into it; the module is skipped when
the folder is not there.  Reports go to temporary files.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scrubber.cli import app

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "public"
if not CORPUS.is_dir():
    pytest.skip(f"public corpus not found at {CORPUS}", allow_module_level=True)

FILES = sorted(CORPUS.glob("*.x12"))
SUPPORTED_GS08 = {"005010X222A1", "005010X223A2"}
RUNNER = CliRunner()


@cache
def scrub(path: Path, out_dir: Path) -> tuple[int, str, dict | None]:
    """Exit code, stdout+stderr and the JSON report of one run (memoized: several tests share it)."""
    out = out_dir / f"{path.stem}.json"
    result = RUNNER.invoke(app, ["check", str(path), "--format", "json", "--output", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{path.name}: {type(result.exception).__name__}: {result.exception}"
    )
    doc = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return result.exit_code, result.output, doc


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("corpus_reports")


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def pyx12_gs08(path: Path) -> set[str] | None:
    """The GS08 values of a file pyx12 reads without an exception; None when pyx12 cannot read it."""
    import pyx12.x12file

    text = path.read_bytes().decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff").lstrip()
    versions: set[str] = set()
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        for seg in reader:
            if seg.get_seg_id() == "GS":
                versions.add(seg.get_value("GS08"))
    except Exception:  # noqa: BLE001 - any pyx12 failure means "pyx12 cannot read it"
        return None
    return versions


def test_corpus_is_not_empty():
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_runs_cleanly(path, out_dir):
    code, output, doc = scrub(path, out_dir)
    assert code in (0, 1, 2), output
    assert "Traceback" not in output
    assert doc is not None, f"{path.name}: no report written"
    assert doc["schema_version"] == 1
    (entry,) = doc["files"]
    assert entry["path"] == str(path)
    if code == 2:
        assert entry["error"], "exit 2 without files[].error"
        assert f"{path}: {entry['error']}" in output
    else:
        assert entry["error"] is None
    assert not [p for p in out_dir.iterdir() if p.suffix == ".tmp"]


READABLE_5010 = [p for p in FILES if (v := pyx12_gs08(p)) and v <= SUPPORTED_GS08]


def test_some_corpus_files_are_pyx12_readable_5010():
    assert READABLE_5010


@pytest.mark.parametrize("path", READABLE_5010, ids=lambda p: p.name)
def test_pyx12_readable_5010_file_is_read(path, out_dir):
    code, output, doc = scrub(path, out_dir)
    entry = doc["files"][0]
    assert entry["error"] is None, entry["error"]
    assert code in (0, 1), output
    assert entry["claims"] >= 1
    assert entry["transaction"] in ("837P", "837I")
