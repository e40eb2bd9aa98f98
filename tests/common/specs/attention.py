"""Specs of the attention layers and the layers that came with them (EinsumDense, ...).

The common checks call a layer on one argument (a list for several inputs); MultiHeadAttention
and GroupQueryAttention take `query, value[, key]` as separate arguments, so they are checked
through a subclass (same name, config and weights) whose call unpacks the list. A saved model
of it loads as the built-in layer, called with the same separate arguments.
"""

from strata import layers
from strata.testing import LayerSpec


def _unpacking(base):
    class Unpacking(base):
        def __call__(self, inputs=None, *args, **kwargs):
            if isinstance(inputs, (list, tuple)):
                return super().__call__(*inputs, *args, **kwargs)
            return super().__call__(inputs, *args, **kwargs)

    Unpacking.__name__ = Unpacking.__qualname__ = base.__name__
    return Unpacking


_MHA = _unpacking(layers.MultiHeadAttention)

SPECS = [
    LayerSpec(
        layers.EinsumDense,
        {"equation": "abc,cde->abde", "output_shape": [None, 2, 3], "bias_axes": "de"},
        (2, 4, 5),
        (2, 4, 2, 3),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.EinsumDense,
        {"equation": "...b,bc->...c", "output_shape": 3, "activation": "tanh"},
        (2, 4, 5),
        (2, 4, 3),
        expected_trainable=1,
        id="EinsumDense-ellipsis-nobias",
    ),
]

SPECS += [
    LayerSpec(
        _MHA,
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 6, 3)],
        (2, 4, 5),
        expected_trainable=8,
    ),
    LayerSpec(
        _MHA,
        {
            "num_heads": 2,
            "key_dim": 3,
            "value_dim": 2,
            "dropout": 0.2,
            "seed": 1,
            "use_gate": True,
            "use_bias": False,
            "output_shape": [3],
        },
        [(2, 4, 5), (2, 6, 3), (2, 6, 4)],
        (2, 4, 3),
        expected_trainable=5,
        random_in_training=True,
        id="MultiHeadAttention-key-gate-dropout",
    ),
    LayerSpec(
        _MHA,
        {"num_heads": 2, "key_dim": 2, "attention_axes": [1, 2]},
        [(2, 3, 4, 5), (2, 3, 4, 5)],
        (2, 3, 4, 5),
        id="MultiHeadAttention-axes",
    ),
]

SPECS += [
    LayerSpec(layers.Attention, {}, [(2, 3, 4), (2, 5, 4)], (2, 3, 4), expected_trainable=0),
    LayerSpec(
        layers.Attention,
        {"use_scale": True, "score_mode": "concat", "dropout": 0.3, "seed": 2},
        [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
        (2, 3, 4),
        expected_trainable=2,
        random_in_training=True,
        id="Attention-scale-concat-key-dropout",
    ),
    LayerSpec(
        layers.AdditiveAttention, {}, [(2, 3, 4), (2, 5, 4)], (2, 3, 4), expected_trainable=1
    ),
    LayerSpec(
        layers.AdditiveAttention,
        {"use_scale": False, "dropout": 0.2},
        [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
        (2, 3, 4),
        expected_trainable=0,
        random_in_training=True,
        id="AdditiveAttention-noscale-key-dropout",
    ),
]

_GQA = _unpacking(layers.GroupQueryAttention)

SPECS += [
    LayerSpec(
        _GQA,
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
        [(2, 4, 6), (2, 5, 6)],
        (2, 4, 6),
        expected_trainable=8,
    ),
    LayerSpec(
        _GQA,
        {
            "head_dim": 3,
            "num_query_heads": 2,
            "num_key_value_heads": 1,
            "use_gate": True,
            "dropout": 0.2,
            "seed": 5,
            "use_bias": False,
        },
        [(2, 4, 6), (2, 5, 6), (2, 5, 3)],
        (2, 4, 6),
        expected_trainable=5,
        random_in_training=True,
        id="GroupQueryAttention-key-gate-dropout",
    ),
]
