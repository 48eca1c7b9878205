"""The C allocator's settings for a run (scrubber/memory.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scrubber import cli, memory


def test_an_environment_that_sets_them_keeps_its_own():
    assert memory.tune({"MALLOC_ARENA_MAX": "4", "MALLOC_MMAP_THRESHOLD_": "65536"}) == []


@pytest.mark.skipif(not memory.glibc(), reason="glibc's mallopt only")
def test_on_glibc_each_setting_the_environment_leaves_is_applied():
    # (in a child process: the settings are the process's own and stay)
    code = "from scrubber import memory;print(memory.tune({}), memory.tune({'MALLOC_ARENA_MAX': '2'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("] ")[0] + "]" == "['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_']"
    assert out.strip().endswith("['MALLOC_MMAP_THRESHOLD_']")


def test_without_glibc_nothing_is_applied(monkeypatch):
    monkeypatch.setattr(memory, "glibc", lambda: False)
    assert memory.tune({}) == []


def test_glibc_is_told_by_the_c_library_version(monkeypatch):
    monkeypatch.setattr(memory.os, "confstr", lambda name: "glibc 2.36")
    assert memory.glibc()

    def missing(name):
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(memory.os, "confstr", missing)
    assert not memory.glibc()


def test_the_command_line_tunes_before_it_runs(monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "tune", lambda: calls.append("tune"))
    monkeypatch.setattr(cli, "app", lambda: calls.append("app"))
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *thresholds: None)  # (the suite's stays)
    cli.main()
    assert calls == ["tune", "app"]
