"""Keras 3's weights layout (`model.weights.h5` in a `.keras` archive, or a `.weights.h5` file).

Keras 3 stores each layer's own variables as datasets `vars/0`, `vars/1`, ... of a group whose
path follows the Python attributes that hold the layer: `layers/<class in snake case>[_<k>]`
for the layers of a Functional or Sequential model (numbered per class, in `model.layers`
order), then the attribute name of each sublayer (`lstm/cell`, `mha/_query_dense`,
`bidirectional/forward_layer/cell`). Since Keras 3.9 the `vars` group also records the layer's
name in an attribute.

strata's layers keep Keras's sublayer attribute names and own-weight order, so each strata
weight has the path Keras would give it. Where a sublayer's attribute differs, the group whose
recorded name equals the sublayer's name is used. Optimizer and metric state are not weights
and are left aside.
"""

from __future__ import annotations

import re

from strata.saving.keras_files.h5 import Reader

# Not layer weights: optimizer slots, compiled metrics' totals, random seed state.
_NOT_WEIGHTS = ("optimizer", "metrics")
_SEED_STATE = ("seed_generator",)
_MAX_DEPTH = 64  # far beyond any real model's nesting; a deeper file is crafted


def snake_case(name: str) -> str:
    """A class name the way Keras names its weights group: `Conv2D` -> `conv2d`."""
    name = re.sub(r"\W+", "", name)
    # A capital followed by lower case starts a word; so does a capital after lower case/digit.
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class _Node:
    """One HDF5 group of the weights file: its own variables and its child groups."""

    def __init__(self, reader: Reader, group, path: str, depth: int = 0, skip=()):
        if depth > _MAX_DEPTH:
            raise reader.refuse(f"groups nest deeper than {_MAX_DEPTH} levels at '{path}'")
        self.path = path
        self.vars, self.name, self.children = None, None, {}
        for key, item in reader.children(group).items():
            if not reader.is_group(item) or key in skip:
                continue  # a stray dataset outside `vars` is no layer variable
            if key == "vars":
                self.name = reader.attr(item, "name")
                self.vars = _ordered_vars(reader, item)
            else:
                self.children[key] = _Node(reader, item, f"{path}{key}/", depth + 1)
        self.used = False

    def layer_nodes(self):
        """Descendant nodes that hold a layer (a `vars` group), through plain containers."""
        for child in self.children.values():
            if child.vars is not None:
                yield child
            else:
                yield from child.layer_nodes()


def _ordered_vars(reader, group) -> list:
    items = reader.children(group)
    keys = sorted(items, key=lambda k: int(k) if k.isdigit() else -1)
    if any(not k.isdigit() for k in keys) or keys != [str(i) for i in range(len(keys))]:
        raise reader.refuse(f"group '{group.name}' expected datasets 0..n-1; found {keys}")
    if any(reader.is_group(items[k]) for k in keys):
        raise reader.refuse(f"group '{group.name}' holds groups where datasets belong")
    return [reader.array(items[k]) for k in keys]


def read_tree(reader: Reader) -> _Node:
    """The weights file as a tree of nodes (every numeric dataset read and checked)."""
    # Optimizer and metric state are not read at all (strata does not restore them).
    return _Node(reader, reader.file, "", skip=_NOT_WEIGHTS)


def match(model, tree: _Node):
    """Pair each strata weight with the array Keras stored for it, the way Keras does.

    Args:
        model: the strata model (or layer) to load into.
        tree: `read_tree`'s output.

    Returns:
        (found, unexpected): `found` maps the index of a weight in `model.weights` order to
        (where, array), `where` naming the stored variable (`describe`); `unexpected` names
        the stored variables no strata weight took.
    """
    found = visit(model, tree, model._weight_records())
    unexpected = [describe(node, index) for node, index, _ in unused_vars(tree)]
    return {i: (describe(node, index), array) for i, (node, index, array) in found.items()}, (
        unexpected
    )


def describe(node: _Node, index: int) -> str:
    """A stored variable as messages name it: `layers/dense_1/vars/0 (layer 'hidden2')`."""
    return f"{node.path}vars/{index}" + (f" (layer '{node.name}')" if node.name else "")


def visit(layer, node: _Node, records) -> dict:
    """{index in `records`: (node, variable index, array)} for `layer`'s weights found under
    `node`.

    `records` is the loaded model's `_weight_records()`; `layer` is the model or one of its
    layers. Nodes taken are marked `used`.
    """
    index_of = {id(record[2]): i for i, record in enumerate(records)}
    found = {}

    def own(layer, node):
        node.used = True
        mine = [r for r in records if r[0] is layer]
        for position, record in enumerate(mine):
            if node.vars is not None and position < len(node.vars):
                found.setdefault(index_of[id(record[2])], (node, position, node.vars[position]))

    def walk(layer, node):
        own(layer, node)
        for sub, child in _sublayer_nodes(layer, node):
            if child is not None and not child.used:
                walk(sub, child)

    walk(layer, node)
    return found


def unused_vars(node: _Node):
    """(node, index, array) for each variable under `node` that no strata weight took
    (random seed state, which is no weight, left aside)."""
    if not node.used and not any(s in node.path for s in _SEED_STATE):
        for index, array in enumerate(node.vars or []):
            yield node, index, array
    for child in node.children.values():
        yield from unused_vars(child)


def _sublayer_nodes(layer, node):
    """(strata sublayer, matching node or None) for each direct sublayer of `layer`."""
    if _is_container_model(layer):
        subs = [sub for sub in layer.layers if sub is not layer]
        holder = node.children.get("layers")
        counts, pairs = {}, []
        for sub in subs:
            base = snake_case(type(sub).__name__)
            seen = counts.get(base)
            counts[base] = 0 if seen is None else seen + 1
            key = base if seen is None else f"{base}_{seen + 1}"
            child = holder.children.get(key) if holder is not None else None
            pairs.append((sub, child or _by_recorded_name(node, sub.name)))
        return pairs
    from strata.layers.layer import Layer

    pairs = []
    for attribute, sub in layer.named_children():
        if not isinstance(sub, Layer):
            continue
        # Keras 3 exposes some sublayers through a property without the underscore
        # (MultiHeadAttention's `query_dense`), which is the name its files use.
        names = (attribute, attribute.lstrip("_"), f"_{attribute}")
        child = next((node.children[n] for n in names if n in node.children), None)
        if child is None or child.vars is None or (child.name and child.name != sub.name):
            child = _by_recorded_name(node, sub.name) or child
        pairs.append((sub, child))
    return pairs


def _is_container_model(layer) -> bool:
    from strata.models.functional import Functional
    from strata.models.sequential import Sequential

    return isinstance(layer, (Functional, Sequential))


def _by_recorded_name(node, name):
    """The unused descendant layer node whose `vars` group records `name` (one level of
    layers down: a layer's own sublayers, through containers)."""
    for child in node.layer_nodes():
        if child.name == name and not child.used:
            return child
    return None
