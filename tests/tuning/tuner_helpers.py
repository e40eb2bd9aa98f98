"""Tiny data and build functions shared by the tuner tests."""

import numpy as np

import strata as keras


def classification_data(rows=64, seed=0):
    """64 x 4 features, a label learnable in a few epochs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def split(x, y, validation=16):
    return (x[:-validation], y[:-validation]), (x[-validation:], y[-validation:])


def small_model(units, learning_rate, activation="relu"):
    model = keras.Sequential(
        [
            keras.layers.Input((4,)),
            keras.layers.Dense(units, activation=activation),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def build_model(hp):
    """A KerasTuner-style build(hp) with an Int, a Choice and a log Float."""
    return small_model(
        hp.Int("units", 4, 16),
        hp.Float("lr", 1e-3, 1e-1, sampling="log"),
        hp.Choice("activation", ["relu", "tanh"]),
    )


def sampled(tuner):
    """The hyperparameter values of every trial, in order."""
    return [trial.params for trial in tuner.study.trials]


def memory():
    """An in-memory Optuna storage: the SQLite file costs seconds on a busy machine, and
    most tests do not need the study to outlive the tuner."""
    import optuna

    return optuna.storages.InMemoryStorage()
