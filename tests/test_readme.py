"""The README's edit catalog table is the catalog (no hand-kept drift)."""

from pathlib import Path

from scrubber.registry import catalog

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_catalog_matches_registry():
    text = README.read_text()
    table = text.split("<!-- catalog:start")[1].split("<!-- catalog:end -->")[0]
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| id ")]
    documented = [tuple(c.strip() for c in r.strip("|").split("|")) for r in rows]
    expected = [
        (
            e.id,
            e.name,
            e.category,
            e.severity.label,
            e.scope,
            e.fix or "-",
            ",".join(e.payers) if e.payers else "all",
            ", ".join(sorted(e.transactions)),
        )
        for e in catalog()
    ]
    assert documented == expected


def test_readme_gives_the_two_setup_commands():
    text = README.read_text()
    assert "make run" in text and "make test" in text
