"""Specs of the recurrent layers, cells and wrappers.

Cells return `(output, new_states)`, nested; the common checks expect flat outputs, so each cell
is checked through a subclass (same name, config and weights) whose `call` returns
`[output, *new_states]`. A saved model of it loads as the built-in cell, whose nested outputs
the functional plan flattens the same way.
"""

import copy

from strata import layers
from strata.testing import LayerSpec


def _fresh_arguments(base, name):
    """`base` (same name) that deep-copies its first argument, `name`, at each construction.

    The checks build a layer from the same `init_kwargs` several times; a cell or layer given
    as an argument is used as is by RNN, StackedRNNCells and TimeDistributed (as in Keras), so
    without a copy each check would get the weights (and gradients) a previous check left.
    """

    class Fresh(base):
        def __init__(self, *args, **kwargs):
            if args:
                args = (copy.deepcopy(args[0]), *args[1:])
            else:
                kwargs[name] = copy.deepcopy(kwargs[name])
            super().__init__(*args, **kwargs)

    Fresh.__name__ = Fresh.__qualname__ = base.__name__
    return Fresh


def _flat_cell(base):
    class FlatCell(base):
        def call(self, inputs, training=None):
            output, states = super().call(inputs, training=training)
            return [output, *states]

    FlatCell.__name__ = FlatCell.__qualname__ = base.__name__
    return FlatCell


_B, _T, _F, _U = 2, 5, 3, 4

SPECS = [
    LayerSpec(layers.LSTM, {"units": _U}, (_B, _T, _F), (_B, _U), expected_trainable=3),
    LayerSpec(
        layers.LSTM,
        {"units": _U, "return_sequences": True, "return_state": True, "go_backwards": True},
        (_B, _T, _F),
        [(_B, _T, _U), (_B, _U), (_B, _U)],
        id="LSTM-sequences-state-backwards",
    ),
    LayerSpec(
        layers.LSTM,
        {"units": _U, "dropout": 0.3, "recurrent_dropout": 0.3, "seed": 3},
        (_B, _T, _F),
        (_B, _U),
        random_in_training=True,
        id="LSTM-dropout",
    ),
    LayerSpec(layers.GRU, {"units": _U}, (_B, _T, _F), (_B, _U), expected_trainable=3),
    LayerSpec(
        layers.GRU,
        {"units": _U, "reset_after": False, "return_sequences": True},
        (_B, _T, _F),
        (_B, _T, _U),
        id="GRU-reset-before",
    ),
    LayerSpec(layers.SimpleRNN, {"units": _U}, (_B, _T, _F), (_B, _U), expected_trainable=3),
    LayerSpec(
        layers.SimpleRNN,
        {"units": _U, "activation": "sigmoid", "use_bias": False, "return_state": True},
        (_B, _T, _F),
        [(_B, _U), (_B, _U)],
        expected_trainable=2,
        id="SimpleRNN-loop-nobias",
    ),
    LayerSpec(
        _fresh_arguments(layers.RNN, "cell"),
        {"cell": layers.GRUCell(_U), "return_sequences": True},
        (_B, _T, _F),
        (_B, _T, _U),
    ),
    LayerSpec(
        _fresh_arguments(layers.RNN, "cell"),
        {"cell": [layers.LSTMCell(_U), layers.SimpleRNNCell(2)], "return_state": True},
        (_B, _T, _F),
        [(_B, 2), (_B, _U), (_B, _U), (_B, 2)],
        expected_trainable=6,
        id="RNN-stacked",
    ),
    LayerSpec(
        layers.Bidirectional,
        {"layer": layers.LSTM(_U, return_sequences=True)},
        (_B, _T, _F),
        (_B, _T, 2 * _U),
        expected_trainable=6,
    ),
    LayerSpec(
        layers.Bidirectional,
        {"layer": layers.GRU(_U, return_state=True), "merge_mode": None},
        (_B, _T, _F),
        [(_B, _U), (_B, _U), (_B, _U), (_B, _U)],
        id="Bidirectional-none-state",
    ),
    LayerSpec(
        _fresh_arguments(layers.TimeDistributed, "layer"),
        {"layer": layers.Dense(_U)},
        (_B, _T, _F),
        (_B, _T, _U),
        expected_trainable=2,
    ),
    LayerSpec(
        _flat_cell(layers.LSTMCell),
        {"units": _U},
        [(_B, _F), (_B, _U), (_B, _U)],
        [(_B, _U), (_B, _U), (_B, _U)],
        expected_trainable=3,
    ),
    LayerSpec(
        _flat_cell(layers.GRUCell),
        {"units": _U},
        [(_B, _F), (_B, _U)],
        [(_B, _U), (_B, _U)],
        expected_trainable=3,
    ),
    LayerSpec(
        _flat_cell(layers.SimpleRNNCell),
        {"units": _U},
        [(_B, _F), (_B, _U)],
        [(_B, _U), (_B, _U)],
        expected_trainable=3,
    ),
    LayerSpec(
        _flat_cell(_fresh_arguments(layers.StackedRNNCells, "cells")),
        {"cells": [layers.GRUCell(_U), layers.SimpleRNNCell(2)]},
        [(_B, _F), (_B, _U), (_B, 2)],
        [(_B, 2), (_B, _U), (_B, 2)],
        expected_trainable=6,
    ),
]
