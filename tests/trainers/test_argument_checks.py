"""Nonsense numbers are refused before the first step, naming the argument and the value.

Issue 9 found `fit(batch_size=-4)`, `steps_per_epoch=-1`, `batch_size=8.5`, empty arrays and
more "succeeding" with loss 0.0, and `batch_size=0` silently becoming 32. Every numeric argument
of compile, fit, evaluate, predict and the callbacks is checked here, and the model is left
exactly as it was.
"""

import numpy as np
import pytest

import strata
from strata import callbacks, layers

X = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
Y = (X.sum(1, keepdims=True) > 0).astype("float32")


def model():
    strata.set_random_seed(0)
    net = strata.Sequential([strata.Input((3,)), layers.Dense(1, activation="sigmoid")])
    net.compile(optimizer="sgd", loss="binary_crossentropy")
    return net


FIT_CASES = [
    ({"batch_size": -4}, "batch_size to be an integer >= 1 or None; received -4"),
    ({"batch_size": 0}, "batch_size to be an integer >= 1 or None; received 0"),
    ({"batch_size": 8.5}, "batch_size to be an integer >= 1 or None; received 8.5"),
    ({"batch_size": True}, "batch_size to be an integer >= 1 or None; received True"),
    ({"steps_per_epoch": -1}, "steps_per_epoch to be an integer >= 1 or None; received -1"),
    ({"epochs": -2}, "epochs to be an integer >= 0; received -2"),
    ({"epochs": 2.5}, "epochs to be an integer >= 0; received 2.5"),
    ({"initial_epoch": -1}, "initial_epoch to be an integer >= 0; received -1"),
    ({"validation_steps": 0}, "validation_steps to be an integer >= 1 or None; received 0"),
    ({"validation_batch_size": -1}, "validation_batch_size to be an integer >= 1"),
    ({"validation_freq": 0}, "validation_freq .* integer >= 1; received 0"),
    ({"validation_freq": [1, -3]}, "every epoch in validation_freq to be an integer >= 1"),
    ({"validation_split": -0.1}, "validation_split >= 0.0 and < 1.0; received -0.1"),
    ({"validation_split": float("nan")}, "validation_split to be a finite number; received nan"),
    ({"verbose": 3}, "verbose 'auto', 0, 1 or 2; received 3"),
    ({"shuffle": "yes"}, "shuffle True, False or 'batch'; received 'yes'"),
    ({"class_weight": [1, 2]}, "class_weight as a dict"),
    ({"class_weight": {0: 1.0, 1: float("inf")}}, r"class_weight\[1\] to be a finite number"),
    ({"class_weight": {-1: 1.0}}, "class_weight key .* >= 0; received -1"),
]


@pytest.mark.parametrize("kwargs, message", FIT_CASES)
def test_fit_refuses_nonsense_before_any_step(kwargs, message):
    net = model()
    before = net.get_weights()
    with pytest.raises(ValueError, match=message):
        net.fit(X, Y, **{"verbose": 0, **kwargs})
    for old, new in zip(before, net.get_weights()):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m: m.evaluate(X, Y, batch_size=-1), "evaluate.. expected batch_size"),
        (lambda m: m.evaluate(X, Y, steps=0), "evaluate.. expected steps"),
        (lambda m: m.evaluate(X, Y, verbose=-1), "evaluate.. expected verbose"),
        (lambda m: m.predict(X, batch_size=-3), "predict.. expected batch_size .* received -3"),
        (lambda m: m.predict(X, steps=2.0), "predict.. expected steps"),
        (lambda m: m.fit(X[:0], Y[:0], verbose=0), "at least one row; .* shape \\(0, 3\\)"),
        (lambda m: m.evaluate(X[:0], Y[:0], verbose=0), "at least one row"),
        (lambda m: m.predict(X[:0], verbose=0), "at least one row; .* shape \\(0, 3\\)"),
        (lambda m: m.fit(None, Y, verbose=0), "x expected data: .* received NoneType None"),
        (lambda m: m.fit("abc", Y, verbose=0), "x expected data: .* received str 'abc'"),
        (lambda m: m.evaluate(7, Y, verbose=0), "x expected data: .* received int 7"),
        (lambda m: m.predict(None, verbose=0), "predict.. x expected data"),
        (lambda m: m.fit(X, Y, validation_data=5, verbose=0), "validation_data expected data"),
        (lambda m: m.fit(X, Y, validation_data=(X,), verbose=0), "validation_data as \\(x_val"),
    ],
)
def test_evaluate_and_predict_refuse_nonsense(call, message):
    with pytest.raises(ValueError, match=message):
        call(model())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps_per_execution": 0}, "steps_per_execution to be an integer >= 1"),
        ({"jit_compile": "yes"}, "jit_compile True, False or 'auto'"),
        ({"loss_weights": float("nan")}, "every loss weight to be a finite number"),
        ({"loss_weights": ["a"]}, "every loss weight to be a finite number; received 'a'"),
    ],
)
def test_compile_refuses_nonsense(kwargs, message):
    net = strata.Sequential([strata.Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=message):
        net.compile(optimizer="sgd", loss="mse", **kwargs)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: callbacks.EarlyStopping(patience=-1), "patience to be an integer >= 0"),
        (lambda: callbacks.EarlyStopping(patience=1.5), "patience to be an integer >= 0"),
        (lambda: callbacks.EarlyStopping(min_delta=float("nan")), "min_delta to be a finite"),
        (lambda: callbacks.EarlyStopping(start_from_epoch=-2), "start_from_epoch"),
        (lambda: callbacks.EarlyStopping(baseline="high"), "baseline"),
        (lambda: callbacks.ReduceLROnPlateau(factor=0.0), "factor > 0.0 and < 1.0"),
        (lambda: callbacks.ReduceLROnPlateau(patience=-3), "patience to be an integer >= 0"),
        (lambda: callbacks.ReduceLROnPlateau(cooldown=-1), "cooldown"),
        (lambda: callbacks.ReduceLROnPlateau(min_lr=-1e-3), "min_lr >= 0.0"),
        (lambda: callbacks.ModelCheckpoint("m.keras", save_freq=0), "save_freq"),
        (lambda: callbacks.BackupAndRestore("b", save_freq=-5), "save_freq"),
        (lambda: callbacks.TensorBoard(histogram_freq=-1), "histogram_freq"),
        (lambda: callbacks.TensorBoard(update_freq=0), "update_freq"),
        (lambda: callbacks.RemoteMonitor(timeout=0), "timeout > 0.0"),
        (lambda: callbacks.GradientMonitor(exploding_norm=-1), "exploding_norm > 0.0"),
        (lambda: callbacks.ActivationStats(max_samples=0), "max_samples"),
        (lambda: callbacks.ModelCheckpoint("m.keras", verbose=4), "verbose"),
        (lambda: callbacks.ModelCheckpoint("m.keras", initial_value_threshold="x"), "threshold"),
        (lambda: callbacks.LearningRateScheduler(lambda e: 0.1, verbose=-1), "verbose"),
        (lambda: callbacks.ProgbarLogger(refresh_seconds=-1.0), "refresh_seconds >= 0.0"),
    ],
)
def test_callbacks_refuse_nonsense(make, message):
    with pytest.raises(ValueError, match=message):
        make()
