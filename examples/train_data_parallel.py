"""A Keras-style script that trains data-parallel under torchrun after one extra line.

Trains seed 000's MNIST classifier (Dense 512 relu -> Dense 10 softmax) on the real MNIST subset
in ../shared/datasets (or on scikit-learn's bundled digits when it is absent), with validation,
callbacks, evaluate and predict, exactly as a one-process script would. From the repository
root, run it with:

    torchrun --nproc_per_node=2 examples/train_data_parallel.py --out runs/dp
    # two machines (here: two shells on one machine, over loopback)
    torchrun --nnodes=2 --nproc_per_node=1 --rdzv_backend=c10d \
        --rdzv_endpoint=127.0.0.1:29500 --rdzv_id=mnist examples/train_data_parallel.py
    # survive a crashed worker: torchrun restarts the job, BackupAndRestore resumes it
    torchrun --nproc_per_node=2 --max-restarts=3 examples/train_data_parallel.py

Without torchrun the same script trains in one process.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

import strata
from strata import layers

# The one line that makes this script data-parallel (Keras 3's name):
strata.distribution.set_distribution(strata.distribution.DataParallel())


def load_data():
    """Real MNIST (../shared/datasets/mnist: 8,000 train, 2,000 test images of the t10k files)
    when present, else scikit-learn's bundled 8x8 digits. Nothing is downloaded."""
    shared = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist")
    if os.path.exists(os.path.join(shared, "t10k-images-idx3-ubyte.gz")):
        (x_train, y_train), (x_test, y_test) = strata.datasets.mnist.load_test_split(shared)
        scale = 255.0
    else:
        print("MNIST files not found; using scikit-learn's bundled digits")
        (x_train, y_train), (x_test, y_test) = strata.datasets.digits.load_data()
        scale = 16.0
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / scale
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / scale
    return (
        (x_train, strata.utils.to_categorical(y_train, 10)),
        (x_test, strata.utils.to_categorical(y_test, 10)),
    )


def main():
    parser = argparse.ArgumentParser(description="Data-parallel MNIST under torchrun.")
    parser.add_argument("--out", default="strata_runs/data_parallel")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128, help="the global batch")
    args = parser.parse_args()
    rank = strata.distribution.process_index()
    count = strata.distribution.num_processes()
    print(f"process {rank} of {count}; devices {strata.distribution.list_devices()}")

    (x_train, y_train), (x_test, y_test) = load_data()
    strata.set_random_seed(0)
    model = strata.Sequential(
        [
            strata.Input(x_train.shape[1:]),
            layers.Dense(512, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    callbacks = [
        strata.callbacks.BackupAndRestore(os.path.join(args.out, "backup")),
        strata.callbacks.ModelCheckpoint(os.path.join(args.out, "best.keras"), save_best_only=True),
        strata.callbacks.CSVLogger(os.path.join(args.out, "log.csv")),
        strata.callbacks.EarlyStopping(patience=2, restore_best_weights=True),
    ]
    model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=0.1,
        callbacks=callbacks,
        verbose=2,
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predictions = model.predict(x_test[:5], verbose=0)
    # Every process reports the same, exact figures over the whole test set.
    print(f"process {rank}: test accuracy {accuracy:.4f}, loss {loss:.4f}")
    print(f"process {rank}: first predictions {np.argmax(predictions, -1).tolist()}")


if __name__ == "__main__":
    main()
