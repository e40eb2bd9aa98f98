"""The weights member of strata files: safetensors in Keras's layouts, in `model.weights` order.

Each weight is stored under `layers/<layer path>/vars/<index>` (`layers/outer/layers/dense/vars/0`
for a layer inside a nested model). The safetensors header metadata lists the keys in
`model.weights` order with the owning layer's name and the weight's attribute name, so weights
load by position (or by top-level layer name) and errors can name them.
"""

from __future__ import annotations

import json

import numpy as np
import torch

from strata.layers.layer import _from_keras, _keras_shape
from strata.saving import archive, weight_matching
from strata.saving.archive import FORMAT_NAME, WEIGHTS
from strata.saving.load_report import LoadReport


def _weight_keys(model) -> list[tuple[str, str, str]]:
    """(key, owning layer's name, attribute name) per weight, in `model.weights` order."""
    paths = {}

    def walk(layer, prefix):
        paths.setdefault(id(layer), prefix)
        for sub in layer._sublayers():
            walk(sub, f"{prefix}layers/{sub.name}/")

    walk(model, "")
    counts, used, keys = {}, set(), []
    for owner, name, _, _ in model._weight_records():
        prefix = paths.get(id(owner), f"layers/{owner.name}/")
        index = counts.get(prefix, 0)
        counts[prefix] = index + 1
        key = f"{prefix}vars/{index}"
        while key in used:  # two sublayers sharing a name: keep keys unique
            key += "_"
        used.add(key)
        keys.append((key, owner.name, name))
    return keys


def weights_bytes(model) -> bytes:
    """The model's weights as safetensors bytes (Keras layouts, ordered key list in metadata)."""
    from safetensors.torch import save

    keys = _weight_keys(model)
    # reshape: np.ascontiguousarray turns a scalar weight (shape ()) into shape (1,).
    tensors = {
        key: torch.from_numpy(np.ascontiguousarray(array).reshape(array.shape))
        for (key, _, _), array in zip(keys, model.get_weights(), strict=True)
    }
    entries = [{"key": k, "layer": layer, "name": name} for k, layer, name in keys]
    return save(tensors, metadata={"format": FORMAT_NAME, "weights": json.dumps(entries)})


def read_weights(data: bytes, filepath) -> list[tuple[dict, np.ndarray]]:
    """[(entry, array)] in saved order; entry holds key, layer and attribute name."""
    from safetensors.torch import load

    try:
        tensors = load(data)
    except Exception as error:  # safetensors raises its own error type
        raise ValueError(f"'{filepath}': {WEIGHTS} is not valid safetensors ({error}).") from None
    header = _safetensors_metadata(data, filepath)
    listing = header.get("weights", "null")
    entries = archive.parse_json(str(listing).encode("utf-8"), WEIGHTS, filepath)
    if (
        not isinstance(entries, list)
        or any(not isinstance(e, dict) or e.get("key") not in tensors for e in entries)
        or len(entries) != len(tensors)
    ):
        raise ValueError(
            f"'{filepath}': {WEIGHTS} expected an ordered list of its weights in its metadata; "
            "it is missing or does not match the stored tensors."
        )
    return [(entry, _to_numpy(tensors[entry["key"]])) for entry in entries]


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    # NumPy has no bfloat16: such weights travel as float32 and are cast back on assignment.
    return (tensor.float() if tensor.dtype == torch.bfloat16 else tensor).numpy()


def _safetensors_metadata(data: bytes, filepath) -> dict:
    size = int.from_bytes(data[:8], "little") if len(data) >= 8 else -1
    if size < 0 or 8 + size > len(data):
        raise ValueError(f"'{filepath}': {WEIGHTS} has a truncated header.")
    header = archive.parse_json(data[8 : 8 + size], WEIGHTS, filepath)
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def assign(
    model, saved, filepath, skip_mismatch=False, by_name=None, layers=None, rename=None
) -> LoadReport:
    """Set `model`'s weights from `read_weights`'s output (or any list in its format).

    Args:
        model: the model to load into.
        saved: [(entry, array)] in saved order; entry holds key, layer and attribute name.
        filepath: the file, for messages.
        skip_mismatch, by_name, layers, rename: as in `strata.saving.load_weights`.

    Returns:
        The LoadReport.

    Raises:
        ValueError: counts or shapes differ (naming the layer, weight and both shapes), or
            nothing at all matches (naming the closest names).
    """
    keys = _weight_keys(model)
    records = model._weight_records()
    entries = [{"key": k, "layer": layer, "name": name} for k, layer, name in keys]
    assignments, report = weight_matching.match(
        entries,
        [_keras_shape(tensor, layout) for _, _, tensor, layout in records],
        saved,
        filepath,
        model.name,
        by_name=by_name,
        layers=layers,
        rename=rename,
        skip_mismatch=skip_mismatch,
    )
    # Only the loaded weights are written: the others keep their values and their version
    # counters, so caches keyed on them (frozen-layer features) stay valid.
    with torch.no_grad():
        for index, array in assignments:
            _, _, tensor, layout = records[index]
            source = torch.from_numpy(np.array(array, order="C", copy=True))
            tensor.copy_(_from_keras(source.to(tensor.dtype), layout))
    return report
