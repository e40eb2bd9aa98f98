"""clone_model: the same architecture with fresh weights (DESIGN.md convention 5)."""

from __future__ import annotations

import copy

from strata.backend.keras_tensor import KerasTensor, flatten, pack_like


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with `model`'s architecture and freshly initialized weights.

    Functional and Sequential models are rebuilt from their config; each layer is re-created by
    `clone_function(layer)` (default: `layer.__class__.from_config(layer.get_config())`, which
    gives fresh weights) and the graph is replayed on the new layers. A subclassed model is
    re-created from `get_config()`.

    Args:
        model: a strata `Model`.
        input_tensors: optional symbolic tensors (from `strata.Input`) to build the clone on,
            one per model input (a single tensor, a list, or a dict keyed like the inputs).
        clone_function: `layer -> layer` applied to every layer except InputLayers; return
            the layer itself to share it with the original.

    Returns:
        The clone (a model of the same class; weights not copied).

    Raises:
        ValueError: `input_tensors` does not match the model's inputs, or a subclassed model
            is given `input_tensors` or `clone_function`.

    Example:
        >>> import strata
        >>> model = strata.Sequential([strata.layers.Dense(2, input_shape=(3,))])
        >>> clone = strata.models.clone_model(model)
        >>> clone.get_config() == model.get_config()
        True
    """
    from strata.models.functional import Functional
    from strata.models.sequential import Sequential

    clone_function = clone_function or _fresh_copy
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_function)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, clone_function)
    if input_tensors is not None or clone_function is not _fresh_copy:
        raise ValueError(
            f"clone_model expected a Functional or Sequential model for input_tensors or "
            f"clone_function; received the subclassed model {type(model).__name__}."
        )
    return _fresh_copy(model)


def _fresh_copy(layer):
    return type(layer).from_config(copy.deepcopy(layer.get_config()))


def _clone_sequential(model, input_tensors, clone_function):
    from strata.models.sequential import Sequential

    layers = [clone_function(layer) for layer in model.layers]
    if input_tensors is not None:
        tensors = flatten(input_tensors)
        if len(tensors) != 1 or not _from_input_layer(tensors[0]):
            raise ValueError(
                "clone_model expected one tensor from strata.Input as input_tensors of a "
                f"Sequential model; received {input_tensors!r}."
            )
        return Sequential([tensors[0], *layers], name=model.name, trainable=model.trainable)
    clone = Sequential(name=model.name, trainable=model.trainable)
    if model._input_layer is not None:
        config = model._input_layer.get_config()
        clone.add(type(model._input_layer).from_config(config), rebuild=False)
    for layer in layers:
        clone.add(layer, rebuild=False)
    if model.built and clone._input_layer is None and clone._input_batch_shape()[0] is None:
        clone._build_graph(tuple(model.inputs[0].shape), model.inputs[0].dtype)
    else:
        clone._maybe_rebuild()
    return clone


def _clone_functional(model, input_tensors, clone_function):
    from strata.layers.core.input_layer import InputLayer
    from strata.models.functional_config import rebuild_graph

    config = model.get_config()
    overrides = {}
    if input_tensors is not None:
        overrides = _input_overrides(model, input_tensors)
    originals = {layer.name: layer for layer in model.layers}
    cloned = {}

    def make_layer(layer_config):
        original = originals[layer_config["name"]]
        if isinstance(original, InputLayer):
            return InputLayer.from_config(original.get_config())
        layer = clone_function(original)
        if id(layer) in cloned:
            raise ValueError(
                f"clone_function returned the same layer for '{cloned[id(layer)]}' and "
                f"'{original.name}'; expected one layer per original layer."
            )
        cloned[id(layer)] = original.name
        return layer

    inputs, outputs = rebuild_graph(config, make_layer, input_overrides=overrides)
    if input_tensors is not None:
        inputs = pack_like(model._input_structure, flatten(_ordered(model, input_tensors)))
    return type(model)(inputs, outputs, name=model.name, trainable=model.trainable)


def _from_input_layer(tensor) -> bool:
    from strata.layers.core.input_layer import InputLayer

    return (
        isinstance(tensor, KerasTensor)
        and tensor._keras_history is not None
        and isinstance(tensor._keras_history[0], InputLayer)
    )


def _ordered(model, input_tensors) -> list:
    """The given tensors in `model.inputs` order, checked."""
    names = model.input_names
    if isinstance(input_tensors, dict):
        if set(input_tensors) != set(names) and isinstance(model._input_structure, dict):
            names = list(model._input_structure)
        missing = [n for n in names if n not in input_tensors]
        if missing:
            raise ValueError(
                f"clone_model expected input_tensors keyed by {names}; received keys "
                f"{sorted(input_tensors)}."
            )
        tensors = [input_tensors[n] for n in names]
    else:
        tensors = flatten(input_tensors)
    if len(tensors) != len(model.inputs) or not all(isinstance(t, KerasTensor) for t in tensors):
        raise ValueError(
            f"clone_model expected {len(model.inputs)} symbolic tensor(s) as input_tensors "
            f"(one per input {names}); received {input_tensors!r}."
        )
    for given, original in zip(tensors, model.inputs, strict=True):
        if len(given.shape) != len(original.shape):
            raise ValueError(
                f"clone_model expected an input of rank {len(original.shape)} for "
                f"'{original.name}'; received shape {given.shape}."
            )
    return tensors


def _input_overrides(model, input_tensors) -> dict:
    tensors = _ordered(model, input_tensors)
    return {
        original._keras_history[0].name: given
        for original, given in zip(model.inputs, tensors, strict=True)
    }
