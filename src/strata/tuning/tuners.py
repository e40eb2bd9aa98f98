"""KerasTuner's tuners (and TPESearch) as choices of Optuna sampler and pruner."""

from __future__ import annotations

import math
import warnings

import optuna

from strata.tuning._worker import budget_used
from strata.tuning.hyperparameters import grid
from strata.tuning.tuner import Tuner

_WAITING = optuna.trial.TrialState.WAITING


class RandomSearch(Tuner):
    """Random search: every trial draws its hyperparameters independently (Optuna's
    `RandomSampler(seed)`). Arguments as `Tuner`.

    Example:
        >>> import tempfile
        >>> tuner = RandomSearch(lambda hp: None, objective="val_loss",
        ...                      directory=tempfile.mkdtemp(), verbose=0)
        >>> type(tuner.study.sampler).__name__
        'RandomSampler'
    """

    def _make_sampler(self, seed):
        return optuna.samplers.RandomSampler(seed=seed)


class TPESearch(Tuner):
    """Tree-structured Parzen Estimator search (Hyperopt's algorithm; Optuna's
    `TPESampler(seed)`). strata's own tuner: KerasTuner has none. Arguments as `Tuner`.

    Example:
        >>> import tempfile
        >>> tuner = TPESearch(lambda hp: None, directory=tempfile.mkdtemp(), verbose=0)
        >>> type(tuner.study.sampler).__name__, tuner.objective.name
        ('TPESampler', 'val_loss')
    """

    def _make_sampler(self, seed):
        return optuna.samplers.TPESampler(seed=seed)


class BayesianOptimization(Tuner):
    """Gaussian-process Bayesian optimization (Optuna's `GPSampler`).

    Args:
        hypermodel, objective, max_trials, seed, **kwargs: as `Tuner`.
        num_initial_points: random trials before the Gaussian process takes over (None:
            KerasTuner's rule, 3 per hyperparameter and at least 3).
        alpha: accepted for KerasTuner compatibility; Optuna's GP fits its own noise level.
        beta: accepted for KerasTuner compatibility; Optuna's GP uses its own acquisition
            function (log expected improvement), not an upper confidence bound.

    Example:
        >>> import tempfile
        >>> tuner = BayesianOptimization(lambda hp: None, num_initial_points=4,
        ...                              directory=tempfile.mkdtemp(), verbose=0)
        >>> type(tuner.study.sampler).__name__
        'GPSampler'
    """

    def __init__(
        self,
        hypermodel=None,
        objective=None,
        max_trials=10,
        num_initial_points=None,
        alpha=1e-4,
        beta=2.6,
        seed=None,
        **kwargs,
    ):
        if num_initial_points is not None and (
            not isinstance(num_initial_points, int) or num_initial_points < 1
        ):
            raise ValueError(
                "num_initial_points must be a positive integer or None; "
                f"received {num_initial_points!r}."
            )
        self.num_initial_points = num_initial_points
        self.alpha = alpha
        self.beta = beta
        self._user_sampler = kwargs.get("sampler")
        super().__init__(hypermodel, objective, max_trials=max_trials, seed=seed, **kwargs)

    def _make_sampler(self, seed):
        return self._gp_sampler(seed, self.num_initial_points or 10)

    def _gp_sampler(self, seed, startup):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.GPSampler(seed=seed, n_startup_trials=startup)

    def _prepare_search(self, fit_args, fit_kwargs):
        super()._prepare_search(fit_args, fit_kwargs)
        if self.num_initial_points is None and self._user_sampler is None and not self._native:
            # KerasTuner's rule needs the number of hyperparameters: known once build records.
            dimensions = len(self._recorded_space().space)
            self.study.sampler = self._gp_sampler(self._sampler_seed(), max(3 * dimensions, 3))


class GridSearch(Tuner):
    """Every point of the grid of `build(hp)`'s space, once each (enqueued Optuna trials).

    A continuous `hp.Float` without `step` has no grid: `grid(hp)` decides what it contributes.
    `max_trials` (None: the whole grid) caps the number of points run. Resuming skips the
    points already run. Arguments as `Tuner`.

    Example:
        >>> import tempfile
        >>> tuner = GridSearch(lambda hp: None, directory=tempfile.mkdtemp(), verbose=0)
        >>> tuner.max_trials is None
        True
    """

    def __init__(self, hypermodel=None, objective=None, max_trials=None, seed=None, **kwargs):
        super().__init__(hypermodel, objective, max_trials=max_trials, seed=seed, **kwargs)
        if self._native:
            raise ValueError(
                "GridSearch needs a build(hp) function or a HyperModel to list the grid; an "
                "Optuna build(trial) has no space before it runs (use "
                "sampler=optuna.samplers.GridSampler(...) with another tuner)."
            )

    def _make_sampler(self, seed):
        return optuna.samplers.RandomSampler(seed=seed)

    def _prepare_search(self, fit_args, fit_kwargs):
        super()._prepare_search(fit_args, fit_kwargs)
        points = grid(self._recorded_space())
        budget = len(points) if self.max_trials is None else min(self.max_trials, len(points))
        self._worker.max_trials = budget
        # Under the study's lock: several workers preparing the same grid queue each point once.
        with self._worker.lock:
            trials = self.study.get_trials(deepcopy=False)
            # Points already run or queued (a queued trial keeps its point in "fixed_params").
            taken = [
                frozen.params or frozen.system_attrs.get("fixed_params", {}) for frozen in trials
            ]
            room = budget - budget_used(trials)
            for point in points:
                if room <= 0:
                    break
                if not any(_matches(point, params) for params in taken):
                    self.study.enqueue_trial(point)
                    taken.append(point)
                    room -= 1


def _matches(point, params):
    return all(name in params and params[name] == value for name, value in point.items())


def hyperband_trials(max_epochs, factor, hyperband_iterations):
    """KerasTuner's count of new configurations in a Hyperband run (see docs/tuning.md)."""
    brackets, epochs = 0, max_epochs
    while epochs >= 1:
        epochs /= factor
        brackets += 1
    last_round = math.ceil(1 + math.log(max_epochs, factor))
    per_iteration = sum(
        math.ceil(last_round / (bracket + 1) * factor**bracket) for bracket in range(brackets)
    )
    return hyperband_iterations * per_iteration


class Hyperband(Tuner):
    """Hyperband: random configurations, each fitted for `max_epochs` epochs and stopped early
    by Optuna's `HyperbandPruner(1, max_epochs, factor)`.

    Args:
        hypermodel, objective, seed, **kwargs: as `Tuner`.
        max_epochs: epochs of every fit (replaces `epochs` given to `search`).
        factor: the reduction factor between rounds.
        hyperband_iterations: how many times KerasTuner would run the brackets; scales the
            default `max_trials`.
        max_trials: (keyword) None: `hyperband_trials(max_epochs, factor, iterations)`.

    Example:
        >>> hyperband_trials(max_epochs=9, factor=3, hyperband_iterations=1)
        17
    """

    def __init__(
        self,
        hypermodel=None,
        objective=None,
        max_epochs=100,
        factor=3,
        hyperband_iterations=1,
        seed=None,
        **kwargs,
    ):
        for name, value, low in (
            ("max_epochs", max_epochs, 1),
            ("factor", factor, 2),
            ("hyperband_iterations", hyperband_iterations, 1),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}; received {value!r}.")
        if kwargs.get("pruner") is not None:
            raise ValueError("Hyperband chooses its own pruner; do not pass pruner=.")
        self.max_epochs = max_epochs
        self.factor = factor
        self.hyperband_iterations = hyperband_iterations
        if kwargs.get("max_trials") is None:
            kwargs["max_trials"] = hyperband_trials(max_epochs, factor, hyperband_iterations)
        kwargs["pruner"] = optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max_epochs, reduction_factor=factor
        )
        super().__init__(hypermodel, objective, seed=seed, **kwargs)

    def _make_sampler(self, seed):
        return optuna.samplers.RandomSampler(seed=seed)

    def _prepare_search(self, fit_args, fit_kwargs):
        super()._prepare_search(fit_args, fit_kwargs)
        fit_kwargs["epochs"] = self.max_epochs
