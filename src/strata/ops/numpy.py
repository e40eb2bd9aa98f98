"""Keras 3 ops: numpy (`strata.ops.numpy`), on torch.

The functions live in topic modules and are all re-exported here: element-wise maths and logic
(`numpy_elementwise`), reductions (`numpy_reduce`), statistics (`numpy_stats`), array creation
(`numpy_create`), shapes and joining (`numpy_shape`), indexing, sorting and sets
(`numpy_index`), and products and matrix helpers (`numpy_linalg`).

Example:
    >>> from strata import ops
    >>> ops.add([1, 2], 0.5).tolist()
    [1.5, 2.5]
    >>> str(ops.mean([1, 2, 4]).dtype)
    'torch.float32'
"""

from strata.ops import (
    numpy_create,
    numpy_elementwise,
    numpy_index,
    numpy_linalg,
    numpy_reduce,
    numpy_shape,
    numpy_stats,
)
from strata.ops.numpy_create import *  # noqa: F403
from strata.ops.numpy_elementwise import *  # noqa: F403
from strata.ops.numpy_index import *  # noqa: F403
from strata.ops.numpy_linalg import *  # noqa: F403
from strata.ops.numpy_reduce import *  # noqa: F403
from strata.ops.numpy_shape import *  # noqa: F403
from strata.ops.numpy_stats import *  # noqa: F403

__all__ = sorted(
    set(numpy_create.__all__)
    | set(numpy_elementwise.__all__)
    | set(numpy_index.__all__)
    | set(numpy_linalg.__all__)
    | set(numpy_reduce.__all__)
    | set(numpy_shape.__all__)
    | set(numpy_stats.__all__)
)
