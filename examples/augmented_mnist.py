"""Data augmentation at the start of a small convnet (the style of the Keras book, chapter 8).

The book's cats-vs-dogs model puts its augmentation stage first:

    data_augmentation = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.2)]
    )
    inputs = keras.Input(shape=...)
    x = data_augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    ... Conv2D / MaxPooling2D blocks, Flatten, Dropout(0.5), Dense ...

Here the same program learns MNIST digits from a few hundred real images (the t10k files, split
by position with `mnist.load_test_split`: the first `--train` images train, the last
`--test` ones are only evaluated). The augmentation layers act only in `fit`; `evaluate` and
`predict` see the images unchanged. (Mirrored digits are still digits to a convnet this small,
but the flip is kept because the book's recipe has it; `--no-flip` drops it.)

Usage:
    PYTHONPATH=src python examples/augmented_mnist.py [--data ../shared/datasets/mnist]
        [--train 600] [--test 1000] [--epochs 15]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import strata as keras
from strata import layers
from strata.datasets import mnist

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"


def build_model(flip=True, seed=0):
    """The book's layout, sized for 28 x 28 greyscale digits."""
    stages = [layers.RandomFlip("horizontal", seed=seed)] if flip else []
    stages += [layers.RandomRotation(0.1, seed=seed), layers.RandomZoom(0.2, seed=seed)]
    data_augmentation = keras.Sequential(stages, name="data_augmentation")
    inputs = keras.Input(shape=(28, 28, 1))
    x = data_augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model


def load(data, train, test):
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(data, train_size=10000 - test)
    x_train = x_train[:train, :, :, None].astype("float32")
    x_test = x_test[:, :, :, None].astype("float32")
    return (x_train, y_train[:train].astype("int64")), (x_test, y_test.astype("int64"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--train", type=int, default=600)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--no-flip", action="store_true")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load(args.data, args.train, args.test)
    model = build_model(flip=not args.no_flip)
    history = model.fit(
        x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.2, verbose=0
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(
        f"trained on {int(len(x_train) * 0.8)} images ({args.epochs} epochs); "
        f"test accuracy on {len(x_test)} held-out images: {accuracy:.3f} (loss {loss:.3f})"
    )
    return model, history, (loss, accuracy)


if __name__ == "__main__":
    main()
