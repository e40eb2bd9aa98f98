"""`HyperParameters`: KerasTuner's search-space container, sampling through Optuna.

A model-building function declares hyperparameters (`hp.Int("units", 32, 512)`) and uses the
returned values. Where the values come from depends on how the container was made:

- `HyperParameters()`: recording mode; every declaration returns its default and the
  space is recorded (a tuner discovers the space by building once).
- `HyperParameters.from_trial(trial)`: Optuna samples each value when it is declared.
- `HyperParameters.from_values(values)`: each declaration returns `values[name]` (else its
  default), to rebuild a chosen model.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict

from strata.tuning import space as _space
from strata.tuning.hp_types import (
    Boolean,
    Choice,
    Fixed,
    Float,
    HyperParameter,
    Int,
    Parent,
    deserialize,
)
from strata.tuning.space import (
    describe_space,
    distributions,
    grid,
    iter_grid,
    values_from_trial,
)

__all__ = [
    "Boolean",
    "Choice",
    "Fixed",
    "Float",
    "HyperParameter",
    "HyperParameters",
    "Int",
    "Parent",
    "describe_space",
    "distributions",
    "grid",
    "iter_grid",
    "values_from_trial",
]


class HyperParameters:
    """A search space and the values chosen for it now.

    Declarations return the value to use; inactive conditional hyperparameters return None
    (as in KerasTuner) so nothing relies on them.

    Attributes:
        values: dict of the active hyperparameters' values, in declaration order.
        trial: the Optuna trial that samples values (`from_trial`), else None.

    Example:
        >>> hp = HyperParameters()
        >>> hp.Int("units", 32, 512, step=32)
        32
        >>> hp.Choice("activation", ["relu", "tanh"])
        'relu'
        >>> hp.values
        {'units': 32, 'activation': 'relu'}
        >>> HyperParameters.from_values({"units": 64}).Int("units", 32, 512, step=32)
        64
    """

    def __init__(self):
        self._space = []
        self._by_name = defaultdict(list)
        self.values = {}
        self._conditions = []
        self._name_scopes = []
        self.trial = None
        self._given = None

    @classmethod
    def from_trial(cls, trial):
        """A container whose declarations are sampled by an Optuna trial (define-by-run).

        Args:
            trial: an `optuna.trial.Trial` (from `study.ask()` or an objective function).

        Returns:
            A `HyperParameters` whose `trial` is `trial`.
        """
        hp = cls()
        hp.trial = trial
        return hp

    @classmethod
    def from_values(cls, values):
        """A container whose declarations return `values[name]`, else their default.

        Args:
            values: dict name -> value (for example a best trial's `hp.values`).

        Returns:
            A `HyperParameters` in fixed-values mode; the space is still recorded.
        """
        if not isinstance(values, dict):
            raise ValueError(
                f"HyperParameters.from_values expected a dict; received {type(values).__name__}."
            )
        hp = cls()
        hp._given = dict(values)
        return hp

    @property
    def space(self):
        """The recorded hyperparameter descriptors, in declaration order."""
        return list(self._space)

    # -- scopes -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def name_scope(self, name):
        """Prefixes the names declared inside with `"name/"` (nestable)."""
        self._name_scopes.append(name)
        try:
            yield
        finally:
            self._name_scopes.pop()

    @contextlib.contextmanager
    def conditional_scope(self, parent_name, parent_values):
        """Makes the hyperparameters declared inside active only for some parent values.

        Nestable: inside nested scopes every enclosing condition must hold. Inactive
        hyperparameters are recorded, not sampled, and return None.

        Args:
            parent_name: a hyperparameter declared before.
            parent_values: a value or list of values of the parent that activate the block.

        Example:
            >>> hp = HyperParameters()
            >>> model = hp.Choice("model", ["linear", "mlp"])
            >>> with hp.conditional_scope("model", ["mlp"]):
            ...     print(hp.Int("units", 8, 64))
            None
            >>> hp.is_active("units")
            False
        """
        parent_name = self._full_name(parent_name)
        if parent_name not in self._by_name:
            raise ValueError(
                f"conditional_scope expected a parent hyperparameter declared before; "
                f"'{parent_name}' is not declared (declared: {list(self._by_name)})."
            )
        self._conditions.append(Parent(parent_name, parent_values))
        try:
            yield
        finally:
            self._conditions.pop()

    @contextlib.contextmanager
    def _maybe_scope(self, parent_name, parent_values):
        if parent_name is None:
            yield
        else:
            with self.conditional_scope(parent_name, parent_values):
                yield

    def _full_name(self, name):
        return "/".join([*self._name_scopes, str(name)])

    # -- declarations -------------------------------------------------------------------------

    def Int(
        self,
        name,
        min_value,
        max_value,
        step=None,
        sampling="linear",
        default=None,
        parent_name=None,
        parent_values=None,
    ):
        """Declares an integer in `[min_value, max_value]` and returns its value now.

        Args:
            name: the name.
            min_value: the lower bound (inclusive).
            max_value: the upper bound (inclusive).
            step: the distance between values, or the multiplier with log sampling.
            sampling: `"linear"`, `"log"` or `"reverse_log"`.
            default: the default value (`min_value` when None).
            parent_name: optional parent, as with `conditional_scope`.
            parent_values: the parent values that activate this hyperparameter.

        Returns:
            The value, or None when inactive.
        """
        return self._declare(
            Int,
            parent_name,
            parent_values,
            name=name,
            min_value=min_value,
            max_value=max_value,
            step=step,
            sampling=sampling,
            default=default,
        )

    def Float(
        self,
        name,
        min_value,
        max_value,
        step=None,
        sampling="linear",
        default=None,
        parent_name=None,
        parent_values=None,
    ):
        """Declares a float in `[min_value, max_value]` and returns its value now.

        Args:
            name: the name.
            min_value: the lower bound.
            max_value: the upper bound.
            step: None (continuous), the distance between values, or the multiplier with log
                sampling.
            sampling: `"linear"`, `"log"` or `"reverse_log"`.
            default: the default value (`min_value` when None).
            parent_name: optional parent, as with `conditional_scope`.
            parent_values: the parent values that activate this hyperparameter.

        Returns:
            The value, or None when inactive.
        """
        return self._declare(
            Float,
            parent_name,
            parent_values,
            name=name,
            min_value=min_value,
            max_value=max_value,
            step=step,
            sampling=sampling,
            default=default,
        )

    def Choice(
        self, name, values, ordered=None, default=None, parent_name=None, parent_values=None
    ):
        """Declares a choice among `values` (one type) and returns the value now.

        Args:
            name: the name.
            values: a non-empty list of ints, floats, strs or bools.
            ordered: whether the values are ordered (True for numbers by default).
            default: the default value (the first value when None).
            parent_name: optional parent, as with `conditional_scope`.
            parent_values: the parent values that activate this hyperparameter.

        Returns:
            The value, or None when inactive.
        """
        return self._declare(
            Choice,
            parent_name,
            parent_values,
            name=name,
            values=values,
            ordered=ordered,
            default=default,
        )

    def Boolean(self, name, default=False, parent_name=None, parent_values=None):
        """Declares a boolean and returns its value now.

        Args:
            name: the name.
            default: the default value.
            parent_name: optional parent, as with `conditional_scope`.
            parent_values: the parent values that activate this hyperparameter.

        Returns:
            The value, or None when inactive.
        """
        return self._declare(Boolean, parent_name, parent_values, name=name, default=default)

    def Fixed(self, name, value, parent_name=None, parent_values=None):
        """Declares a constant (recorded, never tuned) and returns it.

        Args:
            name: the name.
            value: an int, float, str or bool.
            parent_name: optional parent, as with `conditional_scope`.
            parent_values: the parent values that activate this hyperparameter.

        Returns:
            `value`, or None when inactive.
        """
        return self._declare(Fixed, parent_name, parent_values, name=name, value=value)

    def _declare(self, cls, parent_name, parent_values, name, **kwargs):
        with self._maybe_scope(parent_name, parent_values):
            name = self._full_name(name)
            for condition in self._conditions:
                if condition.name == name:
                    raise ValueError(
                        f"A conditional hyperparameter cannot be named like its parent; "
                        f"received '{name}' inside conditional_scope('{name}', ...)."
                    )
            hp = cls(name=name, conditions=list(self._conditions), **kwargs)
            return self._retrieve(hp)

    def _retrieve(self, hp):
        for known in self._by_name[hp.name]:
            if known.conditions == hp.conditions:
                if not known.same_range(hp):
                    raise ValueError(_conflict(known, hp))
                return self.values.get(hp.name) if hp.is_active(self.values) else None
        return self._register(hp)

    def _register(self, hp):
        if hp.is_active(self.values) and hp.name in self.values:
            # Another active branch declared the name: it is the same hyperparameter, which
            # Optuna can only sample with one distribution.
            active = next((k for k in self._by_name[hp.name] if k.is_active(self.values)), hp)
            if not active.same_range(hp):
                raise ValueError(_conflict(active, hp))
        self._by_name[hp.name].append(hp)
        self._space.append(hp)
        if not hp.is_active(self.values):
            return None  # inactive: never sampled, and nothing may rely on its value
        if hp.name not in self.values:
            self.values[hp.name] = self._choose(hp)
        return self.values[hp.name]

    def _choose(self, hp):
        if self.trial is not None:
            return _space.suggest(self.trial, hp)
        if self._given is not None and hp.name in self._given:
            return self._given[hp.name]
        return hp.default

    # -- reading ------------------------------------------------------------------------------

    def get(self, name):
        """The current value of an active hyperparameter.

        Raises:
            ValueError: when `name` is declared but inactive.
            KeyError: when `name` was never declared.
        """
        name = self._full_name(name)
        if name in self.values:
            return self.values[name]
        if name in self._by_name:
            raise ValueError(f"Hyperparameter '{name}' is currently inactive.")
        raise KeyError(f"Hyperparameter '{name}' does not exist.")

    def __getitem__(self, name):
        return self.get(name)

    def __contains__(self, name):
        return self._full_name(name) in self.values

    def is_active(self, hyperparameter):
        """Whether a hyperparameter (a name or a descriptor) is active now."""
        if isinstance(hyperparameter, HyperParameter):
            return hyperparameter.is_active(self.values)
        return any(p.is_active(self.values) for p in self._by_name.get(str(hyperparameter), []))

    # -- copies and configs -------------------------------------------------------------------

    def copy(self):
        """A copy with the same space, values and mode (trial or given values)."""
        hp = HyperParameters.from_config(self.get_config())
        hp.trial = self.trial
        hp._given = None if self._given is None else dict(self._given)
        return hp

    def get_config(self):
        """The space and the active values as JSON values (KerasTuner's layout)."""
        return {
            "space": [
                {"class_name": type(p).__name__, "config": p.get_config()} for p in self._space
            ],
            "values": dict(self.values),
        }

    @classmethod
    def from_config(cls, config):
        """A recording-mode container with the space and values of `get_config()`.

        Declaring a known hyperparameter again returns the stored value.
        """
        hp = cls()
        for item in config["space"]:
            p = deserialize(item)
            hp._by_name[p.name].append(p)
            hp._space.append(p)
        hp.values = dict(config["values"])
        return hp

    def __repr__(self):
        mode = (
            "trial"
            if self.trial is not None
            else "values"
            if self._given is not None
            else "recording"
        )
        return f"HyperParameters(mode={mode!r}, space={len(self._space)}, values={self.values!r})"


def _conflict(known, new):
    return (
        f"Hyperparameter '{new.name}' is declared twice with different ranges: first "
        f"{known!r}, now {new!r}."
    )
