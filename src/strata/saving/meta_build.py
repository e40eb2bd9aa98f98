"""Build a model from an untrusted config without allocating its weights.

A file's config declares every layer's size (`Dense(units=25_000_000)`); the file's weights are
real bytes of known sizes. Loading builds the architecture on torch's `meta` device (shapes,
no memory), compares every declared weight with the file's tensor at the same place, and only
then allocates: a loaded model never needs more memory than the weights its file holds.
"""

from __future__ import annotations

import math

import torch

from strata.backend import config as backend_config
from strata.layers.layer import _keras_shape


def on_meta_device():
    """Layers built inside create their weights on the meta device (no memory, no values)."""
    return backend_config.device_scope("meta")


def check_declared_sizes(model, saved, filepath) -> None:
    """Refuse a model whose declared weights do not match the file's, before any allocation.

    Args:
        model: the model built on the meta device.
        saved: `[(entry, array)]` of the file's weights, in saved order.
        filepath: the file, for messages.
    """
    records = model._weight_records()
    if len(records) != len(saved):
        declared = sum(math.prod(_keras_shape(t, layout)) for _, _, t, layout in records)
        raise ValueError(
            f"'{filepath}': config.json declares {len(records)} weights ({declared:,} numbers); "
            f"the file holds {len(saved)} weight tensors "
            f"({sum(int(a.size) for _, a in saved):,} numbers). Nothing was allocated."
        )
    for (owner, name, tensor, layout), (_, array) in zip(records, saved):
        declared = tuple(_keras_shape(tensor, layout))
        if declared != tuple(array.shape):
            raise ValueError(
                f"'{filepath}': layer '{owner.name}' ({type(owner).__name__}) declares weight "
                f"'{name}' of shape {declared} ({math.prod(declared):,} numbers); the file holds "
                f"shape {tuple(array.shape)} ({int(array.size):,} numbers) for it. Nothing was "
                "allocated."
            )


def materialize(model, device) -> None:
    """Give the meta-built model real storage on `device` (values come from the file next).

    Buffers the file does not hold (a stateful RNN's states) start at zero.
    """
    model.to_empty(device=device)
    saved_ids = {id(t) for _, _, t, _ in model._weight_records()}
    with torch.no_grad():
        for buffer in model.buffers():
            if id(buffer) not in saved_ids:
                buffer.zero_()
