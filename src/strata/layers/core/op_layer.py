"""OpLayer: the graph node behind a `strata.ops` function called on symbolic tensors."""

from __future__ import annotations

import numpy as np
import torch

from strata.backend.keras_tensor import KerasTensor, any_symbolic
from strata.layers.layer import Layer
from strata.saving.registry import register_keras_serializable

# The namespaces an op name may come from: `"numpy.add"` resolves to `strata.ops.numpy.add`.
_NAMESPACES = ("numpy", "core", "nn", "math", "linalg", "image", "einops")


def resolve_op(op_name: str):
    """The op function named `op_name` (`"<namespace>.<name>"`), refusing anything else."""
    import strata.ops

    namespace, _, name = op_name.partition(".")
    module = getattr(strata.ops, namespace, None) if namespace in _NAMESPACES else None
    op = getattr(module, name, None) if module is not None and name else None
    if op is None or not hasattr(op, "eager"):
        raise ValueError(
            f"OpLayer expected op_name '<namespace>.<op>' naming a strata.ops function, with "
            f"namespace in {_NAMESPACES}; received {op_name!r}."
        )
    return op


@register_keras_serializable(package="strata", name="OpLayer")
class OpLayer(Layer):
    """Applies one `strata.ops` function (internal; ops create it on symbolic tensors).

    `ops.add(x, y)`, `ops.mean(x, axis=1)` or `ops.concatenate([a, b])` on KerasTensors make an
    OpLayer whose inputs are the symbolic tensors among the arguments and whose config keeps the
    op's name and every other argument, so the graph saves and loads like any layer.

    Args:
        op_name: `"<namespace>.<name>"`, e.g. `"numpy.add"`.
        arguments: the op's arguments as JSON: `{"args": [...], "kwargs": {...}}` where
            `{"__tensor__": i}` stands for the layer's i-th input (see `encode_arguments`).

    Example:
        >>> import strata
        >>> from strata import ops
        >>> x = strata.Input(shape=(3,))
        >>> ops.mean(x, axis=1).shape
        (None,)
    """

    def __init__(self, op_name, arguments, **kwargs):
        super().__init__(**kwargs)
        self._op = resolve_op(op_name)
        self.op_name = op_name
        self.arguments = arguments
        self._functions = []  # Python functions among the arguments (not serializable)
        self._constants = {}  # (id of an encoded array, device) -> its tensor

    @classmethod
    def for_call(cls, op_name, args, kwargs):
        """An OpLayer for `op(*args, **kwargs)` and the list of its symbolic inputs."""
        tensors, functions = [], []
        template = {
            "args": encode_arguments(list(args), tensors, functions),
            "kwargs": {k: encode_arguments(v, tensors, functions) for k, v in kwargs.items()},
        }
        layer = cls(op_name, template, name=_layer_name(op_name))
        layer._functions = functions
        return layer, tensors

    def build(self, input_shape):
        self.built = True

    def call(self, inputs):
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        args, kwargs = self._arguments_for(tensors)
        return self._op.eager(*args, **kwargs)

    def _arguments_for(self, tensors):
        """The op's positional and keyword arguments, with `tensors` as the symbolic ones."""
        device = tensors[0].device if isinstance(tensors[0], torch.Tensor) else None

        def constant(encoded):
            # Array arguments become tensors once per device, not at every call.
            if device is None:
                return _array(encoded)
            key = (id(encoded), device)
            if key not in self._constants:
                self._constants[key] = torch.from_numpy(_array(encoded)).to(device)
            return self._constants[key]

        args = decode_arguments(self.arguments["args"], tensors, self._functions, constant)
        kwargs = {
            k: decode_arguments(v, tensors, self._functions, constant)
            for k, v in self.arguments["kwargs"].items()
        }
        return args, kwargs

    def compute_output_spec(self, *args, **kwargs):
        special = _DATA_DEPENDENT.get(self.op_name)
        if special is not None:
            tensors = list(args[0]) if isinstance(args[0], (list, tuple)) else [args[0]]
            call_args, call_kwargs = self._arguments_for(tensors)
            spec = special(*call_args, **call_kwargs)
            if spec is not None:
                return spec
        return super().compute_output_spec(*args, **kwargs)

    def get_build_config(self):
        return None  # weightless: nothing to rebuild

    def get_config(self):
        if self._functions:
            raise ValueError(
                f"OpLayer '{self.name}' ({self.op_name}) was given a Python function; a model "
                "with it cannot be serialized. Expected tensors and JSON values as arguments."
            )
        return {**super().get_config(), "op_name": self.op_name, "arguments": self.arguments}


def _layer_name(op_name):
    from strata.backend.naming import unique_name

    return unique_name(op_name.partition(".")[2])


# ------------------------------------------------- ops whose output sizes depend on the data
# The meta-device run cannot size these outputs; their symbolic outputs have None there.
def _nonzero_spec(x):
    return KerasTensor((len(x.shape), None), "int32")


def _where_spec(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return KerasTensor((len(condition.shape), None), "int64")
    return None  # the usual inference


def _unique_spec(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,  # noqa: A002
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    length = size
    values = KerasTensor((length,) if axis is None else _with(x.shape, axis, length), x.dtype)
    outputs = [values]
    if return_index:
        outputs.append(KerasTensor((length,), "int64"))
    if return_inverse:
        outputs.append(KerasTensor(x.shape if axis is None else (x.shape[axis],), "int64"))
    if return_counts:
        outputs.append(KerasTensor((length,), "int64"))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _with(shape, axis, value):
    shape = list(shape)
    shape[axis] = value
    return tuple(shape)


def _bincount_spec(x, weights=None, minlength=0, sparse=False):
    dtype = (
        "int32"
        if weights is None
        else weights.dtype
        if isinstance(weights, KerasTensor)
        else "float32"
    )
    return KerasTensor(tuple(x.shape[:-1]) + (None,), dtype)


def _histogram_spec(x, bins=10, range=None):  # noqa: A002 - Keras's name
    dtype = x.dtype if "float" in x.dtype else "float32"
    return KerasTensor((bins,), dtype), KerasTensor((bins + 1,), dtype)


_DATA_DEPENDENT = {
    "numpy.nonzero": _nonzero_spec,
    "numpy.where": _where_spec,
    "numpy.unique": _unique_spec,
    "numpy.bincount": _bincount_spec,
    "numpy.histogram": _histogram_spec,
}


# --------------------------------------------------------------------- arguments as JSON
def encode_arguments(value, tensors, functions):
    """`value` as JSON: symbolic tensors become `{"__tensor__": i}` (appended to `tensors`)."""
    if isinstance(value, KerasTensor):
        tensors.append(value)
        return {"__tensor__": len(tensors) - 1}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode_arguments(v, tensors, functions) for v in value]}
    if isinstance(value, list):
        return [encode_arguments(v, tensors, functions) for v in value]
    if isinstance(value, dict):
        return {
            "__dict__": {str(k): encode_arguments(v, tensors, functions) for k, v in value.items()}
        }
    if isinstance(value, (np.ndarray, torch.Tensor)):
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value
        return {"__array__": array.tolist(), "dtype": str(array.dtype)}
    if isinstance(value, slice):
        return {
            "__slice__": [
                encode_arguments(v, tensors, functions)
                for v in (value.start, value.stop, value.step)
            ]
        }
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, (torch.dtype, np.dtype)) or value in (float, int, bool):
        from strata.backend.conversion import standardize_dtype

        return standardize_dtype(value)
    if callable(value):
        functions.append(value)
        return {"__function__": len(functions) - 1}
    raise ValueError(
        f"A strata op on symbolic tensors expected tensors, arrays, numbers, strings, "
        f"sequences or dicts as arguments; received {type(value).__name__}."
    )


def decode_arguments(value, tensors, functions=(), constant=None):
    """The inverse of `encode_arguments`, with `tensors` in place of the symbolic ones.

    `constant(encoded)` gives the value of an encoded array (default: a new NumPy array).
    """

    def decode(item):
        if isinstance(item, list):
            return [decode(v) for v in item]
        if not isinstance(item, dict):
            return item
        if "__tensor__" in item:
            return tensors[item["__tensor__"]]
        if "__tuple__" in item:
            return tuple(decode(v) for v in item["__tuple__"])
        if "__dict__" in item:
            return {k: decode(v) for k, v in item["__dict__"].items()}
        if "__array__" in item:
            return constant(item) if constant is not None else _array(item)
        if "__slice__" in item:
            return slice(*(decode(v) for v in item["__slice__"]))
        if "__ellipsis__" in item:
            return Ellipsis
        if "__function__" in item:
            return functions[item["__function__"]]
        return {k: decode(v) for k, v in item.items()}

    return decode(value)


def _array(encoded):
    return np.asarray(encoded["__array__"], dtype=encoded["dtype"])


def symbolic_op_call(op_name, args, kwargs):
    """Record `op(*args, **kwargs)` with symbolic arguments as a node; its symbolic outputs."""
    layer, tensors = OpLayer.for_call(op_name, args, kwargs)
    if not any_symbolic(tensors):  # pragma: no cover - the caller checked
        raise ValueError(f"{op_name} expected a symbolic tensor among its arguments.")
    return layer(tensors[0] if len(tensors) == 1 else tensors)
