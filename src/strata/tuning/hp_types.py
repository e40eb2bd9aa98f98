"""Hyperparameter descriptors: `Int`, `Float`, `Choice`, `Boolean`, `Fixed`.

A descriptor only describes a range; `HyperParameters` decides which value is used now. The
descriptors' configs use KerasTuner's keys so `search_space_summary()` prints the same text.
"""

from __future__ import annotations

import math
from decimal import Decimal

from strata.tuning.conditions import Parent

SAMPLINGS = ("linear", "log", "reverse_log")
_CHOICE_TYPES = (bool, int, float, str)


def _clean_float(x):
    # Geometric grids (0.001 * 10**3) pick up binary noise; 12 significant digits remove it.
    return float(f"{x:.12g}")


class HyperParameter:
    """Base of the descriptors: a name, a default and the conditions that activate it.

    Args:
        name: the hyperparameter's name.
        default: the value used when nothing else chooses one.
        conditions: a list of `Parent` conditions (all must hold for it to be active).
    """

    def __init__(self, name, default=None, conditions=None):
        if not isinstance(name, str) or not name:
            raise ValueError(f"A hyperparameter name must be a non-empty str; received {name!r}.")
        self.name = name
        self._default = default
        self.conditions = [
            c if isinstance(c, Parent) else Parent.from_config(c["config"])
            for c in (conditions or [])
        ]

    @property
    def default(self):
        """The value used in recording mode and when the hyperparameter is not chosen."""
        return self._default

    def is_active(self, values):
        """Whether every condition holds for the active `values` dict."""
        return all(c.is_active(values) for c in self.conditions)

    def get_config(self):
        """Returns the constructor arguments as JSON values (KerasTuner's keys)."""
        # KerasTuner writes the resolved default (Int overrides this with the raw one).
        return {
            "name": self.name,
            "default": self.default,
            "conditions": [
                {"class_name": "Parent", "config": c.get_config()} for c in self.conditions
            ],
        }

    @classmethod
    def from_config(cls, config):
        """Rebuilds a descriptor from `get_config()`."""
        return cls(**config)

    def same_range(self, other):
        """Whether `other` describes the same range (conditions aside)."""
        if type(other) is not type(self):
            return False
        mine, theirs = self.get_config(), other.get_config()
        mine.pop("conditions"), theirs.pop("conditions")
        return mine == theirs

    def grid_values(self):
        """Every value this hyperparameter can take, in order (for grid search)."""
        raise NotImplementedError

    def __eq__(self, other):
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __repr__(self):
        config = self.get_config()
        config.pop("conditions")
        if self.conditions:
            config["conditions"] = self.conditions
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"


class _Numerical(HyperParameter):
    """Shared checks and value grids of `Int` and `Float`."""

    def __init__(
        self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs
    ):
        super().__init__(name=name, default=default, **kwargs)
        kind = type(self).__name__
        sampling = "linear" if sampling is None else str(sampling).lower()
        if sampling not in SAMPLINGS:
            raise ValueError(
                f"{kind}('{name}') expected sampling in {list(SAMPLINGS)}; received {sampling!r}."
            )
        if min_value > max_value:
            raise ValueError(
                f"{kind}('{name}') expected min_value <= max_value; received "
                f"min_value={min_value}, max_value={max_value}."
            )
        if sampling != "linear" and min_value <= 0:
            raise ValueError(
                f"{kind}('{name}') with sampling='{sampling}' expected min_value > 0; "
                f"received min_value={min_value}."
            )
        if step is not None:
            if sampling == "linear" and step <= 0:
                raise ValueError(f"{kind}('{name}') expected step > 0; received step={step}.")
            # With log sampling KerasTuner's step is a multiplier between neighbours.
            if sampling != "linear" and step <= 1:
                raise ValueError(
                    f"{kind}('{name}') with sampling='{sampling}' expected step > 1 (a "
                    f"multiplier); received step={step}."
                )
        if default is not None and not min_value <= default <= max_value:
            raise ValueError(
                f"{kind}('{name}') expected a default in [{min_value}, {max_value}]; "
                f"received default={default}."
            )
        self.min_value = min_value
        self.max_value = max_value
        self.step = step
        self.sampling = sampling

    @property
    def default(self):
        return self.min_value if self._default is None else self._default

    def get_config(self):
        config = super().get_config()
        config.update(
            min_value=self.min_value,
            max_value=self.max_value,
            step=self.step,
            sampling=self.sampling,
        )
        return config

    def _n_steps(self):
        """How many values a stepped range holds (KerasTuner's count, max_value inclusive)."""
        if self.sampling == "linear":
            span = Decimal(str(self.max_value)) - Decimal(str(self.min_value))
            return int(span // Decimal(str(self.step))) + 1
        # A tiny epsilon so that log(1000, 10) = 2.9999999999999996 counts 4 values.
        return int(math.log(self.max_value / self.min_value, self.step) + 1e-8) + 1

    def _stepped_value(self, index):
        if self.sampling == "linear":
            value = Decimal(str(self.min_value)) + index * Decimal(str(self.step))
            return self._cast(value)
        rise = self.min_value * self.step**index
        if self.sampling == "log":
            return self._cast(rise)
        return self._cast(self.max_value + self.min_value - rise)

    def stepped_values(self):
        """The finite list of values of a stepped range (step required)."""
        return [self._stepped_value(i) for i in range(self._n_steps())]

    def _at_quantile(self, prob, max_value):
        """The value at cumulative probability `prob` of the sampling (KerasTuner's maps)."""
        low = self.min_value
        if self.sampling == "linear":
            return low + prob * (max_value - low)
        if self.sampling == "log":
            return low * (max_value / low) ** prob
        return max_value + low - low * (max_value / low) ** (1 - prob)

    def grid_values(self):
        """The stepped values; without a step, 10 evenly spread quantiles as KerasTuner's
        grid search takes (quantiles 0.05, 0.15, ..., 0.95 of the sampling), ascending."""
        if self.step is not None:
            return self.stepped_values()
        return sorted({self._quantile_value(0.05 + 0.1 * i) for i in range(10)})


class Int(_Numerical):
    """An integer hyperparameter in `[min_value, max_value]` (both inclusive).

    Args:
        name: the name.
        min_value: the lower bound (an int).
        max_value: the upper bound (an int, included).
        step: the distance between values (linear sampling: defaults to 1) or, with
            `sampling="log"`/`"reverse_log"`, the multiplier between neighbouring values.
        sampling: `"linear"`, `"log"` or `"reverse_log"`.
        default: the default value; `min_value` when None.
        conditions: a list of `Parent` conditions.

    Example:
        >>> Int("units", 8, 32, step=8).grid_values()
        [8, 16, 24, 32]
        >>> Int("batch", 2, 32, step=2, sampling="log").grid_values()
        [2, 4, 8, 16, 32]
    """

    def __init__(
        self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs
    ):
        min_value = _check_int(name, "min_value", min_value)
        max_value = _check_int(name, "max_value", max_value)
        sampling = "linear" if sampling is None else str(sampling).lower()
        if step is not None:
            step = _check_int(name, "step", step)
        elif sampling == "linear":
            step = 1
        if default is not None:
            default = _check_int(name, "default", default)
        super().__init__(
            name, min_value, max_value, step=step, sampling=sampling, default=default, **kwargs
        )

    @staticmethod
    def _cast(value):
        return int(round(value))

    def get_config(self):
        config = super().get_config()
        config["default"] = self._default  # KerasTuner's Int keeps None when unspecified
        return config

    def _quantile_value(self, prob):
        # KerasTuner's integer map: the range is [min_value, max_value + 1), truncated.
        return int(self._at_quantile(prob, self.max_value + 1))


def _check_int(name, arg, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ValueError(f"Int('{name}') expected an int {arg}; received {value!r}.")
    return int(value)


class Float(_Numerical):
    """A float hyperparameter in `[min_value, max_value]`.

    Args:
        name: the name.
        min_value: the lower bound.
        max_value: the upper bound.
        step: None (continuous) or the distance between values; with `sampling="log"` /
            `"reverse_log"`, the multiplier between neighbouring values.
        sampling: `"linear"`, `"log"` or `"reverse_log"` (values crowd near `max_value`).
        default: the default value; `min_value` when None.
        conditions: a list of `Parent` conditions.

    Example:
        >>> Float("dropout", 0.0, 0.5, step=0.1).grid_values()
        [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    """

    def __init__(
        self, name, min_value, max_value, step=None, sampling="linear", default=None, **kwargs
    ):
        for arg, value in (
            ("min_value", min_value),
            ("max_value", max_value),
            ("step", step),
            ("default", default),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise ValueError(f"Float('{name}') expected a number {arg}; received {value!r}.")
        min_value, max_value = float(min_value), float(max_value)
        step = None if step is None else float(step)
        default = None if default is None else float(default)
        super().__init__(
            name, min_value, max_value, step=step, sampling=sampling, default=default, **kwargs
        )

    @staticmethod
    def _cast(value):
        return _clean_float(float(value))

    def _quantile_value(self, prob):
        return _clean_float(self._at_quantile(prob, self.max_value))


class Choice(HyperParameter):
    """One of a list of values, all of one type (int, float, str or bool).

    Args:
        name: the name.
        values: the non-empty list of values; `None` may be one of them.
        ordered: whether the values are ordered; True for numbers, must be False otherwise.
        default: the default value; the first value when None.
        conditions: a list of `Parent` conditions.

    Example:
        >>> Choice("activation", ["relu", "tanh"]).default
        'relu'
    """

    def __init__(self, name, values, ordered=None, default=None, **kwargs):
        super().__init__(name=name, default=default, **kwargs)
        values = list(values) if isinstance(values, (list, tuple)) else values
        if not isinstance(values, list) or not values:
            raise ValueError(
                f"Choice('{name}') expected a non-empty list of values; received {values!r}."
            )
        types = {type(v) for v in values if v is not None}
        if len(types) > 1 or not types <= set(_CHOICE_TYPES):
            raise ValueError(
                f"Choice('{name}') expected values of one type among int, float, str, bool "
                f"(None allowed); received {values!r} with types "
                f"{sorted(t.__name__ for t in types)}."
            )
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"Choice('{name}') expected distinct values; received {values!r}.")
        if default is not None and default not in values:
            raise ValueError(
                f"Choice('{name}') expected a default among {values}; received {default!r}."
            )
        # KerasTuner counts bools as numbers here (bool is an int).
        numeric = bool(types) and issubclass(types.pop(), (int, float))
        if ordered and not numeric:
            raise ValueError(
                f"Choice('{name}') expected ordered=False for non-numeric values; "
                f"received ordered={ordered}."
            )
        self.values = values
        self.ordered = numeric if ordered is None else bool(ordered)

    @property
    def default(self):
        return self.values[0] if self._default is None else self._default

    def get_config(self):
        config = super().get_config()
        config.update(values=list(self.values), ordered=self.ordered)
        return config

    def grid_values(self):
        return list(self.values)


class Boolean(HyperParameter):
    """True or False.

    Args:
        name: the name.
        default: the default value (False).
        conditions: a list of `Parent` conditions.

    Example:
        >>> Boolean("use_bias").grid_values()
        [False, True]
    """

    def __init__(self, name, default=False, **kwargs):
        if not isinstance(default, bool):
            raise ValueError(f"Boolean('{name}') expected a bool default; received {default!r}.")
        super().__init__(name=name, default=default, **kwargs)

    def grid_values(self):
        return [False, True]


class Fixed(HyperParameter):
    """A constant recorded in the search space (not tuned).

    Args:
        name: the name.
        value: the value: an int, float, str or bool.
        conditions: a list of `Parent` conditions.

    Example:
        >>> Fixed("optimizer", "adam").default
        'adam'
    """

    def __init__(self, name, value, **kwargs):
        if not isinstance(value, _CHOICE_TYPES):
            raise ValueError(
                f"Fixed('{name}') expected an int, float, str or bool value; received {value!r}."
            )
        kwargs.pop("default", None)
        super().__init__(name=name, default=value, **kwargs)
        self.value = value

    def get_config(self):
        config = super().get_config()
        config.pop("default")
        config["value"] = self.value
        return config

    def grid_values(self):
        return [self.value]


TYPES = {cls.__name__: cls for cls in (Int, Float, Choice, Boolean, Fixed)}


def deserialize(config):
    """Rebuilds a descriptor from `{"class_name": ..., "config": ...}`."""
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in TYPES:
        raise ValueError(
            f"Expected a hyperparameter class_name among {sorted(TYPES)}; received {name!r}."
        )
    return TYPES[name].from_config(dict(config["config"]))
