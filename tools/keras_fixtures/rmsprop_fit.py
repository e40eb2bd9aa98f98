"""Record a few steps of Keras 3's `fit` with RMSprop for strata's end-to-end comparison.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/rmsprop_fit.py

A tiny MLP (Dense(4, tanh) -> Dense(1)) starts from fixed weights and trains on fixed data in a
fixed batch order (shuffle=False). The targets and weights are small, so the gradients are
far below sqrt(epsilon): exactly where Keras's `sqrt(v + epsilon)` and torch's
`sqrt(v) + epsilon` part ways. Stored in tests/optimizers/fixtures/rmsprop_fit.npz: the data,
the initial and final weights, the per-batch loss logs and the per-epoch losses.
"""

import os

import keras
import numpy as np

OUT = os.path.join(
    os.path.dirname(__file__), "..", "..", "tests", "optimizers", "fixtures", "rmsprop_fit.npz"
)
EPOCHS, BATCH = 3, 4


class BatchLosses(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def main():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = (1e-3 * np.tanh(x.sum(axis=1, keepdims=True))).astype("float32")
    weights = [
        (0.01 * rng.normal(size=(3, 4))).astype("float32"),
        np.zeros(4, "float32"),
        (0.01 * rng.normal(size=(4, 1))).astype("float32"),
        np.zeros(1, "float32"),
    ]
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)]
    )
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss="mse")
    batches = BatchLosses()
    history = model.fit(
        x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0, callbacks=[batches]
    )
    arrays = {"x": x, "y": y, "batch_losses": np.array(batches.losses, "float64")}
    arrays["epoch_losses"] = np.array(history.history["loss"], "float64")
    arrays.update({f"initial/{i}": w for i, w in enumerate(weights)})
    arrays.update({f"final/{i}": w for i, w in enumerate(model.get_weights())})
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {os.path.normpath(OUT)}: epoch losses {history.history['loss']}")


if __name__ == "__main__":
    main()
