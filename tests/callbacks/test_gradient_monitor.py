"""GradientMonitor: vanishing gradients, dead ReLUs and a healthy network, on real training."""

import math
import warnings

import numpy as np
import pytest
import torch

import strata
from strata import initializers, layers
from strata.callbacks import GradientMonitor, TrainingHealthWarning


def data(n=512, features=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, :3].sum(axis=1, keepdims=True) > 0).astype("float32")
    return x, y


def fit(model, callbacks, epochs=2, validation=True, optimizer="sgd"):
    x, y = data()
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    kwargs = {"validation_data": (x[:128], y[:128])} if validation else {}
    return model.fit(x, y, epochs=epochs, batch_size=64, verbose=0, callbacks=callbacks, **kwargs)


def deep_sigmoid_model(depth=15):
    hidden = [
        layers.Dense(32, activation="sigmoid", kernel_initializer=initializers.RandomNormal(0, 1))
        for _ in range(depth)
    ]
    return strata.Sequential(
        [strata.Input(shape=(20,))] + hidden + [layers.Dense(1, activation="sigmoid")]
    )


def he_relu_model():
    hidden = [
        layers.Dense(32, activation="relu", kernel_initializer="he_normal", name=f"relu_{i}")
        for i in range(5)
    ]
    return strata.Sequential(
        [strata.Input(shape=(20,))] + hidden + [layers.Dense(1, activation="sigmoid", name="out")]
    )


def dead_relu_model():
    return strata.Sequential(
        [
            strata.Input(shape=(20,)),
            layers.Dense(32, activation="relu", kernel_initializer="he_normal", name="alive"),
            layers.Dense(
                32,
                activation="relu",
                bias_initializer=initializers.Constant(-100.0),
                name="graveyard",
            ),
            layers.Dense(1, activation="sigmoid", name="out"),
        ]
    )


def caught(model, monitor, **kwargs):
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        history = fit(model, [monitor], **kwargs)
    health = [w for w in found if issubclass(w.category, TrainingHealthWarning)]
    return history, [str(w.message) for w in health]


def test_training_health_warning_is_a_user_warning():
    assert issubclass(TrainingHealthWarning, UserWarning)
    assert strata.callbacks.TrainingHealthWarning is TrainingHealthWarning


def test_deep_sigmoid_network_warns_vanishing_gradients():
    model = deep_sigmoid_model()
    _, messages = caught(model, GradientMonitor())
    vanishing = [m for m in messages if "vanishing gradients" in m]
    assert vanishing, messages
    lowest = model.layers[0].name
    assert f"'{lowest}'" in vanishing[0]
    for remedy in ("He initialization", "leaky ReLU", "BatchNormalization"):
        assert remedy in vanishing[0]


def test_all_dead_relus_are_named():
    _, messages = caught(dead_relu_model(), GradientMonitor())
    dead = [m for m in messages if "dead ReLUs" in m]
    assert dead and all("'graveyard'" in m for m in dead)
    assert not any("'alive'" in m for m in dead)
    assert "leaky ReLU" in dead[0]


def test_dead_relus_found_without_validation_data():
    monitor = GradientMonitor(sample_batches=2)
    history, messages = caught(dead_relu_model(), monitor, validation=False)
    assert any("dead ReLUs" in m and "'graveyard'" in m for m in messages)
    assert history.history["dead_relu/graveyard"] == [1.0, 1.0]
    assert history.history["dead_relu/alive"][0] < 0.5
    assert sum(batch[0].shape[0] for batch in monitor._probe_batches) == 128
    assert monitor._capture is None  # the engine's input observer was removed


def test_healthy_he_relu_network_is_silent():
    model = he_relu_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingHealthWarning)
        history = fit(model, [GradientMonitor()], epochs=3)
    assert len(history.history["loss"]) == 3


def test_logs_hold_norms_and_dead_fractions():
    model = he_relu_model()
    monitor = GradientMonitor(verbose=0)
    history = fit(model, [monitor], epochs=2)
    names = [layer.name for layer in model.layers]
    for name in names:
        for prefix in ("grad_norm", "weight_norm"):
            values = history.history[f"{prefix}/{name}"]
            assert len(values) == 2 and all(math.isfinite(v) and v > 0 for v in values)
    for name in names[:-1]:
        assert 0.0 <= history.history[f"dead_relu/{name}"][-1] < 1.0
    assert "dead_relu/out" not in history.history
    expected = torch.cat([w.detach().reshape(-1) for w in model.layers[0].trainable_weights])
    assert history.history[f"weight_norm/{names[0]}"][-1] == pytest.approx(
        float(expected.norm()), rel=1e-5
    )
    assert [r["epoch"] for r in monitor.records] == [0, 1]


def test_gradient_norm_matches_a_manual_backward():
    """One batch per epoch and lr=0: the recorded norm is the norm of that batch's gradient."""
    x, y = data(n=64)
    model = he_relu_model()
    model.compile(optimizer=strata.optimizers.SGD(learning_rate=0.0), loss="binary_crossentropy")
    monitor = GradientMonitor(verbose=0)
    history = model.fit(x, y, epochs=1, batch_size=64, verbose=0, callbacks=[monitor])
    first = model.layers[0]
    model.train()
    for w in model.trainable_weights:
        w.grad = None
    out = model(torch.from_numpy(x), training=True)
    loss = torch.nn.functional.binary_cross_entropy(out, torch.from_numpy(y))
    loss.backward()
    manual = torch.cat([w.grad.reshape(-1) for w in first.trainable_weights]).norm()
    assert history.history[f"grad_norm/{first.name}"][0] == pytest.approx(float(manual), rel=1e-4)


def test_exploding_gradients_warn():
    model = strata.Sequential(
        [
            strata.Input(shape=(20,)),
            layers.Dense(64, kernel_initializer=initializers.RandomNormal(0, 30), name="big_1"),
            layers.Dense(64, kernel_initializer=initializers.RandomNormal(0, 30), name="big_2"),
            layers.Dense(1, kernel_initializer=initializers.RandomNormal(0, 30), name="big_out"),
        ]
    )
    x, y = data()
    model.compile(optimizer=strata.optimizers.SGD(learning_rate=0.0), loss="mse")
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=1, batch_size=64, verbose=0, callbacks=[GradientMonitor()])
    messages = [str(w.message) for w in found if w.category is TrainingHealthWarning]
    assert any("exploding gradients" in m and "clip" in m for m in messages), messages


def test_freq_skips_epochs_and_hooks_are_removed():
    model = he_relu_model()
    monitor = GradientMonitor(freq=2, verbose=0)
    history = fit(model, [monitor], epochs=4)
    assert [r["epoch"] for r in monitor.records] == [1, 3]
    assert len(history.history[f"grad_norm/{model.layers[0].name}"]) == 2
    assert len(history.history["loss"]) == 4
    assert monitor._handles == []
    weight = model.layers[0].trainable_weights[0]
    assert not weight._backward_hooks


def test_tensorboard_scalars(tmp_path):
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator"
    )
    from tensorboard.util import tensor_util

    model = dead_relu_model()
    fit(model, [GradientMonitor(log_dir=tmp_path, verbose=0)], epochs=2)
    accumulator = event_accumulator.EventAccumulator(str(tmp_path / "train"))
    accumulator.Reload()
    tags = accumulator.Tags()["tensors"]
    assert {"grad_norm/alive", "weight_norm/graveyard", "dead_relu/graveyard"} <= set(tags)
    events = accumulator.Tensors("dead_relu/graveyard")
    assert [e.step for e in events] == [0, 1]
    assert float(tensor_util.make_ndarray(events[-1].tensor_proto)) == 1.0


def test_argument_checks():
    with pytest.raises(ValueError, match="freq"):
        GradientMonitor(freq=0)
    with pytest.raises(ValueError, match="dead_threshold"):
        GradientMonitor(dead_threshold=0.0)
    with pytest.raises(ValueError, match="sample_batches"):
        GradientMonitor(sample_batches=0)
