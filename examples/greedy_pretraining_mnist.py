"""Seed 001's unsupervised pretraining: greedy layer-wise autoencoders, then 500 labels.

Many images, few labels. `strata.pretraining.greedy_layerwise` trains a 784-300-100 stack (tanh
by default; `--activation relu`) one layer at a time as autoencoders on all the training images
*without* their labels (layer 1 reconstructs the pixels, layer 2 reconstructs layer 1's output
with layer 1 frozen); a softmax is put on top and the whole network is fine-tuned on `--labels`
labelled images. The same network trained from random weights on the same labelled images is
the comparison. (docs/pretraining.md: with ReLU layers the pretraining did not help here.)

Data: MNIST's 10,000 t10k images split by position with `mnist.load_test_split` (the first
8,000 are the training pool: all unlabelled for pretraining, `--labels` of them drawn at random
per seed with their labels; the last 2,000 are only evaluated).

Usage:
    PYTHONPATH=src python examples/greedy_pretraining_mnist.py [--data ../shared/datasets/mnist]
        [--threads 1] [--labels 500] [--seeds 0 1 2] [--pretrain-epochs 5] [--epochs 40]
        [--activation tanh] [--noise 0.3]
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
from strata.pretraining import greedy_layerwise

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"
UNITS = (300, 100)


def load(data, unlabelled=8000):
    """Flattened images in [0, 1] and int64 labels: the training pool and the 2,000 test images.

    `unlabelled` keeps only the first images of the pool (quick runs).
    """
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(data, train_size=8000)
    flat = lambda x: x.reshape(len(x), -1).astype("float32") / 255.0  # noqa: E731
    x_train, y_train = x_train[:unlabelled], y_train[:unlabelled]
    return (flat(x_train), y_train.astype("int64")), (flat(x_test), y_test.astype("int64"))


def classifier(hidden=None, activation="tanh"):
    """The pretrained layers (or fresh ones of the same sizes) under a 10-way softmax."""
    if hidden is None:
        hidden = [
            layers.Dense(units, activation=activation, name=f"hidden{i + 1}")
            for i, units in enumerate(UNITS)
        ]
    model = keras.Sequential(
        [keras.Input(shape=(784,)), *hidden, layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def run_seed(seed, data, args):
    """Returns {"pretrained": accuracy, "scratch": accuracy, "pretraining_s": seconds}."""
    (x_pool, y_pool), (x_test, y_test) = data
    rng = np.random.default_rng(seed)
    labelled = rng.choice(len(x_pool), args.labels, replace=False)
    x_few, y_few = x_pool[labelled], y_pool[labelled]

    start = time.perf_counter()
    hidden = greedy_layerwise(
        list(UNITS),
        x_pool,  # every pool image, labels unused
        activation=args.activation,
        epochs=args.pretrain_epochs,
        batch_size=64,
        decoder_activation=["sigmoid", None],  # pixels in [0, 1]; codes: linear
        noise=args.noise,
        seed=seed,
    )
    pretraining_s = time.perf_counter() - start
    pretrained = classifier(hidden)
    pretrained.fit(x_few, y_few, epochs=args.epochs, batch_size=32, verbose=0)

    keras.utils.set_random_seed(seed)
    scratch = classifier(activation=args.activation)
    scratch.fit(x_few, y_few, epochs=args.epochs, batch_size=32, verbose=0)
    return {
        "pretrained": pretrained.evaluate(x_test, y_test, verbose=0)[1],
        "scratch": scratch.evaluate(x_test, y_test, verbose=0)[1],
        "pretraining_s": pretraining_s,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--unlabelled", type=int, default=8000, help="pool size (quick runs)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--pretrain-epochs", type=int, default=5, help="per layer")
    parser.add_argument("--epochs", type=int, default=40, help="supervised epochs")
    parser.add_argument("--activation", default="tanh", help="hidden layers' activation")
    parser.add_argument("--noise", type=float, default=None, help="denoising: noise stddev")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (1 on a busy machine)"
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data = load(args.data, args.unlabelled)
    runs = [run_seed(seed, data, args) for seed in args.seeds]
    print(
        f"{args.labels} labelled images ({len(data[0][0])} unlabelled for pretraining), "
        f"{args.activation} hidden layers, "
        f"{len(runs)} seed(s); accuracy on the {len(data[1][0])} held-out test images:"
    )
    summary = {}
    for variant in ("pretrained", "scratch"):
        accuracies = np.array([run[variant] for run in runs])
        summary[variant] = (float(accuracies.mean()), float(accuracies.std()))
        per_seed = ", ".join(f"{a:.4f}" for a in accuracies)
        print(
            f"{variant:<11} {accuracies.mean():.4f} ± {accuracies.std():.4f}  (seeds: {per_seed})"
        )
    seconds = [run["pretraining_s"] for run in runs]
    print(f"greedy pretraining took {np.median(seconds):.1f} s per seed (median)")
    return summary, runs


if __name__ == "__main__":
    main()
