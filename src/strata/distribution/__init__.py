"""Data-parallel training across processes and machines, with Keras 3's names.

One line at the top of an ordinary Keras-style script, run with `torchrun`:

    strata.distribution.set_distribution(strata.distribution.DataParallel())

and `fit` trains on every process with DistributedDataParallel (gloo on the CPU, NCCL on CUDA),
each process taking its share of every global batch; `evaluate` and the epoch logs are reduced
exactly over the processes; callbacks with side effects act on the first process only.
"""

from strata.distribution.data_parallel import DataParallel
from strata.distribution.state import (
    distribution,
    get_device_count,
    initialize,
    is_chief,
    list_devices,
    num_processes,
    process_index,
    set_distribution,
)

__all__ = [
    "DataParallel",
    "distribution",
    "get_device_count",
    "initialize",
    "is_chief",
    "list_devices",
    "num_processes",
    "process_index",
    "set_distribution",
]
