"""Regularizer values against hand computation, arguments, names and serialization."""

import json
import math

import pytest
import torch

import strata
from strata import initializers, regularizers

W = torch.tensor([[1.0, -2.0], [3.0, -4.0]])  # sum |w| = 10, sum w^2 = 30


def test_l1_value_and_default():
    assert regularizers.L1(0.5)(W).item() == pytest.approx(5.0)
    assert regularizers.L1()(W).item() == pytest.approx(0.1)


def test_l2_value_and_default():
    assert regularizers.L2(0.5)(W).item() == pytest.approx(15.0)
    assert regularizers.L2()(W).item() == pytest.approx(0.3)


def test_l1l2_value_and_defaults():
    assert regularizers.L1L2(l1=0.1, l2=0.2)(W).item() == pytest.approx(1.0 + 6.0)
    assert regularizers.L1L2(l1=0.1)(W).item() == pytest.approx(1.0)
    assert regularizers.L1L2(l2=0.1)(W).item() == pytest.approx(3.0)
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.L1L2()(W).item() == 0.0


def test_l1_l2_function_form_defaults_to_one_hundredth_each():
    reg = regularizers.l1_l2()
    assert isinstance(reg, regularizers.L1L2)
    assert reg(W).item() == pytest.approx(0.01 * 10 + 0.01 * 30)
    assert regularizers.l1_l2(l1=0.5, l2=0.0)(W).item() == pytest.approx(5.0)


def test_penalties_are_scalar_tensors_of_the_weight_dtype():
    w = W.double()
    for reg in (regularizers.L1(), regularizers.L2(), regularizers.L1L2(), regularizers.L1L2(1, 1)):
        out = reg(w)
        assert isinstance(out, torch.Tensor) and out.shape == () and out.dtype == torch.float64
    out = regularizers.OrthogonalRegularizer()(w)
    assert out.shape == () and out.dtype == torch.float64


def test_gradients_match_the_derivative():
    w = torch.randn(4, 3, requires_grad=True)
    regularizers.L2(0.3)(w).backward()
    torch.testing.assert_close(w.grad, 0.6 * w.detach())
    w.grad = None
    regularizers.L1(0.3)(w).backward()
    torch.testing.assert_close(w.grad, 0.3 * torch.sign(w.detach()))


def test_orthogonal_regularizer_rows_and_columns():
    w = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # Rows: unit rows r1, r2, r3 = (1,0), (0,1), (1,1)/sqrt2; |dots| 0, 1/sqrt2, 1/sqrt2
    # counted twice in the Gram matrix, over 3 pairs, times 0.5.
    rows = regularizers.OrthogonalRegularizer(factor=1.0, mode="rows")(w).item()
    assert rows == pytest.approx(0.5 * 2 * math.sqrt(2) / 3)
    # Columns: (1,0,1)/sqrt2 and (0,1,1)/sqrt2 have dot 1/2; counted twice, over 1 pair.
    cols = regularizers.OrthogonalRegularizer(factor=1.0, mode="columns")(w).item()
    assert cols == pytest.approx(0.5)
    scaled = regularizers.OrthogonalRegularizer(factor=0.2, mode="columns")(7 * w).item()
    assert scaled == pytest.approx(0.1)


def test_orthogonal_regularizer_is_zero_for_orthogonal_matrices():
    q = initializers.Orthogonal(seed=0)((6, 6))
    assert regularizers.OrthogonalRegularizer(factor=1.0)(q).item() == pytest.approx(0.0, abs=1e-6)
    assert regularizers.OrthogonalRegularizer()(torch.ones(1, 3)).item() == 0.0


def test_orthogonal_regularizer_rejects_bad_input():
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="'rows' or 'columns'"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


@pytest.mark.parametrize(
    "make",
    [
        lambda: regularizers.L1(-0.1),
        lambda: regularizers.L2(float("nan")),
        lambda: regularizers.L1L2(l1="big"),
        lambda: regularizers.OrthogonalRegularizer(factor=-1.0),
    ],
)
def test_bad_factors_are_refused(make):
    with pytest.raises(ValueError, match="non-negative finite float"):
        make()


def test_base_regularizer_penalises_nothing():
    assert regularizers.Regularizer()(W).item() == 0.0


@pytest.mark.parametrize(
    "name, cls, config",
    [
        ("l1", regularizers.L1, {"l1": 0.01}),
        ("L1", regularizers.L1, {"l1": 0.01}),
        ("l2", regularizers.L2, {"l2": 0.01}),
        ("L2", regularizers.L2, {"l2": 0.01}),
        ("l1_l2", regularizers.L1L2, {"l1": 0.01, "l2": 0.01}),
        ("L1L2", regularizers.L1L2, {"l1": 0.0, "l2": 0.0}),
        (
            "orthogonal_regularizer",
            regularizers.OrthogonalRegularizer,
            {"factor": 0.01, "mode": "rows"},
        ),
        (
            "OrthogonalRegularizer",
            regularizers.OrthogonalRegularizer,
            {"factor": 0.01, "mode": "rows"},
        ),
    ],
)
def test_get_by_name(name, cls, config):
    reg = regularizers.get(name)
    assert type(reg) is cls
    assert reg.get_config() == config


@pytest.mark.parametrize(
    "reg",
    [
        regularizers.L1(0.3),
        regularizers.L2(0.4),
        regularizers.L1L2(0.1, 0.2),
        regularizers.OrthogonalRegularizer(0.5, "columns"),
    ],
    ids=lambda reg: type(reg).__name__,
)
def test_serialize_round_trip(reg):
    config = json.loads(json.dumps(regularizers.serialize(reg)))
    assert config["class_name"] == type(reg).__name__
    back = regularizers.deserialize(config)
    assert type(back) is type(reg) and back.get_config() == reg.get_config()
    assert regularizers.get(config).get_config() == reg.get_config()
    torch.testing.assert_close(back(W), reg(W))


def test_keras_dict_loads():
    keras_dict = {
        "module": "keras.regularizers",
        "class_name": "L2",
        "config": {"l2": 0.001},
        "registered_name": None,
    }
    assert regularizers.deserialize(keras_dict).l2 == 0.001


def test_get_passes_through_none_instances_and_callables():
    assert regularizers.get(None) is None
    reg = regularizers.L2()
    assert regularizers.get(reg) is reg

    def custom(w):
        return w.sum()

    assert regularizers.get(custom) is custom
    assert type(regularizers.get(regularizers.L1)) is regularizers.L1
    assert regularizers.l1 is regularizers.L1 and regularizers.l2 is regularizers.L2


def test_custom_regularizer_round_trip():
    @strata.saving.register_keras_serializable(package="test_regularizers")
    class Tiny(regularizers.Regularizer):
        def __init__(self, factor=1.0):
            self.factor = factor

        def __call__(self, x):
            return self.factor * x.max()

        def get_config(self):
            return {"factor": self.factor}

    back = regularizers.deserialize(json.loads(json.dumps(regularizers.serialize(Tiny(2.0)))))
    assert type(back) is Tiny and back(W).item() == 6.0


def test_unknown_names_and_bad_identifiers():
    with pytest.raises(ValueError, match="regularizer.*'l3'"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="expected None, a name string.*received 0.1"):
        regularizers.get(0.1)
