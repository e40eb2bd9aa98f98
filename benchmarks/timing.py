"""Alternated timing: run two contenders turn by turn, report the ratio of medians."""

from __future__ import annotations

import statistics
import time


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(make_and_run_strata, make_and_run_torch, rounds: int):
    """Each round runs strata then torch; round 0 warms both up and is discarded.

    Each `make_and_run_*(round_index)` builds its model (untimed) and returns a function that
    runs the timed work; a plain function that returns None is timed whole.
    """
    strata_times, torch_times = [], []
    for round_index in range(rounds + 1):
        t_strata = _time_prepared(make_and_run_strata, round_index)
        t_torch = _time_prepared(make_and_run_torch, round_index)
        if round_index:
            strata_times.append(t_strata)
            torch_times.append(t_torch)
    return strata_times, torch_times


def _time_prepared(make, round_index) -> float:
    start = time.perf_counter()
    work = make(round_index)
    if work is None:
        return time.perf_counter() - start
    return timed(work)


def report(label, strata_times, torch_times) -> float:
    s, t = statistics.median(strata_times), statistics.median(torch_times)
    spread = max(strata_times) / min(strata_times)
    print(
        f"{label:<32} strata {s * 1e3:9.1f} ms   torch {t * 1e3:9.1f} ms   "
        f"ratio {s / t:.3f}   (strata max/min {spread:.2f})",
        flush=True,
    )
    return s / t


def alternate_many(make_and_run_strata, torch_variants: dict, rounds: int):
    """Like `alternate`, against several hand-written variants (memory formats, gathering):
    each round runs strata, then every variant in turn. Returns strata's times and a dict of
    each variant's times."""
    strata_times, variant_times = [], {name: [] for name in torch_variants}
    for round_index in range(rounds + 1):
        t_strata = _time_prepared(make_and_run_strata, round_index)
        times = {n: _time_prepared(make, round_index) for n, make in torch_variants.items()}
        if round_index:
            strata_times.append(t_strata)
            for name, value in times.items():
                variant_times[name].append(value)
    return strata_times, variant_times


def report_against_fastest(label, strata_times, variant_times) -> float:
    """Print every variant's median and the ratio against the fastest one."""
    medians = {name: statistics.median(times) for name, times in variant_times.items()}
    for name, median in sorted(medians.items(), key=lambda item: item[1]):
        print(f"    torch variant {name:<22} {median * 1e3:9.1f} ms", flush=True)
    fastest = min(medians, key=medians.get)
    return report(f"{label} (vs {fastest})", strata_times, variant_times[fastest])
