"""fit() with the frozen layers cached against the same fit without the cache.

Seed 001's transfer scenario on real MNIST (the 10,000 t10k images, split by position: the
first 8,000 for training, the last 2,000 for validation):
- mlp: a 784-300-50-50 ReLU base (with a 5-way softmax) trained on digits 0-4, then reused
  frozen for digits 5-9 under a new Dense(20, relu) and a 5-way softmax.
- conv: a frozen convolutional base (Conv2D 32 - MaxPool - Conv2D 64 - MaxPool - Flatten,
  trained on digits 0-4) under the same new head.
The transfer model is fitted on digits 5-9 with validation data, once with
`cache_frozen=True` and once with `cache_frozen=False`, alternated in one process, several
rounds. A third side is the floor a cache can reach: a hand-written PyTorch loop training the
same head alone on the precomputed features (fused Adam, loss and accuracy accumulated on the
device, the validation pass included). Each run's epochs are timed by a callback; the figure
is the ratio of the median epoch times (cached / uncached), counting the epochs after the first
(the first cached epoch also computes the features: that one-off cost is reported apart, as
"first epoch").

Usage: python benchmarks/bench_frozen_cache.py [--rounds 3] [--epochs 4] [--batch-sizes 32 128]
       [--workloads mlp conv] [--threads 1] [--mnist /path/to/mnist]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import torch

import strata
from strata import layers
from strata.datasets import mnist

DEFAULT_MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"


class EpochTimes(strata.callbacks.Callback):
    """Wall time of each epoch (from on_epoch_begin to on_epoch_end, validation included)."""

    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def transfer_data(folder):
    """(base train x, y), (transfer train x, y), (transfer validation x, y): images in [0, 1]."""
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(folder, train_size=8000)
    x_train = x_train.astype("float32")[..., None] / 255.0
    x_test = x_test.astype("float32")[..., None] / 255.0
    low, high = y_train < 5, y_train >= 5
    base = (x_train[low], y_train[low].astype("int64"))
    transfer = (x_train[high], (y_train[high] - 5).astype("int64"))
    valid_rows = y_test >= 5
    valid = (x_test[valid_rows], (y_test[valid_rows] - 5).astype("int64"))
    return base, transfer, valid


def mlp_base():
    return [
        layers.Flatten(name="flatten"),
        layers.Dense(300, activation="relu", name="hidden1"),
        layers.Dense(50, activation="relu", name="hidden2"),
        layers.Dense(50, activation="relu", name="hidden3"),
    ]


def conv_base():
    return [
        layers.Conv2D(32, 3, activation="relu", name="conv1"),
        layers.MaxPooling2D(name="pool1"),
        layers.Conv2D(64, 3, activation="relu", name="conv2"),
        layers.MaxPooling2D(name="pool2"),
        layers.Flatten(name="flatten"),
    ]


BASES = {"mlp": mlp_base, "conv": conv_base}


def pretrained_base(kind, base_data):
    """The base layers with weights trained on digits 0-4 (one pass; untimed)."""
    strata.set_random_seed(0)
    base_layers = BASES[kind]()
    model = strata.Sequential(
        [layers.Input((28, 28, 1)), *base_layers, layers.Dense(5, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(*base_data, batch_size=64, epochs=1, verbose=0, cache_frozen=False)
    return [layer.get_weights() for layer in base_layers]


def transfer_model(kind, base_weights, seed):
    """The frozen base (same weights every time) under a new Dense(20) + softmax head."""
    strata.set_random_seed(seed)
    base_layers = BASES[kind]()
    model = strata.Sequential(
        [
            layers.Input((28, 28, 1)),
            *base_layers,
            layers.Dense(20, activation="relu", name="new_hidden"),
            layers.Dense(5, activation="softmax", name="new_output"),
        ]
    )
    for layer, weights in zip(base_layers, base_weights, strict=True):
        layer.set_weights(weights)
        layer.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def run_once(kind, base_weights, data, valid, batch_size, epochs, cached, seed):
    model = transfer_model(kind, base_weights, seed)
    timer = EpochTimes()
    strata.set_random_seed(seed + 1)
    history = model.fit(
        *data,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=valid,
        verbose=0,
        callbacks=[timer],
        cache_frozen=cached,
    )
    return timer.times, history, model.get_weights()


def head_features(kind, base_weights, data, valid):
    """The frozen base's outputs for the training and validation images, as torch tensors."""
    model = transfer_model(kind, base_weights, seed=0)
    base = strata.models.truncate(model, at=BASES[kind]()[-1].name)
    return [
        (torch.from_numpy(base.predict(x, batch_size=512, verbose=0)), torch.from_numpy(y))
        for x, y in (data, valid)
    ]


def hand_written_head(features, batch_size, epochs, seed):
    """Per-epoch times of the head alone trained on precomputed features in plain PyTorch."""
    torch.manual_seed(seed)
    (x, y), (x_valid, y_valid) = features
    head = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], 20), torch.nn.ReLU(), torch.nn.Linear(20, 5)
    )
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-3, eps=1e-7, fused=True)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        total, correct = torch.zeros(()), torch.zeros(())
        for rows in torch.randperm(len(x)).split(batch_size):
            logits = head(x[rows])
            loss = torch.nn.functional.cross_entropy(logits, y[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(rows)
            correct += (logits.detach().argmax(1) == y[rows]).sum()
        with torch.no_grad():
            for start_row in range(0, len(x_valid), batch_size):
                logits = head(x_valid[start_row : start_row + batch_size])
                rows = y_valid[start_row : start_row + batch_size]
                total += torch.nn.functional.cross_entropy(logits, rows) * len(rows)
                correct += (logits.argmax(1) == rows).sum()
        float(total), float(correct)  # the logs are read once per epoch, as fit does
        times.append(time.perf_counter() - start)
    return times


def bench(kind, base_weights, data, valid, batch_size, epochs, rounds):
    """Alternated rounds (round 0 warms up and is dropped): per-epoch times of each side."""
    steady = {True: [], False: [], "hand": []}
    first = {True: [], False: []}
    largest_difference, report = 0.0, None
    features = head_features(kind, base_weights, data, valid)
    for round_index in range(rounds + 1):
        runs = {}
        for cached in (True, False):
            times, history, weights = run_once(
                kind, base_weights, data, valid, batch_size, epochs, cached, seed=round_index
            )
            runs[cached] = weights
            if cached:
                report = history.cache_report
            if round_index:
                steady[cached].extend(times[1:])
                first[cached].append(times[0])
        hand = hand_written_head(features, batch_size, epochs, seed=round_index)
        if round_index:
            steady["hand"].extend(hand[1:])
        for a, b in zip(runs[True], runs[False], strict=True):
            largest_difference = max(largest_difference, float(np.abs(a - b).max()))
    return steady, first, largest_difference, report


def describe(label, steady, first, largest_difference, report):
    cached, uncached = statistics.median(steady[True]), statistics.median(steady[False])
    spread = {k: max(v) / min(v) for k, v in steady.items()}
    print(
        f"{label:<26} epoch cached {cached * 1e3:8.1f} ms  uncached {uncached * 1e3:8.1f} ms  "
        f"ratio {cached / uncached:.3f}  (max/min cached {spread[True]:.2f}, "
        f"uncached {spread[False]:.2f})",
        flush=True,
    )
    print(
        f"{'':<26} first epoch cached {statistics.median(first[True]) * 1e3:8.1f} ms  "
        f"uncached {statistics.median(first[False]) * 1e3:8.1f} ms;  largest weight "
        f"difference {largest_difference:.2e}",
        flush=True,
    )
    hand = statistics.median(steady["hand"])
    print(
        f"{'':<26} floor: the head alone, hand-written on precomputed features "
        f"{hand * 1e3:8.1f} ms (max/min {max(steady['hand']) / min(steady['hand']):.2f}); "
        f"cached / floor {cached / hand:.2f}, floor / uncached {hand / uncached:.3f}",
        flush=True,
    )
    print(f"{'':<26} {report.describe()}", flush=True)
    return cached / uncached


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[32, 128])
    parser.add_argument("--workloads", nargs="*", default=list(BASES))
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--mnist", default=DEFAULT_MNIST, help="folder of the t10k files")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"device {strata.backend.device()}"
    )
    base_data, data, valid = transfer_data(args.mnist)
    print(f"transfer: {len(data[0]):,} training rows, {len(valid[0]):,} validation rows")
    for kind in args.workloads:
        base_weights = pretrained_base(kind, base_data)
        for batch_size in args.batch_sizes:
            results = bench(kind, base_weights, data, valid, batch_size, args.epochs, args.rounds)
            describe(f"{kind} base, batch {batch_size}", *results)


if __name__ == "__main__":
    main()
