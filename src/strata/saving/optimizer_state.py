"""The optimizer's `state_dict()` as safetensors plus JSON, and back, without pickle.

Tensors are stored under keys `optimizer/<n>` and referenced from the JSON as
`{"__tensor__": key}`; dicts become `{"__dict__": [[key, value], ...]}` (so integer keys, as in
torch's per-parameter state, survive) and tuples `{"__tuple__": [...]}`.
"""

from __future__ import annotations

import numpy as np
import torch


def encode_state(value, tensors):
    """JSON for a state dict; tensors go to `tensors` and are referenced by key."""
    if isinstance(value, torch.Tensor):
        key = f"optimizer/{len(tensors)}"
        tensors[key] = value.detach().cpu().contiguous().clone()
        return {"__tensor__": key}
    if isinstance(value, dict):
        return {"__dict__": [[_json_key(k), encode_state(v, tensors)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode_state(v, tensors) for v in value]}
    if isinstance(value, list):
        return [encode_state(v, tensors) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    raise ValueError(
        f"Optimizer state expected tensors, containers and JSON values; received "
        f"{type(value).__name__}."
    )


def _json_key(key):
    if key is None or isinstance(key, (bool, int, float, str)):
        return key
    raise ValueError(f"Optimizer state keys must be JSON scalars; received {key!r}.")


def decode_state(value, tensors):
    if isinstance(value, list):
        return [decode_state(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"__tensor__"}:
        if value["__tensor__"] not in tensors:
            raise ValueError(f"optimizer.json refers to a missing tensor {value['__tensor__']!r}.")
        return tensors[value["__tensor__"]]
    if set(value) == {"__dict__"}:
        return {k: decode_state(v, tensors) for k, v in value["__dict__"]}
    if set(value) == {"__tuple__"}:
        return tuple(decode_state(v, tensors) for v in value["__tuple__"])
    raise ValueError(f"optimizer.json holds an unexpected entry with keys {sorted(value)}.")
