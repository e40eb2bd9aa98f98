"""Freezing and unfreezing a model's layers by position: `Model.freeze` and `Model.unfreeze`.

"Below" means earlier in `model.layers` (the order of the stack for a Sequential model, the
topological order Keras uses for a functional one). InputLayers hold no weights: they are
counted by indices (as in `model.layers` and `get_layer(index=...)`) but never reported or
changed. Freezing sets `layer.trainable = False`, which also puts a BatchNormalization layer in
inference mode (it normalizes with its moving statistics and stops updating them).
"""

from __future__ import annotations

from strata.layers.core.input_layer import InputLayer
from strata.layers.layer import _TRAINABLE_VERSION


def freeze(model, up_to=None) -> list[str]:
    """Freeze the layer `up_to` and every layer below it (all layers when None).

    Layers above `up_to` are left as they are (neither frozen nor unfrozen).

    Args:
        model: a Sequential or functional model.
        up_to: a layer name, or an index in `model.layers` (negative counts from the top).

    Returns:
        The names of the layers set to `trainable = False`, bottom first.

    Raises:
        ValueError: `up_to` names no layer of the model or is out of range.
    """
    layers = _layers(model)
    stop = len(layers) if up_to is None else layer_index(model, up_to, "freeze(up_to=...)") + 1
    return _set_trainable(layers[:stop], False)


def unfreeze(model, top=None, from_=None) -> list[str]:
    """Unfreeze the `top` topmost layers with weights, or the layer `from_` and all above it.

    With neither argument every layer is unfrozen. Layers not named stay as they are. A model
    itself frozen (`model.trainable = False`) becomes trainable again, without unfreezing the
    layers that were not named.

    Args:
        model: a Sequential or functional model.
        top: the number of layers with weights to unfreeze, counting from the output.
        from_: a layer name, or an index in `model.layers`.

    Returns:
        The names of the layers set to `trainable = True`, bottom first.

    Raises:
        ValueError: both arguments given, `top` not a positive count of layers with weights,
            or `from_` names no layer of the model.
    """
    if top is not None and from_ is not None:
        raise ValueError(
            f"unfreeze expected top= or from_=, not both; received top={top!r}, from_={from_!r}."
        )
    layers = _layers(model)
    if top is not None:
        chosen = _top_layers(model, top)
    elif from_ is not None:
        chosen = layers[layer_index(model, from_, "unfreeze(from_=...)") :]
    else:
        chosen = layers
    lift_model_flag(model)
    return _set_trainable(chosen, True)


def unfreeze_next(model, count) -> list:
    """Unfreeze the `count` topmost frozen layers with weights (fewer when fewer are frozen).

    Returns:
        The layers unfrozen, bottom first.
    """
    frozen = [layer for layer in _weighted(model) if not layer.trainable]
    chosen = frozen[max(len(frozen) - count, 0) :] if count > 0 else []
    if chosen:
        lift_model_flag(model)
    for layer in chosen:
        layer.trainable = True
    return chosen


def lift_model_flag(model) -> None:
    """Make a frozen model itself trainable without unfreezing its layers.

    `model.trainable = False` hides every sublayer's weights from training; unfreezing some
    layers of it lifts that flag alone (setting `model.trainable` would unfreeze them all).
    """
    if not model.trainable:
        model._trainable = True
        _TRAINABLE_VERSION[0] += 1


def resolve_layers(model, names) -> list:
    """The layers of `model` called `names` (a list), with an error naming the known ones."""
    return [_layers(model)[layer_index(model, name, "layer names")] for name in names]


def _layers(model) -> list:
    layers = getattr(model, "layers", None)
    if layers is None:
        raise ValueError(
            f"Freezing by position expected a model with `layers`; received {type(model).__name__}."
        )
    return list(layers)


def _weighted(model) -> list:
    return [layer for layer in _layers(model) if layer.weights]


def layer_index(model, key, what) -> int:
    """The index in `model.layers` of `key` (a name or an index); `what` starts the errors."""
    layers = _layers(model)
    names = [layer.name for layer in layers]
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        raise ValueError(
            f"{what} expected a layer name or an index in model.layers; received "
            f"{type(key).__name__}: {key!r}."
        )
    if isinstance(key, int):
        if not -len(layers) <= key < len(layers):
            raise ValueError(
                f"{what} expected an index in [{-len(layers)}, {len(layers) - 1}] (model "
                f"'{model.name}' has {len(layers)} layers: {names}); received {key}."
            )
        return key % len(layers)
    if key not in names:
        raise ValueError(
            f"{what}: model '{model.name}' has no layer named '{key}'; its layers are {names}."
        )
    return names.index(key)


def _top_layers(model, top) -> list:
    weighted = _weighted(model)
    if not weighted:
        raise ValueError(
            f"unfreeze(top=...) expected a model with weights; model '{model.name}' has none "
            "yet (build it first: give it an Input or call it on data)."
        )
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= len(weighted):
        raise ValueError(
            f"unfreeze(top=...) expected a count from 1 to {len(weighted)} (the layers of model "
            f"'{model.name}' with weights: {[layer.name for layer in weighted]}); received "
            f"{top!r}."
        )
    return weighted[-top:]


def _set_trainable(layers, value) -> list[str]:
    changed = []
    for layer in layers:
        if isinstance(layer, InputLayer):
            continue
        layer.trainable = value
        changed.append(layer.name)
    return changed
