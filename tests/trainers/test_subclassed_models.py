"""Subclassed models (layers in __init__, forward in call) compile, fit, evaluate and predict."""

import numpy as np

import strata
from strata import layers


class TwoLayer(strata.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(16, activation="relu")
        self.out = layers.Dense(3, activation="softmax")

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def separable_data(rows=300):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, rows)
    centers = np.array([[4, 0, 0, 0], [0, 4, 0, 0], [0, 0, 4, 0]], dtype="float32")
    x = rng.normal(size=(rows, 4)).astype("float32") + centers[labels]
    return x, labels


def test_subclassed_model_learns_and_reports_keras_keys():
    x, labels = separable_data()
    model = TwoLayer()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, labels, epochs=40, batch_size=32, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    assert len(model.trainable_weights) == 4  # built from the first data, before training
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.6
    loss, accuracy = model.evaluate(x, labels, verbose=0)
    assert accuracy > 0.9
    assert model.predict(x[:5], verbose=0).shape == (5, 3)
