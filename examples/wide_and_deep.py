"""Wide & deep on IMDB sentiment: wide-only vs deep-only vs wide & deep, on the test reviews.

Data: the IMDB subset in ../shared/datasets/imdb (5,000 training and 1,000 test reviews, word
indices, vocabulary of 500 words). Each review keeps its last SEQUENCE_LENGTH words.

- wide: a linear model over a multi-hot bag of words and a multi-hot bag of word *pairs*
  (each pair of adjacent words crossed and hashed into BIGRAM_BINS bins, bin 0 = padding);
- deep: Embedding -> masked average pooling -> Dense(relu) -> Dense(1) logits;
- wide & deep: `strata.models.wide_and_deep(wide features, deep logits)`, trained jointly.

All three use the same layers, optimizer (Adam), batch size and early stopping on the same
20% validation split of the training reviews (best weights restored); test accuracy is
measured once, on the 1,000 test reviews, for each seed.

Usage:
    PYTHONPATH=src python examples/wide_and_deep.py [--seeds 0 1 2 3 4] [--epochs 40]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import strata
from strata import layers
from strata.datasets import imdb
from strata.preprocessing.sequence import pad_sequences

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "imdb"
SEQUENCE_LENGTH = 256
BIGRAM_BINS = 2**14


def hashed_bigrams(tokens, vocabulary, bins=BIGRAM_BINS):
    """Ids in [1, bins) of each adjacent word pair of padded rows; 0 where a word is padding."""
    first, second = tokens[:, :-1].astype("int64"), tokens[:, 1:].astype("int64")
    pair = first * vocabulary + second
    # A multiplicative hash spreads the (vocabulary ** 2) pair ids over the bins.
    ids = 1 + (pair * 2654435761 % 2**32) % (bins - 1)
    return np.where((first == 0) | (second == 0), 0, ids)


def load(path):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=path)
    x_train = pad_sequences(x_train, maxlen=SEQUENCE_LENGTH)
    x_test = pad_sequences(x_test, maxlen=SEQUENCE_LENGTH)
    vocabulary = int(max(x_train.max(), x_test.max())) + 1
    y_train, y_test = y_train.astype("float32")[:, None], y_test.astype("float32")[:, None]
    return (x_train, y_train), (x_test, y_test), vocabulary


def build(kind, vocabulary):
    """'wide', 'deep' or 'wide_and_deep', compiled."""
    words = strata.Input((SEQUENCE_LENGTH,), dtype="int64", name="words")
    pairs = strata.Input((SEQUENCE_LENGTH - 1,), dtype="int64", name="pairs")
    bag = layers.CategoryEncoding(vocabulary, output_mode="multi_hot", name="bag_of_words")(words)
    bag_of_pairs = layers.CategoryEncoding(
        BIGRAM_BINS, output_mode="multi_hot", name="bag_of_pairs"
    )(pairs)
    x = layers.Embedding(vocabulary, 32, mask_zero=True, name="embedding")(words)
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    x = layers.Dense(32, activation="relu", name="deep_hidden")(x)
    deep_logits = layers.Dense(1, name="deep_out")(x)
    if kind == "wide_and_deep":
        model = strata.models.wide_and_deep([bag, bag_of_pairs], deep_logits)
    elif kind == "wide":
        features = layers.Concatenate(name="wide_features")([bag, bag_of_pairs])
        model = strata.Model([words, pairs], layers.Dense(1, activation="sigmoid")(features))
    else:
        model = strata.Model(words, layers.Activation("sigmoid")(deep_logits))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run(kind, seed, data, epochs, verbose=0):
    (x_train, y_train), (x_test, y_test), vocabulary = data
    strata.utils.set_random_seed(seed)
    model = build(kind, vocabulary)
    pairs_train = hashed_bigrams(x_train, vocabulary)
    pairs_test = hashed_bigrams(x_test, vocabulary)
    train = x_train if kind == "deep" else [x_train, pairs_train]
    test = x_test if kind == "deep" else [x_test, pairs_test]
    stop = strata.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(
        train,
        y_train,
        validation_split=0.2,
        epochs=epochs,
        batch_size=64,
        callbacks=[stop],
        verbose=verbose,
        shuffle=True,
    )
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(test, y_test, verbose=0)
    return accuracy, len(history.history["loss"]), seconds, model.count_params()


def main(seeds=(0, 1, 2, 3, 4), epochs=40, data_path=DEFAULT_DATA, verbose=0):
    data = load(data_path)
    print(
        f"IMDB subset: {len(data[0][0])} training reviews (20% for validation), "
        f"{len(data[1][0])} test reviews, vocabulary {data[2]}"
    )
    results = {}
    for kind in ("wide", "deep", "wide_and_deep"):
        scores = []
        for seed in seeds:
            accuracy, ran, seconds, params = run(kind, seed, data, epochs, verbose)
            scores.append(accuracy)
            print(
                f"{kind:14s} seed {seed}: test accuracy {accuracy:.3f} "
                f"({ran} epochs, {seconds:.0f} s, {params} parameters)"
            )
        results[kind] = scores
    print("\nmodel           test accuracy, mean ± std over seeds " + str(list(seeds)))
    for kind, scores in results.items():
        print(f"{kind:14s}  {np.mean(scores):.3f} ± {np.std(scores):.3f}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--verbose", type=int, default=0)
    args = parser.parse_args()
    main(tuple(args.seeds), args.epochs, args.data, args.verbose)
