"""greedy_layerwise: one autoencoder per layer on the frozen layers below, layers ready to reuse."""

import numpy as np
import pytest

import strata
from strata import callbacks, layers
from strata.pretraining import greedy_layerwise


def _data(n=96, d=10, seed=0):
    """Points near a 3-dimensional subspace: an autoencoder can learn them."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(3, d))
    return (rng.normal(size=(n, 3)) @ basis + 0.05 * rng.normal(size=(n, d))).astype("float32")


class _RecordStages(callbacks.Callback):
    """Keeps every stage model and hidden1's kernel at each stage's start and end."""

    def __init__(self):
        super().__init__()
        self.models, self.before, self.after = [], [], []

    def on_train_begin(self, logs=None):
        self.models.append(self.model)
        self.before.append(self.model.get_layer("hidden1").get_weights()[0].copy())

    def on_train_end(self, logs=None):
        self.after.append(self.model.get_layer("hidden1").get_weights()[0].copy())


def test_returns_trained_trainable_dense_layers_in_order():
    x = _data()
    hidden, histories = greedy_layerwise(
        [6, 4, 3], x, activation=["relu", "relu", "tanh"], epochs=3, seed=1, return_histories=True
    )
    assert [type(layer) for layer in hidden] == [layers.Dense] * 3
    assert [layer.name for layer in hidden] == ["hidden1", "hidden2", "hidden3"]
    assert [layer.units for layer in hidden] == [6, 4, 3]
    assert [layer.get_config()["activation"] for layer in hidden] == ["relu", "relu", "tanh"]
    assert [layer.get_weights()[0].shape for layer in hidden] == [(10, 6), (6, 4), (4, 3)]
    assert all(layer.built and layer.trainable for layer in hidden)
    assert len(histories) == 3 and all(len(h.history["loss"]) == 3 for h in histories)


def test_each_stage_trains_only_the_new_layer_to_reconstruct_the_one_below():
    x = _data()
    record = _RecordStages()
    hidden, histories = greedy_layerwise(
        [6, 4],
        x,
        epochs=[20, 10],
        batch_size=16,
        optimizer=strata.optimizers.Adam(0.01),  # an instance: each stage gets a fresh copy
        seed=2,
        callbacks=[record],
        return_histories=True,
    )
    first, second = record.models
    assert [layer.name for layer in first.layers] == ["hidden1", "decoder1"]
    assert [layer.name for layer in second.layers] == ["hidden1", "hidden2", "decoder2"]
    assert first.layers[0] is hidden[0] and second.layers[1] is hidden[1]
    assert first.output_shape == (None, 10) and second.output_shape == (None, 6)
    # Stage 1 trains hidden1; stage 2 leaves it exactly as stage 1 left it (frozen).
    assert not np.array_equal(record.before[0], record.after[0])
    np.testing.assert_array_equal(record.before[1], record.after[1])
    np.testing.assert_array_equal(record.after[1], hidden[0].get_weights()[0])
    for history in histories:
        assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    # Stage 2's target is hidden1's output: it reconstructs it better than a constant would.
    h1 = strata.Sequential([strata.Input((10,)), hidden[0]]).predict(x, verbose=0)
    error = np.mean((second.predict(x, verbose=0) - h1) ** 2)
    assert error < np.mean((h1 - h1.mean(axis=0)) ** 2)


def test_layers_stack_into_a_new_model_and_fine_tune():
    x = _data()
    y = (x[:, 0] > 0).astype("int64")
    hidden = greedy_layerwise([6, 4], x, epochs=2, seed=3)
    encoded = strata.Sequential([strata.Input((10,)), *hidden]).predict(x, verbose=0)
    model = strata.Sequential(
        [strata.Input((10,)), *hidden, layers.Dense(2, activation="softmax", name="head")]
    )
    # The new model starts from the pretrained weights.
    head = model.get_layer("head")
    np.testing.assert_allclose(
        model.predict(x, verbose=0), head(encoded).detach().numpy(), rtol=1e-5, atol=1e-6
    )
    before = hidden[0].get_weights()[0].copy()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    assert not np.array_equal(before, hidden[0].get_weights()[0])  # fine-tuned
    hidden[0].trainable = False  # or frozen, as the user chooses
    assert len(model.trainable_weights) == 4


def test_same_seed_gives_the_same_layers_and_noise_makes_a_denoiser():
    x = _data()
    a = greedy_layerwise([5, 3], x, epochs=2, seed=4)
    b = greedy_layerwise([5, 3], x, epochs=2, seed=4)
    for la, lb in zip(a, b):
        for wa, wb in zip(la.get_weights(), lb.get_weights()):
            np.testing.assert_array_equal(wa, wb)
    record = _RecordStages()
    noisy = greedy_layerwise([5, 3], x, epochs=2, noise=0.1, seed=4, callbacks=[record])
    assert [type(layer).__name__ for layer in record.models[1].layers] == [
        "Dense",
        "GaussianNoise",
        "Dense",
        "Dense",
    ]
    assert not np.array_equal(noisy[0].get_weights()[0], a[0].get_weights()[0])


def test_names_integer_input_and_single_int_units():
    x = (np.random.default_rng(5).random((40, 8)) * 255).astype("uint8")
    (layer,) = greedy_layerwise(4, x, epochs=1, names=["code"], optimizer="sgd")
    assert layer.name == "code" and layer.units == 4
    (double,) = greedy_layerwise([3], x.astype("float64") / 255, epochs=1)
    assert double.get_weights()[0].dtype == np.float32


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"units": []}, "positive integer"),
        ({"units": [4, 0]}, "positive integer"),
        ({"units": [4, 2], "activation": ["relu"]}, "activation.*2"),
        ({"units": [4], "noise": -0.1}, "noise >= 0"),
        ({"units": [4], "x_unlabeled": np.zeros(5)}, r"shape \(5,\)"),
        ({"units": [4], "x_unlabeled": [[1.0, 2.0]]}, "NumPy array"),
    ],
)
def test_bad_arguments_say_what_was_expected(kwargs, match):
    kwargs = {"x_unlabeled": _data(8), **kwargs}
    with pytest.raises(ValueError, match=match):
        greedy_layerwise(epochs=1, **kwargs)


def test_stages_after_the_first_run_on_cached_frozen_features():
    x = _data(n=64)
    _, histories = greedy_layerwise(
        [6, 4, 3], x, epochs=2, batch_size=16, seed=0, return_histories=True
    )
    reports = [history.cache_report for history in histories]
    assert not reports[0].cached  # stage 1 has no frozen layer below it
    assert reports[1].cached and reports[1].layers == ["hidden1"]
    assert reports[2].cached and reports[2].layers == ["hidden1", "hidden2"]
    assert all(r.builds == 1 and r.train_rows == 64 for r in reports[1:])
