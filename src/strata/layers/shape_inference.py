"""Output shapes without hand-written shape code.

A layer's `call` runs on tensors of torch's `meta` device (no memory, no arithmetic), once with
every `None` dimension set to one size and once to another; dimensions that differ between the two
runs are `None` in the result. Errors raised by `call` come back naming the layer and the shapes
it received.
"""

from __future__ import annotations

import torch
from torch.func import functional_call

from strata.backend.config import tensor_device_scope
from strata.backend.conversion import standardize_dtype, to_torch_dtype
from strata.backend.keras_tensor import KerasTensor, flatten, map_structure, pack_like
from strata.backend.loss_scope import LossScope

# Sizes that stand in for unknown dimensions: the batch gets small ones, other dimensions sizes
# large enough for deep convolution stacks (InceptionV3 needs 75 pixels) and of different parity.
_BATCH_SIZES = (2, 3)
_FREE_SIZES = (96, 131)


def _concrete(spec: KerasTensor, trial: int) -> torch.Tensor:
    shape = [
        (_BATCH_SIZES if axis == 0 else _FREE_SIZES)[trial] if dim is None else dim
        for axis, dim in enumerate(spec.shape)
    ]
    return torch.empty(shape, dtype=to_torch_dtype(spec.dtype), device="meta")


def _meta_state(layer) -> dict:
    state = {name: t.to("meta") for name, t in layer.named_parameters(remove_duplicate=False)}
    state.update({name: t.to("meta") for name, t in layer.named_buffers(remove_duplicate=False)})
    return state


def _run_once(layer, args, kwargs, trial, state):
    def concrete(value):
        return _concrete(value, trial) if isinstance(value, KerasTensor) else value

    masks = map_structure(
        lambda v: (
            torch.ones(_concrete(v, trial).shape, dtype=torch.bool, device="meta")
            if isinstance(v, KerasTensor) and v.has_mask
            else None
        ),
        args[0],
    )
    call_args = map_structure(concrete, list(args))
    call_kwargs = map_structure(concrete, dict(kwargs))
    if layer._call_accepts_mask and any(m is not None for m in flatten(masks)):
        call_kwargs.setdefault("mask", masks)
    if layer._call_accepts_training:
        call_kwargs["training"] = False
    with torch.no_grad():
        outputs = functional_call(layer, state, tuple(call_args), call_kwargs, strict=False)
        output_masks = layer.compute_mask(call_args[0], masks if layer.supports_masking else None)
    return outputs, output_masks


_META_RUNS = [0]  # how many meta runs are in progress (they nest for layers of layers)


def in_meta_run() -> bool:
    """Whether a shape-inference run on the meta device is in progress."""
    return _META_RUNS[0] > 0


def call_on_meta_state(layer, args, kwargs):
    """Call `layer` with meta copies of its weights: for a sublayer built (with real weights)
    during a meta run, whose call must still run on the meta device."""
    return functional_call(layer, _meta_state(layer), tuple(args), kwargs, strict=False)


def infer_output_spec(layer, args, kwargs):
    """KerasTensors describing what `layer.call(*args, **kwargs)` returns for symbolic inputs."""
    # Losses that `call` adds in the meta runs are meta tensors: a scope of their own drops them.
    # Tensors that ops create (ops.arange) are made on the meta device too. The weights are
    # read per run: sublayers first called in the first run have built theirs by the second.
    _META_RUNS[0] += 1
    try:
        with LossScope(), tensor_device_scope("meta"):
            results = [
                _run_once(layer, args, kwargs, trial, _meta_state(layer)) for trial in (0, 1)
            ]
    finally:
        _META_RUNS[0] -= 1
    (first, first_masks), (second, _) = results
    first_leaves, second_leaves = flatten(first), flatten(second)
    mask_leaves = flatten(first_masks) if first_masks is not None else [None] * len(first_leaves)
    if len(mask_leaves) != len(first_leaves):
        mask_leaves = mask_leaves[:1] * len(first_leaves)
    specs = []
    for a, b, mask in zip(first_leaves, second_leaves, mask_leaves):
        shape = tuple(da if da == db else None for da, db in zip(a.shape, b.shape))
        specs.append(KerasTensor(shape, standardize_dtype(a.dtype), has_mask=mask is not None))
    return pack_like(first, specs)


def describe_shapes(args) -> str:
    shapes = [t.shape for t in flatten(list(args)) if isinstance(t, KerasTensor)]
    return ", ".join(str(s) for s in shapes)
