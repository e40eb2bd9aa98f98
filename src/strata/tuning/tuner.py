"""`Tuner`: KerasTuner's search loop on an Optuna study (docs/tuning.md)."""

from __future__ import annotations

import json
import os
import socket
import time
import zlib

import optuna

from strata.backend.seeding import set_random_seed
from strata.tuning import _cv, _project
from strata.tuning import oracle as _attrs
from strata.tuning._final import FinalEvaluationMixin
from strata.tuning._pruning import (
    ObjectiveNotLogged,
    PruningCallback,
    make_pruner,
    pruner_for_epochs,
)
from strata.tuning._reading import ReadingMixin
from strata.tuning._run import (
    TrialResult,
    combine,
    convert_run_trial,
    execution_seed,
    result_from_fit,
)
from strata.tuning._storage import (
    DEFAULT_GRACE_PERIOD,
    DEFAULT_HEARTBEAT_INTERVAL,
    default_storage_url,
    open_study,
)
from strata.tuning._worker import StudyWorker, budget_used
from strata.tuning.hypermodel import HyperModel, get_hypermodel
from strata.tuning.hyperparameters import HyperParameters
from strata.tuning.objective import Objective
from strata.tuning.oracle import Oracle, Trial, trial_id


class Tuner(ReadingMixin, FinalEvaluationMixin):
    """Searches hyperparameters by building and fitting models, one Optuna trial at a time.

    Args:
        hypermodel: a function `build(hp)` returning a compiled model, a `HyperModel`, or an
            Optuna-style `build(trial)` (first parameter named `trial` or annotated
            `optuna.trial.Trial`: it receives the Optuna trial itself). None only when a
            subclass overrides `run_trial`.
        objective: a metric name ("val_accuracy"), an `Objective`, or None ("val_loss").
        max_trials: trials to finish (completed, pruned or failed), counting those a previous
            search of the same study already finished. None: no cap (GridSearch).
        executions_per_trial: fits per trial, each of a freshly built model; the score is
            their mean.
        seed: seeds the sampler and every fit (derived per trial and execution).
        directory: where the project folder goes (None: the current folder).
        project_name: the project folder's name (None: "untitled_project").
        overwrite: True deletes the study and the trial folders first; False continues an
            existing study.
        pruner: "median", "hyperband", None (no pruning) or an `optuna.pruners.BasePruner`.
        storage: an Optuna storage URL or object (None: SQLite `study.db` in the project).
        study_name: the study's name in the storage (None: `project_name`).
        sampler: any `optuna.samplers.BaseSampler`, replacing the tuner's own.
        max_consecutive_failed_trials: consecutive failures after which `search` raises.
        verbose: 1 prints one line per finished trial, 0 nothing.
        **kwargs: KerasTuner's other constructor keywords (see docs/tuning.md); unknown ones
            raise TypeError.

    Example:
        >>> import tempfile
        >>> import numpy as np
        >>> import strata as keras
        >>> import strata.tuning as kt
        >>> def build(hp):
        ...     model = keras.Sequential([
        ...         keras.layers.Input((3,)),
        ...         keras.layers.Dense(hp.Int("units", 1, 4), activation="relu"),
        ...         keras.layers.Dense(1),
        ...     ])
        ...     model.compile(optimizer="adam", loss="mse")
        ...     return model
        >>> x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
        >>> tuner = kt.Tuner(build, objective="val_loss", max_trials=2, seed=0,
        ...                  directory=tempfile.mkdtemp(), verbose=0)
        >>> tuner.search(x, y, epochs=1, validation_split=0.25)
        >>> [trial.status for trial in tuner.oracle.get_best_trials(2)]
        ['COMPLETED', 'COMPLETED']
    """

    def __init__(
        self,
        hypermodel=None,
        objective=None,
        max_trials=10,
        executions_per_trial=1,
        seed=None,
        directory=None,
        project_name=None,
        overwrite=False,
        pruner=None,
        storage=None,
        study_name=None,
        sampler=None,
        max_consecutive_failed_trials=3,
        verbose=1,
        heartbeat_interval=DEFAULT_HEARTBEAT_INTERVAL,
        grace_period=DEFAULT_GRACE_PERIOD,
        **kwargs,
    ):
        self._keras_options = _project.check_keywords(kwargs)
        if hypermodel is None and type(self).run_trial is Tuner.run_trial:
            raise ValueError(
                "hypermodel=None is allowed only in a Tuner subclass that overrides run_trial; "
                "pass a build(hp) function or a HyperModel."
            )
        if hypermodel is not None and not (
            isinstance(hypermodel, HyperModel) or callable(hypermodel)
        ):
            raise ValueError(
                "hypermodel must be a build(hp) function, a HyperModel or a build(trial) "
                f"function; received {hypermodel!r}."
            )
        for name, value, low in (
            ("executions_per_trial", executions_per_trial, 1),
            ("max_consecutive_failed_trials", max_consecutive_failed_trials, 1),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}; received {value!r}.")
        if max_trials is not None and (not isinstance(max_trials, int) or max_trials < 1):
            raise ValueError(f"max_trials must be a positive integer or None; got {max_trials!r}.")
        if sampler is not None and not isinstance(sampler, optuna.samplers.BaseSampler):
            raise ValueError(f"sampler must be an optuna sampler; received {sampler!r}.")
        self._native = (
            hypermodel is not None
            and not isinstance(hypermodel, HyperModel)
            and _project.is_native_build(hypermodel)
        )
        # Functions are wrapped, so `self.hypermodel.build(hp)` and `.fit(hp, model, ...)`
        # work in a run_trial override as in KerasTuner.
        self.hypermodel = get_hypermodel(hypermodel)
        self.objective = Objective.resolve("val_loss" if objective is None else objective)
        self.max_trials = max_trials
        self.executions_per_trial = executions_per_trial
        self.seed = seed
        self.max_consecutive_failed_trials = max_consecutive_failed_trials
        self.verbose = verbose
        self._pruner_spec = pruner
        pruner_object = make_pruner(pruner)
        self.directory = "." if directory is None else str(directory)
        self.project_name = project_name or "untitled_project"
        self.project_dir = os.path.join(self.directory, self.project_name)
        os.makedirs(self.project_dir, exist_ok=True)
        self.storage = storage if storage is not None else default_storage_url(self.project_dir)
        self.study_name = study_name or self.project_name
        if overwrite:
            _project.delete_trial_folders(self.project_dir)
        with _project.quiet_optuna():
            self.study = open_study(
                storage=self.storage,
                study_name=self.study_name,
                direction=self.objective.optuna_direction,
                pruner=pruner_object or optuna.pruners.NopPruner(),
                overwrite=overwrite,
                heartbeat_interval=heartbeat_interval,
                grace_period=grace_period,
            )
        # A study in a database named by `storage=` may have other workers: their samplers
        # must not draw the same values, so each worker's seed also depends on its host and
        # process. (An in-memory storage has no other process; the default SQLite file keeps
        # a seeded single-process search reproducible.)
        self._shared = storage is not None and not isinstance(
            storage, optuna.storages.InMemoryStorage
        )
        self.study.sampler = sampler or self._make_sampler(self._sampler_seed())
        self.oracle = Oracle(self)
        self._worker = StudyWorker(self.study, max_trials or _UNBOUNDED)
        self._cv = None
        self._cv_search_data = None

    def _sampler_seed(self):
        """The seed for a new sampler: a resumed study must not replay the seed's first
        draws, so the seed moves on with the number of trials already in the study."""
        existing = len(self.study.get_trials(deepcopy=False))
        if self.seed is None or (existing == 0 and not self._shared):
            return self.seed
        if self._shared:
            return execution_seed(self.seed, existing, _process_salt())
        return execution_seed(self.seed, existing, 0)

    # Construction hooks for the subclasses.
    def _make_sampler(self, seed):
        """The sampler a plain `Tuner` uses (TPE)."""
        return optuna.samplers.TPESampler(seed=seed)

    def _prepare_search(self, fit_args, fit_kwargs):
        """Adjust the study for this search; "hyperband" needs the number of epochs."""
        if self._pruner_spec == "hyperband":
            self.study.pruner = pruner_for_epochs(fit_kwargs.get("epochs", 1))

    # The search loop.
    def search(self, *fit_args, cv=None, **fit_kwargs):
        """Run trials until `max_trials` trials of the study are finished.

        Args:
            *fit_args: forwarded to each `fit` (x, y, ...).
            cv: None (score each trial on its validation data), or K (an integer >= 2, or a
                scikit-learn splitter): score each trial by K-fold cross-validation of x and
                y (the mean held-out fold score; `Trial.fold_scores` keeps each fold's), with
                the epoch count, the pruner and the callbacks seeing only an inner split of
                each fold's training rows. See docs/tuning-guard.md.
            **fit_kwargs: forwarded to each `fit` (epochs, validation_data or
                validation_split, callbacks, ...); fits run with verbose=0 unless given.
        """
        fit_kwargs.setdefault("verbose", 0)
        self._cv = _cv.check_cv(cv)
        if self._cv is not None:
            self._cv_search_data = _cv.split_data(fit_args, fit_kwargs)
        self._remember_validation(fit_args, fit_kwargs)
        self._prepare_search(fit_args, fit_kwargs)
        self.on_search_begin()
        failures = 0
        with _project.quiet_optuna():
            while True:
                trial = self._next_trial()
                if trial is None:
                    break
                with self._worker.running(trial):
                    error = self._run_one(trial, fit_args, fit_kwargs)
                self.on_trial_end(self.oracle._record(self._frozen(trial.number)))
                failures = failures + 1 if error is not None else 0
                if failures >= self.max_consecutive_failed_trials:
                    raise RuntimeError(
                        f"{failures} consecutive trials failed; the last error: {error!r}."
                    ) from error
        self.on_search_end()

    # KerasTuner's no-op hooks, for subclasses.
    def on_search_begin(self):
        """Called once when `search` starts."""

    def on_search_end(self):
        """Called once when `search` ends (not when it raises)."""

    def on_trial_begin(self, trial):
        """Called before a trial is scored, with a running `Trial` (live hyperparameters)."""

    def on_trial_end(self, trial):
        """Called after a trial is recorded, with its finished `Trial`."""

    def _frozen(self, number):
        return self.study.get_trials(deepcopy=False)[number]

    def _next_trial(self):
        """The next Optuna trial to run, or None when the search is done.

        The study's `StudyWorker` hands it out under a study-wide lock, so any number of
        processes (on any machines) sharing the study never exceed `max_trials` nor run one
        trial twice; trials whose worker died are retried first (docs/tuning-distributed.md).
        """
        return self._worker.next_trial()

    def _finish_trial(self, trial, state, value):
        """Record the trial's end in the study."""
        self._worker.tell(trial, state, value)

    def _finished_count(self):
        """Trials that use the budget: completed, pruned, failed by an error, running or
        queued anywhere (a trial failed because its worker died counts through its retry)."""
        return budget_used(self.study.get_trials(deepcopy=False))

    def _run_one(self, trial, fit_args, fit_kwargs):
        """Score one trial and record it; returns the error of a failed trial, else None."""
        start = time.time()
        hp = None if self._native else HyperParameters.from_trial(trial)
        self.on_trial_begin(self._trial_view(hp, trial))
        try:
            result = self._score_trial(hp, trial, fit_args, dict(fit_kwargs))
            if result.model is not None:
                # Inside the try: a trial whose weights cannot be saved has failed.
                self._save_trial(trial.number, _jsonable(self._values_of(hp, trial)), result)
        except ObjectiveNotLogged:
            self._record_failure(trial, hp, "objective not logged", start)
            raise
        except Exception as error:  # noqa: BLE001 - a failed trial is recorded, not fatal
            self._record_failure(trial, hp, f"{type(error).__name__}: {error}", start)
            return error
        except BaseException:
            # KeyboardInterrupt and friends: the worker's `running` block fails the trial and
            # queues its retry (same hyperparameters), which the next search runs first.
            trial.set_user_attr(_attrs.ATTR_INTERRUPTED, True)
            raise
        self._record_success(trial, hp, result, start)
        return None

    def _score_trial(self, hp, trial, fit_args, fit_kwargs):
        """Score one trial: a `TrialResult` (score, metrics, epochs, pruned, per-execution
        scores). `hp` is None for an Optuna-style `build(trial)`."""
        if type(self).run_trial is not Tuner.run_trial:
            view = self._trial_view(hp, trial)
            return convert_run_trial(
                self.run_trial(view, *fit_args, **fit_kwargs), self.objective.name
            )
        if self._cv is not None:
            x, y, kwargs = self._cv_search_data
            return _cv.cross_validated_result(self, hp, trial, x, y, self._cv, kwargs)
        return self._run_executions(hp, trial, fit_args, fit_kwargs)

    def run_trial(self, trial, *fit_args, **fit_kwargs):
        """KerasTuner's override hook: build, fit and return the trial's result.

        Override it to take over one trial: read `trial.hyperparameters`, return a number, a
        dict of metrics (with the objective's name), a `History`, or a list of those (one per
        execution). The default builds and fits `executions_per_trial` models.
        """
        return self._run_executions(trial.hyperparameters, trial.optuna_trial, fit_args, fit_kwargs)

    def _run_executions(self, hp, trial, fit_args, fit_kwargs):
        user_callbacks = list(fit_kwargs.pop("callbacks", None) or [])
        parts, models = [], []
        for execution in range(self.executions_per_trial):
            run_seed = execution_seed(self.seed, trial.number, execution)
            if run_seed is not None:
                set_random_seed(run_seed)
            model = self._build(hp, trial)
            # Only the first execution reports to the pruner (Optuna takes one value per step).
            pruning = PruningCallback(trial, self.objective.name) if execution == 0 else None
            callbacks = user_callbacks + ([pruning] if pruning else [])
            output = self._fit(hp, model, fit_args, dict(fit_kwargs, callbacks=callbacks))
            part = result_from_fit(output, self.objective.name, user_callbacks)
            if pruning is not None:
                part.epochs, part.pruned = pruning.epochs_run, pruning.pruned
            parts.append(part)
            models.append(model)
            if part.pruned:
                break
        return combine(parts, models)

    def _build(self, hp, trial):
        """A model for this trial: `build(trial)` when native, else `build(hp)`."""
        if self._native:
            model = self.hypermodel.build(trial)
        else:
            self.hypermodel.declare_hyperparameters(hp)
            model = self.hypermodel.build(hp)
        if model is None:
            raise ValueError("The hypermodel's build returned None; it must return a model.")
        self._apply_keras_options(model)
        return model

    def _apply_keras_options(self, model):
        options = self._keras_options
        limit = options["max_model_size"]
        if limit is not None and getattr(model, "built", False) and model.count_params() > limit:
            raise ValueError(f"The model has {model.count_params()} parameters > {limit}.")
        if any(options[key] is not None for key in ("optimizer", "loss", "metrics")):
            config = model.get_compile_config() or {}
            model.compile(
                optimizer=options["optimizer"] or model.optimizer or "rmsprop",
                loss=options["loss"] or config.get("loss"),
                metrics=options["metrics"] or config.get("metrics"),
            )

    def _fit(self, hp, model, fit_args, fit_kwargs):
        return self.hypermodel.fit(hp, model, *fit_args, **fit_kwargs)

    def _trial_view(self, hp, trial):
        """What a `run_trial` override receives: KerasTuner's `Trial` with live hyperparameters
        (sampling from the Optuna trial as they are read)."""
        return Trial(
            trial_id=trial_id(trial.number, self.max_trials),
            number=trial.number,
            score=None,
            hyperparameters=hp if hp is not None else HyperParameters.from_trial(trial),
            status="RUNNING",
            state="RUNNING",
            optuna_trial=trial,
        )

    # Recording a finished trial.
    def _values_of(self, hp, trial):
        values = dict(hp.values) if hp is not None and hp.values else {}
        return values or dict(trial.params)

    def _record_hyperparameters(self, trial, hp):
        values = _jsonable(self._values_of(hp, trial))
        trial.set_user_attr(_attrs.ATTR_HPS, values)
        if hp is not None:
            trial.set_user_attr(_attrs.ATTR_HP_CONFIG, hp.get_config())
        return values

    def _record_failure(self, trial, hp, message, start):
        self._record_hyperparameters(trial, hp)
        trial.set_user_attr(_attrs.ATTR_ERROR, message)
        trial.set_user_attr(_attrs.ATTR_DURATION, time.time() - start)
        self._finish_trial(trial, optuna.trial.TrialState.FAIL, None)
        self._progress(trial.number, f"failed ({message})", self._values_of(hp, trial), None)

    def _record_success(self, trial, hp, result: TrialResult, start):
        values = self._record_hyperparameters(trial, hp)
        trial.set_user_attr(_attrs.ATTR_SCORE, result.score)
        trial.set_user_attr(_attrs.ATTR_METRICS, result.metrics)
        trial.set_user_attr(_attrs.ATTR_EPOCHS, result.epochs)
        trial.set_user_attr(_attrs.ATTR_EXECUTION_SCORES, result.execution_scores)
        trial.set_user_attr(_attrs.ATTR_FOLD_SCORES, result.fold_scores)
        trial.set_user_attr(_attrs.ATTR_DURATION, time.time() - start)
        state = (
            optuna.trial.TrialState.PRUNED if result.pruned else optuna.trial.TrialState.COMPLETE
        )
        self._finish_trial(trial, state, result.score)
        label = f"pruned at epoch {result.epochs}" if result.pruned else "complete"
        self._progress(trial.number, label, values, result.score)

    def _save_trial(self, number, values, result):
        folder = self.get_trial_dir(number)
        os.makedirs(folder, exist_ok=True)
        result.model.save_weights(os.path.join(folder, _project.CHECKPOINT))
        record = {
            "trial_number": number,
            "hyperparameters": values,
            "score": result.score,
            "metrics": result.metrics,
            "epochs": result.epochs,
            "pruned": result.pruned,
            "execution_scores": result.execution_scores,
            "saved_execution": result.saved_execution,
            "build_config": result.model.get_build_config(),
        }
        with open(os.path.join(folder, "trial.json"), "w") as handle:
            json.dump(record, handle, indent=2, default=str)
        with open(os.path.join(folder, "hyperparameters.json"), "w") as handle:
            json.dump({"values": values}, handle, indent=2, default=str)

    def _progress(self, number, label, values, score):
        if not self.verbose:
            return
        total = self.max_trials if self.max_trials is not None else "?"
        line = f"Trial {number + 1}/{total} {label}: {_project.format_values(values)}"
        if score is not None:
            line += f" | {self.objective.name}={score:.6g}"
        best = self.oracle.get_best_trials(1)
        if best:
            line += f" | best {best[0].score:.6g} (trial {best[0].trial_id})"
        print(line)


def _jsonable(values):
    """Hyperparameter values as JSON types (NumPy scalars become Python numbers)."""
    out = {}
    for name, value in values.items():
        out[name] = value.item() if hasattr(value, "item") else value
    return out


# A worker's budget when `max_trials` is None (GridSearch: the grid ends the search).
_UNBOUNDED = 2**62


def _process_salt():
    """A number that differs between the workers of one shared study (host and process)."""
    return zlib.crc32(f"{socket.gethostname()}:{os.getpid()}".encode())
