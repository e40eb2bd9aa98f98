"""`Objective`: the metric a tuner optimizes and whether lower or higher is better."""

from __future__ import annotations

import math

# Names (after dropping "val_" and "weighted_") whose direction is known; see `_infer`.
_MAX_NAMES = frozenset(
    {
        "acc",
        "accuracy",
        "auc",
        "prc",
        "precision",
        "recall",
        "f1_score",
        "fbeta_score",
        "true_positives",
        "true_negatives",
        "r2_score",
        "iou",
        "mean_iou",
        "binary_iou",
        "one_hot_iou",
        "one_hot_mean_iou",
        "precision_at_recall",
        "recall_at_precision",
        "sensitivity_at_specificity",
        "specificity_at_sensitivity",
        "pearson_correlation",
        "concordance_correlation",
    }
)
_MIN_NAMES = frozenset(
    {
        "loss",
        "ce",
        "crossentropy",
        "mse",
        "mae",
        "mape",
        "msle",
        "rmse",
        "kld",
        "logcosh",
        "log_cosh",
        "hinge",
        "squared_hinge",
        "categorical_hinge",
        "poisson",
        "kl_divergence",
        "kullback_leibler_divergence",
        "huber",
        "false_positives",
        "false_negatives",
    }
)
# Substrings that mark a quantity to minimise, and name endings that mark one to maximise
# (Keras prefixes multi-output metrics with the output name: "out_a_accuracy").
_MIN_MARKS = ("loss", "error", "crossentropy")
_MAX_ENDINGS = ("accuracy", "_acc", "_auc", "_precision", "_recall", "_f1_score")


def _infer(name):
    """ "min", "max" or None for a metric name."""
    base = name[4:] if name.startswith("val_") else name
    base = base[9:] if base.startswith("weighted_") else base
    if base in _MAX_NAMES:
        return "max"
    if base in _MIN_NAMES or any(mark in base for mark in _MIN_MARKS):
        return "min"
    if base.endswith(_MAX_ENDINGS):
        return "max"
    return None


class Objective:
    """What a tuner optimizes: a metric name and a direction.

    Args:
        name: the metric's name in the training logs (for example `"val_accuracy"`).
        direction: `"min"` or `"max"`.

    Example:
        >>> objective = Objective("val_accuracy", direction="max")
        >>> objective
        Objective(name="val_accuracy", direction="max")
        >>> objective.is_better(0.9, 0.8), objective.optuna_direction
        (True, 'maximize')
        >>> Objective.resolve("val_loss")
        Objective(name="val_loss", direction="min")
    """

    def __init__(self, name, direction):
        if not isinstance(name, str) or not name:
            raise ValueError(f"Objective expected a non-empty str name; received {name!r}.")
        if direction not in ("min", "max"):
            raise ValueError(
                f"Objective('{name}') expected direction 'min' or 'max'; received {direction!r}."
            )
        self.name = name
        self.direction = direction

    @classmethod
    def resolve(cls, spec):
        """An `Objective` from an objective, a metric name, a list of them, or None.

        A metric name gets its direction from the name: losses and errors are minimised,
        accuracy-like metrics maximised, with or without the `"val_"` prefix. A list gives a
        `MultiObjective` (KerasTuner sums the objectives). None gives the default objective
        (`"default_objective"`, minimised): the value a `HyperModel.fit` returns as a number.

        Args:
            spec: an `Objective`, a str, a list of those, or None.

        Returns:
            An `Objective`.

        Example:
            >>> Objective.resolve("val_auc").direction
            'max'
        """
        if spec is None:
            return cls("default_objective", "min")
        if isinstance(spec, Objective):
            return spec
        if isinstance(spec, (list, tuple)):
            return MultiObjective([cls.resolve(s) for s in spec])
        if not isinstance(spec, str):
            raise ValueError(
                f"An objective is expected as a str, an Objective or a list of them; "
                f"received {spec!r}."
            )
        direction = _infer(spec)
        if direction is None:
            raise ValueError(
                f"Could not infer whether the objective '{spec}' is minimised or maximised; "
                f"pass kt.Objective('{spec}', direction='min') or direction='max'."
            )
        return cls(spec, direction)

    @property
    def optuna_direction(self):
        """`"minimize"` or `"maximize"` (Optuna's spelling of `direction`)."""
        return "minimize" if self.direction == "min" else "maximize"

    def has_value(self, logs):
        """Whether `logs` (a dict of metric values) holds this objective."""
        return self.name in logs

    def get_value(self, logs):
        """This objective's value in `logs`."""
        return logs[self.name]

    def is_better(self, a, b):
        """Whether objective value `a` is strictly better than `b` (NaN is never better)."""
        if isinstance(a, float) and math.isnan(a):
            return False
        if isinstance(b, float) and math.isnan(b):
            return True
        return a > b if self.direction == "max" else a < b

    better_than = is_better  # KerasTuner's name

    def get_config(self):
        """Returns `{"name": ..., "direction": ...}`."""
        return {"name": self.name, "direction": self.direction}

    @classmethod
    def from_config(cls, config):
        """Rebuilds an objective from `get_config()`."""
        return cls(**config)

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.name == self.name
            and other.direction == self.direction
        )

    def __hash__(self):
        return hash((self.name, self.direction))

    def __repr__(self):
        return f'Objective(name="{self.name}", direction="{self.direction}")'


class MultiObjective(Objective):
    """Several objectives folded into one minimised value, as KerasTuner does.

    The value is the sum of the minimised objectives minus the sum of the maximised ones.

    Args:
        objectives: a non-empty list of `Objective`s.

    Example:
        >>> multi = Objective.resolve(["val_loss", "val_accuracy"])
        >>> multi.get_value({"val_loss": 0.5, "val_accuracy": 0.75})
        -0.25
    """

    def __init__(self, objectives):
        objectives = list(objectives)
        if not objectives or not all(isinstance(o, Objective) for o in objectives):
            raise ValueError(
                f"MultiObjective expected a non-empty list of Objectives; received {objectives!r}."
            )
        super().__init__("multi_objective", "min")
        self.objectives = objectives

    def has_value(self, logs):
        return all(o.has_value(logs) for o in self.objectives)

    def get_value(self, logs):
        total = 0.0
        for o in self.objectives:
            sign = 1.0 if o.direction == "min" else -1.0
            total += sign * o.get_value(logs)
        return total

    def get_config(self):
        return {"objectives": [o.get_config() for o in self.objectives]}

    @classmethod
    def from_config(cls, config):
        return cls([Objective.from_config(c) for c in config["objectives"]])

    def __eq__(self, other):
        key = sorted((o.name, o.direction) for o in self.objectives)
        return isinstance(other, MultiObjective) and key == sorted(
            (o.name, o.direction) for o in other.objectives
        )

    def __hash__(self):
        return hash(tuple(sorted((o.name, o.direction) for o in self.objectives)))

    def __repr__(self):
        return f"MultiObjective({self.objectives!r})"
