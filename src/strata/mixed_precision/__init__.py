"""Mixed precision (Keras's `keras.mixed_precision`).

`set_global_policy("mixed_float16")` or `"mixed_bfloat16"` before building a model: its layers
keep float32 weights and compute under `torch.autocast` in the half type; a layer given
`dtype="float32"` (a final softmax, say) computes in full precision. `compile` wraps the
optimizer in a `LossScaleOptimizer` under `mixed_float16`, whose small range needs it.
"""

from strata.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from strata.optimizers import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = [
    "DTypePolicy",
    "LossScaleOptimizer",
    "Policy",
    "dtype_policy",
    "global_policy",
    "set_dtype_policy",
    "set_global_policy",
]
