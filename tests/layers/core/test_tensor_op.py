"""Arithmetic on symbolic tensors builds TensorOp nodes that run."""

import pytest
import torch

import strata
from strata.layers.core.tensor_op import TensorOp


def test_symbolic_arithmetic_builds_nodes_that_run():
    x, y = strata.Input(shape=(3,)), strata.Input(shape=(3,))
    out = (x + y) * 2 - x / 4 + 1
    assert out.shape == (None, 3)
    assert isinstance(out._keras_history[0], TensorOp)
    model = strata.Model([x, y], out)
    a, b = torch.randn(2, 3), torch.randn(2, 3)
    torch.testing.assert_close(model([a, b]), (a + b) * 2 - a / 4 + 1)


def test_reflected_operands_keep_their_order():
    x = strata.Input(shape=(2,))
    model = strata.Model(x, [10 - x, 1 / x, 3 * x])
    data = torch.tensor([[1.0, 4.0]])
    minus, inverse, triple = model(data)
    # a number operand is no shape: the weightless op records no build config for saving
    assert all(layer.get_build_config() is None for layer in model.layers[1:])
    torch.testing.assert_close(minus, 10 - data)
    torch.testing.assert_close(inverse, 1 / data)
    torch.testing.assert_close(triple, 3 * data)


def test_broadcasting_and_integer_dtypes():
    x = strata.Input(shape=(4, 3))
    bias = strata.Input(shape=(1, 3))
    assert (x + bias).shape == (None, 4, 3)
    ids = strata.Input(shape=(5,), dtype="int32")
    doubled = ids * 2
    assert doubled.dtype == "int32"
    assert strata.Model(ids, doubled)(torch.ones(1, 5, dtype=torch.int32)).dtype == torch.int32


def test_config_and_errors():
    op = TensorOp("multiply")
    assert TensorOp.from_config(op.get_config()).op_name == "multiply"
    with pytest.raises(ValueError, match="op_name"):
        TensorOp("power")
    with pytest.raises(ValueError):
        strata.Input(shape=(3,)) + strata.Input(shape=(4,))
