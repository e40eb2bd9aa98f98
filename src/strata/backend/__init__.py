"""Device and dtype choice, seeding and conversions: the one place that decides them."""

from strata.backend.config import (
    clear_session,
    device,
    epsilon,
    floatx,
    image_data_format,
    set_device,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from strata.backend.conversion import (
    convert_to_numpy,
    convert_to_tensor,
    standardize_dtype,
    to_torch_dtype,
)
from strata.backend.dtypes import is_float_dtype, is_int_dtype, result_type
from strata.backend.keras_tensor import KerasTensor
from strata.backend.name_scope import name_scope
from strata.backend.naming import get_uid
from strata.backend.seeding import set_random_seed
from strata.backend.variables import Variable


def is_keras_tensor(x) -> bool:
    """Whether `x` is a symbolic tensor (what `strata.Input` and layers on it give)."""
    return isinstance(x, KerasTensor)


def backend() -> str:
    """The backend's name: always `"torch"`."""
    return "torch"


__all__ = [
    "KerasTensor",
    "Variable",
    "backend",
    "clear_session",
    "convert_to_numpy",
    "convert_to_tensor",
    "device",
    "epsilon",
    "floatx",
    "get_uid",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "result_type",
    "is_keras_tensor",
    "name_scope",
    "set_device",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_random_seed",
    "standardize_dtype",
    "to_torch_dtype",
]
