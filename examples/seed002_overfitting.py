"""Seed 002: overfitting and underfitting on IMDB, with the validation-loss comparison plots.

Trains the seed's five models on the same multi-hot IMDB reviews and draws its figures:

1. validation loss, original (16-16) vs smaller (4-4) model;
2. validation loss, original vs bigger (512-512) model;
3. training loss, original vs bigger model;
4. training vs validation loss of the bigger model;
5. validation loss, original vs L2-regularized model;
6. validation loss, original vs dropout-regularized model.

It reads the bundled subset `imdb_5k_500words.npz` (5,000 training and 1,000 test reviews, a
500-word vocabulary), so it runs in a couple of minutes on two CPU cores; the reviews are
multi-hot encoded to 10,000 dimensions as in the seed, the test reviews serve as validation
data, and each model trains for 20 epochs with RMSprop and batches of 512.

Usage:
    PYTHONPATH=src python examples/seed002_overfitting.py --out plots/ [--epochs 20]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

import strata
from strata import layers, regularizers
from strata.datasets import imdb
from strata.utils import plot_history

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "imdb"


def vectorize_sequences(sequences, dimension=10000):
    """Multi-hot rows: 1.0 at each word index a review contains."""
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


def two_layer_model(units, kernel_regularizer=None, dropout=None, name=None):
    stack = [strata.Input(shape=(10000,))]
    for _ in range(2):
        stack.append(layers.Dense(units, activation="relu", kernel_regularizer=kernel_regularizer))
        if dropout:
            stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(1, activation="sigmoid"))
    model = strata.Sequential(stack, name=name)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def build_models():
    """The seed's five models, in the order it introduces them."""
    return {
        "Original model": two_layer_model(16, name="original"),
        "Smaller model": two_layer_model(4, name="smaller"),
        "Bigger model": two_layer_model(512, name="bigger"),
        "L2-regularized model": two_layer_model(
            16, kernel_regularizer=regularizers.l2(0.001), name="l2"
        ),
        "Dropout-regularized model": two_layer_model(16, dropout=0.5, name="dropout"),
    }


# (file name, metric, runs to compare, title)
FIGURES = [
    (
        "val_loss_original_vs_smaller.png",
        "val_loss",
        ["Original model", "Smaller model"],
        "Validation loss: original vs smaller model",
    ),
    (
        "val_loss_original_vs_bigger.png",
        "val_loss",
        ["Original model", "Bigger model"],
        "Validation loss: original vs bigger model",
    ),
    (
        "train_loss_original_vs_bigger.png",
        "loss",
        ["Original model", "Bigger model"],
        "Training loss: original vs bigger model",
    ),
    (
        "val_loss_original_vs_l2.png",
        "val_loss",
        ["Original model", "L2-regularized model"],
        "Validation loss: original vs L2-regularized model",
    ),
    (
        "val_loss_original_vs_dropout.png",
        "val_loss",
        ["Original model", "Dropout-regularized model"],
        "Validation loss: original vs dropout-regularized model",
    ),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="epochs per model (20)")
    parser.add_argument("--batch-size", type=int, default=512, help="batch size (512)")
    parser.add_argument("--out", default="seed002_plots", help="folder for the PNG files")
    parser.add_argument(
        "--data",
        default=os.environ.get("STRATA_IMDB", str(DEFAULT_DATA)),
        help="imdb_5k_500words.npz or its folder",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    args = parser.parse_args(argv)

    strata.utils.set_random_seed(args.seed)
    (train_data, train_labels), (test_data, test_labels) = imdb.load_data(
        path=args.data, num_words=10000
    )
    x_train, x_test = vectorize_sequences(train_data), vectorize_sequences(test_data)
    y_train = np.asarray(train_labels).astype("float32")
    y_test = np.asarray(test_labels).astype("float32")
    print(f"IMDB subset: {len(x_train)} training and {len(x_test)} validation reviews")

    histories = {}
    for label, model in build_models().items():
        start = time.perf_counter()
        history = model.fit(
            x_train,
            y_train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            validation_data=(x_test, y_test),
            verbose=0,
        )
        histories[label] = history
        val_loss = history.history["val_loss"]
        best = int(np.argmin(val_loss))
        print(
            f"{label:27s} {model.count_params():>9,d} params  {time.perf_counter() - start:5.1f}s"
            f"  best val_loss {val_loss[best]:.3f} at epoch {best + 1},"
            f" last {val_loss[-1]:.3f} (train loss {history.history['loss'][-1]:.4f})"
        )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, metric, labels, title in FIGURES:
        path = out / file_name
        plot_history(
            {label: histories[label] for label in labels},
            metric=metric,
            to_file=path,
            title=title,
            styles={labels[0]: "b+", labels[1]: "bo"},  # the seed's crosses and dots
        )
        written.append(path)
    path = out / "bigger_train_vs_val_loss.png"
    plot_history(
        histories["Bigger model"],
        metric="loss",
        to_file=path,
        title="Bigger model: training vs validation loss",
    )
    written.append(path)
    print("Wrote:")
    for path in written:
        print(f"  {path.resolve()}")
    return histories


if __name__ == "__main__":
    main()
