"""An Optuna study shown by TensorBoard's HParams dashboard, without TensorFlow.

`write_hparams(study, logdir)` writes, with strata's own `SummaryWriter`:

- in `logdir` itself (the top-level run): the experiment, that is every hyperparameter with
  its domain (a discrete list for categorical choices and booleans, an interval for numbers)
  and the metrics the dashboard shows;
- in `logdir/trial_XXXX` (one run per finished trial, `XXXX` its number): the session start
  (the trial's hyperparameter values and the extra `trial_state` column), the session end (its
  status), the final score as a scalar under the objective's name, and the curve of the
  trial's intermediate values (`trial.report(value, step)`) under `epoch_<objective>`, with the
  reported step (the epoch) on the x axis. In cross-validation mode (the trial's user attribute
  `fold_scores`), the fold scores go under `fold_<objective>` (step = fold index) and their
  standard deviation, a metric of the dashboard, under `<objective>_fold_std`.

TensorBoard has no status for a pruned trial, so pruned trials end with `STATUS_UNKNOWN` and
the `trial_state` column says `PRUNED`; completed trials end with `STATUS_SUCCESS` and failed
ones with `STATUS_FAILURE`. Running and waiting trials are left out: call `write_hparams` again
after the search (it replaces what it wrote before, so it may also be called after each trial).
"""

from __future__ import annotations

import glob
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from strata.callbacks.tensorboard_writer import SummaryWriter

__all__ = ["write_hparams", "trial_run_name", "STATE_HPARAM"]

STATE_HPARAM = "trial_state"
# Every event file this module writes ends with this suffix, so a second call can replace them
# without touching the files of anything else that logs into the same folders.
_SUFFIX = ".strata-hparams"
_STATUS = {"COMPLETE": "STATUS_SUCCESS", "PRUNED": "STATUS_UNKNOWN", "FAIL": "STATUS_FAILURE"}


def trial_run_name(number: int) -> str:
    """Returns the run (sub-folder) name of trial `number`, for example `trial_0007`."""
    return f"trial_{int(number):04d}"


def write_hparams(
    study: Any,
    logdir: str | os.PathLike,
    objective_name: str | Sequence[str] | None = None,
) -> list[str]:
    """Writes `study`'s finished trials for TensorBoard's HParams dashboard.

    Open the result with `tensorboard --logdir <logdir>`: the HParams tab lists one row per
    finished trial (its hyperparameters, final score and state), and the Scalars tab shows each
    trial's intermediate values against the epoch.

    Args:
        study: An `optuna.Study` (single- or multi-objective).
        logdir: Folder to write into (created if missing).
        objective_name: Tag of the final score, for example `"val_accuracy"`; a list of names
            for a multi-objective study. Default: the study's `metric_names` if set, else
            `"objective"` (`"objective_0"`, `"objective_1"`, ... with several objectives).

    Returns:
        The names of the trial runs written, in trial order.

    Raises:
        ValueError: If `objective_name` does not give one name per objective.

    Example:
        >>> import tempfile, optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(direction="maximize")
        >>> study.optimize(lambda t: t.suggest_float("lr", 1e-3, 1e-1, log=True), n_trials=2)
        >>> write_hparams(study, tempfile.mkdtemp(), objective_name="val_accuracy")
        ['trial_0000', 'trial_0001']
    """
    from tensorboard.plugins.hparams import api_pb2

    logdir = os.fspath(logdir)
    names = _objective_names(study, objective_name)
    trials = [trial for trial in study.get_trials(deepcopy=False) if trial.state.is_finished()]
    kinds, hparam_infos = _hparam_infos(trials)
    extra_metrics = [f"epoch_{names[0]}"] if len(names) == 1 else []
    if len(names) == 1 and any(_fold_scores(trial) for trial in trials):
        extra_metrics.append(f"{names[0]}_fold_std")
    metric_infos = [
        api_pb2.MetricInfo(
            name=api_pb2.MetricName(tag=tag),
            display_name=tag,
            dataset_type=api_pb2.DATASET_VALIDATION,
        )
        for tag in [*names, *extra_metrics]
    ]
    experiment = api_pb2.Experiment(
        name=study.study_name,
        hparam_infos=hparam_infos,
        metric_infos=metric_infos,
        time_created_secs=_first_start(trials),
    )
    _remove_previous(logdir)
    with SummaryWriter(logdir, filename_suffix=_SUFFIX) as writer:
        writer.summary_value(_hparams_value("experiment", experiment))
    runs = []
    for trial in trials:
        run = trial_run_name(trial.number)
        runs.append(run)
        run_dir = os.path.join(logdir, run)
        _remove_previous(run_dir)
        with SummaryWriter(run_dir, filename_suffix=_SUFFIX) as writer:
            _write_trial(writer, trial, kinds, names)
    return runs


def _objective_names(study: Any, objective_name: Any) -> list[str]:
    count = len(study.directions)
    if objective_name is None:
        metric_names = getattr(study, "metric_names", None)
        if metric_names:
            return [str(name) for name in metric_names]
        return ["objective"] if count == 1 else [f"objective_{i}" for i in range(count)]
    names = [objective_name] if isinstance(objective_name, str) else list(objective_name)
    if len(names) != count or not all(isinstance(name, str) and name for name in names):
        raise ValueError(
            f"write_hparams expected objective_name to give {count} non-empty name(s), one per "
            f"objective of the study; received {objective_name!r}."
        )
    return names


def _value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _hparam_infos(trials: list) -> tuple[dict[str, str], list]:
    """The domain of every hyperparameter seen in `trials`, and how its values are written."""
    from optuna.distributions import CategoricalDistribution
    from tensorboard.plugins.hparams import api_pb2

    choices: dict[str, list] = {}
    bounds: dict[str, list[float]] = {}
    for trial in trials:
        for name, distribution in trial.distributions.items():
            if isinstance(distribution, CategoricalDistribution):
                seen = choices.setdefault(name, [])
                seen.extend(c for c in distribution.choices if c not in seen)
            else:
                low, high = float(distribution.low), float(distribution.high)
                old = bounds.setdefault(name, [low, high])
                old[0], old[1] = min(old[0], low), max(old[1], high)
    kinds: dict[str, str] = {}
    infos = []
    for name in sorted(set(choices) | set(bounds)):
        info = api_pb2.HParamInfo(name=name, display_name=name)
        if name in choices and name not in bounds:
            found = {_value_kind(choice) for choice in choices[name]}
            # A discrete domain holds values of one type; mixed choices (None, 1, "a") become
            # strings so that they still appear as one column.
            kinds[name] = found.pop() if len(found) == 1 else "string"
            info.type = {
                "bool": api_pb2.DATA_TYPE_BOOL,
                "number": api_pb2.DATA_TYPE_FLOAT64,
                "string": api_pb2.DATA_TYPE_STRING,
            }[kinds[name]]
            info.domain_discrete.extend(_plain(c, kinds[name]) for c in choices[name])
        elif name in bounds and name not in choices:
            kinds[name] = "number"
            info.type = api_pb2.DATA_TYPE_FLOAT64
            info.domain_interval.min_value, info.domain_interval.max_value = bounds[name]
        else:
            # A name used both as a choice and as a range in different trials: no domain, the
            # dashboard shows the values it finds.
            kinds[name] = "string"
            info.type = api_pb2.DATA_TYPE_STRING
        infos.append(info)
    state_info = api_pb2.HParamInfo(
        name=STATE_HPARAM, display_name=STATE_HPARAM, type=api_pb2.DATA_TYPE_STRING
    )
    state_info.domain_discrete.extend(list(_STATUS))
    infos.append(state_info)
    return kinds, infos


def _plain(value: Any, kind: str) -> Any:
    if kind == "bool":
        return bool(value)
    if kind == "number":
        return float(value)
    return str(value)


def _write_trial(writer, trial, kinds, names) -> None:
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2

    start = plugin_data_pb2.SessionStartInfo(
        group_name=trial_run_name(trial.number), start_time_secs=_seconds(trial.datetime_start)
    )
    for name, value in trial.params.items():
        kind = kinds.get(name, "string")
        if kind == "bool":
            start.hparams[name].bool_value = bool(value)
        elif kind == "number":
            start.hparams[name].number_value = float(value)
        else:
            start.hparams[name].string_value = str(value)
    start.hparams[STATE_HPARAM].string_value = trial.state.name
    writer.summary_value(_hparams_value("session_start_info", start))
    steps = sorted(trial.intermediate_values)
    if len(names) == 1:  # Optuna keeps intermediate values for single-objective studies only
        for step in steps:
            writer.scalar(f"epoch_{names[0]}", float(trial.intermediate_values[step]), step=step)
    # The dashboard shows a metric's last value; the final score sits after the last epoch.
    epochs = trial.user_attrs.get("epochs")
    final_step = int(epochs) if isinstance(epochs, (int, float)) else (steps[-1] if steps else 0)
    folds = _fold_scores(trial) if len(names) == 1 else []
    for fold, score in enumerate(folds):
        writer.scalar(f"fold_{names[0]}", score, step=fold)
    if folds:
        writer.scalar(f"{names[0]}_fold_std", float(np.std(folds)), step=final_step)
    for name, value in zip(names, trial.values or []):
        if value is not None and not math.isnan(value):
            writer.scalar(name, float(value), step=final_step)
    end = plugin_data_pb2.SessionEndInfo(
        status=api_pb2.Status.Value(_STATUS.get(trial.state.name, "STATUS_UNKNOWN")),
        end_time_secs=_seconds(trial.datetime_complete),
    )
    writer.summary_value(_hparams_value("session_end_info", end), step=final_step)


def _fold_scores(trial) -> list[float]:
    """The cross-validation scores of `trial` (user attribute `fold_scores`), if any."""
    scores = trial.user_attrs.get("fold_scores")
    if not isinstance(scores, (list, tuple)):
        return []
    return [float(score) for score in scores if isinstance(score, (int, float))]


def _hparams_value(field: str, message: Any):
    """A `Summary.Value` holding one field of the plugin's data, tagged as TensorBoard expects."""
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.hparams import metadata, plugin_data_pb2

    data = plugin_data_pb2.HParamsPluginData(**{field: message})
    tag = {
        "experiment": metadata.EXPERIMENT_TAG,
        "session_start_info": metadata.SESSION_START_INFO_TAG,
        "session_end_info": metadata.SESSION_END_INFO_TAG,
    }[field]
    return summary_pb2.Summary.Value(
        tag=tag,
        metadata=metadata.create_summary_metadata(data),
        tensor=metadata.NULL_TENSOR,
    )


def _seconds(moment: Any) -> float:
    return float(moment.timestamp()) if moment is not None else 0.0


def _first_start(trials: list) -> float:
    starts = [trial.datetime_start for trial in trials if trial.datetime_start is not None]
    return _seconds(min(starts)) if starts else 0.0


def _remove_previous(folder: str) -> None:
    for path in glob.glob(os.path.join(glob.escape(folder), f"events.out.tfevents.*{_SUFFIX}")):
        os.remove(path)
