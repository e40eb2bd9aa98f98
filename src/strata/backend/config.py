"""Global settings: the compute device, the default float dtype, epsilon, the image layout."""

import contextlib

import torch

_state = {
    "device": None,
    "floatx": "float32",
    "epsilon": 1e-7,
    "image_data_format": "channels_last",
    "dtype_policy": None,  # None: layers take floatx
}
_FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64")


def device() -> torch.device:
    """The device every model runs on: CUDA when present, else the CPU.

    The choice is made once, here, and can be overridden with `set_device` (or the
    `STRATA_DEVICE` environment variable, read at the first call).
    """
    if _state["device"] is None:
        import os

        requested = os.environ.get("STRATA_DEVICE")
        if requested:
            _state["device"] = torch.device(requested)
        else:
            _state["device"] = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return _state["device"]


def set_device(value) -> None:
    """Choose the device for models built from now on (`"cpu"`, `"cuda"`, `"cuda:1"`)."""
    _state["device"] = torch.device(value)


def tensor_device() -> torch.device:
    """Where ops create new tensors (`ops.arange`, `random.normal`): `device()`, except during
    shape inference, whose runs are on torch's meta device."""
    return _state.get("tensor_device") or _state["device"]


@contextlib.contextmanager
def tensor_device_scope(value):
    """New op tensors go to `value` inside (weights still go to `device()`)."""
    previous = _state.get("tensor_device")
    _state["tensor_device"] = torch.device(value)
    try:
        yield
    finally:
        _state["tensor_device"] = previous


@contextlib.contextmanager
def device_scope(value):
    """Models and tensors made inside are made on `value` (torch's default device too)."""
    previous = _state["device"]
    _state["device"] = torch.device(value)
    try:
        with torch.device(value):
            yield
    finally:
        _state["device"] = previous


def floatx() -> str:
    """The default float dtype name for weights and inputs (`"float32"`)."""
    return _state["floatx"]


def set_floatx(value: str) -> None:
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(
            "floatx expected one of 'float16', 'bfloat16', 'float32', 'float64'; "
            f"received {value!r}."
        )
    _state["floatx"] = value


_MIXED_NAMES = ("mixed_float16", "mixed_bfloat16")


def default_layer_dtype() -> str:
    """The dtype policy name layers get when none is given (set, else `floatx()`)."""
    return _state["dtype_policy"] or _state["floatx"]


def set_default_layer_dtype(name) -> None:
    """Set (a float or mixed policy name) or clear (None) the policy new layers get."""
    if name is not None and name not in _FLOAT_NAMES + _MIXED_NAMES:
        raise ValueError(
            f"Expected a layer dtype policy among {_FLOAT_NAMES + _MIXED_NAMES}; received {name!r}."
        )
    _state["dtype_policy"] = name


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (Keras's default, 1e-7)."""
    return _state["epsilon"]


def set_epsilon(value: float) -> None:
    _state["epsilon"] = float(value)


def image_data_format() -> str:
    return _state["image_data_format"]


def set_image_data_format(value: str) -> None:
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"image_data_format expected 'channels_last' or 'channels_first'; received {value!r}."
        )
    _state["image_data_format"] = value


def clear_session(free_memory=True) -> None:
    """Forget automatic layer names, so the next `Dense` is called `dense` again.

    Args:
        free_memory: also release cached CUDA memory (`torch.cuda.empty_cache()`).
    """
    import gc

    from strata.backend import naming

    naming.reset_names()
    if free_memory:
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
