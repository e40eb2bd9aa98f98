"""`truncate`: the lower part of a model, up to one layer, sharing its weights."""

from __future__ import annotations

from strata.layers.core.input_layer import InputLayer
from strata.models.freezing import layer_index


def truncate(model, at, name=None):
    """The sub-model of `model` from its inputs up to layer `at`, sharing its weights.

    The result is a functional model whose inputs are `model`'s inputs and whose output is
    the output of `at`; its layers are `model`'s own objects, so training or changing one
    model changes the other (freeze them with `trainable = False` or `Model.freeze` to reuse
    them as a fixed base). Compose a new head on `truncated.output` with the functional API.

    Args:
        model: a built Sequential or functional model.
        at: the name of the last layer to keep, or its index in `model.layers`.
        name: the new model's name (default `"<model name>_truncated"`).

    Returns:
        A `strata.Model`.

    Raises:
        ValueError: `model` has no graph (a subclassed or unbuilt model), `at` names no layer
            of it, `at` is an InputLayer, or the layer is called more than once in the model.

    Example:
        >>> import strata
        >>> from strata import layers
        >>> inputs = strata.Input((8,))
        >>> x = layers.Dense(6, activation="relu", name="hidden1")(inputs)
        >>> x = layers.Dense(5, activation="relu", name="hidden2")(x)
        >>> old = strata.Model(inputs, layers.Dense(3, name="old_output")(x))
        >>> base = strata.models.truncate(old, at="hidden2")
        >>> outputs = layers.Dense(2, activation="softmax")(base.output)
        >>> new = strata.Model(base.input, outputs)
        >>> [layer.name for layer in new.layers][1:3]
        ['hidden1', 'hidden2']
        >>> new.get_layer("hidden1") is old.get_layer("hidden1")
        True
    """
    from strata.models.functional import Functional

    if not isinstance(model, Functional) or not model.built or not model.inputs:
        raise ValueError(
            f"truncate expected a built Sequential or functional model; received "
            f"{type(model).__name__} '{getattr(model, 'name', model)}'"
            + (
                " (not built: give it an Input or call it on data first)."
                if _unbuilt(model)
                else " (a subclassed model has no graph to cut)."
            )
        )
    layer = model.layers[layer_index(model, at, "truncate(at=...)")]
    if isinstance(layer, InputLayer):
        raise ValueError(
            f"truncate expected a layer after the inputs; received the InputLayer '{layer.name}'."
        )
    nodes = [node for node in model._nodes_between_inputs_and_outputs() if node.layer is layer]
    if len(nodes) != 1:
        raise ValueError(
            f"truncate expected layer '{layer.name}' to be called once in model '{model.name}'; "
            f"it is called {len(nodes)} times, so its output is ambiguous. Build the sub-model "
            "with strata.Model(model.inputs, <the output tensor you want>)."
        )
    return Functional(
        model._input_structure, nodes[0].outputs, name=name or f"{model.name}_truncated"
    )


def _unbuilt(model) -> bool:
    return hasattr(model, "_stack") and not model.built
