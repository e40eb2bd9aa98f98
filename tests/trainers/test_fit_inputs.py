"""The data forms fit, evaluate and predict accept, and the fit options that steer the loop."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import strata as keras
from strata import Input, layers
from strata.callbacks import Callback
from strata.models import Model, Sequential


class SeenRows(layers.Layer):
    """Identity layer that records, in training, the first column (a row id) of every batch."""

    def __init__(self, log=None, **kwargs):
        super().__init__(**kwargs)
        self.log = log if log is not None else []

    def call(self, inputs, training=None):
        if training and inputs.device.type != "meta":
            self.log.append(inputs[:, 0].detach().round().long().tolist())
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class CountBatches(Callback):
    def __init__(self):
        super().__init__()
        self.train, self.test = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.train.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.train[-1] += 1

    def on_test_begin(self, logs=None):
        self.test.append(0)

    def on_test_batch_end(self, batch, logs=None):
        self.test[-1] += 1


def _binary(rows=32, width=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    return x, y


def _sequential(width=3):
    model = Sequential([Input(shape=(width,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    return model


def _two_in_two_out():
    a = Input(shape=(3,), name="a")
    b = Input(shape=(2,), name="b")
    merged = layers.Dense(4, activation="relu")(a)
    other = layers.Dense(4, activation="relu")(b)
    hidden = layers.Dense(4)(merged)
    score = layers.Dense(1, activation="sigmoid", name="score")(hidden)
    value = layers.Dense(1, name="value")(other)
    model = Model([a, b], [score, value])
    model.compile(
        optimizer="adam",
        loss={"score": "binary_crossentropy", "value": "mse"},
        metrics={"score": ["acc"]},
    )
    return model


def _two_data(rows=20):
    rng = np.random.default_rng(1)
    a = rng.normal(size=(rows, 3)).astype("float32")
    b = rng.normal(size=(rows, 2)).astype("float32")
    score = (a[:, :1] > 0).astype("float32")
    value = b.sum(1, keepdims=True)
    return a, b, score, value


_MULTI_KEYS = {"loss", "score_loss", "value_loss", "score_acc"}


# ------------------------------------------------------------------------------ array forms
def test_numpy_and_torch_tensors_train_to_the_same_weights():
    x, y = _binary()
    results = []
    for convert in (lambda v: v, torch.from_numpy):
        keras.set_random_seed(7)
        model = _sequential()
        history = model.fit(convert(x), convert(y), epochs=2, batch_size=8, verbose=0)
        results.append((history.history, model.get_weights()))
    assert results[0][0] == results[1][0]
    for w0, w1 in zip(results[0][1], results[1][1], strict=True):
        np.testing.assert_array_equal(w0, w1)


def test_lists_and_dicts_by_name_give_the_same_training():
    a, b, score, value = _two_data()
    runs = []
    for x, y in (
        ([a, b], [score, value]),
        ({"a": a, "b": b}, {"score": score, "value": value}),
        ({"b": b, "a": a}, {"value": value, "score": score}),
    ):
        keras.set_random_seed(3)
        model = _two_in_two_out()
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
        assert set(history.history) == _MULTI_KEYS
        runs.append((history.history, model.get_weights()))
    for hist, weights in runs[1:]:
        assert hist == runs[0][0]
        for w0, w1 in zip(weights, runs[0][1], strict=True):
            np.testing.assert_array_equal(w0, w1)


def test_validation_keys_are_the_val_twins_for_several_outputs():
    a, b, score, value = _two_data()
    model = _two_in_two_out()
    history = model.fit([a, b], [score, value], epochs=1, verbose=0, validation_split=0.25)
    assert set(history.history) == _MULTI_KEYS | {f"val_{k}" for k in _MULTI_KEYS}


# ---------------------------------------------------------------- datasets and generators
def test_torch_dataset_and_dataloader():
    x, y = _binary(24)
    dataset = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    keras.set_random_seed(2)
    model = _sequential()
    counter = CountBatches()
    history = model.fit(dataset, batch_size=10, epochs=2, verbose=0, callbacks=[counter])
    assert counter.train == [3, 3]
    assert set(history.history) == {"loss", "acc"}

    loader = DataLoader(dataset, batch_size=6)
    counter = CountBatches()
    history = model.fit(
        loader, epochs=2, verbose=0, callbacks=[counter], validation_data=DataLoader(dataset, 12)
    )
    assert counter.train == [4, 4]
    assert counter.test == [2, 2]
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    expected = model.evaluate(x, y, verbose=0, return_dict=True)
    assert model.evaluate(loader, verbose=0, return_dict=True) == pytest.approx(expected)


def test_dataloader_gives_the_same_epoch_as_arrays_without_shuffle():
    x, y = _binary(24)
    keras.set_random_seed(4)
    arrays = _sequential()
    h_arrays = arrays.fit(x, y, batch_size=6, epochs=2, verbose=0, shuffle=False)
    keras.set_random_seed(4)
    loaded = _sequential()
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=6)
    h_loader = loaded.fit(loader, epochs=2, verbose=0)
    for key in ("loss", "acc"):
        np.testing.assert_allclose(h_loader.history[key], h_arrays.history[key], rtol=1e-5)


def _generator(x, y, batch_size, weights=None):
    while True:
        for start in range(0, len(x), batch_size):
            part = slice(start, start + batch_size)
            if weights is None:
                yield x[part], y[part]
            else:
                yield x[part], y[part], weights[part]


def test_generator_with_steps_per_epoch_and_fit_generator_alias():
    x, y = _binary(32)
    model = _sequential()
    counter = CountBatches()
    history = model.fit(
        _generator(x, y, 8), steps_per_epoch=3, epochs=2, verbose=0, callbacks=[counter]
    )
    assert counter.train == [3, 3]
    assert set(history.history) == {"loss", "acc"}

    counter = CountBatches()
    history = model.fit_generator(
        _generator(x, y, 8),
        steps_per_epoch=4,
        epochs=3,
        verbose=0,
        callbacks=[counter],
        validation_data=_generator(x, y, 16),
        validation_steps=2,
    )
    assert counter.train == [4, 4, 4]
    assert counter.test == [2, 2, 2]
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    # Validation over one full pass of the generator equals evaluate on the arrays.
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x, y, verbose=0)[0], rel=1e-5
    )


def test_generator_yielding_sample_weights_uses_them():
    x, y = _binary(16)
    zeros = np.zeros(16, dtype="float32")
    model = _sequential()
    before = model.get_weights()
    history = model.fit(_generator(x, y, 8, zeros), steps_per_epoch=2, epochs=1, verbose=0)
    # All-zero weights: zero loss and zero gradients, so SGD leaves the weights as they were.
    assert history.history["loss"] == [0.0]
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)
    ones = np.ones(16, dtype="float32")
    model.fit(_generator(x, y, 8, ones), steps_per_epoch=2, epochs=1, verbose=0)
    assert not np.array_equal(before[0], model.get_weights()[0])


def test_a_finite_generator_that_runs_dry_says_so():
    x, y = _binary(8)
    model = _sequential()
    with pytest.raises(ValueError, match="expected 2 batches per epoch.*received none"):
        model.fit(((x, y) for _ in range(2)), steps_per_epoch=2, epochs=2, verbose=0)


def test_y_with_a_generator_is_refused():
    x, y = _binary(8)
    with pytest.raises(ValueError, match="y expected None.*received ndarray"):
        _sequential().fit(_generator(x, y, 4), y, steps_per_epoch=1, verbose=0)


# ------------------------------------------------------------------------ fit options
def test_validation_data_tuple_and_with_sample_weights():
    x, y = _binary(24)
    xv, yv = _binary(10, seed=5)
    model = _sequential()
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=(xv, yv))
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(xv, yv, verbose=0)[0])
    weights = np.zeros(10, dtype="float32")
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(xv, yv, weights))
    assert history.history["val_loss"] == [0.0]


def test_validation_split_holds_out_the_last_rows_before_shuffling():
    x, y = _binary(40)
    x_only_head = x.copy()
    model = Sequential([Input(shape=(3,)), SeenRows(name="seen"), layers.Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    x_ids = np.concatenate([np.arange(40, dtype="float32")[:, None], x_only_head[:, 1:]], 1)
    history = model.fit(x_ids, y, epochs=1, batch_size=8, verbose=0, validation_split=0.25)
    seen = sorted(i for batch in model.get_layer("seen").log for i in batch)
    assert seen == list(range(30))
    logs = model.evaluate(x_ids[30:], y[30:], verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(logs["loss"], rel=1e-6)
    assert history.history["val_acc"][0] == pytest.approx(logs["acc"])


def test_validation_split_with_list_and_dict_data():
    a, b, score, value = _two_data(20)
    model = _two_in_two_out()
    history = model.fit(
        {"a": a, "b": b},
        {"score": score, "value": value},
        epochs=1,
        verbose=0,
        validation_split=0.2,
    )
    expected = model.evaluate(
        [a[16:], b[16:]], [score[16:], value[16:]], verbose=0, return_dict=True
    )
    assert history.history["val_loss"][0] == pytest.approx(expected["loss"], rel=1e-6)


@pytest.mark.parametrize("freq, validated", [(2, [1, 3]), ([1, 4], [0, 3])])
def test_validation_freq(freq, validated):
    x, y = _binary(16)
    counter = CountBatches()

    class Epochs(Callback):
        def __init__(self):
            super().__init__()
            self.with_val = []

        def on_epoch_end(self, epoch, logs=None):
            if "val_loss" in logs:
                self.with_val.append(epoch)

    watcher = Epochs()
    history = _sequential().fit(
        x,
        y,
        epochs=4,
        verbose=0,
        validation_data=(x, y),
        validation_freq=freq,
        callbacks=[counter, watcher],
    )
    assert watcher.with_val == validated
    assert len(history.history["val_loss"]) == len(validated)
    assert len(history.history["loss"]) == 4


def test_initial_epoch_resumes_the_epoch_count():
    x, y = _binary(16)
    epochs_seen = []

    class Watch(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            epochs_seen.append(epoch)

    history = _sequential().fit(x, y, epochs=5, initial_epoch=3, verbose=0, callbacks=[Watch()])
    assert epochs_seen == [3, 4]
    assert history.epoch == [3, 4]
    assert len(history.history["loss"]) == 2


def test_steps_per_epoch_with_arrays_walks_on_through_the_data():
    x = np.arange(20, dtype="float32")[:, None].repeat(3, 1)
    y = np.zeros((20, 1), dtype="float32")
    model = Sequential([Input(shape=(3,)), SeenRows(name="seen"), layers.Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    counter = CountBatches()
    model.fit(
        x,
        y,
        batch_size=4,
        steps_per_epoch=3,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[counter],
    )
    assert counter.train == [3, 3]
    log = model.get_layer("seen").log
    # 5 batches per pass: the second epoch continues where the first stopped, then wraps.
    assert [batch[0] for batch in log] == [0, 4, 8, 12, 16, 0]


def _shuffle_log(shuffle, epochs=2, rows=24, batch_size=6):
    x = np.arange(rows, dtype="float32")[:, None].repeat(3, 1)
    y = np.zeros((rows, 1), dtype="float32")
    model = Sequential([Input(shape=(3,)), SeenRows(name="seen"), layers.Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=shuffle, verbose=0)
    log = model.get_layer("seen").log
    per_epoch = len(log) // epochs
    return [log[i * per_epoch : (i + 1) * per_epoch] for i in range(epochs)]


def test_shuffle_false_keeps_the_row_order():
    for epoch in _shuffle_log(False):
        assert [i for batch in epoch for i in batch] == list(range(24))


def test_shuffle_true_permutes_rows_every_epoch():
    epochs = _shuffle_log(True)
    orders = [[i for batch in epoch for i in batch] for epoch in epochs]
    for order in orders:
        assert sorted(order) == list(range(24))
        assert order != list(range(24))
    assert orders[0] != orders[1]


def test_shuffle_batch_permutes_whole_batches_only():
    epochs = _shuffle_log("batch", epochs=3)
    orders = []
    for epoch in epochs:
        for batch in epoch:
            assert batch == list(range(batch[0], batch[0] + 6))
            assert batch[0] % 6 == 0
        orders.append([batch[0] for batch in epoch])
        assert sorted(orders[-1]) == [0, 6, 12, 18]
    assert any(order != [0, 6, 12, 18] for order in orders)


# -------------------------------------------------------------------------- *_on_batch
def test_train_test_predict_on_batch():
    x, y = _binary(16)
    model = _sequential()
    before = model.get_weights()
    expected = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    assert model.test_on_batch(x, y, return_dict=True) == pytest.approx(expected)
    assert model.get_weights()[0].tolist() == before[0].tolist()
    loss, acc = model.train_on_batch(x, y)
    # Keras's order: the loss first, then the metrics; values from before the update.
    assert loss == pytest.approx(expected["loss"], rel=1e-6)
    assert acc == pytest.approx(expected["acc"])
    assert not np.array_equal(model.get_weights()[0], before[0])
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0), rtol=1e-6)
    assert model.test_on_batch(x, y)[0] == pytest.approx(model.evaluate(x, y, verbose=0)[0])


def test_metrics_names_are_strings_with_the_loss_first():
    x, y = _binary(16)
    model = _sequential()
    model.fit(x, y, epochs=1, verbose=0)
    # Keras 3.15.1's answer: the names of `model.metrics`, the compiled metrics as one object
    # (tests/compat/test_log_names.py); evaluate's dict names every value.
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert list(model.evaluate(x, y, verbose=0, return_dict=True)) == ["acc", "loss"]


def test_evaluate_return_forms():
    x, y = _binary(16)
    model = _sequential()
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "acc"}
    assert model.evaluate(x, y, verbose=0) == [logs["loss"], logs["acc"]]
    bare = Sequential([Input(shape=(3,)), layers.Dense(1)])
    bare.compile(optimizer="sgd", loss="mse")
    scalar = bare.evaluate(x, y, verbose=0)
    assert isinstance(scalar, float)
    assert bare.evaluate(x, y, verbose=0, return_dict=True) == {"loss": scalar}


def test_predict_structures():
    a, b, _, _ = _two_data(10)
    model = _two_in_two_out()
    out = model.predict([a, b], batch_size=4, verbose=0)
    assert isinstance(out, list) and [o.shape for o in out] == [(10, 1), (10, 1)]
    by_name = model.predict({"a": a, "b": b}, verbose=0)
    for o0, o1 in zip(out, by_name, strict=True):
        np.testing.assert_allclose(o0, o1, rtol=1e-6)

    inputs = Input(shape=(3,), name="x")
    hidden = layers.Dense(4)(inputs)
    dict_model = Model(
        inputs, {"p": layers.Dense(2, "softmax")(hidden), "q": layers.Dense(1)(hidden)}
    )
    dict_model.compile(optimizer="sgd", loss={"p": "categorical_crossentropy", "q": "mse"})
    out = dict_model.predict(a, batch_size=3, verbose=0)
    assert isinstance(out, dict) and set(out) == {"p", "q"}
    assert out["p"].shape == (10, 2) and out["q"].shape == (10, 1)
    np.testing.assert_allclose(out["p"].sum(1), 1.0, rtol=1e-5)
    history = dict_model.fit(
        a, {"p": np.eye(2, dtype="float32")[np.arange(10) % 2], "q": a[:, :1]}, epochs=1, verbose=0
    )
    assert set(history.history) == {"loss", "p_loss", "q_loss"}


def test_predict_from_torch_tensor_generator_and_loader():
    x, _ = _binary(10)
    model = _sequential()
    expected = model.predict(x, verbose=0)
    assert isinstance(expected, np.ndarray) and expected.shape == (10, 1)
    np.testing.assert_allclose(model.predict(torch.from_numpy(x), verbose=0), expected, rtol=1e-6)
    loader = DataLoader(TensorDataset(torch.from_numpy(x)), batch_size=4)
    np.testing.assert_allclose(model.predict(loader, verbose=0), expected, rtol=1e-6)
    gen = (x[i : i + 5] for i in (0, 5))
    np.testing.assert_allclose(model.predict(gen, verbose=0), expected, rtol=1e-6)


def test_compile_accepts_objects_as_well_as_strings():
    x, y = _binary(16)
    model = Sequential([Input(shape=(3,)), layers.Dense(1, activation="sigmoid")])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.5),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=[keras.metrics.BinaryAccuracy(name="bin_acc")],
        weighted_metrics=[keras.metrics.BinaryAccuracy(name="w_acc")],
    )
    weights = np.zeros(16, dtype="float32")
    weights[:4] = 1.0
    history = model.fit(x, y, epochs=1, verbose=0, sample_weight=weights, batch_size=16)
    assert set(history.history) == {"loss", "bin_acc", "w_acc"}
    logs = model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    correct = ((p > 0.5) == y)[:, 0]
    assert logs["bin_acc"] == pytest.approx(correct.mean())
    assert logs["w_acc"] == pytest.approx(correct[:4].mean())


@pytest.mark.slow  # torch.compile's first compilation takes up to a minute on a cold cache
def test_jit_compile_true_still_trains():
    x, y = _binary(16)
    keras.set_random_seed(0)
    eager = _sequential()
    eager_history = eager.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    keras.set_random_seed(0)
    compiled = Sequential([Input(shape=(3,)), layers.Dense(1, activation="sigmoid")])
    compiled.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"], jit_compile=True)
    history = compiled.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"], eager_history.history["loss"], rtol=1e-5)


def test_validation_split_with_dicts_in_any_key_order():
    a, b = Input(shape=(2,), name="a"), Input(shape=(3,), name="b")
    model = Model([a, b], layers.Dense(1, name="out")(layers.concatenate([a, b])))
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(0)
    x = {"b": rng.random((10, 3)), "a": rng.random((10, 2))}  # not the model's order
    history = model.fit(x, {"out": np.ones((10, 1))}, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "val_loss"}
