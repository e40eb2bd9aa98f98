"""The `strata` command: train the seeds' first model end to end on a real, embedded dataset.

`strata` with no arguments trains the functional 64-32-32-10 classifier of Deep Learning with
Python §7.1.1 (seed 000) on scikit-learn's bundled handwritten digits (1,797 real 8x8 images,
64 pixels each: no download), with a validation split, then reports the test accuracy, saves the
model, loads it back and checks that the reloaded model predicts the same.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strata",
        description=(
            "Train the seed's 64-32-32-10 functional classifier (Deep Learning with Python "
            "§7.1.1) on scikit-learn's bundled handwritten digits, evaluate it on a held-out "
            "test set, save it as a safe .keras file, reload it and check the reload."
        ),
        epilog="Example: strata --epochs 40 --batch-size 32 --output-dir runs/digits",
    )
    parser.add_argument("--epochs", type=int, default=30, help="training epochs (default 30)")
    parser.add_argument(
        "--batch-size", type=int, default=32, help="rows per training step (default 32)"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path("strata_runs/digits"),
        help="where the model, history and metrics are written (default strata_runs/digits)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=1, help="progress display (0, 1, 2)"
    )
    parser.add_argument("--version", action="version", version=_version())
    return parser


def _version() -> str:
    import strata

    return f"strata {strata.__version__}"


def build_model():
    """The seed's §7.1.1 functional model: Input(64) -> 32 relu -> 32 relu -> 10 softmax."""
    from strata import Input, layers
    from strata.models import Model

    input_tensor = Input(shape=(64,), name="pixels")
    x = layers.Dense(32, activation="relu")(input_tensor)
    x = layers.Dense(32, activation="relu")(x)
    output_tensor = layers.Dense(10, activation="softmax", name="digit")(x)
    return Model(input_tensor, output_tensor, name="seed_7_1_1")


def load_digits_split(seed: int):
    """Digits scaled to [0, 1], one-hot labels; 80% train (of which 20% validation), 20% test."""
    from strata.datasets import digits
    from strata.utils import to_categorical

    (x_train, y_train), (x_test, y_test) = digits.load_data(test_split=0.2, seed=seed)
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16.0
    return (x_train, to_categorical(y_train, 10)), (x_test, to_categorical(y_test, 10))


def run(args) -> dict:
    import strata
    from strata.models import load_model

    strata.set_random_seed(args.seed)
    started = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load_digits_split(args.seed)
    print(
        f"Data: scikit-learn digits, {len(x_train)} training rows (20% of them for validation), "
        f"{len(x_test)} test rows, 64 features, 10 classes."
    )
    model = build_model()
    model.summary()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])
    history = model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=0.2,
        verbose=args.verbose,
    )
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    output_dir = Path(args.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    model_path = output_dir / "model.keras"
    model.save(model_path)
    reloaded = load_model(model_path)
    same = np.allclose(model.predict(x_test, verbose=0), reloaded.predict(x_test, verbose=0))
    if not same:
        raise RuntimeError(f"The model reloaded from {model_path} predicts differently.")
    results = {
        "test_loss": test_loss,
        "test_accuracy": test_acc,
        "epochs": args.epochs,
        "final_val_accuracy": history.history["val_acc"][-1],
        "seconds": round(time.perf_counter() - started, 2),
    }
    _write_json(output_dir / "history.json", history.history)
    _write_json(output_dir / "metrics.json", results)
    print(f"\nTest accuracy: {test_acc:.4f}   test loss: {test_loss:.4f}")
    print(f"Reloaded model predicts identically: {same}")
    print(f"Written to {output_dir.resolve()}:")
    for name, what in (
        ("model.keras", "architecture, weights and optimizer (zip of JSON + safetensors)"),
        ("history.json", "loss and accuracy per epoch, training and validation"),
        ("metrics.json", "test loss and accuracy, run time"),
    ):
        print(f"  {name:<13} {what}")
    print(f"Done in {results['seconds']:.1f} s.")
    return results


def _write_json(path: Path, data) -> None:
    from strata.utils import atomic_write

    with atomic_write(path, mode="w") as handle:
        json.dump(data, handle, indent=2)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        run(args)
    except ImportError as error:
        print(f"strata: {error}. Install the extras: pip install 'strata[extras]'", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
