"""strata.models.truncate: the lower part of a model, sharing weights, under a new head."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _seed_001_model(n_inputs=12, n_outputs=5):
    """Seed 001's pretrained network, shrunk: hidden1-5 (ReLU) and an output layer."""
    inputs = strata.Input((n_inputs,), name="X")
    x = inputs
    for index, units in enumerate((16, 8, 8, 8, 8), start=1):
        x = layers.Dense(units, activation="relu", name=f"hidden{index}")(x)
    outputs = layers.Dense(n_outputs, activation="softmax", name="outputs")(x)
    return strata.Model(inputs, outputs, name="pretrained")


def _x(n=16, features=12, seed=0):
    return np.random.default_rng(seed).random((n, features)).astype("float32")


def _hidden(model, name, x):
    """The output of layer `name`, computed by calling the layers one after the other."""
    out = torch.as_tensor(x)
    with torch.no_grad():
        for layer in model.layers:
            if isinstance(layer, layers.InputLayer):
                continue
            out = layer(out)
            if layer.name == name:
                return out.numpy()
    raise AssertionError(name)


def test_a_truncated_functional_model_outputs_that_layers_output_and_shares_it():
    model = _seed_001_model()
    base = strata.models.truncate(model, at="hidden3")
    assert [layer.name for layer in base.layers] == ["X", "hidden1", "hidden2", "hidden3"]
    assert base.name == "pretrained_truncated"
    assert base.output_shape == (None, 8)
    x = _x()
    np.testing.assert_allclose(base.predict(x, verbose=0), _hidden(model, "hidden3", x), 1e-6)
    assert base.get_layer("hidden2") is model.get_layer("hidden2")
    assert model.predict(x, verbose=0).shape == (16, 5)  # the original still works


def test_a_truncated_sequential_model_and_an_index():
    model = strata.Sequential(
        [
            strata.Input((12,)),
            layers.Dense(6, activation="relu", name="a"),
            layers.Dropout(0.5, name="drop"),
            layers.Dense(4, name="b"),
            layers.Dense(2, name="c"),
        ]
    )
    base = strata.models.truncate(model, at=-2, name="lower")
    assert base.name == "lower"
    assert [layer.name for layer in base.layers][1:] == ["a", "drop", "b"]
    x = _x()
    np.testing.assert_allclose(base.predict(x, verbose=0), _hidden(model, "b", x), 1e-6)


def test_changing_the_truncated_models_weights_changes_the_originals():
    model = _seed_001_model()
    base = strata.models.truncate(model, at="hidden2")
    x = _x()
    before = model.predict(x, verbose=0)
    kernel, bias = base.get_layer("hidden1").get_weights()
    base.get_layer("hidden1").set_weights([kernel * 2.0, bias + 1.0])
    np.testing.assert_array_equal(model.get_layer("hidden1").get_weights()[0], kernel * 2.0)
    assert not np.allclose(before, model.predict(x, verbose=0))


def test_seed_001_reuse_hidden_1_to_3_under_a_new_20_unit_layer_and_softmax():
    old = _seed_001_model()
    base = strata.models.truncate(old, at="hidden3")
    base.trainable = False
    hidden4 = layers.Dense(20, activation="relu", name="new_hidden4")(base.output)
    outputs = layers.Dense(5, activation="softmax", name="new_outputs")(hidden4)
    new = strata.Model(base.input, outputs)
    assert [layer.name for layer in new.layers] == [
        "X", "hidden1", "hidden2", "hidden3", "new_hidden4", "new_outputs"
    ]  # fmt: skip
    new.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    reused = [w.copy() for w in base.get_weights()]
    head = new.get_layer("new_hidden4").get_weights()[0].copy()
    y = np.random.default_rng(1).integers(0, 5, 16)
    new.fit(_x(), y, batch_size=8, epochs=2, verbose=0)
    for a, b in zip(reused, base.get_weights()):
        np.testing.assert_array_equal(a, b)  # frozen base: untouched
    assert not np.allclose(head, new.get_layer("new_hidden4").get_weights()[0])
    # then unfreeze the top reused layer and train it too (seed 001's next step)
    new.unfreeze(from_="hidden3")
    new.fit(_x(), y, batch_size=8, epochs=1, verbose=0)
    assert not np.allclose(reused[4], new.get_layer("hidden3").get_weights()[0])
    np.testing.assert_array_equal(reused[0], new.get_layer("hidden1").get_weights()[0])


def test_truncating_a_model_with_two_branches_keeps_what_feeds_the_layer():
    left, right = strata.Input((3,), name="left"), strata.Input((2,), name="right")
    joined = layers.Concatenate(name="join")(
        [layers.Dense(4, name="l1")(left), layers.Dense(4, name="r1")(right)]
    )
    model = strata.Model([left, right], layers.Dense(1, name="out")(joined))
    base = strata.models.truncate(model, at="join")
    assert base.output_shape == (None, 8)
    assert len(base.inputs) == 2
    xs = [_x(4, 3), _x(4, 2, seed=1)]
    expected = np.concatenate(
        [model.get_layer("l1")(torch.as_tensor(xs[0])).detach().numpy(),
         model.get_layer("r1")(torch.as_tensor(xs[1])).detach().numpy()], axis=-1,
    )  # fmt: skip
    np.testing.assert_allclose(base.predict(xs, verbose=0), expected, 1e-6)


class _Subclassed(strata.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def _shared_layer_model():
    inputs = strata.Input((3,))
    shared = layers.Dense(3, name="shared")
    return strata.Model(inputs, shared(shared(inputs)))


@pytest.mark.parametrize(
    "make, at, words",
    [
        (_seed_001_model, "hidden9", ["no layer named 'hidden9'", "hidden1", "outputs"]),
        (_seed_001_model, 10, ["index in [-7, 6]", "10"]),
        (_seed_001_model, "X", ["InputLayer 'X'"]),
        (_seed_001_model, 2.0, ["name or an index", "float"]),
        (_Subclassed, "dense", ["subclassed model has no graph"]),
        (lambda: strata.Sequential([layers.Dense(2)]), 0, ["not built"]),
        (_shared_layer_model, "shared", ["called 2 times"]),
    ],
)
def test_bad_truncations_say_why(make, at, words):
    with pytest.raises(ValueError) as error:
        strata.models.truncate(make(), at=at)
    for word in words:
        assert word in str(error.value)
