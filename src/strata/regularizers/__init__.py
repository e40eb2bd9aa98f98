"""Weight regularizers, by class and by Keras name (`"l1"`, `"l2"`, `"l1_l2"`, ...)."""

import inspect

from strata.regularizers.regularizers import (
    L1,
    L1L2,
    L2,
    OrthogonalRegularizer,
    Regularizer,
    l1_l2,
)
from strata.saving.registry import deserialize_keras_object, serialize_keras_object

l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS_DICT = {
    "Regularizer": Regularizer,
    "L1": L1,
    "L2": L2,
    "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "l1": L1,
    "l2": L2,
    # The name keeps Keras's documented meaning: both factors 0.01, not L1L2's zeros.
    "l1_l2": l1_l2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer):
    """A JSON-ready dict describing `regularizer`.

    Args:
        regularizer: a `Regularizer` instance (or None).

    Returns:
        The dict that `deserialize` turns back into an equivalent regularizer.

    Example:
        >>> serialize(L2(0.1))["config"]
        {'l2': 0.1}
    """
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer described by `config` (a dict from `serialize`, or a name).

    A name gives an instance with default arguments, like `get`.

    Args:
        config: a dict from `serialize`, or a built-in or registered name.
        custom_objects: extra names that may appear in `config`.

    Returns:
        A regularizer.

    Raises:
        ValueError: the name is neither built in nor registered.

    Example:
        >>> deserialize({"class_name": "L1", "config": {"l1": 0.5}}).l1
        0.5
    """
    obj = deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable="regularizer",
    )
    if inspect.isclass(obj) or obj is l1_l2:
        return obj()
    return obj


def get(identifier):
    """The regularizer for `identifier`.

    Args:
        identifier: None, a Keras name (`"l1"`, `"l2"`, `"l1_l2"`, `"L1L2"`, ...), a dict from
            `serialize`, a regularizer instance, a class, or any callable `f(weight) -> scalar`.

    Returns:
        A regularizer (None for None).

    Raises:
        ValueError: the identifier is an unknown name or not something a regularizer can be.

    Example:
        >>> get("l2").l2
        0.01
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret the regularizer identifier: expected None, a name string, a dict "
        f"from serialize(), or a callable; received {identifier!r}."
    )


__all__ = [
    "ALL_OBJECTS_DICT",
    "L1",
    "L1L2",
    "L2",
    "OrthogonalRegularizer",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "orthogonal_regularizer",
    "serialize",
]
