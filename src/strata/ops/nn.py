"""Keras 3 ops: nn (`keras.ops.nn`): activations, convolution and pooling, normalization,
encodings, crossentropies, CTC and attention.

The ops live in four private modules by theme (activations, convolution, normalization,
losses); this module is the public namespace.
"""

from strata.ops import _nn_activations, _nn_conv, _nn_losses, _nn_norm
from strata.ops._nn_activations import *  # noqa: F401,F403
from strata.ops._nn_conv import *  # noqa: F401,F403
from strata.ops._nn_losses import *  # noqa: F401,F403
from strata.ops._nn_norm import *  # noqa: F401,F403

__all__ = sorted(_nn_activations.__all__ + _nn_conv.__all__ + _nn_losses.__all__ + _nn_norm.__all__)
