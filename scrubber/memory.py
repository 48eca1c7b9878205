"""The C allocator's settings for a scrub run (glibc only).

A run's main process has several threads besides its own (the worker pool's feeder and
collector, the fixer's judge), and glibc gives threads malloc arenas of their own, each of which
keeps what it once held: the process then grows with the length of the run, not with what it
holds (``scrub fix`` on 100,000 claims peaked 8-13 MB above the same command on 10,000, with the
same objects alive).  Its mmap threshold also rises after a large block is freed, so that later
large blocks (read chunks, pickled batches) come from the heap and leave holes there.  With one
arena and a fixed threshold, a large block is mapped and unmapped as it comes and goes, and the
heap holds only small ones: the peak stays where the live data puts it (benchmarks/bench.py
measures it).  An environment that sets MALLOC_ARENA_MAX or MALLOC_MMAP_THRESHOLD_ itself keeps
its own setting."""

from __future__ import annotations

import ctypes
import os

M_MMAP_THRESHOLD = -3  # mallopt's parameter numbers (malloc.h)
M_ARENA_MAX = -8
ARENAS = 1
MMAP_THRESHOLD = 128 * 1024  # glibc's default before it starts to move it


def glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # not a glibc system (no such name)
        return False


def tune(environ=os.environ) -> list[str]:
    """Apply the settings this run's environment does not make itself; the names of those applied."""
    if not glibc():
        return []
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return []
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    applied = []
    for env, param, value in (
        ("MALLOC_ARENA_MAX", M_ARENA_MAX, ARENAS),
        ("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, MMAP_THRESHOLD),
    ):
        if env not in environ and mallopt(param, value) == 1:
            applied.append(env)
    return applied
