"""GradualUnfreezing: the schedule, discriminative rates, and resuming through BackupAndRestore."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _model(weights=None, optimizer=None, dropout=0.2):
    model = strata.Sequential(
        [
            strata.Input((4,)),
            layers.Dense(6, activation="relu", name="hidden1"),
            layers.Dropout(dropout, name="drop"),
            layers.Dense(5, activation="relu", name="hidden2"),
            layers.Dense(5, activation="relu", name="hidden3"),
            layers.Dense(2, name="head"),
        ]
    )
    if weights is not None:
        model.set_weights(weights)
    model.freeze(up_to="hidden3")
    model.compile(optimizer=optimizer or strata.optimizers.SGD(learning_rate=0.05), loss="mse")
    return model


def _data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 4)).astype("float32"), rng.random((n, 2)).astype("float32")


class _Flags(strata.callbacks.Callback):
    """Records which layers are trainable when each epoch starts (after the schedule ran)."""

    def __init__(self):
        super().__init__()
        self.seen = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.seen[epoch] = [layer.name for layer in self.model.layers if layer.trainable]


def test_the_schedule_unfreezes_counts_from_the_top_frozen_layer_and_names():
    model = _model()
    schedule = strata.callbacks.GradualUnfreezing({1: 1, 2: 1, 3: ["hidden1"]})
    flags = _Flags()
    kernels = {}

    class Kernels(strata.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            kernels[epoch] = model.get_layer("hidden2").get_weights()[0].copy()

    model.fit(*_data(), batch_size=8, epochs=4, verbose=0, callbacks=[schedule, flags, Kernels()])
    assert flags.seen == {
        0: ["head"],
        1: ["hidden3", "head"],
        2: ["hidden2", "hidden3", "head"],
        3: ["hidden1", "hidden2", "hidden3", "head"],
    }
    assert schedule.unfrozen == {1: ["hidden3"], 2: ["hidden2"], 3: ["hidden1"]}
    np.testing.assert_array_equal(kernels[0], kernels[1])  # hidden2 frozen in epochs 0-1
    assert not np.allclose(kernels[1], kernels[2])  # and training from epoch 2


def test_entries_before_the_first_epoch_run_at_it_and_each_entry_runs_once():
    model = _model()
    schedule = strata.callbacks.GradualUnfreezing({0: 1, 2: 1})
    flags = _Flags()
    model.fit(*_data(), epochs=4, initial_epoch=3, verbose=0, callbacks=[schedule, flags])
    assert flags.seen == {3: ["hidden2", "hidden3", "head"]}
    model.fit(*_data(), epochs=5, initial_epoch=4, verbose=0, callbacks=[schedule, flags])
    assert flags.seen[4] == ["hidden2", "hidden3", "head"]  # not unfrozen a second time


def test_unfrozen_layers_train_at_the_learning_rate_times_the_multiplier():
    model = _model(dropout=0.0)  # a gradient computed by hand needs a deterministic forward
    x, y = _data(8)
    hidden3 = model.get_layer("hidden3")
    # The gradient of the first step, computed by hand.
    hidden3.trainable = True
    loss = torch.mean((model(torch.as_tensor(x), training=True) - torch.as_tensor(y)) ** 2)
    grad = torch.autograd.grad(loss, hidden3.kernel)[0]
    hidden3.trainable = False
    start = hidden3.kernel.detach().clone()
    schedule = strata.callbacks.GradualUnfreezing({0: ["hidden3"]}, lr_multiplier=0.1)
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[schedule])
    torch.testing.assert_close(hidden3.kernel.detach(), start - 0.05 * 0.1 * grad)
    assert model.optimizer.get_lr_multiplier(hidden3.kernel) == 0.1
    assert model.optimizer.get_lr_multiplier(model.get_layer("head").kernel) == 1.0


@pytest.mark.parametrize(
    "args, words",
    [
        (({},), ["non-empty dict"]),
        (({-1: 1},), ["ints >= 0", "-1"]),
        (({1: 0},), ["count >= 1", "epoch 1"]),
        (({1: "hidden1"},), ["list of layer names", "'hidden1'"]),
        (({1: 1}, -0.5), ["lr_multiplier", "-0.5"]),
    ],
)
def test_bad_schedules_and_multipliers_are_refused(args, words):
    with pytest.raises(ValueError) as error:
        strata.callbacks.GradualUnfreezing(*args)
    for word in words:
        assert word in str(error.value)


def test_an_unknown_layer_name_fails_naming_the_layers():
    model = _model()
    schedule = strata.callbacks.GradualUnfreezing({0: ["hidden9"]})
    with pytest.raises(ValueError, match="no layer named 'hidden9'.*hidden1"):
        model.fit(*_data(), epochs=1, verbose=0, callbacks=[schedule])


class _Crash(strata.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 3:
            raise RuntimeError("interrupted")


def _run(weights, backup_dir, crash):
    strata.backend.set_random_seed(7)
    model = _model(weights, optimizer=strata.optimizers.Adam(learning_rate=0.01))
    callbacks = [
        strata.callbacks.GradualUnfreezing({1: 1, 2: 1}, lr_multiplier=0.1),
        strata.callbacks.BackupAndRestore(backup_dir),
    ]
    if crash:
        callbacks.insert(1, _Crash())
    model.fit(*_data(), batch_size=8, epochs=5, verbose=0, callbacks=callbacks)
    return model, callbacks[0]


def test_a_run_interrupted_after_unfreezing_resumes_with_the_same_layers_and_rates(tmp_path):
    weights = _model().get_weights()
    straight, _ = _run(weights, tmp_path / "straight", crash=False)
    with pytest.raises(RuntimeError, match="interrupted"):
        _run(weights, tmp_path / "resumed", crash=True)
    resumed, schedule = _run(weights, tmp_path / "resumed", crash=False)
    assert schedule.unfrozen == {1: ["hidden3"], 2: ["hidden2"]}  # restored, not re-applied
    assert [layer.trainable for layer in resumed.layers] == [
        layer.trainable for layer in straight.layers
    ]
    optimizer = resumed.optimizer
    kernels = {n: resumed.get_layer(n).kernel for n in ("hidden2", "hidden3", "head")}
    assert [optimizer.get_lr_multiplier(k) for k in kernels.values()] == [0.1, 0.1, 1.0]
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # and the unfrozen layers did train
    assert not np.allclose(weights[2], resumed.get_layer("hidden2").get_weights()[0])
