"""Study plots on real Optuna studies, drawn with matplotlib's Agg backend."""

import doctest
import warnings

import matplotlib
import numpy as np
import optuna
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from strata.tuning import plots  # noqa: E402
from strata.tuning.plots import (  # noqa: E402
    plot_intermediate_values,
    plot_optimization_history,
    plot_param_importances,
)

optuna.logging.set_verbosity(optuna.logging.ERROR)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _study(direction="maximize", n_trials=12):
    """`lr` drives the score, `noise` barely; trial 3 is pruned and trial 5 fails."""
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.RandomSampler(seed=3))
    for number in range(n_trials):
        trial = study.ask()
        lr = trial.suggest_float("lr", 0.0, 1.0)
        noise = trial.suggest_float("noise", 0.0, 1.0)
        score = lr + 0.01 * noise
        for epoch in range(4):
            trial.report(score * (epoch + 1) / 4, epoch)
            if number == 3 and epoch == 1:
                break
        if number == 3:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif number == 5:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial, score)
    return study


@pytest.mark.parametrize("direction", ["maximize", "minimize"])
def test_history_has_one_point_per_completed_trial_and_the_best_so_far(direction):
    study = _study(direction)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    ax = plot_optimization_history(study)
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == len(complete) == 10
    np.testing.assert_allclose(offsets[:, 0], [t.number for t in complete])
    np.testing.assert_allclose(offsets[:, 1], [t.value for t in complete])
    accumulate = np.maximum if direction == "maximize" else np.minimum
    best = ax.lines[0].get_ydata()
    np.testing.assert_allclose(best, accumulate.accumulate([t.value for t in complete]))
    assert best[-1] == pytest.approx(study.best_value)
    assert ax.get_xlabel() == "Trial"


def test_plots_share_a_figure_and_save_to_png(tmp_path):
    study = _study()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3))
    assert plot_optimization_history(study, ax=axes[0]) is axes[0]
    assert plot_param_importances(study, ax=axes[1]) is axes[1]
    assert plot_intermediate_values(study, ax=axes[2]) is axes[2]
    path = tmp_path / "search.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5000


def test_importances_have_one_bar_per_parameter_the_strong_one_on_top():
    study = _study()
    with warnings.catch_warnings():
        warnings.simplefilter("error", optuna.exceptions.ExperimentalWarning)
        ax = plot_param_importances(study)
    names = [label.get_text() for label in ax.get_yticklabels()]
    widths = [patch.get_width() for patch in ax.patches]
    assert names == ["noise", "lr"]  # barh draws bottom-up: most important last
    assert sum(widths) == pytest.approx(1.0)
    assert widths[1] > 0.9
    expected = optuna.importance.get_param_importances(
        study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0)
    )
    assert widths == pytest.approx([expected["noise"], expected["lr"]])
    only_lr = plot_param_importances(study, params=["lr"])
    assert len(only_lr.patches) == 1


def test_intermediate_values_one_line_per_reporting_trial_pruned_dashed():
    study = _study()
    ax = plot_intermediate_values(study)
    assert len(ax.lines) == 12  # the failed trial reported values too
    pruned = ax.lines[3]
    assert list(pruned.get_xdata()) == [0, 1] and pruned.get_linestyle() == "--"
    assert list(ax.lines[0].get_xdata()) == [0, 1, 2, 3]
    np.testing.assert_allclose(
        ax.lines[0].get_ydata(), [study.trials[0].intermediate_values[s] for s in range(4)]
    )


def test_too_few_trials_raise_a_clear_error():
    empty = optuna.create_study()
    with pytest.raises(ValueError, match="at least 1 completed trial; the study has 0"):
        plot_optimization_history(empty)
    with pytest.raises(ValueError, match="at least 1 trial with intermediate values"):
        plot_intermediate_values(empty)
    one = optuna.create_study()
    one.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(ValueError, match="at least 2 completed trials; the study has 1"):
        plot_param_importances(one)
    with pytest.raises(ValueError, match="at least 1 trial with intermediate values"):
        plot_intermediate_values(one)
    with pytest.raises(ValueError, match="every completed trial has"):
        plot_param_importances(_study(), params=["depth"])


def test_multi_objective_needs_a_target():
    study = optuna.create_study(directions=["maximize", "minimize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=4)
    with pytest.raises(ValueError, match="expected `target`"):
        plot_optimization_history(study)
    ax = plot_optimization_history(study, target=lambda t: t.values[0], target_name="accuracy")
    assert len(ax.collections[0].get_offsets()) == 4 and ax.get_ylabel() == "accuracy"


def test_docstring_examples_run():
    outcome = doctest.testmod(plots, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0 and outcome.failed == 0
