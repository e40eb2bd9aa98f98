"""Seed 000 §7.3.2: search an MLP's hyperparameters on MNIST, then judge the winner on sealed data.

The search space is the seed's list: depth (1-3 hidden layers), units, dropout, activation (relu
and elu with He initialisation, selu with LeCun initialisation and alpha dropout, the pairing
self-normalising networks need) and the learning rate (log scale). Three strategies get the same
budget of trials and epochs:

- random search (the seed's "strong baseline"),
- TPE, the tree of Parzen estimators of Hyperopt (Optuna's implementation),
- TPE with a median pruner, which stops a trial at an epoch's end when it trails the earlier ones.

`--strategies tpe+cv` adds TPE scoring each trial by K-fold cross-validation (`search(cv=K)`).

Each search sees only the 8,000 training images (20% of them as its validation split, or K
folds of them all with `tpe+cv`). The 2,000 test images stay sealed until
`tuner.final_evaluation`, which scores the winner on them once and reports the optimism (its
validation score minus its test score) and the rank correlation between the validation and test
scores of the top trials: the seed's warning that after many trials the best validation score
flatters the winner, measured.

Data: MNIST's 10,000 t10k images split by position with `mnist.load_test_split` (the first
8,000 train, the last 2,000 test).

Usage:
    PYTHONPATH=src python examples/tuning_mnist.py [--data ../shared/datasets/mnist]
        [--trials 30] [--epochs 10] [--strategies random tpe tpe+pruning] [--threads 1]

    Several processes or machines on one search (the same command on each; a PostgreSQL
    database they all reach, and a folder they all share for the trials' weights):
    PYTHONPATH=src python examples/tuning_mnist.py --strategies tpe --search-only \
        --storage postgresql://tuner:secret@db-host:5432/search --directory /shared/runs
    and then once, anywhere, the final evaluation (no trial runs again):
    PYTHONPATH=src python examples/tuning_mnist.py --strategies tpe \
        --storage postgresql://tuner:secret@db-host:5432/search --directory /shared/runs
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

import strata as keras
import strata.tuning as kt
from strata import layers
from strata.datasets import mnist

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"
STRATEGIES = ("random", "tpe", "tpe+pruning")
# Not run by default (K fits per trial): TPE ranking trials by K-fold cross-validation.
ALL_STRATEGIES = (*STRATEGIES, "tpe+cv")
INITIALIZER = {"relu": "he_normal", "elu": "he_normal", "selu": "lecun_normal"}


def build_model(hp):
    """The MLP a trial trains: every choice below is a hyperparameter of the search."""
    activation = hp.Choice("activation", ["relu", "elu", "selu"])
    dropout = hp.Float("dropout", 0.0, 0.5, step=0.1)
    model = keras.Sequential([keras.Input(shape=(784,))])
    for depth in range(hp.Int("depth", 1, 3)):
        units = hp.Int(f"units_{depth + 1}", 32, 512, step=32)
        model.add(
            layers.Dense(units, activation=activation, kernel_initializer=INITIALIZER[activation])
        )
        if dropout > 0:
            # Alpha dropout keeps selu's self-normalising mean and variance; plain dropout
            # would not.
            model.add(
                layers.AlphaDropout(dropout) if activation == "selu" else layers.Dropout(dropout)
            )
    model.add(layers.Dense(10, activation="softmax"))
    learning_rate = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def load(data, train_size=8000):
    """Flattened images in [0, 1] and int64 labels: the first 8,000 and the last 2,000 images."""
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(data, train_size=train_size)
    flat = lambda x: x.reshape(len(x), -1).astype("float32") / 255.0  # noqa: E731
    return (flat(x_train), y_train.astype("int64")), (flat(x_test), y_test.astype("int64"))


def make_tuner(strategy, trials, seed, directory, storage=None):
    """One tuner per strategy, with the same objective, budget and seed.

    Without `storage` each run starts its studies afresh; with a shared storage (PostgreSQL)
    every process started with the same arguments joins the same studies.
    """
    common = dict(
        objective="val_accuracy",
        max_trials=trials,
        seed=seed,
        directory=directory,
        project_name=strategy.replace("+", "_"),
        overwrite=storage is None,
        storage=storage,
    )
    if strategy == "random":
        return kt.RandomSearch(build_model, **common)
    if strategy in ("tpe", "tpe+cv"):
        return kt.TPESearch(build_model, **common)
    if strategy == "tpe+pruning":
        return kt.TPESearch(build_model, pruner="median", **common)
    raise ValueError(f"unknown strategy {strategy!r}; expected one of {ALL_STRATEGIES}")


def run_strategy(strategy, data, args, directory):
    """Search, then the one look at the sealed test images; returns the figures of the table."""
    (x_train, y_train), (x_test, y_test) = data
    tuner = make_tuner(strategy, args.trials, args.seed, directory, args.storage)
    start = time.perf_counter()
    if strategy.endswith("+cv"):
        # Every trial scored on K held-out folds of all 8,000 images; epochs chosen on inner
        # splits; the winner refitted on all of them (docs/tuning-guard.md).
        validation = {"cv": args.folds}
    else:
        validation = {"validation_split": 0.2}
    tuner.search(
        x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, verbose=0, **validation
    )
    seconds = time.perf_counter() - start
    if args.search_only:
        return None
    report = tuner.final_evaluation(x_test, y_test, top_trials=args.top, verbose=0)
    epochs_run = sum(trial.epochs for trial in tuner.oracle.trials.values())
    return {
        "validation": report["validation"],
        "test": report["test"]["accuracy"],
        "optimism": report["optimism"],
        "rank_correlation": report["rank_correlation"]["rho"],
        "pruned": sum(trial.status == "STOPPED" for trial in tuner.oracle.trials.values()),
        "epochs": epochs_run,
        "seconds": seconds,
        "best": tuner.get_best_hyperparameters(1)[0].values,
    }


def print_table(rows, args):
    print(
        f"\n{args.trials} trials x up to {args.epochs} epochs each, seed {args.seed}; "
        f"rank correlation over the top {args.top} trials"
    )
    header = (
        f"{'strategy':<13}{'best val acc':>13}{'test acc':>10}{'optimism':>10}"
        f"{'rank corr':>11}{'pruned':>8}{'epochs':>8}{'wall s':>8}"
    )
    print(header)
    for name, row in rows.items():
        print(
            f"{name:<13}{row['validation']:>13.4f}{row['test']:>10.4f}{row['optimism']:>+10.4f}"
            f"{row['rank_correlation']:>11.2f}{row['pruned']:>8d}{row['epochs']:>8d}"
            f"{row['seconds']:>8.1f}"
        )
    for name, row in rows.items():
        print(f"{name} winner: {row['best']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--top", type=int, default=5, help="trials in the rank correlation")
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=ALL_STRATEGIES)
    parser.add_argument("--folds", type=int, default=3, help="K of the tpe+cv strategy")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=8000)
    parser.add_argument("--directory", default=None, help="keep the studies here")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument(
        "--storage", default=None, help="a shared Optuna storage URL (postgresql://...)"
    )
    parser.add_argument(
        "--search-only", action="store_true", help="a worker: search, no final evaluation"
    )
    args = parser.parse_args(argv)
    if args.storage and not args.directory:
        parser.error("--storage needs --directory: a folder every worker shares (trial weights)")
    if args.threads:
        torch.set_num_threads(args.threads)

    data = load(args.data, args.train_size)
    train, test = len(data[0][0]), len(data[1][0])
    print(f"{train} training images (a validation split or K folds), {test} sealed test images")
    # One small fit first, so the first strategy's wall time does not include torch's start-up.
    warm_up = build_model(kt.HyperParameters())
    warm_up.fit(data[0][0][:512], data[0][1][:512], epochs=1, batch_size=args.batch_size, verbose=0)
    rows = {}
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.directory or scratch
        for strategy in args.strategies:
            rows[strategy] = run_strategy(strategy, data, args, directory)
    if args.search_only:
        print("search done: run once more without --search-only for the final evaluation")
        return rows
    print_table(rows, args)
    return rows


if __name__ == "__main__":
    main()
