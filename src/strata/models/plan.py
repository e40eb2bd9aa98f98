"""The flat execution plan of a functional model.

Made once when the model is made: every tensor of the graph gets a slot number, every layer call
becomes a small closure that reads its input slots, calls `layer.call` and writes its output
slots. Running the model is then a loop over closures: no graph walking, no signature binding,
no shape checks per call (DESIGN.md, "Speed on the hot path").
"""

from __future__ import annotations

import inspect

import torch
from torch.nn.modules import module as _torch_module

from strata.backend import config as backend_config
from strata.backend.conversion import to_torch_dtype
from strata.backend.keras_tensor import KerasTensor, flatten, map_structure, pack_like

# Torch's registries of hooks for every module (register_module_forward_hook, ...): mutated in
# place, never rebound, so these names stay current.
_GLOBAL_FORWARD_HOOKS = _torch_module._global_forward_hooks
_GLOBAL_FORWARD_PRE_HOOKS = _torch_module._global_forward_pre_hooks
_GLOBAL_BACKWARD_HOOKS = _torch_module._global_backward_hooks
_GLOBAL_BACKWARD_PRE_HOOKS = _torch_module._global_backward_pre_hooks


class Plan:
    def __init__(self, nodes, inputs, outputs, logits_layers=()):
        """Args: logits_layers: output layers to run without their final activation (training
        computes crossentropy from their logits)."""
        self._slot_of = {}
        self._logits_layers = set(logits_layers)
        self._output_ids = {id(t) for t in outputs}
        self.input_slots = [self._slot(t) for t in inputs]
        self.steps = []
        self.uses_masks = any(t.has_mask for node in nodes for t in node.output_tensors)
        # With mixed-policy layers the model runs under torch.autocast (the engine enters it);
        # full-precision float layers among them then leave it for their own call.
        self._mixed = any(
            getattr(node.layer, "_autocast_dtype", None) is not None for node in nodes
        )
        # Layers of different float dtypes (a Dense(dtype="bfloat16") among float32 ones): each
        # such layer's float inputs are cast to its dtype, as its eager call does (Keras's
        # rule). Models of one dtype skip the casts.
        cast_dtypes = {getattr(node.layer, "_input_cast_dtype", None) for node in nodes} - {None}
        self._casts = bool(cast_dtypes - {to_torch_dtype(backend_config.floatx())})
        self._layers, self._input_slots_of = [], []
        for node in nodes:
            self.steps.append(self._make_step(node))
            self._layers.append(node.layer)
            self._input_slots_of.append([self._slot(t) for t in node.input_tensors])
        self.output_slots = [self._slot(t) for t in outputs]
        self.num_slots = len(self._slot_of)

    def _slot(self, tensor: KerasTensor) -> int:
        return self._slot_of.setdefault(id(tensor), len(self._slot_of))

    def run(self, flat_inputs, training):
        """The flat outputs for tensors given in the model's input order."""
        values = [None] * self.num_slots
        for slot, value in zip(self.input_slots, flat_inputs):
            values[slot] = value
        masks = [None] * self.num_slots if self.uses_masks else None
        index = 0
        try:
            for index, step in enumerate(self.steps):  # noqa: B007 - read in except
                step(values, masks, training)
        except RuntimeError as error:
            raise self._failure(index, values, error) from error
        return [values[i] for i in self.output_slots]

    def _failure(self, index, values, error):
        """The error of step `index`, naming its layer and the shapes it received."""
        layer = self._layers[index]
        shapes = [
            tuple(values[s].shape) for s in self._input_slots_of[index] if values[s] is not None
        ]
        return RuntimeError(
            f"Layer '{layer.name}' ({type(layer).__name__}) failed on inputs of shape "
            f"{', '.join(str(s) for s in shapes)}: {str(error).strip().splitlines()[0]}"
        )

    def has_tensor(self, tensor) -> bool:
        """Whether a symbolic tensor is one of the plan's (an input, output or in between)."""
        return id(tensor) in self._slot_of

    def _make_step(self, node):
        layer = node.layer
        call = layer.call
        if layer in self._logits_layers and all(
            id(t) in self._output_ids for t in node.output_tensors
        ):
            call = layer.call_without_activation
        out_slots = [self._slot(t) for t in node.output_tensors]
        single_output = len(out_slots) == 1 and isinstance(node.outputs, KerasTensor)
        kwargs = dict(node.call_kwargs)
        takes_training = layer._call_accepts_training
        first = node.call_args[0] if node.call_args else None
        read = self._reader(node)
        write = _writer(out_slots, single_output)
        regularized = layer.activity_regularizer is not None
        mask_in = (
            self.uses_masks
            and layer._call_accepts_mask
            and any(t.has_mask for t in node.input_tensors)
        )
        mask_out = [t.has_mask for t in node.output_tensors]
        first_slots = [self._slot(t) for t in flatten(first) if isinstance(t, KerasTensor)]
        named_masks = self._named_mask_slots(node)

        invoke = _invoker(layer, call)
        if self._casts and getattr(layer, "_input_cast_dtype", None) is not None:
            invoke = _casting(invoke, layer._input_cast_dtype)
        if self._mixed and layer._autocast_dtype is None and "float" in layer._dtype_name:
            invoke = _full_precision(invoke)
        if not (regularized or mask_in or any(mask_out) or named_masks) and read is None:
            # The common case, kept lean: one tensor in, positional, no masks.
            in_slot = first_slots[0]
            if takes_training:

                def step(values, masks, training):
                    write(values, invoke(values[in_slot], training=training, **kwargs))

            else:

                def step(values, masks, training):
                    write(values, invoke(values[in_slot], **kwargs))

            return step

        args_reader = read or (lambda values: ((values[first_slots[0]],), {}))

        def step(values, masks, training):
            args, extra = args_reader(values)
            call_kwargs = {**kwargs, **extra}
            if takes_training:
                call_kwargs["training"] = training
            if mask_in:
                call_kwargs["mask"] = _first_arg_masks(first, masks, self._slot_of)
            if masks is not None:
                for name, slot in named_masks:
                    call_kwargs[name] = masks[slot]
            outputs = invoke(*args, **call_kwargs)
            write(values, outputs)
            if regularized:
                for output in flatten(outputs):
                    layer.add_loss(layer.activity_regularizer(output))
            if masks is not None and any(mask_out):
                incoming = _first_arg_masks(first, masks, self._slot_of)
                out_mask = layer.compute_mask(args[0], incoming)
                for slot, has, m in zip(out_slots, mask_out, _as_list(out_mask, len(out_slots))):
                    if has:
                        masks[slot] = m

        return step

    def _named_mask_slots(self, node):
        """(argument, slot) pairs for Keras's `<argument>_mask` convention.

        A layer whose `call` takes `value_mask` receives the mask of the tensor passed as
        `value` (MultiHeadAttention's query, value and key), unless the call gave one.
        """
        if not self.uses_masks:
            return []
        try:
            signature = inspect.signature(node.layer.call)
            bound = signature.bind_partial(*node.call_args, **node.call_kwargs).arguments
        except (TypeError, ValueError):  # no signature, or arguments it does not bind
            return []
        return [
            (f"{name}_mask", self._slot(value))
            for name, value in bound.items()
            if f"{name}_mask" in signature.parameters
            and bound.get(f"{name}_mask") is None
            and isinstance(value, KerasTensor)
            and value.has_mask
        ]

    def _reader(self, node):
        """None for a single positional KerasTensor; else a function that rebuilds the args."""
        args, kwargs = node.call_args, node.call_kwargs
        tensor_kwargs = any(isinstance(v, KerasTensor) for v in flatten(kwargs))
        if len(args) == 1 and isinstance(args[0], KerasTensor) and not tensor_kwargs:
            return None
        template = (list(args), dict(kwargs))
        leaves = flatten(template)
        slots = [self._slot(t) if isinstance(t, KerasTensor) else None for t in leaves]

        def read(values):
            filled = [values[s] if s is not None else leaf for s, leaf in zip(slots, leaves)]
            call_args, call_kwargs = pack_like(template, filled)
            return tuple(call_args), {
                k: v for k, v in call_kwargs.items() if _has_tensor_leaf(kwargs[k])
            }

        return read


def has_hooks(module) -> bool:
    """Whether calling `module` must go through `nn.Module.__call__` for hooks to fire."""
    return bool(
        module._forward_hooks
        or module._forward_pre_hooks
        or module._backward_hooks
        or module._backward_pre_hooks
        or _GLOBAL_FORWARD_HOOKS
        or _GLOBAL_FORWARD_PRE_HOOKS
        or _GLOBAL_BACKWARD_HOOKS
        or _GLOBAL_BACKWARD_PRE_HOOKS
    )


def _invoker(layer, call):
    """`call`, run through torch's hook machinery only while the layer has hooks.

    Torch's own fast path in `Module._call_impl` does the same test, so a plan without hooks
    pays a few dictionary checks per layer and no `__call__` overhead.
    """
    run_with_hooks = torch.nn.Module.__call__
    fused_logits = call != layer.call

    def invoke(*args, **kwargs):
        if not has_hooks(layer):
            return call(*args, **kwargs)
        outputs = run_with_hooks(layer, *args, **kwargs)
        if fused_logits:
            # An output trained from its logits: hooks saw (and may record) the activated
            # output; the loss still needs the logits.
            outputs = call(*args, **kwargs)
        return outputs

    return invoke


def _casting(call, dtype):
    """`call` with its float tensor inputs cast to `dtype` (the layer's own)."""

    def cast(value):
        if isinstance(value, torch.Tensor) and value.is_floating_point() and value.dtype != dtype:
            return value.to(dtype)
        return value

    def casting(*args, **kwargs):
        return call(*map_structure(cast, args), **kwargs)

    return casting


def _full_precision(call):
    """`call` with autocast off and half-precision float inputs cast back to float32."""

    def full(*args, **kwargs):
        args = map_structure(_to_float32, args)
        device_type = _device_type(args)
        if device_type == "meta":  # shape inference: nothing is computed, no autocast
            return call(*args, **kwargs)
        with torch.autocast(device_type=device_type, enabled=False):
            return call(*args, **kwargs)

    return full


def _to_float32(value):
    if isinstance(value, torch.Tensor) and value.dtype in (torch.float16, torch.bfloat16):
        return value.float()
    return value


def _device_type(args) -> str:
    for value in flatten(args):
        if isinstance(value, torch.Tensor):
            return value.device.type
    return "cpu"


def _writer(out_slots, single_output):
    if single_output:
        slot = out_slots[0]

        def write(values, output):
            values[slot] = output

        return write

    def write_many(values, outputs):
        for slot, value in zip(out_slots, flatten(outputs)):
            values[slot] = value

    return write_many


def _first_arg_masks(first, masks, slot_of):
    return map_structure(
        lambda t: masks[slot_of[id(t)]] if isinstance(t, KerasTensor) else None, first
    )


def _as_list(value, count):
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value] * count


def _has_tensor_leaf(value) -> bool:
    return any(isinstance(v, KerasTensor) for v in flatten(value))
