"""Data-parallel scaling: the same fit() on 1 and 2 processes (torchrun, gloo), same global batch.

Each round launches `torchrun --nproc_per_node=1` and `--nproc_per_node=2` in turn (alternated;
round 0 is a discarded warm-up) on the same script, which times `fit()` inside the processes
(process 0 reports; start-up and the process group's rendezvous are outside the timed region).
The figure is the ratio of medians, time on 2 processes / time on 1 (below 1 is a speed-up).

On a machine with 2 cores, two processes share the cores that one process's intra-op threads
used: expect no speed-up there; the benchmark reports what it measures. Each process uses
`cores / processes` threads.

Usage: python benchmarks/bench_data_parallel.py [--rounds 5] [--epochs 2] [--batch-size 256]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time

WORKER = r"""
import os, sys, time
import numpy as np
import torch
torch.set_num_threads(max(1, (os.cpu_count() or 2) // int(os.environ["WORLD_SIZE"])))
import strata
from strata import layers
from strata.distribution import DataParallel, process_index, set_distribution

set_distribution(DataParallel())
epochs, batch_size, workload = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
if workload == "mlp":
    x = rng.normal(size=(60_000, 64)).astype("float32")
    hidden = [layers.Dense(256, activation="relu"), layers.Dense(256, activation="relu")]
else:
    x = rng.random((8_192, 28, 28, 1), dtype=np.float32)
    hidden = [layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
              layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten()]
y = np.eye(10, dtype="float32")[rng.integers(0, 10, len(x))]
strata.set_random_seed(0)
head = layers.Dense(10, activation="softmax")
model = strata.Sequential([strata.Input(x.shape[1:]), *hidden, head])
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])
model.fit(x[:batch_size * 4], y[:batch_size * 4], batch_size=batch_size, epochs=1, verbose=0)
torch.distributed.barrier()
start = time.perf_counter()
model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
torch.distributed.barrier()
if process_index() == 0:
    print(f"FIT_SECONDS {time.perf_counter() - start:.4f}", flush=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(processes, script, epochs, batch_size, workload) -> float:
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        f"--nproc_per_node={processes}",
        f"--master_port={free_port()}",
        script,
        str(epochs),
        str(batch_size),
        workload,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"FIT_SECONDS ([0-9.]+)", output).group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--workloads", nargs="*", default=["mlp", "cnn"])
    args = parser.parse_args(argv)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".data_parallel_worker.py")
    with open(script, "w") as handle:
        handle.write(WORKER)
    try:
        print(f"{os.cpu_count()} cores; global batch {args.batch_size}; {args.epochs} epochs")
        for workload in args.workloads:
            times = {1: [], 2: []}
            for round_index in range(args.rounds + 1):
                for processes in (1, 2):
                    seconds = run(processes, script, args.epochs, args.batch_size, workload)
                    if round_index:
                        times[processes].append(seconds)
            one, two = statistics.median(times[1]), statistics.median(times[2])
            spread = [f"{b / a:.2f}" for a, b in zip(times[1], times[2])]
            print(
                f"{workload}: 1 process {one:.2f} s, 2 processes {two:.2f} s, "
                f"ratio 2/1 {two / one:.3f} (per round: {', '.join(spread)})",
                flush=True,
            )
            time.sleep(0.1)
    finally:
        os.remove(script)


if __name__ == "__main__":
    main()
