"""Weight constraints, by class and by Keras name (`"max_norm"`, `"NonNeg"`, ...)."""

import inspect

from strata.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from strata.saving.registry import deserialize_keras_object, serialize_keras_object

max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

ALL_OBJECTS_DICT = {
    "Constraint": Constraint,
    "MaxNorm": MaxNorm,
    "MinMaxNorm": MinMaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
    "max_norm": MaxNorm,
    "min_max_norm": MinMaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
}


def serialize(constraint):
    """A JSON-ready dict describing `constraint`.

    Args:
        constraint: a `Constraint` instance (or None).

    Returns:
        The dict that `deserialize` turns back into an equivalent constraint.

    Example:
        >>> serialize(MaxNorm(3))["config"]
        {'max_value': 3, 'axis': 0}
    """
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """The constraint described by `config` (a dict from `serialize`, or a name).

    A name gives an instance with default arguments, like `get`.

    Args:
        config: a dict from `serialize`, or a built-in or registered name.
        custom_objects: extra names that may appear in `config`.

    Returns:
        A constraint.

    Raises:
        ValueError: the name is neither built in nor registered.

    Example:
        >>> deserialize({"class_name": "UnitNorm", "config": {"axis": 1}}).axis
        1
    """
    obj = deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable="constraint",
    )
    return obj() if inspect.isclass(obj) else obj


def get(identifier):
    """The constraint for `identifier`.

    Args:
        identifier: None, a Keras name (`"max_norm"`, `"MaxNorm"`, `"non_neg"`, ...), a dict
            from `serialize`, a constraint instance, a class, or any callable `f(w) -> w`.

    Returns:
        A constraint (None for None).

    Raises:
        ValueError: the identifier is an unknown name or not something a constraint can be.

    Example:
        >>> type(get("non_neg")).__name__
        'NonNeg'
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
        "Could not interpret the constraint identifier: expected None, a name string, a dict "
        f"from serialize(), or a callable; received {identifier!r}."
    )


__all__ = [
    "ALL_OBJECTS_DICT",
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]
