"""Text classification from raw strings: TextVectorization -> Embedding -> pooling -> Dense.

The pattern of Keras's "text classification from scratch" guide, on strata. torch has no string
tensors, so the vectorizer turns the text into integer ids *before* `fit` (Keras's guide calls
this "option 2: preprocess the data"); the model then trains on ids.

Data: the IMDB subset in ../shared/datasets/imdb (5,000 training and 1,000 test reviews with real
sentiment labels). That file stores word indices, not the words, and ships no word index, so each
review is written back as text with one made-up word per index ("w17 w4 w230 ..."): the text is
a stand-in but the task and the labels are real. Without the file (or with --synthetic), a small
synthetic corpus of positive and negative phrases is used instead.

Usage:
    PYTHONPATH=src python examples/text_classification.py [--epochs 5] [--synthetic]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import strata
from strata import layers
from strata.datasets import imdb

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "imdb"
MAX_TOKENS = 600
SEQUENCE_LENGTH = 200


def imdb_as_text(path):
    """IMDB reviews as strings of stand-in words, with their labels."""
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=path, start_char=None)

    def write(reviews):
        return np.array([" ".join(f"w{index}" for index in review) for review in reviews])

    return (write(x_train), y_train.astype("float32")), (write(x_test), y_test.astype("float32"))


def synthetic_text(count=2000, seed=0):
    rng = np.random.default_rng(seed)
    good = ["a wonderful film", "truly great acting", "I loved it", "superb and moving"]
    bad = ["a boring mess", "terrible acting", "I hated it", "dull and too long"]
    filler = ["the plot", "this movie", "the director", "overall", "in the end", "honestly"]
    texts, labels = [], []
    for _ in range(count):
        label = int(rng.integers(0, 2))
        parts = list(rng.choice(filler, 4)) + list(rng.choice(good if label else bad, 2))
        texts.append(", ".join(rng.permutation(parts)) + "!")
        labels.append(label)
    split = int(0.8 * count)
    texts, labels = np.array(texts), np.array(labels, "float32")
    return (texts[:split], labels[:split]), (texts[split:], labels[split:])


def build_model():
    inputs = strata.Input((SEQUENCE_LENGTH,), dtype="int64")
    x = layers.Embedding(MAX_TOKENS, 32)(inputs)
    x = layers.Dropout(0.3)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = strata.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main(epochs=5, synthetic=False, data=DEFAULT_DATA, verbose=2):
    if not synthetic and Path(data).exists():
        (train_text, y_train), (test_text, y_test) = imdb_as_text(data)
        print(f"IMDB subset: {len(train_text)} training and {len(test_text)} test reviews")
    else:
        (train_text, y_train), (test_text, y_test) = synthetic_text()
        print(f"synthetic text: {len(train_text)} training and {len(test_text)} test texts")
    vectorizer = layers.TextVectorization(
        max_tokens=MAX_TOKENS, output_mode="int", output_sequence_length=SEQUENCE_LENGTH
    )
    vectorizer.adapt(train_text)
    print("vocabulary:", vectorizer.vocabulary_size(), vectorizer.get_vocabulary()[:8], "...")
    x_train, x_test = vectorizer(train_text).numpy(), vectorizer(test_text).numpy()
    model = build_model()
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.3f} (loss {loss:.3f})")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args()
    main(args.epochs, args.synthetic, args.data)
