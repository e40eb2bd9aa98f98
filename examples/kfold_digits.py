"""Seed 003 §4.2: iterated K-fold cross-validation with shuffling on scikit-learn's digits.

With little data (1,797 8x8 images), a single hold-out split gives a noisy estimate. This
example keeps a test split aside, evaluates a small MLP on the rest by P repeats of K-fold
(reshuffled each repeat), prints every fold's score and their mean ± std, picks the epoch count
at which the fold-averaged validation loss is lowest (each fold's validation rows are an inner
split of its training part, never its held-out fold), then trains one model on all development
rows for that many epochs and scores it once on the test split.

Usage:
    PYTHONPATH=src python examples/kfold_digits.py [--repeats 3] [--folds 5] [--epochs 30]
        [--plot curves.png] [--directory cv_run/] [--jobs 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import strata
from strata import layers
from strata.evaluation import cross_validate


def build_mlp():
    """The small MLP every fold trains from scratch (a top-level function, so `--jobs` works)."""
    model = strata.Sequential(
        [
            strata.Input((64,)),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    # A learning rate high enough that the validation loss turns up within the epoch budget, so
    # the averaged curves have a minimum to find.
    optimizer = strata.optimizers.RMSprop(learning_rate=0.01)
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def load(test_fraction=0.2, rows=None, seed=0):
    """Digits scaled to [0, 1], split into development and test rows (stratified)."""
    digits = load_digits()
    x, y = (digits.data / 16.0).astype("float32"), digits.target.astype("int64")
    if rows is not None:
        x, y = x[:rows], y[:rows]
    return train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rows", type=int, default=None, help="use only the first rows")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default=None, help="write the averaged curves to this PNG")
    parser.add_argument("--directory", default=None, help="save folds here (resumable)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)

    x_dev, x_test, y_dev, y_test = load(rows=args.rows, seed=args.seed)
    print(
        f"{len(x_dev)} development rows, {len(x_test)} test rows; "
        f"{args.repeats} x {args.folds}-fold cross-validation, {args.epochs} epochs per fold"
    )
    start = time.perf_counter()
    result = cross_validate(
        build_mlp,
        x_dev,
        y_dev,
        cv=args.folds,
        repeats=args.repeats,
        seed=args.seed,
        epochs=args.epochs,
        batch_size=args.batch_size,
        directory=args.directory,
        n_jobs=args.jobs,
    )
    seconds = time.perf_counter() - start
    result.summary()
    accuracy, spread = result.mean["accuracy"], result.std["accuracy"]
    print(
        f"cross-validated accuracy: {accuracy:.4f} ± {spread:.4f} "
        f"({len(result.scores)} folds, {seconds:.0f} s)"
    )
    print(f"best epoch count from the averaged validation loss: {result.best_epoch}")
    oof_accuracy = np.atleast_1d(np.mean(result.oof_predictions.argmax(-1) == y_dev, axis=-1))
    print("out-of-fold accuracy per repeat: " + ", ".join(f"{a:.4f}" for a in oof_accuracy))

    strata.utils.set_random_seed(args.seed)
    final = build_mlp()
    final.fit(x_dev, y_dev, epochs=result.best_epoch, batch_size=args.batch_size, verbose=0)
    test = final.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print(
        f"final model ({result.best_epoch} epochs on all development rows): "
        f"test accuracy {test['accuracy']:.4f}, test loss {test['loss']:.4f}"
    )
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        result.plot("loss").savefig(args.plot, dpi=100)
        print(f"wrote {args.plot}")
    return result, test


if __name__ == "__main__":
    main()
