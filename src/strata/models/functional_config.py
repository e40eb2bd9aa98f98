"""A functional model's config in Keras 3's layout, and the model rebuilt from it.

The config lists every layer (its serialized form plus `name`, `build_config` and
`inbound_nodes`), and where the model's inputs and outputs come from. A node records one call of
a layer: its arguments, with each symbolic tensor replaced by
`{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}`. Node
indices count only the calls that belong to this model, so a layer also used elsewhere still
gets indices 0, 1, ... here.

Rebuilding re-creates each layer from its config (fresh weights) and replays the calls in an
order where every call's inputs already exist; a shared layer is called once per node.
"""

from __future__ import annotations

from strata.backend.keras_tensor import KerasTensor, flatten

_TENSOR = "__keras_tensor__"


# ---------------------------------------------------------------------------------- to config
def functional_config(model) -> dict:
    """The JSON config of a functional model (see the module docstring for the layout).

    Args:
        model: a `Functional` model.

    Returns:
        A dict with `name`, `trainable`, `layers`, `input_layers` and `output_layers`.

    Raises:
        ValueError: an input of the model does not come from an `Input`, or a layer is called
            with an argument that has no JSON form.
    """
    from strata.layers.core.input_layer import InputLayer
    from strata.saving.registry import serialize_keras_object

    nodes = list(model._nodes_between_inputs_and_outputs())
    for tensor in model.inputs:
        layer = tensor._keras_history[0]
        if not isinstance(layer, InputLayer):
            raise ValueError(
                f"Model '{model.name}' can only be serialized when its inputs come from "
                f"strata.Input; input '{tensor.name}' comes from layer '{layer.name}' "
                f"({type(layer).__name__})."
            )
        nodes.append(tensor.node)
    relative = _relative_node_indices(model.layers, {id(node) for node in nodes})

    layer_configs = []
    for layer in model.layers:
        entry = dict(serialize_keras_object(layer))
        entry["name"] = layer.name
        build_config = layer.get_build_config() if hasattr(layer, "get_build_config") else None
        if build_config is not None:
            entry["build_config"] = build_config
        own = [n for n in layer._inbound_nodes if id(n) in relative]
        entry["inbound_nodes"] = (
            [] if isinstance(layer, InputLayer) else [_node_config(n, relative) for n in own]
        )
        layer_configs.append(entry)

    def history(tensor):
        return _history_triple(tensor, relative)

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": _map(history, model._input_structure),
        "output_layers": _map(history, model._output_structure),
    }


def _relative_node_indices(layers, kept_ids) -> dict:
    """id(node) -> index among the layer's nodes that belong to the model."""
    relative = {}
    for layer in layers:
        count = 0
        for node in layer._inbound_nodes:
            if id(node) in kept_ids:
                relative[id(node)] = count
                count += 1
    return relative


def _history_triple(tensor, relative) -> list:
    layer, node_index, tensor_index = tensor._keras_history
    return [layer.name, relative[id(layer._inbound_nodes[node_index])], tensor_index]


def _node_config(node, relative) -> dict:
    def encode(value):
        return _encode_argument(value, node.layer.name, relative)

    return {
        "args": [encode(a) for a in node.call_args],
        "kwargs": {key: encode(v) for key, v in node.call_kwargs.items()},
    }


def _encode_argument(value, layer_name, relative):
    from strata.saving.registry import serialize_keras_object

    if isinstance(value, KerasTensor):
        return {
            "class_name": _TENSOR,
            "config": {
                "shape": list(value.shape),
                "dtype": value.dtype,
                "keras_history": _history_triple(value, relative),
            },
        }
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_encode_argument(v, layer_name, relative) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode_argument(v, layer_name, relative) for k, v in value.items()}
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return value.item()  # a NumPy scalar
    if hasattr(value, "get_config"):
        return serialize_keras_object(value)
    raise ValueError(
        f"Layer '{layer_name}' was called with an argument of type {type(value).__name__}, which "
        "has no JSON form; expected symbolic tensors, JSON values or serializable objects."
    )


def _map(fn, structure):
    if isinstance(structure, dict):
        return {key: _map(fn, value) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map(fn, value) for value in structure]
    return fn(structure)


# -------------------------------------------------------------------------------- from config
def functional_from_config(cls, config, custom_objects=None):
    """A new functional model (fresh weights) from `functional_config`'s output.

    Args:
        cls: the model class to make (`Functional`, `Model` or a registered subclass).
        config: the config dict.
        custom_objects: names of user classes, as in `load_model`.

    Returns:
        An instance of `cls`.

    Raises:
        ValueError: the config is malformed (a node refers to an unknown layer or call, or
            the calls cannot all be replayed), or names a class that is not registered.
    """
    from strata.layers import deserialize as deserialize_layer

    def make_layer(layer_config):
        return deserialize_layer(_layer_part(layer_config), custom_objects=custom_objects)

    inputs, outputs = rebuild_graph(config, make_layer)
    return cls(
        inputs,
        outputs,
        name=config.get("name"),
        trainable=config.get("trainable", True),
    )


def rebuild_graph(config, make_layer, input_overrides=None):
    """Re-create layers and replay their calls; returns the (inputs, outputs) structures.

    Args:
        config: a functional config.
        make_layer: `layer_config -> Layer`, called once per layer entry.
        input_overrides: optional {input layer name: KerasTensor} used instead of new inputs.
    """
    _check_config(config)
    input_overrides = input_overrides or {}
    layers, pending, produced, calls = {}, {}, {}, {}
    order = []
    for layer_config in config["layers"]:
        name = layer_config.get("name") or layer_config["config"].get("name")
        if name in layers:
            raise ValueError(f"The model config lists two layers named '{name}'.")
        order.append(name)
        calls[name] = 0
        if name in input_overrides:
            layers[name] = None
            produced[(name, 0)] = [input_overrides[name]]
            pending[name] = []
            continue
        layer = make_layer(layer_config)
        layers[name] = layer
        nodes = list(layer_config.get("inbound_nodes") or [])
        if not nodes and _is_input_layer(layer):
            produced[(name, 0)] = [layer._input_tensor]
        pending[name] = nodes

    def lookup(history):
        key = (history[0], int(history[1]))
        if history[0] not in layers:
            raise ValueError(f"A node refers to layer '{history[0]}', which the config lacks.")
        return produced[key][int(history[2])] if key in produced else None

    progress = True
    while progress and any(pending.values()):
        progress = False
        for name in order:
            while pending[name]:
                call = _decode_node(pending[name][0], lookup)
                if call is None:
                    break  # an input of this call is not there yet
                args, kwargs = call
                outputs = layers[name](*args, **kwargs)
                # Calls are replayed in their recorded order, so this is the node's index.
                produced[(name, calls[name])] = flatten(outputs)
                calls[name] += 1
                pending[name].pop(0)
                progress = True
    stuck = [name for name in order if pending[name]]
    if stuck:
        raise ValueError(
            f"Could not rebuild the model: the calls of layers {stuck} need tensors that no "
            "layer of the config produces."
        )

    def resolve(history):
        found = lookup(history)
        if found is None:
            raise ValueError(f"The model's inputs/outputs refer to a missing tensor {history}.")
        return found

    return (
        _map_histories(resolve, config["input_layers"]),
        _map_histories(resolve, config["output_layers"]),
    )


def _check_config(config):
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError(
            "Expected a functional model config (a dict with 'layers', 'input_layers' and "
            f"'output_layers'); received {type(config).__name__} with keys "
            f"{sorted(config) if isinstance(config, dict) else []}."
        )
    for key in ("input_layers", "output_layers"):
        if key not in config:
            raise ValueError(f"The functional model config lacks '{key}'.")


def _layer_part(layer_config):
    keys = ("module", "class_name", "config", "registered_name")
    return {k: layer_config[k] for k in keys if k in layer_config}


def _is_input_layer(layer):
    from strata.layers.core.input_layer import InputLayer

    return isinstance(layer, InputLayer)


def _is_history(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(v, int) for v in value[1:])
    )


def _map_histories(fn, structure):
    if _is_history(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {key: _map_histories(fn, value) for key, value in structure.items()}
    if isinstance(structure, list):
        return [_map_histories(fn, value) for value in structure]
    raise ValueError(
        "Expected [layer name, node index, tensor index] entries (or lists/dicts of them) for "
        f"the model's inputs and outputs; received {structure!r}."
    )


class _Missing(Exception):
    pass


def _decode_node(node_config, lookup):
    """(args, kwargs) with tensors filled in, or None when one of them does not exist yet."""
    if not isinstance(node_config, dict):
        raise ValueError(f"Expected a node config dict with 'args'; received {node_config!r}.")

    def decode(value):
        if isinstance(value, dict):
            if value.get("class_name") == _TENSOR:
                tensor = lookup(value["config"]["keras_history"])
                if tensor is None:
                    raise _Missing
                return tensor
            if {"class_name", "config", "module"} <= set(value):
                from strata.saving.registry import deserialize_keras_object

                return deserialize_keras_object(value, printable="call argument")
            return {key: decode(v) for key, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    try:
        args = [decode(a) for a in node_config.get("args", [])]
        kwargs = {key: decode(v) for key, v in node_config.get("kwargs", {}).items()}
    except _Missing:
        return None
    return args, kwargs
