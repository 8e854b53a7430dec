"""The C heap of the crawl's processes (glibc only; elsewhere these do nothing).

Pages of 50–350 KB pass through as bytes. glibc serves a block that large from the heap once its
mmap threshold has risen past it (it rises each time a mapped block is freed), and a heap split
by such blocks keeps its freed memory: the crawl's process grew by about 20 MiB that way on the
2,000-page benchmark. A fixed threshold maps every large block and unmaps it when freed.
"""

from __future__ import annotations

import ctypes
import sys

BIG_BLOCK = 128 * 1024      # glibc's default threshold, kept fixed
_M_MMAP_THRESHOLD = -3      # mallopt parameter (malloc.h)


def _load_libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


_LIBC = _load_libc()


def map_big_blocks() -> bool:
    """Serve blocks of BIG_BLOCK and more by mmap whatever was freed before (call at a process's
    start); False where the C library is not glibc or refused."""
    return _LIBC is not None and _LIBC.mallopt(_M_MMAP_THRESHOLD, BIG_BLOCK) == 1


def release_memory() -> None:
    """Hand the heap's free memory back to the system (glibc keeps it otherwise)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
