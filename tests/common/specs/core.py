from collections.abc import Mapping

import torch

from strata import activations, layers
from strata.layers.core.tensor_op import TensorOp
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(layers.Dense, {"units": 4}, (2, 3), (2, 4), expected_trainable=2),
    LayerSpec(
        layers.Dense,
        {"units": 5, "activation": "relu", "use_bias": False, "kernel_regularizer": "l2"},
        (2, 7, 3),
        (2, 7, 5),
        expected_trainable=1,
        trains=False,
        id="Dense-3d-nobias",
    ),
]


class _FreshModule(Mapping):
    """Constructor arguments that build a new torch module at every use: each common check
    makes its own layer, and a module shared between them would carry one check's freezing
    into the next."""

    def __init__(self, **factories):
        self._factories = factories

    def __getitem__(self, key):
        return self._factories[key]()

    def __iter__(self):
        return iter(self._factories)

    def __len__(self):
        return len(self._factories)


SPECS += [
    LayerSpec(layers.Activation, {"activation": "tanh"}, (2, 3, 4), (2, 3, 4)),
    LayerSpec(layers.Dropout, {"rate": 0.5}, (2, 5), (2, 5), random_in_training=True),
    LayerSpec(
        layers.Dropout,
        {"rate": 0.3, "noise_shape": [None, 1, 4], "seed": 7},
        (2, 3, 4),
        (2, 3, 4),
        random_in_training=True,
        id="Dropout-noise_shape-seed",
    ),
    LayerSpec(layers.Flatten, {}, (2, 3, 4), (2, 12)),
    LayerSpec(
        layers.Flatten,
        {"data_format": "channels_first"},
        (2, 3, 4, 5),
        (2, 60),
        id="Flatten-channels_first",
    ),
    LayerSpec(layers.Reshape, {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2)),
    LayerSpec(layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    LayerSpec(layers.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
    LayerSpec(layers.Lambda, {"function": activations.tanh}, (2, 3), (2, 3)),
    LayerSpec(
        layers.Embedding,
        {"input_dim": 10, "output_dim": 4},
        (2, 5),
        (2, 5, 4),
        input_dtype="int32",
        expected_trainable=1,
    ),
    LayerSpec(
        layers.Embedding,
        {"input_dim": 10, "output_dim": 3, "mask_zero": True},
        (2, 6),
        (2, 6, 3),
        input_dtype="int64",
        expected_trainable=1,
        id="Embedding-mask_zero",
    ),
    LayerSpec(layers.Masking, {"mask_value": 0.0}, (2, 3, 4), (2, 3, 4)),
    LayerSpec(layers.Identity, {}, (2, 3), (2, 3)),
    LayerSpec(
        layers.TorchModuleWrapper,
        _FreshModule(module=lambda: torch.nn.Linear(3, 4)),
        (2, 3),
        (2, 4),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.TorchModuleWrapper,
        _FreshModule(
            module=lambda: torch.nn.Sequential(
                torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.LayerNorm(5)
            )
        ),
        (4, 3),
        (4, 5),
        expected_trainable=4,
        expected_non_trainable=0,
        id="TorchModuleWrapper-Sequential",
    ),
    LayerSpec(TensorOp, {"op_name": "subtract"}, [(2, 3), (2, 3)], (2, 3)),
]
