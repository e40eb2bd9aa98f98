"""The Layer base contract: lazy build, weights, freezing, names, losses, training flag."""

import numpy as np
import pytest
import torch

import strata
from strata import Input, layers
from strata.models import Model, Sequential


class Scale(layers.Layer):
    def __init__(self, regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.regularizer = regularizer

    def build(self, input_shape):
        self.w = self.add_weight(
            name="w", shape=(input_shape[-1],), initializer="ones", regularizer=self.regularizer
        )
        self.count = self.add_weight(name="count", shape=(), initializer="zeros", trainable=False)

    def call(self, x, training=None):
        if training:
            self.count += 1
        return x * self.w


def test_nothing_is_created_before_build_and_build_is_lazy():
    layer = layers.Dense(3)
    assert not layer.built and layer.weights == []
    layer(np.zeros((2, 5), dtype="float32"))
    assert layer.built
    assert [tuple(w.shape) for w in layer.get_weights()] == [(5, 3), (3,)]


def test_automatic_names_count_like_keras():
    names = [layers.Dense(1).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    assert layers.Dense(1, name="mine").name == "mine"
    strata.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_every_layer_and_model_is_a_torch_module():
    inputs = Input(shape=(4,))
    model = Model(inputs, layers.Dense(2)(inputs))
    assert isinstance(model, torch.nn.Module)
    assert all(isinstance(layer, torch.nn.Module) for layer in model.layers)
    state = model.state_dict()
    assert any(key.endswith("kernel") for key in state)
    # torch.optim works on model.parameters()
    torch.optim.SGD(model.parameters(), lr=0.1)


def test_trainable_weights_and_freezing_layer_and_model():
    layer = Scale()
    layer(np.ones((2, 3), dtype="float32"))
    assert [w.shape for w in layer.trainable_weights] == [torch.Size([3])]
    assert len(layer.non_trainable_weights) == 1
    layer.trainable = False
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 2
    assert not layer.w.requires_grad
    inputs = Input(shape=(3,))
    model = Model(inputs, layers.Dense(2)(Scale()(inputs)))
    model.trainable = False
    assert model.trainable_weights == []
    assert all(not layer.trainable for layer in model.layers)
    model.trainable = True
    assert len(model.trainable_weights) == 3


def test_set_weights_checks_count_and_shapes():
    layer = layers.Dense(2)
    layer(np.zeros((1, 3), dtype="float32"))
    with pytest.raises(ValueError, match=r"expected 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"expected shape \(3, 2\); received \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])


def test_get_weights_are_copies_in_keras_layout():
    layer = layers.Dense(2)
    layer(np.zeros((1, 3), dtype="float32"))
    kernel = layer.get_weights()[0]
    with torch.no_grad():
        layer.kernel.add_(1.0)
    assert not np.allclose(kernel, layer.get_weights()[0])
    np.testing.assert_allclose(layer.get_weights()[0], layer.kernel.detach().numpy().T)


def test_regularization_losses_are_collected():
    layer = Scale(regularizer=strata.regularizers.L2(0.5))
    inputs = Input(shape=(3,))
    model = Model(inputs, layer(inputs))
    # 0.5 * sum(ones(3) ** 2)
    assert [float(v.detach()) for v in model.losses] == [1.5]


def test_training_argument_reaches_layers_that_care():
    layer = Scale()
    inputs = Input(shape=(3,))
    model = Model(inputs, layers.Dropout(0.99)(layer(inputs)))
    x = np.ones((64, 3), dtype="float32")
    np.testing.assert_allclose(model(x).detach().numpy(), x)  # inference by default
    trained = model(x, training=True).detach().numpy()
    assert (trained == 0).mean() > 0.5
    assert float(layer.count) == 1.0
    model.train()  # PyTorch's switch: training=None now means training
    assert (model(x).detach().numpy() == 0).mean() > 0.5


def test_eager_calls_on_numpy_and_torch():
    layer = layers.Dense(2, kernel_initializer="ones")
    out_np = layer(np.ones((1, 3), dtype="float32"))
    out_torch = layer(torch.ones(1, 3))
    assert torch.equal(out_np, out_torch)
    assert out_np.tolist() == [[3.0, 3.0]]


def test_symbolic_shapes_keep_none():
    tokens = Input(shape=(None,), dtype="int32")
    embedded = layers.Embedding(10, 4)(tokens)
    assert embedded.shape == (None, None, 4)
    assert Input(shape=(5,), batch_size=8).shape == (8, 5)


def test_sequential_add_pop_and_input_shape():
    model = Sequential()
    model.add(layers.Dense(4, input_shape=(3,)))
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name == "dense_1"
    assert model.output_shape == (None, 4)
    model.add(layers.Dense(5))
    assert model.output_shape == (None, 5)
    assert [layer.name for layer in model.layers] == ["dense", "dense_2"]


def test_sequential_without_input_builds_on_first_data():
    model = Sequential([layers.Dense(4), layers.Dense(1)])
    assert not model.built
    with pytest.raises(ValueError, match="not been built"):
        model.summary()
    assert model.predict(np.zeros((2, 7)), verbose=0).shape == (2, 1)
    assert model.built and model.count_params() == 7 * 4 + 4 + 5


def test_get_layer_by_name_and_index():
    inputs = Input(shape=(3,), name="x")
    out = layers.Dense(2, name="head")(layers.Dense(4, name="body")(inputs))
    model = Model(inputs, out)
    assert model.get_layer("body").name == "body"
    assert model.get_layer(index=-1).name == "head"
    with pytest.raises(ValueError, match="No layer named 'nope'"):
        model.get_layer("nope")


def test_layer_input_and_output_attributes():
    inputs = Input(shape=(3,))
    dense = layers.Dense(2)
    out = dense(inputs)
    assert dense.input is inputs and dense.output is out
    assert dense.input_shape == (None, 3) and dense.output_shape == (None, 2)
    with pytest.raises(ValueError, match="has not been called"):
        _ = layers.Dense(1).output


def test_unknown_constructor_argument_is_refused():
    with pytest.raises(TypeError, match="unexpected keyword"):
        layers.Dense(2, unitz=3)


def test_predict_rejects_inputs_that_do_not_fit_before_computing():
    inputs = Input(shape=(64,), name="pixels")
    model = Model(inputs, layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match=r"expected shape \(None, 64\).*received shape \(3, 7\)"):
        model.predict(np.zeros((3, 7)), verbose=0)
    with pytest.raises(ValueError, match=r"rank 2.*rank 3"):
        model.predict(np.zeros((3, 64, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"unknown: \['pixelz'\]"):
        model.predict({"pixelz": np.zeros((3, 64))}, verbose=0)
    two = Model([Input(shape=(2,), name="a"), b := Input(shape=(2,), name="b")], b)
    with pytest.raises(ValueError, match=r"missing: \['a'\]"):
        two.predict({"b": np.zeros((1, 2))}, verbose=0)


def test_device_is_decided_in_one_place():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert strata.backend.device().type == expected
    layer = layers.Dense(2)
    layer(np.zeros((1, 3), dtype="float32"))
    assert layer.kernel.device.type == expected
