"""The sealed test set: `tuner.final_evaluation`, and the search's views for people (HParams,
plots).

Seed 000 §7.3.2: after many trials the best validation score flatters the winner, so the
final model is judged once on data the search never saw. `final_evaluation` does that, says by
how much the validation score was optimistic, and checks whether the validation ranking of the
top trials holds on the test set. A `TestSetGuard` kept in the project folder warns when the
test data is the search's validation data, overlaps it, or is looked at a second time (also
from another process).
"""

from __future__ import annotations

import math
import os

import numpy as np

from strata.evaluation._data import leaves, take
from strata.tuning import _cv
from strata.tuning.guard import TestSetGuard, optimism, rank_correlation

GUARD_FILE = "test_set_guard.json"


def validation_of(fit_args, fit_kwargs, cv_data):
    """`(x, y)` of the rows the search scores trials on, or None when there are none."""
    if cv_data is not None:
        return cv_data[0], cv_data[1]
    validation = fit_kwargs.get("validation_data")
    if validation is not None:
        if isinstance(validation, (list, tuple)) and len(validation) in (2, 3):
            return validation[0], validation[1]
        return None  # a generator or dataset: nothing to fingerprint
    split = fit_kwargs.get("validation_split")
    args = list(fit_args)
    x = args[0] if args else fit_kwargs.get("x")
    y = args[1] if len(args) > 1 else fit_kwargs.get("y")
    arrays = leaves(x)
    if not split or not arrays or not hasattr(arrays[0], "shape"):
        return None  # a generator or dataset: nothing to fingerprint
    rows = len(arrays[0])
    held_out = np.arange(int(rows * (1.0 - split)), rows)  # Keras's rule: the last rows
    return take(x, held_out), take(y, held_out)


class FinalEvaluationMixin:
    """The `Tuner` methods that judge the winner on sealed test data and show the search."""

    @property
    def test_set_guard(self):
        """The project's `TestSetGuard` (its state lives in `test_set_guard.json`)."""
        return TestSetGuard(os.path.join(self.project_dir, GUARD_FILE))

    def _remember_validation(self, fit_args, fit_kwargs):
        data = validation_of(fit_args, fit_kwargs, self._cv_search_data)
        if data is not None:
            self.test_set_guard.remember_validation(*data)

    def final_evaluation(self, x_test, y_test, top_trials=5, batch_size=None, verbose=1):
        """Evaluate the best model once on the sealed test set; report the optimism.

        Call it once, after the search, with data the search never saw. It warns
        (`TestSetReuseWarning`) when the test data is the search's validation data, shares
        many rows with it, or was already used for a final evaluation: a second look turns
        the test set into one more validation set.

        Args:
            x_test: test inputs.
            y_test: test targets.
            top_trials: how many of the best trials are also scored on the test set for the
                rank correlation (their models are evaluated, never chosen from).
            batch_size: batch size of `evaluate`.
            verbose: 1 prints the report; 0 is silent.

        Returns:
            A dict: `test` (the winner's test metrics), `validation` (its search score),
            `optimism` (search score minus test score, positive when the search flattered
            it, whatever the direction), `objective`, `trial` (the winner's number),
            `rank_correlation` (`rho`, `pvalue`, `n`, `reason`: Spearman's correlation of
            the top trials' search and test scores) and `trials` (per trial: number,
            validation, test).
        """
        best = self.oracle.get_best_trials(top_trials)
        if not best:
            raise ValueError(
                "final_evaluation needs at least one completed trial; the study has none."
            )
        self.test_set_guard.check_test(x_test, y_test)
        key = _cv.held_out_key(self.objective.name)
        rows = []
        winner_metrics = None
        for record in best:
            model = self.load_model(record)
            metrics = model.evaluate(
                x_test, y_test, batch_size=batch_size, verbose=0, return_dict=True
            )
            metrics = {name: float(value) for name, value in metrics.items()}
            if key not in metrics:
                raise ValueError(
                    f"The objective {self.objective.name!r} needs {key!r} among the test "
                    f"metrics; evaluate gave {sorted(metrics)}."
                )
            if winner_metrics is None:
                winner_metrics = metrics
            rows.append({"trial": record.number, "validation": record.score, "test": metrics[key]})
        correlation = rank_correlation([r["validation"] for r in rows], [r["test"] for r in rows])
        report = {
            "objective": self.objective.name,
            "trial": best[0].number,
            "validation": best[0].score,
            "test": winner_metrics,
            "optimism": optimism(best[0].score, winner_metrics[key], self.objective.direction),
            "rank_correlation": {
                "rho": correlation.rho,
                "pvalue": correlation.pvalue,
                "n": correlation.n,
                "reason": correlation.reason,
            },
            "trials": rows,
        }
        if verbose:
            print(format_report(report, key))
        return report

    def write_hparams(self, logdir=None):
        """Write the trials for TensorBoard's HParams dashboard (default: `<project>/hparams`);
        returns the folder. Open it with `tensorboard --logdir <folder>`."""
        from strata.tuning.hparams_board import write_hparams

        logdir = logdir or os.path.join(self.project_dir, "hparams")
        write_hparams(self.study, logdir, objective_name=self.objective.name)
        return logdir

    def plot_optimization_history(self, ax=None):
        """Each trial's score and the best so far (matplotlib Axes)."""
        from strata.tuning.plots import plot_optimization_history

        return plot_optimization_history(self.study, ax=ax, target_name=self.objective.name)

    def plot_param_importances(self, ax=None):
        """How much each hyperparameter explains the scores (fANOVA; matplotlib Axes)."""
        from strata.tuning.plots import plot_param_importances

        return plot_param_importances(self.study, ax=ax, target_name=self.objective.name)

    def plot_intermediate_values(self, ax=None):
        """Each trial's objective per epoch, pruned trials included (matplotlib Axes)."""
        from strata.tuning.plots import plot_intermediate_values

        return plot_intermediate_values(self.study, ax=ax)


def format_report(report, key):
    rho = report["rank_correlation"]["rho"]
    lines = [
        f"Final evaluation of trial {report['trial']} on the sealed test set:",
        f"  search {report['objective']}: {report['validation']:.4f}; test {key}: "
        f"{report['test'][key]:.4f}; optimism {report['optimism']:+.4f}",
    ]
    if math.isnan(rho):
        reason = report["rank_correlation"]["reason"]
        lines.append(f"  rank correlation of the top trials: n/a ({reason})")
    else:
        lines.append(
            f"  rank correlation (Spearman) of search and test scores over the top "
            f"{report['rank_correlation']['n']} trials: {rho:+.2f}"
        )
    return "\n".join(lines)
