"""Check data against a model's inputs before any computation, with errors that say why."""

from __future__ import annotations

import numpy as np
import torch

from strata.backend.conversion import convert_to_tensor


def flatten_model_inputs(model, inputs) -> list[torch.Tensor]:
    """Tensors in `model.inputs` order from a tensor, list/tuple or dict; each one checked."""
    arrays = order_like_inputs(model, inputs)
    tensors = []
    for spec, value in zip(model.inputs, arrays):
        tensor = value if isinstance(value, torch.Tensor) else convert_to_tensor(value)
        check_against_spec(spec, tuple(tensor.shape), _input_name(spec))
        if "float" in spec.dtype and str(tensor.dtype)[6:] != spec.dtype:
            # Keras feeds integer and other-precision arrays to float inputs as the input's dtype.
            tensor = tensor.to(getattr(torch, spec.dtype))
        tensors.append(tensor)
    return tensors


def keys_error(expected: str, given: dict, unknown, missing) -> ValueError:
    """The error for a dict whose keys are not the expected names: which are unknown, missing."""
    return ValueError(
        f"{expected}; received keys {sorted(given)}"
        + (f" (unknown: {unknown})" if unknown else "")
        + (f" (missing: {missing})" if missing else "")
        + "."
    )


def order_like_inputs(model, inputs) -> list:
    """Arrays in `model.inputs` order (no conversion), matching dict keys by input name."""
    names = [_input_name(t) for t in model.inputs]
    if isinstance(inputs, dict):
        unknown = sorted(set(inputs) - set(names))
        missing = [n for n in names if n not in inputs]
        if unknown or missing:
            raise keys_error(
                f"Model '{model.name}' expected inputs named {names}", inputs, unknown, missing
            )
        return [inputs[n] for n in names]
    if isinstance(inputs, (list, tuple)):
        if len(inputs) != len(names):
            if len(names) == 1 and _looks_like_one_array(inputs):
                return [inputs]
            raise ValueError(
                f"Model '{model.name}' expected {len(names)} input(s) {names}; "
                f"received a {type(inputs).__name__} of {len(inputs)}."
            )
        return list(inputs)
    if len(names) != 1:
        raise ValueError(
            f"Model '{model.name}' expected {len(names)} inputs {names} (a list or a dict keyed by "
            f"input name); received a single {type(inputs).__name__}."
        )
    return [inputs]


def check_against_spec(spec, shape, name) -> None:
    """Rank and every static dimension (the batch excepted) must match the Input's shape."""
    expected = spec.shape
    if len(shape) != len(expected):
        raise ValueError(
            f"Input '{name}' expected shape {expected} (rank {len(expected)}); "
            f"received shape {shape} (rank {len(shape)})."
        )
    for axis, (want, got) in enumerate(zip(expected, shape)):
        if want is not None and want != got:
            raise ValueError(
                f"Input '{name}' expected shape {expected}; received shape {shape} "
                f"(axis {axis} should be {want}, is {got})."
            )


def _input_name(spec) -> str:
    return spec.node.layer.name if spec._keras_history is not None else str(spec.name)


def _looks_like_one_array(value) -> bool:
    return bool(value) and all(np.isscalar(v) or isinstance(v, (list, tuple)) for v in value)
