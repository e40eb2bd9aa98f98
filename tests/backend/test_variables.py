"""`strata.Variable`: Keras's variable API on weights that stay torch Parameters."""

import copy
import io
import pickle

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _dense():
    layer = layers.Dense(2)
    layer.build((None, 3))
    return layer


def test_weights_are_parameters_with_keras_names_and_paths():
    layer = _dense()
    kernel, bias = layer.weights
    assert isinstance(kernel, torch.nn.Parameter) and isinstance(kernel, strata.Variable)
    assert (kernel.name, kernel.path) == ("kernel", "dense/kernel")
    assert (bias.name, bias.path) == ("bias", "dense/bias")
    assert kernel.value is kernel and kernel.trainable
    assert [name for name, _ in layer.named_parameters()] == ["kernel", "bias"]
    # dtype stays torch's (torch code reads it); standardize_dtype gives Keras's name.
    assert kernel.dtype == torch.float32
    assert strata.backend.standardize_dtype(kernel.dtype) == "float32"


def test_paths_follow_keras_scopes():
    # Recorded with Keras 3.15.1: Sequential prefixes its name, a functional model does not,
    # a subclassed model prefixes its name when its first call builds the sublayers.
    seq = strata.Sequential([strata.Input((3,)), layers.Dense(2), layers.BatchNormalization()])
    assert [v.path for v in seq.weights] == [
        "sequential/dense/kernel",
        "sequential/dense/bias",
        "sequential/batch_normalization/gamma",
        "sequential/batch_normalization/beta",
        "sequential/batch_normalization/moving_mean",
        "sequential/batch_normalization/moving_variance",
    ]
    inputs = strata.Input((3,))
    functional = strata.Model(inputs, layers.Dense(2)(inputs))
    assert [v.path for v in functional.weights] == ["dense_1/kernel", "dense_1/bias"]

    class Sub(strata.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)

    sub = Sub()
    sub(np.ones((1, 3), "float32"))
    assert [v.path for v in sub.weights] == ["sub/dense_2/kernel", "sub/dense_2/bias"]
    with strata.name_scope("outer"):
        free = strata.Variable(initializer="zeros", shape=(2,), name="w")
    assert free.path == "outer/w"


def test_assign_family_numpy_and_shape_errors():
    layer = _dense()
    bias = layer.bias
    out = bias.assign(np.array([1.0, 2.0]))
    assert out is bias and bias.numpy().tolist() == [1.0, 2.0]
    bias.assign_add(torch.ones(2))
    bias.assign_sub([0.5, 0.5])
    np.testing.assert_allclose(bias.numpy(), [1.5, 2.5])
    assert bias.grad_fn is None and bias.is_leaf
    with pytest.raises(ValueError, match=r"expected a value of shape \(2,\); received shape"):
        bias.assign(np.zeros(3))
    copy_ = bias.numpy()
    copy_[0] = 99.0
    assert float(bias.numpy()[0]) == 1.5  # numpy() is a copy
    assert np.asarray(bias).tolist() == [1.5, 2.5]


def test_trainable_follows_the_layer_and_int_variables_cannot_train():
    layer = _dense()
    layer.trainable = False
    assert [w.trainable for w in layer.weights] == [False, False]
    layer.trainable = True
    assert [w.trainable for w in layer.weights] == [True, True]
    layer.kernel.trainable = False
    assert not layer.kernel.requires_grad
    with pytest.raises(ValueError, match="expected a float dtype"):
        strata.Variable(np.array([1, 2], dtype="int32"))
    counter = strata.Variable(np.array(0, dtype="int64"), trainable=False, name="counter")
    counter.assign_add(3)
    assert int(counter.numpy()) == 3 and counter.trainable is False


def test_variable_constructor_follows_keras():
    v = strata.Variable(initializer="ones", shape=(2, 3), name="w", dtype="float64")
    assert tuple(v.shape) == (2, 3) and v.dtype == torch.float64 and v.name == "w"
    assert strata.Variable([1.0, 2.0]).dtype == torch.float32  # Python floats: floatx
    assert strata.Variable(np.ones(2)).dtype == torch.float64  # arrays keep their dtype
    assert strata.Variable(3.0).name.startswith("variable")
    with pytest.raises(ValueError, match="expected a shape"):
        strata.Variable(initializer="zeros")
    with pytest.raises(TypeError, match="unexpected keyword"):
        strata.Variable(1.0, colour="red")
    assert "path=" in repr(v) and "shape=(2, 3)" in repr(v)


def test_torch_machinery_keeps_working():
    model = strata.Sequential(
        [strata.Input((3,)), layers.Dense(4), layers.BatchNormalization(), layers.Dense(1)]
    )
    params = list(model.parameters())
    assert all(isinstance(p, strata.Variable) for p in params)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = model.layers[0].kernel.detach().clone()
    loss = model(torch.randn(8, 3), training=True).pow(2).mean()
    loss.backward()
    optimizer.step()
    assert not torch.equal(before, model.layers[0].kernel.detach())
    state = model.state_dict()
    assert all(type(t) is torch.Tensor for t in state.values())  # plain tensors in files
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    clone = strata.models.clone_model(model)
    clone.load_state_dict(torch.load(buffer, weights_only=True))
    x = torch.randn(4, 3)
    torch.testing.assert_close(clone(x), model(x))
    # A list of weights saves and loads with weights_only=True too.
    buffer = io.BytesIO()
    torch.save(list(model.weights), buffer)
    buffer.seek(0)
    assert len(torch.load(buffer, weights_only=True)) == len(model.weights)


def test_conversions_copies_and_pickles_keep_variables():
    bn = layers.BatchNormalization()
    bn.build((None, 3))
    bn.double()
    assert all(isinstance(w, strata.Variable) for w in bn.weights)
    assert bn.moving_mean.dtype == torch.float64 and bn.moving_mean.path.endswith("moving_mean")
    assert [n for n, _ in bn.named_buffers()] == ["moving_mean", "moving_variance"]
    for clone in (copy.deepcopy(bn), pickle.loads(pickle.dumps(bn))):
        assert [w.path for w in clone.weights] == [w.path for w in bn.weights]
        assert all(isinstance(w, strata.Variable) for w in clone.weights)
        assert [n for n, _ in clone.named_parameters()] == ["gamma", "beta"]
        assert not clone.moving_mean.requires_grad


def test_buffers_assigned_to_their_own_name_stay_buffers():
    class Counter(layers.Layer):
        def build(self, input_shape):
            self.seen = self.add_weight(name="seen", shape=(), trainable=False)

        def call(self, x):
            self.seen.assign_add(x.shape[0])
            return x

    layer = Counter()
    layer(torch.zeros(5, 2))
    assert [n for n, _ in layer.named_buffers()] == ["seen"]
    assert list(layer.parameters()) == []
    assert float(layer.seen.numpy()) == 5.0


def test_metric_state_is_variables_with_keras_paths():
    mean = strata.metrics.Mean()
    assert [(v.name, v.path) for v in mean.variables] == [
        ("total", "mean/total"),
        ("count", "mean/count"),
    ]
    assert all(isinstance(v, strata.Variable) and not v.trainable for v in mean.variables)
    mean.update_state([1.0, 3.0])
    total = mean.total
    mean.reset_state()
    assert total is mean.variables[0] and float(total.numpy()) == 0.0


def test_keras_style_custom_metric_with_add_weight_and_assign():
    class CategoricalTruePositives(strata.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = torch.argmax(y_pred, dim=1).reshape(-1, 1)
            values = (torch.as_tensor(y_true).reshape(-1, 1) == y_pred).float()
            if sample_weight is not None:
                values = values * torch.as_tensor(sample_weight, dtype=torch.float32)
            self.true_positives.assign_add(values.sum())

        def result(self):
            return self.true_positives.value

        def reset_state(self):
            self.true_positives.assign(0.0)

    metric = CategoricalTruePositives()
    assert metric.true_positives.path == "categorical_true_positives/ctp"
    metric.update_state([0, 1, 1], torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]))
    assert float(metric.result()) == 2.0
    inputs = strata.Input((4,))
    model = strata.Model(inputs, layers.Dense(3, activation="softmax")(inputs))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=[CategoricalTruePositives()])
    x = np.random.default_rng(0).random((16, 4)).astype("float32")
    y = np.random.default_rng(1).integers(0, 3, 16)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert 0.0 <= history.history["categorical_true_positives"][-1] <= 16.0
    metric.reset_state()
    assert float(metric.result()) == 0.0
