"""Record Keras's log names and value orders for the tests in tests/compat/test_log_names.py.

Run with Keras 3.15.1 on the torch backend:
    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/record_log_names.py
It prints the names the test hard-codes (history keys, metrics_names, evaluate's keys and list
order). The order of evaluate's list is recovered by matching its values to the dict's.
"""

import keras
import numpy as np
from keras import layers


def data():
    rng = np.random.default_rng(0)
    x = rng.random((8, 3)).astype("float32")
    ya = rng.random((8, 1)).astype("float32")
    yb = np.eye(2)[rng.integers(0, 2, 8)].astype("float32")
    return x, ya, yb


def two_output_model():
    inputs = keras.Input((3,), name="x")
    a = layers.Dense(1, name="out_a")(inputs)
    b = layers.Dense(2, activation="softmax", name="out_b")(inputs)
    return keras.Model(inputs, [a, b])


def record(model, x, y):
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    listed = model.evaluate(x, y, verbose=0)
    named = model.evaluate(x, y, verbose=0, return_dict=True)
    order = [next(k for k, v in named.items() if np.isclose(v, value)) for value in listed]
    print("history:", list(history.history))
    print("metrics_names:", model.metrics_names)
    print("evaluate dict keys:", list(named))
    print("evaluate list order:", order)


def main():
    print("keras", keras.version(), keras.config.backend())
    x, ya, yb = data()
    model = two_output_model()
    model.compile(
        "sgd",
        loss=["mse", "categorical_crossentropy"],
        metrics=[["mae"], ["accuracy", "mse"]],
        loss_weights=[1.0, 0.5],
    )
    record(model, x, [ya, yb])
    single = keras.Model(model.input, model.outputs[1])
    single.compile("sgd", loss="categorical_crossentropy", metrics=["mse", "accuracy", "mae"])
    record(single, x, yb)
    plain = keras.Model(model.input, model.outputs[0])
    plain.compile("sgd", loss="mse")
    print("no metrics, metrics_names:", plain.metrics_names)
    plain.fit(x, ya, epochs=1, verbose=0)
    print("no metrics, after fit:", plain.metrics_names)


if __name__ == "__main__":
    main()
