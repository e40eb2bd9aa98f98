"""Seed 000 §7.3.3 on MNIST: a CNN, an MLP and a tree model, weighted on validation data.

Members, all trained on the same 7,000 images:
- **cnn**: seed 004's MNIST convnet (Conv2D 32-64-64 with 2x2 max pooling, a 64-unit dense
  layer and a 10-way softmax), a few epochs. Seed 004 also shows it with BatchNormalization
  and dropout (`--batchnorm`); in runs this short (3-4 epochs) that variant's BN moving
  statistics lag the training ones and its validation accuracy stays far below its training
  accuracy, so the plain convnet is the default;
- **mlp**: a 784-256-128-10 ReLU network;
- **trees**: scikit-learn's `RandomForestClassifier` (or `--trees boosting` for a
  `HistGradientBoostingClassifier`, much slower on 784 pixel columns) on the raw pixels.
Their weights are learned with Nelder-Mead on a held-out validation split (never seen in
training), for the weighted arithmetic and the weighted geometric mean, keeping the one with
the lower validation log-loss. Each member, the equal-weight mean and the learned-weight
ensemble are then scored on the test split, which neither training nor weighting used, with
the members' error correlation.

Data: MNIST's 10,000 t10k images split by position with `mnist.load_test_split`: the first
8,000 for training (of which the last `--val` are the validation split for the weights) and the
last 2,000 for the test, so the figures can be reproduced exactly.

Usage:
    PYTHONPATH=src python examples/mnist_ensemble.py [--data ../shared/datasets/mnist]
        [--threads 2] [--epochs 3] [--batchnorm] [--method auto|mean|geometric] [--val 1000]
        [--trees forest|boosting] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

import strata as keras
from strata import layers
from strata.datasets import mnist
from strata.ensembles import Ensemble

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"


def load(data, val):
    """Flattened images in [0, 1] (n, 784) and int64 labels: train, validation, test parts."""
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(data, train_size=8000)
    scale = lambda x: x.reshape(len(x), 784).astype("float32") / 255.0  # noqa: E731
    x_train, x_test = scale(x_train), scale(x_test)
    y_train, y_test = y_train.astype("int64"), y_test.astype("int64")
    cut = len(x_train) - val
    return (x_train[:cut], y_train[:cut]), (x_train[cut:], y_train[cut:]), (x_test, y_test)


def build_cnn(batchnorm=False):
    """Seed 004's MNIST convnet; with `batchnorm`, its BatchNormalization + dropout variant."""
    norm = (lambda: [layers.BatchNormalization()]) if batchnorm else (lambda: [])  # noqa: E731
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Reshape((28, 28, 1)),  # every member reads the same flat pixel rows
            layers.Conv2D(32, (3, 3), activation="relu"),
            *norm(),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            *norm(),
            layers.MaxPooling2D((2, 2)),
            *([layers.Dropout(0.5)] if batchnorm else []),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            *norm(),
            layers.Dense(10, activation="softmax"),
        ],
        name="cnn",
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_mlp():
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_trees(kind, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

    if kind == "forest":
        trees = RandomForestClassifier(n_estimators=200, n_jobs=2, random_state=seed)
    else:
        trees = HistGradientBoostingClassifier(
            max_iter=50, learning_rate=0.2, early_stopping=False, random_state=seed
        )
    return trees


def train_members(train, epochs, trees, seed, batchnorm=False):
    x, y = train
    keras.utils.set_random_seed(seed)
    members, seconds = [], {}
    for name, build in (("cnn", lambda: build_cnn(batchnorm)), ("mlp", build_mlp)):
        start = time.perf_counter()
        model = build()
        model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
        seconds[name] = time.perf_counter() - start
        members.append(model)
    start = time.perf_counter()
    members.append(build_trees(trees, seed).fit(x, y))
    seconds["trees"] = time.perf_counter() - start
    return members, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batchnorm", action="store_true", help="seed 004's BN variant")
    parser.add_argument(
        "--method",
        choices=("auto", "mean", "geometric"),
        default="auto",
        help="auto: both combinations weighted, the lower validation log-loss kept",
    )
    parser.add_argument("--val", type=int, default=1000)
    parser.add_argument("--train-limit", type=int, default=None, help="tiny runs: fewer images")
    parser.add_argument("--trees", choices=("forest", "boosting"), default="forest")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    train, val, test = load(args.data, args.val)
    if args.train_limit:
        train = (train[0][: args.train_limit], train[1][: args.train_limit])
    print(f"train {len(train[0])}, validation {len(val[0])}, test {len(test[0])} images")
    members, seconds = train_members(train, args.epochs, args.trees, args.seed, args.batchnorm)
    print("training seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))

    names = ["cnn", "mlp", type(members[2]).__name__]
    methods = ("mean", "geometric") if args.method == "auto" else (args.method,)
    candidates = []
    for method in methods:
        candidate = Ensemble(
            members, method=method, trained_on=[train[0]] * len(members), names=names
        )
        candidate.fit_weights(val[0], val[1], method="nelder-mead")
        print(f"{method}: validation log-loss {candidate.ensemble_loss_:.4f}")
        candidates.append(candidate)
    # Chosen on the validation split only; the test split is scored once, below.
    ensemble = min(candidates, key=lambda candidate: candidate.ensemble_loss_)
    print(f"combination kept: {ensemble.method}")
    losses = ", ".join(f"{k} {v:.4f}" for k, v in ensemble.member_losses_.items())
    print(
        f"validation log-loss: {losses}, equal weights {ensemble.equal_weight_loss_:.4f}, "
        f"learned {ensemble.ensemble_loss_:.4f}"
    )
    weights = ", ".join(f"{n} {w:.3f}" for n, w in zip(ensemble.names, ensemble.weights_))
    print(f"learned weights: {weights}")
    print(f"\ntest split ({len(test[0])} images):")
    return ensemble.report(test[0], test[1])


if __name__ == "__main__":
    main()
