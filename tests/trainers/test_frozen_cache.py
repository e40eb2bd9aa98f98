"""fit(cache_frozen=...): cached and uncached runs give the same weights and histories.

Each test fits two models made alike from the same seed, one with the frozen layers cached
and one without, on the same data and shuffles, and compares every weight and every log.
"""

import os

import numpy as np
import pytest
import torch

import strata
from strata import Input, layers
from strata.callbacks import Callback, LambdaCallback
from strata.models import Model, Sequential


def _data(rows=60, width=10, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)).astype("float32")
    y = rng.integers(0, classes, rows)
    return x, y


def _mlp(frozen=("h1", "h2"), extra=()):
    model = Sequential(
        [
            Input((10,)),
            *extra,
            layers.Dense(12, activation="relu", name="h1"),
            layers.Dense(9, activation="relu", name="h2"),
            layers.Dense(7, activation="relu", name="h3"),
            layers.Dense(3, activation="softmax", name="out"),
        ]
    )
    for name in frozen:
        model.get_layer(name).trainable = False
    return model


def _twin_fits(build, x, y, callbacks=lambda: [], compile_kwargs=None, **fit_kwargs):
    """(weights, history, report) for cache_frozen=True and False, from the same seeds."""
    runs = {}
    for mode in (True, False):
        strata.utils.set_random_seed(7)
        model = build()
        model.compile(
            **(compile_kwargs or {}),
            **{"optimizer": "adam", "loss": "sparse_categorical_crossentropy"},
            metrics=["accuracy"],
        )
        strata.utils.set_random_seed(11)
        fit_kwargs.setdefault("verbose", 0)
        history = model.fit(x, y, callbacks=callbacks(), cache_frozen=mode, **fit_kwargs)
        runs[mode] = (model.get_weights(), history.history, history.cache_report)
    return runs[True], runs[False]


def _assert_same_training(cached, uncached):
    weights_c, history_c, _ = cached
    weights_u, history_u, _ = uncached
    assert len(weights_c) == len(weights_u)
    for a, b in zip(weights_c, weights_u, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert history_c.keys() == history_u.keys()
    for key in history_c:
        np.testing.assert_allclose(history_c[key], history_u[key], rtol=1e-5, atol=1e-6)


def test_sequential_same_weights_and_history_with_validation_data_and_weights():
    x, y = _data()
    xv, yv = _data(rows=20, seed=1)
    weights = np.linspace(0.5, 1.5, len(x)).astype("float32")
    cached, uncached = _twin_fits(
        _mlp,
        x,
        y,
        batch_size=8,
        epochs=4,
        shuffle=True,
        validation_data=(xv, yv),
        sample_weight=weights,
    )
    _assert_same_training(cached, uncached)
    report = cached[2]
    assert report.cached and report.layers == ["h1", "h2"]
    assert (report.train_rows, report.validation_rows) == (60, 20)
    assert report.builds == 1 and report.epochs_cached == 4
    assert report.storage == "memory" and report.nbytes == (60 + 20) * 9 * 4
    assert not uncached[2].cached and "cache_frozen=False" in uncached[2].reason


def test_validation_split_class_weight_and_steps_per_epoch():
    x, y = _data(rows=50)
    cached, uncached = _twin_fits(
        _mlp,
        x,
        y,
        batch_size=8,
        epochs=3,
        validation_split=0.2,
        class_weight={0: 1.0, 1: 2.0, 2: 0.5},
        steps_per_epoch=3,  # passes cut short: the next epoch goes on where this one stopped
    )
    _assert_same_training(cached, uncached)
    assert cached[2].validation_rows == 10 and cached[2].train_rows == 40


def test_shuffle_batch_and_no_shuffle():
    x, y = _data()
    for shuffle in ("batch", False):
        cached, uncached = _twin_fits(_mlp, x, y, batch_size=16, epochs=2, shuffle=shuffle)
        _assert_same_training(cached, uncached)
        assert cached[2].cached


def _functional_two_inputs():
    a, b = Input((6,), name="a"), Input((4,), name="b")
    fa = layers.Dense(5, activation="relu", name="fa", trainable=False)(a)
    fb = layers.Dense(3, activation="tanh", name="fb", trainable=False)(b)
    joined = layers.Concatenate(name="join")([fa, fb])
    top = layers.Dense(8, activation="relu", name="top")(joined)
    side = layers.Dense(2, name="side")(b)  # the raw input b is part of the cut too
    merged = layers.Concatenate(name="merge")([top, side])
    out = layers.Dense(3, activation="softmax", name="out")(merged)
    return Model({"a": a, "b": b}, out)


def test_functional_model_with_a_cut_of_several_tensors():
    rng = np.random.default_rng(3)
    x = {"a": rng.normal(size=(40, 6)).astype("float32")}
    x["b"] = rng.normal(size=(40, 4)).astype("float32")
    y = rng.integers(0, 3, 40)
    cached, uncached = _twin_fits(
        _functional_two_inputs, x, y, batch_size=8, epochs=3, validation_split=0.25
    )
    _assert_same_training(cached, uncached)
    report = cached[2]
    assert report.layers == ["fa", "fb", "join"]
    assert report.nbytes == 40 * 8 * 4  # the concatenated features; input b is not copied


def test_frozen_base_model_used_as_a_layer_with_frozen_batch_normalization():
    def build():
        base = Sequential(
            [
                Input((10,)),
                layers.Dense(12, name="b1"),
                layers.BatchNormalization(name="bn"),
                layers.Activation("relu"),
                layers.Dense(6, activation="relu", name="b2"),
            ],
            name="base",
        )
        base.trainable = False  # the frozen BatchNormalization runs in inference mode
        return Sequential([Input((10,)), base, layers.Dense(3, activation="softmax")])

    x, y = _data()
    cached, uncached = _twin_fits(build, x, y, batch_size=8, epochs=2, validation_split=0.2)
    _assert_same_training(cached, uncached)
    assert cached[2].layers == ["base"]


def _compiled(model):
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize(
    "extra, layer_name, words",
    [
        ([layers.Dropout(0.5, name="drop")], "drop", "random in training"),
        ([layers.GaussianNoise(0.1, name="noise")], "noise", "random in training"),
        ([layers.BatchNormalization(name="norm")], "norm", "is trainable"),
        (
            [layers.BatchNormalization(center=False, scale=False, name="stats")],
            "stats",
            "batch statistics",
        ),
    ],
)
def test_true_refuses_naming_the_layer_that_prevents_caching(extra, layer_name, words):
    model = _compiled(_mlp(extra=extra))
    x, y = _data()
    with pytest.raises(ValueError, match=f"'{layer_name}'.*{words}"):
        model.fit(x, y, epochs=1, verbose=0, cache_frozen=True)
    history = model.fit(x, y, epochs=1, verbose=0)  # "auto": no error, nothing cached
    assert not history.cache_report.cached and layer_name in history.cache_report.reason


def test_true_refuses_generators_and_models_with_nothing_frozen():
    x, y = _data()

    def batches():
        while True:
            yield x[:8], y[:8]

    model = _compiled(_mlp())
    with pytest.raises(ValueError, match="generator batches; only arrays"):
        model.fit(batches(), steps_per_epoch=2, verbose=0, cache_frozen=True)
    assert not model.fit(batches(), steps_per_epoch=2, verbose=0).cache_report.cached
    trainable = _compiled(_mlp(frozen=()))
    with pytest.raises(ValueError, match="no frozen layer.*'h1' is trainable"):
        trainable.fit(x, y, verbose=0, cache_frozen=True)
    with pytest.raises(ValueError, match="expected cache_frozen 'auto', True or False"):
        trainable.fit(x, y, verbose=0, cache_frozen="yes")


def test_a_frozen_prefix_without_weights_is_cached_only_on_request():
    def build():
        return Sequential(
            [
                Input((10,)),
                layers.Rescaling(0.5, name="scale"),
                layers.Dense(4, activation="relu"),
                layers.Dense(3, activation="softmax"),
            ]
        )

    x, y = _data()
    cached, uncached = _twin_fits(build, x, y, batch_size=16, epochs=2)
    _assert_same_training(cached, uncached)
    assert cached[2].layers == ["scale"]
    auto = _compiled(build()).fit(x, y, verbose=0)
    assert "hold no weights" in auto.cache_report.reason


def test_a_dropout_after_frozen_layers_ends_the_cached_part():
    def build():
        return Sequential(
            [
                Input((10,)),
                layers.Dense(8, activation="relu", name="h1", trainable=False),
                layers.Dropout(0.3, name="drop"),
                layers.Dense(3, activation="softmax", name="out"),
            ]
        )

    x, y = _data()
    cached, uncached = _twin_fits(build, x, y, batch_size=8, epochs=2)
    _assert_same_training(cached, uncached)  # the Dropout draws the same masks in both runs
    assert cached[2].layers == ["h1"] and "'drop'" in cached[2].stopped_at


def test_cache_is_rebuilt_when_a_cached_layer_is_unfrozen_between_epochs():
    class Unfreeze(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                self.model.get_layer("h2").trainable = True

    x, y = _data()
    cached, uncached = _twin_fits(
        _mlp, x, y, callbacks=lambda: [Unfreeze()], batch_size=8, epochs=4, validation_split=0.2
    )
    _assert_same_training(cached, uncached)
    report = cached[2]
    assert report.builds == 2 and report.layers == ["h1"] and report.epochs_cached == 4


def test_gradual_unfreezing_with_discriminative_rates_rebuilds_the_cache():
    """The issue's pair: GradualUnfreezing (with an lr multiplier) over a cached frozen base."""
    from strata.callbacks import GradualUnfreezing

    def build():
        return _mlp(frozen=("h1", "h2", "h3"))

    x, y = _data()
    cached, uncached = _twin_fits(
        build,
        x,
        y,
        callbacks=lambda: [GradualUnfreezing({1: 1, 3: ["h2"]}, lr_multiplier=0.1)],
        batch_size=8,
        epochs=5,
        validation_split=0.2,
    )
    _assert_same_training(cached, uncached)
    report = cached[2]
    assert report.builds == 3 and report.layers == ["h1"] and report.epochs_cached == 5


def test_unfreezing_a_cached_layer_mid_epoch_warns_and_takes_effect_next_epoch():
    class UnfreezeMidEpoch(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if self.engine.epoch == 1 and batch == 2:
                self.model.get_layer("h2").trainable = True

    x, y = _data()
    strata.utils.set_random_seed(7)
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = model.get_layer("h2").get_weights()[0].copy()
    with pytest.warns(UserWarning, match=r"\['h2'\] were unfrozen during an epoch"):
        history = model.fit(
            x,
            y,
            batch_size=8,
            epochs=3,
            verbose=0,
            cache_frozen=True,
            callbacks=[UnfreezeMidEpoch()],
        )
    assert history.cache_report.builds == 2 and history.cache_report.layers == ["h1"]
    assert not np.array_equal(model.get_layer("h2").get_weights()[0], before)


def test_cache_is_rebuilt_when_a_cached_layers_weights_change():
    class Halve(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                layer = self.model.get_layer("h1")
                layer.set_weights([w * 0.5 for w in layer.get_weights()])

    x, y = _data()
    cached, uncached = _twin_fits(_mlp, x, y, callbacks=lambda: [Halve()], batch_size=8, epochs=3)
    _assert_same_training(cached, uncached)
    assert cached[2].builds == 2 and cached[2].epochs_cached == 3


def test_lambda_callback_unfreezing_falls_back_to_the_full_model():
    """Unfreezing every cached layer leaves nothing frozen in front: the run goes on uncached."""

    def build():
        return _mlp(frozen=("h1",))

    def callbacks():
        model_box = {}

        def begin(logs=None):
            model_box["model"] = callback.model

        def epoch_begin(epoch, logs=None):
            if epoch == 1:
                model_box["model"].get_layer("h1").trainable = True

        callback = LambdaCallback(on_train_begin=begin, on_epoch_begin=epoch_begin)
        return [callback]

    x, y = _data()
    cached, uncached = _twin_fits(build, x, y, callbacks=callbacks, batch_size=8, epochs=3)
    _assert_same_training(cached, uncached)
    assert cached[2].builds == 1 and cached[2].epochs_cached == 1
    assert "'h1' is trainable" in cached[2].reason


def test_features_beyond_the_limit_go_to_a_memory_mapped_file_deleted_afterwards():
    seen = []

    class Look(Callback):
        def on_epoch_end(self, epoch, logs=None):
            for folder in self.engine.frozen_cache.spill_folders:
                seen.append((folder, sorted(os.listdir(folder))))

    x, y = _data()
    strata.config.set_cache_limit(100)  # bytes: far below the 60 x 9 floats of features
    try:
        cached, uncached = _twin_fits(
            _mlp, x, y, callbacks=lambda: [Look()], batch_size=8, epochs=2, validation_split=0.2
        )
    finally:
        strata.config.set_cache_limit(None)
    _assert_same_training(cached, uncached)
    assert cached[2].storage == "memmap"
    assert seen and all(files == ["features0.bin"] for _, files in seen)
    for folder, _ in seen:
        assert not os.path.exists(folder)


def test_mapped_file_is_deleted_when_fit_fails():
    class Fail(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.folders = self.engine.frozen_cache.spill_folders
            raise RuntimeError("stop here")

    model = _compiled(_mlp())
    x, y = _data()
    fail = Fail()
    strata.config.set_cache_limit(10)
    try:
        with pytest.raises(RuntimeError, match="stop here"):
            model.fit(x, y, callbacks=[fail], verbose=0, cache_frozen=True)
    finally:
        strata.config.set_cache_limit(None)
    assert fail.folders and not any(os.path.exists(f) for f in fail.folders)


def test_an_input_observer_gets_real_inputs_for_the_epochs_it_watches():
    class Watch(Callback):
        def on_train_begin(self, logs=None):
            self.widths = []
            self.handle = self.engine.add_input_observer(
                lambda xs: self.widths.append(xs[0].shape[1])
            )

        def on_epoch_end(self, epoch, logs=None):
            self.handle.remove()  # the next epochs may be cached

    watch = Watch()
    model = _compiled(_mlp())
    x, y = _data()
    history = model.fit(x, y, batch_size=20, epochs=3, callbacks=[watch], verbose=0)
    assert watch.widths == [10, 10, 10]  # the inputs, not the 9 cached features
    assert history.cache_report.builds == 1 and history.cache_report.epochs_cached == 2


def test_a_layer_adding_a_loss_is_not_cached():
    class Penalized(layers.Dense):
        def call(self, inputs):
            outputs = super().call(inputs)
            self.add_loss(0.01 * torch.mean(outputs**2))
            return outputs

    def build():
        return Sequential(
            [
                Input((10,)),
                Penalized(6, name="pen", trainable=False),
                layers.Dense(3, activation="softmax"),
            ]
        )

    x, y = _data()
    with pytest.raises(ValueError, match="adds a loss"):
        _compiled(build()).fit(x, y, verbose=0, cache_frozen=True)
    strata.utils.set_random_seed(1)
    auto = _compiled(build())
    strata.utils.set_random_seed(1)
    plain = _compiled(build())
    history_auto = auto.fit(x, y, epochs=2, verbose=0, shuffle=False)
    history_plain = plain.fit(x, y, epochs=2, verbose=0, shuffle=False, cache_frozen=False)
    assert "adds a loss" in history_auto.cache_report.reason
    np.testing.assert_allclose(history_auto.history["loss"], history_plain.history["loss"])


def test_verbose_reports_what_was_cached(capsys):
    model = _compiled(_mlp())
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=2, validation_split=0.25)
    printed = capsys.readouterr().out
    assert "Cached the frozen layers h1 and h2 for 45 training and 15 validation rows" in printed
    assert "MB in memory" in printed


def test_cache_limit_setting():
    strata.config.set_cache_limit(0.5)
    try:
        half = strata.config.get_cache_limit()
        strata.config.set_cache_limit(1.0)
        assert abs(strata.config.get_cache_limit() - 2 * half) <= 1
        strata.config.set_cache_limit(1234)
        assert strata.config.get_cache_limit() == 1234
        for bad in (-1, 0.0, 1.5, "1GB", True):
            with pytest.raises(ValueError, match="set_cache_limit expected"):
                strata.config.set_cache_limit(bad)
    finally:
        strata.config.set_cache_limit(None)
    assert strata.config.get_cache_limit() > 0


def test_subclassed_models_and_custom_train_steps_train_uncached():
    class Sub(Model):
        def __init__(self):
            super().__init__()
            self.frozen = layers.Dense(5, trainable=False)
            self.head = layers.Dense(3, activation="softmax")

        def call(self, inputs):
            return self.head(self.frozen(inputs))

    class Stepped(Sequential):
        def train_step(self, data):
            return super().train_step(data)

    x, y = _data()
    history = _compiled(Sub()).fit(x, y, epochs=1, verbose=0)
    assert "does not run a layer graph" in history.cache_report.reason
    stepped = Stepped([Input((10,)), layers.Dense(4, trainable=False), layers.Dense(3)])
    with pytest.raises(ValueError, match="overrides train_step"):
        _compiled(stepped).fit(x, y, epochs=1, verbose=0, cache_frozen=True)


@pytest.mark.parametrize("limit", [None, 10])  # in memory, then in a mapped file
def test_mixed_precision_features_are_cached_in_the_compute_dtype(limit):
    def build():
        strata.config.set_dtype_policy("mixed_bfloat16")
        return Sequential(
            [
                Input((10,)),
                layers.Dense(8, activation="relu", name="h1", trainable=False),
                layers.Dense(3),
                layers.Activation("softmax", dtype="float32"),
            ]
        )

    x, y = _data(rows=40)
    strata.config.set_cache_limit(limit)
    try:
        cached, uncached = _twin_fits(build, x, y, batch_size=8, epochs=2, validation_split=0.25)
    finally:
        strata.config.set_cache_limit(None)
    _assert_same_training(cached, uncached)
    assert cached[2].nbytes == 40 * 8 * 2  # bfloat16 features, as the trainable part sees them
    assert cached[2].storage == ("memory" if limit is None else "memmap")


def test_generator_validation_and_custom_test_step_run_the_whole_model():
    class Tested(Sequential):
        def test_step(self, data):
            return super().test_step(data)

    x, y = _data()
    xv, yv = _data(rows=16, seed=2)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.as_tensor(xv), torch.as_tensor(yv)), batch_size=8
    )

    def with_custom_test_step():
        model = Tested([Input((10,)), *_mlp().layers])
        for name in ("h1", "h2"):
            model.get_layer(name).trainable = False
        return model

    for build, kwargs in (
        (_mlp, {"validation_data": loader, "epochs": 2}),
        (with_custom_test_step, {"validation_data": (xv, yv), "epochs": 2}),
    ):
        cached, uncached = _twin_fits(build, x, y, batch_size=8, **kwargs)
        _assert_same_training(cached, uncached)
        assert cached[2].cached and cached[2].validation_rows == 0


def test_model_predicts_and_evaluates_normally_after_a_cached_fit():
    model = _compiled(_mlp())
    x, y = _data()
    before = model.predict(x, verbose=0)
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.2)
    assert history.cache_report.cached
    after = model.predict(x, verbose=0)
    assert after.shape == before.shape and not np.allclose(after, before)
    strata.utils.set_random_seed(0)
    h2 = model.get_layer("h2")
    features = h2(model.get_layer("h1")(torch.as_tensor(x)))
    top = model.get_layer("out")(model.get_layer("h3")(features))
    np.testing.assert_allclose(after, top.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert np.isfinite(model.evaluate(x, y, verbose=0))


def test_a_custom_layer_taking_training_is_cached_once_declared_deterministic():
    class Scale(layers.Layer):
        def call(self, inputs, training=None):
            return inputs * 2.0

    class DeclaredScale(Scale):
        deterministic_in_training = True

    def build(kind):
        return lambda: Sequential(
            [
                Input((10,)),
                layers.Dense(6, name="h1", trainable=False),
                kind(name="scale"),
                layers.Dense(3, activation="softmax"),
            ]
        )

    x, y = _data()
    undeclared = _compiled(build(Scale)()).fit(x, y, verbose=0, cache_frozen=True)
    assert undeclared.cache_report.layers == ["h1"]
    assert "'scale' takes a `training` argument" in undeclared.cache_report.stopped_at
    cached, uncached = _twin_fits(build(DeclaredScale), x, y, batch_size=8, epochs=2)
    _assert_same_training(cached, uncached)
    assert cached[2].layers == ["h1", "scale"]


@pytest.mark.slow
def test_jit_compiled_training_on_cached_features():
    x, y = _data(rows=32)
    cached, uncached = _twin_fits(
        _mlp, x, y, compile_kwargs={"jit_compile": True}, batch_size=16, epochs=2
    )
    _assert_same_training(cached, uncached)
    assert cached[2].epochs_cached == 2


def test_frozen_attention_and_recurrent_layers_without_dropout_are_cached():
    def build():
        tokens = Input((5, 4))
        attended = layers.MultiHeadAttention(2, 3, name="mha", trainable=False)(tokens, tokens)
        encoded = layers.LSTM(6, name="lstm", trainable=False)(attended)
        kept = layers.Dropout(0.0, name="no_drop")(encoded)
        return Model(tokens, layers.Dense(3, activation="softmax", name="head")(kept))

    rng = np.random.default_rng(4)
    x = rng.normal(size=(24, 5, 4)).astype("float32")
    y = rng.integers(0, 3, 24)
    cached, uncached = _twin_fits(build, x, y, batch_size=8, epochs=2, validation_split=0.25)
    _assert_same_training(cached, uncached)
    assert cached[2].layers == ["mha", "lstm", "no_drop"]
    recurrent_dropout = Sequential(
        [Input((5, 4)), layers.LSTM(6, dropout=0.2, trainable=False, name="rd"), layers.Dense(3)]
    )
    with pytest.raises(ValueError, match="'rd' uses dropout=0.2"):
        _compiled(recurrent_dropout).fit(x, y, verbose=0, cache_frozen=True)


def test_direct_step_calls_from_a_callback_run_the_whole_model():
    x, y = _data()

    class ExtraSteps(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.test_step((x[:8], y[:8]))
            self.model.train_step((x[8:16], y[8:16]))

    cached, uncached = _twin_fits(
        _mlp, x, y, callbacks=lambda: [ExtraSteps()], batch_size=8, epochs=2
    )
    _assert_same_training(cached, uncached)
    assert cached[2].epochs_cached == 2
