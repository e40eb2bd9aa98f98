"""The Layer base: a `torch.nn.Module` with Keras's build / call / get_config contract."""

from __future__ import annotations

import inspect

import numpy as np
import torch

from strata.backend import config as backend_config
from strata.backend import naming
from strata.backend.conversion import (
    convert_to_numpy,
    convert_to_tensor,
    standardize_dtype,
    to_torch_dtype,
)
from strata.backend.keras_tensor import KerasTensor, any_symbolic, flatten, map_structure
from strata.backend.loss_scope import LossScope, current_scope
from strata.backend.name_scope import join_path, name_scope
from strata.backend.variables import Variable
from strata.layers import shape_inference
from strata.layers.shape_inference import _META_RUNS

_BASE_KWARGS = {
    "activity_regularizer",
    "trainable",
    "dtype",
    "autocast",
    "name",
    "input_shape",
    "input_dim",
    "batch_input_shape",
    "batch_size",
    "input_length",
}


# Bumped whenever any layer's `trainable` is set: a running fit compares it once per step (one
# integer comparison) to pick up layers frozen or unfrozen mid-run without recompiling.
_TRAINABLE_VERSION = [0]


def trainable_version() -> int:
    """A counter that changes every time some layer's `trainable` attribute is set."""
    return _TRAINABLE_VERSION[0]


class Layer(torch.nn.Module):
    """Base class of every strata layer; a `torch.nn.Module`.

    Subclasses validate and store arguments in `__init__`, create weights in `build(input_shape)`
    with `add_weight`, compute in `call(inputs, training=None, mask=None)` and return their
    constructor arguments from `get_config()`.

    Calling a layer on symbolic tensors (from `strata.Input`) adds it to a graph; calling it on
    torch tensors or NumPy arrays runs it. `training=None` means "the module's mode": layers start
    in inference mode (`module.training` is False) as Keras layers do, `fit` passes
    `training=True`, and PyTorch users may call `model.train()`.

    Args:
        trainable: whether the weights are updated by training.
        name: the layer's name; unique automatic names (`dense`, `dense_1`, ...) otherwise.
        dtype: the dtype of the weights (default `strata.backend.floatx()`).
        activity_regularizer: a penalty on the layer's output, added to the model's loss.
        input_shape: on the first layer of a `Sequential`, the shape of one sample.

    Example:
        >>> import strata
        >>> class Scale(strata.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...     def call(self, x):
        ...         return x * self.w
        >>> import torch
        >>> Scale()(torch.ones(2, 3)).shape
        torch.Size([2, 3])
    """

    def __init__(self, **kwargs):
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {sorted(unknown)}; "
                f"expected the layer's own arguments or one of {sorted(_BASE_KWARGS)}."
            )
        super().__init__()
        name = kwargs.get("name")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Layer name expected a string; received {name!r}.")
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._trainable = bool(kwargs.get("trainable", True))
        self._set_dtype_policy(kwargs.get("dtype"))
        self.autocast = bool(kwargs.get("autocast", True))
        # Float inputs of another precision are cast to this dtype on eager calls (Keras's rule).
        self._input_cast_dtype = (
            to_torch_dtype(self._dtype_name)
            if self.autocast and "float" in self._dtype_name
            else None
        )
        self.input_spec = None
        self.built = False
        self.supports_masking = False
        self._inbound_nodes = []
        self._own_weights = []  # (attribute name, created trainable, keras layout permutation)
        self._weight_extras = {}  # attribute name -> (regularizer, constraint)
        self._activity_losses = []
        self._batch_input_shape = _batch_input_shape_from(kwargs)
        from strata import regularizers

        self.activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))
        signature = inspect.signature(self.call).parameters
        self._call_accepts_training = "training" in signature
        self._call_accepts_mask = "mask" in signature
        self.train(False)

    # ----------------------------------------------------------------------------------- build
    def build(self, input_shape):
        """Create the layer's weights for inputs of `input_shape` (None for unknown sizes)."""
        self.built = True

    def add_weight(
        self,
        shape=(),
        initializer=None,
        dtype=None,
        trainable=True,
        regularizer=None,
        constraint=None,
        name=None,
        keras_layout=None,
    ):
        """Create a weight, register it on the module and return it.

        Args:
            shape: Keras's shape of the weight (the shape `get_weights()` shows).
            initializer: name or callable `(shape, dtype) -> tensor`; default glorot_uniform for
                floats of rank >= 2, zeros otherwise.
            trainable: False makes a buffer (state such as BatchNormalization's moving mean).
            regularizer: penalty added to the model's loss.
            constraint: projection applied after each optimizer step.
            keras_layout: permutation that turns the stored tensor into Keras's layout, for
                layers that store weights the way torch's kernels want them (Conv2D stores
                `(out, in, kh, kw)`, Keras shows `(kh, kw, in, out)`), or a `WeightLayout`
                for conversions a permutation cannot express (GRU's gate order). None: stored
                as shown.
        """
        from strata import constraints, initializers, regularizers

        shape = tuple(int(d) for d in shape)
        # Keras's name for the variable; the module attribute may be renamed (see __setattr__).
        variable_name = name or naming.unique_name("variable")
        name = name or f"weight_{len(self._own_weights)}"
        if self.__dict__.get(name, 0) is None:
            del self.__dict__[name]  # a placeholder such as `self.bias = None` set before build
        if name in self._parameters or name in self._buffers or hasattr(self, name):
            raise ValueError(f"Layer '{self.name}' already has an attribute named '{name}'.")
        if initializer is None:
            initializer = "glorot_uniform" if len(shape) >= 2 else "zeros"
        init = initializers.get(initializer)
        keras_value = init(shape, dtype=dtype or self._dtype_name)
        value = _from_keras(keras_value, keras_layout)
        value = value.to(backend_config.device())
        regularizer = regularizers.get(regularizer)
        constraint = constraints.get(constraint)
        with name_scope(self.name, caller=self):
            path = join_path(variable_name)
        tensor = Variable.wrap(
            value,
            trainable=bool(trainable),
            name=variable_name,
            path=path,
            regularizer=regularizer,
            constraint=constraint,
        )
        if trainable:
            tensor.requires_grad_(self._trainable)
            self.register_parameter(name, tensor)
        else:
            # Non-trainable state stays a buffer (BatchNormalization's moving statistics).
            self.register_buffer(name, tensor)
        layout = (
            keras_layout if isinstance(keras_layout, WeightLayout) else tuple(keras_layout or ())
        )
        self._own_weights.append((name, bool(trainable), layout))
        if regularizer is not None or constraint is not None:
            self._weight_extras[name] = (regularizer, constraint)
        # `self.w = self.add_weight(...)` then moves the registration to `w` (see __setattr__).
        self.__dict__.setdefault("_unassigned_weights", {})[id(tensor)] = name
        return tensor

    def __setattr__(self, name, value):
        pending = self.__dict__.get("_unassigned_weights")
        if pending and isinstance(value, torch.Tensor) and id(value) in pending:
            registered = pending.pop(id(value))
            if registered != name:
                self._rename_weight(registered, name)
                return
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers and isinstance(value, Variable):
            buffers[name] = value  # torch would move a Parameter subclass to the parameters
            return
        modules = self.__dict__.get("_modules")
        if modules and name in modules and not isinstance(value, torch.nn.Module):
            # A sublayer named like an attribute ("outputs", "name", "optimizer"), as Keras
            # allows: the attribute is kept beside the registered layer instead of refused.
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)

    def _apply(self, fn, recurse=True):
        # `model.to(...)`, `.double()`: torch replaces buffers (and, in some modes, parameters)
        # by plain tensors; they become Variables again with the same metadata.
        before = {**self._parameters, **self._buffers}
        result = super()._apply(fn, recurse)
        for table in (self._parameters, self._buffers):
            for key, new in table.items():
                old = before.get(key)
                if isinstance(old, Variable) and new is not None and not isinstance(new, Variable):
                    table[key] = _rewrapped(new, old)
        return result

    def __setstate__(self, state):
        super().__setstate__(state)
        from strata.backend.variables import restore

        for table in (self._parameters, self._buffers):
            for key, value in table.items():
                table[key] = restore(value)

    def _set_dtype_policy(self, dtype) -> None:
        from strata import dtype_policies

        policy = dtype_policies.get(
            dtype
            if dtype is None or isinstance(dtype, (str, dtype_policies.DTypePolicy))
            else standardize_dtype(dtype)
        )
        self._dtype_policy = policy
        self._dtype_name = policy.variable_dtype
        # A mixed policy computes under torch.autocast in its half type (strata.mixed_precision).
        self._autocast_dtype = to_torch_dtype(policy.compute_dtype) if policy.is_mixed else None
        if policy.is_mixed:
            global _MIXED_IN_USE
            _MIXED_IN_USE = True

    @property
    def dtype_policy(self):
        """The layer's `DTypePolicy` (weights in `variable_dtype`, maths in `compute_dtype`)."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        self._set_dtype_policy(value)

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    def _rename_weight(self, old: str, new: str) -> None:
        """Register weight `old` under `new` instead, in the same place of every record."""
        if new in self._parameters or new in self._buffers or new in self._modules:
            raise ValueError(f"Layer '{self.name}' already has a weight or sublayer named '{new}'.")
        for table_name in ("_parameters", "_buffers"):
            table = self.__dict__[table_name]
            if old in table:
                # Rebuilt, not popped and re-added, so state_dict keeps the creation order.
                renamed = {(new if key == old else key): value for key, value in table.items()}
                table.clear()
                table.update(renamed)
        self._own_weights = [
            (new if n == old else n, trainable, layout)
            for n, trainable, layout in self._own_weights
        ]
        if old in self._weight_extras:
            self._weight_extras[new] = self._weight_extras.pop(old)

    # -------------------------------------------------------------------------------- weights
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze (False) or unfreeze this layer's weights and every sublayer's."""
        self._trainable = bool(value)
        _TRAINABLE_VERSION[0] += 1
        for name, created_trainable, _ in self._own_weights:
            if created_trainable:
                getattr(self, name).requires_grad_(self._trainable)
        for layer in self._sublayers():
            layer.trainable = value
        for module in self._foreign_modules():
            module.requires_grad_(self._trainable)

    def _sublayers(self) -> list[Layer]:
        """Direct sublayers in the order they were attached (nested models included)."""
        return [m for m in self.children() if isinstance(m, Layer)]

    def _foreign_modules(self) -> list[torch.nn.Module]:
        """Plain torch modules held directly by this layer (not strata layers)."""
        return [m for m in self.children() if not isinstance(m, Layer)]

    def _own(self, trainable: bool) -> list[torch.Tensor]:
        return [getattr(self, n) for n, t, _ in self._own_weights if t == trainable]

    def _foreign_params(self) -> list[torch.Tensor]:
        return [p for m in self._foreign_modules() for p in m.parameters()]

    def _foreign_buffers(self) -> list[torch.Tensor]:
        return [b for m in self._foreign_modules() for b in m.buffers()]

    @property
    def weights(self) -> list[torch.Tensor]:
        """Every weight: own trainable, own non-trainable, then the sublayers', as in Keras."""
        found = self._own(True) + self._own(False) + self._foreign_params()
        found += self._foreign_buffers()
        for layer in self._sublayers():
            found += layer.weights
        return _unique(found)

    @property
    def trainable_weights(self) -> list[torch.Tensor]:
        if not self._trainable:
            return []
        found = self._own(True) + self._foreign_params()
        for layer in self._sublayers():
            found += layer.trainable_weights
        return _unique(found)

    @property
    def non_trainable_weights(self) -> list[torch.Tensor]:
        if not self._trainable:
            return self.weights
        found = self._own(False) + self._foreign_buffers()
        for layer in self._sublayers():
            found += layer.non_trainable_weights
        return _unique(found)

    @property
    def variables(self) -> list[torch.Tensor]:
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def _weight_records(self):
        """(layer, attribute name, tensor, keras layout) for every weight, in `weights` order."""
        records = [(self, n, getattr(self, n), p) for n, t, p in self._own_weights if t]
        records += [(self, n, getattr(self, n), p) for n, t, p in self._own_weights if not t]
        for module in self._foreign_modules():
            records += [(self, n, p, ()) for n, p in module.named_parameters()]
            records += [(self, n, b, ()) for n, b in module.named_buffers()]
        for layer in self._sublayers():
            records += layer._weight_records()
        seen, unique = set(), []
        for record in records:
            if id(record[2]) not in seen:
                seen.add(id(record[2]))
                unique.append(record)
        return unique

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays in Keras's layouts and order."""
        # Copies, so the arrays do not change when training later updates the weights.
        return [
            np.array(convert_to_numpy(_to_keras(tensor, layout)), copy=True)
            for _, _, tensor, layout in self._weight_records()
        ]

    def set_weights(self, weights) -> None:
        """Load weights given in Keras's layouts and order (as `get_weights` returns them)."""
        records = self._weight_records()
        weights = list(weights)
        if len(weights) != len(records):
            raise ValueError(
                f"Layer '{self.name}' expected {len(records)} weight arrays "
                f"{[tuple(_keras_shape(t, p)) for _, _, t, p in records]}; "
                f"received {len(weights)}."
            )
        for index, ((owner, name, tensor, layout), value) in enumerate(zip(records, weights)):
            expected = _keras_shape(tensor, layout)
            array = np.asarray(convert_to_numpy(value))
            if tuple(array.shape) != expected:
                raise ValueError(
                    f"Layer '{owner.name}' weight {index} ('{name}') expected shape {expected}; "
                    f"received {tuple(array.shape)}."
                )
            source = torch.from_numpy(array.copy(order="C")).to(tensor.dtype)
            with torch.no_grad():
                tensor.copy_(_from_keras(source, layout))

    def count_params(self) -> int:
        """The number of scalars in all weights (trainable and not)."""
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' has no weights yet: call it on an input (or build it) first."
            )
        return int(sum(t.numel() for t in self.weights))

    @property
    def losses(self) -> list[torch.Tensor]:
        """Regularization penalties of this layer and its sublayers, computed now."""
        found = list(self._activity_losses)
        layouts = {n: p for n, _, p in self._own_weights}
        for name, (regularizer, _) in self._weight_extras.items():
            if regularizer is not None:
                # Penalties see Keras's layout (OrthogonalRegularizer cares about rows/columns).
                found.append(regularizer(_to_keras(getattr(self, name), layouts[name])))
        for layer in self._sublayers():
            found += layer.losses
        return found

    def add_loss(self, loss) -> None:
        """Add a loss computed in `call`; training adds it to the compiled loss for this step.

        Inside `fit`/`evaluate` (and any call of a model) the loss goes to the forward pass's
        `LossScope`, so it counts once and is not kept afterwards; a layer called on its own
        keeps it in `layer.losses` until its next call.
        """
        scope = current_scope()
        if scope is not None:
            scope.losses.append(loss)
        else:
            self._activity_losses.append(loss)

    # ---------------------------------------------------------------------------------- calling
    def call(self, inputs, *args, **kwargs):
        return inputs

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def compute_mask(self, inputs, mask=None):
        """The mask of the output: the incoming one when the layer supports masking."""
        return mask if self.supports_masking else None

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise ValueError(f"Layer '{self.name}' expected inputs; received none.")
            args = (kwargs.pop("inputs"),)
        if any_symbolic(args) or any_symbolic(kwargs):
            return self._symbolic_call(args, kwargs)
        if _META_RUNS[0] and not _weights_on_meta(self):
            # A sublayer called in a symbolic call's meta run (shape inference) but built with
            # real weights, now or on an earlier call: this call runs on meta copies of them.
            return shape_inference.call_on_meta_state(self, args, kwargs)
        if _MIXED_IN_USE:
            switched = _autocast_switch(self)
            if switched is not None:
                with switched:
                    return self.__call__(*args, **kwargs)
        cast = self._input_cast_dtype
        inputs = map_structure(lambda value: _to_tensor(value, cast), args[0])
        if self.input_spec is not None:
            from strata.layers.input_spec import assert_input_compatibility

            assert_input_compatibility(self.input_spec, inputs, self.name)
        if not self.built:
            # The first call builds inside the layer's name scope, so weights made by
            # sublayers on this call get paths under it ("model/dense/kernel"), as in Keras.
            with name_scope(self.name, caller=self):
                self._build_for(map_structure(lambda t: tuple(t.shape), inputs))
                if _META_RUNS[0] and not _weights_on_meta(self):  # just built in a meta run
                    return shape_inference.call_on_meta_state(self, (inputs, *args[1:]), kwargs)
                return self._eager_call(inputs, args, kwargs)
        return self._eager_call(inputs, args, kwargs)

    def _eager_call(self, inputs, args, kwargs):
        if self._call_accepts_training and kwargs.get("training") is None:
            kwargs["training"] = self.training
        elif not self._call_accepts_training:
            kwargs.pop("training", None)
        if not self._call_accepts_mask:
            kwargs.pop("mask", None)
        if current_scope() is not None:  # inside a model's forward pass: its scope collects
            outputs = super().__call__(inputs, *args[1:], **kwargs)
            self._add_activity_losses(outputs)
            return outputs
        with LossScope() as scope:  # the outermost call: `self.losses` shows this call's losses
            outputs = super().__call__(inputs, *args[1:], **kwargs)
            self._add_activity_losses(outputs)
        self._forget_sublayer_losses()
        self._activity_losses = scope.losses
        return outputs

    def _add_activity_losses(self, outputs) -> None:
        if self.activity_regularizer is not None:
            for output in flatten(outputs):
                self.add_loss(self.activity_regularizer(output))

    def _forget_sublayer_losses(self) -> None:
        """Drop losses that sublayers kept from calls of their own (this call's are in ours)."""
        if self._modules:
            for module in self.modules():
                if isinstance(module, Layer) and module is not self and module._activity_losses:
                    module._activity_losses = []

    def _build_for(self, input_shape) -> None:
        try:
            with name_scope(self.name, caller=self):
                self.build(input_shape)
        except (ValueError, TypeError, RuntimeError) as error:
            raise type(error)(
                f"Layer '{self.name}' ({type(self).__name__}) could not be built for input "
                f"shape {input_shape}: {error}"
            ) from error
        self.built = True
        self._built_input_shape = input_shape

    def _symbolic_call(self, args, kwargs):
        from strata.layers.node import Node
        from strata.layers.shape_inference import describe_shapes

        kwargs = {k: v for k, v in kwargs.items() if k not in ("training", "mask")}
        if self.input_spec is not None:
            from strata.layers.input_spec import assert_input_compatibility

            assert_input_compatibility(self.input_spec, args[0], self.name)
        if not self.built:
            self._build_for(map_structure(_spec_shape, args[0]))
        try:
            outputs = self.compute_output_spec(*args, **kwargs)
        except Exception as error:  # re-raised with the layer and every shape it received
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) cannot be applied to inputs of "
                f"shape {describe_shapes(args)}: {_first_line(error)}"
            ) from error
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """Symbolic outputs; uses `compute_output_shape` when defined, else a meta-device run."""
        from strata.layers.shape_inference import infer_output_spec

        own_shape_fn = type(self).compute_output_shape is not Layer.compute_output_shape
        first = args[0]
        if own_shape_fn and isinstance(first, KerasTensor) and len(args) == 1 and not kwargs:
            shape = self.compute_output_shape(first.shape)
            dtype, has_mask = self._output_dtype(first), self._makes_mask(first)
            if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
                return [KerasTensor(s, dtype, has_mask=has_mask) for s in shape]
            return KerasTensor(shape, dtype, has_mask=has_mask)
        return infer_output_spec(self, args, kwargs)

    def _makes_mask(self, first: KerasTensor) -> bool:
        """Whether the output carries a mask, asked of `compute_mask` on meta tensors."""
        if type(self).compute_mask is Layer.compute_mask:
            return first.has_mask and self.supports_masking
        from strata.layers.shape_inference import _concrete

        example = _concrete(first, 0)
        mask = torch.ones(example.shape[:-1] or example.shape, dtype=torch.bool, device="meta")
        with torch.no_grad():
            out_mask = self.compute_mask(example, mask if first.has_mask else None)
        return out_mask is not None

    def _output_dtype(self, first: KerasTensor) -> str:
        return self._dtype_name if "float" in first.dtype or "int" in first.dtype else first.dtype

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    # ---------------------------------------------------------------------------- graph access
    @property
    def input(self):
        return self._node_attribute("input_tensors", "input")

    @property
    def output(self):
        return self._node_attribute("output_tensors", "output")

    @property
    def input_shape(self):
        return map_structure(_spec_shape, self.input)

    @property
    def output_shape(self):
        return map_structure(_spec_shape, self.output)

    def _node_attribute(self, attribute: str, what: str):
        """The first call's tensors, as Keras 3 answers (use get_output_at for later calls)."""
        if not self._inbound_nodes:
            # ValueError, not AttributeError: torch's __getattr__ would hide the message.
            raise ValueError(
                f"Layer '{self.name}' has no {what}: it has not been called on a symbolic tensor."
            )
        return self._unpack(getattr(self._inbound_nodes[0], attribute))

    @staticmethod
    def _unpack(tensors):
        return tensors[0] if len(tensors) == 1 else list(tensors)

    def get_input_at(self, node_index: int):
        return self._unpack(self._inbound_nodes[node_index].input_tensors)

    def get_output_at(self, node_index: int):
        return self._unpack(self._inbound_nodes[node_index].output_tensors)

    # ----------------------------------------------------------------------------------- config
    @property
    def dtype(self) -> str:
        return self._dtype_name

    def get_config(self) -> dict:
        """The constructor arguments (JSON values); subclasses add their own."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_policy.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            from strata import regularizers

            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_build_config(self) -> dict | None:
        """What `build` was called with, so a loaded layer can be built before weights load."""
        if not self.built or not hasattr(self, "_built_input_shape"):
            return None
        return {"input_shape": _jsonable_shape(self._built_input_shape)}

    def build_from_config(self, build_config: dict) -> None:
        if build_config and not self.built:
            self._build_for(_shape_from_json(build_config["input_shape"]))

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


def _batch_input_shape_from(kwargs):
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])
    if kwargs.get("input_shape") is not None:
        return (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
    if kwargs.get("input_dim") is not None:
        return (kwargs.get("batch_size"), int(kwargs["input_dim"]))
    return None


def _to_tensor(value, cast=None):
    # Arrays become tensors; Python numbers stay numbers (operands such as `2 * x`). Float
    # tensors of another precision are cast to the layer's dtype (`cast`), as Keras does.
    if isinstance(value, (np.ndarray, np.generic)):
        value = convert_to_tensor(value)
    if cast is not None and isinstance(value, torch.Tensor):
        if value.dtype != cast and value.is_floating_point():
            return value.to(cast)
    return value


def _rewrapped(tensor, old):
    """`tensor` (what torch made of Variable `old`) as a Variable with `old`'s metadata."""
    new = Variable.wrap(tensor, trainable=False)
    new.__dict__.update({k: v for k, v in old.__dict__.items() if not isinstance(v, torch.Tensor)})
    new.requires_grad_(old.requires_grad and tensor.is_floating_point())
    return new


def _spec_shape(value):
    return tuple(value.shape) if isinstance(value, (KerasTensor, torch.Tensor)) else value


class WeightLayout:
    """A conversion between a stored weight and Keras's layout that is not a permutation.

    Subclasses define `to_keras(tensor)` and `from_keras(tensor)` (pure functions, inverse of
    each other); `get_weights`, `set_weights` and saved files go through them.
    """

    def to_keras(self, tensor: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def from_keras(self, tensor: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def _to_keras(tensor, layout):
    if isinstance(layout, WeightLayout):
        return layout.to_keras(tensor)
    return tensor.permute(layout) if layout else tensor


def _from_keras(value, layout):
    if isinstance(layout, WeightLayout):
        return layout.from_keras(value).contiguous()
    return value.permute(_inverse(layout)).contiguous() if layout else value


def _keras_shape(tensor, layout):
    if isinstance(layout, WeightLayout):
        return tuple(layout.to_keras(tensor.detach().to("meta")).shape)
    shape = tuple(tensor.shape)
    return tuple(shape[i] for i in layout) if layout else shape


def _inverse(permutation):
    inverse = [0] * len(permutation)
    for position, axis in enumerate(permutation):
        inverse[axis] = position
    return inverse


def _unique(tensors):
    seen, unique = set(), []
    for tensor in tensors:
        if id(tensor) not in seen:
            seen.add(id(tensor))
            unique.append(tensor)
    return unique


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _jsonable_shape(shape):
    if shape is None or isinstance(shape, (int, float)):
        return shape
    if isinstance(shape, dict):
        return {k: _jsonable_shape(v) for k, v in shape.items()}
    if isinstance(shape, list) or (isinstance(shape, tuple) and shape and not _is_dim(shape[0])):
        return [_jsonable_shape(s) for s in shape]
    return list(shape)


def _is_dim(value):
    return value is None or isinstance(value, int)


def _shape_from_json(shape):
    if isinstance(shape, dict):
        return {k: _shape_from_json(v) for k, v in shape.items()}
    if shape and isinstance(shape[0], list):
        return [_shape_from_json(s) for s in shape]
    return tuple(shape)


def _weights_on_meta(layer) -> bool:
    return all(t.is_meta for t in layer.parameters()) and all(t.is_meta for t in layer.buffers())


# Set once a layer with a mixed dtype policy exists: until then eager calls skip the autocast
# checks entirely.
_MIXED_IN_USE = False


def _autocast_switch(layer):
    """The autocast context a layer's eager call must enter, or None when it runs as is.

    A mixed-policy layer called outside autocast enters it in its half type; a full-precision
    float layer called inside autocast (a final softmax given dtype="float32") leaves it.
    """
    device_type = backend_config.device().type
    if device_type == "meta":  # shape inference and loading: no autocast, nothing computed
        return None
    active = torch.is_autocast_enabled(device_type)
    if layer._autocast_dtype is not None and not active:
        return torch.autocast(device_type=device_type, dtype=layer._autocast_dtype)
    if active and layer._autocast_dtype is None and "float" in layer._dtype_name:
        return torch.autocast(device_type=device_type, enabled=False)
    return None
