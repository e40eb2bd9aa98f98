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


def match(model, reader: Reader, group, by_name: bool = False):
    """Pair each strata weight with the array Keras 2 stored for it (see `keras3_weights.match`
    for the returned `(found, unexpected)`)."""
    records = model._weight_records()
    index_of = {id(record[2]): i for i, record in enumerate(records)}
    saved = saved_layers(reader, group)
    with_weights = [layer for layer in _top_layers(model) if legacy_order(layer)]
    if by_name:
        by_saved = dict(saved)
        pairs = [(layer, layer.name, by_saved.get(layer.name)) for layer in with_weights]
        taken = {layer.name for layer in with_weights}
        unexpected = [f"{name}/{w}" for name, ws in saved if name not in taken for w, _ in ws]
    else:
        if len(saved) != len(with_weights):
            raise ValueError(
                f"Model '{model.name}' has {len(with_weights)} layers with weights "
                f"{[layer.name for layer in with_weights]}; '{reader.label}' holds weights for "
                f"{len(saved)} layers {[name for name, _ in saved]}. Pass by_name=True to load "
                "the layers whose names match."
            )
        pairs = [(layer, name, ws) for layer, (name, ws) in zip(with_weights, saved)]
        unexpected = []
    found = {}
    for layer, saved_name, arrays in pairs:
        if arrays is None:
            continue
        order = saved_order(layer, [weight_name for weight_name, _ in arrays])
        for tensor, (weight_name, array) in zip(order, arrays):
            found[index_of[id(tensor)]] = (f"{saved_name}/{weight_name}", array)
        unexpected += [f"{saved_name}/{w}" for w, _ in arrays[len(order) :]]
    return found, unexpected


def _top_layers(model):
    layers = getattr(model, "layers", None)
    return list(layers) if layers is not None else [model]


def model_config(reader: Reader):
    """(model_config, training_config) JSON strings of a whole-model file, or (None, None)."""
    return reader.attr(reader.file, "model_config"), reader.attr(reader.file, "training_config")
