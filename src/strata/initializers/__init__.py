"""Weight initializers, by class and by Keras name (`"glorot_uniform"`, `"he_normal"`, ...)."""

import inspect

from strata.initializers.base import Initializer, RandomInitializer, compute_fans
from strata.initializers.constant_initializers import (
    STFT,
    Constant,
    Identity,
    Ones,
    Zeros,
)
from strata.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)
from strata.saving.registry import deserialize_keras_object, serialize_keras_object

# Keras's other spellings of the same classes: snake case, and the longer class names.
constant = Constant
zeros = Zeros
ones = Ones
identity = Identity
IdentityInitializer = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal
OrthogonalInitializer = Orthogonal
STFTInitializer = STFT
stft = STFT

_CLASSES = (
    Constant,
    Zeros,
    Ones,
    Identity,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunUniform,
    LecunNormal,
    Orthogonal,
    STFT,
)

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update(
    {
        "constant": Constant,
        "zeros": Zeros,
        "zero": Zeros,
        "ones": Ones,
        "one": Ones,
        "identity": Identity,
        "IdentityInitializer": Identity,
        "random_normal": RandomNormal,
        "normal": RandomNormal,
        "random_uniform": RandomUniform,
        "uniform": RandomUniform,
        "truncated_normal": TruncatedNormal,
        "variance_scaling": VarianceScaling,
        "glorot_uniform": GlorotUniform,
        "glorot_normal": GlorotNormal,
        "he_uniform": HeUniform,
        "he_normal": HeNormal,
        "lecun_uniform": LecunUniform,
        "lecun_normal": LecunNormal,
        "orthogonal": Orthogonal,
        "OrthogonalInitializer": Orthogonal,
        "STFTInitializer": STFT,
        "stft": STFT,
    }
)


def serialize(initializer):
    """A JSON-ready dict describing `initializer` (`{"class_name", "config", ...}`).

    Args:
        initializer: an `Initializer` instance (or None).

    Returns:
        The dict that `deserialize` turns back into an equivalent initializer.

    Example:
        >>> serialize(GlorotUniform(seed=1))["config"]
        {'seed': 1}
    """
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer described by `config` (a dict from `serialize`, or a name).

    A name gives an instance with default arguments, like `get`.

    Args:
        config: a dict from `serialize`, or a built-in or registered name.
        custom_objects: extra names that may appear in `config`, mapped to their classes.

    Returns:
        An initializer instance.

    Raises:
        ValueError: the name is neither built in nor registered.

    Example:
        >>> type(deserialize({"class_name": "HeNormal", "config": {"seed": 2}})).__name__
        'HeNormal'
    """
    obj = deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable="initializer",
    )
    return obj() if inspect.isclass(obj) else obj


def get(identifier):
    """The initializer for `identifier`.

    Args:
        identifier: None, a Keras name (`"glorot_uniform"`, `"GlorotUniform"`, `"zeros"`, ...),
            a dict from `serialize`, an initializer instance, a class, or any callable
            taking `(shape, dtype=None)`.

    Returns:
        An initializer (None for None); classes are instantiated with their defaults.

    Raises:
        ValueError: the identifier is an unknown name or not something an initializer can be.

    Example:
        >>> type(get("he_normal")).__name__
        'HeNormal'
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
        "Could not interpret the initializer identifier: expected None, a name string, a dict "
        f"from serialize(), or a callable; received {identifier!r}."
    )


from strata.backend import variables as _variables  # noqa: E402

_variables.register_initializer_getter(get)

__all__ = [
    "ALL_OBJECTS_DICT",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFT",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]
