"""Keras 2's HDF5 layout (tf.keras `model.save("m.h5")` / `save_weights("w.h5")`, and Keras 3's
legacy `.h5` writer).

The file (or its `model_weights` group, for a whole model) lists the top-level layers in the
`layer_names` attribute; each layer's group lists its weights in `weight_names`, in the legacy
order `layer.trainable_weights + layer.non_trainable_weights` (for a nested model: every
sublayer's trainable weights, then every non-trainable one). Weights are matched layer by layer:
by position among the layers that have weights (Keras's default), or by layer name.
"""

from __future__ import annotations

from strata.saving.keras_files.h5 import Reader


def weights_group(reader: Reader):
    """The group holding `layer_names`: `model_weights` for a whole model, else the root."""
    children = reader.children(reader.file)
    group = children.get("model_weights")
    if group is not None and reader.is_group(group):
        return group
    if reader.string_list(reader.file, "layer_names"):
        return reader.file
    return None


def saved_layers(reader: Reader, group) -> list[tuple[str, list[tuple[str, object]]]]:
    """[(layer name, [(weight name, array), ...])] for the saved layers that have weights."""
    found = []
    children = reader.children(group)
    for name in reader.string_list(group, "layer_names"):
        layer_group = children.get(name)
        if layer_group is None or not reader.is_group(layer_group):
            raise reader.refuse(f"layer_names lists '{name}', which has no group")
        weight_names = reader.string_list(layer_group, "weight_names")
        if weight_names:
            arrays = [(w, reader.array(_dataset(reader, layer_group, w))) for w in weight_names]
            found.append((name, arrays))
    return found


def _dataset(reader, group, path):
    """The dataset at `path` (`dense/kernel:0`) under `group`, following hard links only."""
    node = group
    for part in path.split("/"):
        children = reader.children(node) if reader.is_group(node) else {}
        if part not in children:
            raise reader.refuse(f"weight '{path}' listed in '{group.name}' is missing")
        node = children[part]
    if reader.is_group(node):
        raise reader.refuse(f"weight '{path}' in '{group.name}' is a group, not a dataset")
    return node


def legacy_order(layer) -> list:
    """The layer's weights in Keras 2's saved order (trainable first)."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def saved_order(layer, weight_names) -> list:
    """The layer's weights in the order the file lists them.

    Keras 2's order depends on which layers were frozen when the file was written: every
    weight created trainable first when nothing was frozen, `layer.weights` order when the
    layer was. The order whose weight names agree with the file's wins; the one this
    model's freeze state gives is used when names do not decide.
    """
    records = {id(r[2]): r[1] for r in layer._weight_records()}
    weights = list(layer.weights)
    created_trainable = _created_trainable(layer)
    candidates = [
        legacy_order(layer),
        [w for w in weights if id(w) in created_trainable]
        + [w for w in weights if id(w) not in created_trainable],
        weights,
    ]
    wanted = [name.split("/")[-1].split(":")[0] for name in weight_names]
    for order in candidates:
        if [records.get(id(w)) for w in order] == wanted:
            return order
    return candidates[0]


def _created_trainable(layer) -> set:
    """ids of the weights created trainable, whatever the layers' `trainable` now says."""
    from strata.layers.layer import Layer

    found = set()
    for module in layer.modules():
        if isinstance(module, Layer):
            found |= {
                id(getattr(module, n)) for n, trainable, _ in module._own_weights if trainable
            }
            found |= {id(p) for m in module._foreign_modules() for p in m.parameters()}
    return found


def match(model, reader: Reader, group, strict: bool = True):
    """Pair each strata weight with the array Keras 2 stored for it, the way Keras 2 does: the
    k-th layer with weights takes the file's k-th (see `keras3_weights.match` for the returned
    `(found, unexpected)`).

    With `strict` (a whole-model load) the numbers of layers must agree; without it the first
    layers pair and the file's extra ones are returned as unexpected.
    """
    records = model._weight_records()
    index_of = {id(record[2]): i for i, record in enumerate(records)}
    saved = saved_layers(reader, group)
    with_weights = [layer for layer in top_layers(model) if legacy_order(layer)]
    if strict and len(saved) != len(with_weights):
        raise ValueError(
            f"Model '{model.name}' has {len(with_weights)} layers with weights "
            f"{[layer.name for layer in with_weights]}; '{reader.label}' holds weights for "
            f"{len(saved)} layers {[name for name, _ in saved]}. Pass by_name=True to load "
            "the layers whose names match."
        )
    unexpected = [weight_label(name, w) for name, ws in saved[len(with_weights) :] for w, _ in ws]
    found = {}
    for layer, (saved_name, arrays) in zip(with_weights, saved):
        indices = [index_of[id(tensor)] for tensor in saved_order(layer, [w for w, _ in arrays])]
        for index, (weight_name, array) in zip(indices, arrays):
            found[index] = (weight_label(saved_name, weight_name), array)
        unexpected += [weight_label(saved_name, w) for w, _ in arrays[len(indices) :]]
    return found, unexpected


def weight_label(layer_name: str, weight_name: str) -> str:
    """`<layer>/<weight>` for a weight the file lists under a layer: tf.keras's `out/kernel:0`
    and Keras 3's `model/out/kernel` both give `out/kernel`; `inner/gamma:0` under the nested
    model `block` gives `block/inner/gamma`."""
    parts = weight_name.split(":")[0].split("/")
    if layer_name in parts[:-1]:
        parts = parts[parts.index(layer_name) + 1 :]
    return "/".join([layer_name, *parts])


def top_layers(model) -> list:
    """The model's top-level layers (the model itself for a lone layer)."""
    layers = getattr(model, "layers", None)
    return list(layers) if layers is not None else [model]


def model_config(reader: Reader):
    """(model_config, training_config) JSON strings of a whole-model file, or (None, None)."""
    return reader.attr(reader.file, "model_config"), reader.attr(reader.file, "training_config")
