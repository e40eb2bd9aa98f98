"""TextVectorization equals Keras 3.15 (fixtures recorded with TensorFlow-backed Keras)."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {
    "int_padded": {"output_sequence_length": 6},
    "int_longest": {"max_tokens": 8},
    "multi_hot": {"output_mode": "multi_hot"},
    "count_padded": {"output_mode": "count", "max_tokens": 20, "pad_to_max_tokens": True},
    "tf_idf_bigrams": {"output_mode": "tf_idf", "ngrams": 2},
    "trigram_tuple": {"ngrams": (1, 3), "output_sequence_length": 10},
    "characters": {"split": "character", "standardize": "lower", "output_sequence_length": 12},
    "no_split": {"split": None, "standardize": None},
    "strip_only": {"standardize": "strip_punctuation", "output_mode": "count"},
}


@pytest.fixture(scope="module")
def fixture():
    return np.load(FIXTURES / "text_vectorization.npz")


@pytest.mark.parametrize("key", list(CASES))
def test_text_vectorization_matches_keras(fixture, key):
    layer = layers.TextVectorization(**CASES[key])
    layer.adapt(fixture["corpus"])
    assert layer.get_vocabulary() == fixture[key + "_vocabulary"].tolist()
    out = layer(fixture["probe"])
    assert out.shape == fixture[key].shape
    np.testing.assert_allclose(out.numpy(), fixture[key], rtol=1e-6)


def test_adapt_from_batches_and_config_round_trip(fixture):
    corpus = fixture["corpus"]
    layer = layers.TextVectorization(output_sequence_length=6)
    layer.adapt(corpus[i : i + 2] for i in range(0, len(corpus), 2))
    assert layer.get_vocabulary() == fixture["int_padded_vocabulary"].tolist()
    clone = layers.TextVectorization.from_config(layer.get_config())
    np.testing.assert_array_equal(clone(fixture["probe"]).numpy(), fixture["int_padded"])
    as_bytes = [text.encode("utf-8") for text in fixture["probe"].tolist()]
    np.testing.assert_array_equal(layer(as_bytes).numpy(), fixture["int_padded"])
    column = fixture["probe"].reshape(-1, 1)
    np.testing.assert_array_equal(layer(column).numpy(), fixture["int_padded"])


def test_callables_and_given_vocabulary():
    layer = layers.TextVectorization(
        standardize=lambda texts: np.char.upper(texts),
        split=lambda texts: [text.split("-") for text in texts],
        vocabulary=["A", "B"],
    )
    assert layer(["a-b-c", "b"]).tolist() == [[2, 3, 1], [3, 0, 0]]
    with pytest.raises(ValueError, match="no string tensors"):
        layer(strata.Input((1,), dtype="int64"))
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="ragged"):
        layers.TextVectorization(ragged=True)
    with pytest.raises(RuntimeError, match="needs a vocabulary"):
        layers.TextVectorization(output_mode="multi_hot")(["a"])


def test_text_classification_trains_on_vectorized_text():
    rng = np.random.default_rng(0)
    good, bad = ["great", "fine", "lovely", "superb"], ["awful", "bad", "dull", "poor"]
    filler = ["the", "movie", "was", "plot", "actors", "a"]
    texts, labels = [], []
    for _ in range(200):
        label = int(rng.integers(0, 2))
        words = list(rng.choice(filler, 6)) + list(rng.choice(good if label else bad, 2))
        texts.append(" ".join(rng.permutation(words)))
        labels.append(label)
    vectorizer = layers.TextVectorization(max_tokens=50, output_sequence_length=8)
    vectorizer.adapt(texts)
    ids = vectorizer(texts).numpy()
    model = strata.Sequential(
        [
            strata.Input((8,), dtype="int64"),
            layers.Embedding(50, 8),
            layers.GlobalAveragePooling1D(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, np.array(labels, "float32"), epochs=15, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    assert isinstance(vectorizer(["great movie"]), torch.Tensor)


def test_imdb_reviews_as_text_round_trip_through_the_vocabulary(shared_datasets):
    from strata.datasets import imdb

    (_, _), (reviews, _) = imdb.load_data(path=shared_datasets / "imdb", start_char=None)
    texts = [" ".join(f"w{index}" for index in review) for review in reviews]
    vectorizer = layers.TextVectorization(max_tokens=102)
    vectorizer.adapt(texts)
    counts = np.bincount(np.concatenate(reviews))
    # The 100 learned words are the 100 most frequent indices, most frequent first.
    learned = [int(word[1:]) for word in vectorizer.get_vocabulary(include_special_tokens=False)]
    assert [counts[i] for i in learned] == sorted(counts[learned].tolist(), reverse=True)
    assert counts[learned].min() >= np.sort(counts)[-100]
    ids = vectorizer(texts[:50]).numpy()
    vocabulary = np.array(vectorizer.get_vocabulary())
    for review, row in zip(reviews[:50], ids):
        words = vocabulary[row[: len(review)]]
        expected = [f"w{i}" if f"w{i}" in set(vocabulary) else "[UNK]" for i in review]
        assert words.tolist() == expected
        assert (row[len(review) :] == 0).all()
