"""The active distribution and the process group it runs on."""

from __future__ import annotations

import atexit
import datetime
import os
import sys

import torch
import torch.distributed as dist

_active = None


def set_distribution(value) -> None:
    """Make `value` (a `DataParallel`, or None for one process) the distribution of every
    later `fit`, `evaluate` and `predict`; starts the process group if it is not running."""
    global _active
    from strata.distribution.data_parallel import DataParallel

    if value is not None and not isinstance(value, DataParallel):
        raise ValueError(
            "set_distribution expected a strata.distribution.DataParallel or None; received "
            f"{type(value).__name__}."
        )
    if value is not None:
        value.start()
    _active = value


def distribution():
    """The active distribution, or None when training runs in one process."""
    return _active


def is_chief() -> bool:
    """Whether this process writes files and prints (the first process, or the only one)."""
    return process_index() == 0


def process_index() -> int:
    """This process's rank in the running process group (0 without one)."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def num_processes() -> int:
    """How many processes the running process group has (1 without one)."""
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def barrier() -> None:
    """Wait until every process of a running process group gets here (nothing without one)."""
    if num_processes() > 1:
        dist.barrier()


def list_devices(device_type=None) -> list[str]:
    """The devices this process can use, as Keras names them (`"cpu:0"`, `"cuda:0"`, ...).

    Args:
        device_type: `"cpu"`, `"gpu"`/`"cuda"`, or None for the default (CUDA when present).
    """
    kind = (device_type or ("gpu" if torch.cuda.is_available() else "cpu")).lower()
    if kind in ("gpu", "cuda"):
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if kind == "cpu":
        return ["cpu:0"]
    raise ValueError(f"list_devices expected device_type 'cpu', 'gpu' or None; received {kind!r}.")


def get_device_count(device_type=None) -> int:
    """How many devices of `device_type` this process sees (Keras's `get_device_count`).

    Example:
        >>> get_device_count("cpu")
        1
    """
    return len(list_devices(device_type))


def initialize(job_addresses=None, num_processes=None, process_id=None, timeout_seconds=1800):
    """Start the process group (Keras's `keras.distribution.initialize`).

    Under `torchrun` nothing needs passing: its environment (RANK, WORLD_SIZE, MASTER_ADDR,
    MASTER_PORT, ...) says everything. Without torchrun, give the first process's
    `"host:port"` as `job_addresses` (or a comma-separated list whose first entry is used), the
    number of processes and this process's index.
    """
    if dist.is_initialized():
        return
    if job_addresses is not None:
        host, _, port = str(job_addresses).split(",")[0].strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                f"initialize expected job_addresses as 'host:port'; received {job_addresses!r}."
            )
        if num_processes is None or process_id is None:
            raise ValueError(
                "initialize expected num_processes and process_id with job_addresses; "
                f"received num_processes={num_processes!r}, process_id={process_id!r}."
            )
        os.environ.update(
            MASTER_ADDR=host, MASTER_PORT=port, WORLD_SIZE=str(num_processes), RANK=str(process_id)
        )
    missing = [
        name
        for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
        if name not in os.environ
    ]
    if missing:
        raise RuntimeError(
            f"A data-parallel run expected the process environment that torchrun sets; {missing} "
            "are not set. Start the script with `torchrun --nproc_per_node=N script.py`, or call "
            "strata.distribution.initialize(job_addresses, num_processes, process_id)."
        )
    _start_process_group(datetime.timedelta(seconds=timeout_seconds))


def _start_process_group(timeout) -> None:
    import importlib

    rendezvous = importlib.import_module("torch.distributed.rendezvous")
    store, rank, world_size = next(rendezvous.rendezvous("env://", timeout=timeout))
    # After a torchrun restart the store may still hold the previous attempt's keys: a prefix
    # per attempt keeps this attempt's rendezvous from reading them.
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    store = dist.PrefixStore(f"strata/attempt-{attempt}", store)
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend, store=store, rank=rank, world_size=world_size, timeout=timeout)
    _watch_for_failure()
    atexit.register(shutdown)


_failed = False


def _watch_for_failure() -> None:
    """Note an uncaught exception, so that exiting does not wait for peers that never come."""
    previous = sys.excepthook

    def excepthook(kind, value, traceback):
        global _failed
        _failed = True
        _record_for_torchrun(kind, value, traceback)
        previous(kind, value, traceback)

    sys.excepthook = excepthook


def _record_for_torchrun(kind, value, traceback) -> None:
    """Write the error where torchrun looks for it, so its summary names the real cause.

    torchrun reports the failure with the earliest timestamp (whole seconds) as the job's root
    cause, and a peer it stops within the same second would tie with it. So the error that
    started it is dated one second early, and a lost connection (a peer's death seen from here)
    one second late: the process that failed first is the one reported, with its own message.
    """
    path = os.environ.get("TORCHELASTIC_ERROR_FILE")
    if not path:
        return
    import json
    import time
    import traceback as traceback_module

    consequence = isinstance(value, dist.DistError) or "Connection closed by peer" in str(value)
    record = {
        "message": {
            "message": f"{kind.__name__}: {value}",
            "extraInfo": {
                "py_callstack": "".join(traceback_module.format_exception(kind, value, traceback)),
                "timestamp": str(int(time.time()) + (1 if consequence else -1)),
            },
        }
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(record, handle)


def shutdown() -> None:
    """Leave the process group: after a clean run every process meets at a barrier first.

    Registered to run at exit; gloo can abort a process whose peers leave without it. A process
    that failed leaves at once: its peers are stuck in a collective, and torchrun ends them when
    it sees this process's error.
    """
    global _active
    _active = None
    if dist.is_available() and dist.is_initialized():
        try:
            if not _failed:
                dist.barrier()
        finally:
            dist.destroy_process_group()
