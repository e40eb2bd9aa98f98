"""`Variable`: Keras's variable API on a `torch.nn.Parameter`.

Every weight a layer creates, and every metric's state, is a `Variable`. It *is* the torch
tensor (a `Parameter` subclass), so `torch.optim`, `state_dict`, DDP and hooks see an ordinary
parameter, while Keras code finds `.value`, `.assign`, `.numpy()`, `.path` and `.trainable`.

Deliberate difference from Keras: `variable.dtype` is the `torch.dtype` (torch's own code reads
it), not a string; `strata.backend.standardize_dtype(variable.dtype)` gives Keras's name.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch

from strata.backend import naming
from strata.backend.conversion import convert_to_numpy, standardize_dtype, to_torch_dtype
from strata.backend.name_scope import join_path

# Turns an initializer identifier ("zeros", an Initializer) into a callable; set by
# strata.initializers on import so that the backend imports nothing above it.
_initializer_getter = None


def register_initializer_getter(getter) -> None:
    global _initializer_getter
    _initializer_getter = getter


class Variable(torch.nn.Parameter):
    """A weight with Keras's variable API that is also a `torch.nn.Parameter`.

    Args:
        initializer: the initial value (an array, tensor or number), or an initializer (a
            name such as `"zeros"` or a callable `(shape, dtype) -> tensor`), which then
            needs `shape`.
        shape: the shape, required when `initializer` is an initializer.
        dtype: the dtype (default: the value's float dtype, else `strata.backend.floatx()`).
        trainable: whether training updates it (`requires_grad`); only float variables can
            be trainable.
        autocast: accepted for Keras compatibility.
        aggregation: accepted for Keras compatibility (`"none"`, `"mean"`, `"sum"`, ...).
        synchronization: accepted for Keras compatibility.
        name: the variable's name (default `"variable"`, made unique); `path` is the name under
            the open `name_scope`s.

    Example:
        >>> import strata
        >>> v = strata.Variable(initializer=[1.0, 2.0], name="v")
        >>> v.assign_add([1.0, 1.0]).numpy().tolist(), v.path, v.trainable
        ([2.0, 3.0], 'v', True)
    """

    # Operations on a variable give plain tensors (as on any Parameter); no per-op overhead.
    __torch_function__ = torch._C._disabled_torch_function_impl

    def __new__(
        cls,
        initializer=None,
        shape=None,
        dtype=None,
        trainable=True,
        autocast=True,
        aggregation="none",
        synchronization="auto",
        name=None,
        **kwargs,
    ):
        kwargs.pop("layout", None)
        if kwargs:
            raise TypeError(
                f"Variable got unexpected keyword argument(s) {sorted(kwargs)}; expected "
                "initializer, shape, dtype, trainable, autocast, aggregation, synchronization, "
                "name."
            )
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Variable name expected a string without '/'; received {name!r}.")
        value = _initial_value(initializer, shape, dtype)
        name = name or naming.unique_name("variable")
        return cls.wrap(
            value,
            trainable=trainable,
            name=name,
            path=join_path(name),
            autocast=autocast,
            aggregation=aggregation,
            synchronization=synchronization,
        )

    def __init__(self, *args, **kwargs):
        pass  # everything happens in __new__ (a tensor's data is fixed at creation)

    @classmethod
    def wrap(cls, tensor, trainable=True, name=None, path=None, **attributes):
        """A `Variable` sharing `tensor`'s storage (no copy), with the given metadata."""
        tensor = tensor.detach()
        if trainable and not (tensor.is_floating_point() or tensor.is_complex()):
            raise ValueError(
                f"A trainable Variable expected a float dtype; received "
                f"{standardize_dtype(tensor.dtype)}. Pass trainable=False for integer state."
            )
        variable = torch.Tensor._make_subclass(cls, tensor, bool(trainable))
        variable._name = name or "variable"
        variable._path = path or variable._name
        variable._trainable_flag = bool(trainable)
        variable.autocast = attributes.pop("autocast", True)
        variable.aggregation = attributes.pop("aggregation", "none")
        variable.synchronization = attributes.pop("synchronization", "auto")
        variable.regularizer = attributes.pop("regularizer", None)
        variable.constraint = attributes.pop("constraint", None)
        return variable

    # ---------------------------------------------------------------------------- metadata
    @property
    def name(self) -> str:
        """The variable's own name (`"kernel"`)."""
        return self.__dict__.get("_name", "variable")

    @property
    def path(self) -> str:
        """The name under the scopes it was made in (`"dense/kernel"`)."""
        return self.__dict__.get("_path", self.name)

    @property
    def value(self) -> Variable:
        """The tensor itself (Keras's torch backend returns the parameter: `v.value.grad`)."""
        return self

    @property
    def trainable(self) -> bool:
        """Whether training updates it; False while its layer is frozen, as in Keras."""
        return self.__dict__.get("_trainable_flag", True) and self.requires_grad

    @trainable.setter
    def trainable(self, value) -> None:
        value = bool(value)
        if value and not (self.is_floating_point() or self.is_complex()):
            raise ValueError(
                f"Variable '{self.path}' of dtype {standardize_dtype(self.dtype)} cannot be "
                "trainable: only float variables can."
            )
        self._trainable_flag = value
        self.requires_grad_(value)

    @property
    def ndim(self) -> int:
        return self.dim()

    # ----------------------------------------------------------------------------- updates
    def assign(self, value):
        """Set the value in place (same shape); returns the variable."""
        value = self._operand(value, "assign")
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value):
        """Add `value` in place; returns the variable."""
        value = self._operand(value, "assign_add")
        with torch.no_grad():
            self.add_(value)
        return self

    def assign_sub(self, value):
        """Subtract `value` in place; returns the variable."""
        value = self._operand(value, "assign_sub")
        with torch.no_grad():
            self.sub_(value)
        return self

    def _operand(self, value, what):
        if isinstance(value, torch.Tensor):
            if value.device != self.device or value.dtype != self.dtype:
                value = value.to(device=self.device, dtype=self.dtype)
        else:
            value = torch.as_tensor(np.asarray(value), dtype=self.dtype, device=self.device)
        if what == "assign" and tuple(value.shape) != tuple(self.shape):
            raise ValueError(
                f"Variable '{self.path}'.assign expected a value of shape {tuple(self.shape)}; "
                f"received shape {tuple(value.shape)}."
            )
        return value

    def numpy(self, *args, **kwargs) -> np.ndarray:
        """The value as a NumPy array (a copy; works for CUDA and trainable variables)."""
        return np.array(convert_to_numpy(self), copy=True)

    # ------------------------------------------------------------------------ copy, pickle
    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        clone = type(self).wrap(
            self.detach().clone(memory_format=torch.preserve_format), trainable=False
        )
        clone.__dict__.update(
            {k: v for k, v in self.__dict__.items() if not isinstance(v, torch.Tensor)}
        )
        clone.requires_grad_(self.requires_grad)
        memo[id(self)] = clone
        return clone

    def __reduce_ex__(self, protocol):
        # Pickled as a torch Parameter with plain metadata, which `torch.load(weights_only=True)`
        # accepts; layers and metrics turn it back into a Variable when they are unpickled.
        state = {k: v for k, v in self.__dict__.items() if isinstance(v, _PLAIN)}
        return (
            torch._utils._rebuild_parameter_with_state,
            (self.detach(), self.requires_grad, OrderedDict(), state),
        )

    def __repr__(self) -> str:
        values = np.array2string(self.numpy(), threshold=20, separator=" ")
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, "
            f"dtype={standardize_dtype(self.dtype)}, value={values}>"
        )


_PLAIN = (str, bool, int, float, type(None))


def restore(value):
    """A Variable again from what unpickling a Variable gives (a Parameter with metadata)."""
    if isinstance(value, Variable) or not isinstance(value, torch.Tensor):
        return value
    if "_path" not in value.__dict__:
        return value
    variable = Variable.wrap(value.detach(), trainable=False)
    variable.__dict__.update({k: v for k, v in value.__dict__.items() if isinstance(v, _PLAIN)})
    variable.requires_grad_(value.requires_grad)
    return variable


def _initial_value(initializer, shape, dtype) -> torch.Tensor:
    from strata.backend.config import device, floatx

    if initializer is None:
        raise ValueError("Variable expected an initializer (a value or an initializer name).")
    is_value = isinstance(initializer, (torch.Tensor, np.ndarray, np.generic, list, tuple))
    is_value = is_value or isinstance(initializer, (int, float, bool))
    if is_value:
        tensor = (
            initializer
            if isinstance(initializer, torch.Tensor)
            else torch.as_tensor(np.asarray(initializer))
        )
        if dtype is not None:
            tensor = tensor.to(to_torch_dtype(dtype))
        elif tensor.dtype == torch.float64 and not isinstance(
            initializer, (torch.Tensor, np.ndarray, np.generic)
        ):
            tensor = tensor.to(to_torch_dtype(floatx()))  # Python floats: floatx, as in Keras
        if shape is not None and tuple(tensor.shape) != tuple(shape):
            raise ValueError(
                f"Variable expected an initial value of shape {tuple(shape)}; received "
                f"{tuple(tensor.shape)}."
            )
        return tensor.detach().clone().to(device())
    if shape is None:
        raise ValueError(
            f"Variable with initializer {initializer!r} expected a shape; received shape=None."
        )
    init = _initializer_getter(initializer) if _initializer_getter is not None else initializer
    if not callable(init):
        raise ValueError(
            f"Variable expected an initial value or an initializer; received {initializer!r}."
        )
    dtype = standardize_dtype(dtype) or floatx()
    value = init(tuple(int(d) for d in shape), dtype=dtype)
    return torch.as_tensor(value).to(device=device(), dtype=to_torch_dtype(dtype))


def is_variable(value) -> bool:
    return isinstance(value, Variable)
