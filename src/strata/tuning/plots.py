"""Matplotlib plots of an Optuna study: optimization history, importances, learning curves.

The figures follow Optuna's own matplotlib plots (titles, labels, the best-so-far line), but
are drawn here on an `Axes` the caller may pass, so that several plots can share one figure;
`optuna.visualization.matplotlib` always opens its own figure and switches matplotlib's global
style to ggplot. The numbers come from Optuna: the trials and
`optuna.importance.get_param_importances`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_intermediate_values", "plot_optimization_history", "plot_param_importances"]


def _axes(ax: Any):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(tight_layout=True)
    return ax


def _complete(study: Any) -> list:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def _target(study: Any, target: Callable | None, what: str) -> Callable:
    if target is not None:
        return target
    if len(study.directions) > 1:
        raise ValueError(
            f"{what} expected `target` (a function of a FrozenTrial returning one number) for a "
            f"study with {len(study.directions)} objectives; received target=None."
        )
    return lambda trial: trial.value


def _need(count: int, minimum: int, what: str, kind: str) -> None:
    if count < minimum:
        raise ValueError(
            f"{what} expected at least {minimum} {kind}; the study has {count}. Run more "
            "trials (study.optimize or tuner.search) first."
        )


def plot_optimization_history(
    study: Any,
    ax: Any = None,
    target: Callable | None = None,
    target_name: str = "Objective Value",
):
    """Plots every completed trial's score and the best score so far, against the trial number.

    Args:
        study: An `optuna.Study`.
        ax: Matplotlib `Axes` to draw on; a new figure when `None`.
        target: Function of a `FrozenTrial` giving the plotted number; needed for a
            multi-objective study. Default: the trial's value.
        target_name: Label of the y axis.

    Returns:
        The `Axes`: `ax.collections[0]` holds one point per completed trial, `ax.lines[0]` the
        best value so far (max or min following the study's direction; no line with `target`).

    Raises:
        ValueError: If the study has no completed trial, or several objectives and no `target`.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
        >>> ax = plot_optimization_history(study)
        >>> len(ax.collections[0].get_offsets())
        5
    """
    what = "plot_optimization_history"
    value_of = _target(study, target, what)
    trials = _complete(study)
    _need(len(trials), 1, what, "completed trial")
    numbers = [trial.number for trial in trials]
    values = np.asarray([value_of(trial) for trial in trials], dtype=np.float64)
    ax = _axes(ax)
    ax.set_title("Optimization History Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel(target_name)
    ax.scatter(numbers, values, label=target_name, color="tab:blue", alpha=0.8)
    if target is None:
        # A custom target has no known direction, so it gets no best-so-far line.
        maximize = study.direction.name == "MAXIMIZE"
        best = np.maximum.accumulate(values) if maximize else np.minimum.accumulate(values)
        ax.plot(numbers, best, label="Best Value", color="tab:red", drawstyle="steps-post")
    ax.legend()
    return ax


def plot_param_importances(
    study: Any,
    ax: Any = None,
    evaluator: Any = None,
    params: Sequence[str] | None = None,
    target: Callable | None = None,
    target_name: str = "Objective Value",
):
    """Plots each hyperparameter's importance for the score, as horizontal bars.

    Importances come from `optuna.importance.get_param_importances` (fANOVA by default, with a
    fixed seed here so that the same study gives the same plot) and sum to 1.

    Args:
        study: An `optuna.Study`.
        ax: Matplotlib `Axes` to draw on; a new figure when `None`.
        evaluator: An Optuna importance evaluator; default `FanovaImportanceEvaluator(seed=0)`.
        params: Names of the hyperparameters to assess; default all those of every trial.
        target: Function of a `FrozenTrial` giving the number to explain; needed for a
            multi-objective study. Default: the trial's value.
        target_name: Used in the x axis label.

    Returns:
        The `Axes`: one bar per hyperparameter (`ax.patches`), the most important on top, each
        labelled with its importance.

    Raises:
        ValueError: If the study has fewer than 2 completed trials, or no hyperparameter that
            every completed trial has.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        >>> study.optimize(
        ...     lambda t: t.suggest_float("x", -1, 1) ** 2 + 0.01 * t.suggest_float("y", 0, 1),
        ...     n_trials=10,
        ... )
        >>> ax = plot_param_importances(study)
        >>> [label.get_text() for label in ax.get_yticklabels()]
        ['y', 'x']
    """
    import optuna
    from optuna.importance import FanovaImportanceEvaluator

    what = "plot_param_importances"
    value_of = _target(study, target, what)
    trials = _complete(study)
    _need(len(trials), 2, what, "completed trials")
    shared = set.intersection(*(set(trial.params) for trial in trials))
    if not shared or (params is not None and not set(params) <= shared):
        raise ValueError(
            f"{what} expected hyperparameters that every completed trial has; common to all: "
            f"{sorted(shared)}, requested: {params if params is not None else 'all'}."
        )
    importances = optuna.importance.get_param_importances(
        study,
        evaluator=evaluator if evaluator is not None else FanovaImportanceEvaluator(seed=0),
        params=list(params) if params is not None else None,
        target=value_of if target is not None else None,
    )
    # Least important first: barh draws from the bottom up, so the most important is on top.
    names = list(reversed(importances))
    values = [importances[name] for name in names]
    ax = _axes(ax)
    ax.set_title("Hyperparameter Importances")
    ax.set_xlabel(f"Importance for {target_name}")
    ax.set_ylabel("Hyperparameter")
    bars = ax.barh(names, values, color="tab:blue")
    ax.bar_label(bars, labels=[f"{v:.2f}" if v >= 0.01 else "<0.01" for v in values], padding=2)
    ax.set_xlim(0, max(1.0, max(values) * 1.15))
    return ax


def plot_intermediate_values(study: Any, ax: Any = None):
    """Plots each trial's intermediate values (`trial.report`) against the step (epoch).

    Pruned trials are drawn dashed, so one sees where the pruner stopped them.

    Args:
        study: An `optuna.Study` (single objective: Optuna records intermediate values only
            for those).
        ax: Matplotlib `Axes` to draw on; a new figure when `None`.

    Returns:
        The `Axes`: one line (`ax.lines`) per trial that reported values, in trial order.

    Raises:
        ValueError: If no trial reported an intermediate value.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study()
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for epoch in range(3):
        ...         trial.report(x / (epoch + 1), epoch)
        ...     return x / 3
        >>> study.optimize(objective, n_trials=4)
        >>> len(plot_intermediate_values(study).lines)
        4
    """
    from optuna.trial import TrialState

    trials = [trial for trial in study.get_trials(deepcopy=False) if trial.intermediate_values]
    _need(len(trials), 1, "plot_intermediate_values", "trial with intermediate values")
    ax = _axes(ax)
    ax.set_title("Intermediate Values Plot")
    ax.set_xlabel("Step")
    ax.set_ylabel("Intermediate Value")
    for trial in trials:
        steps = sorted(trial.intermediate_values)
        ax.plot(
            steps,
            [trial.intermediate_values[step] for step in steps],
            marker="o",
            markersize=3,
            alpha=0.8,
            linestyle="--" if trial.state == TrialState.PRUNED else "-",
            label=f"Trial {trial.number}",
        )
    if len(trials) <= 10:
        ax.legend(fontsize="small")
    return ax
