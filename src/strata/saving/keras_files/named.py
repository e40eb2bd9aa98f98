"""A Keras file's weights keyed by the file's own layer names, for loads by name.

`load_weights(..., layers=..., rename=..., by_name=True)` on a Keras file turns the file into
the list `weight_matching` takes (`[(entry, array)]`, each entry `{key, layer, name}` with
`layer` the name the FILE gives the top-level layer), so filters, renaming, the report and
the errors are the same as for strata's own files. Layer names come from Keras 3.9+'s
recorded names (the `name` attribute of each `vars` group) or Keras 2's `layer_names`.

Only the order of the weights inside one layer is Keras-specific: a file layer that pairs with
a model layer (its name, after `rename`) lists its arrays in that strata layer's weight order,
found the way Keras finds them (Keras 3: the sublayer attribute paths; Keras 2: the file's
weight names, trainable first). Arrays left over follow, so a count that differs is reported
as a mismatch. File layers that pair with nothing keep the file's order.
"""

from __future__ import annotations

from strata.saving import weight_matching
from strata.saving.keras_files import keras3_weights, legacy


def keras3_entries(model, tree, rename, label) -> list:
    """[(entry, array)] from a Keras 3 weights tree, keyed by the recorded layer names.

    Raises:
        ValueError: the file records no layer names (tf_keras or Keras before 3.9 wrote it).
    """
    tops = [node for node in tree.layer_nodes() if _has_arrays(node)]
    if tops and not any(node.name for node in tops):
        raise ValueError(
            f"'{label}' records no layer names (tf_keras or Keras before 3.9 wrote it), and "
            "by_name=True, layers= and rename= match the layer names Keras 3.9+ records in "
            ".weights.h5 files. Load it with by_name=False, which pairs layers the way Keras "
            "does (per class, in order); layers= then selects model layers after that pairing."
        )
    names = [node.name or node.path.rstrip("/").rsplit("/", 1)[-1] for node in tops]
    partner = _partner_finder(model, names, rename, label)
    partners = [partner(name) for name in names]
    records = model._weight_records()
    # Keras 3's groups come in alphabetical order: the layers this model takes go first, in
    # the model's order (as strata's own files list them), the others after.
    position = {id(layer): i for i, layer in enumerate(legacy.top_layers(model))}
    ranked = sorted(
        range(len(tops)), key=lambda k: position.get(id(partners[k]), len(position) + k)
    )
    saved = []
    for k in ranked:
        name, node, layer = names[k], tops[k], partners[k]
        found = keras3_weights.visit(layer, node, records) if layer is not None else {}
        taken = [found[i] for i in sorted(found)]  # in the model layer's weight order
        places = _places(node)
        items = [
            (f"{places[id(sub)]}vars/{index}", f"{sub.path}vars/{index}", array)
            for sub, index, array in taken + list(keras3_weights.unused_vars(node))
        ]
        saved += _entries(name, items)
    return saved


def legacy_entries(model, reader, group, rename, label) -> list:
    """[(entry, array)] from a Keras 2 HDF5 weights group, keyed by `layer_names`."""
    layers_saved = legacy.saved_layers(reader, group)
    partner = _partner_finder(model, [name for name, _ in layers_saved], rename, label)
    index_of = {id(record[2]): i for i, record in enumerate(model._weight_records())}
    saved = []
    for name, arrays in layers_saved:
        labels = [legacy.weight_label(name, w) for w, _ in arrays]
        items = [(lab.split("/", 1)[1], lab, a) for lab, (_, a) in zip(labels, arrays)]
        layer = partner(name)
        if layer is not None:
            order = legacy.saved_order(layer, [w for w, _ in arrays])
            indices = [index_of[id(tensor)] for tensor in order][: len(items)]
            # Into the model's weight order; the arrays beyond the layer's count stay last.
            placed = sorted(zip(indices, items), key=lambda pair: pair[0])
            items = [item for _, item in placed] + items[len(indices) :]
        saved += _entries(name, items)
    return saved


def _entries(layer_name, items) -> list:
    """weight_matching's entries for one file layer: items are (weight name, source, array)."""
    return [
        ({"key": f"layers/{layer_name}/vars/{k}", "layer": layer_name, "name": w, "source": s}, a)
        for k, (w, s, a) in enumerate(items)
    ]


def _partner_finder(model, file_names, rename, label):
    """`file layer name -> the model's top-level layer it loads into, or None`."""
    renamer = weight_matching.make_renamer(rename, file_names, label)
    by_name = {layer.name: layer for layer in legacy.top_layers(model) if layer is not model}
    return lambda name: by_name.get(renamer(name))


def _places(top) -> dict:
    """{id(node): where the node lies in the top-level layer `top`}, for reports: '' for the
    layer's own variables, else the recorded names of the sublayers on the way (`forward_gru/
    gru_cell/`); plain container groups (`layers/`) are left out, unnamed layers keep their
    group's name."""
    places = {id(top): ""}

    def walk(node, prefix):
        for key, child in node.children.items():
            part = "" if child.vars is None else f"{child.name or key}/"
            places[id(child)] = prefix + part
            walk(child, prefix + part)

    walk(top, "")
    return places


def _has_arrays(node) -> bool:
    return bool(node.vars) or any(_has_arrays(child) for child in node.children.values())
