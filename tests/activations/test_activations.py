"""Activations against hand-written formulas, relu's options, names and serialization."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from strata import activations

X = torch.linspace(-7.0, 7.0, 141, dtype=torch.float64)  # steps of 0.1, includes 0, +-1, +-3


def _sigmoid(x):
    return 1.0 / (1.0 + torch.exp(-x))


def _softplus(x):
    return torch.log(1.0 + torch.exp(x))


SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

REFERENCES = {
    "elu": lambda x: torch.where(x > 0, x, torch.exp(x) - 1.0),
    "selu": lambda x: SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * (torch.exp(x) - 1.0)),
    "celu": lambda x: torch.where(x > 0, x, torch.exp(x) - 1.0),
    "gelu": lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0))),
    "leaky_relu": lambda x: torch.where(x > 0, x, 0.2 * x),
    "tanh": lambda x: (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x)),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: torch.clamp(x + 3.0, 0.0, 6.0) / 6.0,
    "hard_silu": lambda x: x * torch.clamp(x + 3.0, 0.0, 6.0) / 6.0,
    "hard_swish": lambda x: x * torch.clamp(x + 3.0, 0.0, 6.0) / 6.0,
    "softplus": _softplus,
    "softsign": lambda x: x / (1.0 + x.abs()),
    "swish": lambda x: x * _sigmoid(x),
    "silu": lambda x: x * _sigmoid(x),
    "exponential": torch.exp,
    "linear": lambda x: x,
    "relu": lambda x: torch.where(x > 0, x, torch.zeros_like(x)),
    "relu6": lambda x: torch.where(x > 0, torch.where(x < 6, x, torch.full_like(x, 6.0)), 0 * x),
    "mish": lambda x: x * torch.tanh(_softplus(x)),
    "log_sigmoid": lambda x: torch.log(_sigmoid(x)),
    "hard_tanh": lambda x: torch.where(x.abs() < 1, x, torch.sign(x)),
    "hard_shrink": lambda x: torch.where(x.abs() > 0.5, x, 0 * x),
    "soft_shrink": lambda x: torch.where(x > 0.5, x - 0.5, torch.where(x < -0.5, x + 0.5, 0 * x)),
    "tanh_shrink": lambda x: x - torch.tanh(x),
    "squareplus": lambda x: (x + torch.sqrt(x**2 + 4.0)) / 2.0,
    "sparse_plus": lambda x: torch.where(
        x <= -1, 0 * x, torch.where(x >= 1, x, (x + 1.0) ** 2 / 4.0)
    ),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_its_formula(name):
    fn = getattr(activations, name)
    torch.testing.assert_close(fn(X), REFERENCES[name](X))


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_keeps_shape_and_dtype(name):
    fn = getattr(activations, name)
    x = torch.randn(2, 3, 4)
    out = fn(x)
    assert out.shape == x.shape and out.dtype == torch.float32


def test_gelu_approximate_uses_the_tanh_formula():
    expected = 0.5 * X * (1 + torch.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * X**3)))
    torch.testing.assert_close(activations.gelu(X, approximate=True), expected)
    # The exact and approximate forms differ, so the flag does something.
    assert not torch.allclose(activations.gelu(X, approximate=True), activations.gelu(X))


def test_elu_celu_and_leaky_relu_arguments():
    torch.testing.assert_close(
        activations.elu(X, alpha=0.5), torch.where(X > 0, X, 0.5 * (torch.exp(X) - 1))
    )
    torch.testing.assert_close(
        activations.celu(X, alpha=2.0), torch.where(X > 0, X, 2.0 * (torch.exp(X / 2.0) - 1))
    )
    torch.testing.assert_close(
        activations.leaky_relu(X, negative_slope=0.01), torch.where(X > 0, X, 0.01 * X)
    )


def test_hard_sigmoid_keras3_values():
    x = torch.tensor([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0])
    expected = torch.tensor([0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0])
    torch.testing.assert_close(activations.hard_sigmoid(x), expected)


def _relu_reference(v, slope, max_value, threshold):
    if max_value is not None and v >= max_value:
        return max_value
    if v > threshold:
        return v
    return slope * (v - threshold)


@pytest.mark.parametrize("slope", [0.0, 0.1])
@pytest.mark.parametrize("max_value", [None, 6.0, 2.5])
@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_relu_options(slope, max_value, threshold):
    out = activations.relu(X, negative_slope=slope, max_value=max_value, threshold=threshold)
    expected = torch.tensor(
        [_relu_reference(v, slope, max_value, threshold) for v in X.tolist()], dtype=X.dtype
    )
    torch.testing.assert_close(out, expected)


def test_relu_hand_computed_values():
    x = torch.tensor([-2.0, 0.0, 1.0, 2.0, 5.0])
    out = activations.relu(x, negative_slope=0.5, max_value=4.0, threshold=1.0)
    torch.testing.assert_close(out, torch.tensor([-1.5, -0.5, 0.0, 2.0, 4.0]))
    out = activations.relu(x, max_value=6)
    torch.testing.assert_close(out, torch.tensor([0.0, 0.0, 1.0, 2.0, 5.0]))
    torch.testing.assert_close(
        activations.relu(torch.tensor([7.0]), max_value=6), torch.tensor([6.0])
    )


def test_relu_with_ceiling_has_gradients():
    x = torch.tensor([-1.0, 1.0, 9.0], requires_grad=True)
    activations.relu(x, negative_slope=0.1, max_value=3.0).sum().backward()
    torch.testing.assert_close(x.grad, torch.tensor([0.1, 1.0, 0.0]))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_and_log_softmax_along_an_axis(axis):
    x = torch.randn(3, 4, 5, dtype=torch.float64)
    expected = torch.exp(x) / torch.exp(x).sum(dim=axis, keepdim=True)
    torch.testing.assert_close(activations.softmax(x, axis=axis), expected)
    torch.testing.assert_close(activations.log_softmax(x, axis=axis), torch.log(expected))


def test_softmax_over_several_axes():
    x = torch.randn(2, 3, 4, dtype=torch.float64)
    expected = torch.exp(x) / torch.exp(x).sum(dim=(1, 2), keepdim=True)
    torch.testing.assert_close(activations.softmax(x, axis=(1, 2)), expected)
    torch.testing.assert_close(activations.log_softmax(x, axis=[1, 2]), torch.log(expected))


def test_softmax_is_stable_for_large_logits():
    out = activations.softmax(torch.tensor([1000.0, 1000.0]))
    torch.testing.assert_close(out, torch.tensor([0.5, 0.5]))


def test_glu_threshold_and_shrink_arguments():
    x = torch.randn(2, 6, dtype=torch.float64)
    torch.testing.assert_close(activations.glu(x), x[:, :3] * _sigmoid(x[:, 3:]))
    torch.testing.assert_close(activations.glu(x.T, axis=0), x.T[:3] * _sigmoid(x.T[3:]))
    with pytest.raises(ValueError, match="even size"):
        activations.glu(torch.randn(2, 5))
    out = activations.threshold(torch.tensor([0.5, 1.0, 2.0]), 1.0, -3.0)
    torch.testing.assert_close(out, torch.tensor([-3.0, -3.0, 2.0]))
    torch.testing.assert_close(
        activations.hard_shrink(torch.tensor([0.9, 1.1]), threshold=1.0), torch.tensor([0.0, 1.1])
    )
    torch.testing.assert_close(
        activations.soft_shrink(torch.tensor([0.9, 1.5]), threshold=1.0), torch.tensor([0.0, 0.5])
    )
    torch.testing.assert_close(
        activations.squareplus(torch.tensor([0.0]), b=9), torch.tensor([1.5])
    )


def test_linear_returns_its_input():
    x = torch.randn(3)
    assert activations.linear(x) is x


# Names and serialization.

ALL_NAMES = sorted(activations.ALL_OBJECTS_DICT)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_get_by_name_is_the_module_function(name):
    assert activations.get(name) is getattr(activations, name)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_serialize_round_trip(name):
    fn = getattr(activations, name)
    serialized = json.loads(json.dumps(activations.serialize(fn)))
    assert isinstance(serialized, str)
    assert activations.deserialize(serialized) is fn
    assert activations.get(serialized) is fn


def test_aliases_share_identity_and_canonical_names():
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    assert activations.serialize(activations.relu) == "relu"


def test_trainer_can_recognise_softmax_and_sigmoid_by_identity():
    assert activations.get("softmax") is activations.softmax
    assert activations.get("sigmoid") is activations.sigmoid
    assert activations.get("softmax") is not activations.get("log_softmax")
    out = activations.softmax(torch.randn(2, 3))
    assert not hasattr(out, "_keras_logits")


def test_get_none_is_linear_and_callables_pass_through():
    assert activations.get(None) is activations.linear

    def custom(x):
        return 2 * x

    assert activations.get(custom) is custom
    assert activations.get(torch.tanh) is torch.tanh


def test_keras_function_dict_is_understood():
    keras_dict = {
        "module": "keras.activations",
        "class_name": "function",
        "config": "relu",
        "registered_name": "relu",
    }
    assert activations.get(keras_dict) is activations.relu
    assert activations.deserialize({"class_name": "function", "config": "gelu"}) is activations.gelu


def test_custom_activation_through_custom_objects():
    def scaled(x):
        return 3 * x

    name = activations.serialize(scaled)
    assert name == "scaled"
    with pytest.raises(ValueError, match="scaled"):
        activations.deserialize(name)
    assert activations.deserialize(name, custom_objects={"scaled": scaled}) is scaled


def test_unknown_names_and_bad_identifiers():
    with pytest.raises(ValueError, match="activation.*'relux'"):
        activations.get("relux")
    with pytest.raises(ValueError, match="expected None, a name string.*received 1.5"):
        activations.get(1.5)


# Keras's own outputs (tools/keras_fixtures/activations.py).

KERAS = np.load(Path(__file__).parent / "fixtures" / "keras_activations.npz")


@pytest.mark.parametrize(
    "case, fn",
    [
        ("sparse_sigmoid", activations.sparse_sigmoid),
        ("sparse_plus", activations.sparse_plus),
    ],
)
def test_matches_keras_outputs(case, fn):
    out = fn(torch.from_numpy(KERAS["x"]))
    np.testing.assert_allclose(out.numpy(), KERAS[case], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case, axis", [("sparsemax", -1), ("sparsemax_axis0", 0)])
def test_sparsemax_against_keras(case, axis):
    """Equal to Keras where the support has one logit; elsewhere Keras's outputs do not sum
    to 1 (its threshold sums cumulative sums), while strata's follow Martins & Astudillo."""
    ours = activations.sparsemax(torch.from_numpy(KERAS["x"]), axis=axis).numpy()
    keras = KERAS[case]
    single = (ours > 0).sum(axis=axis) == 1
    assert single.any() and not single.all()
    take = (lambda a: a[single]) if axis == -1 else (lambda a: a[:, single])
    np.testing.assert_allclose(take(ours), take(keras), atol=1e-6)
    np.testing.assert_allclose(ours.sum(axis=axis), 1.0, rtol=1e-5)
    assert not np.allclose(keras.sum(axis=axis)[~single], 1.0)


def test_sparsemax_hand_computed():
    # Support {0.5, 0.3}: tau = (0.8 - 1) / 2 = -0.1.
    out = activations.sparsemax(torch.tensor([0.5, 0.3, -1.0], dtype=torch.float64))
    torch.testing.assert_close(out, torch.tensor([0.6, 0.4, 0.0], dtype=torch.float64))


def test_sparse_sigmoid_formula():
    expected = torch.where(X <= -1, 0 * X, torch.where(X >= 1, 0 * X + 1, 0.5 * (X + 1)))
    torch.testing.assert_close(activations.sparse_sigmoid(X), expected)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sparsemax_is_a_sparse_distribution(axis):
    x = 3 * torch.randn(5, 7, dtype=torch.float64)
    out = activations.sparsemax(x, axis=axis)
    assert (out >= 0).all()
    sums = out.sum(dim=axis)
    torch.testing.assert_close(sums, torch.ones_like(sums))
    # Where positive, the outputs are the logits less one threshold per slice.
    low = torch.where(out > 0, x - out, torch.inf).amin(dim=axis)
    high = torch.where(out > 0, x - out, -torch.inf).amax(dim=axis)
    torch.testing.assert_close(low, high)
    # A dominant logit takes all the mass.
    torch.testing.assert_close(
        activations.sparsemax(torch.tensor([5.0, 0.0, 0.0])), torch.tensor([1.0, 0.0, 0.0])
    )
