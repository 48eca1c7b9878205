"""Long runs: a progress bar on standard error (only on a terminal) and the summary file for cron.

The engine calls ``Progress`` every few thousand claims and after each file (Engine.progress).
"""

from __future__ import annotations

import json
import sys
import time

from .json_report import header


class Progress:
    """A rich progress bar on stderr: files done of all, claims, claims per second.  Transient."""

    def __init__(self, files: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self.bar = Bar(
            TextColumn("scrub: files"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[claims]:,} claims, {task.fields[rate]:,.0f} claims/s"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self.task = self.bar.add_task("scrub", total=max(files, 1), claims=0, rate=0.0)
        self.started = time.monotonic()
        self._result = None
        self._base_claims = self._base_files = 0  # claims and files of earlier results (scrub gate)
        self._claims = self._files = 0
        self.bar.start()

    def __call__(self, result) -> None:
        if result is not self._result:
            if self._result is not None:
                self._base_claims, self._base_files = self._claims, self._files
            self._result = result
        self._claims = self._base_claims + result.claims
        self._files = self._base_files + len(result.files)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.bar.update(self.task, completed=self._files, claims=self._claims, rate=self._claims / elapsed)

    def stop(self) -> None:
        self.bar.stop()


def start(engine, files: int, quiet: bool) -> Progress | None:
    """A progress bar on the engine when standard error is a terminal and the run is not quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    engine.progress = Progress(files)
    return engine.progress


def summary(result, exit_code: int) -> dict:
    """What ``--summary-json`` writes: the JSON report without its findings (and, for fix, the
    numbers of changes and skipped fixes instead of their lists), plus the exit code."""
    head = header(result)
    changes, skipped = head.pop("changes", None), head.pop("fix_skipped", None)
    if changes is not None:
        head["changes_made"] = len(changes)
        head["fixes_skipped"] = len(skipped or ())
    head["findings_total"] = len(result.findings)
    head["exit_code"] = exit_code
    return head


def summary_bytes(result, exit_code: int) -> bytes:
    return (json.dumps(summary(result, exit_code), indent=2) + "\n").encode("utf-8")
