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
from strata.backend.seeding import set_random_seed

__all__ = [
    "clear_session",
    "convert_to_numpy",
    "convert_to_tensor",
    "device",
    "epsilon",
    "floatx",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "result_type",
    "set_device",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_random_seed",
    "standardize_dtype",
    "to_torch_dtype",
]
