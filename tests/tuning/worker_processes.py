"""Waiting on the worker processes of the multi-process tuning tests."""

import time


def finish(processes, timeout=60):
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
    alive = [p.pid for p in processes if p.is_alive()]
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()
    assert not alive, f"workers {alive} still running after {timeout} s"
    assert [p.exitcode for p in processes] == [0] * len(processes)


def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
