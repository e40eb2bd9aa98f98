"""`Config`, the data-tuple helpers and `get_source_inputs` of Keras's `utils`."""

from __future__ import annotations

import json


class Config:
    """A dict whose entries are also attributes, that can be frozen (Keras's `utils.Config`).

    Example:
        >>> config = Config(learning_rate=0.1)
        >>> config.epochs = 3
        >>> config.freeze()
        >>> config["epochs"], config.as_dict()
        (3, {'learning_rate': 0.1, 'epochs': 3})
    """

    __attrs__ = None

    def __init__(self, **kwargs):
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)
        object.__setattr__(self, "__attrs__", set(dir(self)))

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self):
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self):
        if self._frozen:
            raise ValueError("Config cannot be changed: it is frozen (call unfreeze() first).")

    def __setattr__(self, name, value):
        self._check_mutable()
        if name in self.__attrs__:
            raise AttributeError(f"Config cannot set '{name}': it is one of its own methods.")
        self._config[name] = value

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_config", "_frozen"):
            raise AttributeError(name)
        try:
            return self._config[name]
        except KeyError:
            raise AttributeError(f"Config has no entry '{name}'.") from None

    def __setitem__(self, key, value):
        self._check_mutable()
        self._config[key] = value

    def __getitem__(self, key):
        return self._config[key]

    def __delitem__(self, key):
        self._check_mutable()
        del self._config[key]

    def __contains__(self, key):
        return key in self._config

    def __iter__(self):
        return iter(self._config)

    def __len__(self):
        return len(self._config)

    def __repr__(self):
        return f"<Config {self._config}>"

    def get(self, key, default=None):
        return self._config.get(key, default)

    def pop(self, *args):
        self._check_mutable()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        self._check_mutable()
        self._config.update(*args, **kwargs)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def as_dict(self) -> dict:
        return dict(self._config)

    def to_json(self) -> str:
        return json.dumps(self._config)


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The data tuple `fit` and `train_step` take: `x`, `(x, y)` or `(x, y, sample_weight)`.

    A list or tuple `x` alone is wrapped in a 1-tuple so that it is not read as `(x, y)`.

    Example:
        >>> pack_x_y_sample_weight(1, 2), pack_x_y_sample_weight([1, 2])
        ((1, 2), ([1, 2],))
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from a data item, with None for what is missing.

    Example:
        >>> unpack_x_y_sample_weight((1, 2))
        (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError(
        "unpack_x_y_sample_weight expected data as x, (x,), (x, y) or (x, y, sample_weight); "
        f"received a tuple of {len(data)} items."
    )


def get_source_inputs(tensor):
    """The `Input` tensors a symbolic tensor was computed from (in the order found).

    Example:
        >>> import strata
        >>> inputs = strata.Input((3,))
        >>> get_source_inputs(strata.layers.Dense(2)(inputs)) == [inputs]
        True
    """
    from strata.backend.keras_tensor import KerasTensor

    if not isinstance(tensor, KerasTensor):
        raise ValueError(
            f"get_source_inputs expected a symbolic KerasTensor; received {type(tensor).__name__}."
        )
    found, seen, pending = [], set(), [tensor]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        history = current._keras_history
        if history is None:
            found.append(current)
            continue
        node = current.node
        parents = [t for t in node.input_tensors if isinstance(t, KerasTensor)]
        if not parents:
            found.append(current)
        pending.extend(reversed(parents))
    return found
