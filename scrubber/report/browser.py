"""A headless Chromium for the HTML report: the browser test and ``make screenshot`` use it.

Chromium comes from the operating system's packages (``make browser`` installs Debian's); nothing
is downloaded at run time.  ``python -m scrubber.report.browser screenshot REPORT.html OUT.png``
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find() -> str | None:
    """The first Chromium on PATH (or in $CHROMIUM), else None."""
    given = os.environ.get("CHROMIUM")
    if given and shutil.which(given):
        return shutil.which(given)
    return next((shutil.which(n) for n in NAMES if shutil.which(n)), None)


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    exe = find()
    if exe is None:
        raise FileNotFoundError("no Chromium on PATH: `make browser` installs one")
    with tempfile.TemporaryDirectory(prefix="scrub-chromium-") as profile:
        flags = [
            "--headless",
            "--no-sandbox",  # running as root in a container
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
        ]
        return subprocess.run(
            [exe, *flags, *args], capture_output=True, text=True, timeout=timeout, check=True
        )


def url(path: str | Path, fragment: str = "") -> str:
    return Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")


def dump_dom(path: str | Path, fragment: str = "") -> str:
    """The page's DOM after its script ran (``fragment``: e.g. ``severity=warning``)."""
    return _run(["--dump-dom", url(path, fragment)]).stdout


def screenshot(path: str | Path, out: str | Path, width: int = 1280, height: int = 1500) -> None:
    _run([f"--window-size={width},{height}", f"--screenshot={Path(out).resolve()}", url(path)])


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "screenshot":
        print("usage: python -m scrubber.report.browser screenshot REPORT.html OUT.png", file=sys.stderr)
        return 2
    try:
        screenshot(argv[1], argv[2])
    except FileNotFoundError as exc:
        print(f"scrub: {exc}", file=sys.stderr)
        return 2
    print(f"scrub: screenshot of {argv[1]} written to {argv[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
