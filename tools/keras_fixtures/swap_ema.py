"""Record Keras 3's fit with SGD(use_ema=True) and SwapEMAWeights, for strata's comparison.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/swap_ema.py

A Dense(1) model starts from fixed weights and trains 3 epochs (no shuffling) on fixed data
with validation; for swap_on_epoch False and True the history (loss, val_loss) and the final
weights are stored in tests/callbacks/fixtures/keras_swap_ema.npz.
"""

import os

import keras
import numpy as np

OUT = os.path.join(
    os.path.dirname(__file__), "..", "..", "tests", "callbacks", "fixtures", "keras_swap_ema.npz"
)


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype("float32")
    kernel = np.array([[0.1], [0.2], [-0.3]], dtype="float32")
    bias = np.array([0.05], dtype="float32")
    return x, y, kernel, bias


def run(swap_on_epoch):
    x, y, kernel, bias = data()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.set_weights([kernel, bias])
    optimizer = keras.optimizers.SGD(learning_rate=0.05, use_ema=True, ema_momentum=0.5)
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(
        x,
        y,
        batch_size=4,
        epochs=3,
        shuffle=False,
        verbose=0,
        validation_data=(x, y),
        callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)],
    )
    kernel, bias = model.get_weights()
    return {
        "loss": np.array(history.history["loss"]),
        "val_loss": np.array(history.history["val_loss"]),
        "kernel": kernel,
        "bias": bias,
    }


def main():
    x, y, kernel, bias = data()
    arrays = {"x": x, "y": y, "kernel0": kernel, "bias0": bias}
    for swap_on_epoch in (False, True):
        for key, value in run(swap_on_epoch).items():
            arrays[f"{key}_{'epoch' if swap_on_epoch else 'test'}"] = value
    np.savez(OUT, **arrays)


if __name__ == "__main__":
    main()
