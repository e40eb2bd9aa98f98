"""The registry of serializable objects: how a config names a class, and how it comes back.

A serialized object is a JSON dict `{"module": ..., "class_name": ..., "config": {...},
"registered_name": ...}`. Built-in objects register under the package "strata"; user classes
come back through `register_keras_serializable` or `custom_objects`. Nothing is ever imported
by a name read from a file: only registered classes (or the ones a module passes in) load.
"""

import threading

_GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
_GLOBAL_CUSTOM_NAMES: dict[object, str] = {}
_scope = threading.local()


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Class decorator that makes a custom class loadable by its registered name.

    Example:
        >>> import strata
        >>> @strata.saving.register_keras_serializable(package="demo")
        ... class Twice(strata.layers.Layer):
        ...     def call(self, x):
        ...         return 2 * x
        >>> strata.saving.get_registered_name(Twice)
        'demo>Twice'
    """

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj!r}: a serializable class must define get_config()."
            )
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


register_serializable = register_keras_serializable


def get_custom_objects() -> dict:
    """The live table of registered objects, by registered name (`"package>Name"`).

    Adding an entry makes that name loadable, as in Keras.

    Example:
        >>> "Custom>NotRegistered" in get_custom_objects()
        False
    """
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj) -> str:
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Look a class or function up: scope, custom_objects, the registry, then module objects."""
    for table in (_scope_objects(), custom_objects or {}, _GLOBAL_CUSTOM_OBJECTS):
        if name in table:
            return table[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


class CustomObjectScope:
    """`with custom_object_scope({"MyLayer": MyLayer}):` makes names loadable inside the block."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})
        self._previous = None

    def __enter__(self):
        self._previous = _scope_objects()
        _scope.objects = {**self._previous, **self.custom_objects}
        return self

    def __exit__(self, *exc):
        _scope.objects = self._previous


custom_object_scope = CustomObjectScope


def _scope_objects() -> dict:
    return getattr(_scope, "objects", {})


def serialize_keras_object(obj):
    """A JSON-ready description of `obj` (None, plain values and strings pass through)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(item) for item in obj]
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, type) or callable(obj) and not hasattr(obj, "get_config"):
        # A plain function (an activation, a custom loss): saved by its registered name.
        return get_registered_name(obj)
    cls = type(obj)
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    return {
        "module": cls.__module__,
        "class_name": cls.__name__,
        "config": obj.get_config(),
        "registered_name": registered or cls.__name__,
    }


def deserialize_keras_object(config, module_objects=None, custom_objects=None, printable=None):
    """Rebuild an object from `serialize_keras_object`'s output, by registered names only.

    Args:
        config: a dict from `serialize_keras_object`, or a name string.
        module_objects: the names the calling module knows (its built-in classes/functions).
        custom_objects: user-given names, as in `load_model(custom_objects=...)`.
        printable: what kind of object this is, for the error message ("layer", "loss").

    Raises:
        ValueError: the name is neither built in nor registered; nothing is imported.
    """
    if config is None:
        return None
    kind = printable or "object"
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects, module_objects)
        if found is None:
            raise ValueError(_unknown(kind, config))
        return found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Expected a serialized {kind} (a dict with 'class_name' and 'config'); "
            f"received {config!r}."
        )
    for key in ("class_name", "registered_name"):
        if config.get(key) is not None and not isinstance(config[key], str):
            raise ValueError(
                f"A serialized {kind} expected '{key}' to be a name (a string); received "
                f"{config[key]!r}."
            )
    if not isinstance(config.get("config", {}), dict):
        raise ValueError(
            f"A serialized {kind} '{config['class_name']}' expected 'config' to be a dict of "
            f"arguments; received {type(config['config']).__name__} {config['config']!r}."
        )
    name = config.get("registered_name") or config["class_name"]
    cls = get_registered_object(name, custom_objects, module_objects)
    if cls is None:
        cls = get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise ValueError(_unknown(kind, name))
    inner = config.get("config", {})
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)


def _unknown(kind, name):
    return (
        f"Unknown {kind}: '{name}'. Expected a built-in {kind} name or a class registered with "
        "@strata.saving.register_keras_serializable() or passed in custom_objects; "
        f"received '{name}', which is neither."
    )
