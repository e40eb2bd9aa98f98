"""Reading a search's results: summaries, best hyperparameters and models, the results table."""

from __future__ import annotations

import json
import os

import optuna

from strata.tuning import _project
from strata.tuning import oracle as _attrs
from strata.tuning.hyperparameters import HyperParameters, describe_space


class ReadingMixin:
    """The `Tuner` methods that read what a search recorded (the study and the trial folders)."""

    def get_trial_dir(self, trial_id):
        """The folder of a trial (its number, or KerasTuner's zero-padded id string)."""
        return os.path.join(self.project_dir, _project.TRIAL_DIR.format(int(trial_id)))

    @property
    def remaining_trials(self):
        """Trials left before `max_trials` is reached (None without a cap)."""
        if self.max_trials is None:
            return None
        return max(self.max_trials - self._finished_count(), 0)

    def search_space_summary(self, extended=False):
        """Print the search space, recorded by one call of `build(hp)` with the defaults.

        With an Optuna-style `build(trial)` the space is known only from trials already run.
        """
        if self._native:
            print("Search space summary")
            trials = self.study.get_trials(deepcopy=False)
            if not trials:
                print("(an Optuna build(trial): the space is known once a trial has run)")
            for name, distribution in (trials[-1].distributions if trials else {}).items():
                print(f"{name} ({type(distribution).__name__}): {distribution}")
            return
        print(describe_space(self._recorded_space()))

    def _recorded_space(self):
        hp = HyperParameters()
        self._build(hp, None)
        return hp

    def results_summary(self, num_trials=10):
        """Print the best `num_trials` trials in KerasTuner's format."""
        print("Results summary")
        print(f"Results in {self.project_dir}")
        print(f"Showing {num_trials} best trials")
        print(f"{self.objective}")
        for record in self.oracle.get_best_trials(num_trials):
            print()
            record.summary()

    def get_best_hyperparameters(self, num_trials=1):
        """The hyperparameters of the best `num_trials` trials, best first (fixed mode)."""
        return [record.hyperparameters for record in self.oracle.get_best_trials(num_trials)]

    def get_best_models(self, num_models=1):
        """The best `num_models` models, best first: rebuilt and loaded with the weights the
        trial's score describes.

        Raises:
            FileNotFoundError: a trial's weights file is missing (e.g. it ran elsewhere).
        """
        return [self.load_model(record) for record in self.oracle.get_best_trials(num_models)]

    def load_model(self, trial):
        """The model of one trial (a `Trial`, its id or number), rebuilt and loaded with the
        weights the trial kept.

        A trial scored by cross-validation (`search(..., cv=K)`) keeps no fold model: the
        first call refits it on all the search's rows for the epoch count its inner curves
        chose, and saves those weights in its folder for later calls.
        """
        number = trial.number if hasattr(trial, "number") else int(trial)
        folder = self.get_trial_dir(number)
        path = os.path.join(folder, _project.CHECKPOINT)
        frozen = self.study.trials[number]
        if not os.path.exists(path) and frozen.user_attrs.get(_attrs.ATTR_FOLD_SCORES):
            return self._refit_cross_validated(number)
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"Trial {number} has no saved weights at {path!r}: it may have run on another "
                "machine (copy its trial folder here), failed, or been scored by a custom "
                "run_trial that keeps no model."
            )
        model = self._rebuild(frozen)
        if not getattr(model, "built", True):
            with open(os.path.join(folder, "trial.json")) as handle:
                build_config = json.load(handle).get("build_config")
            if build_config:
                model.build_from_config(build_config)
        model.load_weights(path)
        return model

    def _rebuild(self, frozen):
        """A fresh model with a finished trial's hyperparameters (untrained)."""
        values = frozen.user_attrs.get(_attrs.ATTR_HPS, dict(frozen.params))
        if self._native:
            return self._build(None, optuna.trial.FixedTrial(dict(frozen.params), frozen.number))
        return self._build(HyperParameters.from_values(values), None)

    def _refit_cross_validated(self, number):
        from strata.tuning import _cv

        data = getattr(self, "_cv_search_data", None)
        if data is None:
            raise FileNotFoundError(
                f"Trial {number} was scored by cross-validation and keeps no fold model; its "
                "model is refitted on the search's rows, which this tuner has not seen. Call "
                "tuner.search(x, y, cv=K, ...) with the same arguments first (finished trials "
                "are not rerun), then get_best_models."
            )
        return _cv.refit(self, number, data)

    def _fixed_hyperparameters(self, values, config=None):
        """A trial's hyperparameters with their values (and, for build(hp), the space): a
        declaration of a known name returns the trial's value, as KerasTuner's do."""
        return HyperParameters.from_config(config or {"space": [], "values": dict(values)})

    @property
    def results(self):
        """One row per trial: number, state, score, every hyperparameter, epochs run and
        duration; a pandas DataFrame when pandas imports, else a list of dicts."""
        rows = [self._row(frozen) for frozen in self.study.get_trials(deepcopy=False)]
        try:
            import pandas
        except ImportError:
            return rows
        return pandas.DataFrame(rows)

    def _row(self, frozen):
        record = _attrs.to_record(frozen, self.max_trials, lambda values, config: values)
        row = {"trial": frozen.number, "state": record.state, "score": record.score}
        for name, value in record.hyperparameters.items():
            row[name if name not in row else f"hp_{name}"] = value
        row["epochs_run"] = record.epochs
        row["duration_s"] = record.duration_s
        if record.fold_scores is not None:
            for index, score in enumerate(record.fold_scores):
                row[f"fold_{index}_score"] = score
        return row
