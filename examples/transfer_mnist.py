"""Seed 001's transfer experiment: reuse a digits-0-4 network for digits 5-9 with few labels.

1. A base network (784-300-50-50 ReLU, `hidden1`-`hidden3`, and a 5-way softmax) learns
   digits 0-4 from every 0-4 image of the training part.
2. Its hidden layers are reused for digits 5-9, of which only `--per-class` labelled images per
   digit are available, under a new 20-unit ReLU layer (`hidden4`) and a 5-way softmax:
   - **frozen**: `hidden1`-`hidden3` keep the base's weights (`trainable = False`); `fit`
     computes their outputs once and trains the new layers on them (`cache_frozen="auto"`);
   - **frozen, cache off**: the same run with `fit(..., cache_frozen=False)`, for the epoch
     times (same seed and shuffles: the same accuracy);
   - **unfrozen**: the frozen model, then `hidden3` (`--unfreeze 1`; 2 for `hidden2` too)
     unfrozen with `model.unfreeze(from_=...)` and the model recompiled with a 10x smaller
     learning rate for a few more epochs (seed 001: "try unfreezing one or two of the top
     hidden layers");
   - **frozen, hidden1-2 only** and **frozen, hidden1 only**: fewer layers reused, frozen (seed
     001: with little data, drop the top reused layers and freeze the rest; iterate);
   - **scratch**: the same architecture from random weights, on the same few labels, for as
     many epochs as the frozen and unfrozen phases together.
3. Each variant's accuracy on the held-out 5-9 digits and its mean epoch time are printed.

Data: MNIST's 10,000 t10k images split by position with `mnist.load_test_split` (the first
8,000 train, the last 2,000 are only evaluated), so the figures can be reproduced exactly on a
machine that has only those two files. Each seed draws its own labelled subset and weights.

Usage:
    PYTHONPATH=src python examples/transfer_mnist.py [--data ../shared/datasets/mnist] [--threads 1]
        [--per-class 100] [--seeds 0 1 2] [--base-epochs 5] [--epochs 60] [--fine-epochs 20]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

import strata as keras
from strata import layers
from strata.datasets import mnist

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"
HIDDEN = ("hidden1", "hidden2", "hidden3")


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch, in seconds."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def load(data):
    """Flattened images in [0, 1] and int64 labels: the 8,000 training and 2,000 test images."""
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(data, train_size=8000)
    flat = lambda x: x.reshape(len(x), -1).astype("float32") / 255.0  # noqa: E731
    return (flat(x_train), y_train.astype("int64")), (flat(x_test), y_test.astype("int64"))


def few_labels(x, y, per_class, rng):
    """`per_class` random images of each digit 5-9, labels shifted to 0-4."""
    picked = np.concatenate(
        [rng.choice(np.flatnonzero(y == digit), per_class, replace=False) for digit in range(5, 10)]
    )
    picked = rng.permutation(picked)
    return x[picked], y[picked] - 5


def build_base():
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(300, activation="relu", name="hidden1"),
            layers.Dense(50, activation="relu", name="hidden2"),
            layers.Dense(50, activation="relu", name="hidden3"),
            layers.Dense(5, activation="softmax", name="outputs"),
        ],
        name="base_0_to_4",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_new(base=None, reuse=3, learning_rate=1e-3):
    """The base's first `reuse` hidden layers (copies, frozen), a new 20-unit layer, a softmax.

    Without a base the same architecture starts from random weights (all trainable).
    """
    fresh = [
        layers.Dense(300, activation="relu", name="hidden1"),
        layers.Dense(50, activation="relu", name="hidden2"),
        layers.Dense(50, activation="relu", name="hidden3"),
    ][:reuse]
    if base is None:
        reused = fresh
    else:
        # Copies, so that training the new model leaves the base intact (the Keras recipe:
        # clone the model, copy the weights, take its layers).
        clone = keras.models.clone_model(base)
        clone.set_weights(base.get_weights())
        reused = [clone.get_layer(name) for name in HIDDEN[:reuse]]
        for layer in reused:
            layer.trainable = False
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            *reused,
            layers.Dense(20, activation="relu", name="hidden4"),
            layers.Dense(5, activation="softmax", name="outputs"),
        ]
    )
    compile_new(model, learning_rate)
    return model


def compile_new(model, learning_rate):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def fit_timed(model, x, y, epochs, batch_size, cache_frozen="auto"):
    timer = EpochTimer()
    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        callbacks=[timer],
        cache_frozen=cache_frozen,
    )
    return timer.times


def run_seed(seed, data, args):
    """One seed: the base, then the three variants. Returns {variant: (accuracy, epoch times)}."""
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    low = y_train < 5
    base = build_base()
    base.fit(x_train[low], y_train[low], epochs=args.base_epochs, batch_size=32, verbose=0)
    base_accuracy = base.evaluate(x_test[y_test < 5], y_test[y_test < 5], verbose=0)[1]

    x_few, y_few = few_labels(x_train, y_train, args.per_class, rng)
    high = y_test >= 5
    x_eval, y_eval = x_test[high], y_test[high] - 5
    results = {"base (digits 0-4)": (base_accuracy, [])}

    # The same frozen run twice, with and without fit's cache of the frozen layers: same
    # seed, same shuffle, so the same accuracy; only the epoch times differ.
    torch_state = torch.random.get_rng_state()  # new layers' weights and the shuffles
    uncached = build_new(base)
    times = fit_timed(uncached, x_few, y_few, args.epochs, args.batch_size, cache_frozen=False)
    cache_off = (uncached.evaluate(x_eval, y_eval, verbose=0)[1], times)

    torch.random.set_rng_state(torch_state)
    frozen = build_new(base)
    times = fit_timed(frozen, x_few, y_few, args.epochs, args.batch_size)
    results["frozen"] = (frozen.evaluate(x_eval, y_eval, verbose=0)[1], times)
    results["frozen, cache off"] = cache_off

    frozen.unfreeze(from_=HIDDEN[len(HIDDEN) - args.unfreeze])
    compile_new(frozen, 1e-4)  # a smaller rate, so the reused weights are only adjusted
    fine_times = fit_timed(frozen, x_few, y_few, args.fine_epochs, args.batch_size)
    results["unfrozen"] = (frozen.evaluate(x_eval, y_eval, verbose=0)[1], fine_times)

    # Seed 001: with little data, drop the top reused layers and freeze the rest; iterate.
    for reuse, label in ((2, "frozen, hidden1-2 only"), (1, "frozen, hidden1 only")):
        fewer = build_new(base, reuse=reuse)
        times = fit_timed(fewer, x_few, y_few, args.epochs, args.batch_size)
        results[label] = (fewer.evaluate(x_eval, y_eval, verbose=0)[1], times)

    scratch = build_new()
    times = fit_timed(scratch, x_few, y_few, args.epochs + args.fine_epochs, args.batch_size)
    results["scratch"] = (scratch.evaluate(x_eval, y_eval, verbose=0)[1], times)
    return results


def report(per_seed, args):
    print(
        f"Digits 5-9 with {args.per_class} labels per digit ({5 * args.per_class} in all), "
        f"{len(per_seed)} seed(s); accuracy on the held-out 5-9 test digits:"
    )
    print(f"{'variant':<24} {'accuracy (mean ± std)':>22} {'median epoch (ms)':>18}")
    summary = {}
    for variant in per_seed[0]:
        accuracies = np.array([run[variant][0] for run in per_seed])
        times = [t for run in per_seed for t in run[variant][1]]
        epoch_ms = 1000 * float(np.median(times)) if times else float("nan")
        summary[variant] = (float(accuracies.mean()), float(accuracies.std()), epoch_ms)
        timing = f"{epoch_ms:18.1f}" if times else f"{'-':>18}"
        print(f"{variant:<24} {accuracies.mean():>14.4f} ± {accuracies.std():.4f} {timing}")
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--base-epochs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=60, help="frozen phase (and scratch)")
    parser.add_argument("--fine-epochs", type=int, default=20, help="after unfreezing")
    parser.add_argument("--unfreeze", type=int, default=1, choices=(1, 2))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (1 on a busy machine)"
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data = load(args.data)
    per_seed = [run_seed(seed, data, args) for seed in args.seeds]
    return report(per_seed, args)


if __name__ == "__main__":
    main()
