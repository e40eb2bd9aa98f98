"""Data-parallel training in real `torchrun` process groups (2 CPU processes, gloo).

The workers in `workers/` do the training and assert inside every process (each data-parallel
result against a one-process reference computed in the same process); these tests launch them
as users would and check what the job as a whole did.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import strata
from strata.distribution import DataParallel, distribution, list_devices, set_distribution

WORKERS = Path(__file__).parent / "workers"
SOURCE = Path(strata.__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def torchrun(args, timeout=240):
    """Run `torchrun ARGS`; returns (exit code, combined output, seconds)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SOURCE), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("STRATA_DEVICE", None)
    command = [sys.executable, "-m", "torch.distributed.run", *args]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - start


def passed_checks(output):
    return sorted(re.findall(r"CHECK (\w+) OK rank=(\d)", output))


ALL_CHECKS = ["callbacks", "custom_step", "equivalence", "frozen", "inputs", "shuffle", "syncbn"]


def test_two_processes_train_like_one(tmp_path):
    """Same weights and metrics as one process; exact reductions; sharding; callbacks on rank 0;
    frozen and unused layers; synchronized batch normalization; Datasets and generators."""
    code, output, _ = torchrun(
        [
            "--nproc_per_node=2",
            f"--master_port={free_port()}",
            str(WORKERS / "data_parallel_checks.py"),
            str(tmp_path),
        ]
    )
    assert code == 0, output[-4000:]
    assert passed_checks(output) == sorted((c, r) for c in ALL_CHECKS for r in "01"), output[-4000:]


def test_two_machines_of_one_process_each_over_loopback(tmp_path):
    """`torchrun --nnodes=2 --rdzv_backend=c10d`, two launchers on one machine."""
    port = free_port()
    args = [
        "--nnodes=2",
        "--nproc_per_node=1",
        "--rdzv_backend=c10d",
        f"--rdzv_endpoint=127.0.0.1:{port}",
        "--rdzv_id=strata-two-nodes",
        str(WORKERS / "data_parallel_checks.py"),
        str(tmp_path),
        "equivalence,callbacks",
    ]
    env = {**os.environ, "PYTHONPATH": str(SOURCE)}
    command = [sys.executable, "-m", "torch.distributed.run", *args]
    nodes = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        for _ in range(2)
    ]
    outputs = [node.communicate(timeout=240)[0] for node in nodes]
    assert [node.returncode for node in nodes] == [0, 0], "\n".join(o[-3000:] for o in outputs)
    assert passed_checks("".join(outputs)) == [
        ("callbacks", "0"),
        ("callbacks", "1"),
        ("equivalence", "0"),
        ("equivalence", "1"),
    ]


@pytest.fixture(scope="module")
def unbroken_weights(tmp_path_factory):
    """Final weights of the restart script's job when nothing kills it."""
    out = tmp_path_factory.mktemp("unbroken")
    code, output, _ = torchrun(
        [
            "--nproc_per_node=2",
            f"--master_port={free_port()}",
            str(WORKERS / "restart_checks.py"),
            str(out),
            "-1",
        ]
    )
    assert code == 0, output[-4000:]
    return np.load(out / "final.npy")


@pytest.mark.parametrize(
    "kill_rank, kill_epoch",
    [(1, 2), (0, 0)],  # a worker mid-run; the writing process before its first backup
)
def test_a_killed_worker_restarts_and_ends_with_the_unbroken_weights(
    tmp_path, unbroken_weights, kill_rank, kill_epoch
):
    code, output, _ = torchrun(
        [
            "--nproc_per_node=2",
            "--max-restarts=1",
            f"--master_port={free_port()}",
            str(WORKERS / "restart_checks.py"),
            str(tmp_path),
            str(kill_epoch),
            str(kill_rank),
        ]
    )
    assert code == 0, output[-4000:]
    assert f"killing rank {kill_rank} in epoch {kill_epoch}" in output, output[-4000:]
    assert "finished rank 0 attempt 0" not in output  # the first attempt died...
    assert "finished rank 0 attempt 1" in output and "finished rank 1 attempt 1" in output
    np.testing.assert_array_equal(np.load(tmp_path / "final.npy"), unbroken_weights)


def test_a_failing_process_ends_the_job_with_its_own_error():
    code, output, seconds = torchrun(
        ["--nproc_per_node=2", f"--master_port={free_port()}", str(WORKERS / "diverging_rank.py")],
        timeout=120,
    )
    assert code != 0
    assert seconds < 60  # nobody waits for the 60 s collective timeout, let alone forever
    root_cause = output[output.index("Root Cause") :]
    assert "rank      : 1" in root_cause and "process 1 diverged" in root_cause, root_cause


# ---------------------------------------------------------------- in one process, no torchrun
def test_outside_torchrun_a_data_parallel_script_runs_as_one_process():
    assert distribution() is None
    set_distribution(DataParallel())
    try:
        assert distribution().num_processes == 1 and distribution().process_index == 0
        x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
        model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(x, x.sum(1), epochs=2, verbose=0)
        assert len(history.history["loss"]) == 2
    finally:
        set_distribution(None)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"device_mesh": "2x1"}, "device_mesh=None"),
        ({"auto_shard_dataset": False}, "auto_shard_dataset=True"),
        ({"timeout_seconds": 0}, "positive timeout_seconds"),
    ],
)
def test_data_parallel_arguments_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataParallel(**kwargs)


def test_set_distribution_refuses_other_objects_and_list_devices_names_devices():
    with pytest.raises(ValueError, match="DataParallel or None; received str"):
        set_distribution("data_parallel")
    assert list_devices("cpu") == ["cpu:0"]
    with pytest.raises(ValueError, match="device_type"):
        list_devices("tpu")
