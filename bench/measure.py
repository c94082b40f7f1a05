"""How the benchmarks time things (see shared PERFORMANCE.md): interleaved medians, and a
note of how busy other processes kept the machine meanwhile. Also the two libraries they
compare: ``tk`` (from the repo root when not installed) and ``torch`` (None when missing)."""

import os
import random
import statistics
import sys
import time

try:
    import tensorkit as tk
except ImportError:                                   # not installed: run from the repo root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import tensorkit as tk

try:
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(2)

__all__ = ["tk", "torch", "cpu_seconds", "busy_elsewhere", "median_times"]


def cpu_seconds():
    """(CPU seconds used by the whole machine, by this process), where /proc/stat exists."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    busy = sum(fields) - fields[3] - fields[4]        # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK"), time.process_time()


def busy_elsewhere(before, after, seconds):
    """Cores other processes kept busy between two cpu_seconds() readings."""
    if before is None or after is None or seconds <= 0:
        return None
    return ((after[0] - before[0]) - (after[1] - before[1])) / seconds


SETTLE = 0.2    # seconds a variant runs untimed before each timing (see median_times)


def median_times(variants, repeats, warmup=2):
    """{name: median seconds} of each `fn()`, the variants interleaved in every round.

    Each round runs them in a new (seeded) order: a variant that always ran right after
    the same one would pay for that one's garbage and cache misses every time. (An A/A run
    of identical variants in a fixed order differed by 8%.)

    Before each timing the variant runs untimed for SETTLE seconds. The BLAS and OpenMP
    worker threads of NumPy and PyTorch keep spinning on the cores for up to ~0.1 s after
    their last call, so a variant timed right after the other one ran on one core instead
    of two (measured: PyTorch's W3 step took 7.9 ms right after tensorkit's, 4.2 ms after
    its own; tensorkit's 8.2 ms right after PyTorch's, 7.2 ms after its own). Sleeping
    instead lets the cores idle down, which slowed both sides by 20-30%.
    """
    for _ in range(warmup):
        for fn in variants.values():
            fn()
    times = {name: [] for name in variants}
    order, shuffle = list(variants.items()), random.Random(0).shuffle
    for _ in range(repeats):
        shuffle(order)
        for name, fn in order:
            settled = time.perf_counter() + SETTLE
            while time.perf_counter() < settled:       # its own steady state, as in use
                fn()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}
