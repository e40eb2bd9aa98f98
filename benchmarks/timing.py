"""Alternated timing: run two contenders turn by turn, report the ratio of medians."""

from __future__ import annotations

import statistics
import time


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(make_and_run_strata, make_and_run_torch, rounds: int):
    """Each round runs strata then torch; round 0 warms both up and is discarded."""
    strata_times, torch_times = [], []
    for round_index in range(rounds + 1):
        t_strata = timed(lambda i=round_index: make_and_run_strata(i))
        t_torch = timed(lambda i=round_index: make_and_run_torch(i))
        if round_index:
            strata_times.append(t_strata)
            torch_times.append(t_torch)
    return strata_times, torch_times


def report(label, strata_times, torch_times) -> float:
    s, t = statistics.median(strata_times), statistics.median(torch_times)
    spread = max(strata_times) / min(strata_times)
    print(
        f"{label:<32} strata {s * 1e3:9.1f} ms   torch {t * 1e3:9.1f} ms   "
        f"ratio {s / t:.3f}   (strata max/min {spread:.2f})",
        flush=True,
    )
    return s / t
