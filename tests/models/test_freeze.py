"""Model.freeze / Model.unfreeze, frozen BatchNormalization, freezing mid-fit, save/load."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _stack(dropout=False):
    parts = [strata.Input((4,)), layers.Dense(6, activation="relu", name="hidden1")]
    if dropout:
        parts.append(layers.Dropout(0.1, name="drop"))
    parts += [layers.Dense(5, activation="relu", name="hidden2"), layers.Dense(2, name="head")]
    return strata.Sequential(parts)


def _graph():
    inputs = strata.Input((4,), name="x")
    a = layers.Dense(6, activation="relu", name="hidden1")(inputs)
    b = layers.Dense(6, activation="relu", name="side")(inputs)
    merged = layers.Concatenate(name="merge")([a, b])
    hidden = layers.Dense(5, activation="relu", name="hidden2")(merged)
    return strata.Model(inputs, layers.Dense(2, name="head")(hidden))


def _flags(model):
    return {layer.name: layer.trainable for layer in model.layers}


def _data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 4)).astype("float32"), rng.random((n, 2)).astype("float32")


# ------------------------------------------------------------------------------- freeze
def test_freeze_up_to_a_name_freezes_it_and_every_layer_below_and_leaves_the_rest():
    model = _stack(dropout=True)
    model.get_layer("head").trainable = False  # above: must stay as it is
    assert model.freeze(up_to="drop") == ["hidden1", "drop"]
    assert _flags(model) == {"hidden1": False, "drop": False, "hidden2": True, "head": False}
    hidden2 = model.get_layer("hidden2")
    assert [id(w) for w in model.trainable_weights] == [id(w) for w in hidden2.weights]


def test_freeze_by_index_counts_model_layers_including_the_functional_input():
    model = _graph()
    names = [layer.name for layer in model.layers]
    assert names[0] == "x"  # InputLayers are part of a functional model's layers
    frozen = model.freeze(up_to=names.index("merge"))
    assert frozen == [n for n in names[: names.index("merge") + 1] if n != "x"]
    assert not model.get_layer("side").trainable and model.get_layer("hidden2").trainable
    model.unfreeze()
    assert model.freeze(up_to=-2) == [n for n in names[:-1] if n != "x"]
    assert model.get_layer("head").trainable


def test_freeze_without_argument_freezes_everything():
    model = _stack()
    assert model.freeze() == ["hidden1", "hidden2", "head"]
    assert model.trainable_weights == []


# ----------------------------------------------------------------------------- unfreeze
def test_unfreeze_top_counts_only_layers_with_weights():
    model = _stack(dropout=True)
    model.freeze()
    assert model.unfreeze(top=2) == ["hidden2", "head"]
    assert _flags(model) == {"hidden1": False, "drop": False, "hidden2": True, "head": True}
    assert len(model.trainable_weights) == 4


def test_unfreeze_from_a_name_and_unfreeze_everything():
    model = _graph()
    model.freeze()
    assert model.unfreeze(from_="hidden2") == ["hidden2", "head"]
    assert not model.get_layer("merge").trainable
    model.unfreeze()
    assert all(_flags(model).values())


def test_unfreeze_lifts_the_frozen_models_own_flag_only():
    model = _stack()
    model.trainable = False  # Keras's way to freeze a whole base
    assert model.trainable_weights == []
    model.unfreeze(top=1)
    assert model.trainable
    assert _flags(model) == {"hidden1": False, "hidden2": False, "head": True}
    head = model.get_layer("head")
    assert [id(w) for w in model.trainable_weights] == [id(w) for w in head.weights]


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda m: m.freeze(up_to="hidden9"), ["hidden9", "hidden1", "head"]),
        (lambda m: m.freeze(up_to=7), ["index", "7", "hidden1"]),
        (lambda m: m.freeze(up_to=1.5), ["name or an index", "float"]),
        (lambda m: m.unfreeze(from_="nope"), ["nope", "hidden2"]),
        (lambda m: m.unfreeze(top=4), ["from 1 to 3", "4"]),
        (lambda m: m.unfreeze(top=0), ["from 1 to 3", "0"]),
        (lambda m: m.unfreeze(top=1, from_="head"), ["not both"]),
    ],
)
def test_bad_arguments_say_what_was_expected_and_name_the_layers(call, words):
    model = _stack()
    with pytest.raises(ValueError) as error:
        call(model)
    for word in words:
        assert word in str(error.value)
    assert all(_flags(model).values())  # nothing changed


# --------------------------------------------------------------------- BatchNormalization
@pytest.mark.parametrize("frozen", [True, False])
def test_a_frozen_batch_normalization_runs_in_inference_mode_during_fit(frozen):
    model = strata.Sequential(
        [strata.Input((4,)), layers.BatchNormalization(name="bn"), layers.Dense(2, name="head")]
    )
    bn = model.get_layer("bn")
    # Moving statistics far from the data's, so batch and moving statistics differ.
    bn.set_weights([np.full(4, 2.0), np.full(4, -1.0), np.full(4, 3.0), np.full(4, 0.5)])
    if frozen:
        model.freeze(up_to="bn")
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in bn.get_weights()]
    seen = []

    class Record(strata.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            x = torch.as_tensor(_data(8, seed=batch)[0])
            with torch.no_grad():
                seen.append((bn(x, training=True), bn(x, training=False)))

    model.fit(*_data(), batch_size=8, epochs=2, verbose=0, callbacks=[Record()])
    after = bn.get_weights()
    if frozen:
        for old, new in zip(before, after):
            np.testing.assert_array_equal(old, new)  # gamma, beta and moving stats stay put
        for training_out, inference_out in seen:
            torch.testing.assert_close(training_out, inference_out)
    else:  # the control: a trainable BN normalizes with the batch and updates its statistics
        assert not np.allclose(before[2], after[2])
        assert not torch.allclose(*seen[0])


# ------------------------------------------------------------- changing trainable in fit
def _kernel(model, name):
    return model.get_layer(name).get_weights()[0].copy()


def test_a_layer_unfrozen_mid_fit_starts_training_and_one_frozen_stops_without_recompile():
    model = _stack()
    model.freeze(up_to="hidden2")
    model.compile(optimizer=strata.optimizers.SGD(learning_rate=0.1), loss="mse")
    snapshots = {}

    class Switch(strata.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            snapshots[epoch] = {n: _kernel(model, n) for n in ("hidden1", "hidden2", "head")}
            if epoch == 1:
                model.get_layer("hidden2").trainable = True
                model.get_layer("head").trainable = False

    model.fit(*_data(), batch_size=8, epochs=2, verbose=0, callbacks=[Switch()])
    final = {n: _kernel(model, n) for n in ("hidden1", "hidden2", "head")}
    # epoch 0: only the head moved
    np.testing.assert_array_equal(snapshots[0]["hidden2"], snapshots[1]["hidden2"])
    assert not np.allclose(snapshots[0]["head"], snapshots[1]["head"])
    # epoch 1: hidden2 unfrozen trains, the head frozen stays, hidden1 never moves
    assert not np.allclose(snapshots[1]["hidden2"], final["hidden2"])
    np.testing.assert_array_equal(snapshots[1]["head"], final["head"])
    np.testing.assert_array_equal(snapshots[0]["hidden1"], final["hidden1"])


def test_unfreezing_between_fits_keeps_the_optimizer_state_of_the_trained_layers():
    model = _stack()
    model.freeze(up_to="hidden2")
    model.compile(optimizer="adam", loss="mse")
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # 4 steps on the head
    head_kernel = model.get_layer("head").kernel
    adam = model.optimizer.torch_optimizer
    assert int(adam.state[head_kernel]["step"]) == 4
    model.unfreeze(top=2)  # no compile() again
    before = _kernel(model, "hidden2")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert not np.allclose(before, _kernel(model, "hidden2"))
    assert int(adam.state[head_kernel]["step"]) == 8  # continued, not restarted
    assert int(adam.state[model.get_layer("hidden2").kernel]["step"]) == 4


# --------------------------------------------------------------- summary and save/load
def test_summary_shows_the_freeze_state():
    model = _stack()
    model.freeze(up_to="hidden1")
    lines = []
    model.summary(show_trainable=True, print_fn=lines.append)
    text = "\n".join(lines)
    rows = {
        name: line
        for line in text.splitlines()
        for name in ("hidden1", "hidden2", "head")
        if line.lstrip("│ ").startswith(name)
    }
    assert "Trainable" in text
    assert " N " in rows["hidden1"] and " Y " in rows["hidden2"] and " Y " in rows["head"]


@pytest.mark.parametrize("make", [_stack, _graph])
def test_the_freeze_state_survives_save_and_load(make, tmp_path):
    model = make()
    model.freeze(up_to="hidden2")
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "frozen.keras")
    loaded = strata.models.load_model(tmp_path / "frozen.keras")
    assert _flags(loaded) == _flags(model)
    assert [tuple(w.shape) for w in loaded.trainable_weights] == [
        tuple(w.shape) for w in model.trainable_weights
    ]
    # and the loaded model trains only its unfrozen layers
    before = _kernel(loaded, "hidden1")
    loaded.fit(*_data(), epochs=1, verbose=0)
    np.testing.assert_array_equal(before, _kernel(loaded, "hidden1"))


class _KerasGuideStep(strata.Sequential):
    """The custom train_step of Keras's "customizing fit" guide (torch backend)."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        loss = self.compute_loss(y=y, y_pred=self(x, training=True))
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        return {"loss": loss.detach()}


def test_a_custom_train_step_trains_a_layer_unfrozen_mid_fit_and_keeps_the_others_state():
    model = _KerasGuideStep(
        [strata.Input((4,)), layers.Dense(5, name="hidden1"), layers.Dense(2, name="head")]
    )
    model.freeze(up_to="hidden1")
    model.compile(optimizer="adam", loss="mse")
    schedule = strata.callbacks.GradualUnfreezing({1: ["hidden1"]})
    before = _kernel(model, "hidden1")
    model.fit(*_data(), batch_size=8, epochs=2, verbose=0, callbacks=[schedule])
    assert not np.allclose(before, _kernel(model, "hidden1"))
    adam = model.optimizer.torch_optimizer
    assert int(adam.state[model.get_layer("head").kernel]["step"]) == 8  # never restarted
    assert int(adam.state[model.get_layer("hidden1").kernel]["step"]) == 4


def test_an_unbuilt_model_freezes_by_position_but_has_no_top_layers_with_weights():
    model = strata.Sequential([layers.Dense(3, name="first"), layers.Dense(2, name="last")])
    assert model.freeze(up_to="first") == ["first"]
    with pytest.raises(ValueError, match="has none yet"):
        model.unfreeze(top=1)
    model.build((None, 4))  # the weights made later follow the flags
    last = model.get_layer("last")
    assert [id(w) for w in model.trainable_weights] == [id(w) for w in last.weights]
