"""scrubber.icd10 reads simple-icd-10-cm's code list directly; it must agree with the package."""

from __future__ import annotations

import pytest

from scrubber import icd10


def test_agrees_with_simple_icd_10_cm_for_every_code():
    icd = pytest.importorskip("simple_icd_10_cm")
    codes, _ = icd10._codes()
    assert len(codes) > 90000
    mismatches = []
    for code in codes:
        want = "billable" if icd.is_leaf(code) else "header"
        if icd10.status(code) != want:
            mismatches.append(code)
    assert mismatches == []


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("M0579", "billable"),
        ("M05.79", "billable"),
        ("M057", "header"),
        ("G35", "header"),
        ("S72001A", "billable"),
        ("S72001", "header"),
        ("Z5111", "billable"),
        ("M9999X", "unknown"),
        ("", "unknown"),
        ("A00-A09", "unknown"),
    ],
)
def test_status(code, status):
    assert icd10.status(code) == status


def test_children_and_release():
    assert icd10.billable_children("M057")[:2] == ["M0570", "M05711"]
    assert icd10.release()


def test_package_version_matches_importlib_metadata():
    from importlib.metadata import version

    assert icd10.package_version() == version("simple-icd-10-cm")
