"""`Parent`: the condition that makes a hyperparameter conditional."""

from __future__ import annotations


class Parent:
    """A condition: active when the hyperparameter `name` currently has one of `values`.

    Args:
        name: the parent hyperparameter's name.
        values: one value or a list of values of the parent that activate the child.

    Example:
        >>> cond = Parent("model", ["dnn"])
        >>> cond.is_active({"model": "dnn"}), cond.is_active({"model": "linear"})
        (True, False)
    """

    def __init__(self, name, values):
        values = list(values) if isinstance(values, (list, tuple, set)) else [values]
        if not values:
            raise ValueError(
                f"A condition on '{name}' expected at least one parent value; received []."
            )
        self.name = name
        self.values = values

    def is_active(self, values):
        """Whether the parent is active (present in `values`) with one of the listed values."""
        return self.name in values and values[self.name] in self.values

    def __eq__(self, other):
        return isinstance(other, Parent) and (other.name, other.values) == (
            self.name,
            self.values,
        )

    def __repr__(self):
        return f"Parent(name={self.name!r}, values={self.values!r})"

    def get_config(self):
        """Returns `{"name": ..., "values": [...]}`."""
        return {"name": self.name, "values": list(self.values)}

    @classmethod
    def from_config(cls, config):
        """Rebuilds a condition from `get_config()`."""
        return cls(**config)
