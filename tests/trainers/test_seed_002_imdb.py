"""Seed 002 (overfitting and underfitting on IMDB) on the real IMDB subset.

The listings run as written apart from the imports; the data is the shared 5,000/1,000-review
subset (500-word vocabulary), multi-hot vectorized to 10,000 dimensions as in the seed, and the
epochs are cut from 20 to a few to keep the file fast.
"""

import functools

import numpy as np
import pytest

import strata as keras
from strata import layers, models, regularizers
from strata.datasets import imdb

EPOCHS = 4
KERAS_KEYS = {"loss", "acc", "val_loss", "val_acc"}


def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


@functools.lru_cache(maxsize=1)
def _load(folder):
    (train_data, train_labels), (test_data, test_labels) = imdb.load_data(
        path=folder, num_words=10000
    )
    x_train = vectorize_sequences(train_data)
    x_test = vectorize_sequences(test_data)
    y_train = np.asarray(train_labels).astype("float32")
    y_test = np.asarray(test_labels).astype("float32")
    return x_train, y_train, x_test, y_test


@pytest.fixture
def imdb_data(shared_datasets):
    return _load(str(shared_datasets / "imdb"))


def _fit(model, data):
    x_train, y_train, x_test, y_test = data
    keras.set_random_seed(0)
    return model.fit(
        x_train, y_train, epochs=EPOCHS, batch_size=512, validation_data=(x_test, y_test), verbose=0
    )


def _original():
    original_model = models.Sequential()
    original_model.add(layers.Dense(16, activation="relu", input_shape=(10000,)))
    original_model.add(layers.Dense(16, activation="relu"))
    original_model.add(layers.Dense(1, activation="sigmoid"))
    original_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return original_model


def _smaller():
    smaller_model = models.Sequential()
    smaller_model.add(layers.Dense(4, activation="relu", input_shape=(10000,)))
    smaller_model.add(layers.Dense(4, activation="relu"))
    smaller_model.add(layers.Dense(1, activation="sigmoid"))
    smaller_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return smaller_model


def _bigger():
    bigger_model = models.Sequential()
    bigger_model.add(layers.Dense(512, activation="relu", input_shape=(10000,)))
    bigger_model.add(layers.Dense(512, activation="relu"))
    bigger_model.add(layers.Dense(1, activation="sigmoid"))
    bigger_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return bigger_model


def _l2():
    l2_model = models.Sequential()
    l2_model.add(
        layers.Dense(
            16,
            kernel_regularizer=regularizers.l2(0.001),
            activation="relu",
            input_shape=(10000,),
        )
    )
    l2_model.add(layers.Dense(16, kernel_regularizer=regularizers.l2(0.001), activation="relu"))
    l2_model.add(layers.Dense(1, activation="sigmoid"))
    l2_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return l2_model


def _dropout():
    dpt_model = models.Sequential()
    dpt_model.add(layers.Dense(16, activation="relu", input_shape=(10000,)))
    dpt_model.add(layers.Dropout(0.5))
    dpt_model.add(layers.Dense(16, activation="relu"))
    dpt_model.add(layers.Dropout(0.5))
    dpt_model.add(layers.Dense(1, activation="sigmoid"))
    dpt_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return dpt_model


_RUNS = {}


@pytest.fixture
def histories(imdb_data):
    """The five seed models fitted once per session (the tests only read them)."""
    if not _RUNS:
        for name, make in (
            ("original", _original),
            ("smaller", _smaller),
            ("bigger", _bigger),
            ("l2", _l2),
            ("dropout", _dropout),
        ):
            model = make()
            _RUNS[name] = (model, _fit(model, imdb_data).history)
    return _RUNS


def test_data_is_the_seed_layout(imdb_data):
    x_train, y_train, x_test, y_test = imdb_data
    assert x_train.shape == (5000, 10000) and x_test.shape == (1000, 10000)
    assert set(np.unique(x_train)) == {0.0, 1.0}
    assert set(np.unique(y_train)) == {0.0, 1.0}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["original", "smaller", "bigger", "l2", "dropout"])
def test_history_keys_are_keras_keys(histories, name):
    _, history = histories[name]
    assert set(history) == KERAS_KEYS
    assert all(len(values) == EPOCHS for values in history.values())
    assert all(np.isfinite(values).all() for values in history.values())


@pytest.mark.slow
def test_parameter_counts_follow_the_seed(histories):
    assert histories["original"][0].count_params() == 10000 * 16 + 16 + 16 * 16 + 16 + 17
    assert histories["smaller"][0].count_params() == 10000 * 4 + 4 + 4 * 4 + 4 + 5
    assert histories["bigger"][0].count_params() == 10000 * 512 + 512 + 512 * 512 + 512 + 513
    assert histories["l2"][0].count_params() == histories["original"][0].count_params()
    assert histories["dropout"][0].count_params() == histories["original"][0].count_params()


@pytest.mark.slow
def test_original_model_learns_the_sentiment(histories, imdb_data):
    model, history = histories["original"]
    assert history["val_acc"][-1] > 0.7
    assert history["loss"][-1] < history["loss"][0]
    _, _, x_test, y_test = imdb_data
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc == pytest.approx(history["val_acc"][-1], abs=1e-6)
    assert loss == pytest.approx(history["val_loss"][-1], rel=1e-5)


@pytest.mark.slow
def test_capacity_and_regularization_shape_the_training_loss(histories):
    last = {name: history["loss"][-1] for name, (_, history) in histories.items()}
    # The seed's observations after a few epochs: the smaller network fits the training data
    # more slowly than the original, and dropout slows fitting down compared with the same
    # network without it.
    # The bigger network fits the training data fastest and starts overfitting at once (its
    # validation loss need not fall), the seed's point about capacity.
    assert last["original"] < last["smaller"]
    assert last["dropout"] > last["original"]
    assert last["bigger"] < last["original"]
    for name, (_, history) in histories.items():
        if name != "bigger":
            assert history["val_loss"][-1] < history["val_loss"][0], name
    for name in ("bigger", "l2", "dropout"):
        assert max(histories[name][1]["val_acc"]) > 0.7, name


@pytest.mark.slow
def test_l2_penalty_is_in_the_loss(histories, imdb_data):
    model, _ = histories["l2"]
    _, _, x_test, y_test = imdb_data
    total = model.evaluate(x_test, y_test, verbose=0, return_dict=True)["loss"]
    penalty = sum(0.001 * float((w**2).sum()) for w in model.get_weights()[:4:2])
    p = np.clip(model.predict(x_test, verbose=0)[:, 0], 1e-7, 1 - 1e-7)
    bce = -(y_test * np.log(p) + (1 - y_test) * np.log(1 - p)).mean()
    assert total == pytest.approx(bce + penalty, rel=1e-4)
