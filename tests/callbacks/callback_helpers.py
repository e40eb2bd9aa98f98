"""Small models and data shared by the callback tests."""

import numpy as np

import strata
from strata import layers


def binary_data(n=64, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, features)).astype("float32")
    y = (x.sum(axis=1) > features / 2).astype("float32")
    return x, y


def binary_model(optimizer="rmsprop", metrics=("acc",), features=4):
    model = strata.Sequential(
        [
            layers.Input((features,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=list(metrics))
    return model


def frozen_model(loss="mse"):
    """A model whose learning rate is 0: every epoch has exactly the same loss (a plateau)."""
    model = strata.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=strata.optimizers.SGD(learning_rate=0.0), loss=loss)
    return model


def scripted_logs(callback, model, values, key="val_loss"):
    """Drives `callback` through epochs whose logs hold `values[epoch]` under `key`.

    Returns the epochs that ran (training stops when the callback sets `stop_training`).
    """
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    ran = []
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {key: value})
        ran.append(epoch)
        if model.stop_training:
            break
    callback.on_train_end()
    return ran
