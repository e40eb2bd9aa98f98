"""`model_from_json`: a model's architecture back from `model.to_json()` (fresh weights)."""

from __future__ import annotations

import json


def model_from_json(json_string, custom_objects=None):
    """The model described by `json_string` (from `model.to_json()`), with new weights.

    Args:
        json_string: the JSON text.
        custom_objects: a dict of the custom classes and functions the config names.

    Returns:
        A model (not compiled) with freshly initialized weights.

    Example:
        >>> import strata
        >>> model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(2)])
        >>> strata.models.model_from_json(model.to_json()).count_params()
        8
    """
    from strata.layers import deserialize as deserialize_layer
    from strata.saving.registry import custom_object_scope

    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as error:
        raise ValueError(f"model_from_json expected a JSON string; {error}.") from error
    with custom_object_scope(custom_objects or {}):
        return deserialize_layer(config, custom_objects=custom_objects)
