"""The bridge between hyperparameter descriptors and Optuna.

Optuna samples define-by-run: a value is drawn the moment `suggest_*` is called, so a
descriptor is turned into a suggestion when the model-building code declares it. Two kinds of
hyperparameter have no native Optuna distribution:

- `Fixed`: recorded as the trial user attribute `"fixed:<name>"`.
- `sampling="reverse_log"` without a step: Optuna draws `y` log-uniformly on
  `[min_value, max_value]` under the parameter name `"reverse_log:<name>"` and the value is
  `max_value + min_value - y`, so values crowd near `max_value`.

A log or reverse-log range *with* a step (KerasTuner's step is then a multiplier) becomes a
categorical over its finite value list, since Optuna forbids `log=True` with a step.
`values_from_trial` and `to_params` convert between hyperparameter values and Optuna params.
"""

from __future__ import annotations

from decimal import Decimal

try:
    import optuna
except ImportError as error:  # Optuna is optional for strata, required for strata.tuning
    raise ImportError(
        "strata.tuning needs Optuna; install it with `pip install optuna` or "
        "`pip install strata[extras]`."
    ) from error

from strata.tuning.hp_types import Boolean, Choice, Fixed, Float, Int

FIXED_PREFIX = "fixed:"
REVERSE_LOG_PREFIX = "reverse_log:"


def _mirrored(hp):
    """Whether `hp` is sampled through the mirrored `reverse_log:` parameter."""
    return isinstance(hp, (Int, Float)) and hp.sampling == "reverse_log" and hp.step is None


def param_name(hp):
    """The Optuna parameter name under which `hp` is sampled (None for `Fixed`)."""
    if isinstance(hp, Fixed):
        return None
    return REVERSE_LOG_PREFIX + hp.name if _mirrored(hp) else hp.name


def distribution(hp):
    """The Optuna distribution that samples `hp` (None for `Fixed`).

    Example:
        >>> distribution(Int("units", 8, 64, step=8))
        IntDistribution(high=64, log=False, low=8, step=8)
    """
    if isinstance(hp, Fixed):
        return None
    if isinstance(hp, Boolean):
        return optuna.distributions.CategoricalDistribution([False, True])
    if isinstance(hp, Choice):
        return optuna.distributions.CategoricalDistribution(hp.values)
    if hp.step is not None and hp.sampling != "linear":
        return optuna.distributions.CategoricalDistribution(hp.stepped_values())
    log = hp.sampling != "linear"  # reverse_log samples the mirrored value log-uniformly
    if isinstance(hp, Int):
        if log:
            return optuna.distributions.IntDistribution(hp.min_value, hp.max_value, log=True)
        high = hp.stepped_values()[-1]  # Optuna wants high on the step grid
        return optuna.distributions.IntDistribution(hp.min_value, high, step=hp.step)
    if hp.step is not None:
        high = hp.stepped_values()[-1]
        return optuna.distributions.FloatDistribution(hp.min_value, high, step=hp.step)
    return optuna.distributions.FloatDistribution(hp.min_value, hp.max_value, log=log)


def suggest(trial, hp):
    """Samples `hp` on an Optuna trial (define-by-run) and returns its value."""
    if isinstance(hp, Fixed):
        trial.set_user_attr(FIXED_PREFIX + hp.name, hp.value)
        return hp.value
    dist = distribution(hp)
    name = param_name(hp)
    if isinstance(dist, optuna.distributions.CategoricalDistribution):
        return trial.suggest_categorical(name, list(dist.choices))
    if isinstance(dist, optuna.distributions.IntDistribution):
        value = trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
    else:
        value = trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)
        value = _snap(value, dist)
    if _mirrored(hp):
        value = hp.max_value + hp.min_value - value
    return value


def _snap(value, dist):
    """A stepped float exactly on its grid: Optuna returns `0.6000000000000001` for 0.6."""
    if not isinstance(dist, optuna.distributions.FloatDistribution) or dist.step is None:
        return value
    low, step = Decimal(str(dist.low)), Decimal(str(dist.step))
    return float(low + round((Decimal(str(value)) - low) / step) * step)


def values_from_trial(trial):
    """The hyperparameter values of an Optuna `Trial` or `FrozenTrial` (sampled and fixed).

    Undoes the `reverse_log:` mirroring and adds the `fixed:` user attributes, so the result
    can be passed to `HyperParameters.from_values` to rebuild the trial's model.
    """
    values = {}
    for name, value in trial.params.items():
        dist = trial.distributions[name]
        if name.startswith(REVERSE_LOG_PREFIX):
            name = name[len(REVERSE_LOG_PREFIX) :]
            value = dist.high + dist.low - value
        values[name] = _snap(value, dist)
    for key, value in trial.user_attrs.items():
        if key.startswith(FIXED_PREFIX):
            values[key[len(FIXED_PREFIX) :]] = value
    return values


def to_params(hp, values):
    """Optuna params (for `study.enqueue_trial`) for hyperparameter `values` of `hp`'s space.

    Fixed hyperparameters are left out (they are no Optuna parameters); reverse-log ones are
    mirrored to their `reverse_log:` parameter.
    """
    params = {}
    descriptors = {}
    for p in hp.space:
        descriptors.setdefault(p.name, p)
    for name, value in values.items():
        p = descriptors.get(name)
        if p is None or isinstance(p, Fixed):
            continue
        if _mirrored(p):
            params[param_name(p)] = p.max_value + p.min_value - value
        else:
            params[name] = value
    return params


def distributions(hp):
    """The Optuna distributions of the recorded space, keyed by Optuna parameter name.

    `Fixed` hyperparameters have none and are left out. When one name is declared in two
    conditional branches, the first declaration's distribution is kept.

    Example:
        >>> from strata.tuning import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Boolean("shuffle")
        >>> distributions(hp)
        {'shuffle': CategoricalDistribution(choices=(False, True))}
    """
    result = {}
    for p in hp.space:
        name = param_name(p)
        if name is not None and name not in result:
            result[name] = distribution(p)
    return result


def grid_options(p):
    """The values grid search tries for descriptor `p`: its default, then `p.grid_values()`.

    As in KerasTuner's grid search the default comes first (so the first combination is the
    defaults) and is tried even when the grid would not reach it (`Float` without a step).
    """
    default = p.default
    return [default] + [v for v in p.grid_values() if v != default]


def grid(hp):
    """Every combination of the recorded space's values, conditional branches included.

    A conditional hyperparameter is only combined where its parents' values activate it, so
    each dict holds exactly the active hyperparameters of one combination (by name, in
    declaration order). Each hyperparameter takes the values of `grid_options`: stepped ranges
    are exhausted; a `Float` without a step, or a log-sampled `Int` without one, gets 10
    quantiles of its sampling, as in KerasTuner. The first combination is the defaults. Only
    the space recorded so far is enumerated: hyperparameters a build declares only on some
    other path are not known yet.

    Example:
        >>> from strata.tuning import HyperParameters
        >>> hp = HyperParameters()
        >>> model = hp.Choice("model", ["linear", "mlp"])
        >>> with hp.conditional_scope("model", "mlp"):
        ...     _ = hp.Int("units", 8, 16, step=8)
        >>> grid(hp)
        [{'model': 'linear'}, {'model': 'mlp', 'units': 8}, {'model': 'mlp', 'units': 16}]
    """
    return list(iter_grid(hp))


def iter_grid(hp):
    """Yields the combinations of `grid(hp)` one at a time, without listing them all.

    Example:
        >>> from strata.tuning import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Int("layers", 1, 1000)
        >>> next(iter_grid(hp))
        {'layers': 1}
    """
    space = list(hp.space)
    options = [grid_options(p) for p in space]  # validates every descriptor up front
    values = {}

    def expand(index):
        if index == len(space):
            yield dict(values)
            return
        p = space[index]
        if p.name in values or not p.is_active(values):
            yield from expand(index + 1)
            return
        for value in options[index]:
            values[p.name] = value
            yield from expand(index + 1)
            del values[p.name]

    yield from expand(0)


def describe_space(hp):
    """The search space summary KerasTuner's `search_space_summary()` prints.

    Example:
        >>> from strata.tuning import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Int("units", 32, 64, step=32)
        >>> print(describe_space(hp))
        Search space summary
        Default search space size: 1
        units (Int)
        {'default': None, 'conditions': [], 'min_value': 32, 'max_value': 64, 'step': 32, \
'sampling': 'linear'}
    """
    lines = ["Search space summary", f"Default search space size: {len(hp.space)}"]
    for p in hp.space:
        config = p.get_config()
        name = config.pop("name")
        lines.append(f"{name} ({type(p).__name__})")
        lines.append(str(config))
    return "\n".join(lines)
