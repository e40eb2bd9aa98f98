"""`strata.ops`: Keras 3's ops namespace on torch (`ops.add`, `ops.softmax`, `ops.shape`, ...).

Every op runs eagerly on tensors, arrays and numbers, and records a graph node when given a
symbolic tensor. The submodules mirror Keras's (`ops.numpy`, `ops.nn`, `ops.math`,
`ops.linalg`, `ops.image`, `ops.core`); their public names are re-exported here, except
`ops.image`'s (as in Keras, `ops.image.resize` has no `ops.resize`).
`conv_utils` holds helpers that layers share.
"""

import sys as _sys

from strata.backend.keras_tensor import register_symbolic_ops as _register_symbolic_ops
from strata.ops import core, image, linalg, math, nn, numpy  # noqa: F401
from strata.ops.core import *  # noqa: F401,F403
from strata.ops.einops import rearrange  # noqa: F401
from strata.ops.linalg import *  # noqa: F401,F403
from strata.ops.math import *  # noqa: F401,F403
from strata.ops.nn import *  # noqa: F401,F403
from strata.ops.numpy import *  # noqa: F401,F403

# Operators on symbolic tensors (-x, x ** 2, x[:, 0], x > 0) run these ops.
_register_symbolic_ops(_sys.modules[__name__])
