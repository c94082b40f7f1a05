"""Keep large temporaries in the heap instead of mapping them fresh for every op.

glibc serves each allocation above M_MMAP_THRESHOLD (128 KiB at first) with its own mmap and
unmaps it on free, and gives the top of the heap back above M_TRIM_THRESHOLD. A convolution's
patch buffers are a few MB, so every training step paid thousands of page faults touching
new pages (a CNN step went from 23 ms to 14 ms with the thresholds raised: PERFORMANCE.md).
Imported once by tensorkit/__init__.py; elsewhere than Linux with glibc it does nothing.
"""

import sys

M_TRIM_THRESHOLD = -1                      # glibc's <malloc.h> option numbers
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024          # the most glibc accepts on 64-bit
TRIM_THRESHOLD = 128 * 1024 * 1024         # free memory the process may keep for reuse


def keep_large_blocks():
    """Raise glibc's mmap and trim thresholds; True when done, False where it can't be."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):   # musl's mallopt is a stub
            return False
        mallopt = libc.mallopt
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt.restype = ctypes.c_int
        return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                    and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except Exception:                        # a speed-up must never break `import tensorkit`
        return False


ENABLED = keep_large_blocks()
