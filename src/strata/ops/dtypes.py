"""Keras's dtype promotion for ops: `result_type`, `standardize_dtype`, `is_float_dtype`,
`is_int_dtype` (defined in `strata.backend.dtypes`, which sits below the ops, and re-exported
here for the ops' use)."""

from strata.backend.conversion import standardize_dtype
from strata.backend.dtypes import is_float_dtype, is_int_dtype, result_type

__all__ = ["is_float_dtype", "is_int_dtype", "result_type", "standardize_dtype"]
