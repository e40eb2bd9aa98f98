"""Activation functions, by function and by Keras name (`"relu"`, `"softmax"`, ...)."""

from strata.activations.activations import (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)
from strata.saving.registry import deserialize_keras_object, serialize_keras_object

_FUNCTIONS = (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    tanh,
    tanh_shrink,
    threshold,
)

ALL_OBJECTS_DICT = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT.update({"swish": silu, "hard_swish": hard_silu})


def serialize(activation):
    """The name of `activation` (`"relu"`; aliases give the canonical name, `swish` -> `"silu"`).

    Args:
        activation: a built-in or registered activation function, or a callable object with
            `get_config` (which gives a dict).

    Returns:
        A name string (or a dict for configurable callable objects).

    Example:
        >>> serialize(swish)
        'silu'
    """
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    """The activation function named by `config`.

    Args:
        config: a name, Keras's function dict (`{"class_name": "function", "config": "relu"}`),
            or a dict from `serialize` of a configurable callable object.
        custom_objects: extra names that may appear in `config`.

    Returns:
        The activation callable.

    Raises:
        ValueError: the name is neither built in nor registered.

    Example:
        >>> deserialize("relu") is relu
        True
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        config = config.get("registered_name") or config.get("config")
    return deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable="activation",
    )


def get(identifier):
    """The activation function for `identifier`.

    Args:
        identifier: None (gives `linear`), a Keras name, a dict from serialization, or a
            callable (returned unchanged).

    Returns:
        A callable taking a tensor.

    Raises:
        ValueError: the identifier is an unknown name or not something an activation can be.

    Example:
        >>> get("softmax") is softmax
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret the activation identifier: expected None, a name string, a dict "
        f"or a callable; received {identifier!r}."
    )


__all__ = [
    "ALL_OBJECTS_DICT",
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]
